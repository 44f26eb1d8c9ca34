"""PCI device ID -> GPU architecture for AMD (gfx target) and Intel (GPU family, and whether the XPU
wheels serve it), for probes that see only a PCI ID (the Windows adapter list, Linux sysfs).

The table is data, ``pci_ids.json`` (its ``sources`` say where each row comes from), read on the first
lookup only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

TABLE = Path(__file__).with_name("pci_ids.json")


@dataclass(frozen=True)
class IntelGPU:
    family: str  # "Alchemist", "Tiger Lake (Xe-LP)"
    xpu: bool  # the XPU wheels have kernels for its architecture
    platform: str  # "DG2-G10 (ACM-G10)"
    product: str  # "Arc A770", or ""
    validated: bool  # on PyTorch's validated XPU hardware list


@cache
def table() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(TABLE.read_text(encoding="utf-8"))
    return raw


@cache
def _amd() -> dict[int, tuple[str, str]]:
    return {int(pci, 16): (gfx, chip) for pci, gfx, chip, _ in table()["amd"]}


def amd(device_id: int) -> tuple[str, str]:
    """(gfx target, codename) of an AMD PCI device ID, or ("", "") when the ID is not in the table."""
    return _amd().get(device_id, ("", ""))


@cache
def _intel() -> dict[int, IntelGPU]:
    return {
        int(pci, 16): IntelGPU(family, bool(xpu), platform, product, validated == "validated")
        for pci, family, xpu, platform, product, validated, _ in table()["intel"]
    }


def intel(device_id: int) -> IntelGPU | None:
    """The Intel GPU of a PCI device ID; None when the ID is not in the table."""
    return _intel().get(device_id)
