"""Intel: PCI display devices with vendor 0x8086, told apart by device ID (``pci_ids.json``).

Only GPUs whose architecture the XPU wheels serve (Xe-HPG: Arc A, Flex; Xe-HPC: Data Center GPU Max;
Xe-LPG: Core Ultra Meteor/Arrow Lake; Xe2: Arc B, Lunar Lake; Xe3: Panther Lake) get kind "xpu"; Xe-LP
integrated graphics and unknown IDs are reported but do not pull XPU wheels.
On Windows the display-adapter list (``windows.py``) uses :func:`device` the same way.
"""

from __future__ import annotations

import re

from hatch_torch.detection.probe import Device, ProbeContext, ProbeFailure
from hatch_torch.detection.vendors import pci_ids
from hatch_torch.plugins.marker import hookimpl

PCI = "/sys/bus/pci/devices"


def family(device_id: int) -> str:
    """The XPU family of an Intel PCI device ID, or '' when the XPU wheels do not serve it."""
    gpu = pci_ids.intel(device_id)
    return gpu.family if gpu and gpu.xpu else ""


def device(device_id: int, source: str, index: int, name: str = "") -> Device:
    """The Intel GPU of a PCI device ID (``name``: what the system calls it, if it says)."""
    pci = f"8086:{device_id:04x}"
    gpu = pci_ids.intel(device_id)
    if gpu is None:
        where, label = "not in the PCI ID table", "Intel integrated graphics"
    else:
        where = f"PCI ID table: {gpu.platform}" + (", on PyTorch's validated list" if gpu.validated else "")
        label = f"Intel {gpu.product or gpu.family}"
    if gpu and gpu.xpu:
        return Device("intel", "xpu", name or label, "xpu", pci, index, source=source, arch_source=where)
    why = f"the XPU wheels are not built for {gpu.family}" if gpu else "not a GPU the XPU wheels are known to serve"
    return Device("intel", "", name or label, "igpu", pci, index, source=source, note=why, arch_source=where)


@hookimpl
def hatch_torch_probe(context: ProbeContext) -> None:
    if "intel" in context.settled:
        context.skip("intel", "settled by an override")
        return
    if context.os == "linux":
        _sysfs(context)
    elif context.os != "win":  # Windows: the display-adapter list (windows.adapters) has the Intel GPUs
        context.skip("intel", f"no XPU wheels for {context.platform}")


def _sysfs(context: ProbeContext) -> None:
    if not context.isdir(PCI):  # the probe's one check, without its timing
        context.record("intel.pci", "nothing", f"{PCI} does not exist")
        return
    with context.probe("intel.pci") as say:
        found: list[Device] = []
        problems: list[str] = []
        for entry in context.listdir(PCI):
            base = f"{PCI}/{entry}"
            try:
                pci_class = (context.read(f"{base}/class") or "").strip()
                if not pci_class.startswith("0x03"):
                    continue
                if (context.read(f"{base}/vendor") or "").strip().lower() != "0x8086":
                    continue
                raw = (context.read(f"{base}/device") or "").strip()
            except ProbeFailure as exc:  # one unreadable device does not hide the others
                problems.append(str(exc))
                continue
            if not re.fullmatch(r"0x[0-9a-fA-F]{4}", raw, re.ASCII):
                context.notes.append(f"{base}/device holds {raw[:20]!r}; Intel device skipped")
                continue
            found.append(device(int(raw, 16), "intel.pci", len(found)))
        if problems and not found:
            raise ProbeFailure("; ".join(problems[:3]))
        context.devices += found
        extra = f"; skipped {'; '.join(problems[:3])}" if problems else ""
        say("found" if found else "nothing", f"{len(found)} Intel display device(s): {_describe(found)}{extra}")


def _describe(found: list[Device]) -> str:
    return ", ".join(f"{d.pci_id} {d.arch}" for d in found) or "none"
