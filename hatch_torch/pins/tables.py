"""What an index offers per platform group and band of CPython minors: the tables the resolver picks from.

The resolver (``resolve``) reads only these tables. For the bundled data they are made at data-build time and
stored as snapshots (``snapshot``, ``python -m hatch_torch.pins.snapshot``); for other data (``$HATCH_TORCH_DATA``,
newer user data, installed plugins) they are made here from :class:`~hatch_torch.pins.serve.Serving`, once per
data, backend and fallback. An offer is a plain dict, as marshal stores it:

- ``platforms``, ``pythons`` (the CPython minors the data names), ``members`` (the torch family), ``paged`` (PyG);
- ``bands``: group -> {minor: band}; minors that every wheel of the offer serves alike share a band, so the
  resolver picks once per band (the data's offers give each minor its own band);
- ``torch``: (group, band) -> [(torch release, index, label)]: what the group tries there, best first;
- ``part(package, torch release, index)``: (group, band) -> [(release, label)]: the releases of a companion
  that go with that torch build and install there, newest first (None: none anywhere).
- ``data``: the release data, in an offer made from it (a snapshot's is the bundled data).

Releases are normalised version strings.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from hatch_torch.data.model import BUNDLED, PYPI, ReleaseData
from hatch_torch.pins.markers import every_minor, text
from hatch_torch.pins.platforms import OTHER, groups, split
from hatch_torch.pins.serve import Serving, Where, fits

if TYPE_CHECKING:
    from packaging.version import Version

Offer = dict[str, Any]
Bands = dict[str, dict[tuple[int, int], int]]  # group -> minor -> band


def _band_minors(bands: Bands) -> dict[tuple[str, int], tuple[int, int]]:
    """(group, band) -> one minor of the band (they are all served alike)."""
    return {(group, band): minor for group, per in bands.items() for minor, band in reversed(per.items())}


def _torch(serving: Serving, backend: str, fallback: str | None, bands: Bands) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for (group, band), minor in _band_minors(bands).items():
        platform, macos = split(group)
        assert platform is not None
        out[group, band] = [
            (str(t), index, fact[0])
            for t, index in serving.sources(backend, fallback, platform)
            if (fact := serving.torch_fact(t, index, platform)) is not None and fits(fact[1], text(minor), macos)
        ]
    return out


def _part(serving: Serving, package: str, torch: dict[Any, Any], bands: Bands, parsed: dict[str, Version]) -> Any:
    """(torch release, index) -> (group, band) -> the releases of ``package`` going with that build there."""
    out: dict[Any, Any] = {}
    for (group, band), minor in _band_minors(bands).items():
        platform, macos = split(group)
        assert platform is not None
        for t, index, _ in torch[group, band]:
            mates = [
                (str(mate.version), found[0])
                for mate in serving.going_with(package, parsed[t])
                if (found := serving.mate_on(mate, index, platform)) is not None and fits(found[1], text(minor), macos)
            ]
            if mates:
                out.setdefault((t, index), {})[group, band] = mates
    return out


def _parsed(serving: Serving, backend: str, fallback: str | None) -> dict[str, Version]:
    return {str(t): t for p in serving.platforms for t, _ in serving.sources(backend, fallback, p)}


def offer_of(data: ReleaseData, backend: str, fallback: str | None) -> Offer:
    """The offer of ``data`` for ``backend`` (torch from ``fallback`` where it has no wheel), each minor its own
    band; a companion's table is made when first asked for. Made once per data, backend and fallback."""
    serving = Serving.of(data)
    key = ("offer", backend, fallback)
    if key not in serving.made:
        minors = every_minor(serving.pythons)
        bands = {g: {m: i for i, m in enumerate(minors)} for g in groups(serving.platforms) if g != OTHER}
        torch = _torch(serving, backend, fallback, bands)
        parsed = _parsed(serving, backend, fallback)
        parts: dict[str, Any] = {}

        def part(package: str, release: str, index: str) -> Any:
            if package not in parts:
                parts[package] = _part(serving, package, torch, bands, parsed)
            return parts[package].get((release, index))

        serving.made[key] = {
            "platforms": serving.platforms,
            "pythons": serving.pythons,
            "members": frozenset(serving.family),
            "paged": serving.paged,
            "bands": bands,
            "torch": torch,
            "part": part,
            "data": data,
        }
    found: Offer = serving.made[key]
    return found


def build(data: ReleaseData, backend: str, fallback: str | None, packages: list[str]) -> dict[str, Any]:
    """A snapshot's tables for ``backend`` and ``fallback`` from ``data``: the core (with the bands every torch and
    companion wheel serves alike) and a table per companion ``packages``."""
    serving = Serving(data)
    bands = _bands(serving, backend, fallback, packages)
    torch = _torch(serving, backend, fallback, bands)
    parsed = _parsed(serving, backend, fallback)
    pool: dict[Any, Any] = {}
    core = {"bands": bands, "torch": {k: _shared(v, pool) for k, v in torch.items()}}
    parts = {
        p: {
            k: {where: _shared(v, pool) for where, v in per.items()}
            for k, per in _part(serving, p, torch, bands, parsed).items()
        }
        for p in packages
    }
    return {"core": core, "packages": parts}


def _bands(serving: Serving, backend: str, fallback: str | None, packages: list[str]) -> Bands:
    """Per platform group, the CPython minors split into bands that every torch and companion wheel the group
    may try serves alike."""
    minors = every_minor(serving.pythons)
    out: Bands = {}
    for group in groups(serving.platforms):
        platform, macos = split(group)
        if platform is None:
            continue
        wheres: list[Where] = []
        for t, index in serving.sources(backend, fallback, platform):
            if (fact := serving.torch_fact(t, index, platform)) is not None:
                wheres.append(fact[1])
            for package in packages:
                for mate in serving.going_with(package, t):
                    if (found := serving.mate_on(mate, index, platform)) is not None:
                        wheres.append(found[1])
        kinds: dict[tuple[bool, ...], int] = {}
        out[group] = {m: kinds.setdefault(tuple(fits(w, text(m), macos) for w in wheres), len(kinds)) for m in minors}
    return out


def _shared(value: Any, pool: dict[Any, Any]) -> Any:
    """One object for equal lists of facts, so that marshal writes each once (its back-references are by identity)."""
    key = tuple(value)
    return pool.setdefault(key, key)


def write() -> list[str]:
    """Build every bundled backend's snapshots (with each fallback) into the snapshot folder; returns their paths."""
    import glob
    import marshal
    from pathlib import Path

    from hatch_torch.data.members import page_members
    from hatch_torch.data.model import _load
    from hatch_torch.pins import snapshot
    from hatch_torch.pins.family import family_names
    from hatch_torch.pins.resolve import FALLBACKS
    from hatch_torch.util.atomic import write_bytes

    data = _load(BUNDLED)
    members = sorted(family_names(data, plugins=False))
    paged = sorted(page_members())
    packages = [p for p in members if p != "torch" and p not in paged]
    common = {"platforms": data.platforms, "pythons": Serving(data).pythons, "members": members, "paged": paged}
    os.makedirs(snapshot.FOLDER, exist_ok=True)
    written = []
    for backend in [*data.backends, PYPI]:
        for fallback in (None,) if backend == PYPI else FALLBACKS:
            facts = build(data, backend, fallback, packages)
            blob = {
                "source": snapshot._stamp(),
                "core": marshal.dumps({**common, **facts["core"]}, 4),
                # a companion's table, and in it each torch build's, is read only when a pick asks for it
                "packages": {
                    p: marshal.dumps({k: marshal.dumps(v, 4) for k, v in part.items()}, 4)
                    for p, part in facts["packages"].items()
                },
            }
            written.append(snapshot.path(backend, fallback))
            write_bytes(Path(written[-1]), marshal.dumps(blob, 4))
    for stale in set(glob.glob(os.path.join(snapshot.FOLDER, "*.marshal"))) - set(written):
        os.unlink(stale)  # a backend the data no longer has
    return written
