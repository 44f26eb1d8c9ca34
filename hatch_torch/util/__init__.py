"""Shared helpers: errors, atomic file replacement, regular-file reads, index URL checks, TOML shape checks,
hatchling stack lookup.

Layer 0: imports nothing else of hatch_torch.
"""
