"""Check the shape of a parsed TOML document before anything reads it: every misplaced type is reported
(setting, value, fix) instead of surfacing as a traceback from deep inside a command."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Path = tuple[str, ...]  # "*" matches every key of a table


@dataclass(frozen=True)
class Rule:
    path: Path
    kind: str  # "table", "array", "strings" (array of strings), "tables" (array of tables), "string", "bool"
    fix: str


_EXPECT = {
    "table": "a table",
    "array": "an array",
    "strings": "an array of strings",
    "tables": "an array of tables",
    "string": "a string",
    "bool": "true or false",
}


def kind_of(value: Any) -> str:
    """A TOML type name for messages: ``a table``, ``an array``, ``a string``, ``an integer``..."""
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, (datetime.date, datetime.time)):
        return "a date/time"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def shown(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _matches(value: Any, kind: str) -> bool:
    if kind == "table":
        return isinstance(value, Mapping)
    if kind == "array":
        return isinstance(value, list)
    if kind == "strings":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "tables":
        return isinstance(value, list) and all(isinstance(v, Mapping) for v in value)
    if kind == "string":
        return isinstance(value, str)
    return isinstance(value, bool)


def _at(node: Any, path: Path, done: Path = ()) -> Iterator[tuple[Path, Any]]:
    """(concrete path, value) for every value at ``path`` (``*`` expanded) whose parents are tables."""
    if not path:
        yield done, node
        return
    if not isinstance(node, Mapping):
        return
    head, rest = path[0], path[1:]
    keys = list(node) if head == "*" else [head] if head in node else []
    for key in keys:
        yield from _at(node[key], rest, (*done, str(key)))


def problems(doc: Mapping[str, Any], rules: Sequence[Rule], prefix: str = "") -> list[str]:
    """One message per value that has the wrong type; values under a wrong parent are not checked again."""
    out: list[str] = []
    bad: list[Path] = []
    for rule in rules:
        for path, value in _at(doc, rule.path):
            if any(path[: len(b)] == b for b in bad) or _matches(value, rule.kind):
                continue
            bad.append(path)
            name = prefix + ".".join(path)
            out.append(f"{name} must be {_EXPECT[rule.kind]}, got {kind_of(value)} ({shown(value)}). Fix: {rule.fix}.")
    return out
