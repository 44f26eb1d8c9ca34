"""Shared helpers: errors, atomic file replacement, hatchling stack lookup.

Layer 0: imports nothing else of hatch_torch.
"""
