"""AMD: KFD topology first, then rocm_agent_enumerator / rocminfo; gfx lists decide the ROCm index."""

from __future__ import annotations

import pytest
from machines import Machine, probe

from hatch_torch.detection.vendors.amd import gfx_name


@pytest.mark.parametrize(
    ("version", "name"),
    [(90010, "gfx90a"), (90402, "gfx942"), (100300, "gfx1030"), (110000, "gfx1100"), (120001, "gfx1201")],
)
def test_gfx_target_version_decoding(version: int, name: str) -> None:
    assert gfx_name(version) == name


def test_kfd_rx_7900_gets_newest_rocm(machine: Machine) -> None:
    machine.kfd(110000)
    machine.file("/opt/rocm/.info/version", "6.4.1-120\n")
    machine.tool("rocm_agent_enumerator", "echo gfx1100")
    result = machine.detect()
    assert (result.backend, result.release) == ("rocm7.2", "2.13.0")
    assert [(d.arch, d.pci_id, d.source) for d in result.devices] == [("gfx1100", "1002:744d", "amd.kfd")]
    assert result.versions["rocm"] == "6.4.1"
    assert machine.ran("rocm_agent_enumerator") == 0


def test_strix_halo_needs_rocm_72(machine: Machine) -> None:
    machine.kfd(110501)  # gfx1151
    assert machine.detect().backend == "rocm7.2"
    result = machine.detect("<2.11")
    assert result.backend == "cpu"
    assert "gfx1151" in result.rejected["rocm7.1"]


def test_mi300_and_older_torch(machine: Machine) -> None:
    machine.kfd(90402, 90402)
    assert machine.detect("==2.5.*").backend == "rocm6.2"


def test_apu_without_kernels_is_left_out(machine: Machine) -> None:
    machine.kfd(110000, 100306)  # RX 7900 + Ryzen iGPU gfx1036
    result = machine.detect()
    assert result.backend == "rocm7.2"
    assert any("left out" in r and "gfx1036" in r for r in result.reasons)


def test_hsa_override_gfx_version(machine: Machine) -> None:
    machine.kfd(100301)  # gfx1031, an RX 6700 XT: no wheels list it
    assert machine.detect().backend == "cpu"
    machine.env["HSA_OVERRIDE_GFX_VERSION"] = "10.3.0"
    result = machine.detect()
    assert result.backend == "rocm7.2"
    assert result.devices[0].arch == "gfx1030"


def test_hip_visible_devices_narrows(machine: Machine) -> None:
    machine.kfd(110000, 100301)
    assert machine.detect().backend == "rocm7.2"  # gfx1031 left out, no backend has it
    machine.env["HIP_VISIBLE_DEVICES"] = "1"
    assert machine.detect().backend == "cpu"


def test_enumerator_when_kfd_topology_is_empty(machine: Machine) -> None:
    machine.file("/dev/kfd", "")
    machine.tool("rocm_agent_enumerator", "echo gfx000; echo gfx90a; echo gfx90a")
    result = machine.detect()
    assert [d.arch for d in result.devices] == ["gfx90a", "gfx90a"]
    assert result.backend == "rocm7.2"
    assert probe(result, "amd.kfd").status == "nothing"


def test_rocminfo_after_failing_enumerator(machine: Machine) -> None:
    machine.file("/dev/kfd", "")
    machine.tool("rocm_agent_enumerator", "echo 'error: libhsa-runtime64.so.1 missing' >&2; exit 1")
    machine.tool(
        "rocminfo",
        """
        echo '*******'
        echo 'Agent 2'
        echo '  Name:                    gfx942'
        echo '  Marketing Name:          AMD Instinct MI300X'
        """,
    )
    result = machine.detect()
    assert probe(result, "amd.rocm_agent_enumerator").status == "failed"
    assert [d.arch for d in result.devices] == ["gfx942"]
    assert result.backend == "rocm7.2"


def test_garbled_kfd_falls_back_to_tools(machine: Machine) -> None:
    machine.file("/sys/class/kfd/kfd/topology/nodes/1/properties", "gfx_target_version eleven\n")
    machine.tool("rocm_agent_enumerator", "echo gfx1100")
    result = machine.detect()
    assert probe(result, "amd.kfd").status == "failed"
    assert result.backend == "rocm7.2"


def test_garbage_printing_rocminfo_fails_alone(machine: Machine) -> None:
    machine.file("/dev/kfd", "")
    machine.tool("rocminfo", "echo 'HSA_STATUS_ERROR_OUT_OF_RESOURCES'")
    result = machine.detect()
    assert probe(result, "amd.rocminfo").status == "failed"
    assert result.backend == "cpu"


def test_no_rocm_wheels_off_linux_x86_64(machine: Machine) -> None:
    machine.kfd(110000)
    machine.platform = "linux_aarch64"
    result = machine.detect()
    assert result.backend == "cpu"
    assert probe(result, "amd").status == "skipped"


def test_no_tools_without_dev_kfd(machine: Machine) -> None:
    machine.tool("rocm_agent_enumerator", "echo gfx1100")
    result = machine.detect()
    assert machine.ran("rocm_agent_enumerator") == 0
    assert probe(result, "amd.tools").status == "skipped"
    assert result.backend == "cpu"
