"""The package's layers: data flows one way (settings -> backend -> release data -> pins -> metadata).

A module may import from its own concern and from lower layers, never from a higher one or from a peer
concern of the same layer. Imports count wherever they are (module level or inside a function, since a
lazy import is still a dependency); only ``if TYPE_CHECKING:`` blocks are left out, because they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "hatch_torch"
#: concern -> layer; a concern may import only concerns of a lower layer (and itself)
LAYERS = {
    "util": 0,
    "plugins": 1,
    "data": 2,
    "pins": 3,
    "detection": 4,
    "hook": 5,
    "uv": 6,
    "publish": 6,
    "doctor": 6,
    "<top>": 7,  # hatch_torch/__init__, hooks, plugin, cli, __main__: the public surface
}


def concern(module: str) -> str:
    """The subpackage a dotted name lives in, or ``<top>`` for the package's own modules."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() else "<top>"


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imports(source: str, module: str) -> set[str]:
    """hatch_torch modules that ``source`` imports at run time (``importlib.import_module("...")`` included)."""
    found: set[str] = set()
    package = module if module.endswith("__init__") else module.rsplit(".", 1)[0]

    def visit(node: ast.AST) -> None:
        if _type_checking(node):
            for child in getattr(node, "orelse", []):
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("hatch_torch."):
            found.add(node.value)  # module names handed to importlib (built-in plugins, CLI commands)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return {n for n in found if n.split(".")[0] == "hatch_torch" and all(p.isidentifier() for p in n.split("."))}


def violations(module: str, source: str) -> list[str]:
    own = concern(module)
    out = []
    for target in sorted(imports(source, module)):
        other = concern(target)
        if other == own:
            continue
        if LAYERS[other] >= LAYERS[own]:
            out.append(f"{module} imports {target} ({other}, layer {LAYERS[other]} >= {own}, layer {LAYERS[own]})")
    return out


def package_modules() -> dict[str, str]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path.read_text(encoding="utf-8")
    return out


def test_every_concern_has_a_layer() -> None:
    found = {concern(m) for m in package_modules()}
    assert found <= set(LAYERS), found - set(LAYERS)
    assert found == set(LAYERS)


def test_no_module_imports_a_higher_layer_or_a_peer() -> None:
    problems = [v for module, source in package_modules().items() for v in violations(module, source)]
    assert problems == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("hatch_torch.pins.resolve", "from hatch_torch.hook.settings import PREFIX"),
        ("hatch_torch.data.model", "def f():\n    from hatch_torch.detection import core"),
        ("hatch_torch.uv.layout", "import hatch_torch.publish.build"),
        ("hatch_torch.util.errors", "from hatch_torch import cli"),
        (
            "hatch_torch.plugins.manager",
            "import importlib\nimportlib.import_module('hatch_torch.detection.vendors.amd')",
        ),
        ("hatch_torch.data.update", "from ..detection import probe"),
    ],
)
def test_the_check_catches_an_upward_import(module: str, source: str) -> None:
    assert violations(module, source)


def test_type_only_imports_are_allowed() -> None:
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from hatch_torch.detection.probe import Device\n"
    assert violations("hatch_torch.plugins.spec", source) == []


def test_no_import_cycle_at_module_level() -> None:
    """Module-level imports form no cycle (a cycle would make import order matter)."""
    modules = package_modules()
    graph: dict[str, set[str]] = {}
    for module, source in modules.items():
        tree = ast.parse(source)
        deps: set[str] = set()
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("hatch_torch"):
                deps.add(node.module)
                deps.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("hatch_torch"))
        graph[module] = {d for d in deps if d in modules and d != module}
    state: dict[str, int] = {}

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in graph[node]:
            assert state.get(dep) != 1, " -> ".join([*path, node, dep])
            if dep not in state:
                walk(dep, [*path, node])
        state[node] = 2

    for module in graph:
        if module not in state:
            walk(module, [])


def test_no_module_is_over_about_250_lines() -> None:
    long = {m: s.count("\n") for m, s in package_modules().items() if s.count("\n") > 280}
    assert long == {}
