"""The bundled release facts: which torch releases exist for which backend and platform (which data is in effect:
``where``)."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

from packaging.version import Version

from hatch_torch.data.where import BUNDLED, DATA_ENV, PYPI, USER_FILE, chosen  # re-exported

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["BUNDLED", "DATA_ENV", "PYPI", "PYPI_INDEX", "USER_FILE", "ReleaseData", "chosen", "describe", "load"]

Labels = dict[str, str]  # platform -> local label ("" = the wheel carries no label)
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


def __getattr__(name: str) -> Path:
    if name == "DATA_FILE":
        from pathlib import Path

        return Path(BUNDLED)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
