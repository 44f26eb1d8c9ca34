"""What the resolver asks of the bundled data, worked out at data-build time: one snapshot per backend and fallback.

A build for a bundled backend asks :class:`~hatch_torch.pins.serve.Serving` the same questions every time:
which torch releases each platform tries, with which label and for which CPython and macOS, and which
companion releases go with each. For the bundled release and family data those answers are fixed, so they are
computed once, by the same ``Serving`` code, and stored in ``serving/<backend>@<fallback>.marshal`` next to this
module, with the bands of CPython minors that every wheel serves alike::

    python -m hatch_torch.pins.snapshot     # after changing releases.json, family.json or the resolver

A build then loads the one snapshot it needs (about 20 KB; a companion's facts only when a requirement names it)
instead of the whole release data. Each file records the size and CRC-32 of the JSON files it was made from and
is ignored when they do not match (edited, not rebuilt), as is the compiled data (data/compact.py); tests check
that the committed files are what this module builds now. Only the bundled data without plugins uses them:
``$HATCH_TORCH_DATA``, newer user data and installed plugins make the resolver read the data itself.
"""

from __future__ import annotations

import marshal
import os
from functools import cache
from typing import TYPE_CHECKING, Any

from packaging.version import Version

from hatch_torch.data.model import BUNDLED, PYPI, ReleaseData, stamp

if TYPE_CHECKING:
    from hatch_torch.pins.serve import Serving

FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "serving")
SOURCES = (BUNDLED, os.path.join(os.path.dirname(BUNDLED), "family.json"))  # what the snapshots are made from
Facts = dict[str, Any]


def _stamp() -> list[list[int] | None]:
    return [stamp(path) for path in SOURCES]


def path(backend: str, fallback: str | None) -> str:
    """The snapshot file for ``backend`` with torch from ``fallback`` where it has no wheel."""
    return os.path.join(FOLDER, f"{backend}@{fallback or 'none'}.marshal")


def build(data: ReleaseData, backend: str, fallback: str | None, packages: list[str]) -> Facts:
    """Every answer :class:`Serving` gives for ``backend`` (torch from ``fallback`` where it has no wheel) and the
    companion ``packages``, with torch and companion releases as strings."""
    from hatch_torch.pins.serve import Serving

    serving = Serving(data)
    sources: dict[str, list[tuple[str, str]]] = {}
    torch: dict[tuple[str, str, str], Any] = {}
    mates: dict[str, list[str]] = {}
    going: dict[tuple[str, str], list[int]] = {}
    on: dict[tuple[str, int, str, str], Any] = {}
    position: dict[str, dict[int, int]] = {}  # package -> id of a release -> its place in mates[package]
    for package in packages:
        every = serving.companions.get(package) or serving.members(package)
        mates[package] = [m.text for m in every]
        position[package] = {id(m): i for i, m in enumerate(every)}
    for platform in data.platforms:
        tries = serving.sources(backend, fallback, platform)
        sources[platform] = [(str(t), index) for t, index in tries]
        for t, index in tries:
            torch[str(t), index, platform] = serving.torch_fact(t, index, platform)
            for package in packages:
                at = position[package]
                chosen = serving.going_with(package, t)
                going[package, str(t)] = [at[id(m)] for m in chosen]
                for m in chosen:
                    on[package, at[id(m)], index, platform] = serving.mate_on(m, index, platform)
    pool: dict[Any, Any] = {}
    core = {"sources": sources, "torch": {k: _shared(v, pool) for k, v in torch.items()}}
    parts = {
        package: {
            "mates": mates[package],
            "going": {t: _shared(tuple(v), pool) for (p, t), v in going.items() if p == package},
            "on": {k[1:]: _shared(v, pool) for k, v in on.items() if k[0] == package},
        }
        for package in mates
    }
    core["bands"] = _bands(data, torch, on)
    return {"core": core, "packages": parts}


def _bands(data: ReleaseData, torch: dict[Any, Any], on: dict[Any, Any]) -> dict[str, list[list[tuple[int, int]]]]:
    """Per platform group, the CPython minors split into bands that every torch and companion wheel of the
    snapshot serves alike: the resolver picks once per band (for the same requirements)."""
    from hatch_torch.pins.markers import text
    from hatch_torch.pins.platforms import OTHER, groups, split
    from hatch_torch.pins.resolve import _minors
    from hatch_torch.pins.serve import Serving, fits

    minors = _minors(Serving(data).pythons, None)
    out: dict[str, list[list[tuple[int, int]]]] = {}
    for group in groups(data.platforms):
        platform, macos = split(group)
        if group == OTHER or platform is None:
            continue
        wheres = [f[1] for k, f in sorted(torch.items()) if f and k[2] == platform]
        wheres += [f[1] for k, f in sorted(on.items(), key=repr) if f and k[-1] == platform]
        bands: dict[tuple[bool, ...], list[tuple[int, int]]] = {}
        for minor in minors:
            bands.setdefault(tuple(fits(w, text(minor), macos) for w in wheres), []).append(minor)
        out[group] = list(bands.values())
    return out


def _shared(fact: Any, pool: dict[Any, Any]) -> Any:
    """One object for equal facts, so that marshal writes each once (its back-references are by identity)."""
    if fact is None:
        return None
    if isinstance(fact, tuple) and len(fact) == 2 and isinstance(fact[1], tuple):  # (label, where)
        label, (pythons, per, floor) = fact
        where_key = (pythons, tuple(sorted(per.items())), floor)
        if where_key not in pool:
            pool[where_key] = (pythons, per, floor)
        fact = (label, pool[where_key])
        return pool.setdefault((label, where_key), fact)
    return pool.setdefault(fact, fact)


def write() -> list[str]:
    """Build every bundled backend's snapshots (with each fallback) into :data:`FOLDER`; returns their paths."""
    import glob
    from pathlib import Path

    from hatch_torch.data.members import page_members
    from hatch_torch.data.model import _load
    from hatch_torch.pins.family import family_names
    from hatch_torch.pins.resolve import FALLBACKS
    from hatch_torch.pins.serve import Serving
    from hatch_torch.util.atomic import write_bytes

    data = _load(BUNDLED)
    members = sorted(family_names(data, plugins=False))
    paged = sorted(page_members())
    packages = [p for p in members if p != "torch" and p not in paged]
    common = {"platforms": data.platforms, "pythons": Serving(data).pythons, "members": members, "paged": paged}
    os.makedirs(FOLDER, exist_ok=True)
    written = []
    for backend in [*data.backends, PYPI]:
        for fallback in (None,) if backend == PYPI else FALLBACKS:
            facts = build(data, backend, fallback, packages)
            blob = {
                "source": _stamp(),
                "core": marshal.dumps({**common, **facts["core"]}, 4),
                "packages": {p: marshal.dumps(part, 4) for p, part in facts["packages"].items()},
            }
            written.append(path(backend, fallback))
            write_bytes(Path(written[-1]), marshal.dumps(blob, 4))
    for stale in set(glob.glob(os.path.join(FOLDER, "*.marshal"))) - set(written):
        os.unlink(stale)  # a backend the data no longer has
    return written


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


def load(backend: str, fallback: str | None) -> Facts | None:
    """The core facts of the snapshot for ``backend`` and ``fallback`` (None: no usable snapshot), with
    ``part(package)`` to read a companion's facts when the resolver first asks for them."""
    found = _file(backend, fallback)
    if found is None:
        return None
    try:
        core: Facts = marshal.loads(found["core"])
    except (KeyError, EOFError, ValueError, TypeError):
        return None
    packages: dict[str, bytes] = found.get("packages", {})

    def part(package: str) -> Facts | None:
        blob = packages.get(package)
        return marshal.loads(blob) if blob is not None else None

    core["part"] = part
    return core


@cache
def serving(backend: str, fallback: str | None) -> Serving | None:
    """The one Serving of the snapshot for ``backend`` and ``fallback`` (None: no usable snapshot): its answers
    come from the snapshot, a companion's read when first asked for; anything else from the bundled data."""
    from hatch_torch.pins.serve import Companion, Serving

    facts = load(backend, fallback)
    if facts is None:
        return None
    made = Serving(None)
    parsed: dict[str, Version] = {}

    def version(text: str) -> Version:  # one Version per torch release
        if text not in parsed:
            parsed[text] = Version(text)
        return parsed[text]

    for platform, tries in facts["sources"].items():
        made._sources[backend, fallback, platform] = [(version(t), index) for t, index in tries]
    for (t, index, platform), fact in facts["torch"].items():
        made._torch[version(t), index, platform] = fact
    made.__dict__.update(
        pythons=[tuple(m) for m in facts["pythons"]],
        platforms=list(facts["platforms"]),
        family=set(facts["members"]),
        paged=frozenset(facts["paged"]),
    )
    made.bands = {g: {tuple(m): i for i, band in enumerate(bands) for m in band} for g, bands in facts["bands"].items()}

    def fill(into: Serving, package: str) -> None:
        found = facts["part"](package)
        if found is None:
            return
        mates = [Companion(text, "", {}) for text in found["mates"]]
        into.keep.append(mates)  # their ids key the facts below
        for t, chosen in found["going"].items():
            into._mates[package, version(t)] = [mates[i] for i in chosen]
        for (i, index, platform), fact in found["on"].items():
            into._mate_where[id(mates[i]), index, platform] = fact

    made.fill = fill
    return made


def forget() -> None:
    """Read the snapshot files again when next asked (after they were rebuilt, or in tests)."""
    _file.cache_clear()
    serving.cache_clear()


if __name__ == "__main__":
    for written in write():
        print(f"wrote {written}")
