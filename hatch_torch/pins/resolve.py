"""Rewrite torch-family requirements into exact ``+backend`` pins with platform markers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from hatch_torch.data.model import ReleaseData, load
from hatch_torch.pins.platforms import marker_against, marker_for
from hatch_torch.util.errors import ConfigurationError
from hatch_torch.util.record import Record, field

COMPANIONS = ("torchvision", "torchaudio")
FAMILY = ("torch", *COMPANIONS)
FALLBACKS = ("pypi", "cpu")


class Resolution(Record):
    """The outcome of pinning: the torch release picked and the rewritten requirement groups."""

    backend: str
    torch: Version | None
    groups: dict[str, list[str]] = field(default_factory=dict)


class _Req(Record):
    where: str  # the setting that holds it, e.g. "dependencies[1]"
    text: str
    req: Requirement
    spec: SpecifierSet  # without local labels
    labels: set[str]  # local labels the requirement pinned, if any


def _family(groups: Mapping[str, Sequence[str]], prefix: str) -> tuple[list[_Req], list[str]]:
    """The torch-family requirements of the groups, and a message for each string that does not parse."""
    problems: list[str] = []
    family: list[_Req] = []
    for group, texts in groups.items():
        for i, text in enumerate(texts):
            where = f"{prefix}{group}[{i}]"
            try:
                req = Requirement(text)
            except InvalidRequirement as exc:
                problems.append(
                    f"{where}: {text!r} is not a valid PEP 508 requirement ({exc}). "
                    f'Fix: write it like "torch>=2.6" or "numpy; python_version >= \'3.11\'".'
                )
                continue
            if canonicalize_name(req.name) in FAMILY and req.url is None:
                family.append(_Req(where, text, req, *_strip_local(req.specifier)))
    return family, problems


def torch_specifier(groups: Mapping[str, Sequence[str]]) -> SpecifierSet:
    """The combined torch specifier of the groups (unparsable entries are skipped here)."""
    spec = SpecifierSet()
    for r in _family(groups, "")[0]:
        if canonicalize_name(r.req.name) == "torch":
            spec &= r.spec
    return spec


def resolve(
    groups: Mapping[str, Sequence[str]],
    backend: str,
    *,
    fallback: str = "pypi",
    prefix: str = "",
    data: ReleaseData | None = None,
) -> Resolution:
    """Pin the torch family in ``groups`` (setting name -> requirement strings) for ``backend``.

    All problems are collected into one :class:`ConfigurationError`; ``prefix`` is put in front of
    each setting name in the messages.
    """
    data = data or load(backend)
    family, problems = _family(groups, prefix)
    problems += [
        f"{r.where}: {r.text!r} pins the local label +{label}, but the backend is {backend}. "
        f"Fix: drop +{label} from the requirement; hatch-torch adds the label of the chosen backend."
        for r in family
        for label in sorted(r.labels - {backend})
    ]
    if problems:
        raise ConfigurationError(problems)
    torch = _pick_torch(family, backend, data) if family else None
    problems += _check_companions(family, torch, data) if torch else []
    if problems:
        raise ConfigurationError(problems)
    by_where = {r.where: r for r in family}
    out: dict[str, list[str]] = {}
    for group, texts in groups.items():
        lines: list[str] = []
        for i, text in enumerate(texts):
            match = by_where.get(f"{prefix}{group}[{i}]")
            lines += _pin(match.req, torch, backend, fallback, data) if match and torch else [text.strip()]
        out[group] = lines
    return Resolution(backend, torch, out)


def _strip_local(spec: SpecifierSet) -> tuple[SpecifierSet, set[str]]:
    labels = {s.version.split("+", 1)[1] for s in spec if "+" in s.version}
    if not labels:
        return spec, labels
    kept = ",".join(f"{s.operator}{s.version.split('+', 1)[0]}" for s in spec)
    return SpecifierSet(kept), {label.lower() for label in labels}


def _pick_torch(family: list[_Req], backend: str, data: ReleaseData) -> Version:
    available = data.releases_for(backend)
    torch_reqs = [r for r in family if canonicalize_name(r.req.name) == "torch"]
    if torch_reqs:
        spec = SpecifierSet()
        for r in torch_reqs:
            spec &= r.spec
        for version in available:
            if spec.contains(version):
                return version
        where = ", ".join(f"{r.where} {r.text!r}" for r in torch_reqs)
        raise ConfigurationError(
            [
                f"{where}: no torch release on the {backend} index satisfies {str(spec) or 'any version'}; "
                f"{backend} has torch {_span(available)}. Fix: widen the torch specifier or choose another backend."
            ]
        )
    # Only companions listed: the newest torch release whose companions satisfy them all.
    for version in available:
        if all(
            (v := data.companion_version(version, canonicalize_name(r.req.name))) and r.spec.contains(v) for r in family
        ):
            return version
    where = ", ".join(f"{r.where} {r.text!r}" for r in family)
    raise ConfigurationError(
        [
            f"{where}: no torch release on the {backend} index has companions that satisfy this; "
            f"{backend} has torch {_span(available)}. Fix: widen the specifiers or choose another backend."
        ]
    )


def _check_companions(family: list[_Req], torch: Version, data: ReleaseData) -> list[str]:
    problems = []
    for r in family:
        name = canonicalize_name(r.req.name)
        if name == "torch":
            continue
        version = data.companion_version(torch, name)
        if version is None:
            last = max((Version(rel) for rel, e in data.releases.items() if name in e["versions"]), default=None)
            problems.append(
                f"{r.where}: {r.text!r} has no release for torch {torch} (the last {name} release goes with "
                f"torch {last}). Fix: limit torch to <={last} or remove {name}."
            )
        elif not r.spec.contains(version):
            problems.append(
                f"{r.where}: {r.text!r} excludes {name} {version}, the release that matches torch {torch}. "
                f"Fix: allow {name}=={version} or narrow the torch specifier to releases whose {name} it allows."
            )
    return problems


def _pin(req: Requirement, torch: Version, backend: str, fallback: str, data: ReleaseData) -> list[str]:
    name = canonicalize_name(req.name)
    version = data.companion_version(torch, name)
    labels = data.labels(torch, backend, name)
    by_label: dict[str, list[str]] = {}
    for platform in data.platforms:
        label = labels.get(platform)
        if label is None and fallback == "cpu":
            label = data.labels(torch, "cpu", name).get(platform)
        if label:
            by_label.setdefault(label, []).append(platform)
    head = req.name + (f"[{','.join(sorted(req.extras))}]" if req.extras else "")
    user = str(req.marker) if req.marker else None
    lines = [_line(f"{head}=={version}+{label}", marker_for(platforms), user) for label, platforms in by_label.items()]
    labelled = [p for platforms in by_label.values() for p in platforms]
    lines.append(_line(f"{head}=={version}", marker_against(labelled) if labelled else None, user))
    return lines


def _line(requirement: str, marker: str | None, user: str | None) -> str:
    markers = [f"({m})" if " or " in m else m for m in (user, marker) if m]
    text = requirement + ("; " + " and ".join(markers) if markers else "")
    return str(Requirement(text))


def _span(versions: list[Version]) -> str:
    if not versions:
        return "no releases"
    if len(versions) <= 6:
        return ", ".join(str(v) for v in sorted(versions))
    return f"{min(versions)} to {max(versions)} ({len(versions)} releases)"
