"""Every hook a hatch-torch plugin can implement (project name ``hatch_torch``).

Plugins are found through the entry-point group ``hatch_torch``; the built-in detectors in
:mod:`hatch_torch.detectors` are ordinary plugins registered the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from hatch_torch._probe import Device, ProbeContext
    from hatch_torch.plugin import BackendSpec

PROJECT = "hatch_torch"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


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
