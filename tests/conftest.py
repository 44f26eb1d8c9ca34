"""Session fixtures shared by all test directories; the helpers they use live in ``buildkit`` (import from there,
not from ``conftest``: pytest loads several conftest modules under that one name)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from buildkit import (
    BUILD_DISTS,
    ROOT,
    Artifacts,
    ProjectBuilds,
    build,
    build_env,
    cached,
    repack_installed,
    run,
    shared_dir,
    uv_command,
)
from fake_index import FakeIndex


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    """xdist's worker id (``gw0``...), ``master`` without xdist (overridden by xdist's own fixture)."""
    workerinput = getattr(request.config, "workerinput", None)
    return str(workerinput["workerid"]) if workerinput else "master"


@pytest.fixture(scope="session")
def torch_index() -> Iterator[FakeIndex]:
    """The local PyTorch-like index (bundled release data), running for the whole session."""
    with FakeIndex() as index:
        yield index


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """hatch-torch built from this checkout, plus hatchling and every requirement of both repacked from this
    environment: with ``--no-index --find-links`` an isolated build needs no package index at all."""

    def make(directory: Path) -> None:
        for name in BUILD_DISTS:
            repack_installed(name, directory)
        command = [uv_command(), "build", "--wheel", "--out-dir", str(directory), "--no-config", "--no-index"]
        run([*command, "--find-links", str(directory), "--python", sys.executable, str(ROOT)], build_env())

    directory = cached(shared_dir(tmp_path_factory, worker_id, "wheelhouse"), make)
    wheels = list(directory.glob("hatch_torch-*.whl"))
    assert len(wheels) == 1, f"wheelhouse should hold one hatch-torch wheel: {wheels}"
    return directory


@pytest.fixture(scope="session")
def build_wheelhouse(wheelhouse: Path) -> Path:
    """What an install from an sdist needs to build it offline (``--find-links``): the wheelhouse."""
    return wheelhouse


@pytest.fixture(scope="session")
def build_project(wheelhouse: Path) -> Callable[..., Artifacts]:
    """``build_project(src_dir, tmp_path, backend, frontend="uv", sdist=False, env=None) -> Artifacts``."""

    def builder(
        src_dir: Path,
        tmp_path: Path,
        backend: str | None,
        frontend: str = "uv",
        sdist: bool = False,
        env: dict[str, str] | None = None,
    ) -> Artifacts:
        return build(Path(src_dir), Path(tmp_path), backend, wheelhouse, frontend, sdist, env)

    return builder


@pytest.fixture(scope="session")
def project_builds(tmp_path_factory: pytest.TempPathFactory, worker_id: str, wheelhouse: Path) -> ProjectBuilds:
    """Sample-project builds shared by all tests (and xdist workers) of the session."""
    return ProjectBuilds(shared_dir(tmp_path_factory, worker_id, "project-builds"), wheelhouse)


def pytest_report_header(config: pytest.Config) -> list[str]:
    versions = []
    try:
        import uv as _uv

        uv: str | None = str(_uv.find_uv_bin())
    except (ImportError, FileNotFoundError):
        uv = None
    if uv:
        versions.append(subprocess.run([uv, "--version"], capture_output=True, text=True, check=False).stdout.strip())
    return [f"tools: {', '.join(versions) or 'uv not found'}"]
