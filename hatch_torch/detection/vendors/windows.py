"""Windows: the display-adapter list, for every GPU the other probes left open.

On Windows itself the adapters come from the display class in the registry (no subprocess); elsewhere
(a simulated Windows machine) and when the registry gives nothing, from PowerShell's
``Get-CimInstance Win32_VideoController``. Each adapter is told apart by the PCI vendor in its
``PNPDeviceID``: NVIDIA adapters stand in when NVML and ``nvidia-smi`` found no GPU (compute capability
from the name table, driver version from the Windows driver version); AMD adapters are reported with
their gfx target but get no backend (the PyTorch indexes have no ROCm build for Windows, and there is no
DirectML backend unless a plugin adds one); Intel adapters go by device ID, as on Linux.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from hatch_torch.detection.probe import Device, ProbeContext, ProbeFailure
from hatch_torch.detection.vendors import intel, pci_ids
from hatch_torch.detection.vendors.nvidia_names import by_name
from hatch_torch.plugins.spec import hookimpl

DISPLAY_CLASS = r"SYSTEM\CurrentControlSet\Control\Class\{4d36e968-e325-11ce-bfc1-08002be10318}"
#: ``-InputObject @(...)``: a list even for one adapter; Get-CimInstance works in PowerShell 5.1 and 7
POWERSHELL = (
    "ConvertTo-Json -Compress -InputObject @(Get-CimInstance -ClassName Win32_VideoController | "
    "Select-Object Name,PNPDeviceID,DriverVersion,ConfigManagerErrorCode)"
)
_PNP = re.compile(r"ven_([0-9a-f]{4})&dev_([0-9a-f]{4})", re.IGNORECASE)
VENDORS = {"10de": "nvidia", "1002": "amd", "1022": "amd", "8086": "intel", "1414": "microsoft"}
AMD_NOTE = (
    "no PyTorch build for AMD GPUs on Windows on the PyTorch indexes (ROCm wheels are Linux-only); "
    "no DirectML backend unless a plugin adds one"
)


@dataclass
class Adapter:
    name: str
    pnp: str
    driver: str = ""


@hookimpl
def hatch_torch_probe(context: ProbeContext) -> None:
    if context.os != "win":
        return
    with context.probe("windows.adapters") as say:
        adapters, where = _adapters(context)
        devices = list(_devices(context, adapters))
        context.devices += devices
        listed = "; ".join(f"{a.name} ({_ids(a.pnp) or 'no PCI ID'})" for a in adapters) or "none"
        say("found" if devices else "nothing", f"{where}: {len(adapters)} display adapter(s): {listed}")


def _adapters(context: ProbeContext) -> tuple[list[Adapter], str]:
    if sys.platform == "win32" and context.fs("/") == "/":
        try:
            found = registry()
        except OSError as exc:
            context.notes.append(f"display adapters: the registry could not be read ({exc}); asking PowerShell")
        else:
            if found:
                return found, "registry"
    tool = context.which("powershell") or context.which("pwsh")
    if tool is None:
        raise ProbeFailure(
            "PowerShell (powershell, pwsh) is not on PATH"
            + ("" if sys.platform == "win32" else " and this host has no Windows registry")
        )
    out = context.run([tool, "-NoProfile", "-NonInteractive", "-Command", POWERSHELL])
    return parse_cim(out), "Win32_VideoController"


def parse_cim(text: str) -> list[Adapter]:
    """PowerShell's JSON: one object for one adapter, a list for several, nothing for none."""
    if not text.strip():
        return []
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise ProbeFailure(f"PowerShell printed no JSON: {text.strip()[:60]!r}") from exc
    rows = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(r, dict) for r in rows):
        raise ProbeFailure(f"PowerShell printed no adapter objects: {text.strip()[:60]!r}")
    # ConfigManagerErrorCode: 0 works; 22 disabled, 28 no driver, 43 stopped: such an adapter runs nothing
    return [
        Adapter(str(r.get("Name") or ""), str(r.get("PNPDeviceID") or ""), str(r.get("DriverVersion") or ""))
        for r in rows
        if r.get("ConfigManagerErrorCode") in (None, 0)
    ]


def registry() -> list[Adapter]:
    """DriverDesc, MatchingDeviceId and DriverVersion of each adapter under the display class key."""
    import winreg  # type: ignore[import-not-found,unused-ignore]

    found: list[Adapter] = []
    with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, DISPLAY_CLASS) as adapters:  # type: ignore[attr-defined,unused-ignore]
        for i in range(winreg.QueryInfoKey(adapters)[0]):  # type: ignore[attr-defined,unused-ignore]
            try:
                with winreg.OpenKey(adapters, winreg.EnumKey(adapters, i)) as sub:  # type: ignore[attr-defined,unused-ignore]
                    values = {}
                    for name in ("DriverDesc", "MatchingDeviceId", "DriverVersion"):
                        try:
                            values[name] = str(winreg.QueryValueEx(sub, name)[0])  # type: ignore[attr-defined,unused-ignore]
                        except OSError:
                            values[name] = ""
            except OSError:
                continue  # "Properties" and other keys that are not adapters
            if values["MatchingDeviceId"]:
                found.append(Adapter(values["DriverDesc"], values["MatchingDeviceId"], values["DriverVersion"]))
    return found


def _ids(pnp: str) -> str:
    m = _PNP.search(pnp)
    return f"{m.group(1).lower()}:{m.group(2).lower()}" if m else ""


def nvidia_driver(windows_version: str) -> str:
    """Windows driver version 32.0.15.6094 -> NVIDIA's 560.94 (the last five digits)."""
    digits = "".join(windows_version.split(".")[-2:])
    return f"{digits[-5:-2]}.{digits[-2:]}" if 5 <= len(digits) <= 12 and digits.isascii() and digits.isdigit() else ""


def _devices(context: ProbeContext, adapters: list[Adapter]) -> Iterator[Device]:
    count: dict[str, int] = {}
    for a in adapters:
        pci = _ids(a.pnp)
        vendor = VENDORS.get(pci[:4], "")
        if vendor in ("", "microsoft") or vendor in context.settled:
            continue
        index = count[vendor] = count.get(vendor, -1) + 1
        device_id = int(pci[5:], 16)
        if vendor == "nvidia":
            if any(d.vendor == "nvidia" for d in context.devices):
                continue  # NVML or nvidia-smi listed the GPUs already
            driver = nvidia_driver(a.driver)
            if driver and "nvidia_driver" not in context.versions:
                context.versions["nvidia_driver"] = driver
            device = Device("nvidia", "cuda", a.name, pci_id=pci, index=index, source="windows.adapters")
            yield by_name(device, f"Windows driver {a.driver}")
        elif vendor == "amd":
            gfx, chip = pci_ids.amd(device_id)
            yield Device(
                "amd",
                "",
                a.name or f"AMD GPU {pci}",
                gfx,
                pci,
                index,
                source="windows.adapters",
                note=AMD_NOTE,
                arch_source=f"PCI ID table ({chip})" if gfx else "",
            )
        elif "intel" not in context.settled:
            yield intel.device(device_id, "windows.adapters", index, a.name)
