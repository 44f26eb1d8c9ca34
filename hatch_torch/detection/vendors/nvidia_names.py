"""Compute capability from an NVIDIA model name, for probes that report names only (procfs, old nvidia-smi).

Families, not every SKU: the first matching pattern wins, so more specific names come first.
"""

from __future__ import annotations

import re

_TABLE: list[tuple[str, str]] = [
    (r"\bGB10\b|DGX Spark", "12.1"),
    (r"\bB300\b|\bGB300\b", "10.3"),
    (r"\bB200\b|\bB100\b|\bGB200\b", "10.0"),
    (r"RTX 50\d\d|RTX PRO \d+.*Blackwell|Blackwell", "12.0"),
    (r"\bJetson Thor\b", "11.0"),
    (r"\bGH200\b|\bH100\b|\bH200\b|\bH800\b|\bH20\b", "9.0"),
    (r"RTX 40\d\d|\bL4\b|\bL40S?\b|\bL20\b|RTX \d+ Ada|Ada Generation", "8.9"),
    (r"\bOrin\b", "8.7"),
    (r"\bA100\b|\bA800\b|\bA30\b", "8.0"),
    (r"RTX 30\d\d|\bA10G?\b|\bA40\b|\bA16\b|\bA2\b|RTX A\d+", "8.6"),
    (r"\bXavier\b", "7.2"),
    (r"RTX 20\d\d|GTX 16\d\d|\bT4\b|Quadro RTX|TITAN RTX|\bT\d{3,4}\b", "7.5"),
    (r"\bV100\b|TITAN V\b", "7.0"),
    (r"\bP100\b", "6.0"),
    (r"GTX 10\d\d|\bP40\b|\bP4\b|\bP6\b|TITAN Xp|TITAN X \(Pascal\)|Quadro P\d+|\bMX\d{3}\b", "6.1"),
    (r"GTX 9\d\d|\bM40\b|\bM60\b|Quadro M\d+|TITAN X\b", "5.2"),
    (r"GTX 75\d|GTX 745|Quadro K\d+2\b", "5.0"),
    (r"\bK80\b", "3.7"),
    (r"\bK40\b|\bK20X?\b|GTX 7[78]0|GTX TITAN", "3.5"),
]
_COMPILED = [(re.compile(p, re.IGNORECASE), cc) for p, cc in _TABLE]


def compute_capability(name: str) -> str:
    """'8.9' for 'NVIDIA GeForce RTX 4090'; '' when the model is not in the table."""
    for pattern, cc in _COMPILED:
        if pattern.search(name):
            return cc
    return ""
