"""``hatch-torch matrix``: the backend x runner OS build matrix, for GitHub Actions ``strategy.matrix``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from hatch_torch.data.model import ReleaseData, load
from hatch_torch.util.errors import ConfigurationError

#: platform key -> GitHub-hosted runner label
RUNNERS: dict[str, str] = {
    "linux_x86_64": "ubuntu-latest",
    "linux_aarch64": "ubuntu-24.04-arm",
    "macos_arm64": "macos-latest",
    "macos_x86_64": "macos-13",
    "win_amd64": "windows-latest",
    "win_arm64": "windows-11-arm",
}
DEFAULT_PLATFORMS = ("linux_x86_64", "macos_arm64", "win_amd64")


@dataclass(frozen=True)
class Cell:
    backend: str
    os: str
    platform: str
    torch: str


def split_list(value: str | Sequence[str] | None) -> list[str]:
    """``"cpu, CU130"`` (or repeated options) -> ``["cpu", "cu130"]``, order kept, duplicates dropped."""
    if value is None:
        return []
    parts = [value] if isinstance(value, str) else list(value)
    seen: dict[str, None] = {}
    for part in parts:
        for item in part.split(","):
            if item.strip():
                seen[item.strip().lower()] = None
    return list(seen)


def check_backends(backends: Sequence[str], option: str, data: ReleaseData | None = None) -> None:
    """Raise one error naming every unknown backend in ``backends``."""
    data = data or load()
    unknown = [b for b in backends if b not in data.backends]
    if unknown:
        raise ConfigurationError(
            [
                f"{option}: {', '.join(repr(b) for b in unknown)} "
                f"{'is not a known backend' if len(unknown) == 1 else 'are not known backends'}. "
                f"Fix: use backends from: {', '.join(data.backends)}."
            ]
        )


def matrix(
    backends: Sequence[str] = (),
    platforms: Sequence[str] = DEFAULT_PLATFORMS,
    torch: str | None = None,
    data: ReleaseData | None = None,
) -> list[Cell]:
    """One cell per backend and platform the backend publishes torch for (newest release matching ``torch``).

    Without ``backends``: every backend that publishes the newest matching torch release.
    """
    data = data or load()
    try:
        spec = SpecifierSet(torch or "")
    except InvalidSpecifier:
        raise ConfigurationError(
            [f"--torch={torch!r} is not a version specifier. Fix: write it like '>=2.6,<2.11'."]
        ) from None
    bad = [p for p in platforms if p not in RUNNERS]
    if bad:
        raise ConfigurationError(
            [f"--platforms: {', '.join(map(repr, bad))} unknown. Fix: use platforms from: {', '.join(RUNNERS)}."]
        )
    check_backends(backends, "--backends", data)
    if not backends:
        # the newest release some PyTorch index publishes (PyPI-only releases have no backends)
        newest = next((v for v in data.versions if spec.contains(v) and data.releases[str(v)]["backends"]), None)
        if newest is None:
            raise ConfigurationError([f"--torch={torch!r}: no torch release matches. Fix: widen the specifier."])
        backends = list(data.releases[str(newest)]["backends"])
    cells: list[Cell] = []
    for backend in backends:
        release = _newest(data, backend, spec)
        if release is None:
            have = ", ".join(str(v) for v in data.releases_for(backend)) or "none"
            raise ConfigurationError(
                [
                    f"--backends: {backend} publishes no torch release matching {str(spec) or 'any version'} "
                    f"(it has {have}). Fix: widen --torch or drop {backend}."
                ]
            )
        published = data.labels(release, backend, "torch")
        cells += [Cell(backend, RUNNERS[p], p, str(release)) for p in platforms if p in published]
    return cells


def _newest(data: ReleaseData, backend: str, spec: SpecifierSet) -> Version | None:
    return next((v for v in data.releases_for(backend) if spec.contains(v)), None)


def as_github(cells: Sequence[Cell]) -> dict[str, list[dict[str, str]]]:
    """The ``strategy.matrix`` object: ``{"include": [{backend, os, platform, torch}, ...]}``."""
    return {"include": [asdict(c) for c in cells]}
