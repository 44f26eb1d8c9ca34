"""An independent check of written pins: per machine (platform x CPython x macOS), which line applies, and
does the pinned release have a wheel there.

Labelled pins are checked against the release data's labels for the backend (or its fallback); bare pins
against ``pypi_facts.json`` (read from pypi.org's JSON API and the wheels' METADATA, checked in so the tests
need no network). Machines are written out here, not taken from hatch_torch, so a wrong marker cannot agree
with itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

FACTS = Path(__file__).with_name("pypi_facts.json")


@dataclass(frozen=True)
class Machine:
    platform: str  # platform key of the data, or e.g. "linux_ppc64le" for one it does not know
    sys_platform: str
    machine: str
    python: str
    macos: int | None = None  # macOS major on a Mac
    release: str = "6.1.0"

    def env(self, extra: str = "") -> dict[str, str]:
        system = {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}[self.sys_platform]
        return {
            "sys_platform": self.sys_platform,
            "platform_machine": self.machine,
            "platform_system": system,
            "os_name": "nt" if self.sys_platform == "win32" else "posix",
            "platform_release": self.release,
            "platform_version": "",
            "python_version": self.python,
            "python_full_version": f"{self.python}.2",
            "implementation_name": "cpython",
            "implementation_version": f"{self.python}.2",
            "platform_python_implementation": "CPython",
            "extra": extra,
        }


PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
_DARWIN = {11: "20.6.0", 12: "21.6.0", 13: "22.6.0", 14: "23.4.0", 15: "24.1.0"}


def machines(pythons: Iterable[str] = PYTHONS) -> list[Machine]:
    out = []
    for py in pythons:
        out += [
            Machine("linux_x86_64", "linux", "x86_64", py),
            Machine("linux_aarch64", "linux", "aarch64", py),
            Machine("macos_arm64", "darwin", "arm64", py, 13, _DARWIN[13]),
            Machine("macos_arm64", "darwin", "arm64", py, 14, _DARWIN[14]),
            Machine("macos_x86_64", "darwin", "x86_64", py, 13, _DARWIN[13]),
            Machine("win_amd64", "win32", "AMD64", py),
            Machine("win_arm64", "win32", "ARM64", py),
            Machine("linux_ppc64le", "linux", "ppc64le", py),
        ]
    return out


@cache
def facts() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(FACTS.read_text(encoding="utf-8"))
    return loaded


def pypi_wheel(package: str, version: str, m: Machine) -> bool:
    """True if PyPI has a wheel of ``package==version`` that installs on the machine."""
    entry = facts().get(package, {}).get(version)
    if entry is None or m.platform not in entry["platforms"]:
        return False
    wheel = entry["platforms"][m.platform]
    pythons = wheel["python"]
    if pythons == ["py3"]:
        ok = SpecifierSet(wheel.get("requires_python") or "").contains(f"{m.python}.2")
    else:
        ok = m.python in pythons
    floor = (wheel.get("macos_min_by_python") or {}).get(m.python, wheel.get("macos_min"))
    if ok and floor and m.macos is not None and m.platform.startswith("macos_arm64"):
        ok = int(floor.split(".")[0]) <= m.macos
    return bool(ok)


def declared_torch(package: str, version: str) -> SpecifierSet:
    """What a companion release declares about torch on PyPI (any torch when it declares nothing)."""
    declared = facts()[package][version]["requires_torch"]
    values = set(declared.values()) if isinstance(declared, dict) else {declared}
    spec = SpecifierSet()
    for value in values:
        spec &= SpecifierSet(",".join(s.split("+")[0] for s in str(value or "").split(",") if s))
    return spec


def applying(lines: Iterable[str], m: Machine, extra: str = "") -> dict[str, list[Requirement]]:
    """package -> the lines whose marker holds on the machine."""
    out: dict[str, list[Requirement]] = {}
    for line in lines:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(m.env(extra)):
            out.setdefault(canonicalize_name(req.name), []).append(req)
    return out


def pin_of(req: Requirement) -> tuple[str, str] | None:
    """(public version, label) of an exact pin, else None."""
    specs = list(req.specifier)
    if len(specs) != 1 or specs[0].operator != "==":
        return None
    version, _, label = specs[0].version.partition("+")
    return version, label


def newest_on_pypi(spec: SpecifierSet, m: Machine) -> str | None:
    """The newest torch on PyPI within ``spec`` with a wheel for the machine."""
    versions = sorted((Version(v) for v in facts()["torch"]), reverse=True)
    return next((str(v) for v in versions if spec.contains(v) and pypi_wheel("torch", str(v), m)), None)
