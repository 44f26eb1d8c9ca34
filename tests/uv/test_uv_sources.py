"""Real ``uv lock`` / ``uv sync`` against the local PyTorch-like index, with what ``hatch-torch sources`` wrote.

Each layout is the one a seed issue got wrong by hand. The lock is read per platform (``uv export`` with the
markers evaluated for Linux x86_64/aarch64, macOS arm64, Windows x86_64/arm64), and ``uv sync`` installs on
this machine (Linux x86_64).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import tomllib
from fake_index import FakeIndex
from packaging.markers import Marker, default_environment
from sources_helpers import HOOK, SEED_001, installed, offline_wheelhouse, resolved, sources, uv, uv_env, write

from hatch_torch.data.model import load

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PYPROJECT_HEAD = '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'


@pytest.fixture(scope="module")
def uv_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("uv-cache")


@pytest.fixture
def env(torch_index: FakeIndex, uv_cache: Path) -> dict[str, str]:
    return uv_env(torch_index.pypi_url, uv_cache)


@pytest.fixture
def urls(torch_index: FakeIndex) -> dict[str, str]:
    backends = ("cpu", "cu128", "cu130", "rocm6.4", "rocm7.2", "xpu")
    return {b: torch_index.backend_url(b) for b in backends} | {"pypi": torch_index.pypi_url}


def setup(project: Path, index: FakeIndex, text: str, *backends: str) -> None:
    write(project, text)
    flags = [arg for backend in backends for arg in ("--backend", backend)]
    assert sources(project, *flags, "--index-url", f"{index.whl_url}/{{backend}}") == 0


def test_seed_000_cpu_torchvision_never_takes_the_git_hash_or_aarch64_wheel_on_x86_64(
    tmp_path: Path, torch_index: FakeIndex, env: dict[str, str], urls: dict[str, str]
) -> None:
    setup(tmp_path, torch_index, PYPROJECT_HEAD + 'dependencies = ["torchvision>=0.2,<0.25"]\n', "cpu")
    uv(tmp_path, env, "lock")
    got = resolved(tmp_path, env)
    cpu, pypi = urls["cpu"], urls["pypi"]
    assert got["linux_x86_64"]["torchvision"] == ("0.24.1+cpu", cpu)
    assert got["win_amd64"]["torchvision"] == ("0.24.1+cpu", cpu)
    assert got["linux_aarch64"]["torchvision"] == ("0.24.1", cpu)  # unlabelled on the cpu index
    assert got["macos_arm64"]["torchvision"] == ("0.24.1", pypi)
    assert got["linux_x86_64"]["torch"] == ("2.9.1+cpu", cpu)
    assert got["linux_aarch64"]["torch"] == ("2.9.1+cpu", cpu)
    assert got["macos_arm64"]["torch"] == ("2.9.1", pypi)
    assert "d801a34" not in (tmp_path / "uv.lock").read_text(encoding="utf-8")
    uv(tmp_path, env, "sync")
    assert installed(tmp_path) == {"torch": "2.9.1+cpu", "torchvision": "0.24.1+cpu"}


def needs_torch_wheels_for_this_python(torch: str) -> pytest.MarkDecorator:
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return pytest.mark.skipif(
        python not in load().releases[torch]["python"],
        reason=f"torch {torch} publishes no wheels for Python {python}, so uv sync cannot install it here",
    )


@needs_torch_wheels_for_this_python("2.3.0")
def test_seed_003_cpu_labels_on_x86_64_bare_on_macos_and_aarch64(
    tmp_path: Path, torch_index: FakeIndex, env: dict[str, str], urls: dict[str, str]
) -> None:
    text = PYPROJECT_HEAD + 'dependencies = ["torch==2.3.0", "torchvision", "torchaudio"]\n'
    setup(tmp_path, torch_index, text, "cpu")
    uv(tmp_path, env, "lock")
    got = resolved(tmp_path, env)
    cpu, pypi = urls["cpu"], urls["pypi"]
    for platform in ("linux_x86_64", "win_amd64"):
        assert got[platform]["torch"] == ("2.3.0+cpu", cpu)
        assert got[platform]["torchvision"] == ("0.18.0+cpu", cpu)
        assert got[platform]["torchaudio"] == ("2.3.0+cpu", cpu)
    assert got["linux_aarch64"]["torch"] == ("2.3.0", cpu)
    assert got["linux_aarch64"]["torchvision"] == ("0.18.0", cpu)
    assert got["macos_arm64"]["torch"] == ("2.3.0", pypi)
    uv(tmp_path, env, "sync")
    assert installed(tmp_path) == {"torch": "2.3.0+cpu", "torchvision": "0.18.0+cpu", "torchaudio": "2.3.0+cpu"}


@needs_torch_wheels_for_this_python("2.5.1")
def test_seed_001_cpu_and_gpu_extras_darwin_on_pypi_linux_cpu_from_the_cpu_index(
    tmp_path: Path, torch_index: FakeIndex, env: dict[str, str], urls: dict[str, str]
) -> None:
    setup(tmp_path, torch_index, SEED_001, "cpu", "gpu=pypi")
    uv(tmp_path, env, "lock")
    cpu, pypi = urls["cpu"], urls["pypi"]
    with_cpu = resolved(tmp_path, env, "--extra", "cpu")
    assert with_cpu["linux_x86_64"]["torch"] == ("2.5.1+cpu", cpu)
    assert with_cpu["linux_aarch64"]["torch"] == ("2.5.1", cpu)
    assert with_cpu["macos_arm64"]["torch"] == ("2.5.1", pypi)
    assert with_cpu["macos_arm64"]["torchvision"] == ("0.20.1", pypi)
    with_gpu = resolved(tmp_path, env, "--extra", "gpu")
    assert with_gpu["linux_x86_64"]["torch"] == ("2.5.1", pypi)
    uv(tmp_path, env, "sync", "--extra", "cpu")
    assert installed(tmp_path) == {"torch": "2.5.1+cpu", "torchvision": "0.20.1+cpu"}
    uv(tmp_path, env, "sync", "--extra", "gpu")
    assert installed(tmp_path)["torch"] == "2.5.1"


def test_seed_004_three_extras_with_conflicts_sync_cu130(
    tmp_path: Path, torch_index: FakeIndex, env: dict[str, str], urls: dict[str, str]
) -> None:
    text = PYPROJECT_HEAD + 'dependencies = ["torch>=2.9.1", "torchvision>=0.24.1"]\n'
    setup(tmp_path, torch_index, text, "cpu", "cu128", "cu130")
    uv(tmp_path, env, "lock")
    for extra, torch in (("cpu", "2.13.0+cpu"), ("cu128", "2.11.0+cu128"), ("cu130", "2.13.0+cu130")):
        got = resolved(tmp_path, env, "--extra", extra)
        for platform in ("linux_x86_64", "linux_aarch64", "win_amd64"):
            assert got[platform]["torch"] == (torch, urls[extra]), (extra, platform)
        # the backend does not publish for macOS: the extra falls back to PyPI (and its newest release) there
        assert got["macos_arm64"]["torch"] == ("2.15.0", urls["pypi"]), extra
    out = uv(tmp_path, env, "sync", "--extra", "cu130")
    assert installed(tmp_path) == {"torch": "2.13.0+cu130", "torchvision": "0.28.0+cu130", "triton": "3.7.2"}
    assert "+ torch==2.13.0+cu130" in out
    with pytest.raises(AssertionError, match="are incompatible with the declared conflicts"):
        uv(tmp_path, env, "sync", "--extra", "cpu", "--extra", "cu130")


@pytest.mark.parametrize(
    ("backend", "torch", "expected", "companion"),
    [
        ("rocm6.4", "torch==2.9.1", "2.9.1+rocm6.4", "pytorch-triton-rocm"),
        ("rocm7.2", "torch>=2.11", "2.13.0+rocm7.2", "triton-rocm"),
        ("xpu", "torch==2.9.1", "2.9.1+xpu", "pytorch-triton-xpu"),
        ("xpu", "torch>=2.11", "2.13.0+xpu", "triton-xpu"),
    ],
)
def test_rocm_and_xpu_projects_get_their_triton_companion_from_the_backend_index(
    tmp_path: Path,
    torch_index: FakeIndex,
    env: dict[str, str],
    urls: dict[str, str],
    backend: str,
    torch: str,
    expected: str,
    companion: str,
) -> None:
    setup(tmp_path, torch_index, PYPROJECT_HEAD + f'dependencies = ["{torch}", "torchvision"]\n', backend)
    uv(tmp_path, env, "lock")
    got = resolved(tmp_path, env)
    index = urls[backend]
    published = ["linux_x86_64"] + (["win_amd64"] if backend == "xpu" else [])
    for platform, chosen in got.items():
        if platform in published:
            assert chosen["torch"] == (expected, index)
            assert chosen[companion][1] == index
        else:  # PyPI's own newest release in the range (it has releases the backend index lacks)
            bare = "2.15.0" if torch == "torch>=2.11" else expected.partition("+")[0]
            assert chosen["torch"] == (bare, urls["pypi"])
            assert companion not in chosen
    uv(tmp_path, env, "sync")
    have = installed(tmp_path)
    assert have["torch"] == expected
    assert companion in have


def test_hook_project_resyncs_when_torch_backend_changes(
    tmp_path: Path, torch_index: FakeIndex, uv_cache: Path
) -> None:
    wheels = offline_wheelhouse(tmp_path / "wheels", torch_index.pypi_url, uv_cache)
    project = tmp_path / "hooked"
    setup(project, torch_index, HOOK, "cpu", "cu130")
    (project / "hooked").mkdir()
    (project / "hooked" / "__init__.py").write_text("", encoding="utf-8")
    env = uv_env(torch_index.pypi_url, uv_cache, find_links=wheels)
    uv(project, env | {"TORCH_BACKEND": "cpu"}, "sync")
    assert installed(project) == {"hooked": "1.0", "torch": "2.10.0+cpu", "torchvision": "0.25.0+cpu"}
    out = uv(project, env | {"TORCH_BACKEND": "cu130"}, "sync")
    assert "+ torch==2.10.0+cu130" in out
    have = installed(project)
    assert (have["torch"], have["torchvision"], have["triton"]) == ("2.10.0+cu130", "0.25.0+cu130", "3.6.0")
    lock = (project / "uv.lock").read_text(encoding="utf-8")
    assert 'version = "2.10.0+cu130"' in lock
    # a cpu build may stay locked only where the build keeps the requirement as written (no wheel known there)
    for package in tomllib.loads(lock)["package"]:
        if package["name"] == "torch" and package["version"] == "2.10.0+cpu":
            linux = {**default_environment(), "sys_platform": "linux", "platform_machine": "x86_64"}
            linux |= {"python_full_version": "3.12.0", "python_version": "3.12"}
            assert not any(Marker(m).evaluate(linux) for m in package["resolution-markers"])


def test_fallback_cpu_sends_the_platforms_rocm_lacks_to_the_cpu_index(
    tmp_path: Path, torch_index: FakeIndex, env: dict[str, str], urls: dict[str, str]
) -> None:
    write(tmp_path, PYPROJECT_HEAD + 'dependencies = ["torch>=2.11", "torchvision"]\n')
    template = f"{torch_index.whl_url}/{{backend}}"
    assert sources(tmp_path, "--backend", "rocm7.2", "--fallback", "cpu", "--index-url", template) == 0
    uv(tmp_path, env, "lock")
    got = resolved(tmp_path, env)
    assert got["linux_x86_64"]["torch"] == ("2.13.0+rocm7.2", urls["rocm7.2"])
    assert got["linux_aarch64"]["torch"] == ("2.13.0+cpu", urls["cpu"])
    assert got["win_amd64"]["torchvision"] == ("0.28.0+cpu", urls["cpu"])
    assert got["macos_arm64"]["torch"] == ("2.13.0", urls["cpu"])
    assert "triton-rocm" not in got["win_amd64"]
