"""hatch-torch's wheel carries checked-hash bytecode of what a build imports, one ``.pyc`` each and all in one
bundle (``hatch_build.py``); a build in an environment installed without compiling, as ``uv build`` and
``python -m build`` make one, loads the hook's modules from the bundle (``hook/metadata.py``) instead of compiling
them again; without the bundle, or with a broken one, from the ``.pyc`` files; an edited source is compiled as
usual, never shadowed."""

from __future__ import annotations

import importlib.util
import json
import marshal
import os
import re
import shutil
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from buildkit import ROOT, TEST_PROJECTS, BuildError, build_env, run, uv_command
from test_imports import bytecode_files, bytecode_modules

#: what ``python -v`` says for each module it loads: "'<file>.pyc'" (cached) or "<file>.py" (compiled now)
LOADED = re.compile(r"^# code object from '?(?P<file>.+?)'?$", re.MULTILINE)


def _wheel(wheelhouse: Path) -> Path:
    (wheel,) = wheelhouse.glob("hatch_torch-*.whl")
    return wheel


def test_the_wheel_carries_checked_hash_bytecode_of_what_a_build_imports(wheelhouse: Path) -> None:
    with zipfile.ZipFile(_wheel(wheelhouse)) as zf:
        names = set(zf.namelist())
        sources = bytecode_files()
        assert set(sources) <= names
        mine = {n for n in names if n.endswith(f".{sys.implementation.cache_tag}.pyc")}
        assert mine == {importlib.util.cache_from_source(s).replace(os.sep, "/") for s in sources}
        assert {n for n in names if n.endswith(".pyc")} == mine  # one interpreter: the one that built the wheel
        for source in sources:
            data = zf.read(importlib.util.cache_from_source(source).replace(os.sep, "/"))
            assert data[:4] == importlib.util.MAGIC_NUMBER
            assert int.from_bytes(data[4:8], "little") == 0b11  # hash-based, checked against the source (PEP 552)
            assert data[8:16] == importlib.util.source_hash(zf.read(source))
        # and the bundle the hook loads them from: every listed module, in that order, with its source's CRC-32
        magic, entries = marshal.loads(
            zf.read(f"hatch_torch/__pycache__/build-path.{sys.implementation.cache_tag}.marshal")
        )
        assert magic == importlib.util.MAGIC_NUMBER
        assert [e[1] for e in entries] == sources
        assert [e[0] for e in entries] == bytecode_modules()
        for _, source, package, crc, code in entries:
            assert package == source.endswith("/__init__.py")
            assert crc == zlib.crc32(zf.read(source))
            assert code.co_filename == source


def _loaded(stderr: str, package: Path) -> dict[str, str]:
    """hatch_torch module file (relative to the package's parent) -> "pyc" or "source", from ``python -v``."""
    out = {}
    for match in LOADED.finditer(stderr):
        file = Path(match["file"])
        if package in file.parents:
            if file.suffix == ".pyc":
                relative = file.parent.parent.relative_to(package.parent) / (file.name.split(".")[0] + ".py")
                out[relative.as_posix()] = "pyc"
            else:
                out[file.relative_to(package.parent).as_posix()] = "source"
    return out


#: runs a build in-process and writes, at exit, each hatch_torch module's file and its functions' code files
HARNESS = """
import atexit, json, runpy, sys, types
out = sys.argv[1]

def dump():
    found = {}
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] == "hatch_torch":
            code = {f.__code__.co_filename for f in vars(module).values()
                    if isinstance(f, types.FunctionType) and f.__module__ == name}
            found[name] = [module.__file__, module.__spec__.origin, sorted(code)]
    with open(out, "w") as f:
        json.dump(found, f)

atexit.register(dump)
sys.argv = ["hatchling", "build", "-t", "wheel", "-d", sys.argv[2]]
runpy.run_module("hatchling", run_name="__main__", alter_sys=True)
"""


@pytest.mark.integration
def test_a_build_in_an_uncompiled_environment_loads_it_and_compiles_an_edited_module(
    wheelhouse: Path, tmp_path: Path
) -> None:
    uv, env = uv_command(), build_env()
    venv = tmp_path / "build-env"
    run([uv, "venv", "--no-config", "--python", sys.executable, str(venv)], env)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    # as uv build installs a build environment: no bytecode compiled
    run([uv, "pip", "install", "--no-config", "--no-index", "--find-links", str(wheelhouse), "--python", str(python),
         "hatch-torch", "hatchling"], env)  # fmt: skip
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], env).strip()
    package = Path(purelib) / "hatch_torch"
    project = shutil.copytree(TEST_PROJECTS / "minimal", tmp_path / "minimal")
    sources = bytecode_files()
    entry = sources[:4]  # imported by hatchling's plugin loading, before the hook runs: from their .pyc

    def build(name: str) -> tuple[dict[str, str], dict[str, list[object]], list[str]]:
        """(how python -v saw each hatch_torch module load, what the modules are, the wheel's Requires-Dist)."""
        dist, report = tmp_path / name, tmp_path / f"{name}.json"
        command = [str(python), "-v", "-c", HARNESS, str(report), str(dist)]
        proc = subprocess.run(
            command, cwd=project, env={**env, "TORCH_BACKEND": "cu130"}, capture_output=True, text=True, check=True
        )
        (wheel,) = dist.glob("mylib-1.2.0-*.whl")
        with zipfile.ZipFile(wheel) as zf:
            pins = [
                line
                for line in zf.read("mylib-1.2.0.dist-info/METADATA").decode().splitlines()
                if "Requires-Dist" in line
            ]
        return _loaded(proc.stderr, package), json.loads(report.read_text()), pins

    loaded, modules, pins = build("bundle")
    # the modules the hook imports come from the bundle (python -v sees no import of them), whole: each names its
    # installed source, as its functions' code does
    assert loaded == dict.fromkeys(entry, "pyc")
    for source, name in zip(sources, bytecode_modules(), strict=True):
        file = str(package.parent / source)
        assert modules[name][:2] == [file, file]
        assert set(modules[name][2]) <= {file}
    assert pins
    # without the bundle, each comes from its own checked-hash .pyc, and the pins are the same
    bundle = package / "__pycache__" / f"build-path.{sys.implementation.cache_tag}.marshal"
    saved = bundle.read_bytes()
    bundle.unlink()
    loaded, _, same = build("pyc")
    assert loaded == dict.fromkeys(sources, "pyc")
    assert same == pins
    bundle.write_bytes(saved[: len(saved) // 2])  # cut short: not read at all
    loaded, _, same = build("broken")
    assert loaded == dict.fromkeys(sources, "pyc")
    assert same == pins
    # an edited source matches neither the bundle's CRC-32 nor its .pyc's hash: Python compiles it, the rest still
    # comes from the bundle, and the build pins the same
    bundle.write_bytes(saved)
    resolve = package / "pins" / "resolve.py"
    resolve.write_text(resolve.read_text() + "\n# edited after install\n")
    loaded, modules, same = build("edited")
    assert loaded == {**dict.fromkeys(entry, "pyc"), "hatch_torch/pins/resolve.py": "source"}
    assert modules["hatch_torch.pins.resolve"][0] == str(resolve)
    assert same == pins


def test_an_interpreter_that_cannot_compile_stops_the_wheel_build(wheelhouse: Path, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-python3.99")
    command = [uv_command(), "build", "--wheel", "--out-dir", str(tmp_path / "dist"), "--no-config", "--no-index"]
    command += ["--find-links", str(wheelhouse), "--python", sys.executable, str(ROOT)]
    with pytest.raises(BuildError) as failed:
        run(command, build_env(HATCH_TORCH_BYTECODE_FOR=f"{sys.executable} {missing}"))
    assert f"compiling hatch-torch's bytecode with {missing!r} failed" in failed.value.output
    assert "Fix: name interpreters that exist, separated by spaces, in $HATCH_TORCH_BYTECODE_FOR" in failed.value.output
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").glob("*.whl"))
