"""The built-in detectors, each an ordinary plugin: overrides, NVIDIA, AMD, Intel."""
