"""The tests find their tools without PATH: uv through the ``uv`` package, and a missing tool fails."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from buildkit import tool, uv_command

from hatch_torch.publish.build import find_uv

TESTS = Path(__file__).resolve().parent


def test_uv_is_found_with_an_empty_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    for found in (uv_command(), find_uv()):
        assert found is not None
        assert os.access(found, os.X_OK)
        out = subprocess.run([found, "--version"], capture_output=True, text=True, check=True).stdout
        assert out.startswith("uv ")


def test_a_missing_tool_fails_the_test_instead_of_skipping_it() -> None:
    with pytest.raises(pytest.fail.Exception, match="no-such-tool-here is not installed"):
        tool("no-such-tool-here")


def test_no_test_looks_uv_up_on_path() -> None:
    offenders = [
        f"{p.relative_to(TESTS)}:{n}"
        for p in TESTS.rglob("*.py")
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"which\(\s*['\"]uv['\"]", line)
    ]
    assert offenders == []
