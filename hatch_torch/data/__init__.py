"""Release data: the bundled ``releases.json``, its loading (``model``), plugin backends merged in
(``merge``), the index reader (``simple_index``) and ``hatch-torch data update`` (``update``, ``cli``).

Layer 2: imports :mod:`hatch_torch.util` and :mod:`hatch_torch.plugins`.
"""
