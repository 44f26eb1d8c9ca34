"""Wheels for a site: read (METADATA capped, regular files only), found in ``hatch-torch build`` output, merged."""

from __future__ import annotations

import hashlib
import stat
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from hatch_torch.data.model import load
from hatch_torch.util.fsread import kind, open_regular

#: the largest METADATA read from a wheel (torch's is about 30 kB)
MAX_METADATA = 4 << 20


@dataclass
class Wheel:
    backend: str
    filename: str
    project: str  # canonical name
    version: str
    path: Path  # where the bytes are read from
    sha256: str
    size: int
    metadata: bytes
    requires_python: str | None
    origin: str  # for messages: the input path or "SITE/..."

    @property
    def metadata_sha256(self) -> str:
        return hashlib.sha256(self.metadata).hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open_regular(path) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_member(zf: zipfile.ZipFile, name: str, limit: int = MAX_METADATA) -> bytes:
    """A member's bytes, refused (ValueError) beyond ``limit`` without inflating more than that."""
    if zf.getinfo(name).file_size > limit:
        raise ValueError(f"{name} inflates to {zf.getinfo(name).file_size} bytes (more than {limit})")
    with zf.open(name) as member:
        data = member.read(limit + 1)
    if len(data) > limit:  # the size in the zip directory lied
        raise ValueError(f"{name} inflates to more than {limit} bytes")
    return data


def read_wheel(path: Path, backend: str, origin: str, problems: list[str]) -> Wheel | None:
    try:
        name, version, _build, _tags = parse_wheel_filename(path.name)
    except InvalidWheelFilename as exc:
        problems.append(f"{origin}: not a valid wheel file name ({exc}). Fix: remove it or rename it as built.")
        return None
    project = canonicalize_name(name)
    try:
        with open_regular(path) as f, zipfile.ZipFile(f) as zf:
            candidates = [
                n
                for n in zf.namelist()
                if n.count("/") == 1 and n.endswith(".dist-info/METADATA") and _dist_info_name(n) == project
            ]
            if len(candidates) != 1:
                problems.append(f"{origin}: has {len(candidates)} METADATA files for {project}. Fix: rebuild it.")
                return None
            metadata = read_member(zf, candidates[0])
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        problems.append(f"{origin}: cannot be read as a wheel ({exc}). Fix: remove it or rebuild it.")
        return None
    headers = HeaderParser().parsestr(metadata.decode("utf-8", "replace"))
    meta_name, meta_version = headers.get("Name", ""), headers.get("Version", "")
    if canonicalize_name(meta_name) != project or _norm_version(meta_version) != str(version):
        problems.append(
            f"{origin}: name conflict: the file name says {project} {version}, its METADATA says "
            f"{meta_name} {meta_version}. Fix: rebuild it instead of renaming it."
        )
        return None
    label = (version.local or "").rsplit(".", 1)[-1]
    if label and label in load().backends and label != backend:
        problems.append(
            f"{origin}: the wheel is labelled +{label} but sits in the {backend} index. "
            f"Fix: move it to {label}/ (or rebuild it with TORCH_BACKEND={backend})."
        )
        return None
    requires_python = headers.get("Requires-Python")
    try:
        sha256, size = _sha256(path), path.stat().st_size
    except OSError as exc:
        problems.append(f"{origin}: cannot be read ({exc}). Fix: remove it or rebuild it.")
        return None
    return Wheel(
        backend=backend,
        filename=path.name,
        project=project,
        version=str(version),
        path=path,
        sha256=sha256,
        size=size,
        metadata=metadata,
        requires_python=requires_python.strip() if requires_python else None,
        origin=origin,
    )


def _dist_info_name(member: str) -> str:
    stem = member.split("/", 1)[0][: -len(".dist-info")]
    return canonicalize_name(stem.rsplit("-", 1)[0]) if "-" in stem else ""


def _norm_version(text: str) -> str:
    try:
        return str(Version(text))
    except InvalidVersion:
        return text


def scan_input(directory: Path, problems: list[str]) -> list[Wheel]:
    """The wheels under ``directory``: ``<backend>/*.whl``, or ``*.whl`` labelled ``+<backend>``.

    A backend folder may be a symlink (it is followed, one level); hidden entries are skipped; anything else,
    special files and deeper folders included, is reported.
    """
    backends = load().backends
    wheels: list[Wheel] = []
    foreign: list[str] = []
    for rel, path in _entries(directory, backends, foreign):
        if len(rel.parts) == 2:
            backend = rel.parts[0]
        else:
            try:
                label = (parse_wheel_filename(path.name)[1].local or "").rsplit(".", 1)[-1]
            except InvalidWheelFilename:
                label = None
            if not label or label not in backends:
                problems.append(
                    f"{rel}: cannot tell its backend (no +<backend> label in its version). "
                    f"Fix: put it in {directory}/<backend>/ (as `hatch-torch build` does) or build it with "
                    f"tool.hatch.metadata.hooks.torch.local-version = true."
                )
                continue
            backend = label
        wheel = read_wheel(path, backend, str(rel), problems)
        if wheel:
            wheels.append(wheel)
    if foreign:
        problems.append(
            f"{directory} holds files that are not wheels of a backend: {', '.join(foreign[:10])}"
            f"{' ...' if len(foreign) > 10 else ''}. Fix: give a directory with only <backend>/*.whl "
            f"(or +<backend>-labelled *.whl), e.g. the --out of `hatch-torch build`."
        )
    return wheels


def _entries(directory: Path, backends: Mapping[str, object], foreign: list[str]) -> list[tuple[Path, Path]]:
    """(relative path, path) of the regular ``*.whl`` files in ``directory`` and its backend folders."""
    found: list[tuple[Path, Path]] = []

    def visit(folder: Path, prefix: Path, depth: int) -> None:
        for entry in sorted(folder.iterdir()):
            rel = prefix / entry.name
            if entry.name.startswith("."):
                continue
            try:
                mode = entry.stat().st_mode  # follows a symlink: a linked backend folder or wheel is used
            except OSError:
                foreign.append(f"{rel} (a dangling symlink)")
                continue
            if stat.S_ISDIR(mode) and depth == 0 and entry.name in backends:
                visit(entry, rel, 1)
            elif stat.S_ISREG(mode) and entry.suffix == ".whl":
                found.append((rel, entry))
            else:
                foreign.append(f"{rel} ({kind(mode)})" if not stat.S_ISREG(mode) else str(rel))

    visit(directory, Path(), 0)
    return found


def merge(existing: list[Wheel], incoming: list[Wheel], problems: list[str]) -> tuple[list[Wheel], list[Wheel]]:
    by_key: dict[tuple[str, str], Wheel] = {(w.backend, w.filename): w for w in existing}
    added: list[Wheel] = []
    for wheel in incoming:
        key = (wheel.backend, wheel.filename)
        other = by_key.get(key)
        if other is None:
            by_key[key] = wheel
            added.append(wheel)
        elif other.sha256 != wheel.sha256:
            problems.append(
                f"{wheel.origin}: hash conflict with {other.origin} in the {wheel.backend} index: same file name, "
                f"different content (sha256 {wheel.sha256[:12]}... vs {other.sha256[:12]}...). Fix: bump the "
                f"version (a published file must not change) or remove one of them."
            )
    fresh = {id(w) for w in added}
    return added, [w for w in by_key.values() if id(w) not in fresh]
