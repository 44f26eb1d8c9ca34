"""Shared helpers: errors, atomic file replacement, safe bounded reads (fsread), bounded
subprocesses (proc), calls in a child process (isolate), index URL checks (urls), TOML shape checks (shapes),
hatchling stack lookup.

Layer 0: imports nothing else of hatch_torch.
"""
