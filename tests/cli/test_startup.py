"""What the quick commands load: ``hatch-torch --help`` imports no subcommand's engine.

Each check runs the command in a fresh interpreter and reads ``sys.modules`` when it is done.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from hatch_torch.cli import COMMANDS

DUMP = (
    "import sys\n"
    "from hatch_torch.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit:\n"
    "    pass\n"
    "print(repr(sorted(sys.modules)))\n"
)
#: what no --help may load: the engines' libraries (and the json/pathlib/dataclasses they bring)
HEAVY = {"json", "pathlib", "dataclasses", "tomlkit", "packaging", "pluggy", "hatchling", "pynvml", "subprocess"}


def loaded(*argv: str, code: str = DUMP) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True).stdout
    modules: list[str] = ast.literal_eval(out.strip().splitlines()[-1])
    return set(modules)


def at_startup() -> set[str]:
    """What this interpreter holds before any of ours runs: a site ``.pth`` may import pathlib (certifi does)."""
    return loaded(code="import sys\nprint(repr(sorted(sys.modules)))\n")


def declaring_modules() -> set[str]:
    """The CLI, the error types it reports, and each concern's ``cli`` module with its package."""
    concerns = {m.rsplit(".", 1)[0] for m in COMMANDS}
    return {"hatch_torch", "hatch_torch.cli", "hatch_torch.util", "hatch_torch.util.errors", *concerns, *COMMANDS}


@pytest.mark.parametrize("argv", [["--help"], ["pins", "--help"], ["detect", "--help"], ["sources", "--help"]])
def test_help_imports_no_engine(argv: list[str]) -> None:
    modules = loaded(*argv)
    assert {m for m in modules if m.split(".")[0] == "hatch_torch"} == declaring_modules()
    assert (modules - at_startup()) & HEAVY == set()


def test_pins_loads_its_engine_and_nothing_of_the_build() -> None:
    """The same harness on a command that runs: its engine shows up, hatchling and json do not.
    (dataclasses may be there: packaging 26 imports it.)"""
    modules = loaded("pins", "--backend", "cu130", "torch>=2.6", "torchvision")
    assert "hatch_torch.pins.resolve" in modules
    assert "packaging" in modules
    added = {m.split(".")[0] for m in modules - at_startup()}
    assert added & {"hatchling", "json", "pluggy", "tomlkit", "pynvml"} == set()
