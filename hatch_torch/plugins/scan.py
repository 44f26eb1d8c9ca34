"""The quick look for third-party plugins: which ``hatch_torch`` entry points are installed, and which are blocked.

Apart from the plugin manager (``manager``), so that a build, which only asks whether any plugin is
installed, imports neither the manager nor pluggy. Imports only :mod:`hatch_torch.util.fsread`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

from hatch_torch.util.fsread import read_bytes

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

GROUP = "hatch_torch"
DISABLE_ENV = "HATCH_TORCH_DISABLE_PLUGINS"


def blocked_names(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get(DISABLE_ENV, "").strip().lower()


def _declared() -> bool:
    """Whether any installed distribution declares a ``[hatch_torch]`` entry-point section.

    A quick scan of ``*.dist-info``/``*.egg-info`` on ``sys.path`` (about 1 ms) that spares the common
    no-plugin case the import and scan of ``importlib.metadata`` (about 20 ms in a fresh process).
    """
    header = f"[{GROUP}]".encode()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")  # names only: cheaper than scandir's entries, most are not dists
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")) and header in _head(
                os.path.join(entry or ".", name, "entry_points.txt")
            ):
                return True
    return False


def _head(path: str) -> bytes:
    """The first megabyte of a regular file, b"" for anything else (missing, a FIFO, a device)."""
    try:
        return read_bytes(path, 1 << 20, truncate=True)
    except OSError:
        return b""


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
