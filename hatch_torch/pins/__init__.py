"""Pins: which backend was asked for (``backends``), the family requirements (``family``), platform groups and
their markers (``platforms``, ``markers``), what each index serves where (``serve``) and the per-environment
resolver that rewrites torch-family requirements into pins (``resolve``).

Layer 3: imports :mod:`hatch_torch.data` and below.
"""
