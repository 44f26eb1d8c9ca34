"""Regenerate the release data from a PyTorch-style index, so a new release needs no code change."""

from __future__ import annotations

import datetime
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import Version

from hatch_torch.data.model import load
from hatch_torch.data.where import DATA_ENV, USER_FILE, user_data_dir
from hatch_torch.util.atomic import write_text
from hatch_torch.util.errors import ConfigurationError
from hatch_torch.util.urls import check_index_url, redact

FIRST = Version("2.0.0")
#: offset between torch and torchvision minor versions (torch 2.10 <-> torchvision 0.25)
VISION_OFFSET = 15
_PY = re.compile(r"^cp(\d)(\d+)(t?)$")

Found = dict[str, dict[str, dict[str, str]]]  # package -> version -> platform -> label


def read_backend(index_url: str, backend: str, packages: list[str]) -> tuple[Found, dict[str, set[str]]]:
    """Wheels per package/version/platform on one backend's index, and the CPython tags per torch version.
    A torch page that answers 404 is an error (a companion's may be missing)."""
    from hatch_torch.data.simple_index import project_files
    from hatch_torch.util.errors import HatchTorchError

    found: Found = {}
    pythons: dict[str, set[str]] = {}
    for package in packages:
        url = f"{index_url.rstrip('/')}/{backend}/{package}/"
        files = project_files(url)
        if files is None and package == "torch":
            raise HatchTorchError(
                f"{redact(url)} answered 404: the index has no torch for backend {backend}. "
                f"Fix: check --index-url, or leave {backend} out with --backend (repeatable) naming the others."
            )
        for filename in files or []:
            try:
                _, version, _, tags = parse_wheel_filename(filename)
            except InvalidWheelFilename:
                continue
            label = version.local or ""
            # Only the backend's own label (or none) is canonical: git-hash labels are stray builds.
            if version.is_prerelease or version.is_devrelease or label not in ("", backend):
                continue
            public = version.public
            if package == "torch" and version < FIRST:
                continue
            for tag in tags:
                platform = platform_of(tag.platform)
                if platform is None:
                    continue
                found.setdefault(package, {}).setdefault(public, {})[platform] = label
                if package == "torch" and (m := _PY.match(tag.abi if tag.abi.startswith("cp") else tag.interpreter)):
                    pythons.setdefault(public, set()).add(f"{m[1]}.{m[2]}{m[3]}")
    return found, pythons


def _series(package: str, torch: Version) -> tuple[int, ...]:
    """The companion's release series for a torch release (torch 2.10 -> torchvision 0.25, torchaudio 2.10)."""
    return (0, torch.minor + VISION_OFFSET) if package == "torchvision" else torch.release[:2]


def _pair(package: str, torch_versions: list[Version], companions: list[Version]) -> dict[str, str]:
    """Pair torch patch releases with a companion's, series by series, in release order."""
    pairs: dict[str, str] = {}
    for torch in torch_versions:
        series = sorted(v for v in torch_versions if v.release[:2] == torch.release[:2])
        mates = sorted(c for c in companions if c.release[:2] == _series(package, torch))
        if mates:
            pairs[str(torch)] = str(mates[min(series.index(torch), len(mates) - 1)])
    return pairs


def _python_key(tag: str) -> tuple[bool, int, int]:
    """3.10 ... 3.14, then the free-threaded 3.13t, 3.14t (the order of the data file)."""
    major, minor = tag.rstrip("t").split(".")
    return tag.endswith("t"), int(major), int(minor)


def _read_all(index_url: str, names: list[str], packages: list[str]) -> dict[str, tuple[Found, dict[str, set[str]]]]:
    """Every backend's pages, read in parallel; every failure is collected into one error."""
    from hatch_torch.util.errors import HatchTorchError

    def one(backend: str) -> tuple[Found, dict[str, set[str]]] | str:
        try:
            return read_backend(index_url, backend, packages)
        except HatchTorchError as exc:
            return str(exc)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = dict(zip(names, pool.map(one, names), strict=True))
    problems = [r for r in results.values() if isinstance(r, str)]
    if problems:
        raise ConfigurationError([*problems, "Nothing was written."])
    return {b: r for b, r in results.items() if not isinstance(r, str)}


def _lost(data_releases: dict[str, list[Version]], results: dict[str, tuple[Found, Any]]) -> list[str]:
    """A problem per backend whose index no longer lists torch releases the data has for it."""
    problems = []
    for backend, (found, _) in results.items():
        gone = sorted(set(data_releases.get(backend, [])) - {Version(v) for v in found.get("torch", {})})
        if gone:
            problems.append(
                f"backend {backend}: the index no longer lists torch {', '.join(map(str, gone))}, which the data "
                f"has; updating would lose them. Fix: check --index-url (a mirror may be partial), or leave "
                f"{backend} out with --backend naming the others."
            )
    return problems


def update(index_url: str, output: str | None = None, backends: list[str] | None = None) -> str:
    """Rebuild the release table from the index and write it (default: the user's data directory, which the
    hook then prefers while it is newer than the bundled data); returns a one-line summary. Any problem
    stops the update before anything is written."""
    check_index_url(index_url, "--index-url", allow_file=False)  # https, or http to this machine only
    shown = redact(index_url)
    data = load()
    raw: dict[str, Any] = json.loads(json.dumps(data.raw))
    packages: list[str] = raw["packages"]
    names = backends or [b for b, info in raw["backends"].items() if "plugin" not in info]
    results = _read_all(index_url, names, packages)
    if problems := _lost({b: data.releases_for(b) for b in names}, results):
        raise ConfigurationError([*problems, "Nothing was written."])
    tag = "IDX"
    raw["sources"][tag] = f"read from {shown} on {datetime.date.today().isoformat()}"
    releases: dict[str, dict[str, Any]] = raw["releases"]
    for release in releases.values():  # the index is the truth for the backends read
        for backend in names:
            release["backends"].pop(backend, None)
    seen: dict[str, set[Version]] = {p: set() for p in packages}
    all_pythons: dict[str, set[str]] = {}
    for backend, (found, pythons) in results.items():
        for package, versions in found.items():
            seen[package].update(Version(v) for v in versions)
        for version, tags in pythons.items():
            all_pythons.setdefault(version, set()).update(tags)
        if backend not in raw["backends"]:
            kind = "cuda" if backend.startswith("cu") else "rocm" if backend.startswith("rocm") else backend
            raw["backends"][backend] = {"kind": kind, "source": [tag]}
    torch_versions = sorted(seen["torch"])
    pairs = {p: _pair(p, torch_versions, sorted(seen[p])) for p in packages if p != "torch"}
    added = []
    for torch in torch_versions:
        key = str(torch)
        if key not in releases:
            added.append(key)
            companions = {p: pairs[p][key] for p in pairs if key in pairs[p]}
            releases[key] = {"versions": companions, "python": [], "backends": {}, "source": [tag]}
        release = releases[key]
        if all_pythons.get(key):
            release["python"] = sorted(all_pythons[key], key=_python_key)
        for backend, (found, _) in results.items():
            entry = {}
            for package in packages:
                version = key if package == "torch" else release["versions"].get(package)
                labels = found.get(package, {}).get(version or "")
                if labels:
                    entry[package] = dict(sorted(labels.items(), key=lambda kv: raw["platforms"].index(kv[0])))
            if "torch" in entry:
                release["backends"][backend] = entry
    raw["releases"] = {
        k: releases[k] for k in sorted(releases, key=Version) if releases[k]["backends"] or releases[k].get("wheels")
    }
    raw["updated"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    target = Path(output or os.environ.get(DATA_ENV) or user_data_dir() / USER_FILE)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text(target, json.dumps(raw, indent=1) + "\n")
    new = f" (new: {', '.join(added)})" if added else ""
    return f"wrote {target}: {len(raw['releases'])} torch releases{new} from {len(names)} backends at {shown}"


def platform_of(wheel_platform_tag: str) -> str | None:
    """Map a wheel platform tag (``manylinux_2_28_x86_64``, ``win_amd64``...) to a platform key."""
    tag = wheel_platform_tag.lower()
    if "linux" in tag:
        for machine in ("x86_64", "aarch64"):
            if tag.endswith(machine):
                return f"linux_{machine}"
    elif tag.startswith("macosx"):
        for machine in ("arm64", "x86_64"):
            if tag.endswith(machine):
                return f"macos_{machine}"
        if tag.endswith("universal2"):
            return "macos_arm64"
    elif tag in ("win_amd64", "win_arm64"):
        return tag
    return None
