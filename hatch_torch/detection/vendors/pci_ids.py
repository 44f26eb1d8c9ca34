"""PCI device ID -> GPU architecture for AMD (gfx target) and Intel (GPU family), for probes that see
only a PCI ID (the Windows adapter list, Linux sysfs).

The table is data, ``pci_ids.json`` (its ``sources`` say where each part comes from), read on the first
lookup only.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

TABLE = Path(__file__).with_name("pci_ids.json")


@cache
def table() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(TABLE.read_text(encoding="utf-8"))
    return raw


@cache
def _amd() -> dict[int, tuple[str, str]]:
    return {int(pci, 16): (gfx, chip) for pci, gfx, chip, *_ in table()["amd"]}


def amd(device_id: int) -> tuple[str, str]:
    """(gfx target, chip) of an AMD PCI device ID, or ("", "") when the ID is not in the table."""
    return _amd().get(device_id, ("", ""))


@cache
def _intel() -> dict[int, tuple[str, bool]]:
    return {int(pci, 16): (family, bool(xpu)) for pci, family, xpu, *_ in table()["intel"]}


def intel(device_id: int) -> tuple[str, bool] | None:
    """(family, whether the XPU wheels serve it) of an Intel PCI device ID; None when not in the table."""
    return _intel().get(device_id)
