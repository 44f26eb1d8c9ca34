"""`hatch-torch matrix`: backend x runner OS, without the combinations a backend does not publish for."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from hatch_torch.cli import build_parser, main
from hatch_torch.data.model import load
from hatch_torch.publish.matrix import RUNNERS


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["matrix", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_github_format_is_one_line_include_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--backends", "cpu,cu130,rocm7.1")
    assert code == 0
    assert out.count("\n") == 1  # one line for $GITHUB_OUTPUT
    cells = json.loads(out)["include"]
    pairs = {(c["backend"], c["os"]) for c in cells}
    assert pairs == {
        ("cpu", "ubuntu-latest"),
        ("cpu", "macos-latest"),
        ("cpu", "windows-latest"),
        ("cu130", "ubuntu-latest"),
        ("cu130", "windows-latest"),
        ("rocm7.1", "ubuntu-latest"),
    }
    assert all(set(c) == {"backend", "os", "platform", "torch"} for c in cells)
    assert [c["backend"] for c in cells][:3] == ["cpu", "cpu", "cpu"]  # order follows --backends


def test_no_cuda_on_macos_no_rocm_on_windows_for_every_backend(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "json", "--platforms", ",".join(RUNNERS))
    assert code == 0
    cells = json.loads(out)
    kinds = {name: info["kind"] for name, info in load().backends.items()}
    assert cells, "the newest release has backends"
    for cell in cells:
        assert not (kinds[cell["backend"]] == "cuda" and cell["platform"].startswith("macos")), cell
        assert not (kinds[cell["backend"]] == "rocm" and cell["platform"].startswith("win")), cell
        published = load().releases[cell["torch"]]["backends"][cell["backend"]]["torch"]
        assert cell["platform"] in published
        assert cell["os"] == RUNNERS[cell["platform"]]
    assert {c["backend"] for c in cells} == set(load().releases[cells[0]["torch"]]["backends"])


def test_torch_specifier_picks_the_release(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--backends", "cu129", "--torch", "<2.10", "--platforms", "linux_x86_64,win_amd64")
    assert code == 0
    cells = json.loads(out)["include"]
    assert cells == [{"backend": "cu129", "os": "ubuntu-latest", "platform": "linux_x86_64", "torch": "2.9.1"}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--backends", "cpu,cu999,CUDA"],
            "--backends: 'cu999', 'cuda' are not known backends. Fix: use backends from: cpu,",
        ),
        (["--platforms", "linux"], "--platforms: 'linux' unknown. Fix: use platforms from: linux_x86_64,"),
        (["--torch", "2.x"], "--torch='2.x' is not a version specifier. Fix:"),
        (
            ["--backends", "cu117", "--torch", ">=2.6"],
            "cu117 publishes no torch release matching >=2.6 (it has 2.0.1, 2.0.0)",
        ),
    ],
)
def test_bad_input(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert message in err


def test_project_torch_specifier(capsys: pytest.CaptureFixture[str]) -> None:
    minimal = str(Path(__file__).resolve().parents[2] / "test-projects" / "minimal")  # torch>=2.6,<2.11
    code, out, _ = run(capsys, "--project", minimal, "--platforms", "linux_x86_64")
    assert code == 0
    cells = json.loads(out)["include"]
    assert {c["torch"] for c in cells} == {"2.10.0"}
    assert {c["backend"] for c in cells} == set(load().releases["2.10.0"]["backends"])
    code, _, err = run(capsys, "--project", minimal, "--backends", "cu117")
    assert code == 2
    assert "cu117 publishes no torch release matching <2.11,>=2.6" in err


def test_the_documented_workflow_runs_these_commands(capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parents[2]
    workflow = (root / "docs" / "github-actions.yml").read_text()
    commands = [
        shlex.split(m.replace("\\\n", " ").replace("${{ matrix.backend }}", "cu130"))
        for m in re.findall(r"uvx hatch-torch ((?:[^\n\\)]|\\\n)+)", workflow)
    ]
    assert [c[0] for c in commands] == ["matrix", "build", "index"]
    matrix_args = [str(root / "test-projects" / "minimal") if a == "." else a for a in commands[0][1:]]
    code, out, _ = run(capsys, *matrix_args)
    assert code == 0
    include = json.loads(out)["include"]
    assert {c["backend"] for c in include} == {"cpu", "cu126", "cu128", "cu130", "xpu"}
    assert {c["os"] for c in include} == {"ubuntu-latest"}
    assert "${{ fromJSON(needs.matrix.outputs.matrix) }}" in workflow
    parser = build_parser()
    build = parser.parse_args(commands[1])
    assert (build.backends, build.out) == (["cu130"], "wheels")
    index = parser.parse_args(commands[2])
    assert (index.directory, index.out) == ("wheels", "pages/whl")
