"""NVML through NVIDIA's ``nvidia-ml-py`` binding (module ``pynvml``), loaded from a path we choose.

We open the library ourselves (so a fake root, WSL and ``HATCH_TORCH_NVML_LIBRARY`` work) and hand it
to pynvml; pynvml is imported only when a library loads, and its global state is reset afterwards.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
from dataclasses import dataclass, field
from typing import Any

from hatch_torch.detection.probe import ProbeContext, ProbeFailure

LIBRARY_ENV = "HATCH_TORCH_NVML_LIBRARY"
_LINUX_DIRS = (
    "/usr/lib/wsl/lib",
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
)
_lock = threading.Lock()


@dataclass
class GPU:
    index: int
    name: str = ""
    uuid: str = ""
    cc: str = ""
    error: str = ""


@dataclass
class Answer:
    library: str
    driver: str = ""
    cuda: str = ""
    gpus: list[GPU] = field(default_factory=list)


def candidates(context: ProbeContext) -> list[str]:
    """Library paths to try, in order."""
    if explicit := context.environ.get(LIBRARY_ENV, "").strip():
        return [explicit]
    if context.os == "win":
        windir = context.environ.get("WINDIR", "C:/Windows")
        progs = context.environ.get("ProgramFiles", "C:/Program Files")
        return [f"{windir}/System32/nvml.dll", f"{progs}/NVIDIA Corporation/NVSMI/nvml.dll"]
    if context.os != "linux":
        return []
    under_root = [context.fs(f"{d}/libnvidia-ml.so.1") for d in _LINUX_DIRS]
    if context.fs("/") == "/":
        # the system loader first (ldconfig cache), then WSL's location, which is not on its path
        return ["libnvidia-ml.so.1", under_root[0]]
    return under_root


def _open(paths: list[str]) -> tuple[str, ctypes.CDLL] | None:
    for path in paths:
        if ("/" in path or "\\" in path) and not os.path.exists(path):
            continue
        try:
            return path, ctypes.CDLL(path)
        except OSError:
            continue
    return None


def query(context: ProbeContext) -> Answer | None:
    """Driver, CUDA driver version and GPUs from NVML; None when no library is present."""
    opened = _open(candidates(context))
    if opened is None:
        return None
    path, lib = opened
    import pynvml  # type: ignore[import-untyped]

    with _lock:
        _reset(pynvml)
        pynvml.nvmlLib = lib
        try:
            return _ask(pynvml, path)
        except pynvml.NVMLError as exc:
            raise ProbeFailure(f"NVML ({path}): {exc}") from exc
        finally:
            with contextlib.suppress(Exception):
                pynvml.nvmlShutdown()
            _reset(pynvml)


def _ask(nv: Any, path: str) -> Answer:
    nv.nvmlInit()
    answer = Answer(path, driver=_text(nv.nvmlSystemGetDriverVersion()))
    try:
        version = nv.nvmlSystemGetCudaDriverVersion_v2()
    except nv.NVMLError:
        version = nv.nvmlSystemGetCudaDriverVersion()
    answer.cuda = f"{version // 1000}.{version % 1000 // 10}"
    for i in range(nv.nvmlDeviceGetCount()):
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
    return value.decode() if isinstance(value, bytes) else str(value)


def _reset(nv: Any) -> None:
    nv.nvmlLib = None
    nv._nvmlGetFunctionPointer_cache.clear()
    nv._nvmlLib_refcount = 0
