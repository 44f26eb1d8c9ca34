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

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from hatch_torch.data.model import PYPI, ReleaseData, load
from hatch_torch.pins.family import COMPANIONS, FAMILY, Req, parse, torch_specifier
from hatch_torch.pins.family import strip_local as _strip_local
from hatch_torch.pins.markers import Cell, Minor, requirement_lines, text
from hatch_torch.pins.platforms import groups as platform_groups
from hatch_torch.pins.platforms import samples, split
from hatch_torch.pins.serve import Serving

__all__ = ["COMPANIONS", "FALLBACKS", "FAMILY", "Resolution", "_strip_local", "resolve", "torch_specifier"]
FALLBACKS = ("pypi", "cpu")
Pins = dict[str, tuple[Version, str]]  # package -> (version, label)


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
    serving = _compiled(backend, None if backend == PYPI else fallback) if data is None else None
    if serving is None:
        serving = Serving.of(data or load(backend))
    family, found = parse(groups, prefix, serving.family)
    problems = [*(problems or []), *found]
    problems += [
        f"{r.where}: {r.text!r} pins the local label +{label}, but the backend is {backend}. "
        f"Fix: drop +{label} from the requirement; hatch-torch adds the label of the chosen backend."
        for r in family
        for label in sorted(r.labels - {backend})
    ]
    try:
        minors = _minors(serving.pythons, requires_python)
    except InvalidSpecifier:
        problems.append(
            f"requires-python = {requires_python!r} is not a valid version specifier. "
            f'Fix: write it like ">=3.10" (project.requires-python, or --requires-python for hatch-torch pins).'
        )
        minors = _minors(serving.pythons, None)
    every = platform_groups(serving.platforms)
    picks: dict[Cell, tuple[str, Pins] | None] = {}
    holding: dict[Cell, list[Req]] = {}
    memo: dict[tuple[int, ...], Specs] = {}
    pinned = [r for r in family if r.modelled]
    extras = [(r, _extra(r.group)) for r in pinned]
    # minors that every wheel treats alike (a snapshot's bands) get the same pick for the same requirements
    alike: dict[tuple[str, int, tuple[int, ...]], tuple[str, Pins] | None] = {}
    for group in every:
        envs = samples(group)
        bands = serving.bands.get(group, {})
        for minor in minors:
            cell, python = (group, minor), text(minor)
            holding[cell] = [r for r, extra in extras if r.holds(envs, python, extra)]
            if not holding[cell]:
                continue
            key = (group, bands.get(minor, -1), tuple(id(r) for r in holding[cell]))
            if key[1] >= 0 and key in alike:
                picks[cell] = alike[key]
                continue
            picks[cell] = _pick(serving, cell, holding[cell], backend, None if backend == PYPI else fallback, memo)
            alike[key] = picks[cell]
    if family and backend_known and not any(p and p[0] == backend for p in picks.values()):
        from hatch_torch.pins.problems import nothing_served  # only when the build would not be for the backend

        problems += nothing_served(family, picks, backend, serving.data)
    if problems:
        from hatch_torch.util.errors import ConfigurationError

        raise ConfigurationError(problems)
    # per (group, package): the cells where its requirements hold, with those requirements (one pass over them)
    by_line: dict[tuple[str, str], dict[Cell, tuple[Req, ...]]] = {}
    for cell, reqs in holding.items():
        per: dict[tuple[str, str], list[Req]] = {}
        for r in reqs:
            per.setdefault((r.group, r.name), []).append(r)
        for line_key, mine in per.items():
            by_line.setdefault(line_key, {})[cell] = tuple(mine)
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
    torches = [p[1]["torch"][0] for p in picks.values() if p and "torch" in p[1]]
    own = [p[1]["torch"][0] for p in picks.values() if p and p[0] == backend and "torch" in p[1]]
    notes = _unpaged(family, holding, picks, serving)
    return Resolution(backend, max(own or torches, default=None), out, picks, notes)


def _unpaged(
    family: list[Req], holding: dict[Cell, list[Req]], picks: dict[Cell, tuple[str, Pins] | None], serving: Serving
) -> list[str]:
    """A note per page member (PyG) left unpinned where its page has no build for the torch picked."""
    missed: dict[Req, set[str]] = {}
    for cell, reqs in holding.items():
        pick = picks.get(cell)
        for r in reqs:
            paged = pick and r.name in serving.paged and r.name not in pick[1] and "torch" in pick[1]
            if paged and pick and serving.data.backends.get(pick[0], {}).get("kind") in ("cpu", "cuda"):
                platform = split(cell[0])[0] or cell[0]
                missed.setdefault(r, set()).add(f"torch {pick[1]['torch'][0]}+{pick[0]} on {platform}")
    return [
        f"{r.where}: {r.text!r} is left unpinned for {', '.join(sorted(builds))}: its find-links page has no "
        f"{r.name} build there (hatch-torch doctor checks what gets installed)"
        for r in family
        if (builds := missed.get(r))
    ]


def _compiled(backend: str, fallback: str | None) -> Serving | None:
    """A Serving from the bundled data's snapshot (pins/snapshot.py) when that is the data in effect and no
    installed plugin adds to it; else None."""
    from hatch_torch.data.model import BUNDLED, chosen
    from hatch_torch.pins import snapshot
    from hatch_torch.plugins.scan import blocked_names, third_party

    if chosen()[0] != BUNDLED or third_party(blocked_names())[0]:
        return None
    return snapshot.serving(backend, fallback)


def _extra(group: str) -> str:
    return group.split(".", 1)[1] if group.startswith("optional-dependencies.") else ""


def _minors(known: list[Minor], requires_python: str | None) -> list[Minor]:
    """The CPython minors the data knows (``known``; one bucket below, one above) that ``requires_python``
    allows."""
    low, high = (known[0][1], known[-1][1]) if known else (8, 8)
    every = [(3, m) for m in range(low - 1, high + 2)]
    if not requires_python:
        return every
    spec = SpecifierSet(requires_python)

    def allowed(minor: Minor) -> bool:
        if minor == every[0]:
            return any(spec.contains(v, prereleases=True) for v in (f"3.{minor[1]}.99", "3.0", "2.7"))
        if minor == every[-1]:
            return any(spec.contains(v, prereleases=True) for v in (f"3.{minor[1]}.0", "3.99", "4.0"))
        return any(spec.contains(f"3.{minor[1]}.{patch}", prereleases=True) for patch in (0, 1, 2, 5, 10, 99))

    return [m for m in every if allowed(m)]


Specs = dict[str, tuple[SpecifierSet, str]]  # package -> (combined specifier, its text)
_ANY = SpecifierSet()


def _specs(reqs: list[Req], memo: dict[tuple[int, ...], Specs]) -> Specs:
    """The requirements' specifiers combined per package, once per set of requirements in one resolve."""
    key = tuple(id(r) for r in reqs)
    if key not in memo:
        combined: dict[str, SpecifierSet] = {}
        for r in reqs:
            combined[r.name] = combined.get(r.name, SpecifierSet()) & r.spec
        memo[key] = {name: (spec, str(spec)) for name, spec in combined.items()}
    return memo[key]


def _pick(
    serving: Serving,
    cell: Cell,
    reqs: list[Req],
    backend: str,
    fallback: str | None,
    memo: dict[tuple[int, ...], Specs],
) -> tuple[str, Pins] | None:
    platform, macos = split(cell[0])
    if platform is None:
        return None
    python = text(cell[1])
    specs = _specs(reqs, memo)
    torch_spec, torch_text = specs.get("torch", (_ANY, ""))
    for torch, index in serving.candidates(backend, fallback, platform, torch_spec, torch_text):
        label = serving.torch_label(torch, index, platform, python, macos)
        if label is None:
            continue
        pins: Pins = {"torch": (torch, label)}
        for name, (spec, spec_text) in specs.items():
            if name != "torch" and (
                mate := serving.companion(name, torch, index, platform, python, macos, spec, spec_text)
            ):
                pins[name] = mate
        if set(pins) >= set(specs) - serving.paged:  # a page member without a build stays as written
            return index, pins
    return None
