"""The hook with `auto`: the pin follows detection and the torch specifier; `strict-detection`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hatch_torch.detection import core as _detect
from hatch_torch.detection.core import DetectionError
from hatch_torch.hook.metadata import TorchMetadataHook
from hatch_torch.hook.settings import parse
from hatch_torch.util.errors import ConfigurationError


@pytest.fixture
def gpu_less(monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine, made GPU-less whatever it has: Linux aarch64 (no ROCm), NVIDIA and Intel overridden."""
    monkeypatch.setattr(_detect, "current_platform", lambda: "linux_aarch64")
    monkeypatch.setenv("CONDA_OVERRIDE_CUDA", "")
    monkeypatch.setenv("HATCH_TORCH_XPU", "0")
    for name in ("TORCH_BACKEND", "UV_TORCH_BACKEND", "HATCH_TORCH_DISABLE_PLUGINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HATCH_TORCH_DISABLE_PLUGINS", "all")


def update(root: Path, config: dict[str, Any]) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "demo", "version": "1", "dynamic": ["dependencies"]}
    TorchMetadataHook(str(root), {"dependencies": ["torch>=2.6"], **config}).update(metadata)
    return metadata


@pytest.mark.usefixtures("gpu_less")
def test_strict_detection_setting_fails_the_build(tmp_path: Path) -> None:
    with pytest.raises(DetectionError, match="no accelerator backend was chosen"):
        update(tmp_path, {"strict-detection": True})


@pytest.mark.usefixtures("gpu_less")
def test_without_strict_detection_the_build_gets_cpu(tmp_path: Path) -> None:
    deps = update(tmp_path, {})["dependencies"]
    assert any("+cpu" in d for d in deps), deps


@pytest.mark.usefixtures("gpu_less")
def test_env_var_makes_detection_strict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HATCH_TORCH_STRICT_DETECTION", "1")
    with pytest.raises(DetectionError):
        update(tmp_path, {})
    # the setting, when given, wins over the variable
    assert update(tmp_path, {"strict-detection": False})["dependencies"]


def test_strict_detection_must_be_a_bool() -> None:
    with pytest.raises(ConfigurationError, match=r"strict-detection must be true or false"):
        parse({"strict-detection": "yes"})


@pytest.mark.parametrize(
    ("torch", "pin"), [("torch<2.11", "torch==2.10.0+cu128"), ("torch>=2.11", "torch==2.13.0+cu126")]
)
def test_auto_pins_what_detection_chose_for_the_specifier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, torch: str, pin: str
) -> None:
    """A GPU-less build host describing a V100 compute node: the hook's auto pin follows the torch specifier."""
    monkeypatch.setattr(_detect, "current_platform", lambda: "linux_x86_64")
    for name in ("TORCH_BACKEND", "UV_TORCH_BACKEND", "CUDA_VISIBLE_DEVICES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HATCH_TORCH_DISABLE_PLUGINS", "all")
    monkeypatch.setenv("HATCH_TORCH_CUDA_DRIVER", "580.65.06")
    monkeypatch.setenv("HATCH_TORCH_CUDA_ARCH", "7.0")
    metadata: dict[str, Any] = {"name": "demo", "version": "1", "dynamic": ["dependencies"]}
    TorchMetadataHook(str(tmp_path), {"dependencies": [torch]}).update(metadata)
    assert any(dep.startswith(pin) for dep in metadata["dependencies"]), metadata["dependencies"]


@pytest.mark.usefixtures("gpu_less")
def test_a_torch_specifier_no_release_satisfies_is_a_configuration_error(tmp_path: Path) -> None:
    """Not a cpu fallback: no build of any backend, cpu included, satisfies it."""
    metadata: dict[str, Any] = {"name": "demo", "version": "1", "dynamic": ["dependencies"]}
    hook = TorchMetadataHook(str(tmp_path), {"dependencies": ["torch>=2.7.0,!=2.7.0,!=2.7.1,<2.8.0"]})
    with pytest.raises(ConfigurationError, match=r"matches no torch release .*Fix: widen the torch specifier"):
        hook.update(metadata)
