"""``hatch-torch detect --json`` / ``-v`` on a mixed multi-GPU box: per GPU its name, vendor, architecture,
where that came from, and which backends can serve it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from machines import Machine

from hatch_torch.cli import main


def mixed_box(machine: Machine) -> None:
    """An RTX 4090 and a GTX 1060 (procfs names only), an RX 7900 XTX and a Phoenix APU (KFD), an Arc B580
    and Tiger Lake graphics (PCI), on driver 580."""
    machine.nvidia_procfs("580.65.06", ["NVIDIA GeForce RTX 4090", "NVIDIA GeForce GTX 1060 6GB"])
    machine.kfd(110000, 110003, device_ids=(0x744C, 0x15BF))
    machine.pci("0000:04:00.0", 0x8086, 0xE20B)
    machine.pci("0000:00:02.0", 0x8086, 0x9A49)


def test_json_reports_every_gpu(machine: Machine, capsys: object) -> None:
    mixed_box(machine)
    env = {**machine.env, "HATCH_TORCH_DISABLE_PLUGINS": "all"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "hatch_torch",
            "detect",
            "--json",
            "--root",
            str(machine.root),
            "--platform",
            "linux_x86_64",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    data = json.loads(proc.stdout)
    assert data["backend"] == "cu126"  # the GTX 1060 needs sm_6x: only cu126 of torch 2.13 has it
    gpus = {g["name"]: g for g in data["gpus"]}
    rtx, gtx = gpus["NVIDIA GeForce RTX 4090"], gpus["NVIDIA GeForce GTX 1060 6GB"]
    assert (rtx["vendor"], rtx["architecture"]) == ("nvidia", "8.9")
    assert rtx["architecture_source"].startswith("name table: 'rtx 4090'")
    # each backend at the release pins would take for it; the unofficial cu129 extras are left out
    assert rtx["backends"] == ["cu132", "cu130", "cu128", "cu126", "cu124", "cu121", "cu118", "cu117"]
    assert gtx["backends"] == ["cu126", "cu124", "cu121", "cu118", "cu117"]
    navi, apu = gpus["AMD Navi 31 1002:744c"], gpus["AMD Phoenix APU 1002:15bf"]
    assert (navi["architecture"], navi["architecture_source"], navi["backends"][0]) == (
        "gfx1100",
        "KFD gfx_target_version",
        "rocm7.2",
    )
    assert (apu["architecture"], apu["backends"]) == ("gfx1103", [])
    arc = next(g for g in data["gpus"] if g["pci_id"] == "8086:e20b")
    assert (arc["kind"], arc["backends"]) == ("xpu", ["xpu"])
    igpu = next(g for g in data["gpus"] if g["pci_id"] == "8086:9a49")
    assert (igpu["kind"], igpu["backends"]) == ("", [])
    assert "XPU wheels are not built for Tiger Lake" in igpu["note"]


def test_verbose_lists_gpus_with_their_backends(machine: Machine, capsys: object, monkeypatch: object) -> None:
    mixed_box(machine)
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    for key, value in machine.env.items():
        monkeypatch.setenv(key, value)
    assert main(["detect", "-v", "--root", str(machine.root), "--platform", "linux_x86_64"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "  NVIDIA GeForce GTX 1060 6GB [nvidia] 6.1 (name table: 'gtx 1060'" in out
    assert "): cu126, cu124, cu121, cu118, cu117\n" in out
    assert "  AMD Phoenix APU 1002:15bf [amd] gfx1103 (KFD gfx_target_version): no backend\n" in out
