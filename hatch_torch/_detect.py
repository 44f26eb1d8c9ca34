"""Accelerator detection: which backend suits this machine (full probing lives in its own issue)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from packaging.specifiers import SpecifierSet


@dataclass
class Detection:
    """What detection found and the backend it chose, with the reasons."""

    backend: str
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def detect(torch: str | SpecifierSet | None = None) -> Detection:
    """Choose the backend for this machine and the torch specifier being pinned."""
    return Detection("cpu", ["no accelerator probe is installed; cpu is the safe choice"])
