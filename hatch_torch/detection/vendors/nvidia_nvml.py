"""NVML through NVIDIA's ``nvidia-ml-py`` binding (module ``pynvml``), loaded from a path we choose.

NVML is native code that can hang (``nvmlInit`` waiting on a wedged driver) or crash, so it runs in a
child process (:mod:`hatch_torch.util.isolate`) with the tool timeout as its deadline: a hang or a crash
is a failed probe, a hang is remembered like a hanging tool. On Linux it runs only when an NVIDIA kernel
driver is present (``/proc/driver/nvidia``, ``/sys/module/nvidia``, WSL's ``/dev/dxg``), so a machine
without one starts no child. The library is found by absolute paths only (``$LD_LIBRARY_PATH``'s absolute
entries, the ``/etc/ld.so.conf`` directories, the usual library dirs), never in the current directory.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import stat
from functools import lru_cache
from typing import Any

from hatch_torch.detection import hung as _hung
from hatch_torch.detection.probe import ProbeContext, ProbeFailure
from hatch_torch.util.record import Record, as_dict, field

LIBRARY_ENV = "HATCH_TORCH_NVML_LIBRARY"
_NAME = "libnvidia-ml.so.1"
_LINUX_DIRS = (
    "/usr/lib/wsl/lib",
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
)
_DRIVER_DIRS = ("/proc/driver/nvidia", "/sys/module/nvidia")
MAX_GPUS = 256  # a library claiming more is not asked about the rest


class GPU(Record):
    index: int
    name: str = ""
    uuid: str = ""
    cc: str = ""
    error: str = ""


class Answer(Record):
    library: str
    driver: str = ""
    cuda: str = ""
    gpus: list[GPU] = field(default_factory=list)


def no_driver(context: ProbeContext) -> str:
    """Why NVML need not be tried (no NVIDIA kernel driver on this Linux machine), or '' to try it."""
    if context.environ.get(LIBRARY_ENV, "").strip() or context.os != "linux":
        return ""
    if context.isdir(_DRIVER_DIRS[0]) or context.isdir(_DRIVER_DIRS[1]):
        return ""
    if context.versions.get("wsl") and (context.exists("/dev/dxg") or context.isdir("/usr/lib/wsl/lib")):
        return ""
    return "no NVIDIA kernel driver (no /proc/driver/nvidia, no /sys/module/nvidia): NVML not loaded"


def candidates(context: ProbeContext) -> list[str]:
    """Library paths to try, in order; all absolute."""
    if explicit := context.environ.get(LIBRARY_ENV, "").strip():
        if not _isabs(context, explicit):
            raise ProbeFailure(f"{LIBRARY_ENV}={explicit!r} is not an absolute path (write the library's full path)")
        return [explicit]
    if context.os == "win":
        windir = context.environ.get("WINDIR", "C:/Windows")
        progs = context.environ.get("ProgramFiles", "C:/Program Files")
        paths = [f"{windir}/System32/nvml.dll", f"{progs}/NVIDIA Corporation/NVSMI/nvml.dll"]
        return [p for p in paths if _isabs(context, p)]  # a relative WINDIR would mean the current directory
    if context.os != "linux":
        return []
    search = [d for d in context.environ.get("LD_LIBRARY_PATH", "").split(":") if d.startswith("/")]
    return list(_paths(context.fs(""), (*search, *_ld_conf(context, "/etc/ld.so.conf", 0), *_LINUX_DIRS)))


@lru_cache(maxsize=64)
def _paths(prefix: str, dirs: tuple[str, ...]) -> tuple[str, ...]:
    """The library's path in each directory (once each), under ``prefix``: the same few every time."""
    return tuple(f"{prefix}{d.rstrip('/')}/{_NAME}" for d in dict.fromkeys(dirs))


def _isabs(context: ProbeContext, path: str) -> bool:
    if context.os != "win":
        return posixpath.isabs(path)
    import ntpath  # only for a Windows machine: on Linux its import would be spent for nothing

    return ntpath.isabs(path)


def _ld_conf(context: ProbeContext, path: str, depth: int) -> list[str]:
    """Absolute directories an ld.so.conf lists, following ``include`` (a few levels, a few dozen files)."""
    if not context.exists(path):  # unreadable counts as absent: a missing one costs no exception
        return []
    try:
        text = context.read(path) or ""
    except ProbeFailure:
        return []
    dirs: list[str] = []
    prefix = context.fs("")
    for raw in text.splitlines():
        line = raw.partition("#")[0].strip()
        if line.startswith("include") and depth < 3:
            import glob

            pattern = posixpath.join(posixpath.dirname(path), line.removeprefix("include").strip())
            for found in sorted(glob.glob(context.fs(pattern)))[:64]:  # relative: to the including file
                dirs += _ld_conf(context, found[len(prefix) :], depth + 1)
        elif line.startswith("/"):
            dirs.append(line)
    return dirs


def _library(paths: list[str]) -> str | None:
    for path in paths:
        if not os.access(path, os.F_OK):  # the usual answer, without raising and catching an error
            continue
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.stat(path).st_mode):  # a FIFO or a device would block the loader
                return path
    return None


def query(context: ProbeContext, paths: list[str] | None = None) -> Answer | None:
    """Driver, CUDA driver version and GPUs from NVML (the first library of ``paths``, default
    :func:`candidates`, that exists); None when no library is present."""
    path = _library(candidates(context) if paths is None else paths)
    if path is None:
        return None
    from hatch_torch.util import isolate  # only with a library to load: a child process to run it in

    timeout = context.timeout()
    if _hung.recently(path):
        raise ProbeFailure(f"NVML ({path}) hung earlier (timeout {timeout:g}s); not loaded again for now")
    if isolate.can_fork():
        import pynvml  # type: ignore[import-untyped]  # noqa: F401  # once here, not in every forked child
    try:
        answer = isolate.call(f"{__name__}:child", path, timeout)
    except isolate.Hung as exc:
        _hung.remember(path)
        raise ProbeFailure(f"NVML ({path}) {exc}: killed") from exc
    except isolate.Failed as exc:
        raise ProbeFailure(f"NVML ({path}) {exc}") from exc
    if "error" in answer:
        raise ProbeFailure(f"NVML ({path}): {answer['error']}")
    return Answer(path, answer["driver"], answer["cuda"], [GPU(**g) for g in answer["gpus"]])


def child(path: str) -> dict[str, Any]:
    """In the child process: load ``path``, ask NVML through pynvml, shut it down."""
    import ctypes

    import pynvml

    try:
        lib = ctypes.CDLL(path)
    except OSError as exc:
        return {"error": f"cannot load the library: {exc}"}
    _reset(pynvml)  # a fork copies whatever state the parent left in the module
    pynvml.nvmlLib = lib
    try:
        return as_dict(_ask(pynvml, path))
    except pynvml.NVMLError as exc:
        return {"error": str(exc)}
    finally:
        with contextlib.suppress(Exception):
            pynvml.nvmlShutdown()


def _ask(nv: Any, path: str) -> Answer:
    nv.nvmlInit()
    answer = Answer(path, driver=_text(nv.nvmlSystemGetDriverVersion()))
    try:
        version = nv.nvmlSystemGetCudaDriverVersion_v2()
    except nv.NVMLError:
        version = nv.nvmlSystemGetCudaDriverVersion()
    answer.cuda = f"{version // 1000}.{version % 1000 // 10}"
    for i in range(min(nv.nvmlDeviceGetCount(), MAX_GPUS)):
        gpu = GPU(i)
        try:
            handle = nv.nvmlDeviceGetHandleByIndex(i)
            gpu.name = _text(nv.nvmlDeviceGetName(handle))
            with contextlib.suppress(nv.NVMLError):
                gpu.uuid = _text(nv.nvmlDeviceGetUUID(handle))
            major, minor = nv.nvmlDeviceGetCudaComputeCapability(handle)
            gpu.cc = f"{major}.{minor}"
        except nv.NVMLError as exc:
            gpu.error = str(exc)
        answer.gpus.append(gpu)
    return answer


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _reset(nv: Any) -> None:
    nv.nvmlLib = None
    nv._nvmlGetFunctionPointer_cache.clear()
    nv._nvmlLib_refcount = 0
