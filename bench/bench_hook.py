"""Build overhead of the hook, as a user pays it: one ``python -m hatchling build -t wheel`` process, in an isolated
build environment like the one ``uv build`` and ``python -m build`` make for every build: a fresh venv with
hatchling and what it needs, and hatch-torch installed from a wheel of this checkout, with nothing compiled at
install (uv compiles no bytecode unless asked, ``build`` runs pip with ``--no-compile``) and nothing cached between
builds (each build has its own environment), so every build compiles whatever it imports that has no bytecode:
hatchling's modules, and hatch-torch's, but for the bytecode its wheel carries (``hatch_build.py``); a line shows
the hook without it. The noop and static projects build in the same kind of environment without hatch-torch.
``--env compiled`` compiles everything at install (an environment built in again); ``--env dev`` builds in this
interpreter's environment (every test dependency installed, hatch-torch editable, bytecode in a prefix folder).

Every figure is a ratio against a baseline measured in the same run, in alternating rounds (the first
round warms caches and is dropped), reported as the median of the per-round ratios.

1. test-projects/minimal (the hook, TORCH_BACKEND=cu130) against the same project with the pins the hook
   writes as static dependencies, and against a do-nothing metadata hook registered through the ``hatch``
   entry point (the floor: hatchling then loads every installed plugin); the bench stops unless all three
   wheels carry the same Requires-Dist. Target: hook/static <= 1.10 and
   hook/static - noop/static <= 0.02.
2. The same pair through ``python -m build --no-isolation`` (three Python processes: a separate line, since
   the same cost sits over a larger denominator).
3. Growth: the hook with 10, 100 and 1000 requirements (spread over extras, a tenth of them torch-family)
   against static projects with the same resolved lines; and with 0, 200 and 2000 other installed
   distributions on the path (the plugin scan). The added milliseconds per size say whether it is linear.

4. With ``--instructions``: the instructions one build of each executes, counted by valgrind's callgrind
   (the same figure whatever else the machine does; wall times here move by several per cent between runs).

Run: python bench/bench_hook.py [--runs N] [--quick] [--instructions] [--env fresh|compiled|dev]
(21 rounds by default: the medians of fewer move by about 0.01 between runs on a 2-core machine)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BACKEND = "cu130"
#: which build environments (see main's --env), and the interpreter each project builds with
MODE = "fresh"
PYTHONS: dict[str, str] = {}
REQUIRES_PYTHON = ">=3.10"  # the projects' requires-python: the static pins are what the hook writes for it

NOOP_HOOK = """
from hatchling.metadata.plugin.interface import MetadataHookInterface
from hatchling.plugin import hookimpl


class NoopHook(MetadataHookInterface):
    PLUGIN_NAME = "noop"

    def update(self, metadata):
        metadata["dependencies"] = list(self.config.get("dependencies", []))
        extras = self.config.get("optional-dependencies")
        if extras:
            metadata["optional-dependencies"] = {k: list(v) for k, v in extras.items()}


@hookimpl
def hatch_register_metadata_hook():
    return NoopHook
"""


def _project(folder: Path, body: str) -> Path:
    (folder / "mylib").mkdir(parents=True)
    (folder / "mylib" / "__init__.py").write_text("")
    head = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
    project = f'[project]\nname = "mylib"\nversion = "1.2.0"\nrequires-python = "{REQUIRES_PYTHON}"\n'
    (folder / "pyproject.toml").write_text(head + project + body)
    return folder


def _toml_list(items: list[str]) -> str:
    return json.dumps(items)  # a JSON array of strings is a TOML array


def projects(tmp: Path, groups: dict[str, list[str]]) -> dict[str, Path]:
    """hook, static (the hook's output written out) and noop (a do-nothing entry-point hook) projects."""
    from hatch_torch.pins.resolve import resolve

    pinned = resolve(groups, BACKEND, requires_python=REQUIRES_PYTHON).groups  # as the hook resolves it
    deps, extras = groups["dependencies"], {k.split(".", 1)[1]: v for k, v in groups.items() if "." in k}
    out_extras = {k.split(".", 1)[1]: v for k, v in pinned.items() if "." in k}
    hook = 'dynamic = ["dependencies", "optional-dependencies"]\n\n[tool.hatch.metadata.hooks.torch]\n'
    hook += f"dependencies = {_toml_list(deps)}\n"
    hook += "".join(f"optional-dependencies.{k} = {_toml_list(v)}\n" for k, v in extras.items())
    static = f"dependencies = {_toml_list(pinned['dependencies'])}\n"
    static += "\n[project.optional-dependencies]\n" if out_extras else ""
    static += "".join(f"{k} = {_toml_list(v)}\n" for k, v in out_extras.items())
    noop = 'dynamic = ["dependencies", "optional-dependencies"]\n\n[tool.hatch.metadata.hooks.noop]\n'
    noop += f"dependencies = {_toml_list(pinned['dependencies'])}\n"
    noop += "".join(f"optional-dependencies.{k} = {_toml_list(v)}\n" for k, v in out_extras.items())
    return {
        "hook": _project(tmp / "hook", hook),
        "static": _project(tmp / "static", static),
        "noop": _project(tmp / "noop", noop),
    }


def noop_plugin(tmp: Path, extra_dists: int = 0) -> Path:
    """A path entry holding the do-nothing plugin (module + dist-info with a ``hatch`` entry point)."""
    site = tmp / "plugin-site"
    (site / "noop_hook-1.0.dist-info").mkdir(parents=True)
    (site / "noop_hook.py").write_text(NOOP_HOOK)
    info = site / "noop_hook-1.0.dist-info"
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: noop-hook\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[hatch]\nnoop = noop_hook\n")
    for i in range(extra_dists):
        other = site / f"filler{i}-1.0.dist-info"
        other.mkdir()
        (other / "METADATA").write_text(f"Metadata-Version: 2.1\nName: filler{i}\nVersion: 1.0\n")
        (other / "entry_points.txt").write_text(f"[console_scripts]\nfiller{i} = filler{i}:main\n")
    return site


def build_env(path_entry: Path) -> dict[str, str]:
    """The builds' environment. In ``fresh`` build environments nothing is cached between builds, as in the one
    ``uv build`` or ``python -m build`` makes for each build (PYTHONDONTWRITEBYTECODE: what has no bytecode is
    compiled by every build). In the development venv bytecode is cached next to the path entry (in the bench's
    temporary folder, outside the source tree), as in an installed environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env.update(TORCH_BACKEND=BACKEND, PYTHONPATH=str(path_entry))
    if MODE == "dev":
        env["PYTHONPYCACHEPREFIX"] = str(path_entry.parent / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def isolated(tmp: Path, name: str, ours: bool, compiled: bool) -> str:
    """A build environment like the one uv build or python -m build makes for a project: a venv holding only
    hatchling, build, what they need and (``ours``) hatch-torch installed from this checkout, not editable; with
    their bytecode compiled only when ``compiled`` (uv build and python -m build compile none; hatch-torch's
    wheel carries its own for the modules a build imports). Fetched with uv. Returns its interpreter."""
    import uv

    venv = tmp / name
    subprocess.run([uv.find_uv_bin(), "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    python = str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
    install = [uv.find_uv_bin(), "pip", "install", "-q", "--python", python, *(["--compile-bytecode"] * compiled)]
    subprocess.run([*install, "hatchling", "build", *([str(ROOT)] * ours)], check=True)
    return python


def without_shipped_bytecode(python: str) -> None:
    """Remove the bytecode hatch-torch's wheel carries from the environment of ``python``."""
    code = "import hatch_torch, os; print(os.path.dirname(hatch_torch.__file__))"
    package = Path(
        subprocess.run([python, "-I", "-c", code], check=True, capture_output=True, text=True).stdout.strip()
    )
    for folder in package.rglob("__pycache__"):
        shutil.rmtree(folder)


def timed(command: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the process and the children it waited for) of a command."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if status:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{errors.read().decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime


def hatchling_build(name: str, project: Path, out: Path, path_entry: Path) -> tuple[float, float]:
    command = [PYTHONS[name], "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)]
    return timed(command, build_env(path_entry), cwd=project)


def build_frontend(name: str, project: Path, out: Path, path_entry: Path) -> tuple[float, float]:
    command = [PYTHONS[name], "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(project)]
    return timed(command, build_env(path_entry))


def instructions(name: str, project: Path, out: Path, path_entry: Path) -> int | None:
    """Instructions one build executes (valgrind's callgrind: the same count whatever else the machine does),
    or None without valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    env = dict(build_env(path_entry), PYTHONHASHSEED="0")
    command = [PYTHONS[name], "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)]
    subprocess.run(command, cwd=project, check=True, capture_output=True, env=env)  # the dev venv caches bytecode
    cmd = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *command]
    proc = subprocess.run(cmd, cwd=project, check=True, capture_output=True, text=True, env=env)
    found = [line.split()[-1] for line in proc.stderr.splitlines() if "Collected :" in line]
    return int(found[-1]) if found else None


def requires_dist(name: str, project: Path, out: Path, path_entry: Path) -> list[str]:
    """The Requires-Dist lines of the wheel ``project`` builds (the projects compared must write the same)."""
    import zipfile

    hatchling_build(name, project, out, path_entry)
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        text = z.read("mylib-1.2.0.dist-info/METADATA").decode()
    shutil.rmtree(out)
    return [line for line in text.splitlines() if line.startswith("Requires-Dist:")]


def same_output(which: dict[str, Path], out: Path, path_entry: Path) -> None:
    found = {name: requires_dist(name, folder, out / f"check-{name}", path_entry) for name, folder in which.items()}
    if len({tuple(v) for v in found.values()}) != 1:
        raise SystemExit(f"the projects compared write different Requires-Dist: {found}")


Times = dict[str, list[float]]


def rounds(
    runs: int,
    build: Callable[[str, Path, Path, Path], tuple[float, float]],
    which: dict[str, Path],
    out: Path,
    entry: Path,
) -> tuple[Times, Times]:
    """Wall and CPU seconds of each build, per project, in alternating rounds (the first one dropped)."""
    wall: Times = {name: [] for name in which}
    cpu: Times = {name: [] for name in which}
    for i in range(runs + 1):
        order = list(which) if i % 2 else list(reversed(which))
        for name in order:
            target = out / f"{name}-{i}"
            w, c = build(name, which[name], target, entry)
            shutil.rmtree(target, ignore_errors=True)
            if i:
                wall[name].append(w)
                cpu[name].append(c)
    return wall, cpu


def distributions(python: str) -> list[str]:
    """The distributions the build interpreter sees (the plugin scans go through each)."""
    code = "import importlib.metadata as m; print('\\n'.join(sorted({d.metadata['Name'] for d in m.distributions()})))"
    return subprocess.run([python, "-c", code], check=True, capture_output=True, text=True).stdout.split()


def spread(times: Times) -> str:
    """The quartiles of the per-round (hook - noop) / static, for judging the median against the noise."""
    per = sorted((h - n) / s for h, n, s in zip(times["hook"], times["noop"], times["static"], strict=True))
    q1, _, q3 = statistics.quantiles(per, n=4)
    return f"per-round hook - noop quartiles {q1:+.3f} .. {q3:+.3f}"


def ratio(times: Times, a: str, b: str) -> float:
    return statistics.median(x / y for x, y in zip(times[a], times[b], strict=True))


def fastest(times: Times, a: str, b: str) -> float:
    """The ratio of the fastest builds of each (the machine's noise only ever adds time): a check on the median."""
    return min(times[a]) / min(times[b])


def minimal_groups(n: int = 0) -> dict[str, list[str]]:
    if not n:
        return {
            "dependencies": ["numpy>=1.26", "torch>=2.6,<2.11", "torchvision"],
            "optional-dependencies.audio": ["torchaudio"],
        }
    groups: dict[str, list[str]] = {"dependencies": ["torch>=2.6,<2.11"]}
    extras = max(1, n // 10)
    for i in range(n - 1):
        name = "torchvision" if i % 10 == 0 else f"pkg{i}>=1.{i % 7}"
        key = "dependencies" if i % (extras + 1) == 0 else f"optional-dependencies.e{i % extras}"
        groups.setdefault(key, []).append(name)
    return groups


def main() -> None:
    global MODE  # noqa: PLW0603  (read by build_env)
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--quick", action="store_true", help="skip the growth measurements")
    parser.add_argument(
        "--instructions", action="store_true", help="also count the instructions of one build each (valgrind)"
    )
    parser.add_argument(
        "--env",
        choices=("fresh", "compiled", "dev"),
        default="fresh",
        help="fresh: isolated build environments as uv build and python -m build make them (nothing compiled at "
        "install, nothing cached between builds); compiled: the same with all bytecode compiled (an environment "
        "used again); dev: this interpreter's environment (every test dependency, hatch-torch editable)",
    )
    args = parser.parse_args()
    MODE = args.env
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if MODE == "dev":
            PYTHONS.update(dict.fromkeys(("hook", "noop", "static"), sys.executable))
            print(f"builds run in this interpreter's environment: {len(distributions(sys.executable))} distributions")
            print("  (hatch-torch is installed there, so the noop build imports its entry point module too)")
        else:
            compiled = MODE == "compiled"
            ours, theirs = isolated(tmp, "with", True, compiled), isolated(tmp, "without", False, compiled)
            PYTHONS.update(hook=ours, noop=theirs, static=theirs)
            kind = "all bytecode compiled" if compiled else "nothing compiled at install, nothing cached between builds"
            print(
                f"builds run in isolated build environments ({kind}): the hook's has {len(distributions(ours))} "
                f"distributions (with hatch-torch), the noop and static projects' {len(distributions(theirs))} "
                f"(without)"
            )
            if not compiled:
                PYTHONS["hook-src"] = isolated(tmp, "with-src", True, False)
                without_shipped_bytecode(PYTHONS["hook-src"])
        entry = noop_plugin(tmp)
        which = projects(tmp / "minimal", minimal_groups())
        if "hook-src" in PYTHONS:
            which["hook-src"] = which["hook"]
        same_output(which, tmp / "out", entry)
        times, cpu = rounds(args.runs, hatchling_build, which, tmp / "out", entry)
        med = {k: statistics.median(v) * 1000 for k, v in times.items()}
        hook, noop = ratio(times, "hook", "static"), ratio(times, "noop", "static")
        print(
            f"python -m hatchling build -t wheel, {args.runs} rounds (medians): hook {med['hook']:.0f} ms, "
            f"noop entry-point hook {med['noop']:.0f} ms, static {med['static']:.0f} ms"
        )
        print(
            f"  hook/static {hook:.3f} (target <= 1.10); noop/static {noop:.3f}; "
            f"hook - noop {hook - noop:+.3f} (target <= 0.02); {spread(times)}"
        )
        print(
            f"  fastest builds of each: hook/static {fastest(times, 'hook', 'static'):.3f}, noop/static "
            f"{fastest(times, 'noop', 'static'):.3f}, hook - noop "
            f"{fastest(times, 'hook', 'static') - fastest(times, 'noop', 'static'):+.3f}"
        )
        hook_cpu, noop_cpu = ratio(cpu, "hook", "static"), ratio(cpu, "noop", "static")
        print(
            f"  CPU time (user + system) of the same builds: hook/static {hook_cpu:.3f}, noop/static {noop_cpu:.3f}, "
            f"hook - noop {hook_cpu - noop_cpu:+.3f}; {spread(cpu)}"
        )
        if "hook-src" in times:
            src, src_cpu = ratio(times, "hook-src", "static"), ratio(cpu, "hook-src", "static")
            print(
                f"  without the bytecode hatch-torch's wheel carries ({med['hook-src']:.0f} ms): hook/static "
                f"{src:.3f}, hook - noop {src - noop:+.3f}; CPU time {src_cpu:.3f}, {src_cpu - noop_cpu:+.3f}; "
                f"fastest {fastest(times, 'hook-src', 'static') - fastest(times, 'noop', 'static'):+.3f}"
            )
        if args.instructions:
            counts = {name: instructions(name, which[name], tmp / "out" / f"i-{name}", entry) for name in which}
            if None in counts.values():
                print("instructions: valgrind not found (apt-get install valgrind)")
            else:
                h, n, st = (counts[k] or 1 for k in ("hook", "noop", "static"))
                print(
                    f"instructions (callgrind, one build each): hook {h / 1e6:.1f}M, noop {n / 1e6:.1f}M, "
                    f"static {st / 1e6:.1f}M; hook/static {h / st:.3f}, noop/static {n / st:.3f}, "
                    f"hook - noop {(h - n) / st:+.3f}"
                )
        pair = {"hook": which["hook"], "static": which["static"]}
        times, _ = rounds(max(3, args.runs // 2), build_frontend, pair, tmp / "out", entry)
        frontend = ratio(times, "hook", "static")
        print(f"python -m build --no-isolation (3 processes, separate figure): hook/static {frontend:.3f}")
        if args.quick:
            return
        for n in (10, 100, 1000):
            which = projects(tmp / f"n{n}", minimal_groups(n))
            del which["noop"]
            same_output(which, tmp / "out", entry)
            times, _ = rounds(max(3, args.runs // 2), hatchling_build, which, tmp / "out", entry)
            added = (statistics.median(times["hook"]) - statistics.median(times["static"])) * 1000
            print(f"  {n:>5} requirements: hook/static {ratio(times, 'hook', 'static'):.3f}, added {added:.1f} ms")
            if args.instructions:
                h, st = (instructions(k, which[k], tmp / "out" / f"i{n}-{k}", entry) or 1 for k in ("hook", "static"))
                print(f"         instructions: hook/static {h / st:.3f}, added {(h - st) / 1e6:.1f}M")
        which = projects(tmp / "dists", minimal_groups())
        for k in (0, 200, 2000):
            crowd = noop_plugin(tmp / f"d{k}", extra_dists=k)
            times, _ = rounds(max(3, args.runs // 2), hatchling_build, which, tmp / "out", crowd)
            added = (statistics.median(times["hook"]) - statistics.median(times["static"])) * 1000
            over = statistics.median(h - n for h, n in zip(times["hook"], times["noop"], strict=True)) * 1000
            print(
                f"  {k:>5} extra installed distributions: hook/static {ratio(times, 'hook', 'static'):.3f}, "
                f"noop/static {ratio(times, 'noop', 'static'):.3f}, hook added {added:.1f} ms "
                f"(hatchling's own plugin scan included; hook - noop {over:+.1f} ms)"
            )
            if args.instructions:
                h, nn, st = (
                    instructions(x, which[x], tmp / "out" / f"i{k}-{x}", crowd) or 1 for x in ("hook", "noop", "static")
                )
                print(f"         instructions: hook - noop {(h - nn) / 1e6:.1f}M, noop - static {(nn - st) / 1e6:.1f}M")


if __name__ == "__main__":
    main()
