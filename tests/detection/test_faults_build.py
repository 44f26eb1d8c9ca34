"""An ``auto`` build on a machine whose NVML crashes or hangs: real ``uv build``, the wheel still comes.

Before NVML ran in a child, a crashing library took the build down (rc 139, no wheel) and a hanging one
kept it waiting forever.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from buildkit import TEST_PROJECTS, build, read_metadata, requires_dist


@pytest.mark.integration
@pytest.mark.parametrize("fault", ["nvmlInitWithFlags:segv", "nvmlInitWithFlags:hang"])
def test_auto_build_survives_a_broken_nvml(fake_nvml: Path, wheelhouse: Path, tmp_path: Path, fault: str) -> None:
    env = {
        "HATCH_TORCH_NVML_LIBRARY": str(fake_nvml),
        "FAKE_NVML_FAULT": fault,
        "HATCH_TORCH_TOOL_TIMEOUT": "1",
        "HATCH_TORCH_DISABLE_PLUGINS": "all",
        "HATCH_TORCH_XPU": "0",
        "HATCH_TORCH_GFX": "",
        "TMPDIR": str(tmp_path),  # a hang memory of this test's own
    }
    start = time.monotonic()
    built = build(TEST_PROJECTS / "auto", tmp_path / "build", None, wheelhouse, env=env)
    elapsed = time.monotonic() - start
    torch = [line for line in requires_dist(read_metadata(built.wheel)) if line.startswith("torch==")]
    assert torch, "no torch pin in the wheel"
    assert all("+cu" not in line for line in torch), torch  # NVML gave no answer: no CUDA pin from it
    assert elapsed < 60
