"""Whether a backend's torch release has kernels for a GPU, and how wide a range of GPUs it serves.

CUDA: SASS for the GPU's architecture (a cubin for sm_XY runs on X.Z with Z >= Y) or PTX JIT on a new
enough driver; ROCm: the gfx list of the index; other kinds: plugins (``hatch_torch_supports``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from packaging.version import InvalidVersion, Version

from hatch_torch.data.model import ReleaseData
from hatch_torch.detection.probe import Device, ProbeContext
from hatch_torch.detection.rows import Index, Rows, cc_tuple

#: plugin answer for (backend, kind, device, torch, platform): True/False, or None = no opinion
Supports = Callable[..., tuple[bool | None, str]]

#: Every compute capability of an NVIDIA GPU since Maxwell (the values of the name tables,
#: tests/detection/test_names.py keeps them equal): the range "widest" is measured over.
CUDA_ARCHS = (
    *("5.0", "5.2", "5.3"),  # Maxwell
    *("6.0", "6.1", "6.2"),  # Pascal
    *("7.0", "7.2", "7.5"),  # Volta, Turing
    *("8.0", "8.6", "8.7", "8.9"),  # Ampere, Ada
    *("9.0", "10.0", "10.3", "11.0", "12.0", "12.1"),  # Hopper, Blackwell
)


@lru_cache(maxsize=256)
def parsed(text: str) -> Version:
    """``Version(text)`` for the data's driver floors (memoised; a bad one raises, as before)."""
    return Version(text)


@lru_cache(maxsize=256)
def version(text: str) -> Version | None:
    """``Version(text)``, None if it is not one (memoised: driver floors and versions repeat)."""
    try:
        return Version(text)
    except InvalidVersion:
        return None


class Kernels:
    def __init__(self, ctx: ProbeContext, data: ReleaseData, index: Index, supports: Supports, os_key: str) -> None:
        self.ctx, self.data, self.index, self.supports, self.os_key = ctx, data, index, supports, os_key

    def plugin(self, backend: str, kind: str, device: Device, release: Version) -> tuple[bool | None, str]:
        return self.supports(backend=backend, kind=kind, device=device, torch=str(release), platform=self.ctx.platform)

    def serves(self, backend: str, kind: str, device: Device, release: Version) -> tuple[bool, str]:
        answer, plugin = self.plugin(backend, kind, device, release)
        if answer is not None:
            return answer, f"plugin {plugin} says so"
        if not device.arch:
            return True, "architecture unknown: assumed supported"
        if kind == "cuda":
            return self._cuda(backend, device.arch, release)
        if kind == "rocm":
            gfx = self.data.backends[backend].get("gfx")
            if gfx is None:
                return True, "no gfx list known: assumed supported"
            return device.arch in gfx, f"gfx list {' '.join(gfx)}"
        return True, "no kernel list for this kind: assumed supported"

    def coverage(self, backend: str, kind: str, release: Version) -> tuple[int, str]:
        """How many known architectures the release has kernels for, and which (for the reasons)."""
        if kind == "cuda":
            served = [cc for cc in CUDA_ARCHS if self._cuda(backend, cc, release)[0]]
            span = f"sm_{served[0].replace('.', '')} to sm_{served[-1].replace('.', '')}" if served else "none"
            return len(served), f"{len(served)} of {len(CUDA_ARCHS)} NVIDIA architectures since Maxwell: {span}"
        gfx = self.data.backends[backend].get("gfx") or []
        return len(gfx), f"{len(gfx)} gfx targets"

    def _rows(self, backend: str, release: Version, platform: str) -> list[Rows]:
        return [r for r in self.index.rows(backend, platform) if r.covers(release)]

    def _cuda(self, backend: str, arch: str, release: Version) -> tuple[bool, str]:
        rows = self._rows(backend, release, self.ctx.platform) or self._rows(backend, release, "linux_x86_64")
        if not rows:
            return True, "no sm list known: assumed supported"
        row = rows[-1]
        cc = cc_tuple(arch)
        # SASS runs on the same major with an equal or higher minor
        if any(s[0] == cc[0] and s[1] <= cc[1] for s in row.sm):
            return True, "SASS"
        ptx = row.ptx
        if ptx and cc_tuple(ptx) <= cc:
            if self._ptx_jit_ok(backend):
                return True, f"PTX {ptx} JIT"
            return False, f"PTX {ptx} needs a driver that supports CUDA {self.data.backends[backend].get('cuda')}"
        return False, f"sm list {row.listed}"

    def _ptx_jit_ok(self, backend: str) -> bool:
        info = self.data.backends[backend]
        floor = info.get("toolkit_driver", {}).get(self.os_key)
        driver = version(self.ctx.versions.get("nvidia_driver", ""))
        if floor and driver is not None:
            return driver >= parsed(floor)
        cuda = self.ctx.versions.get("cuda_driver", "")
        if cuda and info.get("cuda"):
            return cc_tuple(cuda) >= cc_tuple(info["cuda"])
        return True
