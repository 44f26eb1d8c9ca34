"""Builds on find-links pages (PyG's wheels, per torch and backend): pinned where a page has them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from packaging.version import Version

from hatch_torch.pins.platforms import split
from hatch_torch.pins.serve import Serving

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

    from hatch_torch.data.model import ReleaseData
    from hatch_torch.pins.family import Req


def paged_build(
    serving: Serving, package: str, torch: Version, index: str, platform: str, spec: SpecifierSet
) -> tuple[Version, str] | None:
    """The build of a page member for ``torch`` on ``index``'s backend, if its page has one."""
    from hatch_torch.data.family import load

    family = load()
    member = family.member(package)
    kind = serving.data.backends.get(index, {}).get("kind")
    if member is None or kind not in ("cpu", "cuda") or family.page(member, torch, index) is None:
        return None
    if member.where == "pyg" and platform not in family.pyg_platforms:
        return None
    release = member.release_for(torch)
    if release is None or not serving.allows(spec, Version(release.version)):
        return None
    return Version(release.version), member.expected_label(index, torch)


def paged_pin(
    data: ReleaseData, package: str, torch: str, index: str, group: str, spec: SpecifierSet
) -> tuple[str, str] | None:
    """:func:`paged_build` for the resolver: ``torch`` and the build as release strings, on a platform group."""
    found = paged_build(Serving.of(data), package, Version(torch), index, split(group)[0] or group, spec)
    return (str(found[0]), found[1]) if found else None


def unpaged(
    family: list[Req], holding: dict[Any, list[Req]], picks: dict[Any, Any], paged: frozenset[str], data: ReleaseData
) -> list[str]:
    """A note per page member (PyG) left unpinned where its page has no build for the torch picked."""
    missed: dict[Req, set[str]] = {}
    for cell, reqs in holding.items():
        pick = picks.get(cell)
        for r in reqs:
            unpinned = pick and r.name in paged and r.name not in pick[1] and "torch" in pick[1]
            if unpinned and pick and data.backends.get(pick[0], {}).get("kind") in ("cpu", "cuda"):
                platform = split(cell[0])[0] or cell[0]
                missed.setdefault(r, set()).add(f"torch {pick[1]['torch'][0]}+{pick[0]} on {platform}")
    return [
        f"{r.where}: {r.text!r} is left unpinned for {', '.join(sorted(builds))}: its find-links page has no "
        f"{r.name} build there (hatch-torch doctor checks what gets installed)"
        for r in family
        if (builds := missed.get(r))
    ]
