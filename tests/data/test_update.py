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
    assert "28 torch releases" in proc.stdout  # 25 read from the index, 3 known from PyPI only
    new = json.loads(out.read_text())
    assert facts(new) == facts(BUNDLED)  # git-hash torchvision wheels on the cpu index were ignored
    assert new["backends"]["cu130"]["driver"] == BUNDLED["backends"]["cu130"]["driver"]  # kept facts
    assert "IDX" in new["sources"]
    assert new["companions"] == BUNDLED["companions"]
    assert new["updated"] > BUNDLED["updated"]


def test_a_new_release_needs_no_code_change(tmp_path: Path) -> None:
    served = copy.deepcopy(BUNDLED)
    release = copy.deepcopy(served["releases"]["2.13.0"])
    release["versions"] = {"torchvision": "0.29.0", "torchaudio": "2.11.1"}
    release["backends"]["cu134"] = copy.deepcopy(release["backends"]["cu132"])
    for package in release["backends"]["cu134"].values():
        for platform in package:
            package[platform] = "cu134"
    served["releases"]["2.14.0"] = {**release, "wheels": served["releases"]["2.14.0"]["wheels"]}
    served["backends"]["cu134"] = {"kind": "cuda"}
    served_file = tmp_path / "served.json"
    served_file.write_text(json.dumps(served))
    out = tmp_path / "releases.json"
    with FakeIndex(served_file, hashes=False) as index:
        proc = update(index.whl_url, out, *[f"--backend={b}" for b in ("cpu", "cu130", "cu132", "cu134")])
    assert proc.returncode == 0, proc.stderr
    assert "torch releases" in proc.stdout
    new = json.loads(out.read_text())
    assert new["releases"]["2.14.0"]["versions"] == {"torchvision": "0.29.0", "torchaudio": "2.11.1"}
    assert new["releases"]["2.14.0"]["backends"]["cu134"]["torch"]["linux_x86_64"] == "cu134"
    assert new["releases"]["2.14.0"]["source"] == ["PYPI"]  # known from PyPI before; the backends are new
    assert new["backends"]["cu134"]["kind"] == "cuda"
    pins = subprocess.run(
        [sys.executable, "-m", "hatch_torch", "pins", "--backend", "cu134", "torch", "torchvision"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "", "HATCH_TORCH_DATA": str(out)},
    ).stdout.splitlines()
    assert pins[0].startswith("torch==2.14.0+cu134;")
    assert any(p.startswith("torchvision==0.29.0+cu134;") for p in pins)


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


def _served_copy(tmp_path: Path, change: Any) -> Path:
    served = copy.deepcopy(BUNDLED)
    change(served)
    path = tmp_path / "served.json"
    path.write_text(json.dumps(served))
    return path


def test_a_backend_page_that_answers_404_stops_the_update(tmp_path: Path) -> None:
    out = tmp_path / "releases.json"
    with FakeIndex(hashes=False) as index:
        proc = update(index.whl_url, out, "--backend=cpu", "--backend=cu999", "--backend=cu998")
    assert proc.returncode == 2
    assert "/cu999/torch/ answered 404" in proc.stderr
    assert "/cu998/torch/ answered 404" in proc.stderr  # every problem at once
    assert "Nothing was written" in proc.stderr
    assert not out.exists()


def test_a_backend_that_would_lose_releases_stops_the_update(tmp_path: Path) -> None:
    def drop(raw: dict[str, Any]) -> None:
        del raw["releases"]["2.9.1"]["backends"]["cu130"]

    out = tmp_path / "releases.json"
    with FakeIndex(_served_copy(tmp_path, drop), hashes=False) as index:
        proc = update(index.whl_url, out, "--backend=cu130", "--backend=cpu")
    assert proc.returncode == 2
    assert "backend cu130: the index no longer lists torch 2.9.1" in proc.stderr
    assert "cpu" not in proc.stderr.split("Nothing was written")[0].split("cu130")[0]
    assert not out.exists()


@pytest.mark.parametrize(
    ("url", "needle"), [("http://download.pytorch.org/whl", "uses plain http"), ("file:///srv/whl", "is a file URL")]
)
def test_only_https_index_urls(tmp_path: Path, url: str, needle: str) -> None:
    proc = update(url, tmp_path / "x.json", "--backend=cpu")
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert not (tmp_path / "x.json").exists()


def test_default_output_is_the_user_data_dir_and_the_newer_data_wins(tmp_path: Path) -> None:
    env = {"PATH": "", "XDG_DATA_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path)}
    command = [sys.executable, "-m", "hatch_torch"]
    before = subprocess.run([*command, "backends"], capture_output=True, text=True, check=True, env=env).stdout
    assert "(bundled;" in before.splitlines()[0]
    with FakeIndex(hashes=False) as index:
        proc = subprocess.run(
            [*command, "data", "update", "--index-url", index.whl_url],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
    assert proc.returncode == 0, proc.stderr
    written = tmp_path / "xdg" / "hatch-torch" / "releases.json"
    assert written.is_file()
    assert DATA_FILE.read_text() == json.dumps(BUNDLED, indent=1) + "\n"  # the installed package is untouched
    after = subprocess.run([*command, "backends"], capture_output=True, text=True, check=True, env=env).stdout
    assert f"release data: {written} (user data from hatch-torch data update" in after
    detect = subprocess.run([*command, "detect", "-v"], capture_output=True, text=True, check=True, env=env).stdout
    assert f"release data: {written}" in detect
    stale = json.loads(written.read_text())
    stale["updated"] = "2000-01-01T00:00:00+00:00"
    written.write_text(json.dumps(stale))
    older = subprocess.run([*command, "backends"], capture_output=True, text=True, check=True, env=env).stdout
    assert "(bundled (newer than the user data at" in older
