"""The backend a build pins for: the requested one, checked, or what detection picks for ``auto``.

Apart from the hook class (which needs hatchling), so that ``hatch-torch pins`` does not import hatchling.
"""

from __future__ import annotations


def choose_backend(backend: str, where: str, groups: dict[str, list[str]], strict: bool | None = None) -> str:
    """Check the requested backend (``where`` names its source); ``auto`` asks detection
    (``strict``: detection failures are fatal; None defers to ``$HATCH_TORCH_STRICT_DETECTION``)."""
    from hatch_torch.pins.backends import AUTO, problem
    from hatch_torch.pins.resolve import torch_specifier
    from hatch_torch.util.errors import ConfigurationError

    if found := problem(backend, where):
        raise ConfigurationError([found])
    if backend == AUTO:
        from hatch_torch.detection.core import detect

        backend = detect(torch_specifier(groups), strict=strict).backend
    return backend
