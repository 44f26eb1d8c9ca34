"""The built-in detectors, each an ordinary pluggy plugin: overrides, NVIDIA, AMD, Intel.

Part of layer 4 (detection); each module imports only :mod:`hatch_torch.plugins.spec` and
:mod:`hatch_torch.detection.probe` (and its own vendor helpers).
"""

#: Registered after third-party plugins, so they run first (pluggy calls the last registered first).
BUILTINS = tuple(f"hatch_torch.detection.vendors.{name}" for name in ("intel", "amd", "nvidia", "overrides"))
