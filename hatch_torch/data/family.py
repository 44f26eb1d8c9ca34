"""The torch family as data: which packages follow the torch build, where their builds live, how they are labelled.

``family.json`` holds the facts (each with its source); plugins add members through the ``hatch_torch_family``
hook with entries of the same shape, so a new member needs no code change (docs/guide.md shows one).

A member's ``label`` is a template for the local label its wheels carry next to a torch build: ``backend``
(the torch backend, ``+cu128``), ``none`` (no label), ``pyg`` (``+pt28cu128``), or any template using
``{backend}``, ``{major}``, ``{minor}``. ``where`` says where the builds live: ``pytorch`` (the backend's
PyTorch index), ``pypi``, ``pyg`` (PyG's find-links page per torch and backend), or ``index``/``find-links``
with a ``url`` template. ``versions``: ``release-data`` (torchvision/torchaudio, from releases.json),
``torch-requires`` (the version torch's own metadata asks for, like triton) or ``table`` (``releases``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from hatch_torch.data.compact import load_json
from hatch_torch.util.record import Record, field, replace

if TYPE_CHECKING:
    from hatch_torch.plugins.manager import Plugins

FAMILY_FILE = Path(__file__).parent / "family.json"
LABELS = {"backend": "{backend}", "none": "", "pyg": "pt{major}{minor}{backend}"}
WHERE = ("pytorch", "pypi", "pyg", "index", "find-links")
VERSIONS = ("release-data", "torch-requires", "table")


class Release(Record, frozen=True):
    """One release of a member and the torch releases it goes with."""

    version: str
    torch: SpecifierSet
    matches: SpecifierSet | None = None
    confidence: str = ""
    source: tuple[str, ...] = ()

    def fits(self, installed: Version) -> bool:
        """Whether ``installed`` is this release (``matches`` if given, else the same version)."""
        if self.matches is not None:
            return self.matches.contains(installed, prereleases=True)
        return Version(self.version) == Version(installed.public)


class Member(Record, frozen=True):
    name: str
    where: str
    label: str  # a template; see LABELS
    versions: str
    kinds: tuple[str, ...] = ()  # backend kinds whose indexes carry it; empty: every kind
    releases: tuple[Release, ...] = ()
    torch: SpecifierSet = field(default_factory=SpecifierSet)
    url: str = ""
    source: tuple[str, ...] = ()
    plugin: str = ""

    def release_for(self, torch: Version) -> Release | None:
        """The newest release listed for ``torch`` (table members), if any."""
        fits = [r for r in self.releases if r.torch.contains(Version(torch.public), prereleases=True)]
        return max(fits, key=lambda r: Version(r.version), default=None)

    def known(self, installed: Version) -> list[Release]:
        """The table entries that describe an installed version: exact ones, else those of its release."""
        exact = [r for r in self.releases if r.fits(installed)]
        if exact:
            return exact
        return [r for r in self.releases if r.matches is None and Version(r.version).release == installed.release]

    def expected_label(self, backend: str, torch: Version) -> str:
        return self.label.format(backend=backend, major=torch.major, minor=torch.minor)


class Conflict(Record, frozen=True):
    packages: tuple[str, ...]
    keep: str
    module: str
    source: tuple[str, ...] = ()


class Family(Record):
    members: dict[str, Member]
    pyg_page: str
    pyg_torch: SpecifierSet
    nvidia_packages: frozenset[str]
    nvidia_unsuffixed: int
    conflicts: list[Conflict]
    raw: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    pyg_platforms: tuple[str, ...] = ()  # platforms PyG's pages have labelled wheels for

    def member(self, name: str) -> Member | None:
        return self.members.get(canonicalize_name(name))

    def page(self, member: Member, torch: Version, backend: str) -> str | None:
        """The find-links page with ``member``'s builds for this torch and backend, or None if it has none."""
        if member.where == "pyg":
            if not self.pyg_torch.contains(Version(torch.public), prereleases=True):
                return None
            return self.pyg_page.format(torch=f"{torch.major}.{torch.minor}.0", backend=backend)
        if member.where == "find-links":
            return member.url.format(torch=torch.public, backend=backend, major=torch.major, minor=torch.minor)
        return None

    def cuda_major(self, name: str) -> int | None:
        """The CUDA major an ``nvidia-*`` runtime package belongs to (None for anything else)."""
        canonical = canonicalize_name(name)
        if not canonical.startswith("nvidia-"):
            return None
        stem, _, suffix = canonical[len("nvidia-") :].rpartition("-cu")
        if stem and suffix.isdigit() and stem in self.nvidia_packages:
            return int(suffix)
        stem = canonical[len("nvidia-") :]
        return self.nvidia_unsuffixed if stem in self.nvidia_packages else None


def _spec(text: str, where: str, problems: list[str]) -> SpecifierSet:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        problems.append(f"{where}: {text!r} is not a version specifier")
        return SpecifierSet()


def member(name: str, entry: Mapping[str, Any], plugin: str = "") -> tuple[Member | None, list[str]]:
    """A member from its data entry, or None and what is wrong with the entry."""
    where = f"family member {name!r}" + (f" (plugin {plugin})" if plugin else "")
    problems: list[str] = []
    kind = entry.get("where", "pytorch")
    if kind not in WHERE:
        problems.append(f"{where}: where={kind!r}; use one of {', '.join(WHERE)}")
    versions = entry.get("versions", "table")
    if versions not in VERSIONS:
        problems.append(f"{where}: versions={versions!r}; use one of {', '.join(VERSIONS)}")
    if kind in ("index", "find-links") and not entry.get("url"):
        problems.append(f"{where}: where={kind!r} needs a url template")
    label = str(entry.get("label", "backend"))
    label = LABELS.get(label, label)
    try:
        label.format(backend="cpu", major=2, minor=0)
    except (KeyError, IndexError, ValueError):
        problems.append(f"{where}: label {label!r} may use only {{backend}}, {{major}}, {{minor}}")
    releases = []
    for i, r in enumerate(entry.get("releases", [])):
        try:
            Version(str(r["version"]))
        except (KeyError, InvalidVersion):
            problems.append(f"{where}: releases[{i}] needs a valid version")
            continue
        matches = _spec(r["matches"], where, problems) if r.get("matches") else None
        goes = _spec(str(r.get("torch", "")), where, problems)
        releases.append(Release(str(r["version"]), goes, matches, r.get("confidence", ""), tuple(r.get("source", ()))))
    torch = _spec(str(entry.get("torch", "")), where, problems)
    if problems:
        return None, problems
    found = Member(
        canonicalize_name(name),
        kind,
        label,
        versions,
        tuple(entry.get("kinds", ())),
        tuple(releases),
        torch,
        str(entry.get("url", "")),
        tuple(entry.get("source", ())),
        plugin,
    )
    return found, problems


def parse(raw: dict[str, Any]) -> Family:
    problems: list[str] = []
    members = {}
    for name, entry in raw["members"].items():
        found, bad = member(name, entry)
        problems += bad
        if found is not None:
            members[found.name] = found
    nvidia = raw["nvidia"]
    conflicts = [
        Conflict(tuple(canonicalize_name(p) for p in c["packages"]), c["keep"], c["module"], tuple(c.get("source", ())))
        for c in raw.get("conflicts", [])
    ]
    pyg = raw["pyg"]
    return Family(
        members,
        pyg["page"],
        SpecifierSet(pyg.get("torch", "")),
        frozenset(nvidia["packages"]),
        int(nvidia["unsuffixed"]),
        conflicts,
        raw,
        problems,
        tuple(pyg.get("platforms", ())),
    )


@cache
def _bundled() -> Family:
    return parse(load_json(str(FAMILY_FILE)))  # through its compiled copy: no json module


def load() -> Family:
    """The family in effect: the bundled data plus the members plugins add (never replacing a bundled one)."""
    from hatch_torch.plugins.scan import blocked_names, third_party

    blocked = blocked_names()
    if not third_party(blocked)[0]:
        return _bundled()
    return _with_plugins(blocked)


@cache
def _with_plugins(blocked: str) -> Family:
    from hatch_torch.plugins.manager import manager

    return with_plugins(_bundled(), manager(blocked))


def with_plugins(base: Family, plugins: Plugins) -> Family:
    """``base`` plus the members the plugins' ``hatch_torch_family`` hooks add (the problems recorded)."""
    members, problems = dict(base.members), list(base.problems)
    for plugin, function, _ in plugins.impls("hatch_torch_family"):
        try:
            entries = list((function() or {}).items())
        except Exception as exc:
            problems.append(f"plugin {plugin}: hatch_torch_family raised {type(exc).__name__}: {exc}")
            continue
        for name, entry in entries:
            if canonicalize_name(name) in members:
                problems.append(f"plugin {plugin}: family member {name!r} already exists; not added")
                continue
            found, bad = member(name, entry, plugin)
            problems += bad
            if found is not None:
                members[found.name] = found
    return replace(base, members=members, problems=problems)


def pinned(family: Family) -> tuple[str, ...]:
    """Members the hook pins like torchvision: on the PyTorch indexes, with a label and a release table or the
    release data's versions."""
    return tuple(
        m.name for m in family.members.values() if m.where == "pytorch" and m.label and m.versions != "torch-requires"
    )


def paged(family: Family) -> tuple[str, ...]:
    """Members whose builds live on find-links pages per torch and backend (PyG): pinned where a page has them."""
    return tuple(m.name for m in family.members.values() if m.where in ("pyg", "find-links") and m.releases)


def tables(raw: dict[str, Any]) -> dict[str, list[str]]:
    """What the compiled copy of ``family.json`` carries besides the data (data/compact.py; read by data/members.py):
    the bundled family's member names, derived at data-build time."""
    family = parse(raw)
    return {"pinned": list(pinned(family)), "paged": list(paged(family))}
