"""Find the torch-family requirements of a project, as the user wrote them (static lists and hook lists)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from hatch_torch.data.model import ReleaseData
from hatch_torch.pins.resolve import FAMILY
from hatch_torch.util.errors import ConfigurationError

HOOK_TABLE = ("tool", "hatch", "metadata", "hooks", "torch")
ListPath = tuple[str, ...]
DEPENDENCIES: ListPath = ("project", "dependencies")


@dataclass
class Found:
    path: ListPath
    texts: list[str]  # the torch-family requirement strings in that list
    names: set[str]


def lookup(table: Mapping[str, Any], path: Iterable[str]) -> Any:
    node: Any = table
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def find_family(
    doc: Mapping[str, Any], data: ReleaseData, written: Collection[str] = ()
) -> tuple[list[Found], list[Found]]:
    """(static lists, hook lists) that hold torch-family requirements, as the user wrote them.

    What hatch-torch wrote is left out (its extras and added lines), and the lines it moved out of
    ``project.dependencies`` into the extras count as still there.
    """
    family = set(FAMILY)
    project = doc.get("project") or {}
    deps = list(project.get("dependencies") or [])
    deps += [line for path, line in _idents(written, "moved") if path == DEPENDENCIES and line not in deps]
    static: list[tuple[ListPath, Any]] = [(DEPENDENCIES, deps)]
    extras = project.get("optional-dependencies") or {}
    static += [(("project", "optional-dependencies", k), v) for k, v in extras.items() if f"extra:{k}" not in written]
    static += [(("dependency-groups", k), v) for k, v in (doc.get("dependency-groups") or {}).items()]
    hook = lookup(doc, HOOK_TABLE) or {}
    hook_extras = hook.get("optional-dependencies") or {}
    hooked: list[tuple[ListPath, Any]] = [((*HOOK_TABLE, "dependencies"), hook.get("dependencies"))]
    hooked += [((*HOOK_TABLE, "optional-dependencies", k), v) for k, v in hook_extras.items()]
    return _scan(static, family, written), _scan(hooked, family, written)


def _idents(written: Collection[str], kind: str) -> list[tuple[ListPath, str]]:
    """(list path, line) of the recorded ``kind:path::line`` identifiers."""
    out = []
    for ident in written:
        head, _, line = ident.partition("::")
        found_kind, _, path = head.partition(":")
        if found_kind == kind and line:
            out.append((tuple(path.split(".")), line))
    return out


def line_ident(kind: str, path: ListPath, line: str) -> str:
    """``requirement:project.dependencies::triton-rocm; ...`` (added) or ``moved:...`` (moved to the extras)."""
    return f"{kind}:{'.'.join(path)}::{line}"


def _scan(lists: list[tuple[ListPath, Any]], family: set[str], written: Collection[str]) -> list[Found]:
    found = []
    for path, value in lists:
        if not isinstance(value, list):
            continue
        texts, names = [], set()
        for item in value:
            if not isinstance(item, str) or line_ident("requirement", path, item) in written:
                continue  # include-group tables and the like, and the lines hatch-torch added
            try:
                name = str(canonicalize_name(Requirement(item).name))
            except InvalidRequirement as exc:
                raise ConfigurationError(
                    [f"{'.'.join(path)}: {item!r} is not a valid PEP 508 requirement ({exc}). Fix: correct it."]
                ) from None
            if name in family:
                texts.append(item)
                names.add(name)
        if texts:
            found.append(Found(path, texts, names))
    return found
