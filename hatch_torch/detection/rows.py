"""The release data reshaped once for choosing: per-backend releases and parsed CUDA kernel rows."""

from __future__ import annotations

from functools import lru_cache

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from hatch_torch.data.model import ReleaseData
from hatch_torch.util.record import Record


class Release(Record):
    version: Version
    text: str
    platforms: frozenset[str]
    unofficial: bool


class Rows(Record):
    spec: SpecifierSet
    sm: list[tuple[int, int]]
    ptx: str | None
    listed: str


class Index:
    """The release data reshaped once for choosing: per-backend releases and parsed kernel rows."""

    def __init__(self, data: ReleaseData) -> None:
        self._picks: dict[tuple[str, str, str], Release | None] = {}
        self.releases: dict[str, list[Release]] = {}
        for version in data.versions:
            entry = data.releases[str(version)]
            for backend, packages in entry["backends"].items():
                self.releases.setdefault(backend, []).append(
                    Release(
                        version,
                        str(version),
                        frozenset(packages.get("torch", {})),
                        backend in entry.get("unofficial", []),
                    )
                )
        self.rows: dict[tuple[str, str], list[Rows]] = {}
        for r in data.raw.get("cuda_arches", []):
            listed = " ".join(r["sm"]) + (f" +PTX {r['ptx']}" if r.get("ptx") else "")
            self.rows.setdefault((r["backend"], r["platform"]), []).append(
                Rows(SpecifierSet(r["torch"]), [cc_tuple(x) for x in r["sm"]], r.get("ptx"), listed)
            )

    def release_for(self, backend: str, spec: SpecifierSet, platform: str) -> Release | None:
        """The newest release on the backend's index for ``platform`` that satisfies ``spec`` (memoised:
        the data never changes)."""
        key = (backend, str(spec), platform)
        if key not in self._picks:
            fits = (
                r for r in self.releases.get(backend, []) if platform in r.platforms and spec.contains(r.version, True)
            )
            self._picks[key] = next(fits, None)
        return self._picks[key]


@lru_cache(maxsize=4)
def index(data: ReleaseData) -> Index:
    return Index(data)


def cc_tuple(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major), int(minor or 0)
