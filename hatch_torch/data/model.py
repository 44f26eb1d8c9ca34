"""The bundled release facts: which torch releases exist for which backend and platform."""

from __future__ import annotations

import os
import sys
from functools import cache
from typing import TYPE_CHECKING, Any

from packaging.version import Version

if TYPE_CHECKING:
    from pathlib import Path

#: the bundled release data (``DATA_FILE`` is the same as a Path; pathlib is imported only for it)
BUNDLED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "releases.json")
#: Set to a JSON file to use other release data (for mirrors and for testing new releases).
DATA_ENV = "HATCH_TORCH_DATA"
USER_FILE = "releases.json"  # in user_data_dir(), written by `hatch-torch data update`

Labels = dict[str, str]  # platform -> local label ("" = the wheel carries no label)
#: The backend that is PyPI itself: bare versions, where ``releases[T].wheels`` says PyPI has a wheel
PYPI = "pypi"
PYPI_INDEX = "https://pypi.org/simple"


class ReleaseData:
    """Read-only view of the release data file."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.backends: dict[str, dict[str, Any]] = raw["backends"]
        self.releases: dict[str, dict[str, Any]] = raw["releases"]
        self.platforms: list[str] = raw["platforms"]
        # newest first, so the first match of a specifier is the pick
        self.versions: list[Version] = sorted((Version(v) for v in self.releases), reverse=True)
        self._entry: dict[Version, dict[str, Any]] = {v: self.releases[str(v)] for v in self.versions}
        self._for: dict[str, list[Version]] = {}

    def entry(self, torch: Version) -> dict[str, Any]:
        """The release entry of a torch release."""
        return self._entry[torch] if torch in self._entry else self.releases[str(torch)]

    def releases_for(self, backend: str) -> list[Version]:
        """torch releases (newest first) that the backend's index publishes."""
        if backend not in self._for:
            if backend == PYPI:
                self._for[backend] = [v for v in self.versions if self._entry[v].get("wheels")]
            else:
                self._for[backend] = [v for v in self.versions if backend in self._entry[v]["backends"]]
        return self._for[backend]

    def wheels(self, torch: Version) -> dict[str, dict[str, Any]]:
        """Platform -> what PyPI's torch wheels there support (``python``, ``macos``, ``macos_python``)."""
        found: dict[str, dict[str, Any]] = self.entry(torch).get("wheels", {})
        return found

    def companion_version(self, torch: Version, package: str) -> str | None:
        """The torchvision/torchaudio release that goes with a torch release, if any."""
        if package == "torch":
            return str(torch)
        found: str | None = self.entry(torch)["versions"].get(package)
        return found

    def labels(self, torch: Version, backend: str, package: str) -> Labels:
        """Platform -> local label for ``package`` on the backend's index, for this torch release."""
        if backend == PYPI:
            if package == "torch":
                return dict.fromkeys(self.wheels(torch), "")
            version = self.companion_version(torch, package)
            row = self.raw.get("companions", {}).get(package, {}).get(version or "", {})
            return dict.fromkeys(row.get("wheels", {}), "")
        entry: Labels = self.entry(torch)["backends"].get(backend, {}).get(package, {})
        return entry

    def index_url(self, backend: str, template: str | None = None) -> str:
        if backend == PYPI:
            return PYPI_INDEX
        if template is None and "index" in self.backends.get(backend, {}):
            return str(self.backends[backend]["index"])  # a plugin backend on its own index
        return (template or "https://download.pytorch.org/whl/{backend}").format(backend=backend)


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
    from hatch_torch.util.errors import ConfigurationError  # only with a user data file

    try:
        mine, theirs = _load(user), _load(bundled)
    except (OSError, ValueError, KeyError, ConfigurationError) as exc:
        return bundled, f"bundled (the user data at {user} is unreadable: {exc}; run hatch-torch data update)"
    if mine.raw.get("schema") != theirs.raw.get("schema"):
        return bundled, f"bundled (the user data at {user} has another schema; run hatch-torch data update)"
    if str(mine.raw.get("updated", "")) > str(theirs.raw.get("updated", "")):
        return user, f"user data from hatch-torch data update (updated {mine.raw.get('updated')})"
    return bundled, f"bundled (newer than the user data at {user})"


def describe() -> str:
    """One line saying which release data is in effect, for ``backends`` and ``detect -v``."""
    path, why = chosen()
    return f"release data: {path} ({why}; updated {_load(path).raw.get('updated', 'unknown')})"


@cache
def _load(path: str) -> ReleaseData:
    from hatch_torch.data.compact import read
    from hatch_torch.util.errors import ConfigurationError

    where = f"{DATA_ENV}={path}" if path != BUNDLED else str(path)
    if path == BUNDLED:
        fix = "Fix: reinstall hatch-torch (its bundled release data is damaged)."
    elif os.environ.get(DATA_ENV) == path:
        fix = f"Fix: point {DATA_ENV} at a release data file (hatch-torch data update --output FILE writes one)"
        fix += " or unset it."
    else:
        fix = "Fix: run hatch-torch data update to write it again, or delete it."
    raw = read(path)  # the compiled copy next to the file, when it matches the file: no json module
    if raw is None:
        import json

        from hatch_torch.data.check import problems

        try:
            with open(path, encoding="utf-8") as f:
                raw = json.load(f)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ConfigurationError(
                [f"{where}: cannot read the release data ({type(exc).__name__}: {exc}). {fix}"]
            ) from None
        wanted = {"backends": dict, "releases": dict, "platforms": list}
        wrong = [k for k, kind in wanted.items() if not isinstance(raw, dict) or not isinstance(raw.get(k), kind)]
        if wrong:
            raise ConfigurationError(
                [
                    f"{where} is not release data: it lacks {', '.join(wrong)} (it must be a JSON object with "
                    f"backends, releases and platforms). {fix}"
                ]
            )
        if found := problems(raw, where, fix):  # every value a reader takes, checked once, before any reads it
            raise ConfigurationError(found)
    try:
        return ReleaseData(raw)
    except (KeyError, TypeError, ValueError) as exc:  # e.g. a release that is not a version
        raise ConfigurationError([f"{where} is not valid release data ({type(exc).__name__}: {exc}). {fix}"]) from None


def load(backend: str | None = None) -> ReleaseData:
    """The release data in effect (:func:`chosen`), plus plugin backends.

    With ``backend`` given and in the data itself, plugins are not looked for: they only add backends of
    their own (a name that exists is refused), so what that backend pins is the same with or without
    them, and a build for it is spared the scan of every installed distribution."""
    path = chosen()[0]
    if backend is not None and (backend == PYPI or backend in _load(path).backends):
        return _load(path)
    from hatch_torch.plugins.scan import blocked_names, third_party

    blocked = blocked_names()
    if not third_party(blocked)[0]:
        return _load(path)  # no plugins: no merge, no pluggy import
    return _with_plugins(path, blocked)


@cache
def _with_plugins(path: str, blocked: str) -> ReleaseData:
    from hatch_torch.data.merge import merged
    from hatch_torch.plugins.manager import manager

    plugins = manager(blocked)
    data, problems = merged(_load(path), plugins.backends())
    plugins.errors += [("data", p) for p in problems]
    return data


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


def __getattr__(name: str) -> Path:
    if name == "DATA_FILE":
        from pathlib import Path

        return Path(BUNDLED)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
