"""Numbers from the environment and from the machine: ASCII digits of sane length, else a clear message.

``int()`` accepts full-width digits (``int("\\uff15")`` is 5) and raises on thousands of digits; neither may
reach a driver version, a GPU index or a traceback.
"""

from __future__ import annotations

import pytest
from machines import Machine, probe

HUGE = "9" * 5000
WIDE_DRIVER = "\uff15\uff18\uff10.\uff16\uff15.\uff10\uff16"  # 580.65.06 in full-width digits
WIDE_ZERO = "\uff10"

#: (variable, value, probe, words in its failure)
OVERRIDES = [
    ("HATCH_TORCH_CUDA_DRIVER", HUGE, "overrides.nvidia", "is not a driver version"),
    ("HATCH_TORCH_CUDA_DRIVER", f"{HUGE}.1", "overrides.nvidia", "is not a driver version"),
    ("HATCH_TORCH_CUDA_DRIVER", WIDE_DRIVER, "overrides.nvidia", "is not a driver version"),
    ("UV_CUDA_DRIVER_VERSION", WIDE_DRIVER, "overrides.nvidia", "is not a driver version"),
    ("HATCH_TORCH_CUDA_VERSION", HUGE, "overrides.nvidia", "is not a CUDA version"),
    ("CONDA_OVERRIDE_CUDA", "\uff11\uff12.\uff18", "overrides.nvidia", "is not a CUDA version"),
    ("HATCH_TORCH_CUDA_ARCH", f"{HUGE}.0", "overrides.nvidia", "is not a compute capability"),
    ("HATCH_TORCH_CUDA_ARCH", "\uff18\uff16", "overrides.nvidia", "is not a compute capability"),
    ("HATCH_TORCH_GFX", f"gfx{HUGE}", "overrides.amd", "is not a gfx target"),
]


@pytest.mark.parametrize(
    ("name", "value", "probe_name", "said"), OVERRIDES, ids=[f"{n}:{v[:8]}" for n, v, _, _ in OVERRIDES]
)
def test_bad_override_is_a_failed_probe_with_a_short_message(
    machine: Machine, name: str, value: str, probe_name: str, said: str
) -> None:
    machine.env[name] = value
    result = machine.detect()
    record = probe(result, probe_name)
    assert record.status == "failed"
    assert said in record.detail
    assert len(record.detail) < 200
    assert result.backend == "cpu"
    assert "nvidia_driver" not in result.versions


@pytest.mark.parametrize("visible", [HUGE, WIDE_ZERO, f"0,{HUGE}", "\uff10,1"])
def test_visible_devices_values_never_raise(nv_machine: Machine, visible: str) -> None:
    """CUDA stops at the first entry it cannot parse; so do we (full-width digits included)."""
    nv_machine.with_nvml("580.65.06", 13000, ("NVIDIA GeForce RTX 4090", "8.9"), CUDA_VISIBLE_DEVICES=visible)
    result = nv_machine.detect()
    expected = 1 if visible.startswith("0,") else 0
    assert len(result.devices) == expected
    assert all(len(r) < 300 for r in result.reasons)


@pytest.mark.parametrize("variable", ["ROCR_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES"])
@pytest.mark.parametrize("value", [HUGE, WIDE_ZERO])
def test_amd_visible_devices_and_override_values_never_raise(machine: Machine, variable: str, value: str) -> None:
    machine.kfd(110000)
    machine.env[variable] = value
    machine.env["HSA_OVERRIDE_GFX_VERSION"] = f"{value}.0.0"
    result = machine.detect()
    assert result.devices == []
    assert any("HSA_OVERRIDE_GFX_VERSION" in n and "ignored" in n for n in result.reasons)


def test_full_width_driver_from_sysfs_is_refused(machine: Machine) -> None:
    machine.nvidia_sysfs(WIDE_DRIVER)
    result = machine.detect()
    assert probe(result, "nvidia.sysfs").status == "failed"
    assert "nvidia_driver" not in result.versions


def test_full_width_or_huge_numbers_from_procfs_are_refused(machine: Machine) -> None:
    machine.nvidia_procfs(WIDE_DRIVER, ["NVIDIA GeForce RTX 4090"])
    assert probe(machine.detect(), "nvidia.procfs").status == "failed"
    from hatch_torch.detection.core import clear_cache

    clear_cache()
    machine.nvidia_procfs("580.65.06", ["NVIDIA GeForce RTX 4090"])
    info = machine.root / "proc/driver/nvidia/gpus/0000:01:00.0/information"
    info.write_text(info.read_text().replace("Device Minor: \t 0", f"Device Minor: \t {HUGE}"))
    result = machine.detect()
    assert [d.index for d in result.devices] == [0]  # position, not the unparsable minor number


@pytest.mark.parametrize(
    "row",
    [
        f"0, GPU-a, NVIDIA GeForce RTX 4090, 8.9, {WIDE_DRIVER}",
        f"0, GPU-a, NVIDIA GeForce RTX 4090, 8.9, {HUGE}.1",
        f"{HUGE}, GPU-a, NVIDIA GeForce RTX 4090, {HUGE}.9, 580.65.06",
    ],
    ids=["wide-driver", "huge-driver", "huge-index-and-cc"],
)
def test_nvidia_smi_numbers_are_ascii_and_bounded(machine: Machine, row: str) -> None:
    machine.smi(row)
    result = machine.detect()
    smi = probe(result, "nvidia.smi")
    if "580.65.06" in row:
        assert smi.status == "found"
        assert [(d.index, d.arch) for d in result.devices] == [(0, "8.9")]  # cc from the model name
    else:
        assert smi.status == "failed"
        assert "nvidia_driver" not in result.versions


def test_kfd_numbers_are_ascii_and_bounded(machine: Machine) -> None:
    machine.file("/sys/class/kfd/kfd/topology/nodes/1/properties", f"gfx_target_version {HUGE}\ndevice_id {HUGE}\n")
    machine.file(
        "/sys/class/kfd/kfd/topology/nodes/2/properties", "gfx_target_version \uff11\uff11\uff10\uff10\uff10\uff10\n"
    )
    result = machine.detect()
    kfd = probe(result, "amd.kfd")
    assert kfd.status == "failed"
    assert "is not a number" in kfd.detail
