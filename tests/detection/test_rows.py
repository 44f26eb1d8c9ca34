"""detection.rows: the data's release ranges decided without packaging.specifiers, as packaging decides them."""

from __future__ import annotations

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from hatch_torch.data.model import load
from hatch_torch.detection.rows import in_range

EXTRA = [">2.8", "<=2.9", "==2.10", ">=2.8.1,<2.11.0", ">= 2.6 , < 2.8"]
ODD = ["~=2.8", "!=2.9", "==2.8.*"]  # other forms: packaging decides


def versions() -> list[Version]:
    found = list(load().versions)
    return found + [Version(v) for v in ("2.8.0", "2.8.1", "2.9.post1", "2.10.0rc1", "2.11.dev3", "2.7.1+cu126")]


@pytest.mark.parametrize("text", sorted({r["torch"] for r in load().raw["cuda_arches"]} | set(EXTRA)))
def test_the_data_ranges_agree_with_packaging(text: str) -> None:
    for v in versions():
        assert in_range(text, v) == SpecifierSet(text).contains(v), (text, v)


@pytest.mark.parametrize("text", ODD)
def test_other_forms_go_to_packaging(text: str) -> None:
    for v in versions():
        assert in_range(text, v) == SpecifierSet(text).contains(v), (text, v)
