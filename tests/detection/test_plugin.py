"""A third-party detector plugin (test-projects/example-detector-plugin) installed into a venv and used."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from buildkit import uv_command

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "test-projects" / "example-detector-plugin"


@pytest.fixture(scope="module")
def plugin_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv that sees this hatch-torch (the test runner's sys.path, through a .pth file) with the example
    plugin installed into the venv itself."""
    venv = tmp_path_factory.mktemp("plugin-venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    parent = [entry for entry in sys.path if entry and Path(entry).is_dir()]
    (Path(purelib) / "_test_runner_path.pth").write_text("\n".join(parent) + "\n")
    src = tmp_path_factory.mktemp("plugin-src") / "example"
    shutil.copytree(PLUGIN, src)
    uv = uv_command()
    if uv:
        cmd = [uv, "pip", "install", "--python", str(python), "--no-deps", "--no-build-isolation", "--offline"]
        cmd.append(str(src))
    else:
        cmd = [str(python), "-m", "pip", "install", "--no-deps", "--no-build-isolation", str(src)]
    subprocess.run(cmd, check=True, capture_output=True)
    return python


def run(python: Path, *args: str, root: Path, **env: str) -> Any:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("HATCH_TORCH_", "UV_CUDA", "CUDA_"))}
    environ.update(PATH=str(root / "bin"), **env)
    done = subprocess.run(
        [str(python), "-m", "hatch_torch", *args], capture_output=True, text=True, env=environ, check=True
    )
    return json.loads(done.stdout) if "--json" in args else done.stdout


@pytest.fixture
def npu_root(tmp_path: Path) -> Path:
    (tmp_path / "bin").mkdir()
    for i, model in enumerate(["NPU-1", "NPU-1"]):
        node = tmp_path / "sys/class/example_npu" / f"npu{i}"
        node.mkdir(parents=True)
        (node / "model").write_text(model + "\n")
    return tmp_path


def detect(python: Path, root: Path, *extra: str, **env: str) -> Any:
    return run(python, "detect", "--json", "--root", str(root), "--platform", "linux_x86_64", *extra, root=root, **env)


def test_plugin_finds_devices_and_adds_its_backend(plugin_python: Path, npu_root: Path) -> None:
    result = detect(plugin_python, npu_root)
    assert result["backend"] == "npu"
    assert result["release"] == "2.7.1"
    assert [d["arch"] for d in result["devices"]] == ["NPU-1", "NPU-1"]
    assert any(p["probe"] == "example-npu.sysfs" and p["status"] == "found" for p in result["probes"])


def test_plugin_supports_hook_decides_kernels(plugin_python: Path, npu_root: Path) -> None:
    result = detect(plugin_python, npu_root, "--torch", "<2.7")
    assert result["backend"] == "cpu"
    assert "plugin example-npu says so" in result["rejected"]["npu"]


def test_plugin_backend_pins_and_lists(plugin_python: Path, npu_root: Path) -> None:
    pins = run(plugin_python, "pins", "--backend", "npu", "torch>=2.6", root=npu_root)
    assert pins.startswith('torch==2.7.1+npu; (sys_platform == "linux" and')
    rows = {r["backend"]: r for r in run(plugin_python, "backends", "--json", root=npu_root)}
    assert rows["npu"]["index"] == "https://npu.example.invalid/whl/npu"
    assert rows["npu"]["torch"] == ["2.7.1", "2.6.0"]


def test_plugin_can_be_blocked(plugin_python: Path, npu_root: Path) -> None:
    result = detect(plugin_python, npu_root, HATCH_TORCH_DISABLE_PLUGINS="example-npu")
    assert result["backend"] == "cpu"
    assert result["plugins"]["blocked"] == ["example-npu"]
    assert detect(plugin_python, npu_root, HATCH_TORCH_DISABLE_PLUGINS="all")["backend"] == "cpu"


def test_broken_plugin_tree_fails_alone(plugin_python: Path, npu_root: Path) -> None:
    (npu_root / "sys/class/example_npu/npu1/model").write_text("???\n")
    result = detect(plugin_python, npu_root)
    failed = [p for p in result["probes"] if p["status"] == "failed"]
    assert [p["probe"] for p in failed] == ["example-npu.sysfs"]
    assert result["backend"] == "npu"  # the first NPU was recorded before the fault
