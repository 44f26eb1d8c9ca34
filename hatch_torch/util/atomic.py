"""Read and replace a text file so that a failed or interrupted write leaves the original byte for byte."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from hatch_torch.util.errors import HatchTorchError


class FileError(HatchTorchError):
    """A file could not be read or written."""


def read_text(path: Path) -> str:
    """The file's text, with its own line endings kept (no newline translation)."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        raise FileError(
            f"{path} does not exist. Fix: pass --project DIR with the directory of pyproject.toml."
        ) from None
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


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8, line endings as given) to ``path`` as :func:`write_bytes` does."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file next to ``path`` and rename it over ``path`` in one step.

    The original's permission bits are kept (a new file gets 0o644). If anything fails before the rename,
    including an interrupt, the temporary file is removed and ``path`` is untouched.
    """
    if path.exists():
        check_writable(path)
        mode = stat.S_IMODE(path.stat().st_mode)
    else:
        mode = 0o644
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise FileError(
            f"cannot create a temporary file next to {path} ({exc}); nothing was written. "
            f"Fix: make {path.parent} writable."
        ) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise FileError(f"cannot write {path} ({exc}); the file is unchanged. Fix: check permissions.") from None
        raise
