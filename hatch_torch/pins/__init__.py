"""Pins: which backend was asked for (``backends``), platform markers (``platforms``) and the resolver
that rewrites torch-family requirements into ``+backend`` pins (``resolve``).

Layer 3: imports :mod:`hatch_torch.data` and below.
"""
