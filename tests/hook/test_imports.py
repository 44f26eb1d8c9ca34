"""What a build with the hook loads: the modules a real ``python -m hatchling build`` holds when it ends.

The same build with a do-nothing metadata hook (registered through the ``hatch`` entry point, as ours is)
is the baseline: whatever it loads is hatchling's (pluggy, importlib.metadata, dataclasses...). Beyond
that, a build for a bundled backend may load only hatch-torch's hook, settings, pins and data modules:
no json, difflib, dataclasses, pluggy, tomlkit or pynvml of its own, no detection, and plugins looked for
without pluggy (no hookspecs module) when none is installed; the pins come from the backend's snapshot, not
from the release or family data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from buildkit import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

HARNESS = """
import atexit, runpy, sys
out, dist = sys.argv[1], sys.argv[2]
atexit.register(lambda: open(out, "w").write("\\n".join(sorted(sys.modules))))
sys.argv = ["hatchling", "build", "-t", "wheel", "-d", dist]
runpy.run_module("hatchling", run_name="__main__", alter_sys=True)
"""
NOOP = """
from hatchling.metadata.plugin.interface import MetadataHookInterface
from hatchling.plugin import hookimpl


class NoopHook(MetadataHookInterface):
    PLUGIN_NAME = "noop"

    def update(self, metadata):
        metadata["dependencies"] = list(self.config["dependencies"])


@hookimpl
def hatch_register_metadata_hook():
    return NoopHook
"""
HEAD = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
PROJECT = '[project]\nname = "mylib"\nversion = "1.2.0"\ndynamic = ["dependencies", "optional-dependencies"]\n\n'
DEPS = ["numpy>=1.26", "torch>=2.6,<2.11", "torchvision"]
#: top-level modules the hook must not bring in (hatchling may load some of them itself)
NOT_OURS = ("json", "difflib", "dataclasses", "pluggy", "tomlkit", "pynvml", "inspect", "subprocess")


def bytecode_files() -> list[str]:
    """The files whose bytecode hatch-torch's wheel carries (``[tool.hatch.build.targets.wheel.hooks.custom]``)."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        files: list[str] = tomllib.load(f)["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["custom"]["modules"]
    return files


def bytecode_modules() -> list[str]:
    return [f.removesuffix(".py").removesuffix("/__init__").replace("/", ".") for f in bytecode_files()]


def _project(folder: Path, hook: str, table: str) -> Path:
    (folder / "mylib").mkdir(parents=True)
    (folder / "mylib" / "__init__.py").write_text("")
    (folder / "pyproject.toml").write_text(f"{HEAD}{PROJECT}[tool.hatch.metadata.hooks.{hook}]\n{table}")
    return folder


def built_with(project: Path, tmp: Path, env: dict[str, str]) -> set[str]:
    out = tmp / f"{project.name}-modules.txt"
    subprocess.run(
        [sys.executable, "-c", HARNESS, str(out), str(tmp / "dist")],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    return set(out.read_text().split())


@pytest.fixture
def builds(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    site = tmp_path / "site"
    (site / "noop_hook-1.0.dist-info").mkdir(parents=True)
    (site / "noop_hook.py").write_text(NOOP)
    (site / "noop_hook-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: noop-hook\nVersion: 1.0\n")
    (site / "noop_hook-1.0.dist-info" / "entry_points.txt").write_text("[hatch]\nnoop = noop_hook\n")
    hook = _project(
        tmp_path / "hook",
        "torch",
        f'dependencies = {json.dumps(DEPS)}\noptional-dependencies = {{ audio = ["torchaudio"] }}\n',
    )
    noop = _project(tmp_path / "noop", "noop", f"dependencies = {json.dumps(DEPS)}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TORCH_BACKEND", "UV_TORCH", "HATCH_TORCH"))}
    env["PYTHONPATH"] = str(site)
    return hook, noop, env


def test_a_build_for_a_bundled_backend_loads_nothing_it_does_not_need(
    builds: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    hook, noop, env = builds
    env["TORCH_BACKEND"] = "cu130"
    baseline = built_with(noop, tmp_path, env)
    ours = built_with(hook, tmp_path, env)
    assert "hatch_torch.pins.resolve" in ours  # the hook ran
    assert list((tmp_path / "dist").glob("mylib-1.2.0-*.whl"))
    added = ours - baseline
    assert {m for m in added if m.split(".")[0] in NOT_OURS} == set()
    # plugins are looked for (they may add family members) but without pluggy: no hookspecs module, and
    # with none installed not even the plugin manager (the quick scan is its own module)
    assert "hatch_torch.plugins.scan" in ours
    assert {m for m in ours if m.startswith(("hatch_torch.plugins.", "hatch_torch.detection"))} == {
        "hatch_torch.plugins.scan"
    }
    # the pins come from the backend's snapshot: neither the release data (its compiled copy is read through
    # data.compact) nor the family data (data.members, data.family) is read
    assert "hatch_torch.pins.snapshot" in ours
    assert {"hatch_torch.data.compact", "hatch_torch.data.members", "hatch_torch.data.family"} & ours == set()
    # it picks from the snapshot's tables: neither the data model, nor the Serving that makes tables from data, nor
    # the error module (imported only to raise) is loaded
    assert {
        "hatch_torch.data.model",
        "hatch_torch.pins.serve",
        "hatch_torch.pins.tables",
        "hatch_torch.util",
    } & ours == set()
    assert {m for m in added if m.split(".")[0] != "hatch_torch"} == set()  # nothing but our own modules
    # and the wheel carries the bytecode of exactly these (hatch_build.py; tests/hook/test_bytecode.py)
    assert {m for m in ours if m.split(".")[0] == "hatch_torch"} == set(bytecode_modules())


def test_auto_loads_detection_and_the_harness_sees_it(
    builds: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    """The check can fail: with ``auto`` the build imports the detection core and the plugin manager."""
    hook, _, env = builds
    env["HATCH_TORCH_CUDA_DRIVER"] = "580.65.06"  # a described machine: no probing of this one
    env["HATCH_TORCH_CUDA_ARCH"] = "8.9"
    ours = built_with(hook, tmp_path, env)
    assert "hatch_torch.detection.core" in ours
