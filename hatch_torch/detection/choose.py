"""Pick a backend from what detection found, the torch specifier and the release data.

For each device kind (cuda, then rocm, then xpu, then plugin kinds by priority), backends are tried
newest first. A backend is taken when (1) the driver meets its floor, (2) the torch release it would
pin (the newest satisfying the specifier that the index publishes for this platform) has kernels for
every visible GPU of that kind, and (3) such a release exists. Nothing fits: cpu.
"""

from __future__ import annotations

from typing import Any

from packaging.version import Version

from hatch_torch.data.model import ReleaseData
from hatch_torch.detection.kernels import Kernels, Supports, parsed, version
from hatch_torch.detection.probe import Device, ProbeContext
from hatch_torch.detection.rows import Release, Spec, cc_tuple, index
from hatch_torch.util.record import Record, field

PRIORITY = {"cuda": 10, "rocm": 20, "xpu": 30}
VENDOR = {"cuda": "NVIDIA", "rocm": "AMD", "xpu": "Intel"}


class Choice(Record):
    backend: str
    release: str | None = None
    reasons: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)


class Chooser:
    def __init__(self, ctx: ProbeContext, spec: Spec, data: ReleaseData, supports: Supports) -> None:
        self.ctx, self.spec, self.data, self.supports = ctx, spec, data, supports
        self.index = index(data)
        wsl = ctx.versions.get("wsl") == "1"
        self.os_key = "windows" if ctx.os == "win" or wsl else "linux"
        self.kernels = Kernels(ctx, data, self.index, supports, self.os_key)

    def choose(self) -> Choice:
        ctx = self.ctx
        choice = Choice("cpu")
        for d in ctx.devices:
            if not d.kind:
                choice.reasons.append(f"ignored {_describe(d)}: {d.note or 'no PyTorch backend for it'}")
        if ctx.os == "macos":
            choice.reasons.append("macOS: the default wheels (CPU and MPS) are the cpu choice")
            return choice
        kinds = sorted({d.kind for d in ctx.devices if d.kind}, key=self._priority)
        if len(kinds) > 1:
            choice.reasons.append(
                "GPUs of several vendors: the first kind in the order cuda, rocm, xpu, plugin kinds "
                f"that has a fitting backend wins ({', '.join(kinds)} found)"
            )
        for kind in kinds:
            devices = [d for d in ctx.devices if d.kind == kind]
            picked = self._pick(kind, devices, choice)
            if picked is None:
                # GPUs no backend of this kind serves at all (an APU, a Kepler card) do not block the rest
                served = [d for d in devices if self._ever_supported(kind, d)]
                if served and len(served) < len(devices):
                    for d in devices:
                        if d not in served:
                            choice.reasons.append(f"left out {_describe(d)}: no {kind} backend has kernels for it")
                    picked = self._pick(kind, served, choice)
            if picked is not None:
                choice.backend, choice.release = picked
                return choice
        if not ctx.devices:
            choice.reasons.append("no accelerator found: cpu")
        elif kinds:
            choice.reasons.append("no backend fits the GPUs found, the driver and the torch specifier: cpu")
        else:
            choice.reasons.append("no GPU that a PyTorch backend serves: cpu")
        return choice

    def _priority(self, kind: str) -> tuple[int, str]:
        return PRIORITY.get(kind, self.index.priorities.get(kind, 50)), kind

    def _candidates(self, kind: str) -> list[str]:
        return self.index.kinds.get(kind, [])

    def _pick(self, kind: str, devices: list[Device], choice: Choice) -> tuple[str, str] | None:
        """Each backend is judged at the release ``pins`` would take for it; among those that fit, the
        newest torch release wins, then (a GPU's architecture unknown) the widest range of GPUs served,
        then the newest backend."""
        candidates = self._candidates(kind)
        if not candidates:
            choice.reasons.append(f"no {kind} backend in the release data for {len(devices)} device(s)")
        unknown = [d for d in devices if self._unknown(kind, d)]
        # the newest release any backend could give: the first (newest) backend fitting at it wins outright
        tops = [r.version for r in map(self.release_for, candidates) if r is not None and not r.unofficial]
        top = max(tops, default=None)
        fits: list[tuple[Version, int, int, str, str]] = []
        for order, backend in zip(range(len(candidates), 0, -1), candidates, strict=False):
            release, why = self._check(backend, kind, devices)
            if release is None:
                choice.rejected[backend] = why
                continue
            width = self.kernels.coverage(backend, kind, release)[0] if unknown else 0
            fits.append((release, width, order, backend, why))
            if release == top and not unknown:
                break
        if not fits:
            return None
        release, width, _, backend, why = max(fits)
        for other_release, other_width, _, other, _ in fits:
            if other == backend:
                continue
            if other_release == release and unknown:
                narrower = f"has kernels for fewer GPU architectures ({other_width} against {width})"
                choice.rejected[other] = f"fits, but torch {other_release}+{other} {narrower}"
            else:
                choice.rejected[other] = f"fits, but torch {other_release}+{other} is older or the backend older"
        fix = " Set HATCH_TORCH_CUDA_ARCH to choose for it exactly." if kind == "cuda" else ""
        for d in unknown:
            choice.reasons.append(
                f"{'compute capability' if kind == 'cuda' else 'architecture'} of {_describe(d)} unknown"
                f" ({d.note or 'not reported'}): not taken as fitting every backend; {backend} was chosen because "
                f"torch {release}+{backend} has kernels for the widest range "
                f"({self.kernels.coverage(backend, kind, release)[1]}).{fix}"
            )
        span = ", ".join(sorted({d.arch or "unknown" for d in devices}))
        choice.reasons.append(
            f"chose {backend}: torch {release}+{backend} is the newest torch {self.spec or '(any)'} for "
            f"{self.ctx.platform} with kernels for every {VENDOR.get(kind, kind)} GPU ({span}), {why}"
        )
        return backend, str(release)

    def _unknown(self, kind: str, device: Device) -> bool:
        """No architecture and no plugin to say: the choice cannot check kernels for it."""
        if device.arch or kind not in ("cuda", "rocm"):
            return False
        return not any(
            self.kernels.plugin(b, kind, device, r.version)[0] is not None
            for b in self._candidates(kind)[:1]
            if (r := self.release_for(b)) is not None
        )

    def release_for(self, backend: str) -> Release | None:
        """The release ``pins`` would take: newest on the index for this platform satisfying the specifier."""
        return self.index.release_for(backend, self.spec, self.ctx.platform)

    def _check(self, backend: str, kind: str, devices: list[Device]) -> tuple[Version | None, str]:
        """(release, why it fits) or (None, why not)."""
        rel = self.release_for(backend)
        if rel is None:
            return None, f"publishes no torch {self.spec or '(any)'} for {self.ctx.platform}"
        release = rel.version
        if rel.unofficial:
            return None, f"torch {release}+{backend} is an unofficial Linux-only extra build; not chosen by auto"
        ok, driver_why = self._driver_ok(backend)
        if not ok:
            return None, driver_why
        for d in devices:
            supported, why = self.kernels.serves(backend, kind, d, release)
            if not supported:
                return None, f"torch {release}+{backend} has no kernels for {_describe(d)} ({why})"
        return release, driver_why

    def _driver_ok(self, backend: str) -> tuple[bool, str]:
        info = self.data.backends[backend]
        floor = info.get("driver", {}).get(self.os_key)
        if not floor:
            kind = info.get("kind")
            return True, "the ROCm runtime ships in the wheels" if kind == "rocm" else f"no driver floor for {kind}"
        raw = self.ctx.versions.get("nvidia_driver", "")
        driver = version(raw)
        if driver is not None:
            if driver >= parsed(floor):
                return True, f"driver {raw} meets its floor {floor}"
            return False, f"needs driver >= {floor} ({self.os_key}), found {raw}"
        cuda = self.ctx.versions.get("cuda_driver", "")
        if cuda and info.get("cuda"):
            if cc_tuple(info["cuda"])[0] <= cc_tuple(cuda)[0]:
                return True, f"CUDA {info['cuda']} runs on a driver for CUDA {cuda}"
            return False, f"needs CUDA {info['cuda']}, the driver supports CUDA {cuda}"
        return True, "(driver version unknown: assumed to meet the floor)"

    def _ever_supported(self, kind: str, device: Device) -> bool:
        for backend in self._candidates(kind):
            for rel in self.index.releases(backend):
                on_platform = self.ctx.platform in rel.platforms
                if on_platform and self.kernels.serves(backend, kind, device, rel.version)[0]:
                    return True
        return False

    def served_by(self, device: Device) -> list[str]:
        """The backends whose torch release (the one ``pins`` would take) has kernels for ``device``;
        [] when its architecture is unknown (nothing can be checked)."""
        if not device.kind or self._unknown(device.kind, device):
            return []
        out = []
        for backend in self._candidates(device.kind):
            rel = self.release_for(backend)
            if (
                rel is not None
                and not rel.unofficial
                and self.kernels.serves(backend, device.kind, device, rel.version)[0]
            ):
                out.append(backend)
        return out

    def gpus(self) -> list[dict[str, Any]]:
        """Per GPU, for ``detect --json``: what it is, where its architecture came from, who serves it."""
        return [
            {
                "name": d.name,
                "vendor": d.vendor,
                "kind": d.kind,
                "architecture": d.arch,
                "architecture_source": d.arch_source if d.arch else "unknown",
                "pci_id": d.pci_id,
                "backends": self.served_by(d),
                "note": d.note,
            }
            for d in self.ctx.devices
        ]


def summary(ctx: ProbeContext) -> list[str]:
    """What the probes found, for the reasons: devices per vendor, versions, failed probes."""
    lines = []
    for vendor in dict.fromkeys(d.vendor for d in ctx.devices):
        devices = ctx.of(vendor)
        lines.append(f"found {len(devices)} {vendor} device(s): " + "; ".join(_describe(d) for d in devices))
    versions = ", ".join(f"{k} {v}" for k, v in ctx.versions.items() if k != "wsl")
    if versions:
        lines.append(f"versions: {versions}" + (" (WSL)" if ctx.versions.get("wsl") else ""))
    for p in ctx.failures():
        lines.append(f"probe {p.probe} failed: {p.detail}")
    return lines


def _describe(d: Device) -> str:
    arch = f"sm_{d.arch.replace('.', '')}" if d.kind == "cuda" and d.arch else d.arch
    bits = [d.name or d.vendor, arch, d.pci_id]
    return " ".join(b for b in bits if b)
