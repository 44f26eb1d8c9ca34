"""NVML that hangs or crashes costs at most the tool timeout and is a failed probe; no driver, no NVML.

The compiled fake library misbehaves on demand (``FAKE_NVML_FAULT``): in its constructor (``load``) or in
an NVML call. Both ways of isolating it run: a forked child and a fresh interpreter.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from machines import Machine, probe

from hatch_torch.detection.vendors import nvidia_nvml
from hatch_torch.util import isolate

RTX_4090 = ("NVIDIA GeForce RTX 4090", "8.9")
TIMEOUT = 0.5
#: (FAKE_NVML_FAULT, what the probe must say)
FAULTS = [
    ("load:hang", "did not answer within 0.5s"),
    ("load:segv", "crashed (SIGSEGV)"),
    ("load:exit", "exited with status 3 without answering"),
    ("nvmlInitWithFlags:hang", "did not answer within 0.5s"),
    ("nvmlInitWithFlags:segv", "crashed (SIGSEGV)"),
    ("nvmlInitWithFlags:abort", "crashed (SIGABRT)"),
    ("nvmlInitWithFlags:kill", "crashed (SIGKILL)"),
    ("nvmlInitWithFlags:exit", "exited with status 3 without answering"),
    ("nvmlDeviceGetName:hang", "did not answer within 0.5s"),
    ("nvmlDeviceGetCudaComputeCapability:segv", "crashed (SIGSEGV)"),
]


@pytest.fixture
def memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A hang memory of this test's own (the temp dir is where it lives)."""
    shared = tmp_path / "tmp"
    shared.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(shared))
    return shared


@pytest.fixture(params=["fork", "spawn"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    forking = request.param == "fork"
    monkeypatch.setattr(isolate, "can_fork", lambda: forking)
    return str(request.param)


@pytest.mark.usefixtures("memory", "mode")
@pytest.mark.parametrize(("fault", "said"), FAULTS, ids=[f for f, _ in FAULTS])
def test_misbehaving_nvml_is_a_failed_probe_within_the_timeout(nv_machine: Machine, fault: str, said: str) -> None:
    # a hang costs the timeout; a crash is seen at once (a generous deadline keeps a loaded machine honest)
    timeout = TIMEOUT if fault.endswith(":hang") else 10.0
    nv_machine.with_nvml("580.65.06", 13000, RTX_4090, FAKE_NVML_FAULT=fault)
    nv_machine.env["HATCH_TORCH_TOOL_TIMEOUT"] = str(timeout)
    nv_machine.nvidia_procfs("580.65.06", ["NVIDIA GeForce RTX 4090"])
    start = time.monotonic()
    result = nv_machine.detect()
    assert time.monotonic() - start < timeout + 3
    nvml = probe(result, "nvidia.nvml")
    assert nvml.status == "failed"
    assert said in nvml.detail
    # detection goes on: procfs answers, and the build gets its GPU backend
    assert [(d.arch, d.source) for d in result.devices] == [("8.9", "nvidia.procfs")]
    assert result.backend == "cu132"


@pytest.mark.usefixtures("memory", "mode")
def test_a_working_nvml_answers_through_the_child(nv_machine: Machine) -> None:
    nv_machine.with_nvml("580.65.06", 13000, RTX_4090)
    result = nv_machine.detect()
    assert probe(result, "nvidia.nvml").status == "found"
    assert [(d.name, d.arch, d.source) for d in result.devices] == [("NVIDIA GeForce RTX 4090", "8.9", "nvidia.nvml")]


@pytest.mark.usefixtures("memory", "mode")
def test_a_hung_nvml_takes_its_children_with_it(nv_machine: Machine, tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    nv_machine.with_nvml("580.65.06", 13000, RTX_4090, FAKE_NVML_FAULT="nvmlInitWithFlags:spawn")
    nv_machine.env["HATCH_TORCH_TOOL_TIMEOUT"] = str(TIMEOUT)
    nv_machine.monkeypatch.setenv("FAKE_NVML_PIDFILE", str(pidfile))
    result = nv_machine.detect()
    assert "did not answer" in probe(result, "nvidia.nvml").detail
    assert gone(int(pidfile.read_text()))


def gone(pid: int, wait: float = 3.0) -> bool:
    """The process no longer runs (it may linger as a zombie of a parent that does not reap)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.02)
    return False


@pytest.mark.usefixtures("memory")
def test_a_hang_is_remembered_so_the_next_process_does_not_wait(nv_machine: Machine) -> None:
    from hatch_torch.detection.core import clear_cache

    marks = nv_machine.marks / "nvml"
    nv_machine.with_nvml("580.65.06", 13000, RTX_4090, FAKE_NVML_FAULT="nvmlInitWithFlags:hang")
    nv_machine.monkeypatch.setenv("FAKE_NVML_MARK", str(marks))
    nv_machine.env["HATCH_TORCH_TOOL_TIMEOUT"] = str(TIMEOUT)
    assert "did not answer" in probe(nv_machine.detect(), "nvidia.nvml").detail
    clear_cache()  # as in the next process of the same build
    start = time.monotonic()
    again = probe(nv_machine.detect(), "nvidia.nvml")
    assert time.monotonic() - start < TIMEOUT
    assert "hung earlier" in again.detail
    assert marks.read_text().splitlines() == ["load", "init"]  # loaded once, by the first child only


@pytest.mark.usefixtures("memory")
def test_no_kernel_driver_means_nvml_is_never_loaded(nv_machine: Machine) -> None:
    """A library in the usual place but no driver: no child starts, the library is never opened."""
    lib = nv_machine.root / "usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1"
    lib.parent.mkdir(parents=True)
    lib.write_bytes(Path(str(nv_machine.nvml)).read_bytes())
    marks = nv_machine.marks / "nvml"
    nv_machine.monkeypatch.setenv("FAKE_NVML_MARK", str(marks))
    result = nv_machine.detect()
    nvml = probe(result, "nvidia.nvml")
    assert nvml.status == "nothing"
    assert "no NVIDIA kernel driver" in nvml.detail
    assert not marks.exists()
    # with the driver's procfs folder present, the same library is loaded (in a child) and answers
    nv_machine.nvidia_procfs("580.65.06")
    from hatch_torch.detection.core import clear_cache

    clear_cache()
    assert probe(nv_machine.detect(), "nvidia.nvml").status == "found"
    assert marks.read_text().splitlines() == ["load", "init"]


def test_library_search_never_uses_the_current_directory(
    nv_machine: Machine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Empty, '.' and relative LD_LIBRARY_PATH entries mean the current directory to the loader: skipped."""
    cwd = tmp_path / "project"
    cwd.mkdir()
    (cwd / "libnvidia-ml.so.1").write_bytes(Path(str(nv_machine.nvml)).read_bytes())
    monkeypatch.chdir(cwd)
    marks = nv_machine.marks / "nvml"
    monkeypatch.setenv("FAKE_NVML_MARK", str(marks))
    nv_machine.nvidia_procfs("580.65.06")
    for value in ("", ":", ".", "::.:", "lib:.", "./"):
        nv_machine.env["LD_LIBRARY_PATH"] = value
        from hatch_torch.detection.core import clear_cache

        clear_cache()
        result = nv_machine.detect()
        assert probe(result, "nvidia.nvml").status == "nothing", value
        assert not marks.exists(), value
    from hatch_torch.detection.core import _probe

    ctx = _probe("/", "linux_x86_64", (("LD_LIBRARY_PATH", "::.:lib:/opt/nv/lib"),))
    paths = nvidia_nvml.candidates(ctx)
    assert all(os.path.isabs(p) for p in paths)
    assert paths[0] == "/opt/nv/lib/libnvidia-ml.so.1"
    assert not any(p.startswith(str(cwd)) for p in paths)


@pytest.mark.parametrize("include", ["/etc/ld.so.conf.d/*.conf", "ld.so.conf.d/*.conf"], ids=["debian", "fedora"])
def test_ld_so_conf_directories_are_searched(nv_machine: Machine, include: str) -> None:
    """/etc/ld.so.conf and its includes (absolute or relative to it) name where the driver's libraries live."""
    nv_machine.file("/etc/ld.so.conf", f"include {include}\n")
    nv_machine.file("/etc/ld.so.conf.d/nvidia.conf", "# driver\n/usr/local/nvidia/lib64\nrelative/dir\n")
    lib = nv_machine.root / "usr/local/nvidia/lib64/libnvidia-ml.so.1"
    lib.parent.mkdir(parents=True)
    lib.write_bytes(Path(str(nv_machine.nvml)).read_bytes())
    nv_machine.nvidia_procfs("580.65.06")
    nv_machine.nvml_answers("580.65.06", 13000, RTX_4090)
    result = nv_machine.detect()
    assert probe(result, "nvidia.nvml").status == "found"
    assert "usr/local/nvidia/lib64/libnvidia-ml.so.1" in probe(result, "nvidia.nvml").detail


def test_relative_nvml_library_setting_fails(machine: Machine) -> None:
    machine.env["HATCH_TORCH_NVML_LIBRARY"] = "libnvidia-ml.so.1"
    nvml = probe(machine.detect(), "nvidia.nvml")
    assert nvml.status == "failed"
    assert "not an absolute path" in nvml.detail


def test_a_fifo_in_place_of_the_library_is_not_loaded(machine: Machine) -> None:
    lib = machine.root / "usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1"
    lib.parent.mkdir(parents=True)
    os.mkfifo(lib)
    machine.nvidia_procfs("580.65.06")
    start = time.monotonic()
    result = machine.detect()
    assert time.monotonic() - start < 2
    assert probe(result, "nvidia.nvml").status == "nothing"


def test_windows_candidates_are_absolute_and_a_relative_windir_is_skipped(machine: Machine) -> None:
    from hatch_torch.detection.core import _probe

    ctx = _probe("/", "win_amd64", (("WINDIR", "."), ("ProgramFiles", "C:/Program Files")))
    assert nvidia_nvml.candidates(ctx) == ["C:/Program Files/NVIDIA Corporation/NVSMI/nvml.dll"]
    result = machine.detect(platform="win_amd64")
    assert probe(result, "nvidia.nvml").status == "nothing"  # simulating Windows here: no dll, no failure
