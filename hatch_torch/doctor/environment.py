"""An installed environment as its own interpreter sees it: distributions, versions, requirements, markers."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from functools import cached_property

from packaging.markers import InvalidMarker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from hatch_torch.util.errors import HatchTorchError

#: Run by the target interpreter: importlib.metadata only (Python >= 3.8), no import of torch.
SCRIPT = r"""
import importlib.metadata as m, json, os, platform, sys
dists = []
for d in m.distributions():
    name = d.metadata["Name"]
    if name:
        dists.append({"name": name, "version": d.version, "requires": list(d.requires or [])})
impl = sys.implementation
info = impl.version
markers = {
    "implementation_name": impl.name,
    "implementation_version": "%d.%d.%d" % (info.major, info.minor, info.micro),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}
print(json.dumps({"executable": sys.executable, "markers": markers, "dists": dists}))
"""


class ReadError(HatchTorchError):
    """The interpreter could not be run or did not answer."""


@dataclass(frozen=True)
class Dist:
    name: str  # canonical
    version: Version
    requires: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.version.local or ""


@dataclass
class Environment:
    python: str
    markers: dict[str, str]
    dists: dict[str, Dist] = field(default_factory=dict)

    def get(self, name: str) -> Dist | None:
        return self.dists.get(canonicalize_name(name))

    @cached_property
    def platform(self) -> str:
        """The release data's platform key for this interpreter (linux_x86_64, win_amd64, macos_arm64...)."""
        system, machine = self.markers.get("sys_platform", ""), self.markers.get("platform_machine", "").lower()
        machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
        if system.startswith("linux"):
            return f"linux_{machine}"
        if system == "darwin":
            return "macos_arm64" if machine == "aarch64" else f"macos_{machine}"
        if system == "win32":
            return "win_arm64" if machine == "aarch64" else "win_amd64"
        return f"{system}_{machine}"

    def requirements(self, dist: Dist) -> list[Requirement]:
        """``dist``'s requirements that apply in this environment (markers evaluated, extras left out)."""
        out = []
        for text in dist.requires:
            try:
                req = Requirement(text)
                if req.marker is None or req.marker.evaluate({**self.markers, "extra": ""}):
                    out.append(req)
            except (InvalidRequirement, InvalidMarker):
                continue
        return out

    def requirers(self, name: str) -> list[str]:
        """Installed distributions that require ``name`` here."""
        target = canonicalize_name(name)
        return sorted(
            d.name
            for d in self.dists.values()
            if any(canonicalize_name(r.name) == target for r in self.requirements(d))
        )


def parse(answer: dict[str, object], python: str) -> Environment:
    markers = {str(k): str(v) for k, v in dict(answer["markers"]).items()}  # type: ignore[call-overload]
    env = Environment(str(answer.get("executable") or python), markers)
    for item in answer["dists"]:  # type: ignore[attr-defined]
        name = canonicalize_name(item["name"])
        if name in env.dists:
            continue  # the first on sys.path is the one imported
        try:
            version = Version(item["version"])
        except InvalidVersion:
            continue
        env.dists[name] = Dist(name, version, tuple(item.get("requires") or ()))
    return env


def read(python: str, timeout: float = 60) -> Environment:
    """Ask ``python`` what it has installed."""
    try:
        done = subprocess.run(
            [python, "-I", "-c", SCRIPT], capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReadError(f"--python {python}: could not run it ({exc}). Fix: pass a Python interpreter.") from None
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise ReadError(
            f"--python {python}: it failed to list its packages ({tail[0]}). Fix: pass a Python >= 3.8 interpreter."
        )
    try:
        return parse(json.loads(done.stdout), python)
    except (ValueError, KeyError, TypeError) as exc:
        raise ReadError(f"--python {python}: unreadable answer ({exc}).") from None
