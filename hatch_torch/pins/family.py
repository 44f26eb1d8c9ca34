"""The torch-family requirements of the hook's groups, parsed once, and where each marker can hold."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

if TYPE_CHECKING:
    from hatch_torch.data.model import ReleaseData

COMPANIONS = ("torchvision", "torchaudio")
FAMILY = ("torch", *COMPANIONS)
#: marker variables the environments model; a marker using another one is not pinned (kept as written)
MODELLED = frozenset(
    {
        "sys_platform",
        "platform_machine",
        "platform_system",
        "os_name",
        "platform_release",
        "python_version",
        "python_full_version",
        "implementation_name",
        "platform_python_implementation",
        "extra",
    }
)

#: variables that vary inside one environment (inside ``other``: the platform ones too)
VARYING = frozenset({"platform_release", "python_full_version"})
PLATFORM_VARIABLES = frozenset({"sys_platform", "platform_machine", "platform_system", "os_name"})


class Req:
    """One torch-family requirement of the groups (a plain class: dataclasses cost import time on the hook path)."""

    __slots__ = ("_holds", "group", "index", "labels", "modelled", "name", "names", "req", "spec", "text", "where")

    def __init__(
        self, where: str, group: str, index: int, text: str, req: Requirement, spec: SpecifierSet, labels: set[str]
    ) -> None:
        self.where = where  # the setting that holds it, e.g. "dependencies[1]"
        self.group, self.index, self.text, self.req = group, index, text, req
        self.spec = spec  # without local labels
        self.labels = labels  # local labels the requirement pinned, if any
        self.name = canonicalize_name(req.name)
        self.names = frozenset(_variables(req.marker) if req.marker else ())  # the marker's variables
        self.modelled = self.names <= MODELLED  # False: a variable the environments do not model
        self._holds: dict[tuple[Any, ...], bool] = {}

    def holds(self, platform: list[dict[str, str]], python: str, extra: str) -> bool:
        """True if the marker can hold somewhere in the environment (any sample of it)."""
        marker = self.req.marker
        if marker is None:
            return True
        key = (id(platform), python)
        if key not in self._holds:
            envs = (
                {
                    **p,
                    "python_version": python,
                    "python_full_version": f"{python}.{patch}",
                    "implementation_name": "cpython",
                    "platform_python_implementation": "CPython",
                    "extra": extra,
                }
                for p in platform
                for patch in (0, 99)
            )
            self._holds[key] = any(marker.evaluate(env) for env in envs)
        return self._holds[key]


def _variables(marker: Marker) -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, (list, tuple)):
            for item in node:
                walk(item)
        elif type(node).__name__ == "Variable":
            found.add(str(node.value))

    walk(marker._markers)
    return found


def strip_local(spec: SpecifierSet) -> tuple[SpecifierSet, set[str]]:
    labels = {s.version.split("+", 1)[1] for s in spec if "+" in s.version}
    if not labels:
        return spec, labels
    kept = ",".join(f"{s.operator}{s.version.split('+', 1)[0]}" for s in spec)
    return SpecifierSet(kept), {label.lower() for label in labels}


def parse(
    groups: Mapping[str, Sequence[str]], prefix: str, names: Collection[str] = FAMILY
) -> tuple[list[Req], list[str]]:
    """The torch-family requirements (``names``: the data's family) of the groups, and a message for each
    string that does not parse."""
    problems: list[str] = []
    family: list[Req] = []
    for group, texts in groups.items():
        for i, text in enumerate(texts):
            if (plain := _plain_name(text)) is not None and plain not in names:
                continue  # a valid requirement of another package: nothing to pin, nothing to report
            where = f"{prefix}{group}[{i}]"
            try:
                req = Requirement(text)
            except InvalidRequirement as exc:
                problems.append(
                    f"{where}: {text!r} is not a valid PEP 508 requirement ({exc}). "
                    f'Fix: write it like "torch>=2.6" or "numpy; python_version >= \'3.11\'".'
                )
                continue
            if canonicalize_name(req.name) in names and req.url is None:
                family.append(Req(where, group, i, text, req, *strip_local(req.specifier)))
    return family, problems


_NAME = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"


def _plain_name(text: str) -> str | None:
    """The normalised name of a requirement of the plainest shape, ``name[extras]>=1.2,<2``: no marker, URL or
    parenthesis, a specifier of :func:`plain_clauses`; None for anything else (which the full parser reads). Every
    string this accepts is a valid PEP 508 requirement (checked against packaging in
    tests/pins/test_plain_requirements.py), so a build can skip parsing the many that are not the torch family's."""
    text = text.strip(" \t")  # the only whitespace PEP 508 has
    rest = text.lstrip(_NAME)
    name = text[: len(text) - len(rest)]
    if not name or not (name[0].isalnum() and name[-1].isalnum()):
        return None
    if rest[:1] == "[":
        extras, closed, rest = rest[1:].partition("]")
        if not closed or not all(
            e and not e.strip(_NAME) and e[0].isalnum() and e[-1].isalnum() for e in extras.split(",")
        ):
            return None
    if rest and plain_clauses(rest) is None:
        return None
    normal = name.lower().replace("_", "-").replace(".", "-")
    return normal if "--" not in normal else canonicalize_name(name)


Clause = tuple[str, tuple[int, ...], bool]  # (operator, release, ends in .*)


def plain_clauses(spec: str) -> list[Clause] | None:
    """The clauses of a specifier made only of plain release numbers (``>=3.10,!=3.12.*``), else None."""
    clauses = []
    for raw in spec.split(","):
        part = raw.strip(" \t")  # the only whitespace PEP 508 and PEP 440 specifiers have
        op = next((o for o in ("~=", "==", "!=", "<=", ">=", "<", ">") if part.startswith(o)), "")
        value = part[len(op) :].strip(" \t")
        wild = value.endswith(".*")
        value = value[:-2] if wild else value
        numbers = value.split(".")
        if not op or value[:1] == "=" or (wild and op not in ("==", "!=")) or (op == "~=" and len(numbers) < 2):
            return None
        if not all(n.isascii() and n.isdigit() for n in numbers):
            return None
        clauses.append((op, tuple(map(int, numbers)), wild))
    return clauses


def holds(clause: Clause, version: tuple[int, ...]) -> bool:
    """PEP 440 for a final release ``version`` (no pre, post, dev or local part) and a plain clause."""
    op, release, wild = clause
    if wild or op == "~=":
        size = len(release) if wild else len(release) - 1
        prefix = (version + (0,) * size)[:size] == release[:size]
        return (prefix if op == "==" else not prefix) if wild else prefix and holds((">=", release, False), version)
    size = max(len(version), len(release))
    a, b = version + (0,) * (size - len(version)), release + (0,) * (size - len(release))
    if op == ">=":
        return a >= b
    if op == "<":
        return a < b
    return a == b if op == "==" else a != b if op == "!=" else a <= b if op == "<=" else a > b


def torch_specifier(groups: Mapping[str, Sequence[str]]) -> SpecifierSet:
    """The combined torch specifier of the groups (unparsable entries are skipped here)."""
    spec = SpecifierSet()
    for r in parse(groups, "")[0]:
        if r.name == "torch":
            spec &= r.spec
    return spec


def family_names(data: ReleaseData, plugins: bool) -> set[str]:
    """The torch family of ``data`` (``plugins``: with the members installed plugins add)."""
    from hatch_torch.data.members import page_members, pinned_members

    found = {canonicalize_name(p) for p in data.raw.get("packages", FAMILY)} | set(data.raw.get("companions", {}))
    return found | set(pinned_members(plugins=plugins)) | set(page_members(plugins=plugins))
