"""Vendor tools that flood, hang behind a wrapper, or live in the current directory; timeout values.

Floods run detection in a fresh interpreter that reports its own peak memory (``ru_maxrss``), so the
bound is measured on the process that holds the output, not guessed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from machines import Machine, probe
from test_faults_nvml import gone

from hatch_torch.util.errors import ConfigurationError

VALID = "0, GPU-a, NVIDIA GeForce RTX 4090, 8.9, 580.65.06"
MEASURE = """
import json, resource, sys, time
from hatch_torch.detection.core import detect
root, env = sys.argv[1], json.loads(sys.argv[2])
start = time.monotonic()
result = detect(root=root, environ=env, platform="linux_x86_64")
print(json.dumps({
    "seconds": time.monotonic() - start,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "probes": {p.probe: [p.status, p.detail] for p in result.probes},
    "backend": result.backend,
}))
"""
#: (tool, script body, probe, words its failure must contain)
FLOODS = [
    ("nvidia-smi", "exec /bin/cat /dev/zero", "nvidia.smi", "printed more than"),
    ("nvidia-smi", f"exec /usr/bin/yes '{VALID}'", "nvidia.smi", "printed more than"),
    ("nvidia-smi", "exec /bin/cat /dev/zero >&2", "nvidia.smi", "printed more than"),
    ("nvidia-smi", f"while :; do echo '{VALID}'; /bin/sleep 0.01; done", "nvidia.smi", "timed out after 1s"),
    ("rocminfo", "exec /usr/bin/yes '  Name: gfx1100'", "amd.rocminfo", "printed more than"),
    ("rocm_agent_enumerator", "exec /bin/cat /dev/zero", "amd.rocm_agent_enumerator", "printed more than"),
]


@pytest.mark.parametrize(("tool", "body", "name", "said"), FLOODS, ids=[f"{t}:{b[:24]}" for t, b, _, _ in FLOODS])
def test_flooding_tool_ends_within_the_timeout_with_bounded_memory(
    machine: Machine, tool: str, body: str, name: str, said: str
) -> None:
    if tool != "nvidia-smi":
        machine.file("/dev/kfd", "")  # the AMD tools run only where ROCm could use a GPU
    machine.tool(tool, body)
    machine.env["HATCH_TORCH_TOOL_TIMEOUT"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(machine.root), json.dumps(machine.env)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(out.stdout)
    status, detail = report["probes"][name]
    assert status == "failed"
    assert said in detail
    assert report["seconds"] < 1 + 4
    assert report["rss_mb"] < 150, report["rss_mb"]  # a few MiB of output at most, over the interpreter
    assert report["backend"] == "cpu"


def test_a_wrapper_scripts_children_die_with_it(machine: Machine, tmp_path: Path) -> None:
    pidfile = tmp_path / "sleep.pid"
    machine.tool("nvidia-smi", f"/bin/sleep 60 &\necho $! > '{pidfile}'\nwait\n")
    machine.env["HATCH_TORCH_TOOL_TIMEOUT"] = "0.5"
    result = machine.detect()
    assert "timed out after 0.5s" in probe(result, "nvidia.smi").detail
    assert gone(int(pidfile.read_text()))


def test_a_child_holding_the_output_open_does_not_outlive_the_timeout(machine: Machine, tmp_path: Path) -> None:
    """The tool exits at once but leaves a child writing to its stdout: the deadline still holds."""
    pidfile = tmp_path / "sleep.pid"
    machine.tool("nvidia-smi", f"/bin/sleep 60 &\necho $! > '{pidfile}'\necho '{VALID}'\n")
    machine.env["HATCH_TORCH_TOOL_TIMEOUT"] = "0.5"
    start = time.monotonic()
    result = machine.detect()
    assert time.monotonic() - start < 3
    assert "timed out" in probe(result, "nvidia.smi").detail
    assert gone(int(pidfile.read_text()))


def test_tools_in_the_current_directory_are_never_run(
    machine: Machine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty PATH entry, '.' or a relative one means the current directory (a project being built)."""
    project = tmp_path / "project"
    (project / "bin").mkdir(parents=True)
    for where in (project, project / "bin"):
        script = where / "nvidia-smi"
        script.write_text(f"#!/bin/sh\necho run >> '{machine.marks}/cwd-smi'\necho '{VALID}'\n")
        script.chmod(0o755)
    monkeypatch.chdir(project)
    for path in ("", ":", ".", f"::{machine.bin}", f".:{machine.bin}", "bin", "./bin"):
        machine.env["PATH"] = path
        from hatch_torch.detection.core import clear_cache

        clear_cache()
        result = machine.detect()
        assert probe(result, "nvidia.smi").detail == "nvidia-smi is not on PATH", path
        assert machine.ran("cwd-smi") == 0
    machine.env["PATH"] = f":{project}"  # the same directory named absolutely is an explicit choice
    clear_cache()
    assert probe(machine.detect(), "nvidia.smi").status == "found"


def test_the_old_driver_retry_runs_only_for_the_missing_field(machine: Machine) -> None:
    failure = "echo 'Unable to determine the device handle for GPU0000:01:00.0: Unknown Error' >&2; exit 15"
    machine.tool("nvidia-smi", failure)
    result = machine.detect()
    assert "exited with 15" in probe(result, "nvidia.smi").detail
    assert machine.ran("nvidia-smi") == 1


@pytest.mark.parametrize("value", ["0", "0.0", "-1", "nan", "inf", "1e3", "\uff15", "9" * 5000, "1" * 6, "2.5s", "abc"])
def test_a_bad_tool_timeout_is_a_clear_error(machine: Machine, value: str) -> None:
    machine.env["HATCH_TORCH_TOOL_TIMEOUT"] = value
    with pytest.raises(ConfigurationError) as info:
        machine.detect()
    message = str(info.value)
    assert "HATCH_TORCH_TOOL_TIMEOUT=" in message
    assert "Fix: set it to a number above 0" in message
    assert len(message) < 300  # a value of thousands of digits is cut, not echoed


@pytest.mark.parametrize(("value", "seconds"), [("0.25", 0.25), (" 7 ", 7.0), ("", 5.0)])
def test_good_tool_timeouts(machine: Machine, value: str, seconds: float) -> None:
    from hatch_torch.detection.probe import seconds as parse

    assert parse({"HATCH_TORCH_TOOL_TIMEOUT": value}) == seconds
    machine.env["HATCH_TORCH_TOOL_TIMEOUT"] = value
    assert machine.detect().backend == "cpu"


def test_cli_reports_a_bad_timeout_and_a_missing_root(tmp_path: Path) -> None:
    env = {**os.environ, "HATCH_TORCH_TOOL_TIMEOUT": "0"}
    bad = subprocess.run(
        [sys.executable, "-m", "hatch_torch", "detect"], capture_output=True, text=True, env=env, check=False
    )
    assert bad.returncode == 2
    assert "HATCH_TORCH_TOOL_TIMEOUT='0' is not a timeout" in bad.stderr
    assert "Traceback" not in bad.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "hatch_torch", "detect", "--root", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2
    assert "is not a directory" in missing.stderr
    assert "backend" not in missing.stdout


def test_a_relative_rocm_path_is_not_read_from_the_current_directory(
    machine: Machine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / "rocm/.info").mkdir(parents=True)
    (project / "rocm/.info/version").write_text("6.4.1\n")
    monkeypatch.chdir(project)
    machine.kfd(110000)
    machine.env["ROCM_PATH"] = "rocm"
    result = machine.detect()
    assert "not an absolute path" in probe(result, "amd.rocm_version").detail
    assert "rocm" not in result.versions
