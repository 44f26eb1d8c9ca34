"""Linux aarch64 NVIDIA: Jetson (Tegra SoC) against SBSA servers (Grace Hopper, Grace Blackwell, DGX Spark)."""

from __future__ import annotations

import pytest
from machines import Machine, probe

ORIN_RELEASE = (
    "# R36 (release), REVISION: 4.3, GCID: 38968081, BOARD: generic, EABI: aarch64, "
    "DATE: Wed Jan  8 01:49:37 UTC 2025\n# KERNEL_VARIANT: oot\nTARGET_USERSPACE_LIB_DIR=nvidia\n"
    "TARGET_USERSPACE_LIB_DIR_PATH=usr/lib/aarch64-linux-gnu/nvidia\n"
)
THOR_RELEASE = "# R38 (release), REVISION: 2.0, GCID: 41844464, BOARD: generic, EABI: aarch64, DATE: Fri Aug 22 2025\n"


def test_jetson_orin_gets_cpu_and_says_why(machine: Machine) -> None:
    machine.jetson("tegra234", "NVIDIA Jetson AGX Orin Developer Kit", ORIN_RELEASE)
    # JetPack 6 loads an OpenRM display driver: the NVIDIA probes see a driver but no GPU list
    machine.nvidia_sysfs("540.4.0")
    result = machine.detect()
    assert result.backend == "cpu"
    [orin] = result.devices
    assert (orin.kind, orin.arch, orin.arch_source) == ("jetson", "8.7", "device tree: nvidia,tegra234")
    assert result.versions["l4t"] == "36.4.3"
    assert probe(result, "tegra.devicetree").status == "found"
    said = next(r for r in result.reasons if r.startswith("NVIDIA Jetson AGX Orin Developer Kit (Orin (Ampere)"))
    assert "JetPack 6, L4T R36" in said
    assert "built for SBSA servers and do not run on it" in said
    assert result.gpus[0]["backends"] == []


def test_jetson_orin_without_the_release_file_is_told_by_its_device_tree(machine: Machine) -> None:
    machine.jetson("tegra234", "NVIDIA Jetson Orin Nano Developer Kit", None)
    result = machine.detect()
    assert [(d.kind, d.arch) for d in result.devices] == [("jetson", "8.7")]
    assert result.backend == "cpu"


def test_jetson_thor_is_served_by_the_cu13x_aarch64_wheels(nv_machine: Machine) -> None:
    nv_machine.jetson("tegra264", "NVIDIA Jetson AGX Thor Developer Kit", THOR_RELEASE)
    nv_machine.with_nvml("580.00", 13000, ("NVIDIA Thor", "11.0"))
    result = nv_machine.detect()
    assert result.backend == "cu132"
    assert any("SBSA-compliant from CUDA 13" in r for r in result.reasons)
    assert result.gpus[0]["backends"] == ["cu132", "cu130"]


def test_jetson_thor_without_nvml_takes_its_capability_from_the_device_tree(machine: Machine) -> None:
    machine.jetson("tegra264", "NVIDIA Jetson AGX Thor Developer Kit", THOR_RELEASE)
    machine.nvidia_sysfs("580.00")
    result = machine.detect()
    assert [(d.kind, d.arch, d.source) for d in result.devices] == [("cuda", "11.0", "tegra.devicetree")]
    assert result.backend == "cu132"


@pytest.mark.parametrize(
    ("gpu", "torch", "backend"),
    [
        (("NVIDIA GH200 480GB", "9.0"), None, "cu132"),  # Grace Hopper
        (("NVIDIA GB200", "10.0"), None, "cu132"),  # Grace Blackwell
        (("NVIDIA GB10", "12.1"), "<2.8", "cu128"),  # DGX Spark: sm_120 SASS runs on 12.1
        (("NVIDIA GH200 480GB", "9.0"), "==2.8.*", "cu129"),  # 2.8 has aarch64 wheels on cu129 only
    ],
)
def test_grace_servers_use_the_sbsa_wheels(
    nv_machine: Machine, gpu: tuple[str, str], torch: str | None, backend: str
) -> None:
    nv_machine.platform = "linux_aarch64"
    nv_machine.with_nvml("580.95.05", 13000, gpu)
    result = nv_machine.detect(torch)
    assert result.backend == backend
    assert probe(result, "tegra.devicetree").status == "nothing"
    assert any(r.startswith("Linux aarch64 without a Tegra SoC: an SBSA server") for r in result.reasons)


def test_grace_box_with_a_jetson_like_phantom_is_not_confused(nv_machine: Machine) -> None:
    """An x86_64 machine is never asked about Tegra."""
    nv_machine.with_nvml("580.95.05", 13000, ("NVIDIA H100 80GB HBM3", "9.0"))
    result = nv_machine.detect()
    assert [p.probe for p in result.probes if p.probe.startswith("tegra")] == []


#: what a JetPack 6 Orin Nano prints (captured on a device; the GCC line is garbled there too)
ORIN_PROC = (
    "NVRM version: NVIDIA UNIX Open Kernel Module for aarch64  540.4.0  Release Build  "
    "(buildbrain@mobile-u64-6336-d8000)  Tue Jan  7 17:35:12 PST 2025\n"
    "GCC version:  collect2: error: ld returned 1 exit status\n"
)


def test_orin_nano_seen_through_sysfs_devicetree_and_procfs(machine: Machine) -> None:
    """/proc/device-tree is a link to /sys/firmware/devicetree/base; here only the latter exists."""
    base = "/sys/firmware/devicetree/base"
    machine.file(f"{base}/compatible", "nvidia,p3768-0000+p3767-0005-super\0nvidia,p3767-0005\0nvidia,tegra234\0")
    machine.file(f"{base}/model", "NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super\0")
    machine.file("/proc/driver/nvidia/version", ORIN_PROC)
    machine.platform = "linux_aarch64"
    result = machine.detect()
    assert result.versions["nvidia_driver"] == "540.4.0"
    assert [(d.name, d.kind, d.arch) for d in result.devices] == [
        ("NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super", "jetson", "8.7")
    ]
    assert result.backend == "cpu"


def test_container_with_only_the_l4t_release_file_is_a_jetson(machine: Machine) -> None:
    """L4T containers bind-mount /etc/nv_tegra_release; JetPack 6 (R36) runs on Orin only."""
    machine.file("/etc/nv_tegra_release", ORIN_RELEASE)
    machine.file("/proc/driver/nvidia/version", ORIN_PROC)
    machine.platform = "linux_aarch64"
    result = machine.detect()
    assert [(d.kind, d.arch, d.arch_source) for d in result.devices] == [
        ("jetson", "8.7", "device tree: nvidia,tegra234")
    ]
    assert result.backend == "cpu"


def test_gh200_with_procfs_only_is_an_sbsa_server(machine: Machine) -> None:
    """No device tree, no L4T: the GPU model from procfs, the cu12x aarch64 wheels on a 570 driver."""
    machine.file("/sys/firmware/acpi/tables/DSDT", "")
    machine.nvidia_procfs("570.172.08", ["NVIDIA GH200 480GB"])
    machine.platform = "linux_aarch64"
    result = machine.detect()
    assert [(d.name, d.arch) for d in result.devices] == [("NVIDIA GH200 480GB", "9.0")]
    assert (result.backend, result.release) == ("cu126", "2.13.0")
    assert any("an SBSA server" in r for r in result.reasons)


def test_orin_whose_nvml_lists_the_integrated_gpu_still_gets_cpu(nv_machine: Machine) -> None:
    """JetPack 6's limited NVML names the iGPU 'Orin (nvgpu)': an sm_80 cubin would match 8.7 by number,
    but the SBSA wheels do not run on it."""
    nv_machine.jetson("tegra234", "NVIDIA Jetson AGX Orin Developer Kit", ORIN_RELEASE)
    nv_machine.with_nvml("540.4.0", 12060, ("Orin (nvgpu)", "8.7"))
    result = nv_machine.detect()
    assert [(d.kind, d.source) for d in result.devices] == [("jetson", "tegra.devicetree")]
    assert result.backend == "cpu"


def test_garbled_l4t_release_still_marks_a_jetson_but_gives_no_version(machine: Machine) -> None:
    machine.jetson("tegra234", "NVIDIA Jetson AGX Orin Developer Kit", "# R\uff13\uff16 (release), REVISION: 4.3\n")
    result = machine.detect()
    assert "l4t" not in result.versions
    assert [(d.kind, d.arch) for d in result.devices] == [("jetson", "8.7")]
