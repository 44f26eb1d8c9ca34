from __future__ import annotations

from packaging.version import Version

from hatch_torch.data.model import load


def test_covers_every_release_from_2_0_to_2_15() -> None:
    versions = {str(v) for v in load().versions}
    assert {"2.0.0", "2.0.1", "2.5.1", "2.9.1", "2.10.0", "2.11.0", "2.12.0", "2.12.1", "2.13.0"} <= versions
    assert {"2.14.0", "2.14.1", "2.15.0"} <= versions
    assert min(load().versions) == Version("2.0.0")
    assert max(load().versions) == Version("2.15.0")


def test_new_releases_are_pypi_facts_only() -> None:
    """The PyTorch indexes cannot be read from here and the record does not confirm their backends: left out."""
    data = load()
    for version in ("2.14.0", "2.14.1", "2.15.0"):
        assert data.releases[version]["backends"] == {}
        assert data.releases[version]["source"] == ["PYPI"]
        assert Version(version) in data.releases_for("pypi")
    assert data.releases["2.15.0"]["python"][:2] == ["3.11", "3.12"]  # 2.15.0 dropped 3.10
    assert "3.10" in data.releases["2.14.1"]["python"]


def test_cpython_lists_and_macos_floors_are_per_platform() -> None:
    data = load()
    assert "3.9" not in data.releases["2.9.0"]["python"]  # the newest for 3.9 is 2.8.0
    assert "3.9" in data.releases["2.8.0"]["python"]
    assert "3.14" not in data.releases["2.8.0"]["python"]
    assert "3.13" in data.wheels(Version("2.5.1"))["linux_x86_64"]["python"]
    assert "3.13" not in data.wheels(Version("2.5.1"))["win_amd64"]["python"]  # cp313 on Linux x86_64 only
    assert data.wheels(Version("2.12.0"))["macos_arm64"]["macos"] == "14.0"
    assert data.wheels(Version("2.11.0"))["macos_arm64"]["macos"] == "11.0"
    assert data.wheels(Version("2.10.0"))["macos_arm64"]["macos_python"]["3.14"] == "14.0"
    assert "macos_x86_64" not in data.wheels(Version("2.3.0"))


def test_companion_torch_requirements_are_recorded() -> None:
    companions = load().raw["companions"]
    assert companions["torchaudio"]["2.11.1"]["torch"] == ">=2.11"
    assert companions["torchvision"]["0.29.1"]["torch"] == ">=2.14.0"
    assert companions["torchvision"]["0.24.1"]["torch"] == "==2.9.1"
    inferred = companions["torchaudio"]["2.11.0"]
    assert (inferred["torch"], inferred["confidence"]) == (">=2.11", "I")  # PyPI says nothing; see its note
    for rows in companions.values():
        for row in rows.values():
            assert row["source"] == ["PYPI"]


def test_every_fact_names_known_sources() -> None:
    raw = load().raw
    assert "PYPI" in raw["sources"]
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
