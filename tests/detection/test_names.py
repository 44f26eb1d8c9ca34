"""The name and PCI ID tables: every entry maps back to itself, the traps a naive match falls into do not
catch us, and the tables load only when a name or an ID needs mapping."""

from __future__ import annotations

import pytest
from machines import Machine

from hatch_torch.detection import kernels
from hatch_torch.detection.vendors import intel, nvidia_names, pci_ids, windows

ENTRIES = nvidia_names.entries()


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_every_nvidia_entry_maps_its_name_and_aliases(entry: nvidia_names.Entry) -> None:
    names = [entry.name, *entry.aliases]
    if entry.pattern == ("rtx", "pro"):  # the family fallback row: its own name is descriptive
        names[0] = "NVIDIA RTX PRO 9999 Blackwell"
    for name in names:
        assert nvidia_names.lookup(name).cc == entry.cc, name


def test_every_nvidia_entry_has_a_recorded_source() -> None:
    sources = nvidia_names.table()[0]
    assert {e.source for e in ENTRIES} <= set(sources)


def test_the_widest_range_is_measured_over_every_architecture_in_the_table() -> None:
    since_maxwell = {e.cc for e in ENTRIES if e.source != "HT"}  # HT: the few Kepler rows
    assert set(kernels.CUDA_ARCHS) == since_maxwell


def test_every_segment_since_maxwell_is_covered() -> None:
    """Consumer, workstation, data-centre and embedded models of every architecture."""
    want = {
        "NVIDIA GeForce GTX 980": "5.2",
        "Quadro M6000": "5.2",
        "Tesla M40": "5.2",
        "NVIDIA GeForce GTX 1080 Ti": "6.1",
        "Quadro P6000": "6.1",
        "Tesla P100-PCIE-16GB": "6.0",
        "NVIDIA TITAN V": "7.0",
        "Quadro GV100": "7.0",
        "NVIDIA Tesla GV100": "7.0",
        "Tesla V100-SXM2-32GB": "7.0",
        "NVIDIA GeForce RTX 2080 Ti": "7.5",
        "Quadro RTX 8000": "7.5",
        "Tesla T4": "7.5",
        "NVIDIA GeForce RTX 3090": "8.6",
        "NVIDIA RTX A6000": "8.6",
        "NVIDIA A100-SXM4-80GB": "8.0",
        "NVIDIA GeForce RTX 4090": "8.9",
        "NVIDIA RTX 6000 Ada Generation": "8.9",
        "NVIDIA L40S": "8.9",
        "NVIDIA H100 80GB HBM3": "9.0",
        "NVIDIA GH200 480GB": "9.0",
        "NVIDIA GeForce RTX 5090": "12.0",
        "NVIDIA RTX PRO 6000 Blackwell Workstation Edition": "12.0",
        "NVIDIA B200": "10.0",
        "NVIDIA B300 SXM6 AC": "10.3",
        "NVIDIA GB10": "12.1",
        "NVIDIA Jetson AGX Orin": "8.7",
        "NVIDIA Jetson AGX Thor": "11.0",
    }
    assert {name: nvidia_names.lookup(name).cc for name in want} == want


@pytest.mark.parametrize(
    ("name", "cc"),
    [
        # whole words only: t4 is not t400, a10 not a100, h20 not h200, l4 not l40, gb10 not gb100
        ("NVIDIA T400 4GB", "7.5"),
        ("NVIDIA A10", "8.6"),
        ("NVIDIA A100-PCIE-40GB", "8.0"),
        ("NVIDIA H20", "9.0"),
        ("NVIDIA L4", "8.9"),
        ("NVIDIA GB100", "10.0"),
        # the longest match decides
        ("Quadro RTX 6000", "7.5"),
        ("NVIDIA RTX 5000 Ada Generation", "8.9"),
        ("NVIDIA GeForce GTX TITAN X", "5.2"),
        ("NVIDIA TITAN X (Pascal)", "6.1"),
        ("NVIDIA GeForce GTX 960M", "5.0"),
        # chip codes with pci.ids suffixes, trademarks
        ("TU117GLM [Quadro T1000 Mobile]", "7.5"),
        ("GA107BM / GN20-P0-R-K2 [GeForce RTX 3050 6GB Laptop GPU]", "8.6"),
        ("NVIDIA GeForce RTX™ 4090", "8.9"),
        # not in the table: no answer, never a guess
        ("NVIDIA GeForce GT 730", ""),
        ("NVIDIA Corporation Device 2c3f", ""),
        ("AMD Radeon RX 7900 XTX", ""),
    ],
)
def test_traps(name: str, cc: str) -> None:
    """From the research check of the matching rule (check_names.py TRAPS)."""
    assert nvidia_names.lookup(name).cc == cc


def test_unknown_names_say_so() -> None:
    assert nvidia_names.lookup("NVIDIA Future 9000").why == "'NVIDIA Future 9000' is not in the name table"


def test_every_amd_entry_maps_to_a_gfx_target() -> None:
    rows = pci_ids.table()["amd"]
    assert len(rows) > 100
    for pci, gfx, chip, source in rows:
        assert pci_ids.amd(int(pci, 16)) == (gfx, chip)
        assert gfx.startswith("gfx")
        assert set(source.split("+")) <= set(pci_ids.table()["sources"])
    assert pci_ids.amd(0x744C) == ("gfx1100", "Navi 31")
    assert pci_ids.amd(0x7550)[0] == "gfx1201"
    assert pci_ids.amd(0x74A1)[0] == "gfx942"


def test_every_intel_entry_maps_to_a_family() -> None:
    rows = pci_ids.table()["intel"]
    assert len(rows) > 100
    for pci, family, xpu, *_, source in rows:
        device = intel.device(int(pci, 16), "test", 0)
        assert (device.kind == "xpu") == bool(xpu), (pci, family)
        assert set(source.split("+")) <= set(pci_ids.table()["sources"])
    assert intel.device(0xE20B, "t", 0).kind == "xpu"  # Arc B580
    assert intel.device(0x9A49, "t", 0).kind == ""  # Tiger Lake Xe-LP
    assert intel.device(0x1234, "t", 0).kind == ""  # not in the table


def test_tables_load_only_when_a_name_needs_mapping(nv_machine: Machine) -> None:
    nvidia_names.table.cache_clear()
    pci_ids.table.cache_clear()
    nv_machine.with_nvml("580.65.06", 13000, ("NVIDIA GeForce RTX 4090", "8.9"))
    assert nv_machine.detect().backend == "cu132"
    assert nvidia_names.table.cache_info().currsize == 0
    assert pci_ids.table.cache_info().currsize == 0
    assert windows.nvidia_driver("32.0.15.8129") == "581.29"
