"""hatch-torch: pin the right PyTorch build for the backend you build for."""

from __future__ import annotations

from hatch_torch._detect import Detection, detect
from hatch_torch._errors import ConfigurationError, HatchTorchError
from hatch_torch._pins import Resolution, resolve

__all__ = ["ConfigurationError", "Detection", "HatchTorchError", "Resolution", "detect", "resolve"]
__version__ = "0.1.0"
