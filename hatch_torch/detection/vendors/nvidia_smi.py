"""``nvidia-smi --query-gpu=... --format=csv,noheader``: every line, one per GPU."""

from __future__ import annotations

from hatch_torch.detection.probe import Device, ProbeContext, ProbeFailure, ToolFailure, ascii_int, dotted
from hatch_torch.detection.vendors.nvidia_names import by_name

SMI_FIELDS = "index,uuid,name,compute_cap,driver_version"
#: ASCII digits only, a few per part: full-width digits or a thousand-digit run are not a driver version
_DRIVER = (4, 4, 4)
_CC = (3, 2)


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
        for row in _rows(out):
            values = dict(zip(names, (v.strip() for v in row), strict=False))
            driver = values.get("driver_version", "")
            if len(row) != len(names) or not dotted(driver, _DRIVER, 2):
                garbled.append(",".join(row)[:60])
                continue
            if "nvidia_driver" not in context.versions:
                context.versions["nvidia_driver"] = driver
            cc = values.get("compute_cap", "")
            number = ascii_int(values["index"], 4)
            device = Device(
                "nvidia",
                "cuda",
                values["name"],
                index=len(found) if number is None else number,
                uuid=values["uuid"],
                source="nvidia.smi",
            )
            if dotted(cc, _CC, 2):
                device.arch, device.arch_source = cc, "nvidia-smi compute_cap"
            found.append(device if device.arch else by_name(device))
        if not found:
            raise ProbeFailure(f"{tool} printed nothing usable: {garbled[0] if garbled else 'empty output'!r}")
        skipped = f"; {len(garbled)} unparsable line(s)" if garbled else ""
        say("found", f"{tool}: driver {context.versions['nvidia_driver']}, {len(found)} GPU(s){skipped}")
    return found


def _rows(out: str) -> list[list[str]]:
    """The CSV rows: split at commas when nothing is quoted (what nvidia-smi prints), else the csv module."""
    if '"' in out or "\r" in out:
        import csv
        import io

        return [row for row in csv.reader(io.StringIO(out), skipinitialspace=True) if row]
    rows = []
    for line in out.split("\n"):
        if line:
            rows.append([field.lstrip(" ") for field in line.split(",")])
    return rows
