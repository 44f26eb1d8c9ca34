"""Expectations for the integration tests, computed from the release data independently of the resolver.

The oracle (:func:`expected_versions`) reads the data directly: the newest torch release on the backend that
satisfies the project's torch specifier, its companions, and the label the backend's index gives each
platform (bare where the label is ``""`` or where the backend has no wheel: the ``pypi`` fallback).
:func:`active` evaluates requirement markers per platform, so METADATA can be compared with what
``hatch_torch.resolve`` / ``hatch-torch pins`` print without depending on how the markers are spelled.
"""

from __future__ import annotations

import copy
import platform as host
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import tomlkit
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from hatch_torch.data.model import ReleaseData, load

FAMILY = ("torch", "torchvision", "torchaudio")
#: platform key -> (sys_platform, platform_machine, platform_system) as Python reports them there; written out
#: here (not taken from hatch_torch.pins.platforms) so a wrong marker in the package cannot agree with itself
PLATFORMS = {
    "linux_x86_64": ("linux", "x86_64", "Linux"),
    "linux_aarch64": ("linux", "aarch64", "Linux"),
    "macos_arm64": ("darwin", "arm64", "Darwin"),
    "macos_x86_64": ("darwin", "x86_64", "Darwin"),
    "win_amd64": ("win32", "AMD64", "Windows"),
    "win_arm64": ("win32", "ARM64", "Windows"),
}
#: uv --python-platform target -> platform key of the release data
UV_TARGETS = {
    "x86_64-manylinux_2_28": "linux_x86_64",
    "aarch64-manylinux_2_28": "linux_aarch64",
    "aarch64-apple-darwin": "macos_arm64",
    "x86_64-pc-windows-msvc": "win_amd64",
}
#: Python versions the marker tables are evaluated for (3.9 is below the samples' python_version markers)
PYTHONS = ("3.9", "3.12")


def hook_settings(project: Path) -> dict[str, Any]:
    """``[tool.hatch.metadata.hooks.torch]`` of a project as plain Python data."""
    document = tomlkit.parse((project / "pyproject.toml").read_text(encoding="utf-8"))
    settings: dict[str, Any] = document["tool"]["hatch"]["metadata"]["hooks"]["torch"].unwrap()
    return settings


def hook_groups(project: Path) -> dict[str, list[str]]:
    """The requirement groups as the resolver takes them: ``dependencies``, ``optional-dependencies.<x>``."""
    settings = hook_settings(project)
    groups = {"dependencies": list(settings.get("dependencies", []))}
    for extra, reqs in settings.get("optional-dependencies", {}).items():
        groups[f"optional-dependencies.{extra}"] = list(reqs)
    return groups


def environment(platform: str, python: str = "3.12", extra: str = "") -> dict[str, str]:
    """A PEP 508 marker environment for a platform key of the data."""
    sys_platform, machine, system = PLATFORMS[platform]
    return {
        "sys_platform": sys_platform,
        "platform_machine": machine,
        "platform_system": system,
        "os_name": "nt" if sys_platform == "win32" else "posix",
        "python_version": python,
        "python_full_version": f"{python}.0",
        "platform_release": "22.6.0" if sys_platform == "darwin" else "6.1.0",  # macOS 13 on a Mac
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "extra": extra,
    }


def active(lines: Iterable[str], env: Mapping[str, str]) -> list[str]:
    """The requirements (without markers) that apply in ``env``, sorted."""
    out = []
    for line in lines:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(dict(env)):
            extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
            out.append(f"{canonicalize_name(req.name)}{extras}{req.specifier}")
    return sorted(out)


def table(base: list[str], extras: Mapping[str, list[str]], platforms: Iterable[str]) -> dict[str, list[str]]:
    """Active requirements per (platform, python, extra) for requirements given as base + per-extra lists.

    Lines in ``extras[x]`` apply only when extra ``x`` is requested; ``base`` lines may carry their own
    ``extra ==`` markers (as METADATA's do).
    """
    out: dict[str, list[str]] = {}
    for platform in platforms:
        for python in PYTHONS:
            for extra in ("", *extras):
                env = environment(platform, python, extra)
                lines = active(base, env) + (active(extras[extra], env) if extra else [])
                out[f"{platform} py{python} [{extra}]"] = sorted(lines)
    return out


def _serves(data: ReleaseData, torch: Version, index: str, platform: str, python: str, macos: int | None) -> bool:
    """The index has a torch wheel of this release for the platform, CPython and macOS (per the data)."""
    release = data.releases[str(torch)]
    if platform not in data.labels(torch, index, "torch"):
        return False
    wheel = release.get("wheels", {}).get(platform)
    if python not in (wheel["python"] if wheel else release["python"]):
        return False
    if macos is None or not wheel or "macos" not in wheel:
        return True
    return int(wheel.get("macos_python", {}).get(python, wheel["macos"]).split(".")[0]) <= macos


def pick_for(
    data: ReleaseData, backend: str, specifier: str, platform: str, python: str = "3.12", macos: int | None = 13
) -> tuple[str, str]:
    """(torch release, index) for one machine: the newest on the backend's releases that some index serves
    there (the backend's, else PyPI); on a platform the backend never serves, PyPI's own releases too."""
    spec = SpecifierSet(specifier)
    own = data.releases_for(backend)
    tries = [(v, backend if platform in data.labels(v, backend, "torch") else "pypi") for v in own]
    if not any(platform in data.labels(v, backend, "torch") for v in own):
        tries += [(v, "pypi") for v in data.releases_for("pypi")]
    for version, index in tries:
        if spec.contains(version) and _serves(data, version, index, platform, python, macos):
            return str(version), index
    raise LookupError(f"no torch release for {backend} satisfies {specifier!r} on {platform} py{python}")


def companion_for(
    data: ReleaseData, package: str, torch: str, index: str, platform: str, python: str, macos: int | None
) -> str | None:
    """The newest release of a companion that declares ``torch`` and that the index has for the machine."""
    rows = data.raw.get("companions", {}).get(package, {})
    for version in sorted(rows, key=Version, reverse=True):
        row = rows[version]
        if not SpecifierSet(row["torch"]).contains(torch):
            continue
        wheel = row["wheels"].get(platform)
        fits = bool(wheel) and python in wheel["python"]
        if fits and macos is not None and wheel and "macos" in wheel:
            fits = int(wheel.get("macos_python", {}).get(python, wheel["macos"]).split(".")[0]) <= macos
        if index == "pypi":
            if fits:
                return version
            continue
        for release in data.releases.values():
            label = release["backends"].get(index, {}).get(package, {}).get(platform)
            if release["versions"].get(package) == version and label is not None and (fits or wheel is None):
                return f"{version}+{label}" if label else version
    return None


def machine_versions(
    data: ReleaseData, backend: str, groups: dict[str, list[str]], platform: str, python: str, macos: int | None
) -> dict[str, str] | None:
    """package -> version (with label) a machine gets for simple requirement groups (one spec per package,
    no markers), or None where nothing serves it: the newest torch whose companions all exist there."""
    specs: dict[str, SpecifierSet] = {}
    for reqs in groups.values():
        for line in reqs:
            req = Requirement(line)
            specs[canonicalize_name(req.name)] = specs.get(canonicalize_name(req.name), SpecifierSet()) & req.specifier
    own = data.releases_for(backend)
    tries = [(v, backend if platform in data.labels(v, backend, "torch") else "pypi") for v in own]
    if not any(platform in data.labels(v, backend, "torch") for v in own):
        tries += [(v, "pypi") for v in data.releases_for("pypi")]
    for version, index in tries:
        if not specs.get("torch", SpecifierSet()).contains(version):
            continue
        if not _serves(data, version, index, platform, python, macos):
            continue
        label = data.labels(version, index, "torch")[platform]
        out = {"torch": f"{version}+{label}" if label else str(version)}
        for package, spec in specs.items():
            mate = (
                None
                if package == "torch"
                else companion_for(data, package, str(version), index, platform, python, macos)
            )
            if mate and spec.contains(mate.split("+")[0]):
                out[package] = mate
        if set(out) >= set(specs):
            return out
    return None


def pick_torch(data: ReleaseData, backend: str, specifier: str) -> str:
    """The torch release Linux x86_64 with CPython 3.12 gets."""
    return pick_for(data, backend, specifier, "linux_x86_64")[0]


def expected_versions(
    data: ReleaseData, backend: str, specifier: str, platform: str, python: str = "3.12", macos: int | None = 13
) -> dict[str, str]:
    """package -> the exact version (with label, if the index has one) a machine should get (macOS 13: what
    uv's ``--python-platform`` targets)."""
    torch, index = pick_for(data, backend, specifier, platform, python, macos)
    release = data.releases[torch]
    versions = {"torch": torch, **release["versions"]}
    out = {}
    for package, version in versions.items():
        label = release["backends"].get(index, {}).get(package, {}).get(platform) if index != "pypi" else ""
        out[package] = f"{version}+{label}" if label else version
    return out


def torch_specifier(project: Path) -> str:
    """The project's torch specifier (without markers)."""
    for reqs in hook_groups(project).values():
        for line in reqs:
            req = Requirement(line)
            if canonicalize_name(req.name) == "torch":
                return str(req.specifier)
    return ""


def triton_package(data: ReleaseData, backend: str, torch: str) -> str | None:
    """The triton distribution the backend's torch wheel pulls in on Linux, per the data's rules."""
    kind = data.backends[backend]["kind"]
    if kind == "cuda":
        return "triton"
    for rule in data.raw.get("triton", []):
        if rule["kind"] == kind and SpecifierSet(rule["torch"]).contains(torch):
            package: str = rule["package"]
            return package
    return None


def host_platform() -> str | None:
    """This machine's platform key, if the data knows it."""
    machine = host.machine()
    for key, (sys_platform, platform_machine, _) in PLATFORMS.items():
        if sys.platform == sys_platform and machine in (platform_machine, platform_machine.lower()):
            return key
    return None


def release_data_with(new: str, template: str) -> dict[str, Any]:
    """The bundled data plus release ``new``: a copy of ``template`` with companions one minor release up."""
    raw = copy.deepcopy(load().raw)
    release = copy.deepcopy(raw["releases"][template])
    release["versions"] = {name: _next_minor(version) for name, version in release["versions"].items()}
    raw["releases"][new] = release
    return raw


def _next_minor(version: str) -> str:
    major, minor, *_ = version.split(".")
    return f"{major}.{int(minor) + 1}.0"
