"""Test helpers for real builds: fixtures in conftest.py use these; tests import them from here.

Fixtures (all session scoped; safe under pytest-xdist, where expensive results are shared between workers):

- ``torch_index``: a running :class:`tests.fake_index.FakeIndex` with ``.url``, ``.backend_url(backend)``
  (``<url>/whl/<backend>``), ``.whl_url`` and ``.pypi_url`` (``<url>/pypi/simple``, a fake PyPI). For other
  release data start your own: ``with FakeIndex(data_file_or_dict, hashes=False) as index: ...``.
- ``wheelhouse``: a directory holding a hatch-torch wheel freshly built from this checkout (``uv build``) and
  wheels of hatchling and every requirement of both, repacked from this environment (:func:`repack_installed`),
  for ``--find-links`` with ``--no-index``: builds with real isolation that reach no host at all.
- ``build_wheelhouse``: the same directory (kept as a name for tests that install sdists from it).
- ``build_project``: ``build_project(src_dir, tmp_path, backend, frontend="uv", sdist=False)`` copies a
  project to ``tmp_path`` and builds it with real ``uv build`` or ``python -m build`` (``TORCH_BACKEND`` set
  to ``backend`` unless it is None); returns :class:`Artifacts`; raises :class:`BuildError` on failure.
  ``src_dir`` may also be an sdist (``.tar.gz``) to build a wheel from.
- ``project_builds``: ``project_builds.get("minimal", "cu130", frontend="uv", sdist=False)`` builds a sample
  project of ``test-projects/`` once per test session (across xdist workers) and returns its
  :class:`Artifacts`.

Tools: :func:`uv_command` (uv from the ``uv`` package, never PATH) and :func:`tool` (system tools); a
missing tool fails the test, it is never skipped.

Helpers: :func:`read_metadata` (a wheel's METADATA or an sdist's PKG-INFO as an ``email.message.Message``),
:func:`requires_dist`, :func:`build_env`, :func:`TEST_PROJECTS`.
"""

from __future__ import annotations

import base64
import contextlib
import email.parser
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_PROJECTS = ROOT / "test-projects"
TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))


#: Environment variables that would leak the developer's or CI's settings into the builds and installs.
SCRUBBED_ENV = (
    "TORCH_BACKEND",
    "UV_TORCH_BACKEND",
    "HATCH_TORCH_DATA",
    "HATCH_TORCH_BYTECODE_FOR",  # hatch-torch's own wheel: bytecode for this interpreter only (hatch_build.py)
    "PIP_FIND_LINKS",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_CONSTRAINT",
    "UV_INDEX",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_FIND_LINKS",
    "UV_CONSTRAINT",
    "UV_BUILD_CONSTRAINT",
    "UV_NO_BUILD_ISOLATION",
    "UV_PYTHON",
    "VIRTUAL_ENV",
)


class BuildError(RuntimeError):
    """A build frontend exited non-zero; ``output`` holds its stdout and stderr."""

    def __init__(self, command: list[str], returncode: int, output: str) -> None:
        super().__init__(f"{' '.join(command)} exited {returncode}:\n{output}")
        self.command = command
        self.returncode = returncode
        self.output = output


@dataclass
class Artifacts:
    """What a build produced."""

    paths: list[Path] = field(default_factory=list)

    @property
    def wheel(self) -> Path:
        return _one(self.paths, ".whl")

    @property
    def sdist(self) -> Path:
        return _one(self.paths, ".tar.gz")


def _one(paths: list[Path], suffix: str) -> Path:
    found = [p for p in paths if p.name.endswith(suffix)]
    if len(found) != 1:
        raise LookupError(f"expected one {suffix} artifact, got {[p.name for p in paths]}")
    return found[0]


# --- metadata -----------------------------------------------------------------------------------------------


def read_metadata(artifact: Path) -> Message:
    """The core metadata of a wheel (``*.dist-info/METADATA``) or an sdist (``PKG-INFO``)."""
    parser = email.parser.BytesParser()
    if artifact.name.endswith(".whl"):
        with zipfile.ZipFile(artifact) as zf:
            names = [n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
            if len(names) != 1:
                raise LookupError(f"{artifact.name}: expected one .dist-info/METADATA, got {names}")
            return parser.parsebytes(zf.read(names[0]))
    with tarfile.open(artifact) as tf:
        member = next(m for m in tf.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO"))
        handle = tf.extractfile(member)
        if handle is None:
            raise LookupError(f"{artifact.name}: PKG-INFO is not a file")
        return parser.parsebytes(handle.read())


def requires_dist(metadata: Message) -> list[str]:
    """The ``Requires-Dist`` values, in order."""
    return [str(v) for v in metadata.get_all("Requires-Dist") or []]


# --- environment and locking ----------------------------------------------------------------------------------


def build_env(backend: str | None = None, **extra: str) -> dict[str, str]:
    """``os.environ`` without settings that would leak in (see :data:`SCRUBBED_ENV`), pip's config files off,
    plus ``TORCH_BACKEND=backend`` (unless None) and ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if backend is not None:
        env["TORCH_BACKEND"] = backend
    env.update(extra)
    return env


def run(command: list[str], env: dict[str, str], cwd: Path | None = None, timeout: float = 300) -> str:
    """Run a command; return its stdout, or raise :class:`BuildError` (with stdout and stderr)."""
    proc = subprocess.run(
        command,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        raise BuildError(command, proc.returncode, proc.stdout + proc.stderr)
    return proc.stdout


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (xdist workers) held while the block runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows CI only
            import msvcrt

            handle.seek(0)
            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    continue
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def shared_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str, name: str) -> Path:
    """A directory shared by all xdist workers of this session (the per-worker base temp's parent)."""
    base = tmp_path_factory.getbasetemp()
    root = base if worker_id == "master" else base.parent
    return root / name


def cached(directory: Path, make: Callable[[Path], None]) -> Path:
    """Run ``make(directory)`` once per session across workers; later callers reuse the directory."""
    done = directory / ".done"
    with _file_lock(directory.with_name(directory.name + ".lock")):
        if not done.exists():
            if directory.exists():
                shutil.rmtree(directory)
            directory.mkdir(parents=True)
            make(directory)
            done.touch()
    return directory


# --- building -------------------------------------------------------------------------------------------------


def _copy_project(src_dir: Path, dest: Path) -> Path:
    """Copy a project (or unpack an sdist) into ``dest``; return the project directory."""
    if src_dir.name.endswith(".tar.gz"):
        with tarfile.open(src_dir) as tf:
            if sys.version_info >= (3, 12):
                tf.extractall(dest, filter="data")
            else:
                tf.extractall(dest)
        (top,) = [p for p in dest.iterdir() if p.is_dir()]
        return top
    target = dest / src_dir.name
    shutil.copytree(src_dir, target, ignore=shutil.ignore_patterns("dist", "build", "__pycache__", "*.egg-info"))
    return target


def build(
    src_dir: Path,
    tmp_path: Path,
    backend: str | None,
    wheelhouse: Path,
    frontend: str = "uv",
    sdist: bool = False,
    env: dict[str, str] | None = None,
) -> Artifacts:
    """Build ``src_dir`` (a project directory or an sdist) with real build isolation.

    ``sdist=True`` builds only the sdist, otherwise only the wheel. ``TORCH_BACKEND`` is set to ``backend``
    unless it is None (then no backend variable is set at all). ``env`` adds to the environment.
    """
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "dist"
    out.mkdir(exist_ok=True)
    environ = build_env(backend, **(env or {}))
    kind = "--sdist" if sdist else "--wheel"
    if frontend == "uv":
        source = src_dir if src_dir.name.endswith(".tar.gz") else _copy_project(src_dir, tmp_path / "src")
        command = [uv_command(), "build", kind, "--out-dir", str(out), "--no-index", "--find-links", str(wheelhouse)]
        command += ["--no-config"]
        command += ["--python", sys.executable]  # naming the interpreter avoids uv's slow search (pyenv shims)
        run([*command, str(source)], environ)
    elif frontend == "build":
        source = _copy_project(src_dir, tmp_path / "src")
        environ["PIP_FIND_LINKS"] = str(wheelhouse)
        environ["PIP_NO_INDEX"] = "1"
        run([sys.executable, "-m", "build", kind, "--outdir", str(out), str(source)], environ)
    else:
        raise ValueError(f"frontend must be 'uv' or 'build', not {frontend!r}")
    return Artifacts(sorted(out.iterdir()))


def uv_command() -> str:
    """The uv executable of the ``uv`` package installed with the test extra (never looked up on PATH).

    A missing uv fails the test: the suite's claims rest on real uv runs, so a skip would hide a broken setup.
    """
    try:
        import uv

        return str(uv.find_uv_bin())
    except (ImportError, FileNotFoundError) as exc:
        pytest.fail(f"uv is missing ({exc}). Fix: pip install -e '.[test]' (the test extra installs uv).")


def tool(*names: str) -> str:
    """The first of ``names`` found on PATH (system tools: gcc, unshare, setpriv); a missing tool fails the test."""
    for name in names:
        found = shutil.which(name) or next(
            (str(Path(d) / name) for d in ("/usr/bin", "/bin", "/usr/sbin", "/sbin") if (Path(d) / name).is_file()),
            None,
        )
        if found:
            return found
    pytest.fail(f"{' or '.join(names)} is not installed. Fix: install it (the tests need it).")


class ProjectBuilds:
    """Builds of ``test-projects/<name>``, each (project, backend, frontend, kind) once per session."""

    def __init__(self, root: Path, wheelhouse: Path) -> None:
        self.root = root
        self.wheelhouse = wheelhouse

    def get(self, project: str, backend: str | None, frontend: str = "uv", sdist: bool = False) -> Artifacts:
        key = f"{project}-{backend or 'nobackend'}-{frontend}-{'sdist' if sdist else 'wheel'}"

        def make(directory: Path) -> None:
            build(TEST_PROJECTS / project, directory, backend, self.wheelhouse, frontend, sdist)

        directory = cached(self.root / key, make)
        return Artifacts(sorted((directory / "dist").iterdir()))


# --- fixtures -------------------------------------------------------------------------------------------------


#: Pure-Python distributions an isolated build of a hook project needs: hatchling and the requirements of
#: hatchling and hatch-torch.
BUILD_DISTS = (
    "hatchling",
    "packaging",
    "pathspec",
    "pluggy",
    "trove-classifiers",
    "tomlkit",
    "nvidia-ml-py",
    "editables",
    *(("tomli",) if sys.version_info < (3, 11) else ()),
)


def repack_installed(name: str, dest: Path) -> Path:
    """A wheel of an installed pure-Python distribution, made from its installed files (no download)."""
    dist = importlib.metadata.distribution(name)
    files = [f for f in dist.files or [] if not str(f).startswith("..") and "__pycache__" not in str(f)]
    info = next(str(f).split("/")[0] for f in files if str(f).endswith(".dist-info/METADATA"))
    record_name = f"{info}/RECORD"
    wheel = dest / f"{info.removesuffix('.dist-info')}-py3-none-any.whl"
    rows = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            if str(f) == record_name:
                continue
            data = Path(str(f.locate())).read_bytes()
            zf.writestr(str(f), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            rows.append(f"{f},sha256={digest},{len(data)}")
        rows.append(f"{record_name},,")
        zf.writestr(record_name, "\n".join(rows) + "\n")
    return wheel
