"""hatch-torch: pin the right PyTorch build for the backend you build for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hatch_torch._detect import Detection, detect
    from hatch_torch._errors import ConfigurationError, HatchTorchError
    from hatch_torch._pins import Resolution, resolve

__all__ = ["ConfigurationError", "Detection", "HatchTorchError", "Resolution", "detect", "resolve"]
__version__ = "0.1.0"

# Imported on first use, so that loading the build hook stays cheap.
_LAZY = {
    "Detection": "hatch_torch._detect",
    "detect": "hatch_torch._detect",
    "ConfigurationError": "hatch_torch._errors",
    "HatchTorchError": "hatch_torch._errors",
    "Resolution": "hatch_torch._pins",
    "resolve": "hatch_torch._pins",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'hatch_torch' has no attribute {name!r}")
