"""AMD: gfx targets from the KFD topology, then ``rocm_agent_enumerator`` / ``rocminfo``; ROCm version.

The tools run only when the topology gave nothing although ``/dev/kfd`` exists, or when it failed.

ROCm wheels exist for Linux x86_64 only; elsewhere AMD GPUs are not probed.
"""

from __future__ import annotations

import re

from hatch_torch.detection.probe import Device, ProbeContext, ProbeFailure, ascii_int
from hatch_torch.detection.vendors import pci_ids
from hatch_torch.plugins.marker import hookimpl
from hatch_torch.util.patterns import lazy

NODES = "/sys/class/kfd/kfd/topology/nodes"
_GFX = lazy(r"\b(gfx[0-9a-f]{3,4})\b", re.ASCII)
ROCM_BIN = ("/opt/rocm/bin",)


def gfx_name(target_version: int) -> str:
    """KFD ``gfx_target_version`` (major*10000 + minor*100 + stepping) -> 'gfx90a', 'gfx1100'."""
    major, minor, step = target_version // 10000, target_version // 100 % 100, target_version % 100
    return f"gfx{major}{minor:x}{step:x}"


@hookimpl
def hatch_torch_probe(context: ProbeContext) -> None:
    if "amd" in context.settled:
        context.skip("amd", "settled by an override")
        return
    if context.platform != "linux_x86_64":
        context.skip("amd", f"no ROCm wheels for {context.platform}")
        return
    if not context.isdir(NODES) and not context.exists("/dev/kfd"):  # no AMD GPU ROCm could use: two checks
        context.record("amd.kfd", "nothing", f"{NODES} does not exist (no amdgpu KFD)")
        context.skip("amd.tools", "no /dev/kfd: ROCm cannot use a GPU here")
        return
    found = _kfd(context)
    if found:
        context.skip("amd.tools", "KFD answered")
    elif not context.exists("/dev/kfd") and not context.failures_of("amd.kfd"):
        # ROCm runs only through /dev/kfd: without it the tools cannot see a GPU either
        context.skip("amd.tools", "no /dev/kfd: ROCm cannot use a GPU here")
    else:
        found = _tool(context, "rocm_agent_enumerator", [])
        if not found:
            found = _tool(context, "rocminfo", [])
    if found:
        _rocm_version(context)
        context.devices += _visible(context, _hsa_override(context, found))


def _kfd(context: ProbeContext) -> list[Device]:
    found: list[Device] = []
    with context.probe("amd.kfd") as say:
        if not context.isdir(NODES):
            say("nothing", f"{NODES} does not exist (no amdgpu KFD)")
            return found
        problems = []
        for node in sorted(context.listdir(NODES), key=lambda n: (ascii_int(n, 6) is None, ascii_int(n, 6) or 0, n)):
            try:
                props = dict(_pairs(context.read(f"{NODES}/{node}/properties") or ""))
            except ProbeFailure as exc:
                problems.append(f"node {node}: {exc}")
                continue
            version = ascii_int(props.get("gfx_target_version", "0"), 7)
            if version is None:
                problems.append(f"node {node}: gfx_target_version {props['gfx_target_version'][:20]!r} is not a number")
                continue
            if version == 0:
                continue  # a CPU node
            device = ascii_int(props.get("device_id", ""), 5)
            pci = f"1002:{device:04x}" if device is not None else ""
            chip = pci_ids.amd(device)[1] if device is not None else ""
            found.append(
                Device(
                    "amd",
                    "rocm",
                    f"AMD {chip or 'GPU'} {pci}".strip(),
                    gfx_name(version),
                    pci,
                    len(found),
                    source="amd.kfd",
                    arch_source="KFD gfx_target_version",
                )
            )
        if problems and not found:
            raise ProbeFailure("; ".join(problems))
        extra = f"; skipped {'; '.join(problems)}" if problems else ""
        say("found" if found else "nothing", f"{len(found)} GPU node(s): {_targets(found)}{extra}")
    return found


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(k, v) for k, _, v in (line.strip().partition(" ") for line in text.splitlines()) if k]


def _targets(found: list[Device]) -> str:
    return ", ".join(d.arch for d in found) or "none"


def _tool(context: ProbeContext, name: str, args: list[str]) -> list[Device]:
    found: list[Device] = []
    with context.probe(f"amd.{name}") as say:
        tool = context.which(name, extra=ROCM_BIN)
        if tool is None:
            say("nothing", f"{name} is not on PATH or in /opt/rocm/bin")
            return found
        out = context.run([tool, *args])
        targets = [t for t in _GFX.findall(out) if t != "gfx000"]
        if name == "rocminfo":
            targets = list(dict.fromkeys(targets)) if len(set(targets)) == 1 else targets
        found = [
            Device("amd", "rocm", "AMD GPU", t, index=i, source=f"amd.{name}", arch_source=name)
            for i, t in enumerate(targets)
        ]
        if not found and "gfx000" not in out:
            raise ProbeFailure(f"{tool} printed no gfx target: {out.strip()[:60]!r}")
        say("found" if found else "nothing", f"{tool}: {_targets(found)}")
    return found


def _rocm_version(context: ProbeContext) -> None:
    with context.probe("amd.rocm_version") as say:
        base = context.environ.get("ROCM_PATH", "/opt/rocm").rstrip("/")
        if not base.startswith("/"):  # a relative ROCM_PATH would mean the current directory
            say("nothing", f"ROCM_PATH={base[:40]!r} is not an absolute path; not read")
            return
        text = context.read(f"{base}/.info/version")
        if text is None:
            say("nothing", f"{base}/.info/version does not exist (the wheels bring their own ROCm runtime)")
            return
        version = text.strip().split("-")[0]
        if not re.fullmatch(r"[0-9]{1,3}\.[0-9]{1,3}(\.[0-9]{1,5})?", version, re.ASCII):
            raise ProbeFailure(f"{base}/.info/version holds {text.strip()[:40]!r}")
        context.versions["rocm"] = version
        say("found", f"ROCm {version} installed at {base}")


def _hsa_override(context: ProbeContext, found: list[Device]) -> list[Device]:
    value = context.environ.get("HSA_OVERRIDE_GFX_VERSION", "").strip()
    if not value or not found:
        return found
    parts = [ascii_int(p, 2) for p in value.split(".")]
    if len(parts) != 3 or None in parts:
        context.notes.append(f"HSA_OVERRIDE_GFX_VERSION={value[:40]!r} is not major.minor.stepping; ignored")
        return found
    major, minor, step = (p or 0 for p in parts)
    target = gfx_name(major * 10000 + minor * 100 + step)
    context.notes.append(f"HSA_OVERRIDE_GFX_VERSION={value} makes every AMD GPU run as {target}")
    for d in found:
        d.note = f"{d.arch} runs as {target} (HSA_OVERRIDE_GFX_VERSION)"
        d.arch, d.arch_source = target, "HSA_OVERRIDE_GFX_VERSION"
    return found


def _visible(context: ProbeContext, found: list[Device]) -> list[Device]:
    for var in ("ROCR_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES"):
        value = context.environ.get(var)
        if value is None or not found:
            continue
        indices = [ascii_int(e, 4) for e in value.split(",")]
        kept = [found[i] for i in indices if i is not None and i < len(found)]
        context.notes.append(f"{var}={value[:40]!r} leaves {len(kept)} of {len(found)} AMD GPU(s) visible")
        found = kept
    return found
