"""Platform groups the pins are resolved for, and PEP 508 markers that select sets of them.

A group is a platform of the data (``linux_x86_64``...), macOS arm64 split at macOS 14 (``macos_arm64@13``
stands for every macOS before 14, ``macos_arm64@14`` for 14 and later; ``platform_release`` is the Darwin
kernel version, 23 = macOS 14), or ``other``: every platform the data does not know (Linux ppc64le, FreeBSD...).
"""

from __future__ import annotations

from collections.abc import Iterable

#: platform key -> (sys_platform, platform_machine)
PLATFORMS: dict[str, tuple[str, str]] = {
    "linux_x86_64": ("linux", "x86_64"),
    "linux_aarch64": ("linux", "aarch64"),
    "macos_arm64": ("darwin", "arm64"),
    "macos_x86_64": ("darwin", "x86_64"),
    "win_amd64": ("win32", "AMD64"),
    "win_arm64": ("win32", "ARM64"),
}
OTHER = "other"
SPLIT = "macos_arm64"  # the platform told apart by macOS version
#: group -> (platform key or None, macOS major assumed for the group or None)
MACOS_BELOW, MACOS_FROM = 13, 14
_OS = {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}


def groups(platforms: Iterable[str]) -> list[str]:
    """The platform groups for the data's platforms, in the data's order, ``other`` last."""
    out: list[str] = []
    for key in platforms:
        out += [f"{key}@{MACOS_BELOW}", f"{key}@{MACOS_FROM}"] if key == SPLIT else [key]
    return [*out, OTHER]


def split(group: str) -> tuple[str | None, int | None]:
    """(platform key or None for ``other``, assumed macOS major or None)."""
    if group == OTHER:
        return None, None
    key, _, macos = group.partition("@")
    return key, int(macos) if macos else None


def samples(group: str) -> list[dict[str, str]]:
    """Marker variables of machines in the group (several where the group is broad)."""
    key, macos = split(group)
    if key is None:
        rows = [("linux", "ppc64le", "posix"), ("linux", "s390x", "posix"), ("freebsd14", "amd64", "posix")]
        rows += [("win32", "x86", "nt"), ("darwin", "ppc", "posix")]
        return [_sample(p, m, o, "14.0") for p, m, o in rows]
    sys_platform, machine = PLATFORMS[key]
    releases = ["20.6.0", "22.6.0"] if macos == MACOS_BELOW else ["23.6.0", "25.0.0"] if macos else ["1.0"]
    return [_sample(sys_platform, machine, "nt" if sys_platform == "win32" else "posix", r) for r in releases]


def _sample(sys_platform: str, machine: str, os_name: str, release: str) -> dict[str, str]:
    system = _OS.get(sys_platform, sys_platform.rstrip("0123456789").capitalize())
    return {
        "sys_platform": sys_platform,
        "platform_machine": machine,
        "platform_system": system,
        "os_name": os_name,
        "platform_release": release,
    }


#: Darwin kernel majors of macOS arm64 before 14 (arm64 Macs start at macOS 11 = Darwin 20)
DARWIN_BEFORE_14 = ("20.", "21.", "22.")


def _older(negate: bool) -> str:
    """``platform_release`` says macOS before 14 (or its negation), with ``in`` tests only.

    uv's ``--python-platform`` for macOS sets ``platform_release`` to "" and mis-evaluates ordered and ``!=``
    comparisons on it inside ``or`` (a whole marker turns false), so no ``<``/``>=`` is written; "" (no
    ``.``) counts as before 14, which is also uv's default macOS arm64 target.
    """
    if negate:
        return " and ".join(['"." in platform_release', *(f'"{d}" not in platform_release' for d in DARWIN_BEFORE_14)])
    return " or ".join(['"." not in platform_release', *(f'"{d}" in platform_release' for d in DARWIN_BEFORE_14)])


def _term(group: str, negate: bool) -> tuple[str, str]:
    """(sys_platform, machine condition) of one group, or of its negation."""
    key, macos = split(group)
    assert key is not None
    sys_platform, machine = PLATFORMS[key]
    text = f'platform_machine {"!=" if negate else "=="} "{machine}"'
    if macos is not None:
        # the group's own side, or for a negation the other side (not (arm64 and older) = not arm64 or newer)
        newer = (macos == MACOS_FROM) != negate
        release = _older(negate=newer)
        text = f"({text} or ({release}))" if negate else f"({text} and ({release}))"
    return sys_platform, text


def _merge_halves(chosen: set[str]) -> list[str]:
    both = {f"{SPLIT}@{MACOS_BELOW}", f"{SPLIT}@{MACOS_FROM}"}
    out = sorted(chosen - both) + ([SPLIT] if both <= chosen else sorted(chosen & both))
    return out


def platform_marker(chosen: Iterable[str], every: list[str]) -> str:
    """A marker true exactly on the ``chosen`` groups (of ``every``); "" when that is all of them."""
    chosen = set(chosen)
    if chosen >= set(every):
        return ""
    negate = OTHER in chosen
    targets = _merge_halves(set(every) - chosen - {OTHER} if negate else chosen)
    order = {g.partition("@")[0]: i for i, g in enumerate(every)}
    by_os: dict[str, list[str]] = {}
    for group in sorted(targets, key=lambda g: (order[g.partition("@")[0]], g)):
        sys_platform, text = _term(group, negate)
        by_os.setdefault(sys_platform, []).append(text)
    compare, inner, outer = ("!=", " and ", " or ") if negate else ("==", " or ", " and ")
    parts = []
    for sys_platform, machines in by_os.items():
        machine = inner.join(machines)
        if len(machines) > 1:
            machine = f"({machine})"
        parts.append(f'sys_platform {compare} "{sys_platform}"{outer}{machine}')
    return inner.join(f"({p})" for p in parts) if len(parts) > 1 else parts[0]


def marker_for(platforms: Iterable[str]) -> str:
    """A marker true exactly on the given platforms of the data."""
    return platform_marker(platforms, [*PLATFORMS, OTHER])


def marker_against(platforms: Iterable[str]) -> str:
    """A marker true everywhere except on the given platforms (the negation of ``marker_for``)."""
    return platform_marker(set(PLATFORMS) - set(platforms) | {OTHER}, [*PLATFORMS, OTHER])
