"""Accelerator detection: probe the machine through the plugins, then choose the backend.

``detect()`` is what ``auto`` means for the hook, ``pins`` and ``hatch-torch detect``. Probing is
cached per process (keyed by root, platform and environment), so a build probes once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from functools import cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from hatch_torch.data import model as _model
from hatch_torch.detection.probe import Device, ProbeContext, ProbeRecord, as_dict, isdir
from hatch_torch.detection.rows import ANY
from hatch_torch.detection.vendors import BUILTINS
from hatch_torch.plugins import manager as _manager
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

    def __init__(
        self,
        backend: str,
        reasons: list[str] | None = None,
        platform: str = "",
        torch: str = "",
        release: str | None = None,
        devices: list[Device] | None = None,
        versions: dict[str, str] | None = None,
        probes: list[ProbeRecord] | None = None,
        rejected: dict[str, str] | None = None,
        plugins: dict[str, Any] | None = None,
    ) -> None:
        self.backend, self.platform, self.torch, self.release = backend, platform, torch, release
        self.reasons = [] if reasons is None else reasons
        self.devices = [] if devices is None else devices
        self.versions = {} if versions is None else versions
        self.probes = [] if probes is None else probes
        self.rejected = {} if rejected is None else rejected
        self.plugins = {} if plugins is None else plugins
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
    env = os.environ if environ is None else environ
    spec = _specifier(torch or "") if torch is None or isinstance(torch, str) else torch
    if platform is not None and platform not in _platforms():
        raise ConfigurationError([f"platform {platform!r} is not known. Fix: use one of {', '.join(_platforms())}."])
    plat = platform or current_platform()
    if root is not None and not isdir(os.fspath(root)):
        raise ConfigurationError(
            [
                f"root {str(root)!r} is not a directory. Fix: point --root at the directory that holds the "
                "simulated machine's sys/ and proc/ trees, or leave it out to probe this machine."
            ]
        )
    plugins = _plugins(env)
    ctx = _probe(str(root or "/"), plat, tuple(sorted(env.items())), plugins)
    data = _model.load()
    _satisfiable(spec, data)
    chooser, choice, summary = _chosen(ctx, spec, data, plugins)
    errors = [f"{name}: {error}" for name, error in plugins.errors] if plugins.errors else []
    result = Detection(
        choice.backend,
        [*summary, *(f"plugin {e}" for e in errors), *ctx.notes, *choice.reasons],
        plat,
        str(spec),
        choice.release,
        [clone(d) for d in ctx.devices],  # copies: the caller may change them, the probe cache holds ctx
        dict(ctx.versions),
        list(ctx.probes),
        dict(choice.rejected),
        {"blocked": list(plugins.blocked), "errors": errors},
    )
    result._report = chooser.gpus
    if strict if strict is not None else env.get(STRICT_ENV, "").strip().lower() in _TRUE:
        _enforce(result)
    return result


_DEVICE = attrgetter(*Device._fields)  # a device's field values, for the key of a choice
#: (root, platform, environment) -> what the probes found there (until clear_cache())
_PROBED: dict[tuple[str, str, tuple[tuple[str, str], ...]], ProbeContext] = {}
#: (what the choice depends on) -> (release data, plugins, chooser, choice, summary of what was found)
_CHOICES: dict[tuple[Any, ...], tuple[ReleaseData, Plugins, Chooser, Choice, list[str]]] = {}


def _chosen(ctx: ProbeContext, spec: Spec, data: ReleaseData, plugins: Plugins) -> tuple[Chooser, Choice, list[str]]:
    """The choice for what the probes found, worked out once per process for the same findings, torch
    specifier, release data and plugins (a build asks again and again; a machine that changed finds
    something else, and is chosen for anew). Third-party plugins may answer ``hatch_torch_supports``
    differently from one call to the next, so with them every call chooses again."""
    failed = ctx.failures()
    key = (
        ctx.platform,
        spec,
        tuple(map(_DEVICE, ctx.devices)),
        tuple(ctx.versions.items()),
        tuple((p.probe, p.detail) for p in failed) if failed else (),
    )
    known = _CHOICES.get(key) if plugins.pm is None else None
    if known is not None and known[0] is data and known[1] is plugins:
        return known[2], known[3], known[4]
    from hatch_torch.detection.choose import Chooser, summary

    chooser = Chooser(ctx, spec, data, plugins.supports)
    choice = chooser.choose()
    found = summary(ctx)
    if plugins.pm is None:
        if len(_CHOICES) >= 32:
            _CHOICES.clear()
        _CHOICES[key] = (data, plugins, chooser, choice, found)
    return chooser, choice, found


@cache
def _platforms() -> dict[str, tuple[str, str]]:
    """The platform keys (imported only to check a platform given: detecting this one needs no table)."""
    from hatch_torch.pins.platforms import PLATFORMS

    return PLATFORMS


def _specifier(text: str) -> Spec:
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
    if data.versions and (not spec or any(spec.contains(v, True) for v in data.versions)):
        return  # an empty specifier (ANY, or SpecifierSet("")) is satisfied by every release
    known = f"{data.versions[-1]} … {data.versions[0]}" if data.versions else "none"
    raise ConfigurationError(
        [
            f"torch specifier {str(spec)!r} matches no torch release (known: {known}), so no backend, cpu "
            "included, can be pinned. Fix: widen the torch specifier, or run 'hatch-torch data update' if the "
            "release is newer than the bundled data."
        ]
    )


def _plugins(environ: Mapping[str, str]) -> Plugins:
    return _manager.current(environ).with_builtins(BUILTINS)


def clear_cache() -> None:
    """Forget probe results (the machine changed, or a test presents another one)."""
    _PROBED.clear()  # choices are kept: they are keyed by what the probes find


def _probe(
    root: str, plat: str, env_items: tuple[tuple[str, str], ...], plugins: Plugins | None = None
) -> ProbeContext:
    """What the probes found (cached until :func:`clear_cache`; shared: not to be changed)."""
    key = (root, plat, env_items)
    cached = _PROBED.get(key)
    if cached is None:
        environ = dict(env_items)
        cached = ProbeContext(root, environ, plat)
        (plugins or _plugins(environ)).probe(cached)
        if len(_PROBED) >= 16:
            _PROBED.clear()
        _PROBED[key] = cached
    return cached


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
