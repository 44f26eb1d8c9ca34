"""The peers' own detection test cases (uv, light-the-torch, torchruntime) as fake machines.

``peer_cases.json`` cites each case's repository, file, commit and test, what the peer expects, what
hatch-torch answers, and for each difference why hatch-torch's answer is right. Every machine runs the
real probes: fake procfs/sysfs/KFD trees, a fake ``nvidia-smi`` and a fake PowerShell on PATH.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from machines import Machine

from hatch_torch.detection.vendors import nvidia_names, pci_ids
from hatch_torch.util.errors import ConfigurationError

DATA = json.loads((Path(__file__).parent / "peer_cases.json").read_text(encoding="utf-8"))
AGREE = ("agree",)


def gfx_target_version(target: str) -> int:
    """'gfx1102' -> 110002, 'gfx90c' -> 90012 (KFD's major*10000 + minor*100 + stepping)."""
    digits = target[3:]
    return int(digits[:-2]) * 10000 + int(digits[-2], 16) * 100 + int(digits[-1], 16)


def build(machine: Machine, spec: dict[str, Any]) -> None:
    machine.platform = spec.get("platform", "linux_x86_64")
    if "proc_version" in spec:
        machine.file("/proc/driver/nvidia/version", spec["proc_version"])
    if "procfs" in spec:
        machine.nvidia_procfs(spec["procfs"]["driver"], spec["procfs"]["models"])
    if "smi" in spec:
        machine.smi(*spec["smi"])
    if spec.get("smi_fails"):
        machine.tool(
            "nvidia-smi", "echo 'NVIDIA-SMI has failed because it could not communicate with the driver' >&2\nexit 9"
        )
    if "kfd" in spec:
        machine.kfd(*(gfx_target_version(t) for t in spec["kfd"]))
    for slot, vendor, device in spec.get("pci", []):
        machine.pci(slot, vendor, device)
    if "adapters" in spec:
        machine.adapters(*(tuple(a) for a in spec["adapters"]))
        machine.platform = spec["platform"]
    machine.env.update(spec.get("env", {}))


@pytest.mark.parametrize("case", DATA["machines"], ids=lambda c: c["id"])
def test_peer_case(machine: Machine, case: dict[str, Any]) -> None:
    assert all(case[key] for key in ("repository", "file", "commit", "test"))
    if not case["verdict"].startswith(AGREE) or case["expected"] != case["peer"]:
        assert case["why"], f"{case['id']}: a difference from the peer needs the reason hatch-torch is right"
    build(machine, case["machine"])
    expected = case["expected"]
    if isinstance(expected, dict):
        with pytest.raises(ConfigurationError, match=expected["error"]):
            machine.detect(case["torch"])
        return
    result = machine.detect(case["torch"])
    assert result.backend == expected, "\n".join(result.reasons)


@pytest.mark.parametrize("case", DATA["names"], ids=lambda c: c["id"])
def test_peer_name_lookups(case: dict[str, Any]) -> None:
    if any(cc != case["peer"] for cc in case["names"].values()):
        assert case["why"]
    assert {name: nvidia_names.lookup(name).cc for name in case["names"]} == case["names"]


@pytest.mark.parametrize("case", DATA["pci_ids"], ids=lambda c: c["id"])
def test_peer_pci_lookups(case: dict[str, Any]) -> None:
    assert {pci: pci_ids.amd(int(pci, 16))[0] for pci in case["ids"]} == case["ids"]


def test_cases_not_ported_say_why() -> None:
    assert all(c["why"] and c["test"] and c["repository"] for c in DATA["not_ported"])
