"""Fixtures for detection tests: a compiled fake NVML, fake sysfs/procfs trees and fake tools on PATH."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from buildkit import tool
from machines import Machine

from hatch_torch.detection.core import clear_cache

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def fake_nvml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/detection/fake_nvml.c compiled into libnvidia-ml.so.1 (answers set by FAKE_NVML_* env vars)."""
    gcc = tool("gcc", "cc")
    out = tmp_path_factory.mktemp("nvml") / "libnvidia-ml.so.1"
    subprocess.run([gcc, "-shared", "-fPIC", "-O1", "-o", str(out), str(HERE / "fake_nvml.c")], check=True)
    return out


@pytest.fixture(autouse=True)
def _fresh_probes() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Machine:
    return Machine(tmp_path, None, monkeypatch)


@pytest.fixture
def nv_machine(tmp_path: Path, fake_nvml: Path, monkeypatch: pytest.MonkeyPatch) -> Machine:
    return Machine(tmp_path, fake_nvml, monkeypatch)


@pytest.fixture(autouse=True)
def _no_host_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("HATCH_TORCH_", "UV_CUDA", "UV_AMD", "CONDA_OVERRIDE", "CUDA_VISIBLE", "FAKE_NVML_")):
            monkeypatch.delenv(name)
