"""The shortest marker true exactly on a set of environments (platform group x CPython minor version).

The CPython axis is the list of minor versions the project's ``requires-python`` allows, with one bucket
for every version older than the data knows and one for every newer one; a bound that is the end of that
list is left out, so no marker branch is written that ``requires-python`` already rules out.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from hatch_torch.pins.platforms import platform_marker

Minor = tuple[int, int]
Cell = tuple[str, Minor]  # (platform group, CPython minor)


def text(minor: Minor) -> str:
    return f"{minor[0]}.{minor[1]}"


def python_marker(chosen: Iterable[Minor], every: list[Minor]) -> str:
    """A marker true exactly on the ``chosen`` minors of ``every`` (sorted, contiguous); "" for all."""
    chosen = set(chosen)
    runs: list[list[Minor]] = []
    for minor in every:
        if minor in chosen:
            if runs and every.index(runs[-1][-1]) == every.index(minor) - 1:
                runs[-1].append(minor)
            else:
                runs.append([minor])
    parts = []
    for run in runs:
        low, high = run[0], run[-1]
        after = every.index(high) + 1
        bounds = []
        if low != every[0] and high != every[-1] and low == high:
            parts.append(f'python_version == "{text(low)}"')
            continue
        if low != every[0]:
            bounds.append(f'python_version >= "{text(low)}"')
        if high != every[-1]:
            bounds.append(f'python_version < "{text(every[after])}"')
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
    groups, minors = list(groups_), list(minors_)
    by_group: dict[str, frozenset[Minor]] = {}
    by_minor: dict[Minor, frozenset[str]] = {}
    for group in groups:
        by_group[group] = frozenset(m for m in minors if (group, m) in cells)
    for minor in minors:
        by_minor[minor] = frozenset(g for g in groups if (g, minor) in cells)
    first: dict[frozenset[Minor], list[str]] = {}
    for group, mins in by_group.items():
        if mins:
            first.setdefault(mins, []).append(group)
    second: dict[frozenset[str], list[Minor]] = {}
    for minor, grps in by_minor.items():
        if grps:
            second.setdefault(grps, []).append(minor)
    a = _or([_and(platform_marker(g, groups), python_marker(m, minors)) for m, g in first.items()])
    b = _or([_and(python_marker(m, minors), platform_marker(g, groups)) for g, m in second.items()])
    return a if len(a) <= len(b) else b
