"""Real builds of the sample projects (``uv build`` and ``python -m build``, with build isolation): METADATA."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import tomlkit
from buildkit import TEST_PROJECTS, Artifacts, ProjectBuilds, build_env, read_metadata, requires_dist
from packaging.requirements import Requirement
from torch_expect import (
    FAMILY,
    PLATFORMS,
    active,
    environment,
    expected_versions,
    hook_groups,
    table,
    torch_specifier,
)

from hatch_torch import resolve
from hatch_torch.data.model import load

pytestmark = pytest.mark.integration

BACKENDS = ("cu130", "cpu", "rocm7.1")


def split_groups(resolved: dict[str, list[str]]) -> tuple[list[str], dict[str, list[str]]]:
    base = resolved.get("dependencies", [])
    extras = {g.removeprefix("optional-dependencies."): v for g, v in resolved.items() if g != "dependencies"}
    return base, extras


def requires_python(project: str) -> str | None:
    document = tomlkit.parse((TEST_PROJECTS / project / "pyproject.toml").read_text(encoding="utf-8"))
    value = document["project"].get("requires-python")
    return str(value) if value is not None else None


def cli_pins(backend: str, requirements: list[str], python: str | None = None) -> list[str]:
    """What ``hatch-torch pins --backend [--requires-python]`` prints for the requirements."""
    extra = ["--requires-python", python] if python else []
    proc = subprocess.run(
        [sys.executable, "-m", "hatch_torch", "pins", "--backend", backend, *extra, *requirements],
        capture_output=True,
        text=True,
        check=True,
        env=build_env(),
    )
    return proc.stdout.splitlines()


def assert_metadata_matches_resolver(project: str, backend: str, wheel: Artifacts) -> None:
    groups = hook_groups(TEST_PROJECTS / project)
    base, extras = split_groups(resolve(groups, backend, requires_python=requires_python(project)).groups)
    metadata = read_metadata(wheel.wheel)
    assert table(requires_dist(metadata), {key: [] for key in extras}, PLATFORMS) == table(base, extras, PLATFORMS)
    assert sorted(metadata.get_all("Provides-Extra") or []) == sorted(extras)


@pytest.mark.parametrize("backend", BACKENDS)
def test_minimal_uv_build_pins_match_resolver_and_cli(project_builds: ProjectBuilds, backend: str) -> None:
    built = project_builds.get("minimal", backend)
    assert_metadata_matches_resolver("minimal", backend, built)
    # The base requirements are written exactly as `hatch-torch pins` prints them (quotes normalised).
    groups = hook_groups(TEST_PROJECTS / "minimal")
    metadata_base = [line for line in requires_dist(read_metadata(built.wheel)) if "extra ==" not in line]
    printed = cli_pins(backend, groups["dependencies"], requires_python("minimal"))
    assert sorted(str(Requirement(x)) for x in metadata_base) == sorted(str(Requirement(x)) for x in printed)


@pytest.mark.parametrize("backend", BACKENDS)
def test_minimal_pins_per_platform_follow_the_data(project_builds: ProjectBuilds, backend: str) -> None:
    data = load()
    lines = requires_dist(read_metadata(project_builds.get("minimal", backend).wheel))
    spec = torch_specifier(TEST_PROJECTS / "minimal")
    for platform in PLATFORMS:
        got = active(lines, environment(platform, extra="audio"))
        assert "numpy>=1.26" in got
        if platform in ("macos_x86_64", "win_arm64"):  # no release in the range has a wheel: as written
            assert {x for x in got if x.startswith("torch")} == {"torch<2.11,>=2.6", "torchaudio", "torchvision"}
            continue
        want = expected_versions(data, backend, spec, platform)
        for package in FAMILY:
            assert f"{package}=={want[package]}" in got, (platform, package, got)


def test_minimal_cu130_is_the_issue_example(project_builds: ProjectBuilds) -> None:
    """The issue's headline: TORCH_BACKEND=cu130 uv build pins torch 2.10.0+cu130 and matching companions."""
    lines = requires_dist(read_metadata(project_builds.get("minimal", "cu130").wheel))
    linux = active(lines, environment("linux_x86_64", extra="audio"))
    assert linux == ["numpy>=1.26", "torch==2.10.0+cu130", "torchaudio==2.10.0+cu130", "torchvision==0.25.0+cu130"]
    macos = active(lines, environment("macos_arm64"))
    assert macos == ["numpy>=1.26", "torch==2.10.0", "torchvision==0.25.0"]


@pytest.mark.parametrize("backend", ["cu130", "cpu"])
def test_python_build_writes_the_same_metadata(project_builds: ProjectBuilds, backend: str) -> None:
    by_uv = read_metadata(project_builds.get("minimal", backend).wheel)
    by_build = read_metadata(project_builds.get("minimal", backend, frontend="build").wheel)
    assert requires_dist(by_build) == requires_dist(by_uv)
    assert by_build.get_all("Provides-Extra") == by_uv.get_all("Provides-Extra")
    assert by_build.as_string() == by_uv.as_string()


def test_extras_and_markers_are_preserved(project_builds: ProjectBuilds) -> None:
    backend = "cu130"
    built = project_builds.get("extras-markers", backend)
    assert_metadata_matches_resolver("extras-markers", backend, built)
    lines = requires_dist(read_metadata(built.wheel))
    # Non-torch requirements pass through untouched, in their extra.
    train = active(lines, environment("linux_x86_64", extra="train"))
    assert "accelerate[testing]>=0.30" in train
    assert "safetensors>=0.4" in train
    # The author's python_version >= "3.10" is what requires-python says already: no torch line needs it, and
    # none is written for a CPython requires-python rules out.
    assert not [x for x in lines if x.startswith("torch") and '"3.9"' in x]
    # The author's platform marker on torchaudio survives: no torchaudio on Windows at all.
    assert not [x for x in active(lines, environment("win_amd64", extra="audio")) if x.startswith("torchaudio")]
    data = load()
    want = expected_versions(data, backend, torch_specifier(TEST_PROJECTS / "extras-markers"), "linux_x86_64")
    assert f"torchaudio=={want['torchaudio']}" in active(lines, environment("linux_x86_64", extra="audio"))


def test_auto_project_uses_detection(project_builds: ProjectBuilds) -> None:
    """No backend set anywhere: the build pins for whatever `hatch-torch detect` picks on this machine."""
    detected = subprocess.run(
        [sys.executable, "-m", "hatch_torch", "detect", "--json"],
        capture_output=True,
        text=True,
        check=True,
        env=build_env(),
    )
    backend = json.loads(detected.stdout)["backend"]
    assert backend in load().backends
    built = project_builds.get("auto", None)
    assert_metadata_matches_resolver("auto", backend, built)


def test_sdist_leaves_requirements_dynamic(project_builds: ProjectBuilds) -> None:
    pkg_info = read_metadata(project_builds.get("minimal", "cu130", sdist=True).sdist)
    assert tuple(int(p) for p in str(pkg_info["Metadata-Version"]).split(".")) >= (2, 2)
    dynamic = pkg_info.get_all("Dynamic") or []
    assert "Requires-Dist" in dynamic
    assert not [line for line in requires_dist(pkg_info) if "torch" in line], "the sdist froze torch pins"


@pytest.mark.parametrize(("first", "second"), [("cu130", "cpu"), ("cpu", "rocm7.1")])
def test_wheel_from_sdist_reruns_the_hook(
    project_builds: ProjectBuilds,
    build_project: Callable[..., Artifacts],
    tmp_path: Path,
    first: str,
    second: str,
) -> None:
    sdist = project_builds.get("minimal", first, sdist=True).sdist
    from_sdist = build_project(sdist, tmp_path, second)
    direct = project_builds.get("minimal", second)
    assert requires_dist(read_metadata(from_sdist.wheel)) == requires_dist(read_metadata(direct.wheel))
    assert requires_dist(read_metadata(from_sdist.wheel)) != requires_dist(
        read_metadata(project_builds.get("minimal", first).wheel)
    )


def test_static_baseline_is_the_same_project_without_the_hook(project_builds: ProjectBuilds) -> None:
    """test-projects/minimal-static (the benchmark's baseline) carries minimal's hook input as static metadata."""
    static = read_metadata(project_builds.get("minimal-static", "cu130").wheel)
    hooked = read_metadata(project_builds.get("minimal", "cu130").wheel)
    groups = hook_groups(TEST_PROJECTS / "minimal")
    base, extras = split_groups(groups)
    assert table(requires_dist(static), {k: [] for k in extras}, PLATFORMS) == table(base, extras, PLATFORMS)
    assert (static["Name"], static["Version"]) == (hooked["Name"], hooked["Version"])
