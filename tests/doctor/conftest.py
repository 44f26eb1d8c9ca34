"""Fixtures for doctor tests: real virtualenvs filled from the local index, and fake machines for detection."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "detection"))  # the detection tests' fake machines

from machines import Machine

from hatch_torch.detection.core import clear_cache


@pytest.fixture(autouse=True)
def _fresh_probes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith(("HATCH_TORCH_", "UV_CUDA", "UV_AMD", "CONDA_OVERRIDE", "CUDA_VISIBLE", "FAKE_NVML_")):
            monkeypatch.delenv(name)
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Machine:
    """A machine with nothing on it (no GPU, no tools); add a GPU with ``nvidia_procfs``."""
    base = tmp_path / "machine"
    base.mkdir()
    return Machine(base, None, monkeypatch)
