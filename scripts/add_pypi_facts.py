"""Maintainer script: write what PyPI serves into ``hatch_torch/data/releases.json``.

Reads ``tests/pins/pypi_facts.json`` (read from pypi.org's JSON API and the companions' wheel METADATA; the
tests check the resolver's bare pins against the same file) and writes, tagged with the source ``PYPI``:

- ``releases[T].wheels``: per platform, the CPython versions torch ``T`` has a PyPI wheel for and the lowest
  macOS it supports (``macos``; ``macos_python`` where one CPython version needs a newer macOS). A ``+label``
  wheel on a PyTorch index carries the same tags, so these bound the labelled pins too.
- ``releases[T].python``: the union of those CPython versions (replacing the release-matrix lists).
- ``companions[pkg][version]``: what each torchvision/torchaudio release declares about torch (``torch``, a
  specifier; ``""`` = any) and its PyPI wheels; ``companions`` is a generic table, so another torch-family
  package is added as data.
- releases PyPI has but the data lacks (torch 2.14.0, 2.14.1, 2.15.0), with no PyTorch-index backends: a
  backend the record cannot confirm is left out, not guessed.

Run ``python scripts/add_pypi_facts.py`` after ``scripts/make_release_data.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "hatch_torch" / "data" / "releases.json"
FACTS = ROOT / "tests" / "pins" / "pypi_facts.json"
#: CPython minor versions a ``py3`` wheel is expanded to (within its requires-python)
MINORS = [f"3.{m}" for m in range(8, 16)]
SOURCE = "PYPI"
#: Torch releases new to the data: the companions uploaded with them and the evidence per backend
NEW = ROOT / "scripts" / "releases-new.json"
#: Facts the PyPI metadata does not state, with what they rest on
INFERRED = {
    ("torchaudio", "2.11.0"): (
        ">=2.11",
        "declares no torch requirement; pytorch/audio#4212 'torchaudio 2.11 supports torch>=2.11' and the "
        "stable-ABI note of test-infra release/repackage_torchaudio_cu130_to_cu132.py",
    ),
}


def _key(tag: str) -> tuple[bool, int, int]:
    major, minor = tag.rstrip("t").split(".")
    return tag.endswith("t"), int(major), int(minor)


def _wheels(platforms: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for platform, facts in platforms.items():
        pythons = facts["python"]
        if pythons == ["py3"]:
            spec = SpecifierSet(facts.get("requires_python") or "")
            pythons = [m for m in MINORS if spec.contains(f"{m}.0") or spec.contains(f"{m}.99")]
        entry: dict[str, Any] = {"python": sorted(pythons, key=_key)}
        if facts.get("macos_min"):
            entry["macos"] = facts["macos_min"]
            by = {py: v for py, v in (facts.get("macos_min_by_python") or {}).items() if v != facts["macos_min"]}
            if by:
                entry["macos_python"] = by
        out[platform] = entry
    return out


def _torch_spec(declared: Any) -> str:
    """One specifier for the torch requirement a companion declares (local labels dropped; the stricter one
    where a platform declares none)."""
    values = set(declared.values()) if isinstance(declared, dict) else {declared}
    specs = {",".join(s.split("+")[0] for s in str(v or "").split(",")) for v in values}
    if len(specs) > 1:  # torchvision 0.15.0 on Linux aarch64 names bare torch: keep the stricter one
        specs.discard("")
    if len(specs) != 1:
        raise SystemExit(f"platforms disagree on the torch requirement: {declared!r}")
    return specs.pop()


def main() -> None:
    raw = json.loads(OUT.read_text(encoding="utf-8"))
    facts = json.loads(FACTS.read_text(encoding="utf-8"))
    raw["schema"] = 2
    raw["updated"] = f"{facts['_meta']['read_on']}T00:00:00+00:00"  # the newer of this and user data is used
    raw["sources"][SOURCE] = f"{facts['_meta']['source']}, read {facts['_meta']['read_on']}"
    releases = raw["releases"]
    for version, new in json.loads(NEW.read_text(encoding="utf-8"))["releases"].items():
        release = releases.setdefault(version, {"versions": {}, "python": [], "backends": {}, "source": [SOURCE]})
        release["versions"], release["notes"] = new["versions"], new["notes"]
    for version, entry in facts["torch"].items():
        if version not in releases:
            continue
        release = releases[version]
        release["wheels"] = _wheels(entry["platforms"])
        release["python"] = sorted({p for w in release["wheels"].values() for p in w["python"]}, key=_key)
        if SOURCE not in release["source"]:
            release["source"].append(SOURCE)
    raw["releases"] = {k: releases[k] for k in sorted(releases, key=Version)}
    table: dict[str, dict[str, Any]] = {}
    for package in raw["packages"][1:]:
        for version, entry in sorted(facts[package].items(), key=lambda kv: Version(kv[0])):
            row: dict[str, Any] = {"torch": _torch_spec(entry["requires_torch"]), "source": [SOURCE]}
            if (package, version) in INFERRED and entry["requires_torch"] is None:
                row["torch"], row["note"] = INFERRED[package, version]
                row["confidence"] = "I"
            row["wheels"] = _wheels(entry["platforms"])
            table.setdefault(package, {})[version] = row
    raw["companions"] = table
    OUT.write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(raw['releases'])} releases, companions {list(table)}")


if __name__ == "__main__":
    main()
