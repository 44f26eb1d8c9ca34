"""util.isolate: a function in a child (forked or a fresh interpreter), its answer, its failures."""

from __future__ import annotations

import os
import time

import pytest

from hatch_torch.util import isolate

MODES = pytest.mark.parametrize("fork", [True, False], ids=["fork", "spawn"])


def echo(arg: object) -> object:
    return {"got": arg, "pid": os.getpid()}


def boom(arg: object) -> object:
    raise ValueError(f"bad {arg}")


def huge(arg: object) -> object:
    return "x" * (2 << 20)


def die(arg: object) -> object:
    os._exit(7)


def sleep(arg: object) -> object:
    time.sleep(60)
    return None


@MODES
def test_answer_comes_back_from_another_process(fork: bool) -> None:
    answer = isolate.call(f"{__name__}:echo", [1, "two"], 30, fork=fork)
    assert answer["got"] == [1, "two"]
    assert answer["pid"] != os.getpid()


@MODES
@pytest.mark.parametrize(
    ("target", "error", "said"),
    [
        ("boom", isolate.Failed, "raised ValueError: bad 3"),
        ("huge", isolate.Failed, "answered more than"),
        ("die", isolate.Failed, "exited with status 7 without answering"),
        ("sleep", isolate.Hung, "did not answer within 0.5s"),
    ],
)
def test_failures_are_named(fork: bool, target: str, error: type[Exception], said: str) -> None:
    timeout = 0.5 if target == "sleep" else 30
    start = time.monotonic()
    with pytest.raises(error, match=said):
        isolate.call(f"{__name__}:{target}", 3, timeout, fork=fork)
    assert time.monotonic() - start < timeout + 5
