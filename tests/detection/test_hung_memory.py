"""The hang memory against another local user: planted folders, links and markers.

A second user is played by ``setpriv`` with an unused uid (the tests run as root; that is what lets one
process be both users). The shared temp dir is a fresh sticky, world-writable folder like /tmp.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from machines import Machine, probe

from hatch_torch.detection import hung
from hatch_torch.detection.core import clear_cache

OTHER = 4242  # no such user needs to exist
pytestmark = pytest.mark.skipif(
    not hasattr(os, "getuid") or os.getuid() != 0, reason="playing a second user with setpriv needs root"
)


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A sticky world-writable temp dir both users can reach (pytest's own tmp_path is 0700)."""
    base = Path(tempfile.mkdtemp(prefix="ht-shared-", dir="/tmp"))
    base.chmod(0o1777)
    monkeypatch.setattr("tempfile.tempdir", str(base))
    yield base
    shutil.rmtree(base, ignore_errors=True)


def as_other(*argv: str) -> None:
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to act as a second user"
    subprocess.run([setpriv, f"--reuid={OTHER}", f"--regid={OTHER}", "--clear-groups", *argv], check=True)


@pytest.fixture
def hanging(machine: Machine) -> Path:
    machine.env["HATCH_TORCH_TOOL_TIMEOUT"] = "0.3"
    return machine.tool("nvidia-smi", "exec /bin/sleep 30")


def detect_twice(machine: Machine) -> tuple[str, str]:
    first = probe(machine.detect(), "nvidia.smi").detail
    clear_cache()
    second = probe(machine.detect(), "nvidia.smi").detail
    return first, second


def test_own_folder_remembers_and_no_one_else_can_write_it(machine: Machine, shared: Path, hanging: Path) -> None:
    first, second = detect_twice(machine)
    assert "timed out" in first
    assert "hung earlier" in second
    assert machine.ran("nvidia-smi") == 1
    folder = Path(hung.folder())
    info = folder.lstat()
    assert stat.S_ISDIR(info.st_mode)
    assert stat.S_IMODE(info.st_mode) == 0o700
    with pytest.raises(subprocess.CalledProcessError):
        as_other("/bin/sh", "-c", f"echo x > '{folder}/planted'")


def test_a_folder_planted_by_another_user_is_not_used(
    machine: Machine, shared: Path, hanging: Path, tmp_path: Path
) -> None:
    """The other user creates our folder first, with a link where the marker goes and a marker that would
    silence the tool: nothing is written through the link, the planted marker is ignored."""
    victim = tmp_path / "victim"
    victim.write_text("root's secret\n")
    victim.chmod(0o600)
    folder = Path(hung.folder())
    marker = folder / hung._name(str(hanging))
    as_other("/bin/mkdir", "-m", "0777", str(folder))
    as_other("/bin/ln", "-s", str(victim), str(marker))
    first, second = detect_twice(machine)
    assert "timed out" in first
    assert "timed out" in second  # no memory: the tool runs (and times out) again
    assert victim.read_text() == "root's secret\n"
    assert marker.is_symlink()
    # a marker file planted to silence the probe is not believed either
    marker.unlink()
    as_other("/bin/touch", str(marker))
    clear_cache()
    assert "timed out" in probe(machine.detect(), "nvidia.smi").detail
    assert machine.ran("nvidia-smi") == 3


def test_a_link_in_place_of_our_folder_is_not_followed(
    machine: Machine, shared: Path, hanging: Path, tmp_path: Path
) -> None:
    target = tmp_path / "roots-dir"  # a directory root owns: following the link would write there
    target.mkdir(mode=0o700)
    as_other("/bin/ln", "-s", str(target), hung.folder())
    first, second = detect_twice(machine)
    assert "timed out" in first
    assert "timed out" in second
    assert list(target.iterdir()) == []


def test_our_folder_made_writable_by_others_is_not_used(machine: Machine, shared: Path, hanging: Path) -> None:
    os.mkdir(hung.folder(), 0o700)
    os.chmod(hung.folder(), 0o777)
    first, second = detect_twice(machine)
    assert "timed out" in first
    assert "timed out" in second
    assert os.listdir(hung.folder()) == []


def test_a_link_planted_in_our_folder_is_replaced_not_followed(
    machine: Machine, shared: Path, hanging: Path, tmp_path: Path
) -> None:
    """Even inside our own folder (say, left by an older version) a link where a marker goes is not followed."""
    victim = tmp_path / "victim"
    victim.write_text("keep\n")
    os.mkdir(hung.folder(), 0o700)
    marker = Path(hung.folder()) / hung._name(str(hanging))
    marker.symlink_to(victim)
    first, second = detect_twice(machine)
    assert "timed out" in first
    assert "hung earlier" in second
    assert victim.read_text() == "keep\n"
    assert not marker.is_symlink()
    assert stat.S_IMODE(marker.lstat().st_mode) == 0o600
