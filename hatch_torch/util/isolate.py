"""Call a function where a hang or a crash (SIGSEGV, ``_exit``) of native code cannot take us down.

``call("package.module:function", arg, timeout)`` runs the function in a child process and returns
what it returned (JSON in, JSON out). The child is a fork of this process where that is safe (POSIX,
no other Python thread running: a millisecond or two), else a fresh interpreter (``-I -S``, this
process's ``sys.path`` handed over explicitly: tens of milliseconds). Either way the child leads its
own process group, which is killed whole when the deadline passes.
"""

from __future__ import annotations

import contextlib
import faulthandler
import importlib
import json
import os
import select
import signal
import sys
import threading
import time
import warnings
from typing import Any

from hatch_torch.util import proc

LIMIT = 1 << 20  # bytes of answer a child may send


class Failed(Exception):
    """The child hung, crashed, exited without answering, or the function raised (the message says which)."""


class Hung(Failed):
    """The child did not answer before the deadline (it was killed)."""


def can_fork() -> bool:
    """Forking is cheap and safe here: POSIX, and no other Python thread that could hold a lock the child needs."""
    return hasattr(os, "fork") and threading.active_count() == 1


def call(target: str, arg: Any, timeout: float, *, fork: bool | None = None) -> Any:
    """``target(arg)`` in a child process, within ``timeout`` seconds; Failed when it does not answer."""
    use_fork = can_fork() if fork is None else fork
    return _decode(_forked(target, arg, timeout) if use_fork else _spawned(target, arg, timeout))


def _run(target: str, arg: Any) -> bytes:
    """In the child: the function's answer (or what it raised) as JSON."""
    module, _, name = target.partition(":")
    try:
        answer = {"ok": getattr(importlib.import_module(module), name)(arg)}
    except Exception as exc:  # reported to the parent, which raises Failed
        answer = {"raised": f"{type(exc).__name__}: {exc}"}
    return json.dumps(answer).encode()


def _decode(data: bytes) -> Any:
    try:
        answer = json.loads(data)
    except ValueError:
        raise Failed(f"answered garbage: {data[:60]!r}") from None
    if not isinstance(answer, dict) or not ({"ok", "raised"} & answer.keys()):
        raise Failed(f"answered garbage: {data[:60]!r}")
    if "raised" in answer:
        raise Failed(f"raised {answer['raised']}")
    return answer["ok"]


def _forked(target: str, arg: Any, timeout: float) -> bytes:
    read_end, write_end = os.pipe()
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns when other (non-Python) threads exist; the deadline bounds a stuck child
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError as exc:
        os.close(read_end)
        os.close(write_end)
        raise Failed(f"could not fork: {exc.strerror or exc}") from None
    if pid == 0:  # the child: never returns into the caller's code
        try:
            os.setpgid(0, 0)
            faulthandler.disable()  # a crash is reported by the parent, not as a Python traceback here
            os.close(read_end)
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 0)
            os.dup2(devnull, 1)  # the library's chatter must not end up in our stdout (e.g. detect --json)
            data = _run(target, arg)
            while data:
                data = data[os.write(write_end, data) :]
        finally:
            os._exit(0)
    os.close(write_end)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also from this side, so the group exists before any kill
    try:
        data = _collect(read_end, time.monotonic() + timeout, timeout)
        _, status = os.waitpid(pid, 0)
    except BaseException:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
        raise
    finally:
        os.close(read_end)
    if os.WIFSIGNALED(status):
        raise Failed(f"crashed ({_signal_name(os.WTERMSIG(status))})")
    code = os.WEXITSTATUS(status)
    if not data:
        raise Failed(f"exited with status {code} without answering")
    return data


def _collect(fd: int, deadline: float, timeout: float) -> bytes:
    data = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise Hung(f"did not answer within {timeout:g}s")
        chunk = os.read(fd, 65536)
        if not chunk:
            return bytes(data)
        data += chunk
        if len(data) > LIMIT:
            raise Failed(f"answered more than {LIMIT} bytes")


_BOOT = (
    "import json, sys\n"
    "a = json.loads(sys.stdin.read())\n"
    "sys.path[:0] = a['path']\n"
    "from hatch_torch.util.isolate import _run\n"
    "sys.stdout.buffer.write(_run(a['target'], a['arg']))\n"
)


def _spawned(target: str, arg: Any, timeout: float) -> bytes:
    if not sys.executable:
        raise Failed("no Python interpreter to run it in (sys.executable is empty)")
    payload = json.dumps({"path": [p for p in sys.path if os.path.isabs(p)], "target": target, "arg": arg})
    try:
        done = proc.run(
            [sys.executable, "-I", "-S", "-c", _BOOT], env=None, timeout=timeout, limit=LIMIT, stdin=payload.encode()
        )
    except proc.Timeout:
        raise Hung(f"did not answer within {timeout:g}s") from None
    except proc.Flood:
        raise Failed(f"answered more than {LIMIT} bytes") from None
    except OSError as exc:
        raise Failed(f"could not start {sys.executable}: {exc.strerror or exc}") from None
    if done.returncode < 0:
        raise Failed(f"crashed ({_signal_name(-done.returncode)})")
    if not done.stdout:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise Failed(f"exited with status {done.returncode} without answering" + (f": {err[-1]}" if err else ""))
    return done.stdout


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
