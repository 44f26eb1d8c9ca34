"""Builds on find-links pages (PyG's wheels, per torch and backend): pinned where a page has them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.version import Version

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

    from hatch_torch.pins.serve import Serving


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
