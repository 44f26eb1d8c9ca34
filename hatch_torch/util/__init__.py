"""Shared helpers: errors, atomic file replacement, safe bounded reads (fsread), bounded
subprocesses (proc), calls in a child process (isolate), hatchling stack lookup.

Layer 0: imports nothing else of hatch_torch.
"""
