"""`hatch-torch data update` against the local PyTorch-like index."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fake_index import FakeIndex

from hatch_torch.data.model import DATA_FILE
from hatch_torch.data.simple_index import project_files

BUNDLED: dict[str, Any] = json.loads(DATA_FILE.read_text())


def update(index_url: str, output: Path, *extra: str, data: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "", "HATCH_TORCH_DATA": str(data or DATA_FILE)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "hatch_torch",
            "data",
            "update",
            "--index-url",
            index_url,
            "--output",
            str(output),
            *extra,
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def facts(raw: dict[str, Any]) -> dict[str, Any]:
    """What the index can show: per release the companions, CPython tags and per-backend labels."""
    return {v: {k: r[k] for k in ("versions", "python", "backends")} for v, r in raw["releases"].items()}


def test_round_trip_reproduces_the_bundled_facts(tmp_path: Path) -> None:
    out = tmp_path / "releases.json"
    with FakeIndex(hashes=False) as index:
        proc = update(index.whl_url, out)
    assert proc.returncode == 0, proc.stderr
    assert "25 torch releases" in proc.stdout
    new = json.loads(out.read_text())
    assert facts(new) == facts(BUNDLED)  # git-hash torchvision wheels on the cpu index were ignored
    assert new["backends"]["cu130"]["driver"] == BUNDLED["backends"]["cu130"]["driver"]  # kept facts
    assert "IDX" in new["sources"]


def test_a_new_release_needs_no_code_change(tmp_path: Path) -> None:
    served = copy.deepcopy(BUNDLED)
    release = copy.deepcopy(served["releases"]["2.13.0"])
    release["versions"] = {"torchvision": "0.29.0"}
    release["backends"]["cu134"] = copy.deepcopy(release["backends"]["cu132"])
    for package in release["backends"]["cu134"].values():
        for platform in package:
            package[platform] = "cu134"
    served["releases"]["2.14.0"] = release
    served["backends"]["cu134"] = {"kind": "cuda"}
    served_file = tmp_path / "served.json"
    served_file.write_text(json.dumps(served))
    out = tmp_path / "releases.json"
    with FakeIndex(served_file, hashes=False) as index:
        proc = update(index.whl_url, out, *[f"--backend={b}" for b in ("cpu", "cu130", "cu132", "cu134")])
    assert proc.returncode == 0, proc.stderr
    assert "new: 2.14.0" in proc.stdout
    new = json.loads(out.read_text())
    assert new["releases"]["2.14.0"]["versions"] == {"torchvision": "0.29.0"}
    assert new["releases"]["2.14.0"]["backends"]["cu134"]["torch"]["linux_x86_64"] == "cu134"
    assert new["releases"]["2.14.0"]["source"] == ["IDX"]
    assert new["backends"]["cu134"]["kind"] == "cuda"
    pins = subprocess.run(
        [sys.executable, "-m", "hatch_torch", "pins", "--backend", "cu134", "torch", "torchvision"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "", "HATCH_TORCH_DATA": str(out)},
    ).stdout.splitlines()
    assert pins[0].startswith("torch==2.14.0+cu134;")
    assert pins[2].startswith("torchvision==0.29.0+cu134;")


@pytest.mark.parametrize("accept", ["application/vnd.pypi.simple.v1+json", "text/html"])
def test_reads_both_index_forms(accept: str) -> None:
    with FakeIndex(hashes=False) as index:
        files = project_files(f"{index.backend_url('cpu')}/torchvision/", accept=accept)
        missing = project_files(f"{index.backend_url('cpu')}/no-such-project/", accept=accept)
    assert files is not None
    assert "torchvision-0.24.1+d801a34-cp311-cp311-win_arm64.whl" in files
    assert any(f.startswith("torchvision-0.25.0+cpu-cp311-cp311-manylinux") for f in files)
    assert missing is None


def test_unreachable_index_is_a_clear_error(tmp_path: Path) -> None:
    proc = update("http://127.0.0.1:9/whl", tmp_path / "x.json", "--backend=cpu")
    assert proc.returncode == 2
    assert "cannot read http://127.0.0.1:9/whl/cpu/torch/" in proc.stderr
    assert "Fix: check --index-url" in proc.stderr
    assert not (tmp_path / "x.json").exists()
