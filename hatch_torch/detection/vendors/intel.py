"""Intel: PCI display devices with vendor 0x8086, told apart by device ID.

Only GPUs the XPU wheels support (Arc A/B discrete, Data Center GPU Max, Core Ultra integrated
Arc graphics) get kind "xpu"; plain integrated graphics is reported but does not pull XPU wheels.
On Windows the display-adapter list (``windows.py``) uses :func:`device` the same way.
"""

from __future__ import annotations

from hatch_torch.detection.probe import Device, ProbeContext
from hatch_torch.plugins.spec import hookimpl

PCI = "/sys/bus/pci/devices"
#: (family, first device ID, last device ID)
XPU_FAMILIES: list[tuple[str, int, int]] = [
    ("Arc A-series / Flex (Alchemist)", 0x5690, 0x56C2),
    ("Arc B-series (Battlemage)", 0xE200, 0xE2FF),
    ("Data Center GPU Max (Ponte Vecchio)", 0x0BD0, 0x0BDB),
    ("Data Center GPU Max (Ponte Vecchio)", 0x0B69, 0x0B69),
    ("Data Center GPU Max (Ponte Vecchio)", 0x0B6E, 0x0B6E),
    ("Core Ultra Arc graphics (Meteor Lake)", 0x7D40, 0x7D40),
    ("Core Ultra Arc graphics (Meteor Lake)", 0x7D45, 0x7D45),
    ("Core Ultra Arc graphics (Meteor Lake)", 0x7D55, 0x7D55),
    ("Core Ultra Arc graphics (Meteor Lake)", 0x7D60, 0x7D60),
    ("Core Ultra Arc graphics (Meteor Lake)", 0x7DD5, 0x7DD5),
    ("Core Ultra Arc graphics (Arrow Lake)", 0x7D41, 0x7D41),
    ("Core Ultra Arc graphics (Arrow Lake)", 0x7D51, 0x7D51),
    ("Core Ultra Arc graphics (Arrow Lake)", 0x7D67, 0x7D67),
    ("Core Ultra Arc graphics (Arrow Lake)", 0x7DD1, 0x7DD1),
    ("Core Ultra Arc graphics (Lunar Lake)", 0x6420, 0x6420),
    ("Core Ultra Arc graphics (Lunar Lake)", 0x64A0, 0x64A0),
    ("Core Ultra Arc graphics (Lunar Lake)", 0x64B0, 0x64B0),
    ("Core Ultra Arc graphics (Panther Lake)", 0xB080, 0xB0B0),
]


def family(device_id: int) -> str:
    """The XPU family of an Intel PCI device ID, or '' for plain integrated graphics."""
    return next((name for name, lo, hi in XPU_FAMILIES if lo <= device_id <= hi), "")


def device(device_id: int, source: str, index: int, name: str = "") -> Device:
    """The Intel GPU of a PCI device ID (``name``: what the system calls it, if it says)."""
    fam = family(device_id)
    pci = f"8086:{device_id:04x}"
    if fam:
        return Device(
            "intel", "xpu", name or f"Intel {fam}", "xpu", pci, index, source=source, arch_source="PCI ID table"
        )
    return Device(
        "intel",
        "",
        name or "Intel integrated graphics",
        "igpu",
        pci,
        index,
        source=source,
        note="no XPU wheels for it",
        arch_source="PCI ID table",
    )


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
    with context.probe("intel.pci") as say:
        if not context.isdir(PCI):
            say("nothing", f"{PCI} does not exist")
            return
        found: list[Device] = []
        for entry in context.listdir(PCI):
            base = f"{PCI}/{entry}"
            pci_class = (context.read(f"{base}/class") or "").strip()
            if not pci_class.startswith("0x03"):
                continue
            if (context.read(f"{base}/vendor") or "").strip().lower() != "0x8086":
                continue
            raw = (context.read(f"{base}/device") or "").strip()
            try:
                device_id = int(raw, 16)
            except ValueError:
                context.notes.append(f"{base}/device holds {raw[:20]!r}; Intel device skipped")
                continue
            found.append(device(device_id, "intel.pci", len(found)))
        context.devices += found
        say("found" if found else "nothing", f"{len(found)} Intel display device(s): {_describe(found)}")


def _describe(found: list[Device]) -> str:
    return ", ".join(f"{d.pci_id} {d.arch}" for d in found) or "none"
