"""`hatch-torch build`: bad input fails before any build; real builds (without isolation) report every backend."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from hatch_torch.cli import main

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "test-projects" / "minimal"


def labelled_project(tmp_path: Path) -> Path:
    root = tmp_path / "minimal"
    shutil.copytree(MINIMAL, root, ignore=shutil.ignore_patterns("dist", "build", "__pycache__"))
    with open(root / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write("local-version = true\n")
    return root


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TORCH_BACKEND", "UV_TORCH_BACKEND", "HATCH_TORCH_DATA"):
        monkeypatch.delenv(name, raising=False)


def test_unknown_backend(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["build", "--backends", "cpu,cu999", "--project", str(MINIMAL), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--backends: 'cu999' is not a known backend. Fix: use backends from: cpu, cu117" in err
    assert not out.exists()


def test_out_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.write_text("x")
    assert main(["build", "--backends", "cpu", "--project", str(MINIMAL), "--out", str(out)]) == 2
    assert f"--out {out} is a file. Fix: give a directory" in capsys.readouterr().err
    assert out.read_text() == "x"


def test_project_without_the_hook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "plain"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "plain"\nversion = "1"\ndependencies = ["torch"]\n')
    out = tmp_path / "out"
    assert main(["build", "--backends", "cpu", "--project", str(project), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "pyproject.toml has no [tool.hatch.metadata.hooks.torch] table, so every backend would get the same" in err
    assert "Fix: add the hook" in err
    assert not out.exists()
    assert main(["build", "--backends", "cpu", "--project", str(tmp_path / "nowhere")]) == 2
    assert "no pyproject.toml there. Fix: point --project at the library's directory" in capsys.readouterr().err


def test_bad_hook_settings_fail_once_up_front(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = labelled_project(tmp_path)
    with open(project / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write('fallbak = "cpu"\n')
    assert main(["build", "--backends", "cpu,cu130", "--project", str(project), "--out", str(tmp_path / "o")]) == 2
    assert "tool.hatch.metadata.hooks.torch.fallbak is not a setting" in capsys.readouterr().err


@pytest.mark.parametrize("frontend", ["uv", "build"])
def test_one_failing_backend_does_not_hide_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], frontend: str
) -> None:
    project = labelled_project(tmp_path)
    out = tmp_path / "out"
    args = ["build", "--backends", "cu130, cu117,CPU", "--project", str(project), "--out", str(out), "--jobs", "2"]
    code = main([*args, "--no-isolation", "--frontend", frontend, "--json"])
    captured = capsys.readouterr()
    assert code == 1
    results = {r["backend"]: r for r in json.loads(captured.out)}
    assert list(results) == ["cu130", "cu117", "cpu"]
    assert results["cu130"]["ok"] is True
    assert results["cpu"]["ok"] is True
    assert results["cu117"]["ok"] is False
    assert (
        "no torch release on the cu117 index satisfies <2.11,>=2.6; cu117 has torch 2.0.0, 2.0.1"
        in (results["cu117"]["error"])
    )
    for backend in ("cu130", "cpu"):
        wheel = Path(results[backend]["wheel"])
        assert wheel == out / backend / f"mylib-1.2.0+{backend}-py3-none-any.whl"
        assert results[backend]["version"] == f"1.2.0+{backend}"
        assert any(f"torch==2.10.0+{backend};" in pin for pin in results[backend]["pins"])
        assert results[backend]["seconds"] > 0
        with zipfile.ZipFile(wheel) as zf:
            assert f"mylib-1.2.0+{backend}.dist-info/METADATA" in zf.namelist()
    assert sorted(p.name for p in out.iterdir()) == ["cpu", "cu130"]  # no cu117 folder, no temp dirs

    # The text report: every backend, the pins, the file, the time, and the failure.
    code = main([*args, "--no-isolation", "--frontend", frontend])
    text = capsys.readouterr().out
    assert code == 1
    assert "pins: torch" in text
    assert ", torch==2.10.0+cu130, " in text
    assert ", torchvision==0.25.0+cu130, " in text
    assert f"{out / 'cpu' / 'mylib-1.2.0+cpu-py3-none-any.whl'}" in text
    assert "cu117      FAILED" in text
    assert "2 of 3 backends built; failed: cu117" in text


def test_hook_in_hatch_toml_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "1"\ndynamic = ["dependencies"]\n')
    (project / "hatch.toml").write_text('[metadata.hooks.torch]\ndependencies = ["torch"]\nlocal-version = "on"\n')
    assert main(["build", "--backends", "cpu", "--project", str(project), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "tool.hatch.metadata.hooks.torch.local-version must be true or false, got 'on'" in err
    (project / "pyproject.toml").write_text("[project\n")
    assert main(["build", "--backends", "cpu", "--project", str(project)]) == 2
    assert "pyproject.toml: not valid TOML" in capsys.readouterr().err
