"""NVIDIA: NVML against the compiled fake library, then sysfs/procfs, then nvidia-smi; the choice."""

from __future__ import annotations

import time

import pytest
from machines import Machine, probe

GTX_1080_TI = ("NVIDIA GeForce GTX 1080 Ti", "6.1")
V100 = ("Tesla V100-SXM2-32GB", "7.0")
RTX_5090 = ("NVIDIA GeForce RTX 5090", "12.0")
RTX_4090 = ("NVIDIA GeForce RTX 4090", "8.9")


def test_gtx_1080_ti_with_580_driver_gets_cu126(nv_machine: Machine) -> None:
    nv_machine.with_nvml("580.65.06", 13000, GTX_1080_TI)
    nv_machine.smi("0, GPU-x, should not run, 6.1, 580.65.06")
    result = nv_machine.detect()
    assert result.backend == "cu126"
    assert result.release == "2.13.0"
    found = [(d.name, d.arch, d.source) for d in result.devices]
    assert found == [("NVIDIA GeForce GTX 1080 Ti", "6.1", "nvidia.nvml")]
    assert result.versions["nvidia_driver"] == "580.65.06"
    assert result.versions["cuda_driver"] == "13.0"
    assert "sm list 7.5 8.0 8.6 9.0 10.0 12.0 +PTX 12.0" in result.rejected["cu130"]
    assert nv_machine.ran("nvidia-smi") == 0
    assert probe(result, "nvidia.smi").status == "skipped"


@pytest.mark.parametrize(("torch", "backend", "release"), [("<2.11", "cu128", "2.10.0"), (">=2.11", "cu126", "2.13.0")])
def test_v100_depends_on_the_torch_specifier(nv_machine: Machine, torch: str, backend: str, release: str) -> None:
    nv_machine.with_nvml("580.65.06", 13000, V100)
    result = nv_machine.detect(torch)
    assert (result.backend, result.release) == (backend, release)


def test_rtx_5090_with_575_driver_gets_cu128(nv_machine: Machine) -> None:
    nv_machine.with_nvml("575.57.08", 12090, RTX_5090)
    result = nv_machine.detect()
    assert (result.backend, result.release) == ("cu128", "2.11.0")
    assert "needs driver >= 580.0" in result.rejected["cu130"]
    assert "no kernels" in result.rejected["cu126"]
    assert "unofficial" in result.rejected["cu129"]


def test_rtx_4090_with_580_driver_gets_newest(nv_machine: Machine) -> None:
    nv_machine.with_nvml("580.65.06", 13000, RTX_4090)
    assert nv_machine.detect().backend == "cu132"


def test_multi_gpu_mix_needs_kernels_for_every_gpu(nv_machine: Machine) -> None:
    nv_machine.with_nvml("580.65.06", 13000, RTX_4090, GTX_1080_TI)
    assert nv_machine.detect().backend == "cu126"


@pytest.mark.parametrize(("visible", "backend"), [("0", "cu132"), ("1", "cu126"), ("GPU-fake-0", "cu132"), ("", "cpu")])
def test_cuda_visible_devices_narrows(nv_machine: Machine, visible: str, backend: str) -> None:
    nv_machine.with_nvml("580.65.06", 13000, RTX_4090, GTX_1080_TI, CUDA_VISIBLE_DEVICES=visible)
    result = nv_machine.detect()
    assert result.backend == backend
    assert any("CUDA_VISIBLE_DEVICES" in r for r in result.reasons)


def test_windows_platform_uses_windows_floor_and_lists(nv_machine: Machine) -> None:
    # 527.41 meets the Linux cu12x floor (525.60.13) but not the Windows one (528.33)
    nv_machine.with_nvml("527.41", 12000, ("NVIDIA GeForce RTX 3080", "8.6"))
    assert nv_machine.detect(platform="linux_x86_64").backend == "cu126"
    nv_machine.env["HATCH_TORCH_NVML_LIBRARY"] = str(nv_machine.nvml)
    assert nv_machine.detect(platform="win_amd64").backend == "cu118"


def test_wsl_reads_nvml_from_wsl_lib_and_uses_windows_floor(nv_machine: Machine) -> None:
    nv_machine.wsl()
    nv_machine.nvml_answers("527.41", 12000, ("NVIDIA GeForce RTX 3080", "8.6"))
    result = nv_machine.detect()
    assert probe(result, "nvidia.nvml").status == "found"
    assert "usr/lib/wsl/lib/libnvidia-ml.so.1" in probe(result, "nvidia.nvml").detail
    assert result.versions["wsl"] == "1"
    assert result.backend == "cu118"
    assert "(windows)" in result.rejected["cu126"]


def test_nvml_init_error_falls_back_to_sysfs_and_procfs(nv_machine: Machine) -> None:
    nv_machine.with_nvml("580.65.06", 13000, V100, FAKE_NVML_FAIL="nvmlInitWithFlags:9")
    nv_machine.nvidia_sysfs("575.57.08")
    nv_machine.nvidia_procfs("575.57.08", ["NVIDIA GeForce RTX 5090"])
    nv_machine.smi("0, GPU-x, should not run, 12.0, 575.57.08")
    result = nv_machine.detect()
    nvml = probe(result, "nvidia.nvml")
    assert nvml.status == "failed"
    assert "Driver Not Loaded" in nvml.detail
    assert probe(result, "nvidia.sysfs").status == "found"
    assert [(d.arch, d.source) for d in result.devices] == [("12.0", "nvidia.procfs")]
    assert result.backend == "cu128"
    assert nv_machine.ran("nvidia-smi") == 0
    assert any("probe nvidia.nvml failed" in r for r in result.reasons)


def test_nvml_device_error_leaves_arch_open_and_asks_nvidia_smi(nv_machine: Machine) -> None:
    nv_machine.with_nvml("580.65.06", 13000, V100, FAKE_NVML_FAIL="nvmlDeviceGetCudaComputeCapability:3")
    nv_machine.smi("0, GPU-v, Tesla V100-SXM2-32GB, 7.0, 580.65.06")
    result = nv_machine.detect(">=2.11")
    assert nv_machine.ran("nvidia-smi") == 1
    assert [(d.arch, d.source) for d in result.devices] == [("7.0", "nvidia.smi")]
    assert result.backend == "cu126"


def test_missing_nvml_library_is_reported(machine: Machine) -> None:
    machine.env["HATCH_TORCH_NVML_LIBRARY"] = str(machine.root / "nope" / "libnvidia-ml.so.1")
    result = machine.detect()
    assert probe(result, "nvidia.nvml").status == "nothing"
    assert "no NVML library" in probe(result, "nvidia.nvml").detail
    assert result.backend == "cpu"
    assert result.reasons[-1] == "no accelerator found: cpu"


def test_sysfs_and_procfs_answer_without_a_subprocess(machine: Machine) -> None:
    machine.nvidia_sysfs("580.65.06")
    machine.nvidia_procfs("580.65.06", ["NVIDIA GeForce GTX 1080 Ti"])
    machine.smi("0, GPU-x, should not run, 6.1, 580.65.06")
    result = machine.detect()
    assert result.backend == "cu126"
    assert machine.ran("nvidia-smi") == 0


def test_garbled_sysfs_fails_alone(machine: Machine) -> None:
    machine.nvidia_sysfs("not a version \x00\x01")
    machine.nvidia_procfs("575.57.08", ["NVIDIA GeForce RTX 5090"])
    result = machine.detect()
    assert probe(result, "nvidia.sysfs").status == "failed"
    assert result.versions["nvidia_driver"] == "575.57.08"
    assert result.backend == "cu128"


def test_unreadable_sysfs_fails_alone(machine: Machine) -> None:
    (machine.root / "sys/module/nvidia/version").mkdir(parents=True)  # reading a directory: an OSError
    machine.smi("0, GPU-a, NVIDIA GeForce RTX 4090, 8.9, 580.65.06")
    result = machine.detect()
    assert probe(result, "nvidia.sysfs").status == "failed"
    assert "cannot read /sys/module/nvidia/version" in probe(result, "nvidia.sysfs").detail
    assert result.backend == "cu132"


def test_nvidia_smi_reports_every_gpu(machine: Machine) -> None:
    machine.smi(
        "0, GPU-aaaa, NVIDIA GeForce RTX 4090, 8.9, 580.65.06",
        "1, GPU-bbbb, NVIDIA GeForce GTX 1080 Ti, 6.1, 580.65.06",
    )
    result = machine.detect()
    assert [d.arch for d in result.devices] == ["8.9", "6.1"]
    assert result.backend == "cu126"
    assert machine.ran("nvidia-smi") == 1


def test_old_nvidia_smi_without_compute_cap_falls_back_to_names(machine: Machine) -> None:
    machine.tool(
        "nvidia-smi",
        """
        case "$1" in *compute_cap*) echo 'Field "compute_cap" is not a valid field to query.' >&2; exit 2;; esac
        echo '0, GPU-v, Tesla V100-SXM2-16GB, 470.82.01'
        """,
    )
    result = machine.detect("<2.11")
    assert machine.ran("nvidia-smi") == 2
    assert [d.arch for d in result.devices] == ["7.0"]
    assert result.backend == "cu118"  # 470 is below every cu12x floor; cu118 has sm_70


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("echo 'NVIDIA-SMI has failed because it could not communicate with the driver' >&2; exit 9", "exited with 9"),
        ("echo '<html>garbage</html>'; echo '1,2'", "printed nothing usable"),
        ("exit 0", "printed nothing usable"),
    ],
)
def test_failing_nvidia_smi_fails_alone(machine: Machine, body: str, expected: str) -> None:
    machine.tool("nvidia-smi", body)
    result = machine.detect()
    assert probe(result, "nvidia.smi").status == "failed"
    assert expected in probe(result, "nvidia.smi").detail
    assert result.backend == "cpu"


def test_hanging_nvidia_smi_costs_its_timeout_once(machine: Machine) -> None:
    machine.env["HATCH_TORCH_TOOL_TIMEOUT"] = "0.5"
    machine.tool("nvidia-smi", "exec /bin/sleep 30")
    start = time.monotonic()
    result = machine.detect()
    assert time.monotonic() - start < 5
    assert "timed out after 0.5s" in probe(result, "nvidia.smi").detail
    assert result.backend == "cpu"
    from hatch_torch.detection.core import clear_cache

    clear_cache()  # as in another process of the same build
    start = time.monotonic()
    again = machine.detect()
    assert time.monotonic() - start < 0.4
    assert "hung earlier" in probe(again, "nvidia.smi").detail
    assert machine.ran("nvidia-smi") == 1


def test_a_plugin_that_raises_fails_alone(nv_machine: Machine, monkeypatch: pytest.MonkeyPatch) -> None:
    from hatch_torch.plugins import manager as _plugins
    from hatch_torch.plugins.spec import hookimpl

    class Broken:
        @hookimpl
        def hatch_torch_probe(self, context: object) -> None:
            raise RuntimeError("boom")

    plugins = _plugins.manager.__wrapped__("")
    plugins.pm.register(Broken(), name="broken")
    monkeypatch.setattr(_plugins, "current", lambda environ=None: plugins)
    nv_machine.with_nvml("580.65.06", 13000, RTX_4090)
    result = nv_machine.detect()
    assert probe(result, "plugin:broken").status == "failed"
    assert "RuntimeError: boom" in probe(result, "plugin:broken").detail
    assert result.backend == "cu132"


def test_permission_error_fails_alone(machine: Machine, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    real_open = os.open
    denied = str(machine.root / "proc/driver/nvidia/version")

    def guarded(path: str, *args: int, **kwargs: int) -> int:
        if str(path) == denied:  # the tests run as root, who may read a mode-000 file
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    machine.nvidia_procfs("580.65.06", [])
    machine.smi("0, GPU-a, NVIDIA GeForce RTX 4090, 8.9, 580.65.06")
    monkeypatch.setattr(os, "open", guarded)
    result = machine.detect()
    assert probe(result, "nvidia.procfs").status == "failed"
    assert "Permission denied" in probe(result, "nvidia.procfs").detail
    assert result.backend == "cu132"


def test_driver_only_machine_is_chosen_by_driver_and_says_so(machine: Machine) -> None:
    machine.nvidia_sysfs("575.57.08")
    result = machine.detect()
    assert [(d.name, d.source) for d in result.devices] == [("NVIDIA GPU (model unknown)", "nvidia.driver")]
    assert result.backend == "cu126"
    said = next(r for r in result.reasons if "compute capability of NVIDIA GPU (model unknown) unknown" in r)
    assert "not taken as fitting every backend" in said
    assert "widest range" in said
    assert "HATCH_TORCH_CUDA_ARCH" in said
    machine.env["CUDA_VISIBLE_DEVICES"] = "0"
    assert machine.detect().backend == "cu126"


@pytest.mark.parametrize(
    ("platform", "gpu", "driver", "torch", "backend"),
    [
        ("linux_aarch64", ("NVIDIA GH200 480GB", "9.0"), "580.65.06", None, "cu132"),
        ("linux_aarch64", ("NVIDIA GB10", "12.1"), "580.95.05", None, "cu132"),
        ("linux_aarch64", ("Tesla T4", "7.5"), "580.65.06", None, "cpu"),  # aarch64 wheels have no sm_75
        ("linux_x86_64", ("Tesla T4", "7.5"), "580.65.06", None, "cu132"),
        ("win_amd64", ("NVIDIA GeForce RTX 5090", "12.0"), "576.02", None, "cu128"),
        ("win_amd64", ("NVIDIA GeForce GTX 1080 Ti", "6.1"), "560.94", "<2.6", "cu124"),  # Windows lists sm_61
    ],
)
def test_kernel_lists_per_platform(
    nv_machine: Machine, platform: str, gpu: tuple[str, str], driver: str, torch: str | None, backend: str
) -> None:
    nv_machine.with_nvml(driver, 13000 if driver >= "580" else 12090, gpu)
    assert nv_machine.detect(torch, platform=platform).backend == backend
