"""hatch-torch's own wheel: ship checked-hash bytecode for the modules a build with the hook imports.

``uv build`` and ``python -m build`` install the build backend and its plugins without compiling them, into a
fresh environment that lives for one build, so every build would compile the hook's modules from source again:
about 15 ms, several times what the hook itself costs. The wheel therefore carries their bytecode, compiled
with the interpreter that builds the wheel (and with each interpreter named in ``$HATCH_TORCH_BYTECODE_FOR``,
separated by spaces, for a release that serves several CPython versions). The files are checked-hash ``.pyc``
(PEP 552): Python uses one only while the source next to it hashes the same, so an edited source is compiled
as usual and never shadowed; no timestamp is involved, so the wheel stays reproducible. Interpreters of other
versions find no file of their tag and compile as before. Editable builds ship nothing.

The same code also goes into one bundle per interpreter (``BUNDLE``), from which the hook loads the modules of a
build in one read instead of one import each (``hatch_torch/hook/metadata.py``); each module with the CRC-32 of
its source, so that an edited one is imported as usual instead.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

EXTRA_ENV = "HATCH_TORCH_BYTECODE_FOR"
BUNDLE = "hatch_torch/__pycache__/build-path.{tag}.marshal"
#: run by each interpreter: compile the given sources (relative to root) into out, under their cache names, and
#: bundle them in one file: (magic number, [(module, source, is package, CRC-32 of the source, code)...])
COMPILE = """
import importlib.util, marshal, os, py_compile, sys, zlib
root, out, bundle, sources = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
if sys.implementation.cache_tag is None:
    raise SystemExit(f"{sys.executable} writes no bytecode (sys.implementation.cache_tag is None)")
entries = []
for source in sources:
    cfile = os.path.join(out, importlib.util.cache_from_source(source, optimization=""))
    py_compile.compile(os.path.join(root, source), cfile=cfile, dfile=source, doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    with open(os.path.join(root, source), "rb") as f:
        crc = zlib.crc32(f.read())
    with open(cfile, "rb") as f:
        code = marshal.loads(f.read()[16:])  # the code just compiled, after the .pyc header (PEP 552)
    name = source[: -len(".py")].replace("/", ".")
    package = name.endswith(".__init__")
    entries.append((name[: -len(".__init__")] if package else name, source, package, crc, code))
with open(os.path.join(out, bundle.format(tag=sys.implementation.cache_tag)), "wb") as f:
    f.write(marshal.dumps((importlib.util.MAGIC_NUMBER, entries)))
"""


class BytecodeHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        sources = self.config.get("modules", [])
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            raise TypeError(f"tool.hatch.build.targets.wheel.hooks.custom.modules must list files, got {sources!r}")
        self._out = tempfile.mkdtemp(prefix="hatch-torch-bytecode-")
        own = [sys.executable] if sys.implementation.cache_tag else []  # none from an interpreter without bytecode
        for python in [*own, *shlex.split(os.environ.get(EXTRA_ENV, ""))]:
            try:
                done = subprocess.run(
                    [python, "-I", "-c", COMPILE, self.root, self._out, BUNDLE, *sources],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                failed = done.stderr if done.returncode else ""
            except OSError as exc:
                failed = str(exc)
            if failed:
                shutil.rmtree(self._out, ignore_errors=True)
                fix = f"name interpreters that exist, separated by spaces, in ${EXTRA_ENV}, or unset it"
                raise RuntimeError(
                    f"compiling hatch-torch's bytecode with {python!r} failed: {failed.strip()}. "
                    f"Fix: {fix if python not in own else 'report this as a bug of hatch-torch'}."
                )
        for folder, _, names in os.walk(self._out):
            for name in names:
                path = os.path.join(folder, name)
                build_data["force_include"][path] = os.path.relpath(path, self._out).replace(os.sep, "/")

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if getattr(self, "_out", None):
            shutil.rmtree(self._out, ignore_errors=True)
