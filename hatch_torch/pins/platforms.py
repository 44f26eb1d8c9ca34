"""The platforms PyTorch publishes wheels for, and PEP 508 markers that select them."""

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


def _by_os(platforms: Iterable[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key in sorted(platforms, key=list(PLATFORMS).index):
        os_name, machine = PLATFORMS[key]
        grouped.setdefault(os_name, []).append(machine)
    return grouped


def _marker(platforms: Iterable[str], negate: bool) -> str:
    compare, inner, outer = ("!=", " and ", " or ") if negate else ("==", " or ", " and ")
    parts = []
    for os_name, machines in _by_os(platforms).items():
        machine = inner.join(f'platform_machine {compare} "{m}"' for m in machines)
        if len(machines) > 1:
            machine = f"({machine})"
        parts.append(f'sys_platform {compare} "{os_name}"{outer}{machine}')
    return inner.join(f"({p})" for p in parts) if len(parts) > 1 else parts[0]


def marker_for(platforms: Iterable[str]) -> str:
    """A marker true exactly on the given platforms."""
    return _marker(platforms, negate=False)


def marker_against(platforms: Iterable[str]) -> str:
    """A marker true everywhere except on the given platforms (the negation of ``marker_for``)."""
    return _marker(platforms, negate=True)
