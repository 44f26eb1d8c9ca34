"""NVIDIA: NVML first, then /sys/module/nvidia/version, /proc/driver/nvidia, then ``nvidia-smi``.

Later probes run only for what earlier ones left open (driver version, GPUs, compute capabilities),
so on a machine with the driver loaded the answer comes without a subprocess.
"""

from __future__ import annotations

import re

from hatch_torch.detection.probe import Device, ProbeContext, ProbeFailure, ascii_int, dotted
from hatch_torch.detection.vendors import nvidia_nvml as _nvml
from hatch_torch.detection.vendors import nvidia_smi as _nvsmi
from hatch_torch.detection.vendors.nvidia_names import by_name
from hatch_torch.plugins.marker import hookimpl
from hatch_torch.util.patterns import lazy

#: ASCII digits only (full-width digits are no driver version), a few per part
_DRIVER = (4, 4, 4)  # probe.dotted widths: 2 or 3 parts
OSRELEASE = "/proc/sys/kernel/osrelease"
_PROC_VERSION = lazy(r"Kernel Module(?: for \S+)?\s+([0-9]{1,4}\.[0-9]{1,4}(?:\.[0-9]{1,4})?)\b", re.ASCII)


@hookimpl
def hatch_torch_probe(context: ProbeContext) -> None:
    if "nvidia" in context.settled:
        context.skip("nvidia", "settled by an override")
        return
    if context.os not in ("linux", "win"):
        context.skip("nvidia", f"no CUDA wheels for {context.platform}")
        return
    if context.os == "linux" and _is_wsl(context):
        context.versions["wsl"] = "1"
    found: list[Device] = []
    no_driver = _nvml.no_driver(context)
    if no_driver:  # a check or two of the driver's directories: nothing to time
        context.record("nvidia.nvml", "nothing", no_driver)
    else:
        with context.probe("nvidia.nvml") as say:
            tried = _nvml.candidates(context)
            answer = _nvml.query(context, tried)
            if answer is None:
                say("nothing", f"no NVML library (tried {', '.join(tried)})")
            else:
                _set(context, "nvidia_driver", answer.driver)
                _set(context, "cuda_driver", answer.cuda)
                for gpu in answer.gpus:
                    note = f"NVML: {gpu.error}" if gpu.error else ""
                    found.append(
                        Device("nvidia", "cuda", gpu.name, gpu.cc, "", gpu.index, gpu.uuid, "nvidia.nvml", note, "NVML")
                    )
                say(
                    "found" if answer.gpus else "nothing",
                    f"{answer.library}: driver {answer.driver}, CUDA {answer.cuda}, {len(answer.gpus)} GPU(s)",
                )
    if context.os == "linux":
        if "nvidia_driver" not in context.versions:
            _sysfs(context)
        if "nvidia_driver" not in context.versions or not found:
            found = found or _procfs(context)
        else:
            context.skip("nvidia.procfs", "NVML answered")
    if _open_questions(context, found):
        found = _nvsmi.query(context) or found
    else:
        context.skip("nvidia.smi", "no open questions left")
    if not found and "nvidia_driver" in context.versions:
        # The driver is loaded but no probe could list the GPUs: choose by the driver alone, as uv does.
        found = [
            Device(
                "nvidia",
                "cuda",
                "NVIDIA GPU (model unknown)",
                index=0,
                source="nvidia.driver",
                note="the driver is loaded but no GPU list was readable; compute capability unknown",
            )
        ]
    context.devices += _visible(context, found)


def _set(context: ProbeContext, key: str, value: str) -> None:
    if value and key not in context.versions:
        context.versions[key] = value


def _is_wsl(context: ProbeContext) -> bool:
    try:  # unreadable counts as absent; a missing file costs no exception
        release = (context.read(OSRELEASE) or "") if context.exists(OSRELEASE) else ""
    except ProbeFailure:
        release = ""
    return "microsoft" in release.lower() or context.isdir("/usr/lib/wsl/lib")


def _sysfs(context: ProbeContext) -> None:
    with context.probe("nvidia.sysfs") as say:
        text = context.read("/sys/module/nvidia/version")
        if text is None:
            say("nothing", "/sys/module/nvidia/version does not exist (no kernel module loaded)")
            return
        version = text.strip()
        if not dotted(version, _DRIVER, 2):
            raise ProbeFailure(f"/sys/module/nvidia/version holds {version[:40]!r}, not a driver version")
        context.versions["nvidia_driver"] = version
        say("found", f"driver {version}")


def _procfs(context: ProbeContext) -> list[Device]:
    found: list[Device] = []
    with context.probe("nvidia.procfs") as say:
        if "nvidia_driver" not in context.versions:
            text = context.read("/proc/driver/nvidia/version")
            if text is None:
                say("nothing", "/proc/driver/nvidia/version does not exist")
                return found
            match = _PROC_VERSION.search(text)
            if not match:
                raise ProbeFailure(f"/proc/driver/nvidia/version has no driver version: {text[:60]!r}")
            context.versions["nvidia_driver"] = match.group(1)
        problems = []
        for bus in context.listdir("/proc/driver/nvidia/gpus"):
            try:
                fields = _colon_pairs(context.read(f"/proc/driver/nvidia/gpus/{bus}/information") or "")
            except ProbeFailure as exc:
                problems.append(f"{bus}: {exc}")
                continue
            name = fields.get("Model", "")
            if not name:
                problems.append(f"{bus}: no Model line")
                continue
            minor = ascii_int(fields.get("Device Minor", ""), 4)
            index = len(found) if minor is None else minor
            device = Device("nvidia", "cuda", name, "", "", index, fields.get("GPU UUID", ""), "nvidia.procfs", "", "")
            found.append(by_name(device, f"PCI {bus}"))
        extra = f"; unreadable: {'; '.join(problems)}" if problems else ""
        say("found", f"driver {context.versions['nvidia_driver']}, {len(found)} GPU(s) in gpus/*{extra}")
    return found


def _colon_pairs(text: str) -> dict[str, str]:
    pairs = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            pairs[key.strip()] = value.strip()
    return pairs


def _open_questions(context: ProbeContext, found: list[Device]) -> bool:
    return "nvidia_driver" not in context.versions or not found or any(not d.arch for d in found)


def _visible(context: ProbeContext, found: list[Device]) -> list[Device]:
    """Narrow to ``CUDA_VISIBLE_DEVICES`` (indices or UUID prefixes; the list ends at the first
    entry that matches nothing, as in CUDA)."""
    value = context.environ.get("CUDA_VISIBLE_DEVICES")
    if value is None or not found:
        return found
    kept: list[Device] = []
    for entry in (e.strip() for e in value.split(",")):
        match = None
        if (number := ascii_int(entry, 4)) is not None:
            match = next((d for d in found if d.index == number), None)
        elif entry.upper().startswith(("GPU-", "MIG-")):
            match = next((d for d in found if d.uuid and d.uuid.upper().startswith(entry.upper()[:12])), None)
        if match is None or match in kept:
            break
        kept.append(match)
    shown = repr(value[:40]) + ("..." if len(value) > 40 else "")
    context.notes.append(f"CUDA_VISIBLE_DEVICES={shown} leaves {len(kept)} of {len(found)} NVIDIA GPU(s) visible")
    return kept
