"""What an index serves where: torch releases and companion releases per platform, CPython and macOS.

Facts come from the release data: a backend's labels (``releases[T].backends``), PyPI's wheels
(``releases[T].wheels``; a ``+label`` wheel carries the same tags) and the ``companions`` table, which says
for each companion release what it declares about torch. A companion not in that table goes with the torch
release that lists it (``torch==T``). The table is read once per data object.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar
from weakref import WeakKeyDictionary

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from hatch_torch.data.model import PYPI, ReleaseData


class Companion:
    """One release of a companion package, as the resolver reads it."""

    __slots__ = ("_torch", "labels", "python", "torch_text", "unlabelled", "version", "wheels")

    def __init__(
        self, version: Version, torch: str, wheels: dict[str, dict[str, Any]], unlabelled: bool = False
    ) -> None:
        self.version = version
        self.torch_text = torch  # what the release declares about torch (parsed when first asked)
        self._torch: SpecifierSet | None = None
        self.wheels = wheels  # PyPI's wheels per platform
        self.labels: dict[str, dict[str, str]] = {}  # backend -> platform -> label
        self.python: list[str] = []  # CPython list of the torch release it was paired with
        self.unlabelled = unlabelled  # one bare wheel serves every index's torch

    @property
    def torch(self) -> SpecifierSet:
        if self._torch is None:
            self._torch = SpecifierSet(self.torch_text)
        return self._torch


def supports(wheel: dict[str, Any] | None, fallback_python: list[str], python: str, macos: int | None) -> bool:
    """True if a wheel described by ``wheel`` (or only ``fallback_python``) installs on CPython ``python``."""
    pythons = wheel["python"] if wheel else fallback_python
    if python not in pythons:
        return False
    if macos is None or not wheel or "macos" not in wheel:
        return True
    floor = wheel.get("macos_python", {}).get(python, wheel["macos"])
    return int(floor.split(".")[0]) <= macos


class Serving:
    """Answers "which label does index X give package P version V on platform Q" for one data object."""

    _made: ClassVar[WeakKeyDictionary[ReleaseData, Serving]] = WeakKeyDictionary()

    def __init__(self, data: ReleaseData) -> None:
        self.data = data
        self._sources: dict[tuple[str, str | None, str], list[tuple[Version, str]]] = {}
        self._labels: dict[tuple[Version, str, str, str, int | None], str | None] = {}
        self._allows: dict[tuple[str, Version], bool] = {}
        self._members: dict[str, list[Companion]] = {}

    @classmethod
    def of(cls, data: ReleaseData) -> Serving:
        """The one Serving of ``data`` (its tables are built once)."""
        if data not in cls._made:
            cls._made[data] = cls(data)
        return cls._made[data]

    def torch_label(self, torch: Version, index: str, platform: str, python: str, macos: int | None) -> str | None:
        key = (torch, index, platform, python, macos)
        if key not in self._labels:
            label = self.data.labels(torch, index, "torch").get(platform)
            release = self.data.entry(torch)
            ok = label is not None and supports(self.data.wheels(torch).get(platform), release["python"], python, macos)
            self._labels[key] = label if ok else None
        return self._labels[key]

    def declares(self, mate: Companion, torch: Version) -> bool:
        """The companion release declares a torch requirement that ``torch`` satisfies (memoised)."""
        key = (mate.torch_text, torch)
        if key not in self._allows:
            self._allows[key] = mate.torch.contains(torch, prereleases=True)
        return self._allows[key]

    def allows(self, spec: SpecifierSet, version: Version, text: str | None = None) -> bool:
        """``spec.contains(version)``, memoised by the specifier's text (give it when known: str() is slow)."""
        key = (str(spec) if text is None else text, version)
        if key not in self._allows:
            self._allows[key] = spec.contains(version, prereleases=True)
        return self._allows[key]

    def source(self, torch: Version, backend: str, fallback: str | None, platform: str) -> str | None:
        """The index torch ``torch`` comes from on ``platform``: the backend's where it publishes, else the fallback."""
        if platform in self.data.labels(torch, backend, "torch"):
            return backend
        if fallback and platform in self.data.labels(torch, fallback, "torch"):
            return fallback
        return None

    def sources(self, backend: str, fallback: str | None, platform: str) -> list[tuple[Version, str]]:
        """(torch release, index) to try on ``platform``, best first: the backend's releases (from the fallback
        where the backend lacks the platform), then, on a platform the backend never serves, the fallback's."""
        key = (backend, fallback, platform)
        if key not in self._sources:
            releases = self.data.releases_for(backend)
            tries = [(t, s) for t in releases if (s := self.source(t, backend, fallback, platform))]
            if fallback and not any(platform in self.data.labels(t, backend, "torch") for t in releases):
                tries += [(t, fallback) for t in self.data.releases_for(fallback)]
            self._sources[key] = tries
        return self._sources[key]

    @cached_property
    def companions(self) -> dict[str, list[Companion]]:
        """package -> its releases, newest first."""
        table: dict[str, dict[str, Companion]] = {}
        for package, rows in self.data.raw.get("companions", {}).items():
            for version, row in rows.items():
                mate = Companion(
                    Version(version),
                    row.get("torch", ""),
                    row.get("wheels", {}),
                    bool(row.get("unlabelled")),
                )
                mate.labels = {b: dict(labels) for b, labels in row.get("backends", {}).items()}
                mate.python = list(row.get("python", []))
                table.setdefault(package, {})[version] = mate
        for torch in self.data.versions:
            release = self.data.releases[str(torch)]
            for package, version in release["versions"].items():
                mate = table.setdefault(package, {}).setdefault(version, Companion(Version(version), f"=={torch}", {}))
                mate.python = mate.python or release["python"]
                for backend, packages in release["backends"].items():
                    mate.labels.setdefault(backend, {}).update(packages.get(package, {}))
        return {p: sorted(rows.values(), key=lambda c: c.version, reverse=True) for p, rows in table.items()}

    def companion(
        self,
        package: str,
        torch: Version,
        index: str,
        platform: str,
        python: str,
        macos: int | None,
        spec: SpecifierSet,
        text: str,
    ) -> tuple[Version, str] | None:
        """(newest release of ``package`` that goes with ``torch`` on the index there and fits ``spec``, label)."""
        if package in self.paged:
            return self.paged_build(package, torch, index, platform, spec)
        for mate in self.companions.get(package) or self.members(package):
            if not (self.declares(mate, torch) and self.allows(spec, mate.version, text)):
                continue
            if index == PYPI or mate.unlabelled:
                label = "" if platform in mate.wheels else None
            else:
                label = mate.labels.get(index, {}).get(platform)
            if label is not None and supports(mate.wheels.get(platform), mate.python, python, macos):
                return mate.version, label
        return None

    def members(self, package: str) -> list[Companion]:
        """The releases of a family-data member (data/family.json), newest first; built when first asked."""
        if package not in self._members:
            from hatch_torch.data.companions import companion_rows
            from hatch_torch.data.family import load

            rows = companion_rows(load(), self.data.raw, only=package).get(package, {})
            mates = []
            for version, row in rows.items():
                mate = Companion(Version(version), row["torch"], {})
                mate.labels, mate.python = row["backends"], row["python"]
                mates.append(mate)
            self._members[package] = sorted(mates, key=lambda c: c.version, reverse=True)
        return self._members[package]

    @cached_property
    def paged(self) -> frozenset[str]:
        """Members on find-links pages per torch and backend (PyG)."""
        from hatch_torch.data.members import page_members

        return frozenset(page_members(plugins=True))

    def paged_build(
        self, package: str, torch: Version, index: str, platform: str, spec: SpecifierSet
    ) -> tuple[Version, str] | None:
        """The build of a page member for ``torch`` on ``index``'s backend, if its page has one."""
        from hatch_torch.data.family import load

        family = load()
        member = family.member(package)
        kind = self.data.backends.get(index, {}).get("kind")
        if member is None or kind not in ("cpu", "cuda") or family.page(member, torch, index) is None:
            return None
        if member.where == "pyg" and platform not in family.pyg_platforms:
            return None
        release = member.release_for(torch)
        if release is None or not self.allows(spec, Version(release.version)):
            return None
        return Version(release.version), member.expected_label(index, torch)
