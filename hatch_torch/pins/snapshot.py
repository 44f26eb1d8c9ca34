"""The resolver's tables for the bundled data, made at data-build time: one snapshot per backend and fallback.

A build for a bundled backend asks the same questions of the data every time: which torch releases each
platform group tries, with which label, for which CPython minors, and which companion releases go with each.
For the bundled release and family data those answers are fixed, so they are worked out once, as the tables of
``tables`` (the same code the resolver uses for other data), and stored in ``serving/<backend>@<fallback>.marshal``
next to this module::

    python -m hatch_torch.pins.snapshot     # after changing releases.json, family.json or the resolver

A build then loads the one snapshot it needs (a companion's table only when a requirement names it) instead of
the release data. Each file records the size and CRC-32 of the JSON files it was made from and is ignored when
they do not match (edited, not rebuilt), as is the compiled data (data/compact.py); tests check that the
committed files are what ``tables`` builds now. Only the bundled data without plugins uses them:
``$HATCH_TORCH_DATA``, newer user data and installed plugins make the resolver build its tables from the data.
"""

from __future__ import annotations

import marshal
import os
from functools import cache
from typing import Any

from hatch_torch.data.where import BUNDLED, stamp

FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "serving")
SOURCES = (BUNDLED, os.path.join(os.path.dirname(BUNDLED), "family.json"))  # what the snapshots are made from


def _stamp() -> list[list[int] | None]:
    return [stamp(path) for path in SOURCES]


def path(backend: str, fallback: str | None) -> str:
    """The snapshot file for ``backend`` with torch from ``fallback`` where it has no wheel."""
    return os.path.join(FOLDER, f"{backend}@{fallback or 'none'}.marshal")


@cache
def _file(backend: str, fallback: str | None) -> dict[str, Any] | None:
    """The snapshot file's parts, or None when it is missing, unreadable or made from other data."""
    try:
        with open(path(backend, fallback), "rb") as f:
            found = marshal.loads(f.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(found, dict) or found.get("source") != _stamp():
        return None
    return found


def has(backend: str) -> bool:
    """``backend`` has a usable snapshot: it is a backend of the bundled data (or pypi), as that data is now."""
    return any(_file(backend, fallback) is not None for fallback in ("pypi", "cpu", None))


@cache
def load(backend: str, fallback: str | None) -> dict[str, Any] | None:
    """The offer (pins/tables.py) of the snapshot for ``backend`` and ``fallback``, None without a usable snapshot;
    ``part(package, release, index)`` reads what goes with a torch build when the resolver first asks for it."""
    found = _file(backend, fallback)
    if found is None:
        return None
    try:
        offer: dict[str, Any] = marshal.loads(found["core"])
        offer.update(members=frozenset(offer["members"]), paged=frozenset(offer["paged"]))
    except (KeyError, EOFError, ValueError, TypeError):
        return None
    packages: dict[str, bytes] = found.get("packages", {})
    parts: dict[str, dict[tuple[str, str], bytes]] = {}
    builds: dict[tuple[str, str, str], Any] = {}

    def part(package: str, release: str, index: str) -> Any:
        key = (package, release, index)
        if key not in builds:
            if package not in parts:
                blob = packages.get(package)
                parts[package] = marshal.loads(blob) if blob is not None else {}
            inner = parts[package].get((release, index))
            builds[key] = marshal.loads(inner) if inner is not None else None
        return builds[key]

    offer["part"] = part
    return offer


def forget() -> None:
    """Read the snapshot files again when next asked (after they were rebuilt, or in tests)."""
    _file.cache_clear()
    load.cache_clear()


if __name__ == "__main__":
    from hatch_torch.pins.tables import write

    for written in write():
        print(f"wrote {written}")
