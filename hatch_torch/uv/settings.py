"""Settings of ``hatch-torch sources``: ``[tool.hatch-torch]`` in pyproject.toml, overridden by flags.

They live in their own table, not in ``[tool.hatch.metadata.hooks.torch]``: that table switches the build
hook on (hatchling runs every hook configured there), and projects that only want uv sources must not need
the hook at build time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from packaging.utils import canonicalize_name

from hatch_torch.data.model import ReleaseData
from hatch_torch.pins.resolve import FALLBACKS
from hatch_torch.util.errors import ConfigurationError
from hatch_torch.util.urls import parse as parse_url
from hatch_torch.util.urls import redact

TABLE = "tool.hatch-torch"
KEYS = ("backends", "index-url", "fallback", "allow-insecure-index", "written")
PYPI = "pypi"  # pseudo-backend: the default index (PyPI), nothing routed
_EXTRA = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")


@dataclass(frozen=True)
class Choice:
    """One backend, and the extra that selects it when there are several."""

    backend: str
    extra: str | None = None


@dataclass
class Settings:
    choices: list[Choice] = field(default_factory=list)
    index_url: str | None = None  # template with {backend}
    fallback: str = "pypi"
    allow_insecure: bool = False
    hook_fallback: str | None = None  # tool.hatch.metadata.hooks.torch.fallback, for the hook layout
    named: bool = False  # an extra was named (EXTRA=BACKEND)

    @property
    def uses_extras(self) -> bool:
        return any(c.extra is not None for c in self.choices)

    def url(self, backend: str, data: ReleaseData) -> str:
        return data.index_url(backend, self.index_url).rstrip("/")

    def to_table(self) -> dict[str, Any]:
        """The settings as ``[tool.hatch-torch]`` keeps them (defaults left out)."""
        table: dict[str, Any] = {"backends": [_spell(c, self.uses_extras) for c in self.choices]}
        if self.index_url:
            table["index-url"] = self.index_url
        if self.fallback != "pypi":
            table["fallback"] = self.fallback
        if self.allow_insecure:
            table["allow-insecure-index"] = True
        return table


def _spell(choice: Choice, extras: bool) -> str:
    if not extras or choice.extra == canonicalize_name(choice.backend):
        return choice.backend
    return f"{choice.extra}={choice.backend}"


def parse_choice(text: str, where: str, data: ReleaseData) -> Choice:
    raw = text.strip()
    extra, sep, backend = raw.partition("=")
    if not sep:
        extra, backend = "", raw
    backend = backend.strip().lower()
    extra = extra.strip()
    if backend != PYPI and backend not in data.backends:
        raise ConfigurationError(
            [
                f"{where}={text!r} is not a known backend. Fix: use one of: {', '.join(data.backends)} "
                f"(or EXTRA=pypi for an extra served by PyPI)."
            ]
        )
    if sep and not _EXTRA.match(extra):
        raise ConfigurationError(
            [f"{where}={text!r}: {extra!r} is not a valid extra name. Fix: write EXTRA=BACKEND, e.g. gpu=cu130."]
        )
    return Choice(backend, extra or None)


def check_template(template: str, where: str, allow_insecure: bool) -> None:
    """The index URL template must contain {backend}, format cleanly and be https (or local)."""
    if "{backend}" not in template:
        raise ConfigurationError(
            [
                f"{where}={redact(template)!r} has no {{backend}} placeholder, so every backend would get the "
                f"same index. Fix: put {{backend}} where the backend goes, e.g. https://mirror.example/pytorch/{{backend}}."
            ]
        )
    try:
        url = template.format(backend="cpu")
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigurationError(
            [
                f"{where}={redact(template)!r} is not a valid template ({exc!r}). "
                f"Fix: use only the {{backend}} placeholder; write other braces as {{{{ and }}}}."
            ]
        ) from None
    try:
        parts = parse_url(url)
        other = parse_url(template.format(backend="cu130"))
    except ValueError as exc:
        raise ConfigurationError(
            [
                f"{where}={redact(template)!r} {exc}. Fix: write a plain URL like https://mirror.example/pytorch/{{backend}}."
            ]
        ) from None
    if (other.scheme, other.host, other.port, other.userinfo) != (parts.scheme, parts.host, parts.port, parts.userinfo):
        raise ConfigurationError(
            [
                f"{where}={redact(template)!r} puts {{backend}} before the path, so the backend would choose the "
                f"host. Fix: put {{backend}} in the path, e.g. https://mirror.example/pytorch/{{backend}}."
            ]
        )
    if parts.scheme == "http" and not parts.local and not allow_insecure:
        raise ConfigurationError(
            [
                f"{where}={redact(template)!r} uses plain http to {parts.host}, so anyone on the way could swap the "
                f"wheels. Fix: use https, or pass --allow-insecure-index (setting {TABLE}.allow-insecure-index = "
                f"true) if this mirror is on a network you trust."
            ]
        )


def load(
    table: Mapping[str, Any],
    data: ReleaseData,
    *,
    backends: list[str] | None = None,
    index_url: str | None = None,
    fallback: str | None = None,
    allow_insecure: bool | None = None,
) -> Settings:
    """Settings from the table, each overridden by its flag when given; all problems in one error."""
    problems: list[str] = []
    for key in table:
        if key not in KEYS:
            problems.append(
                f"{TABLE}.{key} is not a setting of hatch-torch sources. Fix: remove it; the settings "
                f"are: {', '.join(KEYS[:-1])}."
            )
    settings = Settings()
    raw_backends: Any = backends if backends else table.get("backends")
    where = "--backend" if backends else f"{TABLE}.backends"
    if raw_backends is None:
        problems.append(
            f"no backend given. Fix: pass --backend (repeatable, e.g. --backend cpu --backend cu130) "
            f'or set {TABLE}.backends = ["cu130"].'
        )
    elif not isinstance(raw_backends, list) or not all(isinstance(b, str) for b in raw_backends) or not raw_backends:
        problems.append(
            f'{where} must be a non-empty array of strings, got {raw_backends!r}. Fix: backends = ["cu130"].'
        )
    else:
        for text in raw_backends:
            try:
                settings.choices.append(parse_choice(text, where, data))
            except ConfigurationError as exc:
                problems += exc.problems
    settings.named = settings.uses_extras
    if len(settings.choices) > 1 or settings.uses_extras:
        settings.choices = [Choice(c.backend, canonicalize_name(c.extra or c.backend)) for c in settings.choices]
        seen: set[str] = set()
        for c in settings.choices:
            if c.extra in seen:
                problems.append(f"{where}: the extra {c.extra!r} is given twice. Fix: name each extra once.")
            seen.add(str(c.extra))
    settings.allow_insecure = bool(allow_insecure if allow_insecure is not None else table.get("allow-insecure-index"))
    if not isinstance(table.get("allow-insecure-index", False), bool):
        problems.append(f"{TABLE}.allow-insecure-index must be true or false. Fix: allow-insecure-index = true.")
    template = index_url if index_url is not None else table.get("index-url")
    if template is not None:
        where = "--index-url" if index_url is not None else f"{TABLE}.index-url"
        if not isinstance(template, str):
            problems.append(f'{where} must be a string, got {template!r}. Fix: index-url = "https://.../{{backend}}".')
        else:
            try:
                check_template(template, where, settings.allow_insecure)
                settings.index_url = template
            except ConfigurationError as exc:
                problems += exc.problems
    value = fallback if fallback is not None else table.get("fallback", "pypi")
    if value in FALLBACKS:
        settings.fallback = value
    else:
        where = "--fallback" if fallback is not None else f"{TABLE}.fallback"
        problems.append(f"{where}={value!r} is not supported. Fix: use one of {', '.join(FALLBACKS)}.")
    if problems:
        raise ConfigurationError(problems)
    return settings
