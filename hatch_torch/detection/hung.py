"""Remember vendor tools (and NVML libraries) that hung, so a build (many processes) pays a timeout once.

The memory is a folder ``hatch-torch-<uid>`` in the temp dir. It is used only when it is a real
directory (not a link) owned by this user that no one else may write; anything else (another user
created it first, planted links or markers) turns the memory off, and probes simply run again.
Markers are opened relative to the checked folder, never following links, created exclusively.
Without ``dir_fd`` support (Windows) there is no memory.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import time
from collections.abc import Iterator

#: How long a hang is remembered, in seconds.
MEMORY = 600.0
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_SUPPORTED = bool(_NOFOLLOW and _DIRECTORY) and os.open in os.supports_dir_fd and hasattr(os, "getuid")


def folder() -> str:
    return os.path.join(_tempdir(), f"hatch-torch-{os.getuid() if hasattr(os, 'getuid') else 0}")


def _tempdir() -> str:
    """The directory ``tempfile.gettempdir()`` gives, without importing tempfile (with random, shutil,
    bz2 and lzma: milliseconds before the first tool runs): ``tempfile.tempdir`` once set, else the first
    writable directory of the same candidates ($TMPDIR, $TEMP, $TMP, then the platform's usual ones)."""
    loaded = sys.modules.get("tempfile")
    if loaded is not None and loaded.tempdir:
        return str(loaded.tempdir)
    usual = ["/tmp", "/var/tmp", "/usr/tmp"] if os.name != "nt" else [r"c:\temp", r"c:\tmp", r"\temp", r"\tmp"]
    env = [os.environ[n] for n in ("TMPDIR", "TEMP", "TMP") if os.environ.get(n)]
    for candidate in [*env, *usual]:
        if os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK):
            return os.path.abspath(candidate)
    return os.getcwd()


def _name(tool: str) -> str:
    try:
        info = os.stat(tool)
        key = f"{os.path.realpath(tool)}:{info.st_mtime_ns}:{info.st_size}"
    except OSError:
        key = tool
    # A name, not a secret: only this user can write the folder. (hashlib would load OpenSSL.)
    import zlib  # here: a machine with no memory folder (the usual case) never needs it

    data = key.encode("utf-8", "surrogateescape")
    return f"hung-{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


@contextlib.contextmanager
def _checked(create: bool) -> Iterator[int | None]:
    """A descriptor of the memory folder if it is safe to use, else None."""
    if not _SUPPORTED:
        yield None
        return
    path = folder()
    if create:
        with contextlib.suppress(OSError):
            os.mkdir(path, 0o700)
    try:
        fd = os.open(path, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
    except OSError:
        yield None
        return
    try:
        info = os.fstat(fd)
        safe = stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022
        yield fd if safe else None
    finally:
        os.close(fd)


def recently(tool: str) -> bool:
    """True if ``tool`` (this exact file) timed out within the last ``MEMORY`` seconds."""
    with _checked(create=False) as fd:
        if fd is None:
            return False
        try:
            info = os.stat(_name(tool), dir_fd=fd, follow_symlinks=False)
        except OSError:
            return False
        mine = stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid()
        return mine and 0 <= time.time() - info.st_mtime < MEMORY


def remember(tool: str) -> None:
    """Mark ``tool`` as hung now (best effort: without the marker the next process waits again)."""
    name = _name(tool)
    with _checked(create=True) as fd:
        if fd is None:
            return
        with contextlib.suppress(OSError):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name, dir_fd=fd)  # an old marker, or whatever is there: only we can write here
            marker = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600, dir_fd=fd)
            try:
                os.write(marker, tool.encode("utf-8", "replace")[:4096])
            finally:
                os.close(marker)
