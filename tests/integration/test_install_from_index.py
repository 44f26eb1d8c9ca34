"""Real installs of the built wheels into fresh virtualenvs, from the local index only (never real PyPI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from buildkit import TEST_PROJECTS, Artifacts, ProjectBuilds, build_env, run, uv_command
from fake_index import FakeIndex
from torch_expect import (
    expected_versions,
    host_platform,
    pick_torch,
    release_data_with,
    torch_specifier,
    triton_package,
)

from hatch_torch.data.model import ReleaseData, load

pytestmark = pytest.mark.integration

HOST = host_platform()
needs_known_host = pytest.mark.skipif(HOST is None, reason="the release data has no wheels for this machine")

PROBE = (
    "import importlib, json, sys\n"
    "out = {}\n"
    "for name in sys.argv[1:]:\n"
    "    try:\n"
    "        out[name] = importlib.import_module(name).__version__\n"
    "    except ImportError:\n"
    "        out[name] = None\n"
    "print(json.dumps(out))\n"
)


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def make_venv(path: Path) -> Path:
    """A fresh, empty virtualenv (``uv venv``, no seed packages); returns its interpreter."""
    run([_uv(), "venv", "--no-config", "--python", sys.executable, str(path)], build_env())
    return venv_python(path)


def index_args(index: FakeIndex, backend: str) -> list[str]:
    return ["--index-url", index.pypi_url, "--extra-index-url", index.backend_url(backend)]


def installed_versions(python: Path, modules: list[str]) -> dict[str, str | None]:
    out = subprocess.run([str(python), "-c", PROBE, *modules], capture_output=True, text=True, check=True)
    versions: dict[str, str | None] = json.loads(out.stdout)
    return versions


def installed_distributions(python: Path) -> dict[str, str]:
    output = run([_uv(), "pip", "list", "--no-config", "--python", str(python), "--format", "json"], build_env())
    return {row["name"]: row["version"] for row in json.loads(output)}


def _uv() -> str:
    return uv_command()


def assert_installed_family(python: Path, backend: str) -> None:
    """torch/torchvision/torchaudio (audio extra) as the data says for this host, plus the triton companion."""
    assert HOST is not None
    data = load()
    spec = torch_specifier(TEST_PROJECTS / "minimal")
    want = expected_versions(data, backend, spec, HOST)
    got = installed_versions(python, ["mylib", "torch", "torchvision", "torchaudio", "numpy"])
    assert got["mylib"] == "1.2.0"
    assert got["numpy"] is not None
    for package in ("torch", "torchvision", "torchaudio"):
        assert got[package] == want[package], package
    triton = triton_package(data, backend, pick_torch(data, backend, spec)) if HOST.startswith("linux") else None
    distributions = installed_distributions(python)
    triton_installed = sorted(name for name in distributions if "triton" in name)
    assert triton_installed == ([triton] if triton else [])


@needs_known_host
@pytest.mark.parametrize("backend", ["cu130", "cpu", "rocm7.1"])
def test_uv_installs_the_pinned_build(
    project_builds: ProjectBuilds, torch_index: FakeIndex, tmp_path: Path, backend: str
) -> None:
    wheel = project_builds.get("minimal", backend).wheel
    python = make_venv(tmp_path / "venv")
    requirement = f"mylib[audio] @ {wheel.as_uri()}"
    command = [_uv(), "pip", "install", "--no-config", "--no-cache", "--python", str(python), requirement]
    run([*command, *index_args(torch_index, backend)], build_env())
    assert_installed_family(python, backend)


@needs_known_host
def test_pip_installs_the_pinned_build(project_builds: ProjectBuilds, torch_index: FakeIndex, tmp_path: Path) -> None:
    backend = "cu130"
    wheel = project_builds.get("minimal", backend).wheel
    python = make_venv(tmp_path / "venv")
    requirement = f"mylib[audio] @ {wheel.as_uri()}"
    command = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-cache-dir", requirement]
    run([*command, *index_args(torch_index, backend)], build_env())
    assert_installed_family(python, backend)


@needs_known_host
def test_uv_installs_extras_markers_sample(
    project_builds: ProjectBuilds, torch_index: FakeIndex, tmp_path: Path
) -> None:
    """Extras with non-torch requirements (accelerate[testing]) resolve from the local PyPI too."""
    backend = "cpu"
    wheel = project_builds.get("extras-markers", backend).wheel
    python = make_venv(tmp_path / "venv")
    requirement = f"mylib-extras[vision,audio,train] @ {wheel.as_uri()}"
    command = [_uv(), "pip", "install", "--no-config", "--python", str(python), requirement]
    run([*command, *index_args(torch_index, backend)], build_env())
    assert HOST is not None
    want = expected_versions(load(), backend, torch_specifier(TEST_PROJECTS / "extras-markers"), HOST)
    got = installed_versions(python, ["torch", "torchvision", "torchaudio", "accelerate", "pytest"])
    assert {k: got[k] for k in ("torch", "torchvision", "torchaudio")} == {
        k: want[k] for k in ("torch", "torchvision", "torchaudio")
    }
    assert got["accelerate"] is not None
    assert got["pytest"] is not None  # from accelerate's "testing" extra


@needs_known_host
def test_a_new_release_in_a_data_file_builds_and_installs(
    build_project: Callable[..., Artifacts], tmp_path: Path
) -> None:
    """HATCH_TORCH_DATA with a torch 2.14.0 release: the hook pins it and uv installs it from an index serving it."""
    raw = release_data_with("2.14.0", "2.13.0")
    data_file = tmp_path / "releases.json"
    data_file.write_text(json.dumps(raw), encoding="utf-8")
    backend = "cu130"
    built = build_project(TEST_PROJECTS / "auto", tmp_path / "build", backend, env={"HATCH_TORCH_DATA": str(data_file)})
    assert HOST is not None
    want = expected_versions(ReleaseData(raw), backend, torch_specifier(TEST_PROJECTS / "auto"), HOST)
    assert want["torch"].startswith("2.14.0")
    python = make_venv(tmp_path / "venv")
    with FakeIndex(data_file) as index:
        command = [_uv(), "pip", "install", "--no-config", "--python", str(python), str(built.wheel)]
        run([*command, *index_args(index, backend)], build_env())
    got = installed_versions(python, ["torch", "torchvision"])
    assert got == {"torch": want["torch"], "torchvision": want["torchvision"]}


@needs_known_host
@pytest.mark.parametrize("backend", ["cpu", "cu130"])
def test_installing_the_sdist_reruns_the_hook_on_the_installing_machine(
    project_builds: ProjectBuilds, build_wheelhouse: Path, torch_index: FakeIndex, tmp_path: Path, backend: str
) -> None:
    """One sdist (built without a backend choice frozen in), installed with different TORCH_BACKENDs."""
    sdist = project_builds.get("minimal", "rocm7.1", sdist=True).sdist
    python = make_venv(tmp_path / "venv")
    requirement = f"mylib[audio] @ {sdist.as_uri()}"
    command = [_uv(), "pip", "install", "--no-config", "--no-cache", "--python", str(python), requirement]
    command += ["--find-links", str(build_wheelhouse)]
    run([*command, *index_args(torch_index, backend)], build_env(backend))
    assert_installed_family(python, backend)
