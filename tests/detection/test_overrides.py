"""Override variables for GPU-less build hosts and simulation; strict mode."""

from __future__ import annotations

import pytest
from machines import Machine, probe

from hatch_torch.detection.core import DetectionError


@pytest.mark.parametrize(
    ("env", "torch", "backend"),
    [
        # the driver alone: the compute capability is unknown, so the widest-serving backend (uv: cu132)
        ({"UV_CUDA_DRIVER_VERSION": "580.65.06"}, None, "cu126"),
        ({"UV_CUDA_DRIVER_VERSION": "580.65.06", "HATCH_TORCH_CUDA_ARCH": "8.9"}, None, "cu132"),
        ({"UV_CUDA_DRIVER_VERSION": "550.54.14"}, None, "cu126"),
        ({"HATCH_TORCH_CUDA_DRIVER": "580.65.06", "HATCH_TORCH_CUDA_ARCH": "sm_61"}, None, "cu126"),
        ({"HATCH_TORCH_CUDA_DRIVER": "580.65.06", "HATCH_TORCH_CUDA_ARCH": "70"}, "<2.11", "cu128"),
        ({"HATCH_TORCH_CUDA_DRIVER": "575.57.08", "NV_VARIANT_PROVIDER_FORCE_SM_ARCH": "12.0"}, None, "cu128"),
        ({"CONDA_OVERRIDE_CUDA": "12.8"}, None, "cu126"),
        ({"CONDA_OVERRIDE_CUDA": "12.8"}, "<2.12", "cu126"),  # 2.11.0 on both: cu126 serves more GPUs
        ({"CONDA_OVERRIDE_CUDA": "12.8", "HATCH_TORCH_CUDA_ARCH": "12.0"}, "<2.12", "cu128"),
        ({"CONDA_OVERRIDE_CUDA": ""}, None, "cpu"),
        ({"UV_AMD_GPU_ARCHITECTURE": "gfx1100"}, None, "rocm7.2"),
        ({"HATCH_TORCH_GFX": "gfx90a,gfx942"}, "==2.4.*", "rocm6.1"),
        ({"HATCH_TORCH_XPU": "1"}, None, "xpu"),
    ],
)
def test_overrides(machine: Machine, env: dict[str, str], torch: str | None, backend: str) -> None:
    machine.env.update(env)
    assert machine.detect(torch).backend == backend


def test_override_settles_its_vendor(machine: Machine) -> None:
    machine.env["CONDA_OVERRIDE_CUDA"] = ""
    machine.smi("0, GPU-a, NVIDIA GeForce RTX 4090, 8.9, 580.65.06")
    result = machine.detect()
    assert machine.ran("nvidia-smi") == 0
    assert probe(result, "nvidia").status == "skipped"
    assert result.backend == "cpu"


def test_intel_override_zero_ignores_intel(machine: Machine) -> None:
    machine.pci("0000:03:00.0", 0x8086, 0x56A0)
    machine.env["HATCH_TORCH_XPU"] = "0"
    assert machine.detect().backend == "cpu"


@pytest.mark.parametrize(
    ("name", "value"),
    [("UV_CUDA_DRIVER_VERSION", "latest"), ("HATCH_TORCH_CUDA_ARCH", "ampere"), ("UV_AMD_GPU_ARCHITECTURE", "rdna3")],
)
def test_garbled_override_fails_alone(machine: Machine, name: str, value: str) -> None:
    machine.env[name] = value
    machine.smi("0, GPU-a, NVIDIA GeForce RTX 4090, 8.9, 580.65.06")
    result = machine.detect()
    failed = result.failures()
    assert len(failed) == 1
    assert value in failed[0].detail
    assert result.backend == "cu132"


def test_strict_raises_on_cpu(machine: Machine) -> None:
    with pytest.raises(DetectionError, match="no accelerator backend was chosen"):
        machine.detect(strict=True)
    machine.env["HATCH_TORCH_STRICT_DETECTION"] = "1"
    with pytest.raises(DetectionError):
        machine.detect()


def test_strict_raises_on_a_failed_probe_even_with_a_gpu(machine: Machine) -> None:
    machine.nvidia_sysfs("garbage")
    machine.smi("0, GPU-a, NVIDIA GeForce RTX 4090, 8.9, 580.65.06")
    assert machine.detect().backend == "cu132"
    with pytest.raises(DetectionError, match=r"probe nvidia\.sysfs failed"):
        machine.detect(strict=True)


def test_strict_passes_on_a_clean_gpu_machine(machine: Machine) -> None:
    machine.smi("0, GPU-a, NVIDIA GeForce RTX 4090, 8.9, 580.65.06")
    assert machine.detect(strict=True).backend == "cu132"


def test_to_dict_is_json_ready(machine: Machine) -> None:
    import json

    machine.env["UV_CUDA_DRIVER_VERSION"] = "580.65.06"
    machine.env["HATCH_TORCH_CUDA_ARCH"] = "8.9"
    data = json.loads(json.dumps(machine.detect(">=2.9").to_dict()))
    assert data["backend"] == "cu132"
    assert data["gpus"] == [
        {
            "name": "NVIDIA GPU (override)",
            "vendor": "nvidia",
            "kind": "cuda",
            "architecture": "8.9",
            "architecture_source": "HATCH_TORCH_CUDA_ARCH",
            "pci_id": "",
            "backends": ["cu132", "cu130", "cu128", "cu126"],
            "note": "",
        }
    ]
    assert data["torch"] == ">=2.9"
    assert data["devices"][0]["vendor"] == "nvidia"
    assert {p["probe"] for p in data["probes"]} >= {"overrides.nvidia", "nvidia", "amd.kfd", "intel.pci"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"torch": "bad"}, "torch specifier 'bad' is not valid"), ({"platform": "solaris"}, "platform 'solaris'")],
)
def test_bad_arguments_name_the_fix(machine: Machine, kwargs: dict[str, str], message: str) -> None:
    from hatch_torch.util.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match=message):
        machine.detect(**kwargs)
