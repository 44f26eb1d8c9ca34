"""Checks that need no machine: the torch family against torch, ``nvidia-*`` CUDA majors, conflicting packages."""

from __future__ import annotations

import shlex

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from hatch_torch.data.family import Family, Member
from hatch_torch.data.model import ReleaseData
from hatch_torch.doctor.build import (
    ERROR,
    WARNING,
    Finding,
    TorchBuild,
    expected_label,
    expected_version,
    install,
    pin,
)
from hatch_torch.doctor.environment import Dist, Environment


def family_findings(env: Environment, data: ReleaseData, family: Family, build: TorchBuild) -> list[Finding]:
    out: list[Finding] = []
    for name, dist in sorted(env.dists.items()):
        member = family.member(name)
        if member is None or name == "torch":
            continue
        if member.where == "pyg":
            out += _pyg(env, family, member, dist, build)
            continue
        out += _member(env, data, member, dist, build)
    return out


def _version_fits(expected: str | None, installed: Version, member: Member, build: TorchBuild) -> bool:
    if member.versions == "table":
        known = member.known(installed)
        return not known or any(r.torch.contains(build.release, prereleases=True) for r in known)
    if expected is None:
        return True
    if expected[:1] in "<>=!~":
        try:
            return SpecifierSet(expected).contains(installed, prereleases=True)
        except InvalidSpecifier:
            return True
    return Version(installed.public) == Version(expected)


def _member(env: Environment, data: ReleaseData, member: Member, dist: Dist, build: TorchBuild) -> list[Finding]:
    version = expected_version(member, build, data, env)
    label = expected_label(member, build, data, env.platform)
    problems = []
    if not _version_fits(version, dist.version, member, build):
        goes = "torch's own metadata asks for" if member.versions == "torch-requires" else "goes with"
        problems.append(
            f"version {dist.version.public}, but {member.name} {version or '(unknown)'} {goes} {build.describe()}"
        )
    sure = member.versions == "release-data" and not build.pypi
    if member.label and dist.label != label and (dist.label or sure):
        want = f"+{label}" if label else "no label (the PyPI build)"
        problems.append(
            f"build {'+' + dist.label if dist.label else 'unlabelled (PyPI)'}, but {build.describe()} needs {want}"
        )
    elif member.label and label and not dist.label:
        out = [
            Finding(
                "companion",
                WARNING,
                f"{member.name} {dist.version} is an unlabelled (PyPI) build next to {build.describe()}; "
                f"which backend it was built for cannot be read from its metadata",
                _fix(env, data, member, build, version, label),
                [member.name],
            )
        ]
        return out
    if member.kinds and build.kind not in member.kinds and member.versions != "torch-requires":
        problems.append(f"the PyTorch indexes carry no {build.kind} build of it (only {', '.join(member.kinds)})")
    if not problems:
        return []
    message = f"{member.name} {dist.version} does not fit {build.describe()}: " + "; ".join(problems)
    return [Finding("companion", ERROR, message, _fix(env, data, member, build, version, label), [member.name])]


def _fix(
    env: Environment, data: ReleaseData, member: Member, build: TorchBuild, version: str | None, label: str
) -> str:
    if member.kinds and build.kind not in member.kinds and member.versions != "torch-requires":
        return shlex.join(["uv", "pip", "uninstall", "--python", env.python, member.name])
    wanted = pin(member.name, version, label)
    if member.where == "pytorch" and label:
        return install(env, [wanted], index=data.index_url(build.backend))
    if member.where == "index":
        return install(env, [wanted], index=member.url.format(backend=build.backend))
    return install(env, [wanted])


def _pyg(env: Environment, family: Family, member: Member, dist: Dist, build: TorchBuild) -> list[Finding]:
    label = member.expected_label(build.backend, build.release)
    if dist.label == label:
        return []
    page = family.page(member, build.release, build.backend)
    got = f"+{dist.label}" if dist.label else "unlabelled (built from source or from PyPI)"
    message = f"{member.name} {dist.version} is {got}, but {build.describe()} needs the +{label} build"
    if page is None:
        source = shlex.join(["uv", "pip", "install", "--python", env.python, "--no-binary", member.name, member.name])
        fix = (
            f"PyG publishes no {member.name} builds for torch {build.release.major}.{build.release.minor} "
            f"(builds exist for torch {family.pyg_torch}): use such a torch, or build {member.name} from source "
            f"against this one ({source})"
        )
    else:
        fix = shlex.join(
            [
                "uv",
                "pip",
                "install",
                "--python",
                env.python,
                "--reinstall-package",
                member.name,
                member.name,
                "--find-links",
                page,
            ]
        )
    severity = ERROR if dist.label else WARNING
    return [Finding("pyg", severity, message, fix, [member.name])]


def nvidia_findings(env: Environment, family: Family, build: TorchBuild | None) -> list[Finding]:
    majors: dict[int, list[str]] = {}
    for name in sorted(env.dists):
        major = family.cuda_major(name)
        if major is not None:
            majors.setdefault(major, []).append(name)
    want = build.cuda_major if build is not None and build.kind == "cuda" else None
    if len(majors) < 2 and (want is None or not majors or want in majors):
        return []
    listing = "; ".join(f"CUDA {m}: {', '.join(names)}" for m, names in sorted(majors.items()))
    if want is None:
        message = f"nvidia runtime packages of several CUDA majors are installed together ({listing})"
        fix = (
            "keep one CUDA major: uninstall the other set ("
            + shlex.join(["uv", "pip", "uninstall", "--python", env.python, *majors[min(majors)]])
            + ")"
        )
        return [Finding("nvidia", ERROR, message, fix, sorted(n for names in majors.values() for n in names))]
    extra = sorted(n for m, names in majors.items() if m != want for n in names)
    message = f"{build.describe() if build else 'torch'} uses CUDA {want}, but nvidia runtime packages of other CUDA majors are installed ({listing})"  # noqa: E501
    needed = {n: [r for r in env.requirers(n) if family.cuda_major(r) is None] for n in extra}
    fix = shlex.join(["uv", "pip", "uninstall", "--python", env.python, *extra])
    held = {n: r for n, r in needed.items() if r}
    if held:
        fix += " (still required by: " + "; ".join(f"{n} <- {', '.join(r)}" for n, r in held.items()) + ")"
    if want not in majors:
        fix += f"; then reinstall torch so its CUDA {want} runtimes come back"
    return [Finding("nvidia", ERROR, message, fix, extra)]


def conflict_findings(env: Environment, family: Family) -> list[Finding]:
    out = []
    for conflict in family.conflicts:
        present = [p for p in conflict.packages if env.get(p) is not None]
        if len(present) < 2:
            continue
        keep = env.get(conflict.keep)
        keeping = pin(conflict.keep, str(keep.version) if keep else None, "")
        fix = (
            shlex.join(["uv", "pip", "uninstall", "--python", env.python, *present]) + " && " + install(env, [keeping])
        )
        message = (
            f"{' and '.join(present)} are both installed; they share the {conflict.module!r} module, so one "
            f"overwrites the other's files"
        )
        out.append(Finding("conflict", ERROR, message, fix, present))
    return out
