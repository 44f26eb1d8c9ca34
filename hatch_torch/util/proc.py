"""Run a program that may hang, flood its output or leave children behind.

The program runs in a session (so a process group) of its own; on a timeout or an output flood the
whole group is killed (a shell wrapper's ``sleep`` with it). At most ``limit`` bytes of output (and as
many of errors) are ever held. File descriptors this process lets children inherit are closed in it,
as :mod:`subprocess` does.

On POSIX the program starts through ``os.posix_spawn``, its pipes are read with ``poll`` in the calling
thread and its exit is awaited on a pidfd (Linux): neither :mod:`subprocess` nor :mod:`threading` is
imported, which in a fresh process (a build's detection that runs ``nvidia-smi``) cost several
milliseconds. Without ``posix_spawn`` (Windows), or for a program named without a directory,
:mod:`hatch_torch.util.proc_threads` does the same with subprocess and a thread per pipe.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping
from typing import Any

from hatch_torch.util.record import Record

LIMIT = 1 << 20  # bytes of stdout (and of stderr) a tool may print
_CHUNK = 65536
_SIGKILL = 9  # signal.SIGKILL on every POSIX system (the signal module builds enums when imported)


class Timeout(OSError):
    """The program did not finish within the deadline (its process group was killed)."""


class Flood(OSError):
    """The program printed more than the limit (its process group was killed)."""


class Done(Record):
    returncode: int
    stdout: bytes
    stderr: bytes


def run(
    argv: list[str], *, env: Mapping[str, str] | None, timeout: float, limit: int = LIMIT, stdin: bytes | None = None
) -> Done:
    """Run ``argv`` with ``stdin`` as its input (default /dev/null); Timeout, Flood, or OSError when it
    cannot start."""
    if not hasattr(os, "posix_spawn") or "/" not in argv[0]:
        from hatch_torch.util import proc_threads

        return proc_threads.run(argv, env=env, timeout=timeout, limit=limit, stdin=stdin)
    deadline = time.monotonic() + timeout
    pid, fds = _spawn(argv, os.environ if env is None else env, stdin is not None)
    try:
        out, err = _collect(fds, stdin or b"", deadline, timeout, limit)
        returncode = _exit_status(pid, deadline, timeout)
    except BaseException:
        with contextlib.suppress(OSError):
            os.killpg(pid, _SIGKILL)
        with contextlib.suppress(OSError):  # reap it; one stuck in the kernel is left behind
            _exit_status(pid, time.monotonic() + 1, 1)
        raise
    finally:
        for fd in fds:
            if fd >= 0:
                os.close(fd)
    return Done(returncode, out, err)


def _spawn(argv: list[str], env: Mapping[str, str], feed: bool) -> tuple[int, list[int]]:
    """Start the program; (pid, [stdout, stderr, stdin] pipe ends of ours, -1 for no stdin pipe)."""
    ends: list[int] = []
    try:
        for _ in range(3 if feed else 2):
            ends += map(_above_stdio, os.pipe())  # close-on-exec: only the dup2'd copies reach the child
        actions: list[tuple[Any, ...]] = [(os.POSIX_SPAWN_DUP2, ends[1], 1), (os.POSIX_SPAWN_DUP2, ends[3], 2)]
        if feed:
            actions.append((os.POSIX_SPAWN_DUP2, ends[4], 0))
        else:
            actions.append((os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0))
        actions += [(os.POSIX_SPAWN_CLOSE, fd) for fd in _inheritable()]
        try:
            pid = os.posix_spawn(argv[0], argv, env, file_actions=actions, setsid=True)
        except NotImplementedError:  # no POSIX_SPAWN_SETSID: a process group is what the kill needs
            pid = os.posix_spawn(argv[0], argv, env, file_actions=actions, setpgroup=0)
    except BaseException:
        for fd in ends:
            os.close(fd)
        raise
    for fd in (ends[1], ends[3], *ends[4:5]):  # the child's ends, which it has now
        os.close(fd)
    return pid, [ends[0], ends[2], ends[5] if feed else -1]


def _above_stdio(fd: int) -> int:
    """``fd`` moved above 0-2 (with stdin/stdout/stderr closed a pipe could take their numbers, and a
    dup2 onto itself would leave the child's copy close-on-exec)."""
    if fd > 2:
        return fd
    import fcntl

    try:
        return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)
    finally:
        os.close(fd)


def _inheritable() -> list[int]:
    """Descriptors above 2 this process would let a child inherit (subprocess closes them too)."""
    for where in ("/proc/self/fd", "/dev/fd"):
        try:
            names = os.listdir(where)
        except OSError:
            continue
        found = []
        for name in names:
            fd = int(name) if name.isdigit() else -1
            if fd > 2:
                try:
                    if os.get_inheritable(fd):
                        found.append(fd)
                except OSError:  # the listing's own descriptor, closed by now
                    pass
        return found
    return []


def _collect(fds: list[int], data: bytes, deadline: float, timeout: float, limit: int) -> tuple[bytes, bytes]:
    """Read stdout and stderr to their end (and write ``data`` to stdin) before the deadline."""
    import select

    poller = select.poll()
    held = {fds[0]: bytearray(), fds[1]: bytearray()}
    for fd in held:
        poller.register(fd, select.POLLIN)
    pending = memoryview(data)
    if fds[2] >= 0:
        os.set_blocking(fds[2], False)
        poller.register(fds[2], select.POLLOUT)
    reading = 2
    while reading:
        for fd, _ in poller.poll(_ms(deadline, timeout)):
            if fd == fds[2]:
                try:
                    pending = pending[os.write(fd, pending[:_CHUNK]) :]
                except BlockingIOError:
                    continue
                except OSError:  # the program closed its stdin: it wants no more
                    pending = pending[:0]
                if not pending:
                    poller.unregister(fd)
                    os.close(fd)
                    fds[2] = -1
                continue
            chunk = os.read(fd, _CHUNK)
            if not chunk:
                poller.unregister(fd)
                reading -= 1
                continue
            got = held[fd]
            got += chunk
            if len(got) > limit:
                raise Flood(f"printed more than {limit} bytes")
    return bytes(held[fds[0]]), bytes(held[fds[1]])


def _ms(deadline: float, timeout: float) -> int:
    """Milliseconds left for a poll (rounded up, so it never wakes early and spins); Timeout when none."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Timeout(f"timed out after {timeout:g}s")
    return int(remaining * 1000) + 1


def _exit_status(pid: int, deadline: float, timeout: float) -> int:
    """The exit status (negative: the signal that ended it) once it exits, before the deadline. On a
    pidfd (Linux) the exit wakes us at once; elsewhere ``waitpid`` is polled with growing sleeps."""
    pidfd_open = getattr(os, "pidfd_open", None)
    fd = -1
    if pidfd_open is not None:
        try:
            fd = pidfd_open(pid)
        except OSError:
            fd = -1
    if fd >= 0:
        import select

        try:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            while not poller.poll(_ms(deadline, timeout)):
                pass
        finally:
            os.close(fd)
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    delay = 0.0005
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(min(delay, _ms(deadline, timeout) / 1000))
        delay = min(delay * 2, 0.05)
