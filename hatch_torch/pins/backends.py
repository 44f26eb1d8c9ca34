"""Which backend to build for: environment, hook setting, or ``auto``; ``pypi`` pins what PyPI serves."""

from __future__ import annotations

import os
from collections.abc import Mapping

from hatch_torch.data.model import PYPI, ReleaseData, load

#: Environment variables that choose the backend, first set wins.
BACKEND_ENV = ("TORCH_BACKEND", "UV_TORCH_BACKEND")
AUTO = "auto"


def normalize(value: str) -> str:
    return value.strip().lower()


def requested(setting: str | None, environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(backend or "auto", where it came from): ``TORCH_BACKEND``, ``UV_TORCH_BACKEND``, the setting, default."""
    env = os.environ if environ is None else environ
    for name in BACKEND_ENV:
        if env.get(name, "").strip():
            return normalize(env[name]), name
    if setting:
        return normalize(setting), "tool.hatch.metadata.hooks.torch.backend"
    return AUTO, "default"


def problem(value: str, where: str, data: ReleaseData | None = None) -> str | None:
    """A message if ``value`` is not a known backend (``auto`` allowed), else None."""
    if value in (AUTO, PYPI):
        return None
    if data is None and _bundled(value):
        return None  # named by the bundled data's snapshot: the data itself need not be read
    data = data or load(value)
    if value in data.backends:
        return None
    return (
        f"{where}={value!r} is not a known backend. "
        f"Fix: use auto, {PYPI} (the plain PyPI builds) or one of: {', '.join(data.backends)}."
    )


def _bundled(value: str) -> bool:
    """``value`` is a backend of the bundled data, which is the data in effect."""
    from hatch_torch.data.model import BUNDLED, chosen
    from hatch_torch.pins import snapshot

    return chosen()[0] == BUNDLED and snapshot.has(value)
