"""The torch family as data (hatch_torch/data/family.json) and members that plugins add."""

from __future__ import annotations

import json

import pytest
from family_plugin import plugged
from packaging.version import Version

from hatch_torch.data.family import FAMILY_FILE, load, member, with_plugins
from hatch_torch.data.model import load as load_data


def test_every_fact_names_a_known_source() -> None:
    raw = json.loads(FAMILY_FILE.read_text(encoding="utf-8"))
    sources = set(raw["sources"])
    cited = [s for m in raw["members"].values() for s in m.get("source", [])]
    cited += [s for m in raw["members"].values() for r in m.get("releases", []) for s in r["source"]]
    cited += raw["pyg"]["source"] + raw["nvidia"]["source"] + [s for c in raw["conflicts"] for s in c["source"]]
    assert cited
    assert set(cited) <= sources, set(cited) - sources
    for m in raw["members"].values():
        for r in m.get("releases", []):
            assert r["confidence"] in ("C", "C2", "I"), r


def test_the_bundled_family_parses_without_problems() -> None:
    family = load()
    assert family.problems == []
    assert {"torchvision", "torchaudio", "torchao", "fbgemm-gpu", "xformers", "triton", "torch-scatter"} <= set(
        family.members
    )


@pytest.mark.parametrize(
    ("torch", "package", "version"),
    [("2.9.0", "xformers", "0.0.33.post1"), ("2.9.1", "fbgemm-gpu", "1.4.0"), ("2.8.0", "torchao", "0.13.0")],
)
def test_table_members_follow_torch(torch: str, package: str, version: str) -> None:
    found = load().member(package)
    assert found is not None
    release = found.release_for(Version(torch))
    assert release is not None
    assert release.version == version


def test_every_table_release_goes_with_a_torch_in_the_release_data() -> None:
    torches = load_data().versions
    for m in load().members.values():
        for r in m.releases:
            assert any(r.torch.contains(t) for t in torches), (m.name, r.version)


@pytest.mark.parametrize(
    ("name", "major"),
    [
        ("nvidia-cublas-cu12", 12),
        ("nvidia_cudnn_cu13", 13),
        ("nvidia-cufft", 13),
        ("nvidia-ml-py", None),
        ("numpy", None),
    ],
)
def test_cuda_major_of_nvidia_packages(name: str, major: int | None) -> None:
    assert load().cuda_major(name) == major


def test_pyg_pages_follow_torch_and_stop_where_pyg_has_no_builds() -> None:
    family = load()
    scatter = family.member("torch_scatter")
    assert scatter is not None
    assert scatter.expected_label("cu128", Version("2.8.0")) == "pt28cu128"
    assert family.page(scatter, Version("2.8.1"), "cu128") == "https://data.pyg.org/whl/torch-2.8.0+cu128.html"
    assert family.page(scatter, Version("2.13.0"), "cu130") is None


def test_a_plugin_adds_a_member_and_cannot_replace_or_break_one() -> None:
    family = with_plugins(load(), plugged())
    codec = family.member("torchcodec")
    assert codec is not None
    assert codec.plugin == "codec"
    release = codec.release_for(Version("2.10.0+cu128"))
    assert release is not None
    assert release.version == "0.9.0"
    assert family.member("torchvision") == load().member("torchvision")
    assert any("'torchvision' already exists" in p for p in family.problems)
    assert any("where='ftp'" in p for p in family.problems)
    assert any("{nope}" in p for p in family.problems)
    assert family.member("broken") is None
    assert load().member("torchcodec") is None  # the bundled family is not changed


def test_bad_entries_are_named() -> None:
    found, problems = member("x", {"releases": [{"version": "one"}, {"version": "1.0", "torch": ">>2"}]})
    assert found is None
    assert problems == [
        "family member 'x': releases[0] needs a valid version",
        "family member 'x': '>>2' is not a version specifier",
    ]


def test_table_members_become_companion_rows_with_torchs_labels() -> None:
    from hatch_torch.data.companions import companion_rows

    raw = load_data().raw
    rows = companion_rows(load(), raw)
    assert set(rows) == {"torchao", "fbgemm-gpu", "xformers"}
    xformers = rows["xformers"]["0.0.34"]
    assert xformers["torch"] == "==2.10.0"
    assert xformers["backends"]["cu128"] == raw["releases"]["2.10.0"]["backends"]["cu128"]["torch"]
    assert "cpu" not in xformers["backends"]  # xformers has no cpu build
    assert set(rows["fbgemm-gpu"]["1.4.0"]["backends"]) >= {"cpu", "cu126", "cu128", "cu130"}
    assert rows["torchao"]["0.16.0"]["backends"]["cpu"]["macos_arm64"] == ""  # bare where torch is bare
    assert "3.10" in rows["torchao"]["0.16.0"]["python"]
