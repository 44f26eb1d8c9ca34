"""Publishing: one wheel per backend (``build``), a static per-backend index (``site``), the CI
build matrix (``matrix``), and their subcommands (``cli``).

Layer 6: imports :mod:`hatch_torch.hook` (settings), :mod:`hatch_torch.pins`, :mod:`hatch_torch.data`
and below; never uv.
"""
