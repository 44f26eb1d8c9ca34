"""What detectors see and report: the probe context, devices, versions and per-probe records
(:class:`Device` and :class:`ProbeRecord` live in :mod:`hatch_torch.detection.records`)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from time import perf_counter_ns
from typing import TYPE_CHECKING, Any

from hatch_torch.detection import hung as _hung
from hatch_torch.detection.records import Device, ProbeRecord
from hatch_torch.util import fsread
from hatch_torch.util.errors import ConfigurationError
from hatch_torch.util.patterns import lazy
from hatch_torch.util.record import Record, field
from hatch_torch.util.record import as_dict as _as_dict

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "DEFAULT_TIMEOUT",
    "LIST_LIMIT",
    "READ_LIMIT",
    "TIMEOUT_ENV",
    "Device",
    "ProbeContext",
    "ProbeFailure",
    "ProbeRecord",
    "ToolFailure",
    "as_dict",
    "ascii_int",
    "dotted",
    "isdir",
    "seconds",
]

#: Seconds a vendor tool (nvidia-smi, rocminfo...) or NVML may run before it counts as hanging.
TIMEOUT_ENV = "HATCH_TORCH_TOOL_TIMEOUT"
DEFAULT_TIMEOUT = 5.0
_SECONDS = lazy(r"[0-9]{1,5}(\.[0-9]{1,6})?", re.ASCII)
#: bytes a sysfs/procfs/config file read may return, entries a directory listing may hold
READ_LIMIT = 65536
LIST_LIMIT = 4096
_POSIX = os.name == "posix"


class ProbeFailure(Exception):
    """A probe could not answer (the message says why); detection goes on with the next one."""


class ToolFailure(ProbeFailure):
    """A vendor tool ran and exited non-zero; ``output`` is the last line it printed (stderr first)."""

    def __init__(self, message: str, output: str) -> None:
        super().__init__(message)
        self.output = output


def ascii_int(text: str, digits: int = 9) -> int | None:
    """``text`` as an int if it is 1 to ``digits`` ASCII digits, else None (``int()`` takes full-width
    digits and raises on a few thousand of them; neither is a number a machine reports)."""
    text = text.strip()
    return int(text) if 0 < len(text) <= digits and text.isascii() and text.isdigit() else None


def dotted(text: str, widths: tuple[int, ...], required: int) -> bool:
    """Whether ``text`` is ``required`` to ``len(widths)`` runs of ASCII digits joined by dots, run ``i``
    at most ``widths[i]`` long: ``dotted(v, (4, 4, 4), 2)`` is ``[0-9]{1,4}\\.[0-9]{1,4}(\\.[0-9]{1,4})?``
    without compiling a pattern (a fresh process compiles each one it uses)."""
    parts = text.split(".")
    if not required <= len(parts) <= len(widths):
        return False
    for part, width in zip(parts, widths, strict=False):  # a loop: no generator to set up
        if not (0 < len(part) <= width and part.isascii() and part.isdigit()):
            return False
    return True


def isdir(path: str) -> bool:
    """``os.path.isdir(path)``. On POSIX a path with a trailing slash resolves only to a directory: one
    ``access`` call, without the stat result and, for a missing path, the exception (probes ask often)."""
    return os.access(path + "/", os.F_OK) if _POSIX and path else os.path.isdir(path)


def seconds(environ: Mapping[str, str]) -> float:
    """The tool timeout from ``$HATCH_TORCH_TOOL_TIMEOUT`` (ASCII digits, above 0), else the default."""
    raw = environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    if _SECONDS.fullmatch(raw) and float(raw) > 0:
        return float(raw)
    shown = repr(raw[:40]) + ("..." if len(raw) > 40 else "")
    raise ConfigurationError(
        [
            f"{TIMEOUT_ENV}={shown} is not a timeout in seconds. Fix: set it to a number above 0 "
            f"(at most 99999), e.g. {DEFAULT_TIMEOUT:g}, or unset it for the default."
        ]
    )


class ProbeContext(Record):
    """The machine as detectors see it: a filesystem root, an environment, a platform, and what is found."""

    root: str
    environ: Mapping[str, str]
    platform: str
    devices: list[Device] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    probes: list[ProbeRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: vendors an override settled; their probes are skipped
    settled: set[str] = field(default_factory=set)

    def __init__(
        self,
        root: str,
        environ: Mapping[str, str],
        platform: str,
        devices: list[Device] | None = None,
        versions: dict[str, str] | None = None,
        probes: list[ProbeRecord] | None = None,
        notes: list[str] | None = None,
        settled: set[str] | None = None,
    ) -> None:
        self.root = root = os.fspath(root)
        self.environ, self.platform = environ, platform
        self.devices = [] if devices is None else devices
        self.versions = {} if versions is None else versions
        self.probes = [] if probes is None else probes
        self.notes = [] if notes is None else notes
        self.settled = set() if settled is None else settled
        self._prefix = "" if root in ("/", "") else root.rstrip("/\\")
        self.os = platform.split("_", 1)[0]
        self._timeout = seconds(environ)

    def fs(self, absolute: str) -> str:
        """``absolute`` (a path like /sys/module/nvidia/version) under the root, as a string."""
        return self._prefix + absolute

    def path(self, absolute: str) -> Path:
        """``absolute`` under the root, as a Path."""
        from pathlib import Path

        return Path(self.fs(absolute))

    def exists(self, absolute: str) -> bool:
        """Whether ``absolute`` exists under the root (links followed), as ``os.path.exists`` says, without
        the stat result and the exception a missing path costs it (every probe asks a few times)."""
        return os.access(self._prefix + absolute, os.F_OK)

    def isdir(self, absolute: str) -> bool:
        path = self._prefix + absolute
        return os.access(path + "/", os.F_OK) if _POSIX and path else os.path.isdir(path)  # as isdir() says

    def listdir(self, absolute: str) -> list[str]:
        """Sorted entries of a directory under the root (at most LIST_LIMIT); [] if it does not exist."""
        try:
            return fsread.listdir(self._prefix + absolute, LIST_LIMIT)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            raise ProbeFailure(f"cannot list {absolute}: {exc.strerror or exc}") from exc

    def read(self, absolute: str, limit: int = READ_LIMIT) -> str | None:
        """The text of a file under the root (its first ``limit`` bytes), None if it does not exist.

        Only regular files are read: a FIFO or a device in its place raises ProbeFailure, as do
        other errors."""
        try:
            data = fsread.read_bytes(self._prefix + absolute, limit, truncate=True)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise ProbeFailure(f"cannot read {absolute}: {exc.strerror or exc}") from exc
        return data.decode("utf-8", "replace")

    def which(self, name: str, extra: tuple[str, ...] = ()) -> str | None:
        """The executable ``name`` on this context's PATH (plus ``extra`` dirs under the root).

        Only absolute PATH entries count: an empty entry or ``.`` (the current directory, where a
        project being built keeps its own files) is never searched."""
        dirs = [d for d in self.environ.get("PATH", "").split(os.pathsep) if os.path.isabs(d)]
        names = [name]
        if self.os == "win" and os.name == "nt":
            names += [name + ext for ext in self.environ.get("PATHEXT", ".EXE").lower().split(";") if ext]
        for d in [*dirs, *(self.fs(e) for e in extra)]:
            for n in names:
                path = os.path.join(d, n)
                if os.path.isfile(path) and os.access(path, os.X_OK):
                    return path
        return None

    def timeout(self) -> float:
        return self._timeout

    def run(self, argv: list[str]) -> str:
        """Run a vendor tool with a bounded timeout and output; stdout, or ProbeFailure saying why not.

        The tool runs in its own process group, killed whole on a timeout or a flood of output. A tool
        that timed out is remembered for a while, so one build pays its timeout once.
        """
        from hatch_torch.util import proc  # only a probe that runs a tool pays for subprocess and threading

        if _hung.recently(argv[0]):
            raise ProbeFailure(f"{argv[0]} hung earlier (timeout {self.timeout():g}s); not run again for now")
        try:
            done = proc.run(argv, env=self.environ, timeout=self.timeout())
        except proc.Timeout as exc:
            _hung.remember(argv[0])
            raise ProbeFailure(f"{' '.join(argv)} {exc}") from exc
        except proc.Flood as exc:
            raise ProbeFailure(f"{' '.join(argv)} {exc}; output ignored") from exc
        except OSError as exc:
            raise ProbeFailure(f"cannot run {argv[0]}: {exc.strerror or exc}") from exc
        out = done.stdout.decode("utf-8", "replace")
        if done.returncode != 0:
            err = (done.stderr.decode("utf-8", "replace") or out).strip().splitlines()
            said = err[-1][:200] if err else ""
            raise ToolFailure(f"{' '.join(argv)} exited with {done.returncode}: {said or 'no output'}", said)
        return out

    def probe(self, name: str) -> _Probe:
        """Record one probe: ``with context.probe("vendor.what") as say: ... say(status, detail)``.
        ProbeFailure and any other exception become a "failed" record and do not propagate."""
        return _Probe(self, name)

    def skip(self, name: str, why: str) -> None:
        self.probes.append(ProbeRecord(name, "skipped", why, 0.0))

    def record(self, name: str, status: str, detail: str) -> None:
        self.probes.append(ProbeRecord(name, status, detail, 0.0))

    def of(self, vendor: str) -> list[Device]:
        return [d for d in self.devices if d.vendor == vendor]

    def failures_of(self, name: str) -> list[ProbeRecord]:
        return [p for p in self.probes if p.probe == name and p.status == "failed"]

    def failures(self) -> list[ProbeRecord]:
        return [p for p in self.probes if p.status == "failed"]


def as_dict(obj: Any) -> dict[str, Any]:
    return _as_dict(obj)


class _Probe:
    """The context manager behind :meth:`ProbeContext.probe`."""

    __slots__ = ("context", "name", "said", "start")

    def __init__(self, context: ProbeContext, name: str) -> None:
        self.context, self.name = context, name
        self.said: tuple[str, str] = ("nothing", "no answer")

    def __enter__(self) -> Callable[[str, str], None]:
        self.start = perf_counter_ns()
        return self.say

    def say(self, status: str, detail: str) -> None:
        self.said = (status, detail)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> bool:
        ms = (perf_counter_ns() - self.start + 500) // 1000 / 1000  # rounded to the microsecond
        if exc is None:
            status, detail = self.said
        elif isinstance(exc, ProbeFailure):
            status, detail = "failed", str(exc)
        elif isinstance(exc, Exception):  # a fault in one probe never breaks detection
            status, detail = "failed", f"{type(exc).__name__}: {exc}"
        else:
            return False  # KeyboardInterrupt, SystemExit: not ours to swallow
        self.context.probes.append(ProbeRecord(self.name, status, detail, ms))
        return True
