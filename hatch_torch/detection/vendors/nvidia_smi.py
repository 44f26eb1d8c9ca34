"""``nvidia-smi --query-gpu=... --format=csv,noheader``: every line, one per GPU."""

from __future__ import annotations

import csv
import io
import re

from hatch_torch.detection.probe import Device, ProbeContext, ProbeFailure, ToolFailure
from hatch_torch.detection.vendors.nvidia_names import by_name

SMI_FIELDS = "index,uuid,name,compute_cap,driver_version"
#: ASCII digits only, a few per part: full-width digits or a thousand-digit run are not a driver version
_DRIVER = re.compile(r"[0-9]{1,4}\.[0-9]{1,4}(\.[0-9]{1,4})?", re.ASCII)
_CC = re.compile(r"[0-9]{1,3}\.[0-9]{1,2}", re.ASCII)
_INDEX = re.compile(r"[0-9]{1,4}", re.ASCII)


def query(context: ProbeContext) -> list[Device]:
    found: list[Device] = []
    with context.probe("nvidia.smi") as say:
        tool = context.which("nvidia-smi", extra=("/usr/lib/wsl/lib",) if context.os == "linux" else ())
        if tool is None:
            say("nothing", "nvidia-smi is not on PATH")
            return found
        fields = SMI_FIELDS
        try:
            out = context.run([tool, f"--query-gpu={fields}", "--format=csv,noheader"])
        except ToolFailure as exc:
            if '"compute_cap"' not in exc.output:  # what drivers before 510, which lack the field, say
                raise
            fields = fields.replace("compute_cap,", "")
            out = context.run([tool, f"--query-gpu={fields}", "--format=csv,noheader"])
        names = fields.split(",")
        garbled = []
        for row in csv.reader(io.StringIO(out), skipinitialspace=True):
            if not row:
                continue
            values = dict(zip(names, (v.strip() for v in row), strict=False))
            driver = values.get("driver_version", "")
            if len(row) != len(names) or not _DRIVER.fullmatch(driver):
                garbled.append(",".join(row)[:60])
                continue
            if "nvidia_driver" not in context.versions:
                context.versions["nvidia_driver"] = driver
            cc = values.get("compute_cap", "")
            index = values["index"]
            device = Device(
                "nvidia",
                "cuda",
                values["name"],
                index=int(index) if _INDEX.fullmatch(index) else len(found),
                uuid=values["uuid"],
                source="nvidia.smi",
            )
            if _CC.fullmatch(cc):
                device.arch, device.arch_source = cc, "nvidia-smi compute_cap"
            found.append(device if device.arch else by_name(device))
        if not found:
            raise ProbeFailure(f"{tool} printed nothing usable: {garbled[0] if garbled else 'empty output'!r}")
        skipped = f"; {len(garbled)} unparsable line(s)" if garbled else ""
        say("found", f"{tool}: driver {context.versions['nvidia_driver']}, {len(found)} GPU(s){skipped}")
    return found
