"""What an index serves where: torch releases and companion releases per platform, CPython and macOS (the answers
pins/tables.py turns into the resolver's tables).

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

    __slots__ = ("_torch", "_version", "labels", "python", "text", "torch_text", "unlabelled", "wheels")

    def __init__(self, version: str, torch: str, wheels: dict[str, dict[str, Any]], unlabelled: bool = False) -> None:
        self.text = version  # the release, parsed when first asked (most are never compared)
        self._version: Version | None = None
        self.torch_text = torch  # what the release declares about torch (parsed when first asked)
        self._torch: SpecifierSet | None = None
        self.wheels = wheels  # PyPI's wheels per platform
        self.labels: dict[str, dict[str, str]] = {}  # backend -> platform -> label
        self.python: list[str] = []  # CPython list of the torch release it was paired with
        self.unlabelled = unlabelled  # one bare wheel serves every index's torch

    @property
    def version(self) -> Version:
        if self._version is None:
            self._version = Version(self.text)
        return self._version

    @property
    def torch(self) -> SpecifierSet:
        if self._torch is None:
            self._torch = SpecifierSet(self.torch_text)
        return self._torch


Where = tuple[frozenset[str], dict[str, int], int | None]  # (CPythons, macOS floor per CPython, macOS floor)


def where_of(wheel: dict[str, Any] | None, fallback_python: list[str]) -> Where:
    """Which CPythons (and macOS majors) a wheel described by ``wheel`` (or only ``fallback_python``) serves."""
    if not wheel:
        return frozenset(fallback_python), {}, None
    floor = int(wheel["macos"].split(".")[0]) if "macos" in wheel else None
    per = {p: int(v.split(".")[0]) for p, v in wheel.get("macos_python", {}).items()} if floor is not None else {}
    return frozenset(wheel["python"]), per, floor


def fits(where: Where, python: str, macos: int | None) -> bool:
    pythons, per, floor = where
    if python not in pythons:
        return False
    return macos is None or floor is None or per.get(python, floor) <= macos


class Serving:
    """Answers "which label does index X give package P version V on platform Q" for one data object."""

    _made: ClassVar[WeakKeyDictionary[ReleaseData, Serving]] = WeakKeyDictionary()

    def __init__(self, data: ReleaseData) -> None:
        self.data = data
        self._sources: dict[tuple[str, str | None, str], list[tuple[Version, str]]] = {}
        self._allows: dict[tuple[str, Version], bool] = {}
        self._members: dict[str, list[Companion]] = {}
        # per (release, index, platform): the label and where the wheel installs, worked out once and then only
        # checked per CPython and macOS
        self._torch: dict[tuple[Version, str, str], tuple[str, Where] | None] = {}
        self._mates: dict[tuple[str, Version], list[Companion]] = {}  # (package, torch) -> releases declaring it
        self._mate_where: dict[tuple[int, str, str], tuple[str, Where] | None] = {}
        self.made: dict[Any, Any] = {}  # what is made from these answers (pins/tables.py), once

    @classmethod
    def of(cls, data: ReleaseData) -> Serving:
        """The one Serving of ``data`` (its tables are built once)."""
        if data not in cls._made:
            cls._made[data] = cls(data)
        return cls._made[data]

    def torch_fact(self, torch: Version, index: str, platform: str) -> tuple[str, Where] | None:
        """(label, where the wheel installs) of torch ``torch`` on ``index`` for ``platform``, or None."""
        key = (torch, index, platform)
        if key not in self._torch:
            label = self.data.labels(torch, index, "torch").get(platform)
            wheel = self.data.wheels(torch).get(platform)
            self._torch[key] = None if label is None else (label, where_of(wheel, self.data.entry(torch)["python"]))
        return self._torch[key]

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
    def platforms(self) -> list[str]:
        return self.data.platforms

    @cached_property
    def family(self) -> set[str]:
        """The torch family: the data's packages, its ``companions`` table, and the family data's members (on the
        PyTorch indexes like torchvision, and PyG from its pages), with those installed plugins add."""
        from hatch_torch.pins.family import family_names

        return family_names(self.data, plugins=True)

    @cached_property
    def pythons(self) -> list[tuple[int, int]]:
        """The CPython minors the data's releases name, in order."""
        found = {p.rstrip("t") for r in self.data.releases.values() for p in r["python"]}
        return sorted((3, int(p.split(".")[1])) for p in found)

    @cached_property
    def companions(self) -> dict[str, list[Companion]]:
        """package -> its releases, newest first."""
        table: dict[str, dict[str, Companion]] = {}
        for package, rows in self.data.raw.get("companions", {}).items():
            for version, row in rows.items():
                mate = Companion(
                    version,
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
                rows = table.setdefault(package, {})
                mate = (
                    rows[version] if version in rows else rows.setdefault(version, Companion(version, f"=={torch}", {}))
                )
                mate.python = mate.python or release["python"]
                for backend, packages in release["backends"].items():
                    mate.labels.setdefault(backend, {}).update(packages.get(package, {}))
        return {p: sorted(rows.values(), key=lambda c: c.version, reverse=True) for p, rows in table.items()}

    def going_with(self, package: str, torch: Version) -> list[Companion]:
        """The releases of ``package`` (newest first) that declare a torch requirement ``torch`` satisfies."""
        key = (package, torch)
        if key not in self._mates:
            every = self.companions.get(package) or self.members(package)
            self._mates[key] = [mate for mate in every if self.declares(mate, torch)]
        return self._mates[key]

    def mate_on(self, mate: Companion, index: str, platform: str) -> tuple[str, Where] | None:
        """(label, where it installs) of a companion release on ``index`` for ``platform``, or None."""
        key = (id(mate), index, platform)  # companions live as long as this Serving: their ids stay theirs
        if key not in self._mate_where:
            if index == PYPI or mate.unlabelled:
                label = "" if platform in mate.wheels else None
            else:
                label = mate.labels.get(index, {}).get(platform)
            where = where_of(mate.wheels.get(platform), mate.python)
            self._mate_where[key] = None if label is None else (label, where)
        return self._mate_where[key]

    def members(self, package: str) -> list[Companion]:
        """The releases of a family-data member (data/family.json), newest first; built when first asked."""
        if package not in self._members:
            from hatch_torch.data.companions import companion_rows
            from hatch_torch.data.family import load

            rows = companion_rows(load(), self.data.raw, only=package).get(package, {})
            mates = []
            for version, row in rows.items():
                mate = Companion(version, row["torch"], {})
                mate.labels, mate.python = row["backends"], row["python"]
                mates.append(mate)
            self._members[package] = sorted(mates, key=lambda c: c.version, reverse=True)
        return self._members[package]

    @cached_property
    def paged(self) -> frozenset[str]:
        """Members on find-links pages per torch and backend (PyG)."""
        from hatch_torch.data.members import page_members

        return frozenset(page_members(plugins=True))
