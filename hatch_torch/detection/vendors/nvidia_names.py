"""Compute capability from an NVIDIA model name, for probes that report names only (procfs, old
``nvidia-smi``, the Windows adapter list, a Jetson's device tree).

The table is data, ``nvidia_names.json`` (its ``sources`` say where each row comes from), loaded on the
first lookup only. The rule: lower-case the name, turn every run of other characters than ``[a-z0-9]``
into one space, drop the brand words (nvidia, geforce, tesla, quadro, corporation); an entry matches when
its pattern's words occur as a contiguous run of the name's words (a chip code like ``gv100`` also with a
pci.ids suffix: ``gl``, ``glm``, ``m``, ``bm``). The match with the most words wins, then a model over a
chip code, then the longer pattern; a tie between different compute capabilities is no answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from hatch_torch.detection.probe import Device

TABLE = Path(__file__).with_name("nvidia_names.json")
BRAND = frozenset({"nvidia", "geforce", "tesla", "quadro", "corporation"})
CHIP_SUFFIXES = ("", "gl", "glm", "m", "bm")
_OTHER = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Entry:
    name: str
    pattern: tuple[str, ...]
    cc: str
    chip: bool
    source: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    cc: str  # "" when unknown or ambiguous
    why: str  # "name table: 'rtx 4090' (NVIDIA CUDA GPUs page)", or why there is no answer


def words(name: str) -> list[str]:
    text = name.lower().replace("™", " ").replace("®", " ").replace("(tm)", " ").replace("(r)", " ")
    return [w for w in _OTHER.sub(" ", text).split() if w not in BRAND]


@cache
def table() -> tuple[dict[str, str], dict[str, list[Entry]], dict[str, Entry]]:
    """(source key -> description, first word -> model entries, chip code -> chip entry), read once."""
    raw = json.loads(TABLE.read_text(encoding="utf-8"))
    models: dict[str, list[Entry]] = {}
    chips: dict[str, Entry] = {}
    for name, pattern, cc, kind, source, *aliases in raw["entries"]:
        entry = Entry(name, tuple(pattern.split()), cc, kind == "chip", source, tuple(aliases))
        if entry.chip:
            chips[pattern] = entry
        else:
            models.setdefault(entry.pattern[0], []).append(entry)
    return raw["sources"], models, chips


def entries() -> list[Entry]:
    _, models, chips = table()
    return [e for group in models.values() for e in group] + list(chips.values())


@lru_cache(maxsize=64)
def lookup(name: str) -> Match:
    sources, models, chips = table()
    tokens = words(name)
    hits: list[tuple[tuple[int, bool, int], Entry]] = []
    for i, token in enumerate(tokens):
        for e in models.get(token, ()):
            n = len(e.pattern)
            if tuple(tokens[i : i + n]) == e.pattern:
                hits.append(((n, True, sum(map(len, e.pattern)) + n), e))
        for suffix in CHIP_SUFFIXES:  # a chip code, bare or with a pci.ids suffix (gv100gl, tu106m)
            chip = chips.get(token[: len(token) - len(suffix)]) if token.endswith(suffix) else None
            if chip is not None:
                hits.append(((1, False, len(token) - len(suffix) + 1), chip))
    if not hits:
        return Match("", f"{name!r} is not in the name table")
    best = max(score for score, _ in hits)
    top = [e for score, e in hits if score == best]
    if len({e.cc for e in top}) > 1:
        said = ", ".join(f"{' '.join(e.pattern)!r} = {e.cc}" for e in top)
        return Match("", f"{name!r} matches entries of different compute capabilities ({said})")
    won = top[0]
    where = sources.get(won.source, won.source)
    return Match(won.cc, f"name table: {' '.join(won.pattern)!r} ({where})")


def by_name(device: Device, where: str = "") -> Device:
    """``device`` with its compute capability from its name, and a note saying where it came from."""
    match = lookup(device.name)
    device.arch = match.cc
    device.arch_source = match.why if match.cc else ""
    device.note = "; ".join(
        filter(None, [where, match.why if not match.cc else "compute capability from the model name"])
    )
    return device


def compute_capability(name: str) -> str:
    """'8.9' for 'NVIDIA GeForce RTX 4090'; '' when the model is not in the table."""
    return lookup(name).cc
