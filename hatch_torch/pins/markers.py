"""Requirement lines for the pins, each with the shortest marker true exactly on the set of environments
(platform group x CPython minor version) it is for.

The CPython axis is the list of minor versions the project's ``requires-python`` allows, with one bucket
for every version older than the data knows and one for every newer one; a bound that is the end of that
list is left out, so no marker branch is written that ``requires-python`` already rules out.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from hatch_torch.pins.family import PLATFORM_VARIABLES, VARYING, holds, plain_clauses
from hatch_torch.pins.platforms import OTHER, platform_marker

if TYPE_CHECKING:
    from hatch_torch.pins.family import Req

Minor = tuple[int, int]
Cell = tuple[str, Minor]  # (platform group, CPython minor)


def text(minor: Minor) -> str:
    return f"{minor[0]}.{minor[1]}"


def every_minor(known: list[Minor]) -> list[Minor]:
    """The CPython minors pins are resolved for: those the data names (``known``, in order), one bucket for every
    older version and one for every newer one."""
    low, high = (known[0][1], known[-1][1]) if known else (8, 8)
    return [(3, m) for m in range(low - 1, high + 2)]


def allowed_minors(known: list[Minor], requires_python: str | None) -> list[Minor]:
    """The minors of :func:`every_minor` that ``requires_python`` allows (InvalidSpecifier if it is not one)."""
    every = every_minor(known)
    if not requires_python:
        return every
    clauses = plain_clauses(requires_python)
    if clauses is None:  # anything but plain release numbers: packaging decides
        from packaging.specifiers import SpecifierSet

        spec = SpecifierSet(requires_python)

        def contains(version: tuple[int, ...]) -> bool:
            return spec.contains(".".join(map(str, version)), prereleases=True)

    else:

        def contains(version: tuple[int, ...]) -> bool:
            return all(holds(clause, version) for clause in clauses)

    def allowed(minor: Minor) -> bool:
        if minor == every[0]:
            return any(map(contains, [(3, minor[1], 99), (3, 0), (2, 7)]))
        if minor == every[-1]:
            return any(map(contains, [(3, minor[1], 0), (3, 99), (4, 0)]))
        return any(contains((3, minor[1], patch)) for patch in (0, 1, 2, 5, 10, 99))

    return [m for m in every if allowed(m)]


def python_marker(chosen: Iterable[Minor], every: list[Minor]) -> str:
    """A marker true exactly on the ``chosen`` minors of ``every`` (sorted, contiguous); "" for all."""
    chosen = set(chosen)
    runs: list[tuple[int, int]] = []  # (first, last) positions in ``every``
    for at, minor in enumerate(every):
        if minor in chosen:
            if runs and runs[-1][1] == at - 1:
                runs[-1] = (runs[-1][0], at)
            else:
                runs.append((at, at))
    last = len(every) - 1
    parts = []
    for first, end in runs:
        low = every[first]
        if first and end != last and first == end:
            parts.append(f'python_version == "{text(low)}"')
            continue
        bounds = []
        if first:
            bounds.append(f'python_version >= "{text(low)}"')
        if end != last:
            bounds.append(f'python_version < "{text(every[end + 1])}"')
        parts.append(" and ".join(bounds))
    if not parts or parts == [""]:
        return ""
    return " or ".join(f"({p})" if " and " in p and len(parts) > 1 else p for p in parts)


def _and(*markers: str) -> str:
    kept = [m for m in markers if m]
    return " and ".join(f"({m})" if " or " in m and len(kept) > 1 else m for m in kept)


def _or(terms: list[str]) -> str:
    if "" in terms:
        return ""
    return " or ".join(f"({t})" if " and " in t and len(terms) > 1 else t for t in terms)


def cells_marker(cells: set[Cell], groups: list[str], minors: list[Minor]) -> str:
    """The shorter of (platforms first) and (Python versions first) for ``cells``; "" = everywhere."""
    return _cells_marker(frozenset(cells), tuple(groups), tuple(minors))


@cache
def _cells_marker(cells: frozenset[Cell], groups_: tuple[str, ...], minors_: tuple[Minor, ...]) -> str:
    """:func:`cells_marker`, once per set of cells (a family's packages mostly share theirs)."""
    by_group: dict[str, set[Minor]] = {}
    by_minor: dict[Minor, set[str]] = {}
    for group, minor in cells:
        by_group.setdefault(group, set()).add(minor)
        by_minor.setdefault(minor, set()).add(group)
    first: dict[frozenset[Minor], list[str]] = {}
    for group in groups_:  # in the groups' order, as the marker lists them
        if group in by_group:
            first.setdefault(frozenset(by_group[group]), []).append(group)
    second: dict[frozenset[str], list[Minor]] = {}
    for minor in minors_:
        if minor in by_minor:
            second.setdefault(frozenset(by_minor[minor]), []).append(minor)
    a = _or([_and(_platforms(frozenset(g), groups_), _pythons(m, minors_)) for m, g in first.items()])
    b = _or([_and(_pythons(frozenset(m), minors_), _platforms(g, groups_)) for g, m in second.items()])
    return a if len(a) <= len(b) else b


@cache
def _platforms(chosen: frozenset[str], groups: tuple[str, ...]) -> str:
    return platform_marker(chosen, list(groups))


@cache
def _pythons(chosen: frozenset[Minor], minors: tuple[Minor, ...]) -> str:
    return python_marker(chosen, list(minors))


def requirement_lines(
    name: str,
    holding: dict[Cell, tuple[Req, ...]],
    picks: dict[Cell, tuple[str, dict[str, tuple[Any, str]]] | None],
    every: list[str],
    minors: list[Minor],
) -> list[str]:
    """The lines for package ``name`` in one group (``holding``: the cells where its requirements there hold, with
    those requirements): one per distinct pin, plus the as-written requirements where nothing serves the
    environment."""
    cells: dict[tuple[str, str, str | None], set[Cell]] = {}
    raw: dict[tuple[str, str, Req], set[Cell]] = {}
    pins: dict[tuple[tuple[Req, ...], tuple[Any, str]], tuple[str, str, None]] = {}  # the same line, made once
    written: dict[Req, tuple[str, str, Req]] = {}  # a requirement as written, made once
    for cell, mine in holding.items():
        pick = picks.get(cell)
        if pick and name in pick[1]:
            pin = pick[1][name]
            key = pins.get((mine, pin))
            if key is None:
                extras = sorted({e for r in mine for e in r.req.extras})
                version, label = pin
                key = pins[mine, pin] = (
                    _head(mine[0].req.name, extras),
                    f"=={version}" + (f"+{label}" if label else ""),
                    None,
                )
            cells.setdefault(key, set()).add(cell)
            continue
        for r in mine:  # nothing serves this environment: the requirements as written
            if r not in written:
                written[r] = (_head(r.req.name, r.req.extras), str(r.req.specifier), r)
            raw.setdefault(written[r], set()).add(cell)
    for (head, spec, r), where in raw.items():
        # the author's marker is needed only where the environments do not decide it
        varying = VARYING | (PLATFORM_VARIABLES if any(c[0] == OTHER for c in where) else frozenset())
        keep = r.names & varying
        cells.setdefault((head, spec, str(r.req.marker) if keep else None), set()).update(where)
    lines = []
    # the backend's labelled pins first, then bare pins, then the requirements kept as written
    order = sorted(cells, key=lambda k: (k[1][:2] != "==", "+" not in k[1]))
    for head, spec, user in order:
        where = cells[head, spec, user]
        marker = cells_marker(where, every, minors)
        kept = [m for m in (marker, user) if m]
        parts = [f"({m})" if " or " in m and len(kept) > 1 else m for m in kept]
        lines.append(head + spec + ("; " + " and ".join(parts) if parts else ""))  # already normalised
    return lines


def _head(name: str, extras: Iterable[str]) -> str:
    return name + (f"[{','.join(sorted(extras))}]" if extras else "")
