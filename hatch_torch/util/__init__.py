"""Shared helpers: errors, atomic file replacement, safe bounded reads (fsread), hatchling stack lookup.

Layer 0: imports nothing else of hatch_torch.
"""
