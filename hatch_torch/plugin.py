"""The public surface for detector plugins: the hook marker and the types hooks receive and return.

Example (an entry point ``[project.entry-points.hatch_torch] mynpu = "mynpu_plugin"``)::

    from hatch_torch.plugin import BackendSpec, Device, ProbeContext, hookimpl

    @hookimpl
    def hatch_torch_probe(context: ProbeContext) -> None:
        with context.probe("mynpu.sysfs") as say:
            ...
"""

from __future__ import annotations

from hatch_torch.detection.probe import Device, ProbeContext, ProbeFailure, ProbeRecord
from hatch_torch.plugins.spec import BackendSpec, hookimpl

__all__ = ["BackendSpec", "Device", "ProbeContext", "ProbeFailure", "ProbeRecord", "hookimpl"]
