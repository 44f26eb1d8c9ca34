"""Open only regular files, without blocking: a FIFO or a device in place of pyproject.toml or a wheel is
refused (checked before the open and again on the descriptor) instead of hanging or never ending."""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


class NotRegularFile(OSError):
    """The path exists but is not a regular file."""


def kind(mode: int) -> str:
    """``a FIFO``, ``a character device``... for messages."""
    return "a regular file" if stat.S_ISREG(mode) else _KINDS.get(stat.S_IFMT(mode), "a special file")


def _refuse(path: str | os.PathLike[str], mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise NotRegularFile(f"{os.fspath(path)} is {kind(mode)}, not a regular file")


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """``path`` opened for binary reading; FileNotFoundError if missing, NotRegularFile if it is not a regular
    file (symlinks are followed, but only to a regular file)."""
    _refuse(path, os.stat(path).st_mode)
    fd = os.open(path, _FLAGS)
    try:
        _refuse(path, os.fstat(fd).st_mode)  # swapped since the stat
        if _FLAGS & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
