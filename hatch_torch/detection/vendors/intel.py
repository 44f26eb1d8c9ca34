"""Intel: PCI display devices with vendor 0x8086, told apart by device ID.

Only GPUs the XPU wheels support (Arc A/B discrete, Data Center GPU Max, Core Ultra integrated
Arc graphics) get kind "xpu"; plain integrated graphics is reported but does not pull XPU wheels.
"""

from __future__ import annotations

import re
import sys

from hatch_torch.detection.probe import Device, ProbeContext, ProbeFailure
from hatch_torch.plugins.marker import hookimpl

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
_PNP = re.compile(r"ven_8086&dev_([0-9a-f]{4})", re.IGNORECASE)


def family(device_id: int) -> str:
    """The XPU family of an Intel PCI device ID, or '' for plain integrated graphics."""
    return next((name for name, lo, hi in XPU_FAMILIES if lo <= device_id <= hi), "")


def device(device_id: int, source: str, index: int) -> Device:
    name = family(device_id)
    pci = f"8086:{device_id:04x}"
    if name:
        return Device("intel", "xpu", f"Intel {name}", "xpu", pci, index, source=source)
    return Device(
        "intel", "", "Intel integrated graphics", "igpu", pci, index, source=source, note="no XPU wheels for it"
    )


@hookimpl
def hatch_torch_probe(context: ProbeContext) -> None:
    if "intel" in context.settled:
        context.skip("intel", "settled by an override")
        return
    if context.os == "linux":
        _sysfs(context)
    elif context.os == "win":
        _windows(context)
    else:
        context.skip("intel", f"no XPU wheels for {context.platform}")


def _sysfs(context: ProbeContext) -> None:
    with context.probe("intel.pci") as say:
        if not context.isdir(PCI):
            say("nothing", f"{PCI} does not exist")
            return
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


def windows_ids() -> list[str]:
    """MatchingDeviceId values of the display adapters in the Windows registry."""
    if sys.platform != "win32":
        return []
    import winreg

    key = r"SYSTEM\CurrentControlSet\Control\Class\{4d36e968-e325-11ce-bfc1-08002be10318}"
    ids: list[str] = []
    with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key) as adapters:
        for i in range(winreg.QueryInfoKey(adapters)[0]):
            try:
                with winreg.OpenKey(adapters, winreg.EnumKey(adapters, i)) as sub:
                    ids.append(str(winreg.QueryValueEx(sub, "MatchingDeviceId")[0]))
            except OSError:
                continue
    return ids


def _windows(context: ProbeContext) -> None:
    with context.probe("intel.windows") as say:
        found = [
            device(int(m.group(1), 16), "intel.windows", i)
            for i, m in enumerate(filter(None, (_PNP.search(s) for s in windows_ids())))
        ]
        context.devices += found
        say("found" if found else "nothing", f"{len(found)} Intel display adapter(s): {_describe(found)}")
