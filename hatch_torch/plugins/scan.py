"""The quick look for third-party plugins: which ``hatch_torch`` entry points are installed, and which are blocked.

Apart from the plugin manager (``manager``), so that a build, which only asks whether any plugin is
installed, imports neither the manager nor pluggy, nor anything of hatch-torch's.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from functools import cache
from stat import S_ISREG
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

GROUP = "hatch_torch"
DISABLE_ENV = "HATCH_TORCH_DISABLE_PLUGINS"
_LIMIT = 1 << 20
_STDLIB = {os.path.dirname(os.__file__), os.path.join(os.path.dirname(os.__file__), "lib-dynload")}
#: util.fsread's flags: its kind of read, without importing util on a build's path
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def blocked_names(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get(DISABLE_ENV, "").strip().lower()


def _declared() -> bool:
    """Whether any installed distribution declares a ``[hatch_torch]`` entry-point section.

    A quick scan of ``*.dist-info``/``*.egg-info`` on ``sys.path`` that spares the common no-plugin case the
    import and scan of ``importlib.metadata`` (about 20 ms in a fresh process). Every build runs it, once per
    installed distribution: ``os.access`` (no exception for the many without entry points), then one
    non-blocking open of a regular file. The standard library's own folders hold no distributions and are not
    looked at (they are the largest on the path); the others are listed once, by the import system.
    """
    header = f"[{GROUP}]".encode()
    access, exists = os.access, os.F_OK
    for entry in sys.path:
        folder = entry or "."
        if folder in _STDLIB:
            continue
        try:
            names = _listed(entry, folder)
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                path = f"{folder}{os.sep}{name}{os.sep}entry_points.txt"
                if access(path, exists) and header in _head(path):
                    return True
    return False


def _listed(entry: str, folder: str) -> Iterable[str]:
    """The names in a ``sys.path`` folder: as the import system last listed them when the folder has not changed
    since (its finder's cache, checked against the folder's mtime as the finder itself checks it), else listed
    now. Listing site-packages again costs a build about 0.2 ms."""
    finder = sys.path_importer_cache.get(entry)
    names = getattr(finder, "_path_cache", None)
    if names and isinstance(names, set) and getattr(finder, "_path_mtime", None) == os.stat(folder).st_mtime:
        return names
    return os.listdir(folder)  # names only: cheaper than scandir's entries, most are not dists


def _head(path: str) -> bytes:
    """The first megabyte of a regular file, b"" for anything else (missing, a FIFO, a device): opened
    non-blocking (a FIFO does not wait for a writer) and checked on the descriptor before it is read."""
    try:
        fd = os.open(path, _FLAGS)
    except OSError:
        return b""
    try:
        info = os.fstat(fd)
        return os.read(fd, min(info.st_size, _LIMIT)) if S_ISREG(info.st_mode) else b""
    except OSError:
        return b""
    finally:
        os.close(fd)


@cache
def third_party(blocked: str) -> tuple[tuple[EntryPoint, ...], tuple[str, ...]]:
    """(entry points to load, names blocked) for the ``hatch_torch`` group."""
    if not _declared():
        return (), ()
    from importlib.metadata import entry_points

    names = {n.strip() for n in blocked.split(",") if n.strip()}
    block_all = bool(names & {"1", "all", "true", "yes"})
    found = tuple(entry_points(group=GROUP))
    kept = tuple(ep for ep in found if not block_all and ep.name.lower() not in names)
    return kept, tuple(ep.name for ep in found if ep not in kept)
