"""Merge backends that plugins add into the release data (only when a plugin adds one)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

if TYPE_CHECKING:
    from hatch_torch.data.model import ReleaseData
    from hatch_torch.plugins.spec import BackendSpec


def merged(base: ReleaseData, added: Sequence[tuple[str, BackendSpec]]) -> tuple[ReleaseData, list[str]]:
    """A new ReleaseData with the plugin backends in, and the problems found (those backends are left out)."""
    from hatch_torch.data.model import ReleaseData

    raw = copy.deepcopy(base.raw)
    problems: list[str] = []
    for plugin, spec in added:
        if spec.name in raw["backends"]:
            problems.append(f"plugin {plugin}: backend {spec.name!r} already exists; not added")
            continue
        bad = [p for labels in spec.releases.values() for p in labels if p not in raw["platforms"]]
        try:
            for version in spec.releases:
                Version(version)
        except InvalidVersion as exc:
            bad.append(str(exc))
        if bad:
            problems.append(f"plugin {plugin}: backend {spec.name!r} has unknown platforms/versions {bad}; not added")
            continue
        raw["backends"][spec.name] = {
            "kind": spec.kind,
            "index": spec.index_url,
            "plugin": plugin,
            "priority": spec.priority,
            **dict(spec.extra),
        }
        for version, labels in spec.releases.items():
            release = raw["releases"].setdefault(
                str(Version(version)), {"versions": {}, "python": [], "backends": {}, "source": [f"plugin:{plugin}"]}
            )
            release["backends"][spec.name] = {pkg: dict(labels) for pkg in spec.packages}
    return ReleaseData(raw), problems
