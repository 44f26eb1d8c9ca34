"""A simulated machine for detection tests: fake sysfs/procfs trees, fake tools on PATH, fake NVML answers."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from hatch_torch.detection.core import Detection, detect


class Machine:
    """A simulated machine: files under ``root``, executables in ``bin``, an environment of its own."""

    def __init__(self, base: Path, nvml: Path | None, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.root = base / "root"
        self.bin = base / "bin"
        self.root.mkdir()
        self.bin.mkdir()
        self.nvml = nvml
        self.marks = base / "marks"
        self.marks.mkdir()
        self.env: dict[str, str] = {"PATH": str(self.bin), "HATCH_TORCH_TOOL_TIMEOUT": "5"}
        self.platform = "linux_x86_64"

    # --- files -------------------------------------------------------------------------------
    def file(self, absolute: str, text: str) -> Path:
        path = self.root / absolute.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def nvidia_sysfs(self, version: str) -> None:
        self.file("/sys/module/nvidia/version", version + "\n")

    def nvidia_procfs(self, version: str, models: list[str] = ()) -> None:  # type: ignore[assignment]
        self.file(
            "/proc/driver/nvidia/version",
            f"NVRM version: NVIDIA UNIX x86_64 Kernel Module  {version}  Release Build  (dvs-builder@U16)\n"
            "GCC version:  gcc version 12.2.0\n",
        )
        for i, model in enumerate(models):
            self.file(
                f"/proc/driver/nvidia/gpus/0000:{i + 1:02x}:00.0/information",
                f"Model: \t\t {model}\nIRQ:   \t\t 100\nGPU UUID: \t GPU-proc-{i}\nDevice Minor: \t {i}\n",
            )

    def kfd(self, *target_versions: int, device_ids: tuple[int, ...] = ()) -> None:
        """KFD topology: node 0 is the CPU, then one GPU node per target version (PCI device IDs
        ``device_ids``, by default made up from 0x744c on)."""
        for i, version in enumerate((0, *target_versions)):
            device = device_ids[i - 1] if 0 < i <= len(device_ids) else 29772 + i
            extra = "" if version == 0 else f"vendor_id 4098\ndevice_id {device}\n"
            self.file(
                f"/sys/class/kfd/kfd/topology/nodes/{i}/properties",
                f"cpu_cores_count {16 if version == 0 else 0}\nsimd_count {0 if version == 0 else 192}\n"
                f"gfx_target_version {version}\n{extra}",
            )

    def pci(self, slot: str, vendor: int, device: int, pci_class: int = 0x030000) -> None:
        base = f"/sys/bus/pci/devices/{slot}"
        self.file(f"{base}/class", f"0x{pci_class:06x}\n")
        self.file(f"{base}/vendor", f"0x{vendor:04x}\n")
        self.file(f"{base}/device", f"0x{device:04x}\n")

    def adapters(self, *adapters: tuple[str, str, str]) -> Path:
        """Windows display adapters (name, PNPDeviceID, DriverVersion), as PowerShell's
        ``Get-CimInstance Win32_VideoController | ... | ConvertTo-Json -Compress`` prints them."""
        import json

        rows = [{"Name": n, "PNPDeviceID": p, "DriverVersion": v} for n, p, v in adapters]
        text = json.dumps(rows[0] if len(rows) == 1 else rows, separators=(",", ":")) if rows else ""
        self.platform = "win_amd64"
        return self.tool("powershell", f"/bin/cat <<'OUT'\n{text}\nOUT\n")

    def jetson(self, soc: str, model: str, release: str | None) -> None:
        """A Jetson's device tree (``compatible`` and ``model`` are NUL-separated) and L4T release file."""
        board = {"tegra234": "nvidia,p3737-0000+p3701-0005", "tegra264": "nvidia,p4071-0000+p3834-0008"}.get(soc, "")
        self.file("/proc/device-tree/compatible", "\0".join(filter(None, [board, f"nvidia,{soc}"])) + "\0")
        self.file("/proc/device-tree/model", model + "\0")
        if release:
            self.file("/etc/nv_tegra_release", release)
        self.platform = "linux_aarch64"

    def wsl(self) -> None:
        self.file("/proc/sys/kernel/osrelease", "5.15.167.4-microsoft-standard-WSL2\n")
        assert self.nvml is not None
        lib = self.root / "usr/lib/wsl/lib/libnvidia-ml.so.1"
        lib.parent.mkdir(parents=True)
        shutil.copy(self.nvml, lib)

    # --- NVML ----------------------------------------------------------------------------------
    def with_nvml(self, driver: str, cuda: int, *gpus: tuple[str, str], **extra: str) -> None:
        """Point detection at the fake NVML with these answers; ``gpus`` are (name, compute capability)."""
        assert self.nvml is not None
        self.env["HATCH_TORCH_NVML_LIBRARY"] = str(self.nvml)
        self.nvml_answers(driver, cuda, *gpus, **extra)

    def nvml_answers(self, driver: str, cuda: int, *gpus: tuple[str, str], **extra: str) -> None:
        """The fake library reads the process environment (C getenv), so answers go there too."""
        answers = {"FAKE_NVML_DRIVER": driver, "FAKE_NVML_CUDA": str(cuda), "FAKE_NVML_COUNT": str(len(gpus))}
        for i, (name, cc) in enumerate(gpus):
            answers[f"FAKE_NVML_GPU{i}_NAME"] = name
            answers[f"FAKE_NVML_GPU{i}_CC"] = cc
        answers.update(extra)
        for key, value in answers.items():
            if key.startswith("FAKE_NVML_"):
                self.monkeypatch.setenv(key, value)
        self.env.update(answers)

    # --- tools ---------------------------------------------------------------------------------
    def tool(self, name: str, body: str) -> Path:
        """An executable shell script on PATH; each run leaves a mark (see ``ran``)."""
        path = self.bin / name
        script = f"#!/bin/sh\necho run >> '{self.marks / name}'\n{textwrap.dedent(body)}"
        path.write_text(script, encoding="utf-8")
        path.chmod(0o755)
        return path

    def ran(self, name: str) -> int:
        mark = self.marks / name
        return len(mark.read_text().splitlines()) if mark.exists() else 0

    def smi(self, *rows: str) -> Path:
        lines = "\n".join(rows)
        return self.tool("nvidia-smi", f"/bin/cat <<'OUT'\n{lines}\nOUT\n")

    # --- detection -----------------------------------------------------------------------------
    def detect(self, torch: str | None = None, **kwargs: Any) -> Detection:
        kwargs.setdefault("platform", self.platform)
        return detect(torch, root=self.root, environ=self.env, **kwargs)


def probe(result: Detection, name: str) -> Any:
    """The record of probe ``name`` (exactly one must exist)."""
    found = [p for p in result.probes if p.probe == name]
    assert len(found) == 1, [p.probe for p in result.probes]
    return found[0]
