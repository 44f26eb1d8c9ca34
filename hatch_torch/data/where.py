"""Which release data is in effect: the bundled file, ``$HATCH_TORCH_DATA`` or the user's ``data update`` file,
and the stamps (size, CRC-32) that tie compiled copies to the file they were made from.

Apart from the data model (``model``), so that a build that pins from a snapshot reads neither the data nor its
model: it only asks which file is in effect, and whether a snapshot was made from it.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

#: the bundled release data (``DATA_FILE`` is the same as a Path; pathlib is imported only for it)
BUNDLED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "releases.json")
#: Set to a JSON file to use other release data (for mirrors and for testing new releases).
DATA_ENV = "HATCH_TORCH_DATA"
USER_FILE = "releases.json"  # in user_data_dir(), written by `hatch-torch data update`

#: The backend that is PyPI itself: bare versions, where ``releases[T].wheels`` says PyPI has a wheel
PYPI = "pypi"


def _home() -> str:
    """The home directory, as ``Path.home()`` finds it (RuntimeError when there is none)."""
    home = os.path.expanduser("~")
    if home.startswith("~"):
        raise RuntimeError("Could not determine home directory.")
    return home


def _user_dir() -> str:
    env = os.environ
    return _user_dir_for(env.get("LOCALAPPDATA"), env.get("XDG_DATA_HOME"), env.get("HOME"), env.get("USERPROFILE"))


@cache
def _user_dir_for(*_: str | None) -> str:
    """The user data dir for these environment values (worked out once: every load asks)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(_home(), "AppData", "Local")
    elif sys.platform == "darwin":
        base = os.path.join(_home(), "Library", "Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME") or os.path.join(_home(), ".local", "share")
    return os.path.join(base, "hatch-torch")


def user_data_dir() -> Path:
    """Where ``hatch-torch data update`` writes: the platform's per-user data directory."""
    from pathlib import Path

    return Path(_user_dir())


def chosen() -> tuple[str, str]:
    """(path of the release data in effect, why): ``$HATCH_TORCH_DATA``, else the newer (by its ``updated``
    stamp) of the bundled file and the user's ``data update`` file; a user file of another schema is ignored.
    (Paths as strings: every build asks, and pathlib is not otherwise imported by one.)"""
    if env := os.environ.get(DATA_ENV):
        return env, f"${DATA_ENV}"
    bundled = BUNDLED
    try:
        user = os.path.join(_user_dir(), USER_FILE)
        if not os.path.isfile(user):
            return bundled, "bundled"
    except (OSError, RuntimeError, KeyError):  # no home directory to look in
        return bundled, "bundled"
    from hatch_torch.data.model import _load  # only with a user data file
    from hatch_torch.util.errors import ConfigurationError

    try:
        mine, theirs = _load(user), _load(bundled)
    except (OSError, ValueError, KeyError, ConfigurationError) as exc:
        return bundled, f"bundled (the user data at {user} is unreadable: {exc}; run hatch-torch data update)"
    if mine.raw.get("schema") != theirs.raw.get("schema"):
        return bundled, f"bundled (the user data at {user} has another schema; run hatch-torch data update)"
    if str(mine.raw.get("updated", "")) > str(theirs.raw.get("updated", "")):
        return user, f"user data from hatch-torch data update (updated {mine.raw.get('updated')})"
    return bundled, f"bundled (newer than the user data at {user})"


def stamp(path: str) -> list[int] | None:
    """[size, CRC-32] of a file (None if unreadable), as compiled copies record the file they were made from:
    worked out once per process for each version of the file (size, mtime and inode tell them apart)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return _stamp_of(path, info.st_size, info.st_mtime_ns, info.st_ino)


@cache
def _stamp_of(path: str, *_: int) -> list[int] | None:
    from zlib import crc32

    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError:
        return None
    return [len(source), crc32(source)]
