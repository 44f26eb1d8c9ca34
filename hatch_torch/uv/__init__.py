"""``hatch-torch sources``: uv index/sources configuration written into pyproject.toml.

``settings`` reads ``[tool.hatch-torch]``; ``layout`` plans what to write (a pure function);
``editor`` applies a plan with tomlkit; ``project`` reads, plans, edits and renders; ``cli`` writes.

Layer 6: imports :mod:`hatch_torch.pins`, :mod:`hatch_torch.data` and below; never publish.
"""
