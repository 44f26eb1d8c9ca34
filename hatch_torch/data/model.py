"""The bundled release facts: which torch releases exist for which backend and platform."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

from packaging.version import Version

from hatch_torch.util.errors import ConfigurationError

if TYPE_CHECKING:
    from pathlib import Path

#: the bundled release data (``DATA_FILE`` is the same as a Path; pathlib is imported only for it)
BUNDLED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "releases.json")
#: Set to a JSON file to use other release data (for mirrors and for testing new releases).
DATA_ENV = "HATCH_TORCH_DATA"

Labels = dict[str, str]  # platform -> local label ("" = the wheel carries no label)


class ReleaseData:
    """Read-only view of the release data file."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.backends: dict[str, dict[str, Any]] = raw["backends"]
        self.releases: dict[str, dict[str, Any]] = raw["releases"]
        self.platforms: list[str] = raw["platforms"]
        # newest first, so the first match of a specifier is the pick
        self.versions: list[Version] = sorted((Version(v) for v in self.releases), reverse=True)

    def releases_for(self, backend: str) -> list[Version]:
        """torch releases (newest first) that the backend's index publishes."""
        return [v for v in self.versions if backend in self.releases[str(v)]["backends"]]

    def companion_version(self, torch: Version, package: str) -> str | None:
        """The torchvision/torchaudio release that goes with a torch release, if any."""
        if package == "torch":
            return str(torch)
        found: str | None = self.releases[str(torch)]["versions"].get(package)
        return found

    def labels(self, torch: Version, backend: str, package: str) -> Labels:
        """Platform -> local label for ``package`` on the backend's index, for this torch release."""
        entry: Labels = self.releases[str(torch)]["backends"].get(backend, {}).get(package, {})
        return entry

    def index_url(self, backend: str, template: str | None = None) -> str:
        if template is None and "index" in self.backends.get(backend, {}):
            return str(self.backends[backend]["index"])  # a plugin backend on its own index
        return (template or "https://download.pytorch.org/whl/{backend}").format(backend=backend)


@cache
def _load(path: str) -> ReleaseData:
    from hatch_torch.data.compact import read

    where = f"{DATA_ENV}={path}" if path != BUNDLED else str(path)
    fix = (
        f"Fix: point {DATA_ENV} at a release data file (hatch-torch data update --output FILE writes one) or unset it."
    )
    raw = read(path)  # the compiled copy next to the file, when it matches the file: no json module
    if raw is None:
        import json

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
                f"{where} is not release data: it lacks {', '.join(wrong)} (it must be a JSON object with backends, "
                f"releases and platforms). {fix}"
            ]
        )
    try:
        return ReleaseData(raw)
    except (KeyError, TypeError, ValueError) as exc:  # e.g. a release that is not a version
        raise ConfigurationError([f"{where} is not valid release data ({type(exc).__name__}: {exc}). {fix}"]) from None


def load(backend: str | None = None) -> ReleaseData:
    """The release data in effect: ``$HATCH_TORCH_DATA`` or the bundled file, plus plugin backends.

    With ``backend`` given and in the data itself, plugins are not looked for: they only add backends of
    their own (a name that exists is refused), so what that backend pins is the same with or without
    them, and a build for it is spared the scan of every installed distribution."""
    path = os.environ.get(DATA_ENV) or BUNDLED
    if backend is not None and backend in _load(path).backends:
        return _load(path)
    from hatch_torch.plugins.manager import blocked_names, third_party

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
