from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hatch_torch import resolve
from hatch_torch.cli import main


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "hatch_torch", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "TORCH_BACKEND": "", "UV_TORCH_BACKEND": "", **(env or {})},
    )


def test_pins_prints_exactly_what_the_hook_writes() -> None:
    proc = run("pins", "--backend", "cu130", "torch>=2.6,<2.11", "torchvision", "numpy>=1.26")
    assert proc.returncode == 0, proc.stderr
    expected = resolve({"r": ["torch>=2.6,<2.11", "torchvision", "numpy>=1.26"]}, "cu130").groups["r"]
    assert proc.stdout.splitlines() == expected
    assert proc.stderr == ""


def test_pins_backend_from_env() -> None:
    proc = run("pins", "torch==2.9.1", env={"TORCH_BACKEND": "cu128"})
    assert proc.stdout.splitlines()[0].startswith("torch==2.9.1+cu128;")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["pins", "--backend", "cu999", "torch"], "--backend='cu999' is not a known backend"),
        (["pins", "--backend", "cu130", "torch>=3"], "no torch release on the cu130 index satisfies >=3"),
        (["pins", "--backend", "cpu", "torch=="], "is not a valid PEP 508 requirement"),
    ],
)
def test_pins_errors_go_to_stderr(args: list[str], needle: str) -> None:
    proc = run(*args)
    assert proc.returncode in (1, 2)
    assert proc.stdout == ""
    assert needle in proc.stderr


def test_backends_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backends", "--json"]) == 0
    rows = {row["backend"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["cu130"]["index"] == "https://download.pytorch.org/whl/cu130"
    assert "2.9.0" in rows["cu130"]["torch"]
    assert "2.8.0" not in rows["cu130"]["torch"]
    assert rows["cpu"]["torch"][0] == "2.13.0"


def test_detect_json_has_backend(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["detect", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert isinstance(result["backend"], str)
    assert result["backend"]


def test_backends_text_lists_cpu_first() -> None:
    proc = run("backends")
    assert proc.returncode == 0
    first, second = proc.stdout.splitlines()[:2]
    assert first.startswith("release data: ")  # which data is in effect
    assert second.startswith("cpu ")
    assert proc.stdout.splitlines()[-1].startswith("pypi ")
