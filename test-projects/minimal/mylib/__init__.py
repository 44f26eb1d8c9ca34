"""mylib: a minimal library built with hatch-torch."""

__version__ = "1.2.0"
