"""The hatchling metadata hook: its settings (``settings``), the hook class (``metadata``), the
``local-version`` setting (``local_version``) and the ``pins`` subcommand that previews it (``cli``).

Layer 5: imports :mod:`hatch_torch.detection` (for ``auto``), :mod:`hatch_torch.pins` and below.
"""
