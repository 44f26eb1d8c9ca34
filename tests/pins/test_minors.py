"""requires-python read without packaging when it is plain release numbers: the same answer as packaging."""

from __future__ import annotations

import random

import pytest
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from hatch_torch.pins.family import holds, plain_clauses
from hatch_torch.pins.markers import allowed_minors

OPS = ["~=", "==", "!=", "<=", ">=", "<", ">", "===", ""]
VALUES = ["3", "3.10", "3.9", "3.10.1", "3.12.*", "3.*", "4", "3.10.0.0", "2.7", "3.11.99", "3.0", "03.10"]
VALUES += [
    "3.1a1",
    "3.10.post1",
    " 3.11",
    "3.13.*",
    "v3.10",
    "",
    "3.10+local",
    "\u0661.\u0662",
]  # Arabic-Indic digits: not plain
PROBES = [(3, m, p) for m in range(17) for p in (0, 1, 2, 5, 10, 99)] + [(3, 0), (2, 7), (3, 99), (4, 0), (3,)]


def test_plain_specifiers_hold_where_packaging_says_they_do() -> None:
    rng = random.Random(2026)
    checked = 0
    for _ in range(3000):
        spec = ",".join(rng.choice(OPS) + rng.choice(VALUES) for _ in range(rng.choice([1, 1, 2, 3])))
        clauses = plain_clauses(spec)
        if clauses is None:
            continue
        parsed = SpecifierSet(spec)  # what the quick path takes is a valid specifier
        for version in PROBES:
            expected = parsed.contains(".".join(map(str, version)), prereleases=True)
            assert all(holds(c, version) for c in clauses) == expected, (spec, version)
            checked += 1
    assert checked > 50_000  # the quick path saw many specifiers


@pytest.mark.parametrize("spec", [">=3.10", ">=3.9,<3.13", "~=3.11", "==3.12.*", "!=3.11.*,>=3.9", ">3.8", "<=3.11"])
def test_allowed_minors_agree_with_packaging(spec: str) -> None:
    known = [(3, m) for m in range(9, 15)]
    parsed = SpecifierSet(spec)
    quick = allowed_minors(known, spec)
    slow = allowed_minors(known, spec + ",!=0.0a0")  # a pre-release clause: packaging decides
    assert quick == slow
    assert ((3, 12) in quick) == parsed.contains("3.12.0")


def test_an_invalid_requires_python_still_raises() -> None:
    for bad in ("=>3.10", "~=3", ">=3.10.*", "3.10"):
        with pytest.raises(InvalidSpecifier):
            allowed_minors([(3, 10)], bad)
