"""Every hook a hatch-torch plugin can implement (project name ``hatch_torch``).

Plugins are found through the entry-point group ``hatch_torch``; the built-in detectors in
:mod:`hatch_torch.detection.vendors` are ordinary plugins registered the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pluggy

from hatch_torch.plugins.marker import PROJECT, hookimpl
from hatch_torch.util.record import Record, field

if TYPE_CHECKING:
    from hatch_torch.detection.probe import Device, ProbeContext

__all__ = ["PROJECT", "BackendSpec", "hookimpl", "hookspec"]
hookspec = pluggy.HookspecMarker(PROJECT)


class BackendSpec(Record, frozen=True):
    """A backend a plugin adds.

    ``releases`` maps a torch version to {platform key: local label}; ``""`` means the wheel carries
    no label. ``packages`` are the torch-family packages the index has for those releases (same labels).
    ``priority`` orders device kinds when several vendors are present (lower first; cuda=10, rocm=20, xpu=30).
    """

    name: str
    kind: str
    index_url: str
    releases: Mapping[str, Mapping[str, str]]
    packages: tuple[str, ...] = ("torch",)
    priority: int = 50
    extra: Mapping[str, object] = field(default_factory=dict)


@hookspec
def hatch_torch_probe(context: ProbeContext) -> None:
    """Look for accelerators and add what is found to ``context``.

    Append :class:`~hatch_torch.plugin.Device` objects to ``context.devices``, versions to
    ``context.versions`` and wrap each probe in ``with context.probe("name") as say:`` so the result
    says what was tried. An exception escaping an implementation is recorded as a failed probe of
    that plugin; it never stops detection.
    """


@hookspec
def hatch_torch_backends() -> list[BackendSpec] | None:
    """Backends this plugin adds: a name, a kind, an index URL and the torch releases it has."""


@hookspec(firstresult=True)
def hatch_torch_supports(backend: str, kind: str, device: Device, torch: str, platform: str) -> bool | None:
    """Whether ``backend``'s build of torch ``torch`` for ``platform`` has kernels for ``device``.

    Stops at the first non-None result; None means "not mine to say". Built-in rules answer for
    cuda and rocm backends; a device of a kind nobody answers for is taken as supported.
    """


@hookspec
def hatch_torch_family() -> Mapping[str, Mapping[str, object]] | None:
    """Packages this plugin adds to the torch family: name -> entry shaped like a member of
    ``hatch_torch/data/family.json`` (``where``, ``label``, ``kinds``, ``releases``...). A name the bundled
    data already has is not replaced."""
