"""Read and replace a text file so that a failed or interrupted write leaves the original byte for byte.

A symlink is written through (the link stays, its target gets the new text); the file keeps its owner, group
and permission bits; errors say what happened (disk full, read-only file system, no permission).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from hatch_torch.util.errors import HatchTorchError
from hatch_torch.util.fsread import NotRegularFile, kind, open_regular


class FileError(HatchTorchError):
    """A file could not be read or written."""


def read_text(path: Path) -> str:
    """The file's text, with its own line endings kept (no newline translation).

    Only regular files are read: a FIFO or a device in place of the file would block or never end.
    """
    try:
        with open_regular(path) as f:
            return f.read().decode("utf-8")
    except FileNotFoundError:
        raise FileError(
            f"{path} does not exist. Fix: pass --project DIR with the directory of pyproject.toml."
        ) from None
    except NotRegularFile as exc:
        raise FileError(f"{exc}; nothing was read. Fix: replace it with the real file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileError(f"{path} cannot be read ({exc}). Fix: make it a readable UTF-8 file.") from None


def check_writable(path: Path) -> None:
    """Refuse files without write permission bits, even for root, who could otherwise replace them."""
    mode = path.stat().st_mode
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        raise FileError(
            f"{path} is read-only; nothing was written. Fix: make it writable (chmod u+w {path.name}) "
            f"or use --dry-run to see the changes."
        )


def _why(exc: OSError, where: Path) -> str:
    """What an OSError means for the user, and the fix."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"the disk holding {where} is full ({exc.strerror}). Fix: free some space, then rerun."
    if exc.errno == errno.EROFS:
        return f"{where} is on a read-only file system. Fix: remount it read-write or work on a copy."
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"no permission ({exc.strerror}). Fix: make {where} writable for you."
    return f"{exc.strerror or exc}. Fix: check the file and its directory, then rerun."


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``path`` and rename it over ``path`` in one step.

    A symlink is followed: its final target is replaced and the link kept. The original's owner, group and
    permission bits are kept (a new file gets 0o644); when they cannot be kept (another user's file that is
    writable to us), nothing is written. If anything fails before the rename, including an interrupt, the
    temporary file is removed and ``path`` is untouched.
    """
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        info: os.stat_result | None = target.stat()
    except FileNotFoundError:
        info = None
    if info is not None:
        if not stat.S_ISREG(info.st_mode):
            raise FileError(f"{path} is {kind(info.st_mode)}, not a regular file; nothing was written.")
        check_writable(target)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise FileError(
            f"cannot create a temporary file next to {target}; nothing was written: {_why(exc, target.parent)}"
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            if info is not None and (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
                try:
                    os.fchown(f.fileno(), info.st_uid, info.st_gid)
                except PermissionError:
                    raise FileError(
                        f"{path} belongs to user {info.st_uid} (group {info.st_gid}); replacing it would hand it to "
                        f"you, so nothing was written. Fix: run as its owner, or use --dry-run and apply the diff."
                    ) from None
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), stat.S_IMODE(info.st_mode) if info is not None else 0o644)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise FileError(f"cannot write {path}; the file is unchanged: {_why(exc, target)}") from None
        raise
