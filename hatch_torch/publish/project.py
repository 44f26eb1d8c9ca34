"""The project ``hatch-torch build`` and ``matrix`` work on: its pyproject.toml (and hatch.toml) read safely,
shape-checked and its hook settings validated once, up front."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit

from hatch_torch.hook.settings import PREFIX, parse
from hatch_torch.util.errors import ConfigurationError
from hatch_torch.util.fsread import open_regular
from hatch_torch.util.shapes import Rule, problems

HOOK = ("tool", "hatch", "metadata", "hooks", "torch")
_SHAPES = (
    Rule(("project",), "table", "[project] with name and version"),
    Rule(("project", "dynamic"), "strings", 'dynamic = ["dependencies"]'),
    *(Rule(HOOK[:end], "table", "make it a table (a [section] header), or remove it") for end in range(1, 6)),
)
MAX_TOML = 16 << 20  # the largest pyproject.toml / hatch.toml read


@dataclass
class Project:
    root: Path
    name: str
    local_version: bool
    groups: dict[str, list[str]]


def check_project(root: Path) -> Project:
    """The project at ``root`` must use the torch hook; its settings are validated once, up front."""
    pyproject = root / "pyproject.toml"
    if not pyproject.exists():
        raise ConfigurationError(
            [f"--project {root}: no pyproject.toml there. Fix: point --project at the library's directory."]
        )
    doc = _toml(pyproject)
    wrong = [f"{pyproject}: {p}" for p in problems(doc, _SHAPES)]
    hook = _get(doc, HOOK)
    if (root / "hatch.toml").exists():  # hatchling merges hatch.toml over [tool.hatch]
        extra = _toml(root / "hatch.toml")
        wrong += [
            f"{root / 'hatch.toml'}: {p}"
            for p in problems(extra, [Rule(r.path[2:], r.kind, r.fix) for r in _SHAPES[4:]])
        ]
        hook = _get(extra, HOOK[2:]) or hook
    if wrong:
        raise ConfigurationError(wrong)
    project = doc.get("project", {})
    if not isinstance(hook, dict):
        raise ConfigurationError(
            [
                f"--project {root}: pyproject.toml has no [{PREFIX.rstrip('.')}] table, so every backend would get "
                f"the same wheel. Fix: add the hook (build-system requires hatch-torch, "
                f'[{PREFIX.rstrip(".")}] dependencies = ["torch>=2.6"], "dependencies" in project.dynamic).'
            ]
        )
    config = parse(hook, project if isinstance(project, dict) else None)
    return Project(root, str(project.get("name", root.name)), config.local_version, config.groups)


def _get(doc: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = doc
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _toml(path: Path) -> dict[str, Any]:
    try:
        with open_regular(path) as f:
            text = f.read(MAX_TOML + 1).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError([f"{path} cannot be read ({exc}). Fix: make it a readable UTF-8 file."]) from None
    if len(text) > MAX_TOML:
        raise ConfigurationError([f"{path} is larger than {MAX_TOML >> 20} MB. Fix: point --project at the library."])
    try:
        doc: dict[str, Any] = tomlkit.parse(text).unwrap()
    except Exception as exc:  # tomlkit raises several unrelated types
        raise ConfigurationError([f"{path}: not valid TOML ({exc}). Fix: correct the file."]) from None
    return doc
