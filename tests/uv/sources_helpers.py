"""Helpers for the ``hatch-torch sources`` tests: run the command, run real uv offline, read uv.lock.

uv never reaches the real PyPI here: the default index is the fake PyPI of ``tests/fake_index.py``, any
https request goes to a dead proxy, Python downloads are off, and the build requirements of hook projects
(hatchling, hatch-torch and their requirements) come from a local wheelhouse made from this checkout and the
installed distributions.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import tomlkit
from buildkit import BUILD_DISTS, repack_installed, uv_command
from packaging.utils import canonicalize_name

from hatch_torch.cli import main

ROOT = Path(__file__).resolve().parents[2]
#: Variables that would leak this shell's backend choice or uv/pip configuration into the runs.
LEAKY_PREFIXES = ("UV_", "PIP_")
LEAKY = ("TORCH_BACKEND", "HATCH_TORCH_DATA", "VIRTUAL_ENV")

#: seed 001's project: torch in a cpu and a gpu extra, and empty [tool] / [tool.uv] headers
SEED_001 = """\
[project]
name = "test"
version = "0.1.0"
description = "Test pytorch dependencies"
readme = "README.md"
requires-python = ">=3.10"
dependencies = []

[project.optional-dependencies]
cpu = [
  "torch==2.5.1",
  "torchvision==0.20.1",
]
gpu = [
  "torch==2.5.1",
  "torchvision==0.20.1",
]

[tool]
[tool.uv]
"""

#: a project whose torch requirements the build hook pins
HOOK = """\
[build-system]
requires = ["hatchling", "hatch-torch"]
build-backend = "hatchling.build"

[project]
name = "hooked"
version = "1.0"
requires-python = ">=3.10"
dynamic = ["dependencies"]

[tool.hatch.metadata.hooks.torch]
dependencies = ["torch>=2.9,<2.11", "torchvision"]
"""


def sources(project: Path, *args: str) -> int:
    """Run ``hatch-torch sources --project PROJECT ARGS`` in-process; its exit status."""
    return main(["sources", "--project", str(project), *args])


def write(project: Path, text: str) -> Path:
    project.mkdir(parents=True, exist_ok=True)
    path = project / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


def uv_env(pypi_url: str, cache: Path, find_links: Path | None = None, **extra: str) -> dict[str, str]:
    """An environment in which uv only talks to 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(LEAKY_PREFIXES) and k not in LEAKY}
    env.update(
        {
            "UV_DEFAULT_INDEX": pypi_url,
            "UV_CACHE_DIR": str(cache),
            "UV_PYTHON": sys.executable,
            "UV_PYTHON_DOWNLOADS": "never",
            "UV_LINK_MODE": "copy",
            "UV_NO_PROGRESS": "1",
            "HTTPS_PROXY": "http://127.0.0.1:9",  # nothing listens there: a request to the real PyPI fails
            "HTTP_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost",
            "XDG_CONFIG_HOME": str(cache / "xdg"),  # no user-level uv.toml
        }
    )
    if find_links is not None:
        env["UV_FIND_LINKS"] = str(find_links)
    env.update(extra)
    return env


def uv(project: Path, env: dict[str, str], *args: str) -> str:
    """Run uv in the project; its output, or an AssertionError carrying it."""
    exe = uv_command()
    proc = subprocess.run([exe, *args], cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"uv {' '.join(args)} exited {proc.returncode}:\n{output}"
    return output


def installed(project: Path) -> dict[str, str]:
    """name -> version of what the project's .venv holds."""
    found = {}
    for info in (project / ".venv").glob("lib/python*/site-packages/*.dist-info"):
        meta = (info / "METADATA").read_text(encoding="utf-8").splitlines()
        fields = dict(line.split(": ", 1) for line in meta if ": " in line)
        found[str(canonicalize_name(fields["Name"]))] = fields["Version"]
    return found


@dataclass(frozen=True)
class Locked:
    """One wheel in uv.lock: the package version, the index it comes from and its file name."""

    name: str
    version: str
    registry: str
    filename: str

    @property
    def platform(self) -> str:
        tag = self.filename.removesuffix(".whl").rsplit("-", 1)[1]
        for key, needle in (
            ("linux_x86_64", "linux_x86_64"),
            ("linux_x86_64", "manylinux_2_28_x86_64"),
            ("linux_aarch64", "aarch64"),
            ("macos_arm64", "macosx_11_0_arm64"),
            ("macos_x86_64", "macosx_10_9_x86_64"),
            ("win_amd64", "win_amd64"),
            ("win_arm64", "win_arm64"),
        ):
            if needle in tag:
                return key
        return "any"


def lock_wheels(project: Path, name: str) -> list[Locked]:
    """Every wheel of ``name`` that uv.lock can pick, with the version and index it belongs to."""
    lock = tomlkit.parse((project / "uv.lock").read_text(encoding="utf-8")).unwrap()
    out = []
    for package in lock.get("package", []):
        if package["name"] != name:
            continue
        registry = package["source"].get("registry", "")
        for wheel in package.get("wheels", []):
            out.append(Locked(name, package["version"], registry, wheel["url"].rsplit("/", 1)[1]))
    return out


def by_platform(wheels: list[Locked], python: str = "cp311") -> dict[str, set[tuple[str, str]]]:
    """platform -> {(version, index)} for the wheels of one CPython."""
    out: dict[str, set[tuple[str, str]]] = {}
    for w in wheels:
        if f"-{python}-" in w.filename or "-none-any" in w.filename or "-py3-" in w.filename:
            out.setdefault(w.platform, set()).add((w.version, w.registry))
    return out


# --- offline build requirements ----------------------------------------------------------------------------


def offline_wheelhouse(dest: Path, pypi_url: str, cache: Path) -> Path:
    """hatchling, hatch-torch (built from this checkout) and their requirements as wheels in ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in BUILD_DISTS:
        repack_installed(name, dest)
    exe = uv_command()
    env = uv_env(pypi_url, cache, find_links=dest)
    proc = subprocess.run(
        [exe, "build", "--wheel", "--out-dir", str(dest), "--no-config", "--find-links", str(dest), str(ROOT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return dest


# --- what uv.lock installs on each platform -------------------------------------------------------------------

PLATFORM_ENVIRONMENTS = {
    "linux_x86_64": ("linux", "x86_64", "Linux", "posix"),
    "linux_aarch64": ("linux", "aarch64", "Linux", "posix"),
    "macos_arm64": ("darwin", "arm64", "Darwin", "posix"),
    "win_amd64": ("win32", "AMD64", "Windows", "nt"),
    "win_arm64": ("win32", "ARM64", "Windows", "nt"),
}


def resolved(project: Path, env: dict[str, str], *args: str) -> dict[str, dict[str, tuple[str, str]]]:
    """platform -> {package: (version, index URL)} that the lock installs there.

    ``uv export`` gives the versions with markers; when the lock holds one version from two indexes, the entry
    whose ``resolution-markers`` hold for the platform (and the extra, from ``--extra X`` in ``args``) wins.
    """
    from packaging.markers import Marker

    text = uv(project, env, "export", "--frozen", "--no-hashes", "--no-header", "--no-annotate", *args)
    lock_text = (project / "uv.lock").read_text(encoding="utf-8")
    lock = tomlkit.parse(lock_text).unwrap()
    extra = args[args.index("--extra") + 1] if "--extra" in args else None
    found = re.search(rf"'(extra-\d+-[^']+-{re.escape(extra)})'", lock_text) if extra else None
    conflict_extra = found.group(1) if found else ""
    root = next(p for p in lock["package"] if "virtual" in p["source"] or "editable" in p["source"])
    edges = list(root.get("dependencies", []))
    edges += [e for name, group in root.get("optional-dependencies", {}).items() if name == extra for e in group]
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for platform, (sys_platform, machine, system, os_name) in PLATFORM_ENVIRONMENTS.items():
        environment = {
            "sys_platform": sys_platform,
            "platform_machine": machine,
            "platform_system": system,
            "os_name": os_name,
            "python_version": "3.11",
            "python_full_version": "3.11.7",
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
            "extra": conflict_extra,
        }
        chosen: dict[str, tuple[str, str]] = {}
        for line in text.splitlines():
            if not line.strip() or line.startswith(("-", ".", "#")):
                continue
            requirement, _, marker = line.partition(" ; ")
            if marker and not Marker(marker).evaluate(environment):
                continue
            name, _, version = requirement.partition("==")
            name, version = str(canonicalize_name(name.strip())), version.strip()
            assert name not in chosen, f"{name} twice on {platform}:\n{text}"
            registries = {
                edge["source"].get("registry", "")
                for edge in edges
                if edge["name"] == name
                and edge.get("version") == version
                and Marker(edge.get("marker") or "python_version >= '0'").evaluate(environment)
            }
            if not registries:  # not a direct requirement: the lock entries of that version
                registries = {
                    p["source"].get("registry", "")
                    for p in lock.get("package", [])
                    if p["name"] == name and p["version"] == version
                }
            assert len(registries) == 1, f"{name}=={version} on {platform}: from {registries}"
            chosen[name] = (version, registries.pop())
        out[platform] = chosen
    return out
