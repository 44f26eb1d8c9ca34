"""util.proc: bounded time and output, the whole process group ended, stdin fed."""

from __future__ import annotations

import sys
import time

import pytest

from hatch_torch.util import proc


def test_output_and_exit_status() -> None:
    done = proc.run(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"], env=None, timeout=10)
    assert (done.returncode, done.stdout, done.stderr) == (3, b"out\n", b"err\n")


def test_stdin_is_fed() -> None:
    data = b"x" * (1 << 18)  # more than a pipe buffer
    done = proc.run(
        [sys.executable, "-c", "import sys; print(len(sys.stdin.buffer.read()))"], env=None, timeout=30, stdin=data
    )
    assert done.stdout.strip() == str(len(data)).encode()


def test_flood_is_cut_at_the_limit() -> None:
    start = time.monotonic()
    with pytest.raises(proc.Flood, match="printed more than 4096 bytes"):
        proc.run(["/bin/cat", "/dev/zero"], env=None, timeout=10, limit=4096)
    assert time.monotonic() - start < 5


def test_timeout_ends_the_group() -> None:
    start = time.monotonic()
    with pytest.raises(proc.Timeout, match=r"timed out after 0\.3s"):
        proc.run(["/bin/sh", "-c", "/bin/sleep 30; echo never"], env=None, timeout=0.3)
    assert time.monotonic() - start < 3


def test_missing_program_is_an_oserror() -> None:
    with pytest.raises(FileNotFoundError):
        proc.run(["/nonexistent/tool"], env=None, timeout=1)
