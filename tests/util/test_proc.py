"""util.proc: bounded time and output, the whole process group ended, stdin fed; the same for the
subprocess-and-threads fallback (util.proc_threads) where posix_spawn is missing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest

from hatch_torch.util import proc, proc_threads


@pytest.fixture(params=["posix_spawn", "threads"])
def run(request: pytest.FixtureRequest) -> Callable[..., proc.Done]:
    if request.param == "threads":
        return lambda argv, **kw: proc_threads.run(argv, **{"limit": proc.LIMIT, "stdin": None, **kw})
    return proc.run


def test_output_and_exit_status(run: Any) -> None:
    done = run(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"], env=None, timeout=10)
    assert (done.returncode, done.stdout, done.stderr) == (3, b"out\n", b"err\n")


def test_stdin_is_fed(run: Any) -> None:
    data = b"x" * (1 << 18)  # more than a pipe buffer
    done = run(
        [sys.executable, "-c", "import sys; print(len(sys.stdin.buffer.read()))"], env=None, timeout=30, stdin=data
    )
    assert done.stdout.strip() == str(len(data)).encode()


def test_flood_is_cut_at_the_limit(run: Any) -> None:
    start = time.monotonic()
    with pytest.raises(proc.Flood, match="printed more than 4096 bytes"):
        run(["/bin/cat", "/dev/zero"], env=None, timeout=10, limit=4096)
    assert time.monotonic() - start < 5


def test_timeout_ends_the_group(run: Any) -> None:
    start = time.monotonic()
    with pytest.raises(proc.Timeout, match=r"timed out after 0\.3s"):
        run(["/bin/sh", "-c", "/bin/sleep 30; echo never"], env=None, timeout=0.3)
    assert time.monotonic() - start < 3


def test_missing_program_is_an_oserror(run: Any) -> None:
    with pytest.raises(FileNotFoundError):
        run(["/nonexistent/tool"], env=None, timeout=1)


def test_a_signal_is_a_negative_status(run: Any) -> None:
    assert run(["/bin/sh", "-c", "kill -9 $$"], env=None, timeout=10).returncode == -9


def test_the_environment_given_is_the_programs(run: Any) -> None:
    done = run(["/bin/sh", "-c", 'printf %s "$ONLY"'], env={"ONLY": "this"}, timeout=10)
    assert done.stdout == b"this"


def test_inheritable_descriptors_stay_out_of_the_program(run: Any) -> None:
    """A descriptor the caller marked inheritable (a build frontend's pipe) is closed in the tool, as
    subprocess does, so a tool that lingers cannot hold it open."""
    read_end, write_end = os.pipe()
    os.set_inheritable(write_end, True)
    try:
        code = f"import os; os.write({write_end}, b'x'); print('leaked')"
        done = run([sys.executable, "-c", code], env=None, timeout=30)
    finally:
        os.close(read_end)
        os.close(write_end)
    assert b"leaked" not in done.stdout
    assert done.returncode != 0


def test_a_program_named_without_a_directory_is_looked_up_on_path() -> None:
    assert proc.run(["sh", "-c", "echo found"], env=None, timeout=10).stdout == b"found\n"


def test_with_stdin_and_stdout_closed_the_program_still_gets_its_pipes() -> None:
    """Pipes made while 0-2 are closed take those numbers; the program must still see its own."""
    code = (
        "import os, sys\n"
        "from hatch_torch.util import proc\n"
        "os.close(0); os.close(1)\n"
        "done = proc.run(['/bin/sh', '-c', 'echo out; echo err >&2; cat'], env=None, timeout=10, stdin=b'in')\n"
        "sys.stderr.write(repr((done.returncode, done.stdout, done.stderr)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stderr == repr((0, b"out\nin", b"err\n"))
