"""Overrides for GPU-less build hosts and simulation: env vars that describe the machine.

An override settles its vendor: that vendor's probes are skipped and the stated facts are used.
"""

from __future__ import annotations

import re

from hatch_torch.detection.probe import Device, ProbeContext, ProbeFailure
from hatch_torch.plugins.marker import hookimpl
from hatch_torch.util.patterns import lazy

#: (variable, meaning); the first set variable of each group wins
DRIVER_VARS = ("HATCH_TORCH_CUDA_DRIVER", "UV_CUDA_DRIVER_VERSION")
CUDA_VARS = ("HATCH_TORCH_CUDA_VERSION", "CONDA_OVERRIDE_CUDA", "NV_VARIANT_PROVIDER_FORCE_CUDA_DRIVER_VERSION")
ARCH_VARS = ("HATCH_TORCH_CUDA_ARCH", "NV_VARIANT_PROVIDER_FORCE_SM_ARCH")
GFX_VARS = ("HATCH_TORCH_GFX", "UV_AMD_GPU_ARCHITECTURE")
XPU_VAR = "HATCH_TORCH_XPU"

#: ASCII digits only, a few per part: full-width digits and thousand-digit runs are refused
_VERSION = lazy(r"[0-9]{1,5}(\.[0-9]{1,4}){0,2}", re.ASCII)
_GFX = lazy(r"gfx[0-9a-f]{3,4}", re.ASCII)


def shown(value: str) -> str:
    """``value`` quoted for a message, cut at 40 characters."""
    return repr(value[:40]) + ("..." if len(value) > 40 else "")


def _first(context: ProbeContext, names: tuple[str, ...]) -> tuple[str, str] | None:
    for name in names:
        if name in context.environ:
            return name, context.environ[name].strip()
    return None


def compute_capability(text: str) -> str:
    """'8.6', '86', 'sm_86', 'sm_120', '12.0' -> '8.6' / '12.0'."""
    value = text.strip().lower().removeprefix("sm_").removeprefix("compute_")
    if re.fullmatch(r"[0-9]{1,2}\.[0-9]", value, re.ASCII):
        return value
    if re.fullmatch(r"[0-9]{2,3}", value, re.ASCII):
        return f"{value[:-1]}.{value[-1]}"
    raise ProbeFailure(f"{shown(text)} is not a compute capability (write 8.6, 86 or sm_86)")


#: every variable an override reads: without one of them set (the usual case) there is nothing to do
_ALL = (*DRIVER_VARS, *CUDA_VARS, *ARCH_VARS, *GFX_VARS, XPU_VAR)


@hookimpl(tryfirst=True)
def hatch_torch_probe(context: ProbeContext) -> None:
    environ = context.environ
    for name in _ALL:
        if name in environ:
            break
    else:
        return
    _nvidia(context)
    _amd(context)
    _intel(context)


def _nvidia(context: ProbeContext) -> None:
    driver = _first(context, DRIVER_VARS)
    cuda = _first(context, CUDA_VARS)
    arch = _first(context, ARCH_VARS)
    if not (driver or cuda or arch):
        return
    with context.probe("overrides.nvidia") as say:
        stated = []
        if driver:
            name, value = driver
            if not _VERSION.fullmatch(value):
                raise ProbeFailure(f"{name}={shown(value)} is not a driver version (write e.g. 580.65.06)")
            context.versions["nvidia_driver"] = value
            stated.append(f"{name}={value}")
        if cuda:
            name, value = cuda
            if value and not _VERSION.fullmatch(value):
                raise ProbeFailure(f"{name}={shown(value)} is not a CUDA version (write e.g. 12.8)")
            if value:
                context.versions["cuda_driver"] = value
            stated.append(f"{name}={value!r}")
        caps = [compute_capability(c) for c in arch[1].replace(";", ",").split(",") if c.strip()] if arch else []
        if arch:
            stated.append(f"{arch[0]}={arch[1]}")
        context.settled.add("nvidia")
        if cuda and not cuda[1] and not driver and not caps:
            say("found", f"{cuda[0]} is set and empty: no NVIDIA GPU")
            return
        for i, cap in enumerate(caps or [""]):
            context.devices.append(
                Device(
                    "nvidia",
                    "cuda",
                    "NVIDIA GPU (override)",
                    cap,
                    index=i,
                    source="overrides.nvidia",
                    arch_source=arch[0] if arch else "",
                )
            )
        say("found", ", ".join(stated) + ("" if caps else "; compute capability not stated"))


def _amd(context: ProbeContext) -> None:
    gfx = _first(context, GFX_VARS)
    if not gfx:
        return
    with context.probe("overrides.amd") as say:
        name, value = gfx
        targets = [t.strip().lower() for t in value.replace(";", ",").split(",") if t.strip()]
        bad = [shown(t) for t in targets if not _GFX.fullmatch(t)]
        if bad:
            raise ProbeFailure(f"{name}={shown(value)}: {', '.join(bad)} is not a gfx target (write e.g. gfx1100)")
        context.settled.add("amd")
        for i, target in enumerate(targets):
            context.devices.append(
                Device("amd", "rocm", "AMD GPU (override)", target, index=i, source="overrides.amd", arch_source=name)
            )
        say("found", f"{name}={value}")


def _intel(context: ProbeContext) -> None:
    value = context.environ.get(XPU_VAR, "").strip().lower()
    if not value:
        return
    with context.probe("overrides.intel") as say:
        if value not in ("0", "1", "false", "true", "no", "yes"):
            raise ProbeFailure(f"{XPU_VAR}={shown(value)} must be 1 (an XPU-capable Intel GPU) or 0 (ignore Intel)")
        context.settled.add("intel")
        if value in ("1", "true", "yes"):
            context.devices.append(
                Device("intel", "xpu", "Intel GPU (override)", "xpu", source="overrides.intel", arch_source=XPU_VAR)
            )
            say("found", f"{XPU_VAR}={value}: an XPU-capable Intel GPU")
        else:
            say("found", f"{XPU_VAR}={value}: Intel GPUs ignored")
