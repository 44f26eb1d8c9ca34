"""The atomic writer on real file systems: symlinks written through, owner and mode kept, mixed line endings
kept, a full disk reported as such (a tiny tmpfs in a private mount namespace), special files never read."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from buildkit import tool

from hatch_torch.cli import main
from hatch_torch.util import atomic

SEED = '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = ["torch>=2.9.1"]\n'
OTHER_UID = 54321


def sources(project: Path, *args: str) -> int:
    return main(["sources", "--project", str(project), "--backend", "cpu", *args])


def test_a_symlinked_pyproject_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "pyproject.toml").write_text(SEED)
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").symlink_to(Path("..") / "real" / "pyproject.toml")
    assert sources(project) == 0
    link = project / "pyproject.toml"
    assert link.is_symlink()
    assert os.readlink(link) == str(Path("..") / "real" / "pyproject.toml")
    assert "[[tool.uv.index]]" in (real / "pyproject.toml").read_text()
    assert sorted(p.name for p in project.iterdir()) == ["pyproject.toml"]
    assert sorted(p.name for p in real.iterdir()) == ["pyproject.toml"]  # no temporary file left
    assert sources(project, "--check") == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_owner_group_and_mode_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(SEED)
    os.chown(path, OTHER_UID, OTHER_UID)
    path.chmod(0o640)
    assert sources(tmp_path) == 0
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (OTHER_UID, OTHER_UID, 0o640)
    assert "[[tool.uv.index]]" in path.read_text()


@pytest.fixture
def shared() -> Iterator[Path]:
    """A directory every user can reach and write (pytest's own temporary folders are private to root)."""
    path = Path(tempfile.mkdtemp(prefix="hatch-torch-test-"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path)


@pytest.fixture
def readable_packages() -> Iterator[Path]:
    """hatch-torch and what ``sources`` imports, copied where a second user can read them.

    The interpreter's own site-packages may not be readable to that user (a root umask of 077 when they were
    installed), nor may the checkout: the test is about the writer, not about how this machine was set up.
    """
    import packaging
    import tomlkit

    import hatch_torch

    lib = Path(tempfile.mkdtemp(prefix="hatch-torch-lib-"))
    for module in (hatch_torch, tomlkit, packaging):
        source = Path(module.__file__ or "").parent
        shutil.copytree(source, lib / source.name, ignore=shutil.ignore_patterns("__pycache__"))
    for folder, _, files in os.walk(lib):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    yield lib
    shutil.rmtree(lib)


@pytest.mark.skipif(os.geteuid() != 0, reason="running as a second user needs root (setpriv)")
def test_another_users_writable_file_is_not_taken_over(shared: Path, readable_packages: Path) -> None:
    """A second user (setpriv) may write the file but not chown it: replacing it would make it theirs."""
    tmp_path = shared
    path = tmp_path / "pyproject.toml"
    path.write_text(SEED)
    path.chmod(0o666)
    command = [tool("setpriv"), f"--reuid={OTHER_UID}", f"--regid={OTHER_UID}", "--clear-groups"]
    probe = subprocess.run([*command, sys.executable, "-c", "pass"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:  # seen with a pyenv CPython 3.12 whose libpython the loader refuses to another user
        pytest.skip(f"this interpreter does not start as a second user here: {probe.stderr.strip()[:200]}")
    command += [sys.executable, "-m", "hatch_torch", "sources", "--project", str(tmp_path), "--backend", "cpu"]
    env = {"PATH": "", "HOME": "/", "PYTHONPATH": str(readable_packages), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(command, capture_output=True, text=True, check=False, env=env, cwd=readable_packages)
    assert proc.returncode == 2, proc.stderr
    assert "belongs to user 0" in proc.stderr
    assert "nothing was written" in proc.stderr
    assert path.read_text() == SEED
    assert path.stat().st_uid == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml"]


def test_mixed_line_endings_stay_as_they_were(tmp_path: Path) -> None:
    text = SEED.replace('name = "app"\n', 'name = "app"\r\n').replace('version = "0.1.0"\n', 'version = "0.1.0"\r\n')
    path = tmp_path / "pyproject.toml"
    path.write_bytes(text.encode())
    assert sources(tmp_path) == 0
    after = path.read_bytes()
    assert after.startswith(text.encode().split(b"dependencies")[0])  # the original lines, endings and all
    assert after.count(b"\r\n") == 2  # the new lines end like most of the file's lines: \n
    assert sources(tmp_path, "--check") == 0


def test_a_mostly_crlf_file_gets_crlf_new_lines(tmp_path: Path) -> None:
    text = SEED.replace("\n", "\r\n").replace('name = "app"\r\n', 'name = "app"\n')
    path = tmp_path / "pyproject.toml"
    path.write_bytes(text.encode())
    assert sources(tmp_path) == 0
    after = path.read_bytes()
    assert after.count(b"\n") - after.count(b"\r\n") == 1  # only the one LF line the user had
    assert b'name = "app"\n' in after


def _private_tmpfs_allowed() -> str | None:
    probe = subprocess.run(
        [tool("unshare"), "-m", "--propagation", "private", "sh", "-c", "mount -t tmpfs none /mnt"],
        capture_output=True,
        text=True,
        check=False,
    )
    return None if probe.returncode == 0 else f"private mount namespaces are not permitted here: {probe.stderr}"


def test_a_full_disk_is_reported_as_a_full_disk(tmp_path: Path) -> None:
    if problem := _private_tmpfs_allowed():
        pytest.skip(problem)
    disk = tmp_path / "disk"
    disk.mkdir()
    script = f"""
set -e
mount -t tmpfs -o size=64k none {disk}
printf '%s' '{SEED}' > {disk}/pyproject.toml
cp {disk}/pyproject.toml {tmp_path}/before
dd if=/dev/zero of={disk}/fill bs=4k 2>/dev/null || true
set +e
{sys.executable} -m hatch_torch sources --project {disk} --backend cpu
echo "rc=$?"
cmp {disk}/pyproject.toml {tmp_path}/before && echo unchanged
ls -a {disk}
"""
    proc = subprocess.run(
        [tool("unshare"), "-m", "--propagation", "private", "sh", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert "rc=2" in proc.stdout, proc.stdout + proc.stderr
    assert "the disk holding" in proc.stderr
    assert "is full" in proc.stderr
    assert "check permissions" not in proc.stderr
    assert "unchanged" in proc.stdout
    assert proc.stdout.split("unchanged", 1)[1].split() == [".", "..", "fill", "pyproject.toml"]


@pytest.mark.parametrize("special", ["fifo", "device"])
def test_a_special_file_in_place_of_pyproject_is_refused_without_blocking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], special: str
) -> None:
    path = tmp_path / "pyproject.toml"
    if special == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    done: list[int] = []
    worker = threading.Thread(target=lambda: done.append(sources(tmp_path)), daemon=True)
    worker.start()
    worker.join(10)
    assert done == [2], "sources blocked on a special file"
    named = "a FIFO" if special == "fifo" else "a character device"
    assert f"pyproject.toml is {named}, not a regular file; nothing was read. Fix: " in capsys.readouterr().err
    with pytest.raises(atomic.FileError, match="not a regular file"):
        atomic.write_text(path, "x")
