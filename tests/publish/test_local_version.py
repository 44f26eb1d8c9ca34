"""The ``local-version`` hook setting, through hatchling's own PEP 517 functions (in process, no isolation)."""

from __future__ import annotations

import copy
import tarfile
import zipfile
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path

import pytest
from hatchling import build as hatchling_build
from packaging.version import Version

from hatch_torch import ConfigurationError
from hatch_torch.data.model import ReleaseData, load
from hatch_torch.hook.local_version import label_for, labelled
from hatch_torch.pins.resolve import Resolution

HOOK = 'dependencies = ["numpy>=1.26", "torch>=2.6,<2.11", "torchvision"]\n'


def project(tmp_path: Path, *, version: str | None = "1.2.0", setting: str | None = "true", hook: str = HOOK) -> Path:
    root = tmp_path / "proj"
    (root / "mylib").mkdir(parents=True)
    (root / "mylib" / "__init__.py").write_text('__version__ = "1.2.0"\n')
    if version is None:  # from a version source
        head = 'dynamic = ["version", "dependencies"]\n'
        tail = '[tool.hatch.version]\npath = "mylib/__init__.py"\n'
    else:
        head = f'version = "{version}"\ndynamic = ["dependencies"]\n'
        tail = ""
    text = f'[project]\nname = "mylib"\nrequires-python = ">=3.10"\n{head}\n[tool.hatch.metadata.hooks.torch]\n{hook}'
    if setting is not None:
        text += f"local-version = {setting}\n"
    (root / "pyproject.toml").write_text(text + tail)
    return root


def build(root: Path, kind: str, monkeypatch: pytest.MonkeyPatch, backend: str = "cu130") -> Path:
    monkeypatch.setenv("TORCH_BACKEND", backend)
    monkeypatch.delenv("UV_TORCH_BACKEND", raising=False)
    monkeypatch.chdir(root)
    out = root.parent / "out"
    out.mkdir(exist_ok=True)
    name = hatchling_build.build_wheel(str(out)) if kind == "wheel" else hatchling_build.build_sdist(str(out))
    return out / name


def wheel_metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        return HeaderParser().parsestr(zf.read(name).decode())


@pytest.mark.parametrize("version", ["1.2.0", None], ids=["static-version", "version-source"])
def test_wheel_is_labelled_with_the_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str | None
) -> None:
    wheel = build(project(tmp_path, version=version), "wheel", monkeypatch)
    assert wheel.name == "mylib-1.2.0+cu130-py3-none-any.whl"
    metadata = wheel_metadata(wheel)
    assert metadata["Version"] == "1.2.0+cu130"
    assert any(r.startswith("torch==2.10.0+cu130;") for r in metadata.get_all("Requires-Dist") or [])
    with zipfile.ZipFile(wheel) as zf:
        assert "mylib-1.2.0+cu130.dist-info/RECORD" in zf.namelist()


@pytest.mark.parametrize("setting", [None, "false"], ids=["default", "false"])
def test_off_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str | None) -> None:
    wheel = build(project(tmp_path, setting=setting), "wheel", monkeypatch)
    assert wheel.name == "mylib-1.2.0-py3-none-any.whl"
    assert wheel_metadata(wheel)["Version"] == "1.2.0"


def test_sdist_and_wheels_built_from_it_stay_unlabelled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sdist = build(project(tmp_path), "sdist", monkeypatch)
    assert sdist.name == "mylib-1.2.0.tar.gz"
    with tarfile.open(sdist) as tf:
        handle = tf.extractfile("mylib-1.2.0/PKG-INFO")
        assert handle is not None
        pkg_info = HeaderParser().parsestr(handle.read().decode())
        tf.extractall(tmp_path / "unpacked", filter="data") if hasattr(tarfile, "data_filter") else tf.extractall(
            tmp_path / "unpacked"
        )
    assert pkg_info["Version"] == "1.2.0"
    assert "Requires-Dist" in (pkg_info.get_all("Dynamic") or [])
    # An installer building this sdist checks that the wheel's version is the sdist's: no label there.
    wheel = build(tmp_path / "unpacked" / "mylib-1.2.0", "wheel", monkeypatch)
    assert wheel.name == "mylib-1.2.0-py3-none-any.whl"
    assert any(r.startswith("torch==2.10.0+cu130;") for r in wheel_metadata(wheel).get_all("Requires-Dist") or [])


def test_existing_local_label_gets_the_backend_appended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wheel = build(project(tmp_path, version="1.3.dev4+g1a2b3c"), "wheel", monkeypatch, backend="cpu")
    assert wheel.name == "mylib-1.3.dev4+g1a2b3c.cpu-py3-none-any.whl"
    assert labelled("1.2.0", "") == "1.2.0"
    assert labelled("1.2.0", "rocm7.1") == "1.2.0+rocm7.1"


def test_without_torch_requirements_the_label_is_the_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, hook='dependencies = ["numpy>=1.26"]\n')
    assert build(root, "wheel", monkeypatch, backend="rocm7.1").name == "mylib-1.2.0+rocm7.1-py3-none-any.whl"


def test_bad_value_names_setting_value_and_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError) as info:
        build(project(tmp_path, setting='"yes"'), "wheel", monkeypatch)
    assert str(info.value) == (
        "tool.hatch.metadata.hooks.torch.local-version must be true or false, got 'yes'. "
        "Fix: local-version = true (adds the backend as the wheel's local version label)."
    )


def test_label_rules_bare_only_where_torch_is_bare_everywhere() -> None:
    data = load()
    torch = Version("2.10.0")
    assert label_for(Resolution("cu130", torch), data) == "cu130"
    # cpu torch is bare on macOS but labelled elsewhere: a universal wheel is still +cpu
    assert data.labels(torch, "cpu", "torch")["macos_arm64"] == ""
    assert label_for(Resolution("cpu", torch), data) == "cpu"
    raw = copy.deepcopy(data.raw)
    raw["releases"]["2.10.0"]["backends"]["cu130"]["torch"] = {"linux_x86_64": "", "win_amd64": ""}
    assert label_for(Resolution("cu130", torch), ReleaseData(raw)) == ""
    assert label_for(Resolution("xpu", None), data) == "xpu"


@pytest.mark.parametrize("version", ["1.2.0", None], ids=["static-version", "version-source"])
def test_prepared_metadata_matches_the_wheel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str | None
) -> None:
    # prepare_metadata_for_build_wheel reads the metadata hooks before the version: with a version source
    # hatchling has already cached the unlabelled version by then, and the hook must update that cache.
    root = project(tmp_path, version=version)
    monkeypatch.setenv("TORCH_BACKEND", "cu128")
    monkeypatch.chdir(root)
    out = tmp_path / "meta"
    out.mkdir()
    name = hatchling_build.prepare_metadata_for_build_wheel(str(out))
    assert name == "mylib-1.2.0+cu128.dist-info"
    metadata = HeaderParser().parsestr((out / name / "METADATA").read_text())
    assert metadata["Version"] == "1.2.0+cu128"
