"""One companion release as the resolver reads it, and where a wheel installs (CPython, macOS)."""

from __future__ import annotations

from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version


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
