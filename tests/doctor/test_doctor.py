"""``hatch-torch doctor`` against real virtualenvs that real uv and pip fill from the local index, with deliberate
mismatches; detection sees only the fake machines of tests/detection (a fake root and PATH), never this host."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import uv
from buildkit import build_env, run
from fake_index import FakeIndex, WheelSpec, build_wheel
from family_plugin import plugged
from machines import Machine

from hatch_torch.data.family import load, with_plugins
from hatch_torch.detection.core import clear_cache
from hatch_torch.doctor import report as _report
from hatch_torch.doctor.report import Report, diagnose

pytestmark = pytest.mark.integration

UV = uv.find_uv_bin()
RTX_4090 = "NVIDIA GeForce RTX 4090"
PYTORCH = "https://download.pytorch.org/whl"
PYG = "https://data.pyg.org/whl/torch-{torch}+{backend}.html"


def new_env(path: Path, tool: str = "uv") -> Path:
    """An empty virtualenv made by ``uv venv`` or by ``virtualenv`` (which seeds pip)."""
    if tool == "uv":
        run([UV, "venv", "--no-config", "--python", sys.executable, str(path)], build_env())
    else:
        run([sys.executable, "-m", "virtualenv", "--no-periodic-update", "-q", str(path)], build_env())
    return path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def uv_install(python: Path, index: FakeIndex, backend: str | None, *args: str) -> None:
    """``uv pip install`` from the fake PyPI, with the backend's fake index first (as uv ranks extra indexes)."""
    extra = ["--extra-index-url", index.backend_url(backend)] if backend else []
    command = [UV, "pip", "install", "--no-config", "--no-cache", "--python", str(python)]
    run([*command, "--index-url", index.pypi_url, *extra, *args], build_env())


def pip_install(python: Path, index: FakeIndex, backend: str | None, *args: str) -> None:
    extra = ["--extra-index-url", index.backend_url(backend)] if backend else []
    command = [str(python), "-m", "pip", "install", "-q", "--no-cache-dir", "--index-url", index.pypi_url]
    run([*command, *extra, *args], build_env())


def apply(fix: str, index: FakeIndex) -> None:
    """Run a finding's fix against the local index: the same command, with the real hosts swapped for it."""
    words = shlex.split(fix.split(" (", maxsplit=1)[0])
    assert words[:2] == ["uv", "pip"], fix
    for part in " ".join(words).split(" && "):
        command = [UV, *shlex.split(part)[1:]]
        command.insert(3, "--no-config")
        if "--index-url" in command:
            at = command.index("--index-url")
            backend = command[at + 1].removeprefix(PYTORCH + "/")
            command[at : at + 2] = ["--index-url", index.pypi_url, "--extra-index-url", index.backend_url(backend)]
        elif command[2] == "install":
            command += ["--index-url", index.pypi_url]
        if "--find-links" in command:
            at = command.index("--find-links") + 1
            command[at] = command[at].replace("https://data.pyg.org/whl", f"{index.url}/pyg/whl")
        run(command, build_env())


def doctor(python: Path, machine: Machine) -> Report:
    clear_cache()  # probing is cached per process and root; these tests change the machine under one root
    return diagnose(str(python), root=machine.root, environ=machine.env)


def gpu(machine: Machine, driver: str) -> Machine:
    machine.nvidia_procfs(driver, [RTX_4090])
    return machine


def only(report: Report, check: str) -> dict[str, object]:
    found = [f.to_dict() for f in report.findings if f.check == check]
    assert len(found) == 1, report.text()
    return found[0]


def test_cu128_torch_with_a_cpu_torchvision(torch_index: FakeIndex, tmp_path: Path, machine: Machine) -> None:
    python = new_env(tmp_path / "env")
    uv_install(python, torch_index, "cu128", "torch==2.10.0+cu128")
    uv_install(python, torch_index, "cpu", "torchvision==0.25.0+cpu")
    report = doctor(python, machine)
    assert not report.ok
    finding = only(report, "companion")
    assert finding["packages"] == ["torchvision"]
    assert "build +cpu, but torch 2.10.0+cu128 needs +cu128" in str(finding["message"])
    assert "torchvision==0.25.0+cu128 --index-url https://download.pytorch.org/whl/cu128" in str(finding["fix"])

    command = [sys.executable, "-m", "hatch_torch", "doctor", "--python", str(python), "--root", str(machine.root)]
    env = {**build_env(), **machine.env}
    done = subprocess.run([*command, "--json"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    answer = json.loads(done.stdout)
    assert answer["torch"] == {"version": "2.10.0+cu128", "backend": "cu128", "kind": "cuda", "pypi": False}
    assert [f["check"] for f in answer["findings"]] == ["companion"]
    text = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert text.returncode == 1
    assert "error: [companion] torchvision 0.25.0+cpu does not fit torch 2.10.0+cu128" in text.stdout
    assert "  fix: uv pip install" in text.stdout

    apply(str(finding["fix"]), torch_index)
    after = doctor(python, machine)
    assert after.findings == [], after.text()
    assert subprocess.run(command, env=env, capture_output=True, text=True, check=False).returncode == 0


def test_cuda_12_and_13_runtimes_and_both_onnxruntimes(
    torch_index: FakeIndex, tmp_path: Path, machine: Machine
) -> None:
    python = new_env(tmp_path / "env", tool="virtualenv")
    cuda_13 = ["torch==2.10.0+cu130", "nvidia-cublas", "nvidia-cuda-runtime"]
    cuda_12 = ["nvidia-cublas-cu12", "nvidia-cuda-runtime-cu12"]
    pip_install(python, torch_index, "cu130", *cuda_13, *cuda_12, "onnxruntime", "onnxruntime-gpu")
    report = doctor(python, machine)
    nvidia = only(report, "nvidia")
    assert nvidia["packages"] == ["nvidia-cublas-cu12", "nvidia-cuda-runtime-cu12"]
    assert "uses CUDA 13" in str(nvidia["message"])
    assert "CUDA 12: nvidia-cublas-cu12, nvidia-cuda-runtime-cu12; CUDA 13: nvidia-cublas" in str(nvidia["message"])
    conflict = only(report, "conflict")
    assert conflict["packages"] == ["onnxruntime", "onnxruntime-gpu"]
    assert str(conflict["fix"]).endswith("onnxruntime-gpu==1.23.2")
    for finding in (nvidia, conflict):
        apply(str(finding["fix"]), torch_index)
    after = doctor(python, machine)
    assert after.findings == [], after.text()
    assert after.env.get("onnxruntime-gpu") is not None
    assert after.env.get("onnxruntime") is None


def test_a_clean_environment_reports_nothing(torch_index: FakeIndex, tmp_path: Path, machine: Machine) -> None:
    python = new_env(tmp_path / "env", tool="virtualenv")
    family = ["torch==2.10.0+cu128", "torchvision==0.25.0+cu128", "xformers==0.0.34+cu128", "fbgemm-gpu==1.5.0+cu128"]
    pyg = torch_index.pyg_url.format(torch="2.10.0", backend="cu128")
    pip_install(python, torch_index, "cu128", *family, "torchao==0.16.0+cu128", "torch-scatter", "--find-links", pyg)
    report = doctor(python, gpu(machine, "580.65.06"))
    assert report.findings == [], report.text()
    assert report.ok
    assert {"triton", "xformers", "fbgemm-gpu", "torchao", "torch-scatter"} <= set(report.env.dists)
    assert report.backend is not None
    assert report.backend.startswith("cu")
    done = subprocess.run(
        [sys.executable, "-m", "hatch_torch", "doctor", "--python", str(python), "--root", str(machine.root)],
        env={**build_env(), **machine.env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "nothing found that does not fit" in done.stdout


def test_cpu_build_on_a_gpu_machine(torch_index: FakeIndex, tmp_path: Path, machine: Machine) -> None:
    python = new_env(tmp_path / "env")
    uv_install(python, torch_index, "cpu", "torch==2.10.0+cpu", "torchvision==0.25.0+cpu")
    assert doctor(python, machine).findings == []  # no GPU: cpu is right
    report = doctor(python, gpu(machine, "580.65.06"))
    finding = only(report, "cpu-on-gpu")
    assert RTX_4090 in str(finding["message"])
    assert "detection chooses cu130 for torch 2.10.0" in str(finding["message"])
    assert "torch==2.10.0+cu130 torchvision==0.25.0+cu130 --index-url https://download.pytorch.org/whl/cu130" in str(
        finding["fix"]
    )
    apply(str(finding["fix"]), torch_index)
    assert doctor(python, machine).findings == []


def test_a_driver_below_the_builds_floor(torch_index: FakeIndex, tmp_path: Path, machine: Machine) -> None:
    python = new_env(tmp_path / "env")
    uv_install(python, torch_index, "cu130", "torch==2.10.0+cu130")
    report = doctor(python, gpu(machine, "550.54.15"))
    finding = only(report, "driver")
    assert "needs an NVIDIA driver >= 580" in str(finding["message"])
    assert "found 550.54.15" in str(finding["message"])
    assert "torch==2.10.0+cu128 --index-url https://download.pytorch.org/whl/cu128" in str(finding["fix"])


def test_companions_built_for_another_torch(torch_index: FakeIndex, tmp_path: Path, machine: Machine) -> None:
    python = new_env(tmp_path / "env")
    uv_install(python, torch_index, "cu128", "torch==2.10.0+cu128")
    uv_install(python, torch_index, "cu128", "--no-deps", "xformers==0.0.33.post1+cu128")
    pyg = torch_index.pyg_url.format(torch="2.9.0", backend="cu128")
    uv_install(python, torch_index, None, "torch-scatter", "--find-links", pyg)
    uv_install(python, torch_index, None, "--no-deps", "triton==3.5.0")
    report = doctor(python, machine)
    triton = next(f.to_dict() for f in report.findings if f.packages == ["triton"])
    assert "triton 3.5.0 does not fit" in str(triton["message"])
    assert "torch's own metadata asks for" in str(triton["message"])
    assert str(triton["fix"]).endswith(" triton==3.6.0")
    xformers = next(f.to_dict() for f in report.findings if f.packages == ["xformers"])
    assert "xformers 0.0.35 goes with torch 2.10.0+cu128" in str(xformers["message"])  # the newest for 2.10
    assert "xformers==0.0.35+cu128" in str(xformers["fix"])
    pyg_finding = only(report, "pyg")
    assert "+pt29cu128" in str(pyg_finding["message"])
    assert "needs the +pt210cu128 build" in str(pyg_finding["message"])
    assert PYG.format(torch="2.10.0", backend="cu128") in str(pyg_finding["fix"])
    for finding in (triton, xformers, pyg_finding):
        apply(str(finding["fix"]), torch_index)
    assert doctor(python, machine).findings == []


def test_pyg_has_no_build_for_the_newest_torch(torch_index: FakeIndex, tmp_path: Path, machine: Machine) -> None:
    python = new_env(tmp_path / "env")
    uv_install(python, torch_index, "cu130", "torch==2.13.0+cu130")
    pyg = torch_index.pyg_url.format(torch="2.12.0", backend="cu130")
    uv_install(python, torch_index, None, "torch-scatter", "--find-links", pyg)
    finding = only(doctor(python, machine), "pyg")
    assert "PyG publishes no torch-scatter builds for torch 2.13" in str(finding["fix"])


def test_an_unreadable_interpreter_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hatch_torch", "doctor", "--python", str(tmp_path / "nope")],
        env=build_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "--python" in done.stderr
    assert "Fix: pass a Python interpreter" in done.stderr


def test_a_member_a_plugin_adds_is_checked(
    torch_index: FakeIndex, tmp_path: Path, machine: Machine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plugin's family member (no code change) is checked like torchvision: the wrong build is found."""
    python = new_env(tmp_path / "env")
    uv_install(python, torch_index, "cu128", "torch==2.10.0+cu128")
    wheel = build_wheel(WheelSpec("torchcodec", "0.8.0+cpu", "py3", "none", "any"))
    path = tmp_path / "torchcodec-0.8.0+cpu-py3-none-any.whl"
    path.write_bytes(wheel.wheel)
    run([UV, "pip", "install", "--no-config", "--python", str(python), str(path)], build_env())
    assert doctor(python, machine).findings == []  # not a member of the bundled family
    monkeypatch.setattr(_report, "load_family", lambda: with_plugins(load(), plugged()))
    finding = only(doctor(python, machine), "companion")
    assert "torchcodec 0.8.0+cpu does not fit torch 2.10.0+cu128" in str(finding["message"])
    assert "version 0.8.0, but torchcodec 0.9.0 goes with" in str(finding["message"])
    assert "torchcodec==0.9.0+cu128 --index-url https://download.pytorch.org/whl/cu128" in str(finding["fix"])


def test_the_local_index_serves_the_family_with_real_names_and_labels(torch_index: FakeIndex) -> None:
    assert "xformers-0.0.34+cu128-cp311-cp311-manylinux_2_28_x86_64.whl" in torch_index.filenames("cu128", "xformers")
    assert "fbgemm_gpu-1.5.0+rocm7.1-cp311-cp311-manylinux_2_28_x86_64.whl" in torch_index.filenames(
        "rocm7.1", "fbgemm-gpu"
    )
    assert "torchao-0.16.0+cpu-cp311-cp311-win_amd64.whl" in torch_index.filenames("cpu", "torchao")
    assert torch_index.filenames("cpu", "xformers") == []  # xformers has no cpu build
    page = torch_index.find_links_page("torch-2.8.0+cu128")
    assert page is not None
    assert b"torch_scatter-2.1.2+pt28cu128-cp312-cp312-linux_x86_64.whl" in page
    assert b"pt29" not in page
    assert torch_index.find_links_page("torch-2.13.0+cu130") is None  # PyG has no page for torch 2.13
