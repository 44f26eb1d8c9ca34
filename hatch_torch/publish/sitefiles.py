"""The files of an existing site: its manifest (checked entry by entry) and everything else, which is foreign.

Nothing outside the site is ever read through the manifest (absolute paths, ``..``, hidden names are refused),
and a symlink, special file or unknown folder in the site is reported instead of being dropped by the rewrite.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from hatch_torch.publish.wheels import Wheel, read_wheel
from hatch_torch.util.fsread import kind, open_regular

#: What hatch-torch wrote into a site (re-runs add to it; anything else is foreign).
MANIFEST = ".hatch-torch-index.json"
MAX_MANIFEST = 64 << 20
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _walk(site: Path) -> tuple[set[str], set[str], list[str]]:
    """(regular files, folders, other entries with what they are), as site-relative POSIX paths."""
    files: set[str] = set()
    folders: set[str] = set()
    other: list[str] = []
    for top, dirs, names in os.walk(site, followlinks=False):
        for name in [*dirs, *names]:
            path = Path(top, name)
            rel = path.relative_to(site).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                other.append(f"{rel} (a symlink)")
            elif stat.S_ISDIR(mode):
                folders.add(rel)
            elif stat.S_ISREG(mode):
                files.add(rel)
            else:
                other.append(f"{rel} ({kind(mode)})")
    return files, folders, other


def read_manifest(site: Path) -> dict[str, str] | str:
    """``{BACKEND/PROJECT/FILE.whl: sha256}`` from the site's manifest, or why it cannot be used."""
    try:
        with open_regular(site / MANIFEST) as f:
            text = f.read(MAX_MANIFEST + 1)
        if len(text) > MAX_MANIFEST:
            return f"{MANIFEST} is larger than {MAX_MANIFEST >> 20} MB"
        raw: Any = json.loads(text)
    except FileNotFoundError:
        return f"it has no {MANIFEST}"
    except (OSError, ValueError) as exc:
        return f"its {MANIFEST} cannot be read ({exc})"
    files = raw.get("files") if isinstance(raw, dict) else None
    if not isinstance(files, dict):
        return f'its {MANIFEST} has no "files" table'
    out: dict[str, str] = {}
    for rel, info in files.items():
        parts = rel.split("/")
        if len(parts) != 3 or not all(_NAME.fullmatch(p) for p in parts) or not rel.endswith(".whl"):
            return (
                f"its {MANIFEST} lists {rel!r}, which is not BACKEND/PROJECT/FILE.whl inside the site "
                f"(absolute paths, '..' and hidden names are refused)"
            )
        sha = info.get("sha256") if isinstance(info, dict) else None
        if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
            return f"its {MANIFEST} has no sha256 for {rel!r}"
        out[rel] = sha
    return out


def scan_site(site: Path, problems: list[str]) -> list[Wheel]:
    """The wheels of an existing site; files hatch-torch did not write are reported as foreign."""
    if not os.path.lexists(site):
        return []
    if not site.is_dir():
        problems.append(f"--out {site} is a file. Fix: give a directory path (new, empty, or an earlier index).")
        return []
    files, folders, other = _walk(site)
    if not files and not folders and not other:
        return []
    manifest = read_manifest(site)
    if isinstance(manifest, str):
        problems.append(
            f"--out {site} is not empty and was not written by `hatch-torch index` ({manifest}). "
            f"Fix: choose a new or empty directory, or empty this one."
        )
        return []
    expected = {MANIFEST, "index.html"}
    expected_folders: set[str] = set()
    for rel in manifest:
        backend, project, _name = rel.split("/")
        expected |= {rel, f"{rel}.metadata", f"{backend}/{project}/index.html", f"{backend}/{project}/index.json"}
        expected |= {f"{backend}/index.html", f"{backend}/index.json"}
        expected_folders |= {backend, f"{backend}/{project}"}
    foreign = sorted((files - expected) | (folders - expected_folders)) + sorted(other)
    if foreign:
        problems.append(
            f"--out {site} holds files hatch-torch did not write: {', '.join(foreign[:10])}"
            f"{' ...' if len(foreign) > 10 else ''}. Fix: move them out of the site (it is rewritten as a whole)."
        )
    wheels = []
    for rel, sha256 in manifest.items():
        origin = f"{site.name}/{rel}"
        if rel not in files:
            problems.append(f"{origin} is listed in {MANIFEST} but missing. Fix: restore it or rebuild the site.")
            continue
        wheel = read_wheel(site / rel, rel.split("/")[0], origin, problems)
        if wheel and wheel.sha256 != sha256:
            problems.append(f"{origin} changed since it was indexed (sha256 differs). Fix: restore it.")
        elif wheel:
            wheels.append(wheel)
    return wheels
