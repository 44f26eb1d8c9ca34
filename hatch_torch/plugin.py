"""The public surface for detector plugins: the hook marker and the types hooks receive and return.

Example (an entry point ``[project.entry-points.hatch_torch] mynpu = "mynpu_plugin"``)::

    from hatch_torch.plugin import BackendSpec, Device, ProbeContext, hookimpl

    @hookimpl
    def hatch_torch_probe(context: ProbeContext) -> None:
        with context.probe("mynpu.sysfs") as say:
            ...
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hatch_torch._hookspecs import hookimpl
from hatch_torch._probe import Device, ProbeContext, ProbeFailure, ProbeRecord

__all__ = ["BackendSpec", "Device", "ProbeContext", "ProbeFailure", "ProbeRecord", "hookimpl"]


@dataclass(frozen=True)
class BackendSpec:
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
