"""The torch build an environment has (label, backend, CUDA major), findings, and the fixes' pins and commands."""

from __future__ import annotations

import shlex
from dataclasses import asdict, dataclass, field
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import Version

from hatch_torch.data.family import Family, Member
from hatch_torch.data.model import ReleaseData
from hatch_torch.doctor.environment import Environment

ERROR, WARNING = "error", "warning"


@dataclass
class Finding:
    """One thing that does not fit, and how to fix it."""

    check: str  # companion, pyg, nvidia, conflict, cpu-on-gpu, driver
    severity: str
    message: str
    fix: str
    packages: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TorchBuild:
    version: Version
    backend: str  # the label, or for an unlabelled (PyPI) build the backend it amounts to (cu128, cpu)
    kind: str  # cpu, cuda, rocm, xpu, or a plugin kind
    cuda_major: int | None
    pypi: bool  # the wheel carries no label

    @property
    def release(self) -> Version:
        return Version(self.version.public)

    def describe(self) -> str:
        return f"torch {self.version}" + (f" (the {self.backend} build from PyPI)" if self.pypi else "")


def cuda_major(backend: str) -> int | None:
    """cu128 -> 12, cu130 -> 13, cu118 -> 11."""
    digits = backend[2:]
    return int(digits[:-1]) if backend.startswith("cu") and digits.isdigit() and len(digits) >= 2 else None


def torch_build(env: Environment, data: ReleaseData) -> TorchBuild | None:
    torch = env.get("torch")
    if torch is None:
        return None
    label = torch.label
    if label:
        kind = str(data.backends.get(label, {}).get("kind") or _kind(label))
        return TorchBuild(torch.version, label, kind, cuda_major(label), False)
    backend = "cpu"
    for req in env.requirements(torch):
        name = canonicalize_name(req.name)
        pinned = [s.version for s in req.specifier if s.operator == "=="]
        if pinned and (name == "cuda-toolkit" or name.startswith("nvidia-cuda-runtime")):
            release = Version(pinned[0].rstrip(".*")).release
            backend = f"cu{release[0]}{release[1] if len(release) > 1 else 0}"
            break
    kind = "cuda" if backend != "cpu" else "cpu"
    return TorchBuild(torch.version, backend, kind, cuda_major(backend), True)


def _kind(label: str) -> str:
    for prefix, kind in (("cu", "cuda"), ("rocm", "rocm"), ("xpu", "xpu"), ("cpu", "cpu")):
        if label.startswith(prefix):
            return kind
    return label


def expected_version(member: Member, build: TorchBuild, data: ReleaseData, env: Environment) -> str | None:
    """The member's version that goes with this torch, if the data (or torch's own metadata) says."""
    if member.versions == "release-data":
        if str(build.release) not in data.releases:
            return None
        return data.companion_version(build.release, member.name)
    if member.versions == "table":
        found = member.release_for(build.version)
        return found.version if found else None
    torch = env.get("torch")
    for req in env.requirements(torch) if torch else []:
        if canonicalize_name(req.name) == member.name:
            return str(req.specifier) or None
    return None


def expected_label(member: Member, build: TorchBuild, data: ReleaseData, platform: str) -> str:
    if member.versions == "release-data":
        if build.pypi:
            return ""
        if str(build.release) in data.releases:
            labels = data.labels(build.release, build.backend, member.name)
            if platform in labels:
                return labels[platform]
    if build.pypi and member.label == "{backend}":
        return ""
    return member.expected_label(build.backend, build.release)


def pin(name: str, version: str | None, label: str) -> str:
    if version is None:
        return name
    if version[:1] in "<>=!~":
        return f"{name}{version}"
    return f"{name}=={version}" + (f"+{label}" if label else "")


def install(env: Environment, pins: list[str], *, index: str | None = None, find_links: str | None = None) -> str:
    """The command that installs ``pins`` into the environment."""
    words = ["uv", "pip", "install", "--python", env.python, *pins]
    if index:
        words += ["--index-url", index]
    if find_links:
        words += ["--find-links", find_links]
    return shlex.join(words)


def backend_pins(env: Environment, data: ReleaseData, family: Family, build: TorchBuild, backend: str) -> list[str]:
    """torch and the installed companions that live on the PyTorch indexes, pinned for ``backend``."""
    release = build.release
    labels = data.labels(release, backend, "torch") if str(release) in data.releases else {}
    target = TorchBuild(build.version, backend, _kind(backend), cuda_major(backend), False)
    out = [pin("torch", str(release), labels.get(env.platform, backend))]
    for name in sorted(env.dists):
        member = family.member(name)
        if member is None or member.where != "pytorch" or not member.label:
            continue
        out.append(
            pin(name, expected_version(member, target, data, env), expected_label(member, target, data, env.platform))
        )
    return out
