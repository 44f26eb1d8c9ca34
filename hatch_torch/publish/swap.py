"""Put a freshly written site in place of the old one so that a kill at any moment leaves a whole site, and
let the next run recover whatever an interrupted one left next to it.

Where the system can exchange two directories in one step (Linux ``renameat2(RENAME_EXCHANGE)``) there is
never a moment without the site. Elsewhere the old site is first renamed to ``.SITE.old-*``: a kill before
the new one takes its place leaves that, and :func:`recover` puts it back.

Working folders sit next to the site: ``.SITE.tmp-*`` (a site being written, or the old one after the
exchange) and ``.SITE.old-*``. A lock on the parent folder keeps two runs from working at once.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def tmp_prefix(site: Path) -> str:
    return f".{site.name}.tmp-"


def _old_prefix(site: Path) -> str:
    return f".{site.name}.old-"


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step; False where the system cannot (then nothing happened)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # an old kernel or a file system without it
        return False
    raise OSError(code, os.strerror(code), str(b))


def _ours(path: Path) -> bool:
    """A real folder (never a symlink) we may remove."""
    return stat.S_ISDIR(path.lstat().st_mode)


def leftovers(site: Path) -> list[Path]:
    prefixes = (tmp_prefix(site), _old_prefix(site))
    return sorted(p for p in site.parent.iterdir() if p.name.startswith(prefixes) and _ours(p))


def recover(site: Path, manifest: str) -> list[str]:
    """Undo what an interrupted run left next to ``site``; what was done, for the summary."""
    notes: list[str] = []
    if not os.path.lexists(site):
        olds = [p for p in leftovers(site) if p.name.startswith(_old_prefix(site)) and (p / manifest).is_file()]
        if olds:  # killed between the two renames: the old site is whole
            os.rename(olds[-1], site)
            notes.append(f"restored the site an interrupted run had moved to {olds[-1].name}")
    for path in leftovers(site):
        shutil.rmtree(path)
        notes.append(f"removed {path.name}, left by an interrupted run")
    return notes


def replace(new: Path, site: Path) -> None:
    """Put the directory ``new`` where ``site`` is (or creates it) and remove the old site."""
    if not os.path.lexists(site):
        os.rename(new, site)
        return
    if _exchange(new, site):
        shutil.rmtree(new, ignore_errors=True)  # now the old site; what stays is removed by the next recover()
        return
    old = site.parent / (_old_prefix(site) + new.name.removeprefix(tmp_prefix(site)))
    os.rename(site, old)
    os.rename(new, site)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def locked(site: Path) -> Iterator[None]:
    """One run at a time in the site's folder: an advisory lock on the parent directory itself (no lock file
    left behind), where the system has one."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(site.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
