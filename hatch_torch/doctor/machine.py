"""Checks against this machine: a cpu torch where detection finds a usable GPU, a driver below the build's floor."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from packaging.version import InvalidVersion, Version

from hatch_torch.data.family import Family
from hatch_torch.data.model import ReleaseData
from hatch_torch.detection.core import Detection, detect
from hatch_torch.doctor.build import ERROR, Finding, TorchBuild, backend_pins, install
from hatch_torch.doctor.environment import Environment


def machine_findings(
    env: Environment,
    data: ReleaseData,
    family: Family,
    build: TorchBuild,
    *,
    root: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[list[Finding], Detection | None]:
    if env.platform.startswith("macos"):
        return [], None  # the macOS wheels (CPU and MPS) are the only build
    found = detect(f"=={build.release}", platform=env.platform, root=root, environ=environ)
    out: list[Finding] = []
    if build.kind == "cpu" and found.backend != "cpu":
        out.append(_switch(env, data, family, build, found, f"{build.describe()} is a cpu build, but this machine "))
    elif build.kind == "cuda" and build.backend in data.backends:
        floor = _floor(data, build.backend, found)
        driver = found.versions.get("nvidia_driver", "")
        if floor and _older(driver, floor):
            why = f"{build.describe()} needs an NVIDIA driver >= {floor}, found {driver}; "
            if found.backend not in ("cpu", build.backend):
                out.append(_switch(env, data, family, build, found, why + "this machine "))
            else:
                fix = f"upgrade the NVIDIA driver to {floor} or newer"
                out.append(Finding("driver", ERROR, why + "no other build of this torch fits it", fix, ["torch"]))
    return out, found


def _switch(
    env: Environment, data: ReleaseData, family: Family, build: TorchBuild, found: Detection, start: str
) -> Finding:
    devices = ", ".join(d.name or d.vendor for d in found.devices if d.kind) or "a GPU"
    message = f"{start}has {devices}: detection chooses {found.backend} for torch {build.release}"
    pins = backend_pins(env, data, family, build, found.backend)
    fix = install(env, pins, index=data.index_url(found.backend))
    return Finding(
        "cpu-on-gpu" if build.kind == "cpu" else "driver", ERROR, message, fix, [p.split("=")[0] for p in pins]
    )


def _floor(data: ReleaseData, backend: str, found: Detection) -> str | None:
    os_key = "windows" if found.platform.startswith("win") or found.versions.get("wsl") == "1" else "linux"
    floor = data.backends.get(backend, {}).get("driver", {}).get(os_key)
    return str(floor) if floor else None


def _older(driver: str, floor: str) -> bool:
    try:
        return bool(driver) and Version(driver) < Version(floor)
    except InvalidVersion:
        return False
