"""Pins: the family requirements (``family``), platform groups and their markers (``platforms``, ``markers``), what
each index serves where (``serve``), the tables the resolver picks from (``tables``; for the bundled data made at
data-build time: ``snapshot``) and the per-environment resolver that rewrites torch-family requirements into pins
(``resolve``).

Layer 3: imports :mod:`hatch_torch.data` and below.
"""
