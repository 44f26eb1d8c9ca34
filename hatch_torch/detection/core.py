"""Accelerator detection: probe the machine through the plugins, then choose the backend.

``detect()`` is what ``auto`` means for the hook, ``pins`` and ``hatch-torch detect``. Probing is
cached per process (keyed by root, platform and environment), so a build probes once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from hatch_torch.detection.probe import Device, ProbeContext, ProbeRecord, as_dict
from hatch_torch.util.errors import ConfigurationError, HatchTorchError
from hatch_torch.util.record import Record, clone, field

if TYPE_CHECKING:
    from pathlib import Path

    from packaging.specifiers import SpecifierSet

    from hatch_torch.data.model import ReleaseData
    from hatch_torch.detection.choose import Choice, Chooser
    from hatch_torch.detection.rows import Spec
    from hatch_torch.plugins.manager import Plugins

#: Make detection failures fatal (for CI that must not silently publish cpu wheels).
STRICT_ENV = "HATCH_TORCH_STRICT_DETECTION"
_TRUE = ("1", "true", "yes", "on")


class DetectionError(HatchTorchError):
    """Strict detection found a failed probe or no accelerator."""


class Detection(Record):
    """What detection found and the backend it chose, with the reasons."""

    backend: str
    reasons: list[str] = field(default_factory=list)
    platform: str = ""
    torch: str = ""
    release: str | None = None
    devices: list[Device] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    probes: list[ProbeRecord] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    plugins: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._report: Callable[[], list[dict[str, Any]]] = list
        self._gpus: list[dict[str, Any]] | None = None

    @property
    def gpus(self) -> list[dict[str, Any]]:
        """Per GPU: name, vendor, kind, architecture (and where it came from), PCI ID, the backends that
        serve it. Worked out on first use: a build that only needs the backend does not pay for it."""
        if self._gpus is None:
            self._gpus = self._report()
        return self._gpus

    def to_dict(self) -> dict[str, Any]:
        return {**as_dict(self), "gpus": self.gpus}

    def failures(self) -> list[ProbeRecord]:
        return [p for p in self.probes if p.status == "failed"]


def current_platform() -> str:
    """This interpreter's platform key (linux_x86_64, win_amd64, macos_arm64...)."""
    if hasattr(os, "uname"):
        machine = os.uname().machine.lower()  # what platform.machine() says on POSIX, without importing it
    else:
        import platform

        machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    if sys.platform.startswith("linux"):
        return f"linux_{machine}"
    if sys.platform == "darwin":
        return "macos_arm64" if machine == "aarch64" else f"macos_{machine}"
    if sys.platform == "win32":
        return "win_arm64" if machine == "aarch64" else "win_amd64"
    return f"{sys.platform}_{machine}"


def detect(
    torch: str | SpecifierSet | None = None,
    *,
    platform: str | None = None,
    root: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    strict: bool | None = None,
) -> Detection:
    """Choose the backend for this machine and the torch specifier being pinned.

    ``root`` and ``environ`` let tests and simulations present another machine (a fake sysfs/procfs
    tree, fake tools on ``PATH``). ``strict`` (default: ``$HATCH_TORCH_STRICT_DETECTION``) raises
    :class:`DetectionError` when a probe failed or nothing was found.
    """
    from hatch_torch.data.model import load

    env = os.environ if environ is None else environ
    spec = _specifier(torch or "") if torch is None or isinstance(torch, str) else torch
    if platform is not None and platform not in _platforms():
        raise ConfigurationError([f"platform {platform!r} is not known. Fix: use one of {', '.join(_platforms())}."])
    plat = platform or current_platform()
    if root is not None and not os.path.isdir(root):
        raise ConfigurationError(
            [
                f"root {str(root)!r} is not a directory. Fix: point --root at the directory that holds the "
                "simulated machine's sys/ and proc/ trees, or leave it out to probe this machine."
            ]
        )
    ctx = _probe(str(root or "/"), plat, tuple(sorted(env.items())))
    plugins = _plugins(env)
    data = load()
    _satisfiable(spec, data)
    chooser, choice, summary = _chosen(ctx, spec, data, plugins)
    found = summary + [f"plugin {name}: {error}" for name, error in plugins.errors]
    result = Detection(
        choice.backend,
        [*found, *ctx.notes, *choice.reasons],
        plat,
        str(spec),
        choice.release,
        ctx.devices,
        ctx.versions,
        ctx.probes,
        dict(choice.rejected),
        {"blocked": list(plugins.blocked), "errors": [f"{n}: {e}" for n, e in plugins.errors]},
    )
    result._report = chooser.gpus
    if strict if strict is not None else env.get(STRICT_ENV, "").strip().lower() in _TRUE:
        _enforce(result)
    return result


#: (what the choice depends on) -> (release data, plugins, chooser, choice, summary of what was found)
_CHOICES: dict[tuple[Any, ...], tuple[ReleaseData, Plugins, Chooser, Choice, list[str]]] = {}


def _chosen(ctx: ProbeContext, spec: Spec, data: ReleaseData, plugins: Plugins) -> tuple[Chooser, Choice, list[str]]:
    """The choice for what the probes found, worked out once per process for the same findings, torch
    specifier, release data and plugins (a build asks again and again; a machine that changed finds
    something else, and is chosen for anew). Third-party plugins may answer ``hatch_torch_supports``
    differently from one call to the next, so with them every call chooses again."""
    from hatch_torch.detection.choose import Chooser, summary

    key = (
        ctx.platform,
        spec,
        tuple(d._values() for d in ctx.devices),
        tuple(ctx.versions.items()),
        tuple((p.probe, p.detail) for p in ctx.probes if p.status == "failed"),
    )
    known = _CHOICES.get(key) if plugins.pm is None else None
    if known is not None and known[0] is data and known[1] is plugins:
        return known[2], known[3], known[4]
    chooser = Chooser(ctx, spec, data, plugins.supports)
    choice = chooser.choose()
    found = summary(ctx)
    if plugins.pm is None:
        if len(_CHOICES) >= 32:
            _CHOICES.clear()
        _CHOICES[key] = (data, plugins, chooser, choice, found)
    return chooser, choice, found


def _platforms() -> dict[str, tuple[str, str]]:
    """The platform keys (imported only to check a platform given: detecting this one needs no table)."""
    from hatch_torch.pins.platforms import PLATFORMS

    return PLATFORMS


def _specifier(text: str) -> Spec:
    from hatch_torch.detection.rows import ANY

    if not text.strip():
        return ANY
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(text)
    except InvalidSpecifier as exc:
        raise ConfigurationError(
            [f"torch specifier {text!r} is not valid ({exc}). Fix: write it like '>=2.6,<2.11'."]
        ) from None


def _satisfiable(spec: Spec, data: ReleaseData) -> None:
    """A specifier no release satisfies is the project's error, not a reason to fall back to cpu
    (no cpu build satisfies it either)."""
    if any(spec.contains(v, True) for v in data.versions):
        return
    known = f"{data.versions[-1]} … {data.versions[0]}" if data.versions else "none"
    raise ConfigurationError(
        [
            f"torch specifier {str(spec)!r} matches no torch release (known: {known}), so no backend, cpu "
            "included, can be pinned. Fix: widen the torch specifier, or run 'hatch-torch data update' if the "
            "release is newer than the bundled data."
        ]
    )


def _plugins(environ: Mapping[str, str]) -> Plugins:
    from hatch_torch.detection.vendors import BUILTINS
    from hatch_torch.plugins import manager

    return manager.current(environ).with_builtins(BUILTINS)


def clear_cache() -> None:
    """Forget probe results (the machine changed, or a test presents another one)."""
    _probe_cached.cache_clear()  # choices are kept: they are keyed by what the probes find


def _probe(root: str, plat: str, env_items: tuple[tuple[str, str], ...]) -> ProbeContext:
    """A copy of the cached probe result that callers may change."""
    cached = _probe_cached(root, plat, env_items)
    ctx = clone(cached)  # fields and the state __post_init__ worked out, without running it again
    ctx.devices = [clone(d) for d in cached.devices]
    ctx.versions = dict(cached.versions)
    ctx.probes = list(cached.probes)
    ctx.notes = list(cached.notes)
    ctx.settled = set(cached.settled)
    return ctx


@lru_cache(maxsize=16)
def _probe_cached(root: str, plat: str, env_items: tuple[tuple[str, str], ...]) -> ProbeContext:
    environ = dict(env_items)
    ctx = ProbeContext(root, environ, plat)
    _plugins(environ).probe(ctx)
    return ctx


def _enforce(result: Detection) -> None:
    problems = [f"probe {p.probe} failed: {p.detail}" for p in result.failures()]
    problems += result.plugins.get("errors", [])
    if result.backend == "cpu" and not result.platform.startswith("macos"):
        problems.append("no accelerator backend was chosen (cpu)")
    if problems:
        raise DetectionError(
            f"accelerator detection failed ({STRICT_ENV} / strict-detection is on): "
            + "; ".join(problems)
            + ". Fix: set TORCH_BACKEND to the backend to build for, or repair the probe."
        )
