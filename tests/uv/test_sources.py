"""``hatch-torch sources`` on pyproject files: layouts, round trips, ownership, --check/--dry-run, bad input."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from sources_helpers import HOOK, SEED_001, sources, write

from hatch_torch.util import atomic as _atomic

LINUX_WIN = "sys_platform == 'linux' or (sys_platform == 'win32' and platform_machine == 'AMD64')"
LINUX_X86 = "sys_platform == 'linux' and platform_machine == 'x86_64'"
LINUX_X86_WIN = (
    "(sys_platform == 'linux' and platform_machine == 'x86_64') or "
    "(sys_platform == 'win32' and platform_machine == 'AMD64')"
)

SEED_000 = """\
[project]
name = "uv-torchvision"
version = "0.1.0"
description = "Add your description here"
readme = "README.md"
requires-python = ">=3.10"
dependencies = [
    "torchvision>=0.2",
]
"""

SEED_004 = """\
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["torch>=2.9.1", "torchvision>=0.24.1"]
"""

COMMENTED = """\
# Top comment, kept.
[project]
name    = "odd"   # aligned on purpose
version = "1.0"
requires-python = ">=3.10"
dependencies = [
    # the model
    "torch>=2.6",   # any recent torch
    'numpy>=1.26',
]

[tool.ruff]
line-length = 99  # ours

[tool.uv]
# keep this comment
package = false
"""


def load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = tomlkit.parse(path.read_text(encoding="utf-8")).unwrap()
    return doc


# --- layouts --------------------------------------------------------------------------------------------------


def test_one_cuda_backend_routes_linux_and_windows_and_leaves_macos_to_pypi(tmp_path: Path) -> None:
    path = write(tmp_path, SEED_004)
    assert sources(tmp_path, "--backend", "cu128") == 0
    doc = load(path)
    uv = doc["tool"]["uv"]
    assert uv["index"] == [{"name": "pytorch-cu128", "url": "https://download.pytorch.org/whl/cu128", "explicit": True}]
    assert uv["sources"] == {
        "torch": [{"index": "pytorch-cu128", "marker": LINUX_WIN}],
        "torchvision": [{"index": "pytorch-cu128", "marker": LINUX_WIN}],
    }
    assert "conflicts" not in uv
    assert "optional-dependencies" not in doc["project"]
    assert doc["project"]["dependencies"] == ["torch>=2.9.1", "torchvision>=0.24.1"]
    assert doc["tool"]["hatch-torch"]["backends"] == ["cu128"]


def test_several_backends_make_extras_conflicts_and_sources_keyed_by_extra(tmp_path: Path) -> None:
    path = write(tmp_path, SEED_004)
    assert sources(tmp_path, "--backend", "cpu", "--backend", "cu128", "--backend", "cu130") == 0
    doc = load(path)
    extras = doc["project"]["optional-dependencies"]
    assert extras == {name: ["torch>=2.9.1", "torchvision>=0.24.1"] for name in ("cpu", "cu128", "cu130")}
    assert doc["project"]["dependencies"] == []  # moved: uv would not fork macOS off the CUDA extras otherwise
    uv = doc["tool"]["uv"]
    assert uv["conflicts"] == [[{"extra": "cpu"}, {"extra": "cu128"}, {"extra": "cu130"}]]
    assert [i["name"] for i in uv["index"]] == ["pytorch-cpu", "pytorch-cu128", "pytorch-cu130"]
    assert uv["sources"]["torch"] == [
        {"index": "pytorch-cpu", "marker": LINUX_WIN, "extra": "cpu"},
        {"index": "pytorch-cu128", "marker": LINUX_WIN, "extra": "cu128"},
        {"index": "pytorch-cu130", "marker": LINUX_WIN, "extra": "cu130"},
    ]
    assert uv["sources"]["torchvision"] == uv["sources"]["torch"]


def test_seed_001_extra_served_by_pypi_keeps_the_users_extras(tmp_path: Path) -> None:
    path = write(tmp_path, SEED_001)
    assert sources(tmp_path, "--backend", "cpu", "--backend", "gpu=pypi") == 0
    doc = load(path)
    assert doc["project"]["optional-dependencies"] == {
        "cpu": ["torch==2.5.1", "torchvision==0.20.1"],
        "gpu": ["torch==2.5.1", "torchvision==0.20.1"],
    }
    uv = doc["tool"]["uv"]
    assert uv["conflicts"] == [[{"extra": "cpu"}, {"extra": "gpu"}]]
    assert [i["name"] for i in uv["index"]] == ["pytorch-cpu"]
    # torch 2.5.1 has cpu wheels for Linux (both machines) and Windows x86_64; macOS stays on PyPI.
    assert uv["sources"]["torch"] == [{"index": "pytorch-cpu", "marker": LINUX_WIN, "extra": "cpu"}]
    assert doc["tool"]["hatch-torch"]["backends"] == ["cpu", "gpu=pypi"]


def test_transitive_torch_is_made_direct_so_its_source_applies(tmp_path: Path) -> None:
    path = write(tmp_path, SEED_000)
    assert sources(tmp_path, "--backend", "cpu") == 0
    doc = load(path)
    assert doc["project"]["dependencies"] == ["torchvision>=0.2", "torch"]
    assert set(doc["tool"]["uv"]["sources"]) == {"torch", "torchvision"}
    assert doc["tool"]["uv"]["required-environments"] == [
        "sys_platform == 'linux' and platform_machine == 'x86_64'",
        "sys_platform == 'linux' and platform_machine == 'aarch64'",
        "sys_platform == 'win32' and platform_machine == 'AMD64'",
    ]


@pytest.mark.parametrize(
    ("backend", "torch", "companion", "marker"),
    [
        ("rocm6.4", "torch==2.9.1", "pytorch-triton-rocm", LINUX_X86),
        ("rocm7.2", "torch>=2.11", "triton-rocm", LINUX_X86),
        ("xpu", "torch==2.9.1", "pytorch-triton-xpu", LINUX_X86_WIN),
        ("xpu", "torch>=2.11", "triton-xpu", LINUX_X86_WIN),
    ],
)
def test_rocm_and_xpu_route_their_triton_companion(
    tmp_path: Path, backend: str, torch: str, companion: str, marker: str
) -> None:
    path = write(tmp_path, f'[project]\nname = "g"\nversion = "1"\ndependencies = ["{torch}"]\n')
    assert sources(tmp_path, "--backend", backend) == 0
    doc = load(path)
    assert doc["project"]["dependencies"] == [torch, f"{companion}; {marker}"]
    assert doc["tool"]["uv"]["sources"] == {
        "torch": [{"index": f"pytorch-{backend}", "marker": marker}],
        companion: [{"index": f"pytorch-{backend}", "marker": marker}],
    }


def test_fallback_cpu_routes_the_other_platforms_to_the_cpu_index(tmp_path: Path) -> None:
    path = write(tmp_path, '[project]\nname = "g"\nversion = "1"\ndependencies = ["torch==2.9.1"]\n')
    assert sources(tmp_path, "--backend", "rocm6.4", "--fallback", "cpu") == 0
    torch = load(path)["tool"]["uv"]["sources"]["torch"]
    assert torch == [
        {"index": "pytorch-rocm6.4", "marker": LINUX_X86},
        {
            "index": "pytorch-cpu",
            # torch 2.9.1 has no macOS x86_64 wheel, so only arm64 macOS is routed
            "marker": "(sys_platform == 'linux' and platform_machine == 'aarch64') or "
            "(sys_platform == 'darwin' and platform_machine == 'arm64') or "
            "(sys_platform == 'win32' and platform_machine == 'AMD64')",
        },
    ]


def test_hook_project_gets_find_links_for_every_backend_and_backend_cache_keys(tmp_path: Path) -> None:
    path = write(tmp_path, HOOK)
    assert sources(tmp_path, "--backend", "cpu", "--backend", "cu130") == 0
    uv = load(path)["tool"]["uv"]
    base = "https://download.pytorch.org/whl"
    assert uv["find-links"] == [
        f"{base}/cpu/torch/",
        f"{base}/cpu/torchvision/",
        f"{base}/cu130/torch/",
        f"{base}/cu130/torchvision/",
    ]
    assert uv["cache-keys"] == [
        {"file": "pyproject.toml"},
        {"file": "setup.py"},
        {"file": "setup.cfg"},
        {"dir": "src"},
        {"env": "TORCH_BACKEND"},
        {"env": "UV_TORCH_BACKEND"},
    ]
    assert "sources" not in uv
    assert "index" not in uv


def test_hook_project_keeps_the_users_cache_keys_and_adds_the_backend_variables(tmp_path: Path) -> None:
    path = write(tmp_path, HOOK + '\n[tool.uv]\ncache-keys = [{ file = "pyproject.toml" }, { git = true }]\n')
    assert sources(tmp_path, "--backend", "xpu") == 0
    uv = load(path)["tool"]["uv"]
    assert uv["cache-keys"] == [
        {"file": "pyproject.toml"},
        {"git": True},
        {"env": "TORCH_BACKEND"},
        {"env": "UV_TORCH_BACKEND"},
    ]
    assert "https://download.pytorch.org/whl/xpu/pytorch-triton-xpu/" in uv["find-links"]
    assert "https://download.pytorch.org/whl/xpu/triton-xpu/" in uv["find-links"]


def test_index_url_template_points_every_index_at_the_mirror(tmp_path: Path) -> None:
    path = write(tmp_path, SEED_004)
    template = "https://mirror.example/pytorch/{backend}/simple"
    assert sources(tmp_path, "--backend", "cpu", "--backend", "cu130", "--index-url", template) == 0
    doc = load(path)
    assert [i["url"] for i in doc["tool"]["uv"]["index"]] == [
        "https://mirror.example/pytorch/cpu/simple",
        "https://mirror.example/pytorch/cu130/simple",
    ]
    assert doc["tool"]["hatch-torch"]["index-url"] == template


# --- round trips ----------------------------------------------------------------------------------------------

LAYOUTS = [
    (SEED_000, ["--backend", "cpu"]),
    (SEED_001, ["--backend", "cpu", "--backend", "gpu=pypi"]),
    (SEED_004, ["--backend", "cpu", "--backend", "cu128", "--backend", "cu130"]),
    (COMMENTED, ["--backend", "rocm7.2"]),
    (HOOK, ["--backend", "cpu", "--backend", "cu130"]),
]


@pytest.mark.parametrize(("text", "args"), LAYOUTS)
def test_second_run_changes_no_byte_with_or_without_flags(tmp_path: Path, text: str, args: list[str]) -> None:
    path = write(tmp_path, text)
    assert sources(tmp_path, *args) == 0
    first = path.read_bytes()
    assert first != text.encode()
    assert sources(tmp_path, *args) == 0
    assert path.read_bytes() == first
    assert sources(tmp_path) == 0  # the flags were kept in [tool.hatch-torch]
    assert path.read_bytes() == first
    assert sources(tmp_path, "--check") == 0


@pytest.mark.parametrize(("text", "args"), [layout for layout in LAYOUTS if layout[0] != SEED_004])
def test_everything_it_does_not_own_keeps_its_bytes(tmp_path: Path, text: str, args: list[str]) -> None:
    path = write(tmp_path, text)
    assert sources(tmp_path, *args) == 0
    after = path.read_text(encoding="utf-8").splitlines()
    # every original line is still there, in order (the command only inserts)
    remaining = iter(after)
    for line in text.splitlines():
        assert any(line == candidate for candidate in remaining), f"lost or moved: {line!r}"


def test_switching_backends_updates_its_entries_instead_of_adding_more(tmp_path: Path) -> None:
    path = write(tmp_path, SEED_004)
    assert sources(tmp_path, "--backend", "cpu", "--backend", "cu130") == 0
    assert sources(tmp_path, "--backend", "cu128") == 0
    doc = load(path)
    uv = doc["tool"]["uv"]
    assert [i["name"] for i in uv["index"]] == ["pytorch-cu128"]
    assert uv["sources"]["torch"] == [{"index": "pytorch-cu128", "marker": LINUX_WIN}]
    assert "conflicts" not in uv
    assert "optional-dependencies" not in doc["project"]  # the extras it created are gone again
    assert sources(tmp_path, "--backend", "cu128", "--index-url", "https://m.example/{backend}") == 0
    assert load(path)["tool"]["uv"]["index"] == [
        {"name": "pytorch-cu128", "url": "https://m.example/cu128", "explicit": True}
    ]


def test_lines_moved_into_the_extras_come_back_with_a_single_backend(tmp_path: Path) -> None:
    text = SEED_004.replace('dependencies = ["torch', 'dependencies = ["numpy", "torch')
    path = write(tmp_path, text)
    assert sources(tmp_path, "--backend", "cpu", "--backend", "cu130") == 0
    doc = load(path)
    assert doc["project"]["dependencies"] == ["numpy"]
    assert doc["project"]["optional-dependencies"]["cu130"] == ["torch>=2.9.1", "torchvision>=0.24.1"]
    assert sources(tmp_path, "--backend", "cu130") == 0
    doc = load(path)
    assert doc["project"]["dependencies"] == ["numpy", "torch>=2.9.1", "torchvision>=0.24.1"]
    assert "optional-dependencies" not in doc["project"]
    assert path.read_text(encoding="utf-8").startswith(text)


def test_identical_hand_written_entries_are_adopted_not_duplicated(tmp_path: Path) -> None:
    text = SEED_000 + (
        '\n[[tool.uv.index]]\nname = "pytorch-cpu"\nurl = "https://download.pytorch.org/whl/cpu"\nexplicit = true\n'
    )
    path = write(tmp_path, text)
    assert sources(tmp_path, "--backend", "cpu") == 0
    assert path.read_text(encoding="utf-8").count('name = "pytorch-cpu"') == 1


# --- hand-written conflicts ------------------------------------------------------------------------------------

SEED_000_HAND = (
    SEED_000
    + """
[[tool.uv.index]]
name     = "pytorch-cpu"
url      = "https://download.pytorch.org/whl/cpu"
explicit = true

[tool.uv.sources]
torchvision = [{ index = "pytorch-cpu" }]
"""
)


def test_refuses_to_overwrite_a_differing_hand_written_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, SEED_000_HAND)
    assert sources(tmp_path, "--backend", "cpu") == 2
    err = capsys.readouterr().err
    assert "tool.uv.sources.torchvision was written by hand" in err
    assert "--force" in err
    assert path.read_text(encoding="utf-8") == SEED_000_HAND
    assert sources(tmp_path, "--backend", "cpu", "--force") == 0
    uv = load(path)["tool"]["uv"]
    assert uv["sources"]["torchvision"] == [{"index": "pytorch-cpu", "marker": LINUX_WIN}]
    assert len(uv["index"]) == 1
    assert sources(tmp_path, "--backend", "cpu") == 0  # now it is hatch-torch's own


def test_refuses_a_hand_written_index_of_the_same_name_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = SEED_004 + '\n[[tool.uv.index]]\nname = "pytorch-cu130"\nurl = "https://example.org/simple"\n'
    path = write(tmp_path, text)
    assert sources(tmp_path, "--backend", "cu130") == 2
    assert '[[tool.uv.index]] name = "pytorch-cu130" was written by hand' in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == text


# --- --check and --dry-run -------------------------------------------------------------------------------------


def test_check_exits_1_with_a_unified_diff_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, SEED_004 + '\n[tool.hatch-torch]\nbackends = ["cu130"]\n')
    before = path.read_bytes()
    assert sources(tmp_path, "--check") == 1
    out = capsys.readouterr().out
    assert out.startswith("--- a/pyproject.toml\n+++ b/pyproject.toml\n@@ ")
    assert '+name = "pytorch-cu130"' in out
    assert path.read_bytes() == before
    assert sources(tmp_path) == 0
    capsys.readouterr()
    assert sources(tmp_path, "--check") == 0
    assert "up to date" in capsys.readouterr().out


def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, SEED_004)
    assert sources(tmp_path, "--backend", "xpu", "--dry-run") == 0
    assert '+name = "pytorch-xpu"' in capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == SEED_004


def test_check_and_dry_run_exclude_each_other(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        sources(tmp_path, "--check", "--dry-run")
    assert exc.value.code == 2


# --- bad input -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "args", "needle"),
    [
        (
            '[project]\nname = "x"\ndependencies = ["torch" "numpy"]\n',
            ["--backend", "cpu"],
            "pyproject.toml:3:24: invalid",
        ),
        ('[project]\nname = "x"\nname = "y"\n', ["--backend", "cpu"], 'invalid TOML (Key "name" already exists.)'),
        ("[tool.uv]\npackage = false\n", ["--backend", "cpu"], "has no [project] table"),
        (SEED_004, ["--backend", "cu999"], "--backend='cu999' is not a known backend"),
        (SEED_004, [], "no backend given. Fix: pass --backend"),
        (SEED_004, ["--backend", "cpu", "--index-url", "https://m.example/whl"], "has no {backend} placeholder"),
        (SEED_004, ["--backend", "cpu", "--index-url", "https://m.example/{backend}/{x}"], "is not a valid template"),
        (SEED_004, ["--backend", "cpu", "--index-url", "http://m.example/{backend}"], "uses plain http to m.example"),
        (
            SEED_004,
            ["--backend", "cpu", "--index-url", "ftp://m.example/{backend}"],
            "is not an https, http or file URL",
        ),
        (SEED_004, ["--backend", "cpu", "--backend", "cpu"], "the extra 'cpu' is given twice"),
        (SEED_004, ["--backend", "gpu!=cu130"], "is not a valid extra name"),
        (SEED_004, ["--backend", "cpu", "--fallback", "cuda"], "--fallback='cuda' is not supported"),
        ('[project]\nname = "x"\ndependencies = ["numpy"]\n', ["--backend", "cpu"], "lists no torch-family"),
        ('[project]\nname = "x"\ndependencies = ["torch>=9"]\n', ["--backend", "cpu"], "no torch release on the cpu"),
        ('[project]\nname = "x"\ndependencies = ["torch=="]\n', ["--backend", "cpu"], "is not a valid PEP 508"),
        ("[project]\n[tool.hatch-torch]\nbackend = 'cpu'\n", [], "tool.hatch-torch.backend is not a setting"),
        (HOOK, ["--backend", "gpu=cu130"], "EXTRA=BACKEND extras cannot select it"),
    ],
)
def test_bad_input_one_clear_message_nonzero_and_file_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, args: list[str], needle: str
) -> None:
    path = write(tmp_path, text)
    assert sources(tmp_path, *args) == 2
    captured = capsys.readouterr()
    assert needle in captured.err
    assert captured.err.startswith("hatch-torch: error: ")
    assert "Fix:" in captured.err
    assert captured.out == ""
    assert path.read_text(encoding="utf-8") == text


def test_plain_http_mirror_allowed_only_when_asked(tmp_path: Path) -> None:
    path = write(tmp_path, SEED_004)
    args = ["--backend", "cpu", "--index-url", "http://mirror.lan/{backend}"]
    assert sources(tmp_path, *args, "--allow-insecure-index") == 0
    doc = load(path)
    assert doc["tool"]["uv"]["index"][0]["url"] == "http://mirror.lan/cpu"
    assert doc["tool"]["hatch-torch"]["allow-insecure-index"] is True
    assert sources(tmp_path, "--check") == 0


def test_localhost_http_needs_no_permission(tmp_path: Path) -> None:
    write(tmp_path, SEED_004)
    assert sources(tmp_path, "--backend", "cpu", "--index-url", "http://127.0.0.1:8080/whl/{backend}") == 0


def test_missing_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert sources(tmp_path / "nowhere", "--backend", "cpu") == 2
    assert "does not exist. Fix: pass --project DIR" in capsys.readouterr().err


def test_read_only_file_is_refused_and_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, SEED_004)
    path.chmod(0o444)
    try:
        assert sources(tmp_path, "--backend", "cpu") == 2
        assert "is read-only; nothing was written" in capsys.readouterr().err
        assert path.read_text(encoding="utf-8") == SEED_004
        assert sources(tmp_path, "--backend", "cpu", "--dry-run") == 0  # reading is fine
    finally:
        path.chmod(0o644)


# --- atomic writes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError])
def test_interrupted_write_leaves_the_original_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: type[BaseException]
) -> None:
    path = write(tmp_path, SEED_004)
    path.chmod(0o640)

    def boom(src: str, dst: str) -> None:
        raise failure("interrupted")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises((KeyboardInterrupt, _atomic.FileError)):
        _atomic.write_text(path, "new")
    assert path.read_text(encoding="utf-8") == SEED_004
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_write_keeps_permissions_and_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(SEED_004.replace("\n", "\r\n").encode())
    path.chmod(0o600)
    assert sources(tmp_path, "--backend", "cpu") == 0
    data = path.read_bytes()
    assert data.startswith(b'[project]\r\nname = "app"\r\n')
    assert data.count(b"\n") == data.count(b"\r\n")
    assert sources(tmp_path, "--check") == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("name", ["uv-extras", "uv-rocm", "uv-hook"])
def test_sample_projects_are_up_to_date(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    sample = Path(__file__).resolve().parents[2] / "test-projects" / name / "pyproject.toml"
    copy = write(tmp_path, sample.read_text(encoding="utf-8"))
    assert sources(tmp_path, "--check") == 0, capsys.readouterr().out
    assert copy.read_bytes() == sample.read_bytes()


SEED_001_HAND = (
    SEED_001
    + """conflicts = [
  [
    { extra = "cpu" },
    { extra = "gpu" },
  ],
]

[tool.uv.sources]
[[tool.uv.sources.torch]]
index = "pytorch-cpu"
marker = "platform_system != 'Darwin'"
extra = "cpu"

[[tool.uv.sources.torchvision]]
index = "pytorch-cpu"
marker = "platform_system != 'Darwin'"
extra = "cpu"

[[tool.uv.index]]
name = "pytorch-cpu"
url = "https://download.pytorch.org/whl/cpu"
explicit = true
"""
)


def test_seed_001_hand_written_tables_are_named_then_replaced_with_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, SEED_001_HAND)
    assert sources(tmp_path, "--backend", "cpu", "--backend", "gpu=pypi") == 2
    err = capsys.readouterr().err
    assert "2 problems" in err
    assert "tool.uv.sources.torch was written by hand" in err
    assert "tool.uv.sources.torchvision was written by hand" in err
    assert path.read_text(encoding="utf-8") == SEED_001_HAND
    assert sources(tmp_path, "--backend", "cpu", "--backend", "gpu=pypi", "--force") == 0
    uv = load(path)["tool"]["uv"]
    assert uv["sources"]["torch"] == [{"index": "pytorch-cpu", "marker": LINUX_WIN, "extra": "cpu"}]
    assert uv["conflicts"] == [[{"extra": "cpu"}, {"extra": "gpu"}]]  # the identical hand-written group is kept
    assert len(uv["index"]) == 1
    first = path.read_bytes()
    assert sources(tmp_path) == 0
    assert path.read_bytes() == first
