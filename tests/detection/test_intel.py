"""Intel: PCI display devices by device ID; only XPU-capable GPUs pull XPU wheels."""

from __future__ import annotations

import pytest
from machines import Machine


@pytest.mark.parametrize(("device", "backend"), [(0x56A0, "xpu"), (0xE20B, "xpu"), (0x0BD5, "xpu"), (0x7D55, "xpu")])
def test_xpu_capable_gpus(machine: Machine, device: int, backend: str) -> None:
    machine.pci("0000:03:00.0", 0x8086, device)
    result = machine.detect()
    assert result.backend == backend
    assert result.devices[0].pci_id == f"8086:{device:04x}"


def test_plain_integrated_graphics_stays_cpu(machine: Machine) -> None:
    machine.pci("0000:00:02.0", 0x8086, 0x9A49)  # Tiger Lake UHD/Iris Xe
    machine.pci("0000:00:1f.3", 0x8086, 0xA0C8, pci_class=0x040300)  # audio, not display
    result = machine.detect()
    assert result.backend == "cpu"
    assert [d.arch for d in result.devices] == ["igpu"]
    assert "igpu 8086:9a49: the XPU wheels are not built for Tiger Lake (Xe-LP)" in "\n".join(result.reasons)


def test_nvidia_wins_over_intel_igpu_and_arc(machine: Machine) -> None:
    machine.pci("0000:00:02.0", 0x8086, 0x7D55)
    machine.smi("0, GPU-a, NVIDIA GeForce RTX 4090, 8.9, 580.65.06")
    result = machine.detect()
    assert result.backend == "cu132"
    assert any("several vendors" in r for r in result.reasons)


def test_intel_when_nvidia_has_no_fitting_backend(machine: Machine) -> None:
    machine.pci("0000:03:00.0", 0x8086, 0xE20B)
    machine.smi("0, GPU-k, Tesla K40m, 3.5, 470.82.01")  # Kepler: no current wheels
    assert machine.detect(">=2.6").backend == "xpu"


def test_xpu_needs_a_release_on_the_platform(machine: Machine) -> None:
    machine.pci("0000:03:00.0", 0x8086, 0x56A0)
    assert machine.detect("<2.5").backend == "cpu"


def test_macos_is_cpu_with_mps(machine: Machine) -> None:
    machine.platform = "macos_arm64"
    result = machine.detect()
    assert result.backend == "cpu"
    assert any("MPS" in r for r in result.reasons)
