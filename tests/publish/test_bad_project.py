"""``build`` and ``matrix`` on malformed projects: a message naming the setting and the fix, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from hatch_torch.cli import main

BASE = '[project]\nname = "x"\nversion = "1"\n'


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"pyproject.toml": "tool = 1\n" + BASE}, "pyproject.toml: tool must be a table, got an integer (1)"),
        ({"pyproject.toml": BASE + "[tool]\nhatch = 'x'\n"}, "tool.hatch must be a table, got a string ('x')"),
        ({"pyproject.toml": BASE + "[tool.hatch.metadata]\nhooks = []\n"}, "tool.hatch.metadata.hooks must be a table"),
        ({"pyproject.toml": "project = 1\n"}, "project must be a table, got an integer (1)"),
        ({"pyproject.toml": BASE + "dynamic = 'dependencies'\n"}, "project.dynamic must be an array of strings"),
        ({"pyproject.toml": BASE, "hatch.toml": "metadata = 1\n"}, "hatch.toml: metadata must be a table"),
    ],
)
@pytest.mark.parametrize("command", ["build", "matrix"])
def test_a_malformed_project_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], expected: str, command: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    args = ["--project", str(tmp_path)] + (
        ["--backends", "cpu", "--out", str(tmp_path / "out")] if command == "build" else []
    )
    assert main([command, *args]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Fix: " in err
