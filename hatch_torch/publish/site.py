"""``hatch-torch index``: a static per-backend package index (PEP 503 HTML + PEP 691 JSON + PEP 658 metadata).

Layout written under ``SITE``::

    SITE/index.html                           links to the backends
    SITE/<backend>/index.html, index.json     the project list (PEP 503 / PEP 691)
    SITE/<backend>/<project>/index.html       links with #sha256=, data-requires-python, data-core-metadata
    SITE/<backend>/<project>/index.json       the same as PEP 691 JSON (api-version 1.1)
    SITE/<backend>/<project>/<wheel>          the wheel
    SITE/<backend>/<project>/<wheel>.metadata its METADATA file (PEP 658)
    SITE/.hatch-torch-index.json              what hatch-torch wrote (re-runs add to it; anything else is foreign)

The site is built in a temporary directory next to ``SITE`` and swapped in (:mod:`~hatch_torch.publish.swap`), so a
failed or killed run leaves a whole site, and the next run cleans up after it.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from packaging.version import Version

from hatch_torch.publish.pages import page, project_html, project_json, root_html, root_json
from hatch_torch.publish.sitefiles import MANIFEST, scan_site
from hatch_torch.publish.swap import locked, recover, replace, tmp_prefix
from hatch_torch.publish.wheels import Wheel, merge, scan_input
from hatch_torch.util.errors import HatchTorchError
from hatch_torch.util.fsread import open_regular


class SiteError(HatchTorchError):
    """Bad input for ``hatch-torch index``: every problem listed, nothing written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"- {p}" for p in problems)
        head = problems[0] if len(problems) == 1 else f"{len(problems)} problems:\n{listed}"
        super().__init__(head + "\nNothing was written.")


@dataclass
class Summary:
    site: Path
    added: list[Wheel] = field(default_factory=list)
    kept: list[Wheel] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"note: {note}" for note in self.recovered]
        every = self.added + self.kept
        for backend in sorted({w.backend for w in every}):
            ours = [w for w in every if w.backend == backend]
            new = sum(1 for w in self.added if w.backend == backend)
            projects = ", ".join(sorted({w.project for w in ours}))
            out.append(f"{backend:<10} {len(ours)} wheel(s), {new} new: {projects}  -> {self.site / backend}/")
        return out


def build_index(directory: Path, site: Path) -> Summary:
    """Add the wheels under ``directory`` to the static index at ``site`` (created if missing)."""
    directory, site = directory.resolve(), site.resolve()
    problems: list[str] = []
    if not directory.is_dir():
        raise SiteError([f"DIR {directory} is not a directory. Fix: give the --out of `hatch-torch build`."])
    if site == directory or site.is_relative_to(directory) or directory.is_relative_to(site):
        raise SiteError([f"--out {site} and DIR {directory} overlap. Fix: write the site to a directory outside DIR."])
    site.parent.mkdir(parents=True, exist_ok=True)
    with locked(site):
        recovered = recover(site, MANIFEST)
        existing = scan_site(site, problems)
        incoming = scan_input(directory, problems)
        if not incoming and not problems:
            problems.append(f"DIR {directory} holds no wheels. Fix: run `hatch-torch build --out {directory}` first.")
        added, kept = merge(existing, incoming, problems)
        if problems:
            raise SiteError(problems)
        every = sorted(added + kept, key=lambda w: (w.backend, w.project, Version(w.version), w.filename))
        tmp = Path(tempfile.mkdtemp(prefix=tmp_prefix(site), dir=site.parent))
        try:
            tmp.chmod(0o777 & ~_umask())  # not mkdtemp's 0700: a web server running as another user reads it
            _write(tmp, every, site)
            replace(tmp, site)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise HatchTorchError(
                f"writing the site failed ({exc}); {site} is unchanged. Fix: free space or permissions, then re-run."
            ) from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return Summary(site, added=added, kept=kept, recovered=recovered)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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
    (root / "index.html").write_text(page("Backends", links), encoding="utf-8")
    (root / MANIFEST).write_text(json.dumps({"schema": 1, "files": manifest}, indent=1) + "\n", encoding="utf-8")


def _place(source: Path, target: Path, *, link: bool) -> None:
    """Copy a new wheel (a later rebuild in DIR must not reach the site); hard-link one the site already has."""
    if link:
        try:
            os.link(source, target)
            return
        except OSError:
            pass
    with open_regular(source) as src, open(target, "xb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    shutil.copystat(source, target)
    os.chmod(target, 0o666 & ~_umask())  # readable like the pages, whatever the build left
