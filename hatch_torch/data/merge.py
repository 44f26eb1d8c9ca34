"""Merge backends that plugins add into the release data (only when a plugin adds one)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

if TYPE_CHECKING:
    from hatch_torch.data.model import ReleaseData
    from hatch_torch.plugins.spec import BackendSpec


def merged(base: ReleaseData, added: Sequence[tuple[str, BackendSpec]]) -> tuple[ReleaseData, list[str]]:
    """A new ReleaseData with the plugin backends in, and the problems found (those backends are left out)."""
    from hatch_torch.data.model import ReleaseData
    from hatch_torch.util.errors import ConfigurationError
    from hatch_torch.util.urls import check_index_url

    raw = copy.deepcopy(base.raw)
    problems: list[str] = []
    for plugin, spec in added:
        if shape := _misshapen(spec):
            problems.append(f"plugin {plugin}: backend {getattr(spec, 'name', spec)!r} {shape}; not added")
            continue
        if spec.name in raw["backends"]:
            problems.append(f"plugin {plugin}: backend {spec.name!r} already exists; not added")
            continue
        try:
            check_index_url(spec.index_url, f"plugin {plugin}: backend {spec.name!r} index_url")
        except ConfigurationError as exc:
            problems += [p.split(" Fix: ")[0].rstrip(".") + "; not added" for p in exc.problems]
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


def _misshapen(spec: object) -> str | None:
    """What is wrong with the types of a plugin's backend (a plugin is third-party code), or None."""
    strings = ("name", "kind", "index_url")
    if not all(isinstance(getattr(spec, f, None), str) for f in strings):
        return f"needs {', '.join(strings)} as strings"
    releases = getattr(spec, "releases", None)
    if not isinstance(releases, Mapping) or not all(
        isinstance(v, str)
        and isinstance(labels, Mapping)
        and all(isinstance(x, str) for x in (*labels, *labels.values()))
        for v, labels in releases.items()
    ):
        return "needs releases as {torch version: {platform: label}} with strings"
    packages = getattr(spec, "packages", None)
    if not isinstance(packages, (tuple, list)) or not all(isinstance(p, str) for p in packages):
        return "needs packages as a list of names"
    return None
