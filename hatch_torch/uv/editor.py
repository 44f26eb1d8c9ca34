"""Apply a :class:`~hatch_torch.uv.layout.Plan` to a pyproject document, touching only what hatch-torch owns.

Ownership is recorded in ``tool.hatch-torch.written``: one identifier per entry the last run wrote
(``index:pytorch-cu130``, ``source:torch``, ``find-links:<url>``...). An entry in that list is updated or
removed freely; an entry the user wrote by hand is kept when it equals what hatch-torch would write and
refused (reported by name) when it differs, unless ``force``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tomlkit.container import Container
from tomlkit.items import AoT, Array

from hatch_torch.util.errors import ConfigurationError
from hatch_torch.uv.layout import Plan
from hatch_torch.uv.scan import line_ident
from hatch_torch.uv.tomledit import element, new_table, normal, plain, prune, remove_value, table, value

UV = ("tool", "uv")
SOURCES = ("tool", "uv", "sources")
EXTRAS = ("project", "optional-dependencies")

#: list settings of [tool.uv] hatch-torch adds members to: ident prefix -> key
MEMBER_LISTS = {
    "find-links": "find-links",
    "required-environment": "required-environments",
    "conflict": "conflicts",
    "cache-key": "cache-keys",
}


@dataclass
class _Keyed:
    """One entry found by key: an index by name, a source by package, an extra by name."""

    ident: str
    label: str  # how the user finds it in the file
    desired: Any
    get: Callable[[], Any]
    put: Callable[[Any], None]
    drop: Callable[[], None]


class Editor:
    def __init__(self, doc: Container, written: Sequence[str], force: bool) -> None:
        self.doc = doc
        self.old = set(written)
        self.force = force
        self.record: list[str] = []
        self.refused: list[str] = []

    # --- the run -----------------------------------------------------------------------------------------

    def apply(self, plan: Plan) -> list[str]:
        whole, env_keys = self._cache_keys(plan)
        keyed = self._keyed(plan) + whole
        members = self._members(plan, env_keys)
        moves = [(line_ident("moved", path, line), path, line) for path, line in plan.moved]
        wanted = {k.ident for k in keyed} | {ident for ident, _, _ in members + moves}
        for ident in sorted(self.old - wanted):
            self._remove(ident)
        for item in keyed:
            self._set(item)
        if self.refused:
            raise ConfigurationError(self.refused)
        for ident, path, line in moves:
            array = self._array(path)
            if array is not None:
                remove_value(array, line)
            self.record.append(ident)
        for ident, path, obj in members:
            self._add_member(ident, path, obj)
        prune(self.doc, SOURCES)
        prune(self.doc, (*UV, "index"))
        prune(self.doc, EXTRAS)
        return sorted(self.record)

    # --- keyed entries -------------------------------------------------------------------------------------

    def _keyed(self, plan: Plan) -> list[_Keyed]:
        out = [self._index(name, entry) for name, entry in plan.indexes.items()]
        out += [self._source(name, entries) for name, entries in plan.sources.items()]
        out += [self._extra(name, reqs) for name, reqs in plan.extras.items()]
        return out

    def _cache_keys(self, plan: Plan) -> tuple[list[_Keyed], list[dict[str, str]]]:
        """The whole setting when hatch-torch wrote it (or it is absent), else only the env entries."""
        if not plan.cache_keys:
            return [], []
        if "cache-keys" in self.old or self._uv_get("cache-keys") is None:
            return [self._uv_key("cache-keys", plan.cache_keys)], []
        return [], [k for k in plan.cache_keys if "env" in k]

    def _set(self, item: _Keyed) -> None:
        current = item.get()
        if current is None or item.ident in self.old or self.force:
            if plain(current) != item.desired:
                item.put(item.desired)
        elif normal(plain(current)) != normal(item.desired):
            self.refused.append(
                f"{item.label} was written by hand and differs from what hatch-torch writes "
                f"({json.dumps(plain(current))} vs {json.dumps(item.desired)}). "
                f"Fix: remove it, or rerun with --force to replace it."
            )
            return
        self.record.append(item.ident)

    def _remove(self, ident: str) -> None:
        kind, _, key = ident.partition(":")
        if kind == "index":
            self._index(key, None).drop()
        elif kind == "source":
            self._source(key, None).drop()
        elif kind == "extra":
            self._extra(key, None).drop()
        elif kind == "cache-keys":
            self._uv_key("cache-keys", None).drop()
        elif kind == "requirement":
            path, _, line = key.partition("::")
            array = self._array(tuple(path.split(".")))
            if array is not None:
                remove_value(array, line)
        elif kind == "moved":  # the extras are gone: the line goes back where the user wrote it
            path, _, line = key.partition("::")
            self._add_member(ident, tuple(path.split(".")), line)
            self.record.remove(ident)
        elif kind in MEMBER_LISTS:
            array = self._array((*UV, MEMBER_LISTS[kind]))
            if array is not None:
                remove_value(array, _member_value(kind, key))
                if len(array) == 0:
                    uv = table(self.doc, UV, create=False)
                    assert uv is not None
                    del uv[MEMBER_LISTS[kind]]
        prune(self.doc, UV)

    def _index(self, name: str, entry: dict[str, Any] | None) -> _Keyed:
        def find() -> tuple[AoT | Array | None, int]:
            uv = table(self.doc, UV, create=False)
            entries = uv.get("index") if uv is not None else None
            if isinstance(entries, (AoT, Array)):
                for i, e in enumerate(entries):
                    if plain(e).get("name") == name:
                        return entries, i
            return None, -1

        def get() -> Any:
            entries, i = find()
            return entries[i] if entries is not None else None

        def put(new: dict[str, Any]) -> None:
            entries, i = find()
            if entries is not None:
                current = entries[i]
                for key in list(current):
                    del current[key]
                current.update(new)
                return
            uv = table(self.doc, UV, create=True)
            assert uv is not None
            aot = uv.get("index")
            if aot is None:
                aot = AoT([])
                uv["index"] = aot
            aot.append(new_table(new))

        def drop() -> None:
            entries, i = find()
            if entries is not None:
                del entries[i]

        return _Keyed(f"index:{name}", f'[[tool.uv.index]] name = "{name}"', entry, get, put, drop)

    def _source(self, name: str, entries: list[dict[str, str]] | None) -> _Keyed:
        return self._entry(SOURCES, name, f"source:{name}", entries)

    def _extra(self, name: str, reqs: list[str] | None) -> _Keyed:
        return self._entry(EXTRAS, name, f"extra:{name}", reqs)

    def _uv_key(self, key: str, desired: Any) -> _Keyed:
        return self._entry(UV, key, key, desired)

    def _uv_get(self, key: str) -> Any:
        return self._entry(UV, key, key, None).get()

    def _entry(self, path: tuple[str, ...], key: str, ident: str, desired: Any) -> _Keyed:
        """The value at ``path.key`` (a source, an extra, a [tool.uv] setting)."""

        def get() -> Any:
            parent = table(self.doc, path, create=False)
            return parent.get(key) if parent is not None else None

        def put(new: Any) -> None:
            parent = table(self.doc, path, create=True)
            assert parent is not None
            parent[key] = value(new)

        def drop() -> None:
            parent = table(self.doc, path, create=False)
            if parent is not None and key in parent:
                del parent[key]

        return _Keyed(ident, ".".join((*path, key)), desired, get, put, drop)

    # --- members of lists ------------------------------------------------------------------------------------

    def _members(self, plan: Plan, cache_keys: list[dict[str, str]]) -> list[tuple[str, tuple[str, ...], Any]]:
        out: list[tuple[str, tuple[str, ...], Any]] = []
        for path, line in plan.requirements:
            out.append((line_ident("requirement", path, line), path, line))
        out += [(f"find-links:{url}", (*UV, "find-links"), url) for url in plan.find_links]
        out += [(f"required-environment:{m}", (*UV, "required-environments"), m) for m in plan.required_environments]
        out += [(f"conflict:{','.join(e['extra'] for e in g)}", (*UV, "conflicts"), g) for g in plan.conflicts]
        out += [(f"cache-key:env={k['env']}", (*UV, "cache-keys"), k) for k in cache_keys]
        return out

    def _array(self, path: tuple[str, ...]) -> Array | None:
        parent = table(self.doc, path[:-1], create=False)
        found = parent.get(path[-1]) if parent is not None else None
        return found if isinstance(found, Array) else None

    def _add_member(self, ident: str, path: tuple[str, ...], obj: Any) -> None:
        array = self._array(path)
        if array is None:
            parent = table(self.doc, path[:-1], create=True)
            assert parent is not None
            if path[-1] in parent:
                raise ConfigurationError(
                    [f"{'.'.join(path)} is not an array. Fix: make it an array, e.g. {path[-1]} = []."]
                )
            parent[path[-1]] = value([obj])
        elif normal(obj) not in [normal(plain(v)) for v in array]:
            array.append(element(obj))
        self.record.append(ident)


def _member_value(kind: str, key: str) -> Any:
    """The array element a member identifier stands for."""
    if kind == "conflict":
        return [{"extra": extra} for extra in key.split(",")]
    if kind == "cache-key":
        return dict([key.split("=", 1)])
    return key
