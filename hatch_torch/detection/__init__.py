"""Accelerator detection: the probe context (``probe``) and what probes report (``records``), the
per-process tool-hang memory (``hung``), the backend choice (``rows``, ``choose``), the entry point
``detect()`` (``core``), the ``detect`` subcommand (``cli``) and one built-in detector plugin per vendor
(``vendors``).

Layer 4: imports :mod:`hatch_torch.pins` (platforms), :mod:`hatch_torch.data` and below.
"""
