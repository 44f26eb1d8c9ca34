"""hatch-torch's wheel carries checked-hash bytecode of what a build imports (``hatch_build.py``), and a build in an
environment installed without compiling, as ``uv build`` and ``python -m build`` make one, uses it instead of
compiling those modules again; an edited source is compiled as usual, never shadowed."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from buildkit import ROOT, TEST_PROJECTS, BuildError, build_env, run, uv_command
from test_imports import bytecode_files

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


@pytest.mark.integration
def test_a_build_in_an_uncompiled_environment_uses_it_and_compiles_an_edited_module(
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

    def build() -> dict[str, str]:
        command = [str(python), "-v", "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path / "dist")]
        proc = subprocess.run(
            command, cwd=project, env={**env, "TORCH_BACKEND": "cu130"}, capture_output=True, text=True, check=True
        )
        return _loaded(proc.stderr, package)

    loaded = build()
    assert loaded == dict.fromkeys(sources, "pyc")
    # an edited source does not match its bytecode's hash: Python compiles it, the build still pins
    resolve = package / "pins" / "resolve.py"
    resolve.write_text(resolve.read_text() + "\n# edited after install\n")
    loaded = build()
    assert loaded == {**dict.fromkeys(sources, "pyc"), "hatch_torch/pins/resolve.py": "source"}
    assert len(list((tmp_path / "dist").glob("mylib-1.2.0-*.whl"))) == 1


def test_an_interpreter_that_cannot_compile_stops_the_wheel_build(wheelhouse: Path, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-python3.99")
    command = [uv_command(), "build", "--wheel", "--out-dir", str(tmp_path / "dist"), "--no-config", "--no-index"]
    command += ["--find-links", str(wheelhouse), "--python", sys.executable, str(ROOT)]
    with pytest.raises(BuildError) as failed:
        run(command, build_env(HATCH_TORCH_BYTECODE_FOR=f"{sys.executable} {missing}"))
    assert f"compiling hatch-torch's bytecode with {missing!r} failed" in failed.value.output
    assert "Fix: name interpreters that exist, separated by spaces, in $HATCH_TORCH_BYTECODE_FOR" in failed.value.output
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").glob("*.whl"))
