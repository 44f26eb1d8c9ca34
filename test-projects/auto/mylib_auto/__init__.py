"""mylib-auto: a hatch-torch sample that relies on auto-detection."""

__version__ = "0.1.0"
