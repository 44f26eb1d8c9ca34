"""hatch-torch: pin the right PyTorch build for the backend you build for."""

from __future__ import annotations

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (the CLI and the hook start here)
if TYPE_CHECKING:
    from typing import Any

    from hatch_torch.detection.core import Detection, detect
    from hatch_torch.pins.resolve import Resolution, resolve
    from hatch_torch.util.errors import ConfigurationError, HatchTorchError

__all__ = ["ConfigurationError", "Detection", "HatchTorchError", "Resolution", "detect", "resolve"]
__version__ = "0.1.0"

# Imported on first use, so that loading the build hook stays cheap.
_LAZY = {
    "Detection": "hatch_torch.detection.core",
    "detect": "hatch_torch.detection.core",
    "ConfigurationError": "hatch_torch.util.errors",
    "HatchTorchError": "hatch_torch.util.errors",
    "Resolution": "hatch_torch.pins.resolve",
    "resolve": "hatch_torch.pins.resolve",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import sys

        __import__(_LAZY[name])  # importlib.import_module without importing importlib
        return getattr(sys.modules[_LAZY[name]], name)
    raise AttributeError(f"module 'hatch_torch' has no attribute {name!r}")
