"""Bad backends fail the real build with one clear message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from buildkit import TEST_PROJECTS, Artifacts, BuildError, ProjectBuilds, read_metadata, requires_dist

from hatch_torch.data.model import load

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("frontend", ["uv", "build"])
def test_unknown_backend_fails_naming_the_variable_and_the_choices(
    build_project: Callable[..., Artifacts], tmp_path: Path, frontend: str
) -> None:
    with pytest.raises(BuildError) as caught:
        build_project(TEST_PROJECTS / "minimal", tmp_path, "cu999", frontend=frontend)
    output = caught.value.output
    assert "TORCH_BACKEND" in output
    assert "cu999" in output
    missing = [backend for backend in load().backends if backend not in output]
    assert not missing, f"valid backends not listed: {missing}"


def test_backend_value_is_normalised(
    build_project: Callable[..., Artifacts], project_builds: ProjectBuilds, tmp_path: Path
) -> None:
    built = build_project(TEST_PROJECTS / "minimal", tmp_path, " CU130 ")
    reference = project_builds.get("minimal", "cu130")
    assert requires_dist(read_metadata(built.wheel)) == requires_dist(read_metadata(reference.wheel))


def test_uv_torch_backend_is_read_when_torch_backend_is_unset(
    build_project: Callable[..., Artifacts], project_builds: ProjectBuilds, tmp_path: Path
) -> None:
    built = build_project(TEST_PROJECTS / "minimal", tmp_path, None, env={"UV_TORCH_BACKEND": "rocm7.1"})
    reference = project_builds.get("minimal", "rocm7.1")
    assert requires_dist(read_metadata(built.wheel)) == requires_dist(read_metadata(reference.wheel))
