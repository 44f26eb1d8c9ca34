"""mylib-extras: a hatch-torch sample with extras and markers."""

__version__ = "0.3.0"
