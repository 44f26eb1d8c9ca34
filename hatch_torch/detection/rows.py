"""The release data reshaped once for choosing: per-backend releases and parsed CUDA kernel rows."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias

from packaging.version import Version

from hatch_torch.data.model import ReleaseData
from hatch_torch.util.record import Record

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet


class AnyRelease:
    """The empty torch specifier: every release fits. (Parsing specifiers needs packaging.specifiers,
    which a detection without a torch specifier and without NVIDIA kernel rows to check does without.)"""

    def contains(self, item: object, prereleases: bool | None = None) -> bool:
        return True

    def __str__(self) -> str:
        return ""

    def __bool__(self) -> bool:
        return False


ANY = AnyRelease()
Spec: TypeAlias = "SpecifierSet | AnyRelease"


@cache
def specifier(text: str) -> SpecifierSet:
    """A specifier of the release data (cached: the data repeats a few of them)."""
    from packaging.specifiers import SpecifierSet

    return SpecifierSet(text)


_COMPARE = {
    ">=": Version.__ge__,
    "<=": Version.__le__,
    ">": Version.__gt__,
    "<": Version.__lt__,
    "==": Version.__eq__,
}


@cache
def _bounds(text: str) -> tuple[tuple[str, Version], ...] | None:
    """``>=2.8,<2.11`` as ((">=", 2.8), ("<", 2.11)); None for any other form."""
    bounds = []
    for clause in text.replace(" ", "").split(","):
        op = next((o for o in (">=", "<=", "==", ">", "<") if clause.startswith(o)), None)
        bound = clause[len(op) :] if op else ""
        if op is None or not bound.replace(".", "").isdigit() or ".." in bound or bound.endswith("."):
            return None
        bounds.append((op, Version(bound)))
    return tuple(bounds)


def in_range(text: str, release: Version) -> bool:
    """Whether a final torch release is in one of the data's ranges (``<2.1``, ``>=2.8,<2.11``): plain
    comparisons of release numbers, which is what PEP 440 makes of them for a final release. Anything
    else (another operator, a pre-release) goes through packaging's specifiers (and their import, which
    a detection otherwise does without)."""
    bounds = _bounds(text)
    if bounds is None or release.pre or release.post is not None or release.dev is not None or release.local:
        return specifier(text).contains(release)
    return all(_COMPARE[op](release, bound) for op, bound in bounds)


class Release(Record):
    version: Version
    text: str
    platforms: frozenset[str]
    unofficial: bool


class Rows(Record):
    torch: str  # the torch releases the row is for, a specifier ("<2.1", ">=2.8,<2.11")
    sm: list[tuple[int, int]]
    ptx: str | None
    listed: str

    def covers(self, release: Version) -> bool:
        return in_range(self.torch, release)


class Index:
    """The release data reshaped for choosing: per-backend releases and parsed kernel rows, each worked
    out on first use (a machine without a GPU needs neither; an NVIDIA one, the CUDA backends' only)."""

    def __init__(self, data: ReleaseData) -> None:
        self._data = data
        self._picks: dict[tuple[str, str, str], Release | None] = {}
        self._releases: dict[str, list[Release]] = {}
        self._entries: list[tuple[Version, str, dict[str, Any]]] | None = None
        self._rows: dict[tuple[str, str], list[Rows]] | None = None
        #: kind -> its backends, newest first; kind -> the lowest priority a plugin backend gives it
        self.kinds: dict[str, list[str]] = {}
        self.priorities: dict[str, int] = {}
        for backend, info in reversed(data.backends.items()):
            kind = info.get("kind", "")
            self.kinds.setdefault(kind, []).append(backend)
            priority = info.get("priority", 50)
            self.priorities[kind] = min(self.priorities.get(kind, priority), priority)

    def releases(self, backend: str) -> list[Release]:
        """The backend's releases, newest first."""
        known = self._releases.get(backend)
        if known is None:
            if self._entries is None:
                data = self._data
                texts = [(v, str(v)) for v in data.versions]
                self._entries = [(v, text, data.releases[text]) for v, text in texts]
            known = self._releases[backend] = [
                Release(version, text, frozenset(packages.get("torch", {})), backend in entry.get("unofficial", []))
                for version, text, entry in self._entries
                if (packages := entry["backends"].get(backend)) is not None
            ]
        return known

    def rows(self, backend: str, platform: str) -> list[Rows]:
        """The CUDA kernel rows of a backend on a platform."""
        if self._rows is None:
            self._rows = {}
            for r in self._data.raw.get("cuda_arches", []):
                listed = " ".join(r["sm"]) + (f" +PTX {r['ptx']}" if r.get("ptx") else "")
                self._rows.setdefault((r["backend"], r["platform"]), []).append(
                    Rows(r["torch"], [cc_tuple(x) for x in r["sm"]], r.get("ptx"), listed)
                )
        return self._rows.get((backend, platform), [])

    def release_for(self, backend: str, spec: Spec, platform: str) -> Release | None:
        """The newest release on the backend's index for ``platform`` that satisfies ``spec`` (memoised:
        the data never changes)."""
        key = (backend, str(spec), platform)
        if key not in self._picks:
            fits = (r for r in self.releases(backend) if platform in r.platforms and spec.contains(r.version, True))
            self._picks[key] = next(fits, None)
        return self._picks[key]


@lru_cache(maxsize=4)
def index(data: ReleaseData) -> Index:
    return Index(data)


def cc_tuple(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major), int(minor or 0)
