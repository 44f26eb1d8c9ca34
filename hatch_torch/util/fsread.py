"""Reads that cannot block or flood: regular files only, opened non-blocking, at most ``limit`` bytes.

A FIFO, a device, a socket in place of a file (``/proc/driver/nvidia/version``, a sysfs attribute,
pyproject.toml, a wheel) is refused before it is opened, and checked again on the open descriptor.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}
_CHUNK = 1 << 16
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


class NotRegularFile(OSError):
    """The path exists but is not a regular file (reading it could block or never end)."""


class TooLarge(OSError):
    """The file holds more than the caller allows."""


def kind(mode: int) -> str:
    """What a ``st_mode`` is, for messages: ``a FIFO``, ``a character device``, ``a regular file``..."""
    return "a regular file" if stat.S_ISREG(mode) else _KINDS.get(stat.S_IFMT(mode), "a special file")


def _refuse(path: str | os.PathLike[str], mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise NotRegularFile(f"{os.fspath(path)} is {kind(mode)}, not a regular file")


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a regular file for binary reading; FileNotFoundError if missing, NotRegularFile if special.

    Symlinks are followed, but only to a regular file: a link into /dev is refused like the device.
    """
    _refuse(path, os.stat(path).st_mode)  # before open: opening some devices has effects of its own
    fd = os.open(path, _FLAGS)
    try:
        _refuse(path, os.fstat(fd).st_mode)  # the path may have been swapped since the stat
        if _FLAGS & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)  # regular files never block; plain reads from here on
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: str | os.PathLike[str], limit: int, *, truncate: bool = False) -> bytes:
    """At most ``limit`` bytes of a regular file. More than that raises TooLarge, or with ``truncate``
    returns the first ``limit`` bytes."""
    _refuse(path, os.stat(path).st_mode)  # as open_regular does, without a file object (sysfs reads add up)
    fd = os.open(path, _FLAGS)
    try:
        info = os.fstat(fd)
        _refuse(path, info.st_mode)
        chunks = []
        size = 0
        while size <= limit:  # a regular file: O_NONBLOCK changes nothing for reads
            chunk = os.read(fd, min(limit + 1 - size, _CHUNK))  # os.read allocates what it is asked for
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size == info.st_size:
                break  # all the size says it holds (no read to find the end; sysfs and procfs sizes never fit)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        if not truncate:
            raise TooLarge(f"{os.fspath(path)} is larger than {limit} bytes")
        data = data[:limit]
    return data


def read_text(path: str | os.PathLike[str], limit: int, *, truncate: bool = False, errors: str = "strict") -> str:
    """:func:`read_bytes` decoded as UTF-8 (``errors`` as for ``bytes.decode``)."""
    return read_bytes(path, limit, truncate=truncate).decode("utf-8", errors)


def listdir(path: str | os.PathLike[str], limit: int = 4096) -> list[str]:
    """Sorted names in a directory, at most ``limit`` of them (TooLarge beyond)."""
    names: list[str] = []
    with os.scandir(path) as entries:
        for entry in entries:
            if len(names) == limit:
                raise TooLarge(f"{os.fspath(path)} has more than {limit} entries")
            names.append(entry.name)
    return sorted(names)
