"""The wheels of a site: read from ``hatch-torch build`` output or from an existing site, checked, merged."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from hatch_torch.data.model import load

#: What hatch-torch wrote into a site (re-runs add to it; anything else is foreign).
MANIFEST = ".hatch-torch-index.json"
PAGES = ("index.html", "index.json")


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
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_wheel(path: Path, backend: str, origin: str, problems: list[str]) -> Wheel | None:
    try:
        name, version, _build, _tags = parse_wheel_filename(path.name)
    except InvalidWheelFilename as exc:
        problems.append(f"{origin}: not a valid wheel file name ({exc}). Fix: remove it or rename it as built.")
        return None
    project = canonicalize_name(name)
    try:
        with zipfile.ZipFile(path) as zf:
            candidates = [
                n
                for n in zf.namelist()
                if n.count("/") == 1 and n.endswith(".dist-info/METADATA") and _dist_info_name(n) == project
            ]
            if len(candidates) != 1:
                problems.append(f"{origin}: has {len(candidates)} METADATA files for {project}. Fix: rebuild it.")
                return None
            metadata = zf.read(candidates[0])
    except (OSError, zipfile.BadZipFile) as exc:
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
    return Wheel(
        backend=backend,
        filename=path.name,
        project=project,
        version=str(version),
        path=path,
        sha256=_sha256(path),
        size=path.stat().st_size,
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
    """The wheels under ``directory``: ``<backend>/*.whl``, or ``*.whl`` labelled ``+<backend>``."""
    backends = load().backends
    wheels: list[Wheel] = []
    foreign: list[str] = []
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory)
        if any(part.startswith(".") for part in rel.parts) or path.is_dir():
            continue
        if path.suffix != ".whl":
            foreign.append(str(rel))
            continue
        if len(rel.parts) == 2 and rel.parts[0] in backends:
            backend = rel.parts[0]
        elif len(rel.parts) == 1:
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
        else:
            foreign.append(str(rel))
            continue
        wheel = _read_wheel(path, backend, str(rel), problems)
        if wheel:
            wheels.append(wheel)
    if foreign:
        problems.append(
            f"{directory} holds files that are not wheels of a backend: {', '.join(foreign[:10])}"
            f"{' ...' if len(foreign) > 10 else ''}. Fix: give a directory with only <backend>/*.whl "
            f"(or +<backend>-labelled *.whl), e.g. the --out of `hatch-torch build`."
        )
    return wheels


def scan_site(site: Path, problems: list[str]) -> list[Wheel]:
    """The wheels of an existing site; files hatch-torch did not write are reported as foreign."""
    if not site.exists():
        return []
    if not site.is_dir():
        problems.append(f"--out {site} is a file. Fix: give a directory path (new, empty, or an earlier index).")
        return []
    entries = [p for p in site.rglob("*") if not p.is_dir()]
    if not entries:
        return []
    manifest_path = site / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files: dict[str, dict[str, str]] = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError):
        problems.append(
            f"--out {site} is not empty and was not written by `hatch-torch index` (no valid {MANIFEST}). "
            f"Fix: choose a new or empty directory, or empty this one."
        )
        return []
    expected = {MANIFEST, "index.html"}
    for rel in files:
        backend, project, _name = rel.split("/")
        expected |= {rel, f"{rel}.metadata", f"{backend}/{project}/index.html", f"{backend}/{project}/index.json"}
        expected |= {f"{backend}/index.html", f"{backend}/index.json"}
    foreign = sorted(str(p.relative_to(site)) for p in entries if p.relative_to(site).as_posix() not in expected)
    if foreign:
        problems.append(
            f"--out {site} holds files hatch-torch did not write: {', '.join(foreign[:10])}"
            f"{' ...' if len(foreign) > 10 else ''}. Fix: move them out of the site (it is rewritten as a whole)."
        )
    wheels = []
    for rel, info in files.items():
        path = site / rel
        origin = f"{site.name}/{rel}"
        if not path.is_file():
            problems.append(f"{origin} is listed in {MANIFEST} but missing. Fix: restore it or rebuild the site.")
            continue
        wheel = _read_wheel(path, rel.split("/")[0], origin, problems)
        if wheel and wheel.sha256 != info.get("sha256"):
            problems.append(f"{origin} changed since it was indexed (sha256 differs). Fix: restore it.")
        elif wheel:
            wheels.append(wheel)
    return wheels


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
