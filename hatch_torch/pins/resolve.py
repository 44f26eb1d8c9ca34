"""Rewrite torch-family requirements into exact pins, resolved per environment.

An environment is a platform group (``platforms.groups``) times a CPython minor version that
``requires-python`` allows. In each, the pick is the newest torch release that satisfies every family
requirement whose marker can hold there, that the index serves there (the backend's, or the fallback's on
platforms the backend has no wheel for) for that CPython and macOS, and whose companions do too; torch and its
companions come from the same index. Environments with equal pins share one line, with the shortest marker
(``markers``). Where nothing serves an environment, the author's requirements stay there as written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from hatch_torch.data.where import PYPI
from hatch_torch.pins.family import COMPANIONS, FAMILY, Clause, Req, holds, parse, plain_clauses, torch_specifier
from hatch_torch.pins.family import strip_local as _strip_local
from hatch_torch.pins.markers import Cell, allowed_minors, requirement_lines, text
from hatch_torch.pins.platforms import groups as platform_groups
from hatch_torch.pins.platforms import samples

if TYPE_CHECKING:
    from hatch_torch.data.model import ReleaseData

__all__ = ["COMPANIONS", "FALLBACKS", "FAMILY", "Resolution", "_strip_local", "resolve", "torch_specifier"]
FALLBACKS = ("pypi", "cpu")
Pins = dict[str, tuple[str, str]]  # package -> (release, label)
Offer = dict[str, Any]  # what the index offers, as pins/tables.py describes it


class Resolution:
    """The outcome: the newest torch pinned from the backend's index, the rewritten groups, and the pick per
    environment (None where the requirements stay as written). A plain class: every build makes one."""

    __slots__ = ("backend", "groups", "notes", "picks", "torch")

    def __init__(
        self,
        backend: str,
        torch: Version | None,
        groups: dict[str, list[str]] | None = None,
        picks: dict[Cell, tuple[str, Pins] | None] | None = None,
        notes: list[str] | None = None,
    ) -> None:
        self.backend, self.torch = backend, torch
        self.groups = {} if groups is None else groups
        self.picks = {} if picks is None else picks
        self.notes = [] if notes is None else notes  # said at build time: what was left unpinned and why

    def __repr__(self) -> str:
        return (
            f"Resolution(backend={self.backend!r}, torch={self.torch!r}, groups={self.groups!r}, notes={self.notes!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Resolution):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # mutable, as the groups are


def resolve(
    groups: Mapping[str, Sequence[str]],
    backend: str,
    *,
    fallback: str = "pypi",
    prefix: str = "",
    requires_python: str | None = None,
    data: ReleaseData | None = None,
    problems: list[str] | None = None,
    backend_known: bool = True,
) -> Resolution:
    """Pin the torch family in ``groups`` (setting name -> requirement strings) for ``backend``.

    Every problem (with ``problems`` passed in from earlier stages) is raised in one
    :class:`ConfigurationError`; ``prefix`` is put in front of each setting name in the messages.
    ``backend_known=False`` (the backend setting was bad) skips the "nothing served" check.
    """
    fallback_ = None if backend == PYPI else fallback
    offer = _compiled(backend, fallback_) if data is None else None
    if offer is None:
        from hatch_torch.data.model import load
        from hatch_torch.pins.tables import offer_of

        offer = offer_of(data or load(backend), backend, fallback_)
    family, found = parse(groups, prefix, offer["members"])
    problems = [*(problems or []), *found]
    problems += [
        f"{r.where}: {r.text!r} pins the local label +{label}, but the backend is {backend}. "
        f"Fix: drop +{label} from the requirement; hatch-torch adds the label of the chosen backend."
        for r in family
        for label in sorted(r.labels - {backend})
    ]
    try:
        minors = allowed_minors(offer["pythons"], requires_python)
    except InvalidSpecifier:
        problems.append(
            f"requires-python = {requires_python!r} is not a valid version specifier. "
            f'Fix: write it like ">=3.10" (project.requires-python, or --requires-python for hatch-torch pins).'
        )
        minors = allowed_minors(offer["pythons"], None)
    every = platform_groups(offer["platforms"])
    picks: dict[Cell, tuple[str, Pins] | None] = {}
    holding: dict[Cell, list[Req]] = {}
    memo: dict[tuple[int, ...], Specs] = {}
    pinned = [r for r in family if r.modelled]
    extras = [(r, _extra(r.group)) for r in pinned]
    # without markers, the same requirements (one list) hold in every environment
    everywhere = None if any(r.req.marker for r in pinned) else (pinned, tuple(map(id, pinned)))
    # minors in one band are served alike by every wheel: the same requirements get the same pick there
    alike: dict[tuple[str, int, tuple[int, ...]], tuple[str, Pins] | None] = {}
    for group in every:
        envs = samples(group) if everywhere is None else []
        bands = offer["bands"].get(group)
        for minor in minors:
            cell = (group, minor)
            if everywhere is None:
                held = [r for r, extra in extras if r.holds(envs, text(minor), extra)]
                ids = tuple(map(id, held))
            else:
                held, ids = everywhere
            holding[cell] = held
            if not held:
                continue
            if bands is None:  # a platform no index serves
                picks[cell] = None
                continue
            key = (group, bands[minor], ids)
            if key not in alike:
                alike[key] = _pick(offer, group, key[1], held, ids, memo)
            picks[cell] = alike[key]
    if family and backend_known and not any(p and p[0] == backend for p in picks.values()):
        from hatch_torch.pins.problems import nothing_served  # only when the build would not be for the backend

        problems += nothing_served(family, picks, backend, _data(offer))
    if problems:
        from hatch_torch.util.errors import ConfigurationError

        raise ConfigurationError(problems)
    # per (group, package): the cells where its requirements hold, with those requirements (one pass over them)
    by_line: dict[tuple[str, str], dict[Cell, tuple[Req, ...]]] = {}
    split_up: dict[int, dict[tuple[str, str], tuple[Req, ...]]] = {}  # per list of requirements (often one)
    for cell, reqs in holding.items():
        if id(reqs) not in split_up:
            per: dict[tuple[str, str], list[Req]] = {}
            for r in reqs:
                per.setdefault((r.group, r.name), []).append(r)
            split_up[id(reqs)] = {k: tuple(v) for k, v in per.items()}
        for line_key, mine in split_up[id(reqs)].items():
            by_line.setdefault(line_key, {})[cell] = mine
    at = {(r.group, r.index): r for r in family}
    out: dict[str, list[str]] = {}
    for group, texts in groups.items():
        lines: list[str] = []
        done: set[str] = set()  # a package's lines go where its first requirement in the group was
        for i, line in enumerate(texts):
            req = at.get((group, i))
            if req is None or not req.modelled:
                lines.append(line.strip())
            elif req.name not in done:
                done.add(req.name)
                lines += requirement_lines(req.name, by_line.get((group, req.name), {}), picks, every, minors)
        out[group] = lines
    torches = {p[1]["torch"][0] for p in picks.values() if p and "torch" in p[1]}
    own = {p[1]["torch"][0] for p in picks.values() if p and p[0] == backend and "torch" in p[1]}
    newest = max((Version(t) for t in own or torches), default=None)
    notes: list[str] = []
    if any(r.name in offer["paged"] for r in family):  # PyG: a note where a page has no build
        from hatch_torch.pins.pages import unpaged

        notes = unpaged(family, holding, picks, offer["paged"], _data(offer))
    return Resolution(backend, newest, out, picks, notes)


def _compiled(backend: str, fallback: str | None) -> Offer | None:
    """The offer of the bundled data's snapshot (pins/snapshot.py) when that is the data in effect and no
    installed plugin adds to it; else None."""
    from hatch_torch.data.where import BUNDLED, chosen
    from hatch_torch.pins import snapshot
    from hatch_torch.plugins.scan import blocked_names, third_party

    if chosen()[0] != BUNDLED or third_party(blocked_names())[0]:
        return None
    return snapshot.load(backend, fallback)


def _data(offer: Offer) -> ReleaseData:
    """The release data behind an offer (a snapshot's: the bundled data), for messages and page members."""
    if "data" in offer:
        found: ReleaseData = offer["data"]
        return found
    from hatch_torch.data.model import BUNDLED, _load

    return _load(BUNDLED)


def _extra(group: str) -> str:
    return group.split(".", 1)[1] if group.startswith("optional-dependencies.") else ""


#: package -> (combined specifier, its text, its clauses when they are plain release numbers)
Specs = dict[str, tuple[SpecifierSet, str, list[Clause] | None]]
_ANY = SpecifierSet()


def _specs(reqs: list[Req], key: tuple[int, ...], memo: dict[tuple[int, ...], Specs]) -> Specs:
    """The requirements' specifiers combined per package, once per set of requirements (``key``: their ids)."""
    if key not in memo:
        combined: dict[str, SpecifierSet] = {}
        for r in reqs:
            combined[r.name] = combined.get(r.name, SpecifierSet()) & r.spec
        specs: Specs = {}
        for name, spec in combined.items():
            text = str(spec)
            specs[name] = (spec, text, plain_clauses(text) if text else None)
        memo[key] = specs
    return memo[key]


def _pick(
    offer: Offer, group: str, band: int, reqs: list[Req], key: tuple[int, ...], memo: dict[tuple[int, ...], Specs]
) -> tuple[str, Pins] | None:
    """The newest torch build the group tries in the band that the requirements allow, with companions from the
    same index that go with it there (a page member without a build stays as written)."""
    specs = _specs(reqs, key, memo)
    torch_spec, torch_text, torch_clauses = specs.get("torch", (_ANY, "", None))
    paged = offer["paged"]
    allowed: dict[tuple[str, str], bool] = offer.setdefault("allowed", {})
    mates = [(name, *facts) for name, facts in specs.items() if name != "torch"]
    part = offer["part"]
    needed = set(specs) - paged
    for torch, index, label in offer["torch"].get((group, band), ()):
        if torch_text and not _allows(allowed, torch_spec, torch_text, torch_clauses, torch):
            continue
        pins: Pins = {"torch": (torch, label)}
        for name, spec, spec_text, clauses in mates:
            if name in paged:
                from hatch_torch.pins.pages import paged_pin

                if found := paged_pin(_data(offer), name, torch, index, group, spec):
                    pins[name] = found
                continue
            for mate in (part(name, torch, index) or {}).get((group, band), ()):
                if not spec_text or _allows(allowed, spec, spec_text, clauses, mate[0]):
                    pins[name] = mate
                    break
        if needed <= pins.keys():
            return index, pins
    return None


def _allows(
    memo: dict[tuple[str, str], bool], spec: SpecifierSet, text: str, clauses: list[Clause] | None, release: str
) -> bool:
    """``spec`` (whose text is ``text``) allows ``release``, worked out once per offer: without packaging when both
    are plain release numbers (``clauses`` of ``>=2.6,<2.11``, and ``2.10.0``), as ``requires-python`` is read."""
    key = (text, release)
    if key not in memo:
        numbers = release.split(".")
        if clauses is not None and all(n.isascii() and n.isdigit() for n in numbers):
            version = tuple(map(int, numbers))
            memo[key] = all(holds(c, version) for c in clauses)
        else:
            memo[key] = spec.contains(release, prereleases=True)
    return memo[key]
