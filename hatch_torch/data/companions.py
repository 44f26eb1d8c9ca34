"""The torch family's table members (torchao, fbgemm-gpu, xformers) as rows of the release data's companions.

Their builds live on the PyTorch indexes next to torch's, with torch's labels put through the member's label
template; which torch each release goes with comes from ``family.json``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from packaging.version import Version

from hatch_torch.data.family import Family, load


def companion_rows(
    family: Family, raw: dict[str, Any], only: str | None = None
) -> dict[str, dict[str, dict[str, Any]]]:
    """The table members that live on the PyTorch indexes as release-data ``companions`` rows: package ->
    version -> {torch specifier, per-backend labels (those of torch on the backend, through the member's label
    template), the CPython versions of the torch releases it goes with, sources}. Torch releases the data does not
    have, and backends of kinds the member has no builds for, are left out."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    releases = {Version(t): entry for t, entry in raw["releases"].items()}
    for m in family.members.values():
        if m.where != "pytorch" or m.versions != "table" or not m.label or only not in (None, m.name):
            continue
        for r in m.releases:
            backends: dict[str, dict[str, str]] = {}
            pythons: list[str] = []
            for torch, entry in sorted(releases.items()):
                if not r.torch.contains(torch, prereleases=True):
                    continue
                pythons += [p for p in entry["python"] if p not in pythons]
                for backend, packages in entry["backends"].items():
                    kind = raw["backends"].get(backend, {}).get("kind", "")
                    if m.kinds and kind not in m.kinds:
                        continue
                    labels = backends.setdefault(backend, {})
                    for platform, label in packages.get("torch", {}).items():
                        labels[platform] = m.expected_label(label, torch) if label else ""
            if backends:
                row = {"torch": str(r.torch), "backends": backends, "python": pythons}
                out.setdefault(m.name, {})[r.version] = {**row, "source": list(r.source), "confidence": r.confidence}
    return out


def pages(names: Collection[str], releases: list[Version], backend: str) -> list[str]:
    """The find-links pages (PyG's, per torch and backend) with builds of ``names`` for these torch releases."""
    family = load()
    out: list[str] = []
    for name in sorted(names):
        member = family.member(name)
        if member is None:
            continue
        for torch in releases:
            page = family.page(member, torch, backend)
            if page and page not in out:
                out.append(page)
    return out
