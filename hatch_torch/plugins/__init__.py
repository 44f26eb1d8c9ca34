"""The plugin system: hook specifications (``spec``) and the pluggy manager (``manager``).

Layer 1: imports only :mod:`hatch_torch.util`. Detection registers its built-in detectors through
:meth:`~hatch_torch.plugins.manager.Plugins.with_builtins`; this package never imports them.
"""
