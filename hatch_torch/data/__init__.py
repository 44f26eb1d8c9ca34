"""Release data: the bundled ``releases.json``, its loading (``model``), plugin backends merged in
(``merge``), the torch family (``family.json``, ``family``: which packages follow the torch build, where their
builds live, how they are labelled), the index reader (``simple_index``) and ``hatch-torch data update``
(``update``, ``cli``).

Layer 2: imports :mod:`hatch_torch.util` and :mod:`hatch_torch.plugins`.
"""
