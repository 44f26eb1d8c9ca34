from __future__ import annotations

from packaging.version import Version

from hatch_torch.data.model import load


def test_covers_every_release_from_2_0_to_2_13() -> None:
    versions = {str(v) for v in load().versions}
    assert {"2.0.0", "2.0.1", "2.5.1", "2.9.1", "2.10.0", "2.11.0", "2.12.0", "2.12.1", "2.13.0"} <= versions
    assert min(load().versions) == Version("2.0.0")
    assert max(load().versions) == Version("2.13.0")


def test_every_fact_names_known_sources() -> None:
    raw = load().raw
    for version, release in raw["releases"].items():
        assert release["source"], version
        assert set(release["source"]) <= set(raw["sources"])
    for name, backend in raw["backends"].items():
        if "driver" in backend:
            assert set(backend["driver"]["source"]) <= set(raw["sources"]), name


def test_companions_and_python() -> None:
    data = load()
    assert data.companion_version(Version("2.10.0"), "torchvision") == "0.25.0"
    assert data.companion_version(Version("2.0.0"), "torchvision") == "0.15.1"
    assert data.companion_version(Version("2.11.0"), "torchaudio") == "2.11.0"
    assert data.companion_version(Version("2.12.0"), "torchaudio") is None  # torchaudio ends at 2.11
    assert data.releases["2.13.0"]["python"][0] == "3.10"
    assert "3.8" in data.releases["2.0.0"]["python"]


def test_backend_platform_facts() -> None:
    data = load()
    assert "cu128" not in data.releases["2.12.0"]["backends"]
    assert "cu129" not in data.releases["2.12.0"]["backends"]
    assert set(data.labels(Version("2.13.0"), "rocm7.2", "torch")) == {"linux_x86_64"}
    assert "win_amd64" not in data.labels(Version("2.5.1"), "xpu", "torch")
    assert data.labels(Version("2.6.0"), "xpu", "torch")["win_amd64"] == "xpu"
    assert data.labels(Version("2.2.2"), "cpu", "torch")["macos_x86_64"] == ""
    assert "macos_x86_64" not in data.labels(Version("2.3.0"), "cpu", "torch")
