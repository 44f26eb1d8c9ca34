"""The built-in detectors, each an ordinary pluggy plugin: overrides, NVIDIA, Tegra, AMD, Intel, Windows.

Part of layer 4 (detection); each module imports only :mod:`hatch_torch.plugins.spec` and
:mod:`hatch_torch.detection.probe` (and its own vendor helpers).
"""

#: Registered after third-party plugins, so they run first (pluggy calls the last registered first).
#: So they run: overrides, nvidia, tegra (corrects what nvidia could not know on a Jetson), amd, intel,
#: windows (the display-adapter list, for what the others left open).
BUILTINS = tuple(
    f"hatch_torch.detection.vendors.{name}" for name in ("windows", "intel", "amd", "tegra", "nvidia", "overrides")
)
