"""``uv pip compile --python-platform``: the built wheels' pins resolve on every major platform, locally."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from buildkit import TEST_PROJECTS, BuildError, ProjectBuilds, build_env, run, uv_command
from fake_index import FakeIndex
from packaging.version import Version
from torch_expect import (
    UV_TARGETS,
    active,
    environment,
    expected_versions,
    hook_groups,
    machine_versions,
    pick_torch,
    torch_specifier,
    triton_package,
)

from hatch_torch.data.model import load
from hatch_torch.pins.platforms import marker_against, marker_for

pytestmark = pytest.mark.integration

GIT_HASH = re.compile(r"\+[0-9a-f]{7}$")
PYTHON = "3.12"


def _uv() -> str:
    return uv_command()


def compile_pins(requirements: Path, index: FakeIndex, backend: str, *options: str) -> dict[str, str]:
    """name -> version that ``uv pip compile`` resolves, against the local index only."""
    command = [
        _uv(),
        "pip",
        "compile",
        "--no-config",
        "--no-header",
        "--no-annotate",
        "--python",  # the target comes from --python-version; naming one avoids a slow interpreter search
        sys.executable,
        "--python-version",
        PYTHON,
        "--index-url",
        index.pypi_url,
        "--extra-index-url",
        index.backend_url(backend),
        *options,
        str(requirements),
    ]
    pins: dict[str, str] = {}
    for output_line in run(command, build_env()).splitlines():
        line = output_line.split(";")[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins.setdefault(name.strip(), version.strip())
            if pins[name.strip()] != version.strip():
                pins[name.strip()] += f" | {version.strip()}"
    return pins


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("target", list(UV_TARGETS))
@pytest.mark.parametrize("backend", ["cpu", "cu130", "rocm7.1"])
def test_built_wheel_resolves_per_platform(
    project_builds: ProjectBuilds, torch_index: FakeIndex, tmp_path: Path, backend: str, target: str
) -> None:
    """mylib[audio] from find-links resolves to the data's pin for each platform; bare builds come from PyPI.

    ``unsafe-best-match``: with uv's default ``first-index`` strategy a bare fallback pin (``torch==2.10.0`` on
    macOS for cu130) only sees the backend index's labelled versions, which have no wheel for that platform.
    """
    wheel = project_builds.get("minimal", backend).wheel
    requirements = write(tmp_path / "requirements.in", ["mylib[audio]==1.2.0"])
    options = ["--python-platform", target, "--find-links", str(wheel.parent), "--index-strategy", "unsafe-best-match"]
    pins = compile_pins(requirements, torch_index, backend, *options)
    data = load()
    spec = torch_specifier(TEST_PROJECTS / "minimal")
    want = expected_versions(data, backend, spec, UV_TARGETS[target])
    assert {k: pins.get(k) for k in want} == want
    assert not GIT_HASH.search(pins["torchvision"])
    # The backend's triton companion where it publishes torch; PyPI's torch (a CUDA build) needs PyPI's triton.
    torch = pick_torch(data, backend, spec)
    published = UV_TARGETS[target] in data.labels(Version(torch), backend, "torch")
    triton = triton_package(data, backend, torch) if published else "triton"
    expected_triton = {triton} if triton and UV_TARGETS[target].startswith("linux") else set()
    assert {name for name in pins if "triton" in name} == expected_triton


@pytest.mark.parametrize(
    ("backend", "target"),
    [("cu130", "x86_64-manylinux_2_28"), ("cu130", "x86_64-pc-windows-msvc"), ("cpu", "aarch64-manylinux_2_28")],
)
def test_default_index_strategy_where_the_backend_publishes(
    project_builds: ProjectBuilds, torch_index: FakeIndex, tmp_path: Path, backend: str, target: str
) -> None:
    """uv's default first-index strategy works wherever the backend index has the platform's wheels."""
    wheel = project_builds.get("minimal", backend).wheel
    requirements = write(tmp_path / "requirements.in", ["mylib[audio]==1.2.0"])
    options = ["--python-platform", target, "--find-links", str(wheel.parent)]
    pins = compile_pins(requirements, torch_index, backend, *options)
    spec = torch_specifier(TEST_PROJECTS / "minimal")
    want = expected_versions(load(), backend, spec, UV_TARGETS[target])
    assert {k: pins.get(k) for k in want} == want


@pytest.mark.parametrize("target", list(UV_TARGETS))
def test_uv_marker_environment_agrees_with_ours(torch_index: FakeIndex, tmp_path: Path, target: str) -> None:
    """The platform markers the hook writes select exactly the platform uv resolves for (e.g. AMD64)."""
    key = UV_TARGETS[target]
    lines = [f"numpy==1.26.4; {marker_for([key])}", f"numpy==2.2.6; {marker_against([key])}"]
    pins = compile_pins(write(tmp_path / "probe.in", lines), torch_index, "cpu", "--python-platform", target)
    assert pins["numpy"] == "1.26.4"


def cpu_pins_for_torchvision_0_24(tmp_path: Path) -> Path:
    """The hook's cpu pins for a torch 2.9 project, whose torchvision (0.24.x) has git-hash wheels on the index."""
    out = subprocess.run(
        [sys.executable, "-m", "hatch_torch", "pins", "--backend", "cpu", "torch>=2.9,<2.10", "torchvision"],
        capture_output=True,
        text=True,
        check=True,
        env=build_env(),
    )
    return write(tmp_path / "requirements.in", out.stdout.splitlines())


@pytest.mark.parametrize("strategy", ["first-index", "unsafe-best-match"])
@pytest.mark.parametrize("target", [*UV_TARGETS, "universal"])
def test_git_hash_torchvision_is_never_picked(
    torch_index: FakeIndex, tmp_path: Path, target: str, strategy: str
) -> None:
    requirements = cpu_pins_for_torchvision_0_24(tmp_path)
    vision = load().releases[pick_torch(load(), "cpu", ">=2.9,<2.10")]["versions"]["torchvision"]
    on_index = [f for f in torch_index.filenames("cpu", "torchvision") if GIT_HASH.search(f.split("-")[1])]
    assert [f for f in on_index if f.split("-")[1].startswith(f"{vision}+")], "the quirk is missing from the index"
    platform = ["--universal"] if target == "universal" else ["--python-platform", target]
    pins = compile_pins(requirements, torch_index, "cpu", *platform, "--index-strategy", strategy)
    assert pins["torchvision"].split(" | ")
    for version in pins["torchvision"].split(" | "):
        assert not GIT_HASH.search(version), version


def universal_pins(output: str, platform: str) -> dict[str, str]:
    """name -> version that a ``--universal`` resolution installs on a platform (evaluating its markers)."""
    lines = [line.strip() for line in output.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return dict(pin.split("==", 1) for pin in active(lines, environment(platform, PYTHON)))


@pytest.mark.parametrize(
    "strategy",
    [
        "unsafe-best-match",
        pytest.param(
            "first-index",
            marks=pytest.mark.xfail(
                strict=True,
                reason="uv's first-index strategy only sees the backend index's torch==X+label versions, so the "
                "bare fallback pin resolves to the labelled build on platforms it has no wheels for (macOS)",
            ),
        ),
    ],
)
def test_universal_resolution_forks_per_platform(
    project_builds: ProjectBuilds, torch_index: FakeIndex, tmp_path: Path, strategy: str
) -> None:
    backend = "cu130"
    wheel = project_builds.get("minimal", backend).wheel
    requirements = write(tmp_path / "requirements.in", ["mylib[audio]==1.2.0"])
    command = [_uv(), "pip", "compile", "--no-config", "--no-header", "--no-annotate", "--universal"]
    command += ["--python", sys.executable, "--python-version", PYTHON, "--index-strategy", strategy]
    command += ["--index-url", torch_index.pypi_url, "--extra-index-url", torch_index.backend_url(backend)]
    command += ["--find-links", str(wheel.parent), str(requirements)]
    output = run(command, build_env())
    spec = torch_specifier(TEST_PROJECTS / "minimal")
    for platform in UV_TARGETS.values():
        want = expected_versions(load(), backend, spec, platform)
        got = universal_pins(output, platform)
        assert {k: got.get(k) for k in want} == want, platform


#: every environment class uv can target: the data's platforms, macOS x86_64 and Windows arm64 included
ALL_TARGETS = {
    **UV_TARGETS,
    "x86_64-apple-darwin": "macos_x86_64",
    "aarch64-pc-windows-msvc": "win_arm64",
}


def compile_for(requirements: Path, index: FakeIndex, backend: str, target: str, python: str, *extra: str) -> str:
    """``uv pip compile`` output for one target and CPython (raises BuildError when uv finds no solution)."""
    command = [_uv(), "pip", "compile", "--no-config", "--no-header", "--no-annotate", "--python", sys.executable]
    command += ["--python-version", python, "--python-platform", target, "--index-strategy", "unsafe-best-match"]
    command += ["--index-url", index.pypi_url]
    if backend != "pypi":
        command += ["--extra-index-url", index.backend_url(backend)]
    return run([*command, *extra, str(requirements)], build_env())


@pytest.mark.parametrize("python", ["3.9", "3.12", "3.14"])
@pytest.mark.parametrize("target", list(ALL_TARGETS))
@pytest.mark.parametrize("backend", ["pypi", "cu130", "cu118"])
def test_every_environment_class_resolves_or_fails_like_the_unpinned_requirement(
    project_builds: ProjectBuilds, torch_index: FakeIndex, tmp_path: Path, backend: str, target: str, python: str
) -> None:
    """widelib[audio] (torch>=2.1, CPython>=3.9) built for a backend, resolved by real uv for each machine: the
    data's pick where a release serves it; elsewhere uv fails exactly as it does for the unpinned requirement."""
    wheel = project_builds.get("wide", backend).wheel
    groups = hook_groups(TEST_PROJECTS / "wide")
    want = machine_versions(load(), backend, groups, ALL_TARGETS[target], python, 13)
    pinned = outcome(
        write(tmp_path / "pinned.in", ["widelib[audio]==1.0.0"]), torch_index, backend, target, python, wheel
    )
    if want is not None:
        assert {k: pinned.get(k) for k in want} == want
        return
    # Nothing serves this machine: the requirements stay as written, so uv does what it does without the hook.
    unpinned = write(tmp_path / "unpinned.in", [r for reqs in groups.values() for r in reqs])
    alone = outcome(unpinned, torch_index, backend, target, python, None)
    assert {k: v for k, v in pinned.items() if k != "widelib"} == alone


def outcome(
    requirements: Path, index: FakeIndex, backend: str, target: str, python: str, wheel: Path | None
) -> dict[str, str]:
    """name -> version uv resolves, or {"error": ...} when it finds no solution."""
    extra = ["--find-links", str(wheel.parent)] if wheel else []
    try:
        output = compile_for(requirements, index, backend, target, python, *extra)
    except BuildError:
        return {"error": "no solution"}
    return dict(line.split("==", 1) for line in output.splitlines() if "==" in line)
