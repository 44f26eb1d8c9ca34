"""What ``hatch-torch sources`` writes for a project: a pure function of the project table and the settings.

Two layouts:

- static requirements (``project.dependencies``, extras, dependency groups): one explicit
  ``[[tool.uv.index]]`` per backend and ``[tool.uv.sources]`` entries with platform markers (and ``extra``
  keys plus ``conflicts`` when there are several backends);
- build-hook requirements (``tool.hatch.metadata.hooks.torch``): the hook pins exact ``==X+label`` versions
  chosen by ``TORCH_BACKEND``, so the backends' project pages go into ``find-links`` (which uv searches in
  addition to the indexes, for every backend at once) and ``TORCH_BACKEND`` into ``cache-keys``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from hatch_torch.data.companions import pages
from hatch_torch.data.members import page_members
from hatch_torch.data.model import ReleaseData
from hatch_torch.pins.platforms import PLATFORMS
from hatch_torch.pins.resolve import FAMILY, _strip_local
from hatch_torch.util.errors import ConfigurationError
from hatch_torch.uv.scan import DEPENDENCIES, Found, ListPath, find_family
from hatch_torch.uv.settings import PYPI, Choice, Settings

#: uv's cache-keys when the setting is absent; writing the setting replaces them, so they are written too.
DEFAULT_CACHE_KEYS: tuple[dict[str, str], ...] = (
    {"file": "pyproject.toml"},
    {"file": "setup.py"},
    {"file": "setup.cfg"},
    {"dir": "src"},
)
BACKEND_CACHE_KEYS: tuple[dict[str, str], ...] = ({"env": "TORCH_BACKEND"}, {"env": "UV_TORCH_BACKEND"})
#: the packages the release data pairs with torch releases (the other family members follow data/family.json)
RELEASE_DATA = ("torch", "torchvision", "torchaudio")
#: macOS wheels never carry a label and PyPI has the same builds, so macOS always takes the fallback.
UNLABELLED_OS = "darwin"


@dataclass
class Plan:
    """Everything hatch-torch owns in the file after the run, keyed for updating in place."""

    indexes: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> index table
    sources: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # package -> source entries
    extras: dict[str, list[str]] = field(default_factory=dict)  # extras to create: name -> requirements
    requirements: list[tuple[ListPath, str]] = field(default_factory=list)  # lines added to existing lists
    moved: list[tuple[ListPath, str]] = field(default_factory=list)  # lines moved out (into the extras)
    conflicts: list[list[dict[str, str]]] = field(default_factory=list)
    find_links: list[str] = field(default_factory=list)
    cache_keys: list[dict[str, str]] = field(default_factory=list)
    required_environments: list[str] = field(default_factory=list)


def index_name(backend: str) -> str:
    return f"pytorch-{backend}"


def marker(platforms: Iterable[str]) -> str:
    """A marker for the platforms, whole operating systems shortened to ``sys_platform``, single-quoted."""
    by_os: dict[str, list[str]] = {}
    for key in sorted(set(platforms), key=list(PLATFORMS).index):
        os_name, machine = PLATFORMS[key]
        by_os.setdefault(os_name, []).append(machine)
    parts = []
    for os_name, machines in by_os.items():
        every = [m for o, m in PLATFORMS.values() if o == os_name]
        if sorted(machines) == sorted(every):
            parts.append(f"sys_platform == '{os_name}'")
        else:
            for machine in machines:
                parts.append(f"(sys_platform == '{os_name}' and platform_machine == '{machine}')")
    if len(parts) == 1:
        return parts[0].removeprefix("(").removesuffix(")") if parts[0].startswith("(") else parts[0]
    return " or ".join(parts)


def platform_marker(platform: str) -> str:
    os_name, machine = PLATFORMS[platform]
    return f"sys_platform == '{os_name}' and platform_machine == '{machine}'"


def relevant_releases(texts: Iterable[str], backend: str, data: ReleaseData) -> list[Version]:
    """The backend's torch releases whose torch-family versions satisfy every requirement in ``texts``."""
    reqs = [r for r in map(Requirement, texts) if canonicalize_name(r.name) in RELEASE_DATA]
    out = []
    for torch in data.releases_for(backend):
        ok = True
        for req in reqs:
            version = data.companion_version(torch, canonicalize_name(req.name))
            if version is None or not _strip_local(req.specifier)[0].contains(version, prereleases=True):
                ok = False
                break
        if ok:
            out.append(torch)
    if not out:
        shown = ", ".join(repr(t) for t in texts)
        raise ConfigurationError(
            [
                f"{shown}: no torch release on the {backend} index satisfies these requirements. "
                f"Fix: widen them or choose another backend (hatch-torch backends lists what each has)."
            ]
        )
    return out


def _covered(releases: list[Version], backend: str, package: str, data: ReleaseData) -> set[str]:
    """Platforms (macOS left out) where the backend's index publishes ``package`` for these releases."""
    platforms = {p for torch in releases for p in data.labels(torch, backend, package)}
    return {p for p in platforms if PLATFORMS[p][0] != UNLABELLED_OS}


def companions(releases: list[Version], backend: str, data: ReleaseData) -> list[str]:
    """Triton packages the backend's torch wheels require from the backend's own index (ROCm, XPU)."""
    kind = data.backends[backend]["kind"]
    names: list[str] = []
    for rule in data.raw.get("triton", []):
        wanted = rule["kind"] == kind and any(SpecifierSet(rule["torch"]).contains(t) for t in releases)
        if wanted and rule["package"] not in names:
            names.append(rule["package"])
    return names


def plan(doc: Mapping[str, Any], settings: Settings, data: ReleaseData, written: Collection[str] = ()) -> Plan:
    """The entries to write; raises :class:`ConfigurationError` for projects it cannot serve.

    ``written`` is the last run's record: its extras and added requirement lines are regenerated, not read.
    """
    if not isinstance(doc.get("project"), Mapping):
        raise ConfigurationError(
            [
                "pyproject.toml has no [project] table, so there are no requirements to route. "
                'Fix: add [project] with name, version and dependencies (e.g. dependencies = ["torch>=2.6"]).'
            ]
        )
    static, hooked = find_family(doc, data, written)
    if hooked:
        return _hook_plan(hooked, settings, data)
    if not static:
        raise ConfigurationError(
            [
                "pyproject.toml lists no torch-family requirement (torch, torchvision, torchaudio) in "
                "project.dependencies, project.optional-dependencies, dependency-groups or "
                'tool.hatch.metadata.hooks.torch. Fix: add one, e.g. dependencies = ["torch>=2.6"].'
            ]
        )
    return _static_plan(doc, static, settings, data, written)


def _static_plan(
    doc: Mapping[str, Any], static: list[Found], settings: Settings, data: ReleaseData, written: Collection[str]
) -> Plan:
    out = Plan()
    extras_layout = settings.uses_extras
    project = doc["project"]
    if extras_layout and "optional-dependencies" in project.get("dynamic", []):
        raise ConfigurationError(
            [
                "project.dynamic lists optional-dependencies, so hatch-torch cannot add one extra per backend. "
                "Fix: make optional-dependencies static, or pass a single --backend."
            ]
        )
    existing_extras = [k for k in project.get("optional-dependencies") or {} if f"extra:{k}" not in written]
    base = next((f for f in static if f.path == DEPENDENCIES), None)
    if extras_layout and base:
        # uv does not fork on platform for a package that project.dependencies also requires, so the extras'
        # fallback (macOS for CUDA...) would get the backend's wheel: the torch family lives in the extras only.
        out.moved = [(DEPENDENCIES, text) for text in base.texts]
    platforms_used: set[str] = set()
    for choice in settings.choices:
        if extras_layout:
            assert choice.extra is not None
            path: ListPath = ("project", "optional-dependencies", choice.extra)
            own = next((f for f in static if f.path == path), None)
            texts = own.texts if own else (base or static[0]).texts
            targets = [path]
            if choice.extra not in existing_extras:
                out.extras[choice.extra] = list((base or static[0]).texts)
        else:
            texts = [t for f in static for t in f.texts]
            targets = [f.path for f in [f for f in static if "torch" in f.names] or static[:1]]
        if choice.backend != PYPI:
            platforms_used |= _route(out, choice, texts, targets, settings, data)
    if extras_layout and len(settings.choices) > 1:
        out.conflicts.append([{"extra": c.extra} for c in settings.choices if c.extra])
    # Without these, uv's universal resolution may pick a version whose only wheels are for other
    # platforms (the git-hash torchvision wheels for win_arm64, bare aarch64 builds) for Linux x86_64.
    out.required_environments = [platform_marker(p) for p in PLATFORMS if p in platforms_used]
    return out


def _route(
    out: Plan, choice: Choice, texts: list[str], targets: list[ListPath], settings: Settings, data: ReleaseData
) -> set[str]:
    """Index, sources and added lines for one backend; the platforms routed to a torch index."""
    names = sorted({str(canonicalize_name(Requirement(t).name)) for t in texts}, key=_family_order)
    releases = relevant_releases(texts, choice.backend, data)
    if "torch" not in names:
        # uv applies tool.uv.sources to direct requirements only: torch must be one to come from the index.
        names.insert(0, "torch")
        _add_line(out, choice, targets, "torch")
    routed = {name: _covered(releases, choice.backend, name, data) for name in names}
    for name in companions(releases, choice.backend, data):
        # A transitive requirement of torch: listed directly so that its source applies.
        routed[name] = routed["torch"]
        _add_line(out, choice, targets, f"{name}; {marker(routed['torch'])}")
    cpu = settings.fallback == "cpu" and choice.backend != "cpu"
    cpu_releases = relevant_releases(texts, "cpu", data) if cpu else []
    used: set[str] = set()
    for name, platforms in routed.items():
        if platforms:
            _add_source(out, name, choice, choice.backend, platforms, settings, data)
            used |= platforms
        if cpu_releases and name in FAMILY:
            rest = {p for t in cpu_releases for p in data.labels(t, "cpu", name)} - platforms
            if rest:
                _add_source(out, name, choice, "cpu", rest, settings, data)
                used |= {p for p in rest if PLATFORMS[p][0] != UNLABELLED_OS}
    return used


def _family_order(name: str) -> tuple[int, str]:
    return (FAMILY.index(name), name) if name in FAMILY else (len(FAMILY), name)


def _add_line(out: Plan, choice: Choice, targets: list[ListPath], line: str) -> None:
    if choice.extra is not None and choice.extra in out.extras:
        if line not in out.extras[choice.extra]:
            out.extras[choice.extra].append(line)
        return
    for target in targets:
        if (target, line) not in out.requirements:
            out.requirements.append((target, line))


def _add_source(
    out: Plan, name: str, choice: Choice, backend: str, platforms: set[str], settings: Settings, data: ReleaseData
) -> None:
    index = index_name(backend)
    out.indexes.setdefault(index, {"name": index, "url": settings.url(backend, data), "explicit": True})
    entry = {"index": index, "marker": marker(platforms)}
    if choice.extra is not None:
        entry["extra"] = choice.extra
    out.sources.setdefault(name, []).append(entry)


def _hook_plan(hooked: list[Found], settings: Settings, data: ReleaseData) -> Plan:
    out = Plan()
    if settings.named:
        raise ConfigurationError(
            [
                "the torch requirements are in tool.hatch.metadata.hooks.torch, which picks the backend from "
                "TORCH_BACKEND at build time, so EXTRA=BACKEND extras cannot select it. "
                "Fix: pass plain --backend values (every backend TORCH_BACKEND may name)."
            ]
        )
    paged = set(page_members(plugins=True))
    texts = [t for f in hooked for t in f.texts]
    names = sorted({n for f in hooked for n in f.names} | {"torch"}, key=_family_order)
    backends = [c.backend for c in settings.choices if c.backend != PYPI]
    hook_fallback = (settings.hook_fallback or "pypi") == "cpu"
    if hook_fallback and "cpu" not in backends:
        backends.append("cpu")
    for backend in backends:
        releases = relevant_releases(texts, backend, data)
        for name in [*names, *companions(releases, backend, data)]:
            url = f"{settings.url(backend, data)}/{name}/"
            if name not in paged and url not in out.find_links:
                out.find_links.append(url)
        out.find_links += [u for u in pages(paged & set(names), releases, backend) if u not in out.find_links]
    out.cache_keys = [*DEFAULT_CACHE_KEYS, *BACKEND_CACHE_KEYS]
    return out
