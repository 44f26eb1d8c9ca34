"""Find the torch-family requirements of a project, as the user wrote them (static lists and hook lists)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from hatch_torch.data.members import page_members, pinned_members
from hatch_torch.data.model import ReleaseData
from hatch_torch.pins.resolve import FAMILY
from hatch_torch.util.errors import ConfigurationError
from hatch_torch.util.shapes import Rule

HOOK_TABLE = ("tool", "hatch", "metadata", "hooks", "torch")
_TABLE_FIX = "make it a table (a [section] header or { ... }), or remove it"
#: the types ``sources`` relies on, checked before anything is read
SHAPES: tuple[Rule, ...] = (
    Rule(("project",), "table", '[project] with name, version and dependencies = ["torch>=2.6"]'),
    Rule(("project", "dependencies"), "strings", 'dependencies = ["torch>=2.6"]'),
    Rule(("project", "optional-dependencies"), "table", 'optional-dependencies = { gpu = ["torch>=2.6"] }'),
    Rule(("project", "optional-dependencies", "*"), "strings", 'write each extra as gpu = ["torch>=2.6"]'),
    Rule(("project", "dynamic"), "strings", 'dynamic = ["version"]'),
    Rule(("dependency-groups",), "table", 'dependency-groups = { dev = ["pytest"] }'),
    Rule(("dependency-groups", "*"), "array", 'write each group as dev = ["pytest"]'),
    Rule(("tool",), "table", "write tool settings as [tool.NAME] tables and remove the plain tool = ... line"),
    Rule(("tool", "uv"), "table", _TABLE_FIX),
    Rule(("tool", "uv", "sources"), "table", 'write [tool.uv.sources] with entries like torch = [{ index = "..." }]'),
    Rule(
        ("tool", "uv", "index"), "tables", "write each index as [[tool.uv.index]] (double brackets: an array of tables)"
    ),
    *(
        Rule(("tool", "uv", key), "array", f"write {key} as an array, e.g. {key} = []")
        for key in ("find-links", "required-environments", "conflicts", "cache-keys")
    ),
    *(Rule(HOOK_TABLE[:end], "table", _TABLE_FIX) for end in range(2, len(HOOK_TABLE) + 1)),
    Rule((*HOOK_TABLE, "dependencies"), "strings", 'dependencies = ["torch>=2.6"]'),
    Rule((*HOOK_TABLE, "optional-dependencies"), "table", 'optional-dependencies = { audio = ["torchaudio"] }'),
    Rule((*HOOK_TABLE, "optional-dependencies", "*"), "strings", 'write each extra as audio = ["torchaudio"]'),
    Rule(("tool", "hatch-torch"), "table", "[tool.hatch-torch]"),
    Rule(("tool", "hatch-torch", "written"), "strings", "remove the written setting (hatch-torch rewrites it)"),
)
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
    # the hook pins the family data's members too (xformers, PyG...): their pages go into find-links
    members = family | set(pinned_members(plugins=True)) | set(page_members(plugins=True))
    return _scan(static, family, written), _scan(hooked, members, written)


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
