"""``hatch-torch build``: one wheel per backend through a standard build frontend, in parallel."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from hatch_torch.pins.resolve import FAMILY
from hatch_torch.publish.matrix import check_backends
from hatch_torch.publish.project import check_project
from hatch_torch.publish.wheels import read_member
from hatch_torch.util.errors import ConfigurationError
from hatch_torch.util.fsread import open_regular

FRONTENDS = ("auto", "uv", "build")
TAIL = 15  # lines of a failed build's output shown in the report


@dataclass
class Result:
    backend: str
    ok: bool
    seconds: float
    command: list[str]
    wheel: Path | None = None
    version: str | None = None
    pins: list[str] = field(default_factory=list)
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "wheel": str(self.wheel) if self.wheel else None,
            "version": self.version,
            "pins": self.pins,
            "error": self.error,
            "command": self.command,
        }


def frontend_command(frontend: str, project: Path, out: Path, *, isolation: bool = True) -> list[str]:
    """The wheel build command of ``frontend`` (``auto``: uv when installed, else ``python -m build``)."""
    if frontend not in FRONTENDS:
        raise ConfigurationError([f"--frontend={frontend!r} is unknown. Fix: use one of {', '.join(FRONTENDS)}."])
    uv = find_uv()
    if frontend == "uv" or (frontend == "auto" and uv):
        if not uv:
            raise ConfigurationError(
                [
                    "--frontend=uv: uv is not installed (no uv package, none on PATH). Fix: pip install uv, or "
                    "use --frontend=build."
                ]
            )
        no_isolation = [] if isolation else ["--no-build-isolation"]
        python = ["--python", sys.executable]  # the interpreter hatch-torch runs in (and its env without isolation)
        return [uv, "build", "--wheel", "--out-dir", str(out), *python, *no_isolation, str(project)]
    if importlib.util.find_spec("build") is None:
        raise ConfigurationError(
            [f"--frontend={frontend}: neither uv nor the build package is installed. Fix: pip install uv (or build)."]
        )
    no_isolation = [] if isolation else ["--no-isolation"]
    return [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), *no_isolation, str(project)]


def find_uv() -> str | None:
    """uv from the ``uv`` package installed next to hatch-torch (as ``python -m uv`` finds it), else PATH."""
    try:
        import uv

        return str(uv.find_uv_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def prepare_out(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise ConfigurationError([f"--out {out} is a file. Fix: give a directory (it gets one folder per backend)."])
    out.mkdir(parents=True, exist_ok=True)
    return out


def build_all(
    project: Path,
    backends: Sequence[str],
    out: Path,
    *,
    jobs: int = 0,
    frontend: str = "auto",
    isolation: bool = True,
    environ: Mapping[str, str] | None = None,
) -> list[Result]:
    """Build one wheel per backend into ``out/<backend>/``; every backend's result, failures included."""
    if not backends:
        raise ConfigurationError(["--backends is empty. Fix: --backends cpu,cu128,cu130."])
    check_backends(backends, "--backends")
    if jobs < 0:
        raise ConfigurationError([f"--jobs={jobs} must be 1 or more (0 = one per CPU). Fix: --jobs 2."])
    project = project.resolve()
    check_project(project)
    out = prepare_out(out.resolve())
    frontend_command(frontend, project, out)  # fail early when no frontend exists
    jobs = jobs or min(len(backends), os.cpu_count() or 1)
    base = dict(os.environ if environ is None else environ)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_build_one, project, b, out, frontend, isolation, base) for b in backends]
        return [f.result() for f in futures]


def _build_one(project: Path, backend: str, out: Path, frontend: str, isolation: bool, base: dict[str, str]) -> Result:
    env = {**base, "TORCH_BACKEND": backend}
    env.pop("UV_TORCH_BACKEND", None)
    tmp = Path(tempfile.mkdtemp(prefix=f".{backend}-", dir=out))
    command = frontend_command(frontend, project, tmp, isolation=isolation)
    start = time.perf_counter()
    try:
        proc = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        wheels = sorted(tmp.glob("*.whl"))
        if proc.returncode != 0 or len(wheels) != 1:
            why = f"exit status {proc.returncode}" if proc.returncode else f"{len(wheels)} wheels produced"
            return Result(backend, False, seconds, command, error=f"{why}:\n{_gist(proc.stdout + proc.stderr)}")
        target_dir = out / backend
        target_dir.mkdir(exist_ok=True)
        target = target_dir / wheels[0].name
        os.replace(wheels[0], target)
        version, pins = read_pins(target)
        return Result(backend, True, seconds, command, wheel=target, version=version, pins=pins)
    except OSError as exc:
        return Result(backend, False, time.perf_counter() - start, command, error=str(exc))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _gist(output: str) -> str:
    """The hatch-torch error of a failed build (raised inside the backend), else the output's last lines."""
    lines = output.strip().splitlines()
    for i, line in enumerate(lines):
        if "hatch_torch.util.errors." in line and "Error: " in line:
            message = [line.split("Error: ", 1)[1]]
            message += [m for m in lines[i + 1 :] if m.startswith("- ")]
            return "\n".join(message)
    return "\n".join(lines[-TAIL:])


def read_pins(wheel: Path) -> tuple[str, list[str]]:
    """(Version, torch-family Requires-Dist lines) from a wheel's METADATA."""
    with open_regular(wheel) as f, zipfile.ZipFile(f) as zf:
        name = next(n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        headers = HeaderParser().parsestr(read_member(zf, name).decode("utf-8", "replace"))
    pins = []
    for line in headers.get_all("Requires-Dist") or []:
        try:
            if canonicalize_name(Requirement(line).name) in FAMILY:
                pins.append(line)
        except InvalidRequirement:
            continue
    return headers.get("Version", ""), pins


def report(results: Sequence[Result]) -> str:
    lines = []
    for r in results:
        status = "ok" if r.ok else "FAILED"
        lines.append(f"{r.backend:<10} {status:<6} {r.seconds:6.1f}s  {r.wheel if r.wheel else ''}")
        if r.pins:
            heads = dict.fromkeys(pin.split(";", 1)[0].strip() for pin in r.pins)
            lines.append(f"    pins: {', '.join(heads)}")
        if not r.ok:
            lines += [f"    | {line}" for line in r.error.splitlines()]
    failed = [r.backend for r in results if not r.ok]
    lines.append(
        f"{len(results) - len(failed)} of {len(results)} backends built"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    return "\n".join(lines)
