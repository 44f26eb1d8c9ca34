"""pins.family: requirements of the plainest shape are told apart from the torch family without the full parser,
and only when packaging agrees that they are valid and name that package."""

from __future__ import annotations

import random

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from hatch_torch.pins.family import _plain_name, parse

NAMES = [
    "numpy",
    "NumPy",
    "torch",
    "Torch_Vision",
    "scikit-learn",
    "a",
    "zope.interface",
    "x_-_y",
    "pkg.",
    "-pkg",
    "2d",
]
EXTRAS = ["", "[cuda]", "[a,b]", "[]", "[a, b]", "[a", "[-x]", " [x]"]
CLAUSES = [">=1.26", "==2.*", "!=1.0.*", "~=1.4", "~=1", "<2", ">0", "<=3.0.1", "===1.0", ">=1.*", "==1.0+cpu"]
CLAUSES += [
    "==1.0rc1",
    " >= 1.2 ",
    "",
    ">=01.2",
    "=1",
    ">=1.2;",
    "@ https://x/y.whl",
    "(>=1.0)",
    ">=1.2 ; python_version<'3'",
]


def _accepted(texts: list[str]) -> int:
    """How many of ``texts`` the quick path takes; each of those packaging must parse to the same name, with no
    marker or URL."""
    accepted = 0
    for text in texts:
        plain = _plain_name(text)
        if plain is None:
            continue
        accepted += 1
        try:
            req = Requirement(text)
        except InvalidRequirement:
            raise AssertionError(f"{text!r} was taken as plain but packaging rejects it") from None
        assert plain == canonicalize_name(req.name), text
        assert req.marker is None, text
        assert req.url is None, text
    return accepted


def test_a_plain_requirement_is_valid_and_names_what_packaging_names() -> None:
    rng = random.Random(508)
    texts = []
    for _ in range(20_000):
        text = rng.choice(NAMES) + rng.choice(EXTRAS)
        text += ",".join(rng.choice(CLAUSES) for _ in range(rng.choice([0, 1, 1, 2, 3])))
        texts.append(rng.choice(["", " ", "\t"]) + text + rng.choice(["", " "]))
    assert _accepted(texts) > 2000  # the quick path is taken often


def test_other_packages_are_skipped_and_bad_strings_still_reported() -> None:
    groups = {"dependencies": ["numpy>=1.26", "torch>=2.6", "Torch_Vision", "bad>=", "numpy; python_version<'3.11'"]}
    family, problems = parse(groups, "x.", {"torch", "torch-vision"})
    assert [(r.where, r.name) for r in family] == [
        ("x.dependencies[1]", "torch"),
        ("x.dependencies[2]", "torch-vision"),
    ]
    assert len(problems) == 1
    assert "x.dependencies[3]: 'bad>='" in problems[0]


def test_strings_of_random_characters_taken_as_plain_are_valid() -> None:
    """Whitespace other than spaces and tabs (newlines, no-break spaces), non-ASCII digits and stray symbols are
    left to the full parser, which rejects them."""
    chars = [*"abcXYZ019._-[],<>=!~*; @()+ \t", "\u0661", "\u00e9", "\n", "\r", "\x0b", "\u00a0", "\u2003", "\x00"]
    rng = random.Random(7)
    texts = [
        rng.choice(["", "numpy", "torch", "a.b"]) + "".join(rng.choice(chars) for _ in range(rng.randint(1, 12)))
        for _ in range(60_000)
    ]
    assert _accepted(texts) > 1000
