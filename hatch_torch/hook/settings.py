"""Validation of ``[tool.hatch.metadata.hooks.torch]`` (every problem collected into one error), and which backend
to build for: environment, hook setting, or ``auto`` (``pypi`` pins what PyPI serves).

Apart from the hook class (which needs hatchling), so that ``hatch-torch pins`` does not import hatchling.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hatch_torch.data.where import PYPI
from hatch_torch.pins.resolve import FALLBACKS

if TYPE_CHECKING:
    from hatch_torch.data.model import ReleaseData

PREFIX = "tool.hatch.metadata.hooks.torch."
#: Environment variables that choose the backend, first set wins.
BACKEND_ENV = ("TORCH_BACKEND", "UV_TORCH_BACKEND")
AUTO = "auto"
#: boolean settings -> what ``true`` does
FLAGS = {
    "local-version": "adds the backend as the wheel's local version label",
    "strict-detection": "fail the build when auto detection fails or finds no GPU",
}
KEYS = ("dependencies", "optional-dependencies", "backend", "fallback", *FLAGS)


class Config:
    """The hook's settings, checked (a plain class: every build makes one)."""

    __slots__ = (
        "backend",
        "dependencies",
        "fallback",
        "groups",
        "local_version",
        "optional_dependencies",
        "strict_detection",
    )

    def __init__(self) -> None:
        self.dependencies: list[str] | None = None
        self.optional_dependencies: dict[str, list[str]] | None = None
        self.backend: str | None = None
        self.fallback = "pypi"
        self.local_version = False
        self.strict_detection: bool | None = None
        self.groups: dict[str, list[str]] = {}


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def parse(raw: dict[str, Any], project: dict[str, Any] | None = None, problems: list[str] | None = None) -> Config:
    """Check the hook's table (and ``project.dynamic`` when given); raise one error listing every problem,
    or, given a ``problems`` list, add them to it and return what was valid (so later stages can add theirs)."""
    collect = problems is not None
    problems = [] if problems is None else problems
    config = Config()
    for key in raw:
        if key not in KEYS:
            import difflib  # only for a mistyped setting

            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"did you mean {PREFIX}{close[0]}?" if close else f"the settings are: {', '.join(KEYS)}."
            problems.append(f"{PREFIX}{key} is not a setting of hatch-torch. Fix: remove it; {hint}")
    if "dependencies" in raw:
        if _strings(raw["dependencies"]):
            config.dependencies = list(raw["dependencies"])
            config.groups["dependencies"] = config.dependencies
        else:
            problems.append(
                f"{PREFIX}dependencies must be an array of requirement strings, got "
                f'{raw["dependencies"]!r}. Fix: dependencies = ["torch>=2.6"].'
            )
    if "optional-dependencies" in raw:
        extras = raw["optional-dependencies"]
        if isinstance(extras, dict) and all(_strings(v) for v in extras.values()):
            config.optional_dependencies = {k: list(v) for k, v in extras.items()}
            config.groups.update({f"optional-dependencies.{k}": list(v) for k, v in extras.items()})
        else:
            problems.append(
                f"{PREFIX}optional-dependencies must be a table of arrays of requirement strings, "
                f'got {extras!r}. Fix: optional-dependencies = {{ audio = ["torchaudio"] }}.'
            )
    if "backend" in raw:
        value = raw["backend"]
        if not isinstance(value, str):
            problems.append(f'{PREFIX}backend must be a string, got {value!r}. Fix: backend = "cu130".')
        elif found := backend_problem(value.strip().lower(), f"{PREFIX}backend"):
            problems.append(found)
        else:
            config.backend = value.strip().lower()
    if "fallback" in raw:
        value = raw["fallback"]
        if value in FALLBACKS:
            config.fallback = value
        else:
            problems.append(
                f"{PREFIX}fallback={value!r} is not supported. Fix: use one of {', '.join(FALLBACKS)} "
                f"(what platforms the backend does not publish for get)."
            )
    for key, fix in FLAGS.items():
        if key in raw:
            if isinstance(raw[key], bool):
                setattr(config, key.replace("-", "_"), raw[key])
            else:
                problems.append(f"{PREFIX}{key} must be true or false, got {raw[key]!r}. Fix: {key} = true ({fix}).")
    if project is not None:
        dynamic = project.get("dynamic", [])
        for key in ("dependencies", "optional-dependencies"):
            if key in raw and key not in dynamic:
                problems.append(
                    f"{PREFIX}{key} is set, but project.dynamic does not list {key!r}. "
                    f'Fix: add "{key}" to project.dynamic (and remove project.{key}).'
                )
    if problems and not collect:
        from hatch_torch.util.errors import ConfigurationError

        raise ConfigurationError(problems)
    return config


def choose_backend(
    backend: str,
    where: str,
    groups: dict[str, list[str]],
    strict: bool | None = None,
    problems: list[str] | None = None,
) -> str | None:
    """Check the requested backend (``where`` names its source); ``auto`` asks detection (``strict``: detection
    failures are fatal; None defers to ``$HATCH_TORCH_STRICT_DETECTION``). A problem is raised, or, given a
    ``problems`` list, added to it (and None returned)."""
    found = [message] if (message := backend_problem(backend, where)) else []
    if not found and backend == AUTO:
        from hatch_torch.detection.core import detect
        from hatch_torch.pins.resolve import torch_specifier
        from hatch_torch.util.errors import ConfigurationError

        try:
            return detect(torch_specifier(groups), strict=strict).backend
        except ConfigurationError as exc:
            if problems is None:
                raise
            found = exc.problems
    if not found:
        return backend
    if problems is None:
        from hatch_torch.util.errors import ConfigurationError

        raise ConfigurationError(found)
    problems += found
    return None


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


def backend_problem(value: str, where: str, data: ReleaseData | None = None) -> str | None:
    """A message if ``value`` is not a known backend (``auto`` allowed), else None."""
    if value in (AUTO, PYPI):
        return None
    if data is None and _bundled(value):
        return None  # named by the bundled data's snapshot: the data itself need not be read
    if data is None:
        from hatch_torch.data.model import load

        data = load(value)
    if value in data.backends:
        return None
    return (
        f"{where}={value!r} is not a known backend. "
        f"Fix: use auto, {PYPI} (the plain PyPI builds) or one of: {', '.join(data.backends)}."
    )


def _bundled(value: str) -> bool:
    """``value`` is a backend of the bundled data, which is the data in effect."""
    from hatch_torch.data.where import BUNDLED, chosen
    from hatch_torch.pins import snapshot

    return chosen()[0] == BUNDLED and snapshot.has(value)
