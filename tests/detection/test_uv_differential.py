"""Differential test against uv's ``--torch-backend=auto`` on the same simulated driver.

uv reads ``/sys/module/nvidia/version``; a private mount namespace (``unshare -m`` as root) presents a
fake one to uv and to ``hatch-torch detect`` alike. Where we differ, it is on purpose, and the test
checks that our result names the reason (uv's index is missing from the data or rejected by us).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from buildkit import tool, uv_command

from hatch_torch.data.model import load

UV = uv_command()
UNSHARE = tool("unshare")

#: driver -> our pick for the newest torch when only the driver is known. Measured with uv 0.13.9, uv takes
#: cu118, cu118, cu129, cu129, cu129, cu129, cu132, cu132: its cu129 index has torch 2.13 only as an
#: unofficial Linux-only extra build, which we do not pick by ourselves; and with the GPU unknown we take,
#: among the backends of the newest release, the one with kernels for the widest range of GPUs (cu126:
#: Maxwell to Hopper), not the newest (cu132: Turing to Blackwell), and say so.
DRIVER_ONLY = {
    "450.80.02": "cu118",
    "470.82.01": "cu118",
    "525.60.13": "cu126",
    "535.104.05": "cu126",
    "560.35.03": "cu126",
    "575.57.08": "cu126",
    "580.65.06": "cu126",
    "595.58.03": "cu126",
}

SCRIPT = r"""
set -e
mount -t tmpfs none /sys/module
mkdir -p /sys/module/nvidia
if [ -d /proc/driver ]; then mount -t tmpfs none /proc/driver; fi
for driver in $DRIVERS; do
  printf '%s\n' "$driver" > /sys/module/nvidia/version
  uvpick=$(uv pip compile "$REQ" --torch-backend=auto --offline --no-cache -v 2>&1 \
    | grep -oE 'download\.pytorch\.org/whl/[a-z0-9.]+/torch/' | cut -d/ -f3 | sort -u | tr '\n' ' ')
  ours=$("$PYTHON" -m hatch_torch detect --json --platform linux_x86_64)
  printf '{"driver": "%s", "uv": "%s", "ours": %s}\n' "$driver" "$uvpick" "$(echo "$ours" | tr -d '\n')"
done
"""


def _namespace_problem() -> str | None:
    if sys.platform != "linux":
        return "mount namespaces are Linux-only"
    if UV is None or UNSHARE is None:
        return "needs uv and unshare on PATH"
    if os.geteuid() != 0:
        return "needs root for unshare -m and tmpfs mounts"
    probe = subprocess.run(
        [UNSHARE, "-m", "--propagation", "private", "sh", "-c", "mount -t tmpfs none /sys/module"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        return f"private mount namespaces are not permitted here: {probe.stderr.decode().strip()}"
    return None


@pytest.fixture(scope="module")
def differential(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    if problem := _namespace_problem():
        pytest.skip(problem)
    assert UV is not None
    assert UNSHARE is not None
    tmp = tmp_path_factory.mktemp("uvdiff")
    req = tmp / "requirements.txt"
    req.write_text("torch\n")
    env = {
        "PATH": os.pathsep.join([str(Path(UV).parent), "/usr/bin", "/bin"]),
        "HOME": str(tmp),
        "DRIVERS": " ".join(DRIVER_ONLY),
        "REQ": str(req),
        "PYTHON": sys.executable,
        "HATCH_TORCH_DISABLE_PLUGINS": "all",
        "HATCH_TORCH_NVML_LIBRARY": str(tmp / "no-nvml" / "libnvidia-ml.so.1"),
        "HATCH_TORCH_XPU": "0",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    done = subprocess.run(
        [UNSHARE, "-m", "--propagation", "private", "sh", "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    for row in rows:
        # uv asks every compatible index at once (in no fixed order) and prefers the newest
        row["uv_indexes"] = row["uv"].split()
        row["uv"] = max(row["uv_indexes"], key=_cuda_number, default="")
    return {row["driver"]: row for row in rows}


def _cuda_number(backend: str) -> int:
    return int(backend[2:]) if backend[2:].isdigit() else -1


@pytest.mark.parametrize("driver", list(DRIVER_ONLY))
def test_same_driver_same_or_explained(differential: dict[str, dict[str, object]], driver: str) -> None:
    row = differential[driver]
    ours = row["ours"]
    assert isinstance(ours, dict)
    assert ours["versions"]["nvidia_driver"] == driver  # we read the namespace's fake file, as uv did
    assert ours["backend"] == DRIVER_ONLY[driver]
    uv = str(row["uv"])
    assert uv.startswith("cu")
    if uv != ours["backend"]:
        # uv's index has no torch at all, or we rejected it and say why, or uv does not know our newer one
        data = load()
        older = _cuda_number(uv) < _cuda_number(ours["backend"])
        explained = uv not in data.backends or uv in ours["rejected"] or older
        assert explained, f"uv picks {uv}, we pick {ours['backend']} without saying why not {uv}"


def test_agreement_where_the_driver_decides(differential: dict[str, dict[str, object]]) -> None:
    agree = [d for d, row in differential.items() if row["uv"] == row["ours"]["backend"]]  # type: ignore[index]
    assert {"450.80.02", "470.82.01"} <= set(agree)
    assert str(differential["580.65.06"]["uv"]).startswith("cu13")


@pytest.mark.parametrize(
    ("driver", "model", "ours", "why"),
    [
        ("580.65.06", "NVIDIA GeForce GTX 1080 Ti", "cu126", "no kernels for NVIDIA GeForce GTX 1080 Ti sm_61"),
        ("575.57.08", "NVIDIA GeForce RTX 5090", "cu128", "unofficial Linux-only extra"),
    ],
)
def test_knowing_the_gpu_we_choose_better(
    differential: dict[str, dict[str, object]], tmp_path: Path, driver: str, model: str, ours: str, why: str
) -> None:
    """Same driver as uv saw; we also read the GPU model from procfs, so kernels decide too."""
    from hatch_torch.detection.core import detect

    gpu = tmp_path / "proc/driver/nvidia/gpus/0000:01:00.0"
    gpu.mkdir(parents=True)
    (gpu / "information").write_text(f"Model: \t {model}\nDevice Minor: \t 0\n")
    (tmp_path / "proc/driver/nvidia/version").write_text(f"NVRM version: NVIDIA UNIX x86_64 Kernel Module  {driver}\n")
    (tmp_path / "sys/module/nvidia").mkdir(parents=True)
    (tmp_path / "sys/module/nvidia/version").write_text(driver + "\n")
    env = {"PATH": str(tmp_path), "HATCH_TORCH_DISABLE_PLUGINS": "all"}
    result = detect(root=tmp_path, environ=env, platform="linux_x86_64")
    uv = str(differential[driver]["uv"])
    assert result.backend == ours
    assert uv != ours
    assert why in result.rejected[uv]
