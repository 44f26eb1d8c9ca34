"""Small tomlkit helpers: find or create tables, and build values formatted like hand-written uv config."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.items import AoT, Array, Item, Table

Node = Container | Table


def plain(value: Any) -> Any:
    """A tomlkit item as plain Python (dicts, lists, str, bool)."""
    unwrap = getattr(value, "unwrap", None)
    return unwrap() if unwrap else value


def table(doc: Node, path: Sequence[str], *, create: bool) -> Node | None:
    """The table at ``path`` (created as needed, a bare ``[tool]`` never written), or None."""
    node: Node = doc
    for depth, key in enumerate(path):
        child = node.get(key)
        if child is None:
            if not create:
                return None
            child = tomlkit.table(is_super_table=depth == 0 and key == "tool")
            node[key] = child
        if not isinstance(child, (Table, Container)):
            raise TypeError(f"{'.'.join(path[: depth + 1])} is not a table")
        node = child
    return node


def prune(doc: Node, path: Sequence[str]) -> None:
    """Remove the table at ``path`` and then its parents while they are empty."""
    for end in range(len(path), 0, -1):
        parent = table(doc, path[: end - 1], create=False)
        if parent is None:
            return
        child = parent.get(path[end - 1])
        if child is None or (isinstance(child, (Table, AoT, list)) and len(child) == 0):
            if child is not None:
                del parent[path[end - 1]]
        else:
            return


def _scalar(value: Any) -> str:
    text: str = tomlkit.item(value).as_string()
    return text


def _inline(value: dict[str, Any]) -> str:
    return "{ " + ", ".join(f"{k} = {_scalar(v)}" for k, v in value.items()) + " }"


def _render(value: Any) -> str:
    if isinstance(value, dict):
        return _inline(value)
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    return _scalar(value)


def value(obj: Any, *, multiline: bool = True) -> Item:
    """A tomlkit value for ``obj``; lists one element per line (two-space indent, trailing comma)."""
    if isinstance(obj, list) and multiline and obj:
        text = "[\n" + "".join(f"  {_render(v)},\n" for v in obj) + "]"
    else:
        text = _render(obj)
    item: Item = tomlkit.parse(f"x = {text}\n")["x"]
    return item


def element(obj: Any) -> Item:
    """A value to append to an existing array (rendered on one line)."""
    return value(obj, multiline=False)


def new_table(values: dict[str, Any]) -> Table:
    t = tomlkit.table()
    t.trivia.indent = "\n"
    for k, v in values.items():
        t[k] = v
    return t


def normal(obj: Any) -> Any:
    """Compare entries as uv reads them: a single source table equals a list holding it."""
    if isinstance(obj, dict):
        return [obj]
    if isinstance(obj, str):
        return obj.strip()
    return obj


def remove_value(array: Array, obj: Any) -> None:
    for i, v in enumerate(array):
        if normal(plain(v)) == normal(obj):
            del array[i]
            return
