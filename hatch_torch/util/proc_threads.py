""":func:`hatch_torch.util.proc.run` where ``posix_spawn`` is missing (Windows): :mod:`subprocess`, one
thread per pipe. Same contract: a process group of its own, killed whole on a timeout or a flood.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from typing import IO

from hatch_torch.util.proc import Done, Flood, Timeout


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group ``proc`` leads (the process alone where groups do not exist)."""
    with contextlib.suppress(OSError):
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()


class _Drain(threading.Thread):
    """Read a pipe into memory until EOF or until more than ``limit`` bytes came."""

    def __init__(self, pipe: IO[bytes], limit: int, wake: threading.Event) -> None:
        super().__init__(daemon=True)
        self.pipe, self.limit, self.wake = pipe, limit, wake
        self.data = bytearray()
        self.flooded = self.finished = False

    def run(self) -> None:
        try:
            read = getattr(self.pipe, "read1", self.pipe.read)
            while chunk := read(65536):
                self.data += chunk
                if len(self.data) > self.limit:
                    self.flooded = True
                    return
        except (OSError, ValueError):
            pass
        finally:
            self.finished = True
            self.wake.set()


def _feed(pipe: IO[bytes], data: bytes) -> None:
    with contextlib.suppress(OSError, ValueError), pipe:
        pipe.write(data)


def run(argv: list[str], *, env: Mapping[str, str] | None, timeout: float, limit: int, stdin: bytes | None) -> Done:
    """Run ``argv`` with ``stdin`` as its input (default /dev/null); Timeout, Flood, or OSError when it
    cannot start."""
    deadline = time.monotonic() + timeout
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=None if env is None else dict(env),
        start_new_session=hasattr(os, "setsid"),
    )
    wake = threading.Event()
    assert proc.stdout is not None
    assert proc.stderr is not None
    drains = [_Drain(proc.stdout, limit, wake), _Drain(proc.stderr, limit, wake)]
    try:
        if stdin is not None:
            assert proc.stdin is not None
            threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True).start()
        for d in drains:
            d.start()
        while True:
            wake.clear()  # before the check, so a drain finishing after it still wakes the wait
            if all(d.finished for d in drains) or any(d.flooded for d in drains):
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not wake.wait(remaining):
                raise Timeout(f"timed out after {timeout:g}s")
        if any(d.flooded for d in drains):
            raise Flood(f"printed more than {limit} bytes")
        try:
            returncode = _wait(proc, deadline)
        except subprocess.TimeoutExpired:
            raise Timeout(f"timed out after {timeout:g}s") from None
    except BaseException:
        kill_group(proc)
        raise
    finally:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            proc.wait(1)
        for d, pipe in zip(drains, (proc.stdout, proc.stderr), strict=True):
            d.join(0.5)  # a child that escaped the group may hold the pipe: then leave it to the thread
            if not d.is_alive():
                pipe.close()
    return Done(returncode, bytes(drains[0].data), bytes(drains[1].data))


def _wait(proc: subprocess.Popen[bytes], deadline: float) -> int:
    """Wait for the exit until the deadline. With a pidfd (Linux) the exit wakes us at once; ``Popen.wait``
    with a timeout polls with growing sleeps (half a millisecond, then one, then two...)."""
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is not None and proc.returncode is None:
        try:
            fd = pidfd_open(proc.pid)
        except OSError:
            fd = -1
        if fd >= 0:
            try:
                import select

                if not select.select([fd], [], [], max(deadline - time.monotonic(), 0))[0]:
                    raise subprocess.TimeoutExpired(proc.args, deadline)
            finally:
                os.close(fd)
    return proc.wait(max(deadline - time.monotonic(), 0))
