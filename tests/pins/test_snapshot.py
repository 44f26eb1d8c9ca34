"""The resolver's snapshots of the bundled data (pins/snapshot.py, tables from pins/tables.py): what is committed is
what the code builds now,
a build for a bundled backend pins exactly what reading the data itself pins, and a snapshot that does not
match the data, other data or an installed plugin make the resolver read the data."""

from __future__ import annotations

import glob
import marshal
import os
from pathlib import Path
from typing import Any

import pytest

from hatch_torch.data import model
from hatch_torch.pins import snapshot, tables
from hatch_torch.pins.resolve import FALLBACKS, resolve
from hatch_torch.pins.serve import Serving
from hatch_torch.util.errors import ConfigurationError

GROUPS: list[dict[str, list[str]]] = [
    {"dependencies": ["torch"]},
    {"dependencies": ["numpy>=1.26", "torch>=2.6,<2.11", "torchvision"], "optional-dependencies.audio": ["torchaudio"]},
    {"dependencies": ["torch>=2.1", "torchvision<0.25"]},
    {"dependencies": ["torch>=2.2,<2.9; python_version < '3.12'", "torch>=2.4; python_version >= '3.12'"]},
    {"dependencies": ["torch; sys_platform == 'linux'", "torchvision[scipy]>=0.20"]},
    {"dependencies": ["torch>=2.5", "torchao", "fbgemm-gpu", "xformers", "triton"]},
    {"dependencies": ["torch>=2.4", "torch-scatter", "pyg-lib"], "optional-dependencies.audio": ["torchaudio>=2.11"]},
    {"dependencies": ["torch>=2.7.0,!=2.7.0,!=2.7.1,<2.8.0"]},
    {
        "dependencies": ["torch==2.13.*", "torchvision"],
        "optional-dependencies.gpu": ["pytorch-triton-rocm", "triton-xpu"],
    },
]
PYTHONS = [None, ">=3.9", ">=3.12,<3.14"]
KEYS = [
    (b, f) for b in [*model._load(model.BUNDLED).backends, model.PYPI] for f in ((None,) if b == "pypi" else FALLBACKS)
]


def _outcome(groups: dict[str, list[str]], backend: str, fallback: str | None, python: str | None, **kw: Any) -> Any:
    try:
        r = resolve(groups, backend, fallback=fallback or "pypi", requires_python=python, **kw)
    except ConfigurationError as exc:
        return ("error", exc.problems)
    return (r.groups, r.notes, r.torch, r.picks)


@pytest.fixture
def no_other_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """The bundled data in effect: no $HATCH_TORCH_DATA, no user data."""
    monkeypatch.delenv(model.DATA_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))


def test_the_committed_snapshots_are_what_the_code_builds_now() -> None:
    """After changing releases.json, family.json or the resolver, run ``python -m hatch_torch.pins.snapshot``."""
    from hatch_torch.data.members import page_members
    from hatch_torch.pins.family import family_names

    data = model._load(model.BUNDLED)
    members = sorted(family_names(data, plugins=False))
    packages = [p for p in members if p != "torch" and p not in page_members()]
    assert sorted(glob.glob(os.path.join(snapshot.FOLDER, "*.marshal"))) == sorted(snapshot.path(*k) for k in KEYS)
    for backend, fallback in KEYS:
        with open(snapshot.path(backend, fallback), "rb") as f:
            stored = marshal.loads(f.read())
        assert stored["source"] == snapshot._stamp(), "the snapshots were made from other data"
        fresh = tables.build(data, backend, fallback, packages)
        core = marshal.loads(stored["core"])
        assert {k: core[k] for k in fresh["core"]} == fresh["core"], (backend, fallback)
        assert (core["members"], core["platforms"]) == (members, data.platforms)
        assert core["paged"] == sorted(page_members())
        stored_parts = {
            p: {k: marshal.loads(v) for k, v in marshal.loads(b).items()} for p, b in stored["packages"].items()
        }
        assert stored_parts == fresh["packages"], (backend, fallback)


@pytest.mark.usefixtures("no_other_data")
@pytest.mark.parametrize(("backend", "fallback"), KEYS, ids=[f"{b}-{f}" for b, f in KEYS])
def test_a_snapshot_pins_what_the_data_pins(backend: str, fallback: str | None) -> None:
    data = model._load(model.BUNDLED)
    for groups in GROUPS:
        for python in PYTHONS:
            Serving._made.clear()
            live = _outcome(groups, backend, fallback, python, data=data)
            assert data in Serving._made  # that one read the data
            Serving._made.clear()
            compiled = _outcome(groups, backend, fallback, python)
            assert compiled == live, (groups, python)
    assert snapshot.load(backend, fallback) is not None  # and this one had a snapshot to read


@pytest.mark.usefixtures("no_other_data")
def test_a_build_from_a_snapshot_does_not_read_the_release_data() -> None:
    model._load.cache_clear()
    Serving._made.clear()
    result = resolve(GROUPS[1], "cu130", requires_python=">=3.10")
    assert result.groups["dependencies"][1].startswith("torch==2.10.0+cu130; ")
    assert model._load.cache_info().currsize == 0
    assert not Serving._made


@pytest.mark.usefixtures("no_other_data")
def test_a_snapshot_made_from_other_data_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _outcome(GROUPS[1], "cu128", "pypi", ">=3.10", data=model._load(model.BUNDLED))
    snapshot.forget()
    monkeypatch.setattr(snapshot, "_stamp", lambda: [[1, 2], [3, 4]])  # as if releases.json had been edited
    try:
        assert snapshot.load("cu128", "pypi") is None
        assert not snapshot.has("cu128")
        Serving._made.clear()
        assert _outcome(GROUPS[1], "cu128", "pypi", ">=3.10") == expected
        assert Serving._made  # the data itself was read
    finally:
        snapshot.forget()


@pytest.mark.usefixtures("no_other_data")
def test_a_damaged_snapshot_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    (tmp_path / "cu128@pypi.marshal").write_bytes(b"\x00garbage")
    monkeypatch.setattr(snapshot, "FOLDER", str(tmp_path))
    snapshot.forget()
    try:
        assert snapshot.load("cu128", "pypi") is None
        assert snapshot.load("cu126", "pypi") is None  # missing
        Serving._made.clear()
        assert resolve(GROUPS[0], "cu128").torch is not None
        assert Serving._made
    finally:
        snapshot.forget()


def test_other_data_is_read_not_the_snapshot(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """$HATCH_TORCH_DATA with a release the bundled data lacks: the pins come from it."""
    import json

    raw = json.loads(Path(model.BUNDLED).read_text(encoding="utf-8"))
    newest = max(raw["releases"], key=lambda v: tuple(int(x) for x in v.split(".")))
    entry = json.loads(json.dumps(raw["releases"][newest]))
    entry["backends"] = {"cu130": {"torch": {"linux_x86_64": "cu130"}}}
    entry["versions"] = {}
    raw["releases"]["9.9.0"] = entry
    path = tmp_path / "data.json"
    path.write_text(json.dumps(raw))
    monkeypatch.setenv(model.DATA_ENV, str(path))
    assert resolve({"dependencies": ["torch"]}, "cu130").torch == model.Version("9.9.0")


@pytest.mark.usefixtures("no_other_data")
def test_an_installed_plugin_makes_the_resolver_read_the_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plugin may add family members or backends, which no snapshot knows."""
    from hatch_torch.pins import resolve as resolve_module
    from hatch_torch.plugins import scan

    assert resolve_module._compiled("cu130", "pypi") is not None
    monkeypatch.setattr(scan, "third_party", lambda blocked: (("an entry point",), ()))
    assert resolve_module._compiled("cu130", "pypi") is None


@pytest.mark.usefixtures("no_other_data")
def test_random_requirement_sets_pin_alike() -> None:
    """Requirement sets drawn (with a fixed seed) from torch specifiers, companions with and without ranges, PyG,
    the ROCm/XPU triton packages, markers and extras: the snapshot and the data agree on every one. (A one-off run
    of 4,500 such cases found no difference either.)"""
    import random

    rng = random.Random(2026)
    data = model._load(model.BUNDLED)
    specs = ["", ">=2.1", ">=2.4,<2.9", "<2.6", "==2.9.*", ">=2.12", "~=2.7.0", "!=2.10.0", ">=2.6,<2.11"]
    names = ["torchvision", "torchvision<0.25", "torchaudio>=2.11", "torchao", "xformers", "fbgemm-gpu", "triton"]
    names += ["torch-scatter", "pyg-lib", "pytorch-triton-rocm", "triton-xpu", "torchvision==0.21.*", "torchaudio"]
    markers = ["", "; python_version < '3.12'", "; sys_platform == 'linux'", "; sys_platform == 'darwin'"]
    markers += ["; python_version >= '3.12'", "; platform_machine == 'aarch64'"]
    for _ in range(150):
        deps = [f"torch{rng.choice(specs)}{rng.choice(markers)}" for _ in range(rng.choice([1, 1, 2]))]
        deps += [f"{rng.choice(names)}{rng.choice(markers)}" for _ in range(rng.randint(0, 3))]
        groups = {"dependencies": deps}
        if rng.random() < 0.4:
            groups["optional-dependencies.x"] = [rng.choice(names) for _ in range(rng.randint(1, 2))]
        backend, fallback = rng.choice(KEYS)
        python = rng.choice([*PYTHONS, ">=3.10", ">=3.11"])
        Serving._made.clear()
        live = _outcome(groups, backend, fallback, python, data=data)
        assert _outcome(groups, backend, fallback, python) == live, (groups, backend, fallback, python)
