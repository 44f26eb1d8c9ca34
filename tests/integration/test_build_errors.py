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


NO_DYNAMIC = """\
[build-system]
requires = ["hatchling", "hatch-torch"]
build-backend = "hatchling.build"

[project]
name = "nodyn"
version = "1.0"
{extra}
[tool.hatch.metadata.hooks.torch]
dependencies = ["torch>=2.6"]
{hook}"""


@pytest.mark.parametrize(
    ("extra", "hook", "missing", "frontend", "sdist"),
    [
        ("", "", "dependencies", "uv", False),  # no project.dynamic at all: hatchling never calls update()
        ("", "", "dependencies", "build", False),
        ("", "", "dependencies", "uv", True),
        ("dynamic = []\n", "", "dependencies", "uv", False),
        ("", 'optional-dependencies = { audio = ["torchaudio"] }\n', "optional-dependencies", "build", False),
    ],
)
def test_hook_settings_without_project_dynamic_fail_the_build(
    build_project: Callable[..., Artifacts],
    tmp_path: Path,
    frontend: str,
    sdist: bool,
    extra: str,
    hook: str,
    missing: str,
) -> None:
    src = tmp_path / "nodyn"
    (src / "nodyn").mkdir(parents=True)
    (src / "nodyn" / "__init__.py").write_text("")
    (src / "pyproject.toml").write_text(NO_DYNAMIC.format(extra=extra, hook=hook))
    with pytest.raises(BuildError) as caught:
        build_project(src, tmp_path / "out", "cu130", frontend=frontend, sdist=sdist)
    assert (
        f"tool.hatch.metadata.hooks.torch.{missing} is set, but project.dynamic does not list '{missing}'. "
        f'Fix: add "{missing}" to project.dynamic' in caught.value.output
    )
    built = [p.name for p in (tmp_path / "out" / "dist").iterdir() if p.name.endswith((".whl", ".tar.gz"))]
    assert built == []
