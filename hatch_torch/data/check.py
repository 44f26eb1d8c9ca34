"""The shape of release data: every value a reader takes from it, checked before anything reads it.

Release data read from JSON (``$HATCH_TORCH_DATA``, the user's ``data update`` file, or the bundled file when
its compiled copy is stale) is checked here once, and every misplaced value is reported together (where it
is, what it must be, what it is) instead of surfacing as a traceback from the resolver, detection or a
command. Keys the readers do not use are left alone, so newer data stays readable. The compiled bundled copy
is checked by the tests (tests/data/test_check.py), not on every build.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Found = list[tuple[str, str, str]]  # (where, what it must be, what it is)
#: a check takes (value, where) and adds to ``found`` for each misplaced value
Check = Callable[[Any, str, Found], None]
#: messages shown before "and N more"
LIMIT = 12
_PYTHON = re.compile(r"3\.\d+t?")


def _leaf(test: Callable[[Any], bool], expected: str) -> Check:
    def check(value: Any, where: str, out: Found) -> None:
        if not test(value):
            out.append((where, expected, _shown(value)))

    return check


def _parses(kind: str) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
        from packaging.version import InvalidVersion, Version

        try:
            Version(value) if kind == "version" else SpecifierSet(value)
        except (InvalidVersion, InvalidSpecifier):
            return False
        return True

    return test


STRING = _leaf(lambda v: isinstance(v, str), "a string")
INTEGER = _leaf(lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer")
BOOLEAN = _leaf(lambda v: isinstance(v, bool), "true or false")
VERSION = _leaf(_parses("version"), 'a version string like "2.9.1"')
SPECIFIER = _leaf(_parses("specifier"), 'a version specifier string like ">=2.9" (or "" for any)')
PYTHON = _leaf(lambda v: isinstance(v, str) and _PYTHON.fullmatch(v) is not None, 'a CPython version like "3.12"')
DRIVER = _leaf(
    lambda v: isinstance(v, str) and v.isascii() and all(p.isdigit() for p in v.split(".")),
    'a driver version like "580.65.06"',
)
MACOS = _leaf(lambda v: isinstance(v, str) and v.split(".")[0].isdigit(), 'a macOS version like "14.0"')


def _list(item: Check) -> Check:
    def check(value: Any, where: str, out: Found) -> None:
        if not isinstance(value, list):
            out.append((where, "a list", _shown(value)))
            return
        for i, v in enumerate(value):
            item(v, f"{where}[{i}]", out)

    return check


def _table(value_check: Check, key_check: Check = STRING) -> Check:
    """An object whose keys are all alike (versions, backends, platforms)."""

    def check(value: Any, where: str, out: Found) -> None:
        if not isinstance(value, dict):
            out.append((where, "an object", _shown(value)))
            return
        for k, v in value.items():
            before = len(out)
            key_check(k, f"a key of {where or 'the data'}", out)
            if len(out) == before:
                value_check(v, _join(where, k), out)

    return check


def _fields(required: dict[str, Check], optional: dict[str, Check] | None = None) -> Check:
    """An object with named keys; keys not named here are not checked."""

    def check(value: Any, where: str, out: Found) -> None:
        if not isinstance(value, dict):
            out.append((where, "an object", _shown(value)))
            return
        for k, c in required.items():
            if k in value:
                c(value[k], _join(where, k), out)
            else:
                out.append((_join(where, k), "present", "nothing"))
        for k, c in (optional or {}).items():
            if k in value:
                c(value[k], _join(where, k), out)

    return check


def _join(where: str, key: str) -> str:
    part = f'"{key}"' if "." in key or not key.replace("_", "").replace("-", "").isalnum() else key
    return f"{where}.{part}" if where else part


LABELS = _table(STRING)  # platform -> local label
WHEEL = _fields({"python": _list(PYTHON)}, {"macos": MACOS, "macos_python": _table(MACOS, PYTHON)})
RELEASE = _fields(
    {"versions": _table(STRING), "python": _list(PYTHON), "backends": _table(_table(LABELS))},
    {"wheels": _table(WHEEL)},
)
COMPANION = _fields(
    {},
    {
        "torch": SPECIFIER,
        "wheels": _table(WHEEL),
        "backends": _table(LABELS),
        "python": _list(PYTHON),
        "unlabelled": BOOLEAN,
    },
)
FLOORS = _fields({}, {"linux": DRIVER, "windows": DRIVER})  # the lowest driver per OS (and its sources)
BACKEND = _fields(
    {"kind": STRING},
    {"index": STRING, "cuda": STRING, "gfx": _list(STRING), "driver": FLOORS, "toolkit_driver": FLOORS},
)
DATA = _fields(
    {"platforms": _list(STRING), "backends": _table(BACKEND), "releases": _table(RELEASE, VERSION)},
    {
        "schema": INTEGER,
        "packages": _list(STRING),
        "updated": STRING,
        "companions": _table(_table(COMPANION, VERSION)),
        "cuda_arches": _list(_fields({"torch": SPECIFIER, "backend": STRING, "platform": STRING, "sm": _list(STRING)})),
        "triton": _list(_fields({"torch": SPECIFIER, "kind": STRING, "package": STRING})),
    },
)


def problems(raw: Any, where: str, fix: str) -> list[str]:
    """One message per misplaced value of release data ``raw`` (read from ``where``), each ending with ``fix``."""
    found: Found = []
    DATA(raw, "", found)
    messages = [f"{where}: {path or 'the data'} must be {expected}, got {got}. {fix}" for path, expected, got in found]
    if len(messages) > LIMIT:
        messages[LIMIT:] = [f"{where}: and {len(found) - LIMIT} more values of the wrong shape. {fix}"]
    return messages


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
