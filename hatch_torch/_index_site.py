"""``hatch-torch index``: a static per-backend package index (PEP 503 HTML + PEP 691 JSON + PEP 658 metadata).

Layout written under ``SITE``::

    SITE/index.html                           links to the backends
    SITE/<backend>/index.html, index.json     the project list (PEP 503 / PEP 691)
    SITE/<backend>/<project>/index.html       links with #sha256=, data-requires-python, data-core-metadata
    SITE/<backend>/<project>/index.json       the same as PEP 691 JSON (api-version 1.1)
    SITE/<backend>/<project>/<wheel>          the wheel
    SITE/<backend>/<project>/<wheel>.metadata its METADATA file (PEP 658)
    SITE/.hatch-torch-index.json              what hatch-torch wrote (re-runs add to it; anything else is foreign)

The site is built in a temporary directory next to ``SITE`` and swapped in, so a failed run leaves the old one.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path
from urllib.parse import quote

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from hatch_torch._data import load
from hatch_torch._errors import HatchTorchError

MANIFEST = ".hatch-torch-index.json"
PAGES = ("index.html", "index.json")
API_VERSION = "1.1"


class SiteError(HatchTorchError):
    """Bad input for ``hatch-torch index``: every problem listed, nothing written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"- {p}" for p in problems)
        head = problems[0] if len(problems) == 1 else f"{len(problems)} problems:\n{listed}"
        super().__init__(head + "\nNothing was written.")


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


@dataclass
class Summary:
    site: Path
    added: list[Wheel] = field(default_factory=list)
    kept: list[Wheel] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        every = self.added + self.kept
        for backend in sorted({w.backend for w in every}):
            ours = [w for w in every if w.backend == backend]
            new = sum(1 for w in self.added if w.backend == backend)
            projects = ", ".join(sorted({w.project for w in ours}))
            out.append(f"{backend:<10} {len(ours)} wheel(s), {new} new: {projects}  -> {self.site / backend}/")
        return out


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


def _merge(existing: list[Wheel], incoming: list[Wheel], problems: list[str]) -> tuple[list[Wheel], list[Wheel]]:
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


def build_index(directory: Path, site: Path) -> Summary:
    """Add the wheels under ``directory`` to the static index at ``site`` (created if missing)."""
    directory, site = directory.resolve(), site.resolve()
    problems: list[str] = []
    if not directory.is_dir():
        raise SiteError([f"DIR {directory} is not a directory. Fix: give the --out of `hatch-torch build`."])
    if site == directory or site.is_relative_to(directory) or directory.is_relative_to(site):
        raise SiteError([f"--out {site} and DIR {directory} overlap. Fix: write the site to a directory outside DIR."])
    existing = scan_site(site, problems)
    incoming = scan_input(directory, problems)
    if not incoming and not problems:
        problems.append(f"DIR {directory} holds no wheels. Fix: run `hatch-torch build --out {directory}` first.")
    added, kept = _merge(existing, incoming, problems)
    if problems:
        raise SiteError(problems)
    every = sorted(added + kept, key=lambda w: (w.backend, w.project, Version(w.version), w.filename))
    site.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{site.name}.tmp-", dir=site.parent))
    try:
        _write(tmp, every, site)
        _swap(tmp, site)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise HatchTorchError(
            f"writing the site failed ({exc}); {site} is unchanged. Fix: free space or permissions, then re-run."
        ) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Summary(site, added=added, kept=kept)


def _write(root: Path, wheels: list[Wheel], site: Path) -> None:
    by_backend: dict[str, dict[str, list[Wheel]]] = {}
    for wheel in wheels:
        by_backend.setdefault(wheel.backend, {}).setdefault(wheel.project, []).append(wheel)
    manifest: dict[str, dict[str, str]] = {}
    for backend, projects in by_backend.items():
        for project, files in projects.items():
            folder = root / backend / project
            folder.mkdir(parents=True)
            for wheel in files:
                _place(wheel.path, folder / wheel.filename, link=wheel.path.is_relative_to(site))
                (folder / f"{wheel.filename}.metadata").write_bytes(wheel.metadata)
                manifest[f"{backend}/{project}/{wheel.filename}"] = {"sha256": wheel.sha256}
            (folder / "index.html").write_text(project_html(project, files), encoding="utf-8")
            (folder / "index.json").write_text(project_json(project, files), encoding="utf-8")
        (root / backend / "index.html").write_text(root_html(projects), encoding="utf-8")
        (root / backend / "index.json").write_text(root_json(projects), encoding="utf-8")
    links = "\n".join(f'    <a href="{quote(b)}/">{html.escape(b)}</a><br>' for b in sorted(by_backend))
    (root / "index.html").write_text(_page("Backends", links), encoding="utf-8")
    (root / MANIFEST).write_text(json.dumps({"schema": 1, "files": manifest}, indent=1) + "\n", encoding="utf-8")


def _place(source: Path, target: Path, *, link: bool) -> None:
    """Copy a new wheel (a later rebuild in DIR must not reach the site); hard-link one the site already has."""
    if link:
        try:
            os.link(source, target)
            return
        except OSError:
            pass
    shutil.copy2(source, target)


def _swap(tmp: Path, site: Path) -> None:
    if not site.exists():
        os.rename(tmp, site)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{site.name}.old-", dir=site.parent))
    os.rename(site, old / site.name)
    try:
        os.rename(tmp, site)
    except OSError:
        os.rename(old / site.name, site)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        f'    <meta name="pypi:repository-version" content="{API_VERSION}">\n'
        f"    <title>{html.escape(title)}</title>\n  </head>\n  <body>\n"
        f"    <h1>{html.escape(title)}</h1>\n{body}\n  </body>\n</html>\n"
    )


def project_html(project: str, wheels: Iterable[Wheel]) -> str:
    links = []
    for w in wheels:
        attrs = [f'href="{quote(w.filename)}#sha256={w.sha256}"']
        if w.requires_python:
            attrs.append(f'data-requires-python="{html.escape(w.requires_python)}"')
        attrs.append(f'data-dist-info-metadata="sha256={w.metadata_sha256}"')
        attrs.append(f'data-core-metadata="sha256={w.metadata_sha256}"')
        links.append(f"    <a {' '.join(attrs)}>{html.escape(w.filename)}</a><br>")
    return _page(f"Links for {project}", "\n".join(links))


def project_json(project: str, wheels: Iterable[Wheel]) -> str:
    files = []
    versions: dict[str, None] = {}
    for w in wheels:
        versions[w.version] = None
        entry: dict[str, object] = {"filename": w.filename, "url": quote(w.filename), "hashes": {"sha256": w.sha256}}
        if w.requires_python:
            entry["requires-python"] = w.requires_python
        entry["core-metadata"] = {"sha256": w.metadata_sha256}
        entry["dist-info-metadata"] = {"sha256": w.metadata_sha256}
        entry["size"] = w.size
        files.append(entry)
    page = {"meta": {"api-version": API_VERSION}, "name": project, "versions": list(versions), "files": files}
    return json.dumps(page, indent=1) + "\n"


def root_html(projects: Iterable[str]) -> str:
    links = "\n".join(f'    <a href="{quote(p)}/">{html.escape(p)}</a><br>' for p in sorted(projects))
    return _page("Simple index", links)


def root_json(projects: Iterable[str]) -> str:
    page = {"meta": {"api-version": API_VERSION}, "projects": [{"name": p} for p in sorted(projects)]}
    return json.dumps(page, indent=1) + "\n"
