"""The messages for a resolution that serves nothing: no environment gets a pin from the backend's index."""

from __future__ import annotations

from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from hatch_torch.data.model import ReleaseData
from hatch_torch.pins.family import Req

Pick = tuple[str, dict[str, tuple[str, str]]] | None  # (index, package -> (release, label))


def nothing_served(family: list[Req], picks: dict[Any, Pick], backend: str, data: ReleaseData) -> list[str]:
    """A problem when no environment gets a pin from the backend's own index (the build would not be for it)."""
    if any(p and (p[0] == backend) for p in picks.values()) or not any(r.modelled for r in family):
        return []
    available = data.releases_for(backend)
    torch_reqs = [r for r in family if r.name == "torch"]
    spec = SpecifierSet()
    for r in torch_reqs:
        spec &= r.spec
    if torch_reqs and not any(spec.contains(v, prereleases=True) for v in available):
        where = ", ".join(f"{r.where} {r.text!r}" for r in torch_reqs)
        return [
            f"{where}: no torch release on the {backend} index satisfies {str(spec) or 'any version'}; "
            f"{backend} has torch {_span(available)}. Fix: widen the torch specifier or choose another backend."
        ]
    newest = next((v for v in available if spec.contains(v, prereleases=True)), None)
    details = [_why(r, newest, data) for r in family if r.name != "torch" and newest is not None]
    if found := [d for d in details if d]:
        return found
    where = ", ".join(f"{r.where} {r.text!r}" for r in family)
    return [
        f"{where}: no torch release on the {backend} index has companions that satisfy this for any platform and "
        f"Python the project allows; {backend} has torch {_span(available)}. "
        f"Fix: widen the specifiers (or requires-python) or choose another backend."
    ]


def _why(r: Req, torch: Version, data: ReleaseData) -> str | None:
    """Why the companion requirement ``r`` rules out ``torch`` (the newest the torch specifier allows)."""
    version = data.companion_version(torch, r.name)
    if version is None:
        last = max((Version(rel) for rel, e in data.releases.items() if r.name in e["versions"]), default=None)
        return (
            f"{r.where}: {r.text!r} has no release that goes with torch {torch} on this index (the last {r.name} "
            f"release listed with torch goes with torch {last}). Fix: limit torch to <={last} or remove {r.name}."
        )
    if not r.spec.contains(version, prereleases=True):
        return (
            f"{r.where}: {r.text!r} excludes {r.name} {version}, the release that goes with torch {torch}. "
            f"Fix: allow {r.name}=={version} or narrow the torch specifier to releases whose {r.name} it allows."
        )
    return None


def _span(versions: list[Version]) -> str:
    if not versions:
        return "no releases"
    if len(versions) <= 6:
        return ", ".join(str(v) for v in sorted(versions))
    return f"{min(versions)} to {max(versions)} ({len(versions)} releases)"
