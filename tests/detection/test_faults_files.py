"""FIFOs, devices and floods in place of sysfs/procfs files: never a blocked or flooded probe.

A FIFO opened for reading blocks until a writer comes; each case runs under an alarm, so a regression
fails the test instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from machines import Machine, probe


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"blocked for more than {seconds}s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def nvidia_gpu(m: Machine) -> None:
    m.nvidia_procfs("580.65.06", ["NVIDIA GeForce RTX 4090"])


def amd_gpu(m: Machine) -> None:
    m.kfd(110000)
    m.file("/dev/kfd", "")


def intel_gpu(m: Machine) -> None:
    m.pci("0000:03:00.0", 0x8086, 0x56A0)


#: (file replaced, machine set-up, probe that must fail or stay unaffected, its status)
CASES: list[tuple[str, Callable[[Machine], None], str, str]] = [
    ("/proc/driver/nvidia/version", nvidia_gpu, "nvidia.procfs", "failed"),
    ("/sys/module/nvidia/version", nvidia_gpu, "nvidia.sysfs", "failed"),
    ("/proc/driver/nvidia/gpus/0000:01:00.0/information", nvidia_gpu, "nvidia.procfs", "found"),
    ("/proc/sys/kernel/osrelease", nvidia_gpu, "nvidia.procfs", "found"),
    ("/etc/ld.so.conf", nvidia_gpu, "nvidia.nvml", "nothing"),
    ("/sys/class/kfd/kfd/topology/nodes/1/properties", amd_gpu, "amd.kfd", "failed"),
    ("/opt/rocm/.info/version", amd_gpu, "amd.rocm_version", "failed"),
    ("/sys/bus/pci/devices/0000:03:00.0/device", intel_gpu, "intel.pci", "failed"),
    ("/sys/bus/pci/devices/0000:03:00.0/class", intel_gpu, "intel.pci", "failed"),
]


def fifo(m: Machine, absolute: str) -> None:
    path = m.root / absolute.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    os.mkfifo(path)


def device_link(m: Machine, absolute: str) -> None:
    """A symlink into /dev: reading it would be an endless stream of zeros."""
    path = m.root / absolute.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    path.symlink_to("/dev/zero")


@pytest.mark.parametrize("plant", [fifo, device_link], ids=["fifo", "link-to-dev-zero"])
@pytest.mark.parametrize(("absolute", "setup", "name", "status"), CASES, ids=[c[0] for c in CASES])
def test_special_file_never_blocks(
    machine: Machine,
    plant: Callable[[Machine, str], None],
    absolute: str,
    setup: Callable[[Machine], None],
    name: str,
    status: str,
) -> None:
    setup(machine)
    plant(machine, absolute)
    with deadline(10):
        result = machine.detect()
    assert probe(result, name).status == status
    failed = [p.detail for p in result.probes if "not a regular file" in p.detail]
    if status == "failed":
        assert failed, [(p.probe, p.detail) for p in result.probes]


def test_one_unreadable_pci_device_does_not_hide_another(machine: Machine) -> None:
    intel_gpu(machine)
    machine.pci("0000:04:00.0", 0x8086, 0xE20B)
    fifo(machine, "/sys/bus/pci/devices/0000:03:00.0/vendor")
    with deadline(10):
        result = machine.detect()
    pci = probe(result, "intel.pci")
    assert pci.status == "found"
    assert "is a FIFO, not a regular file" in pci.detail
    assert [d.pci_id for d in result.devices] == ["8086:e20b"]


def test_a_huge_sysfs_file_is_read_only_up_to_the_limit(machine: Machine) -> None:
    machine.nvidia_procfs("580.65.06", ["NVIDIA GeForce RTX 4090"])
    big = machine.root / "proc/driver/nvidia/gpus/0000:01:00.0/information"
    with big.open("a") as f:
        f.write("x" * (8 << 20))  # 8 MiB after the fields
    result = machine.detect()
    assert probe(result, "nvidia.procfs").status == "found"
    assert [d.name for d in result.devices] == ["NVIDIA GeForce RTX 4090"]


def test_a_directory_with_too_many_entries_fails_alone(machine: Machine) -> None:
    nodes = machine.root / "sys/class/kfd/kfd/topology/nodes"
    nodes.mkdir(parents=True)
    for i in range(5000):
        (nodes / str(i)).mkdir()
    machine.file("/dev/kfd", "")
    result = machine.detect()
    kfd = probe(result, "amd.kfd")
    assert kfd.status == "failed"
    assert "more than 4096 entries" in kfd.detail


def test_root_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    from hatch_torch.detection.core import detect
    from hatch_torch.util.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match=r"root '.*nope' is not a directory\. Fix: point --root"):
        detect(root=tmp_path / "nope")
    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigurationError, match="is not a directory"):
        detect(root=tmp_path / "file")
