"""Build overhead of the hook, as a user pays it: one ``python -m hatchling build -t wheel`` process, in an isolated
build environment like the one uv build and python -m build make (a fresh venv with hatchling, hatch-torch installed
from this checkout and what they need, bytecode compiled; fetched with uv). ``--dev-env`` builds in this
interpreter's environment instead (every test dependency installed, hatch-torch editable, bytecode in a prefix
folder): more distributions for both plugin scans to read.

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

Run: python bench/bench_hook.py [--runs N] [--quick] [--instructions]   (21 rounds by default: the medians of fewer
move by about 0.01 between runs on a 2-core machine)
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
#: the interpreter the builds run in, and whether its bytecode goes to a prefix folder (the development venv's
#: editable checkout) or next to the modules (an isolated build environment, as uv build and python -m build make)
PYTHON = sys.executable
PREFIX = True
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
    """The builds' environment. Bytecode is cached (next to the path entry, in the bench's temporary
    folder, outside the source tree) as in an installed environment: with PYTHONDONTWRITEBYTECODE set,
    every build would compile hatch-torch's modules (which have no ``.pyc``) from source again, and the
    hook would pay for it."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env.update(TORCH_BACKEND=BACKEND, PYTHONPATH=str(path_entry))
    if PREFIX:
        env["PYTHONPYCACHEPREFIX"] = str(path_entry.parent / "pycache")
    return env


def isolated(tmp: Path) -> str:
    """A build environment like the one uv build or python -m build makes for a project: a fresh venv holding only
    hatchling, hatch-torch (installed from this checkout, not editable), build and what they need, with their
    bytecode compiled (fetched from the package index by uv). Returns its interpreter."""
    import uv

    venv = tmp / "build-env"
    subprocess.run([uv.find_uv_bin(), "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    python = str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
    install = [uv.find_uv_bin(), "pip", "install", "-q", "--compile-bytecode", "--python", python]
    subprocess.run([*install, "hatchling", "build", str(ROOT)], check=True)
    return python


def hatchling_build(project: Path, out: Path, path_entry: Path) -> float:
    env = build_env(path_entry)
    start = time.perf_counter()
    subprocess.run(
        [PYTHON, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
        cwd=project,
        check=True,
        capture_output=True,
        env=env,
    )
    return time.perf_counter() - start


def build_frontend(project: Path, out: Path, path_entry: Path) -> float:
    env = build_env(path_entry)
    start = time.perf_counter()
    cmd = [PYTHON, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(project)]
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def instructions(project: Path, out: Path, path_entry: Path) -> int | None:
    """Instructions one build executes (valgrind's callgrind: the same count whatever else the machine does),
    or None without valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    env = dict(build_env(path_entry), PYTHONHASHSEED="0")
    command = [PYTHON, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)]
    subprocess.run(command, cwd=project, check=True, capture_output=True, env=env)  # bytecode cached first
    cmd = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *command]
    proc = subprocess.run(cmd, cwd=project, check=True, capture_output=True, text=True, env=env)
    found = [line.split()[-1] for line in proc.stderr.splitlines() if "Collected :" in line]
    return int(found[-1]) if found else None


def requires_dist(project: Path, out: Path, path_entry: Path) -> list[str]:
    """The Requires-Dist lines of the wheel ``project`` builds (the projects compared must write the same)."""
    import zipfile

    hatchling_build(project, out, path_entry)
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        text = z.read("mylib-1.2.0.dist-info/METADATA").decode()
    shutil.rmtree(out)
    return [line for line in text.splitlines() if line.startswith("Requires-Dist:")]


def same_output(which: dict[str, Path], out: Path, path_entry: Path) -> None:
    found = {name: requires_dist(folder, out / f"check-{name}", path_entry) for name, folder in which.items()}
    if len({tuple(v) for v in found.values()}) != 1:
        raise SystemExit(f"the projects compared write different Requires-Dist: {found}")


def rounds(
    runs: int, build: Callable[[Path, Path, Path], float], which: dict[str, Path], out: Path, entry: Path
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in which}
    for i in range(runs + 1):
        order = list(which) if i % 2 else list(reversed(which))
        for name in order:
            target = out / f"{name}-{i}"
            t = build(which[name], target, entry)
            shutil.rmtree(target, ignore_errors=True)
            if i:
                times[name].append(t)
    return times


def distributions(python: str) -> list[str]:
    """The distributions the build interpreter sees (the plugin scans go through each)."""
    code = "import importlib.metadata as m; print('\\n'.join(sorted({d.metadata['Name'] for d in m.distributions()})))"
    return subprocess.run([python, "-c", code], check=True, capture_output=True, text=True).stdout.split()


def spread(times: dict[str, list[float]]) -> str:
    """The quartiles of the per-round (hook - noop) / static, for judging the median against the noise."""
    per = sorted((h - n) / s for h, n, s in zip(times["hook"], times["noop"], times["static"], strict=True))
    q1, _, q3 = statistics.quantiles(per, n=4)
    return f"per-round hook - noop quartiles {q1:+.3f} .. {q3:+.3f}"


def ratio(times: dict[str, list[float]], a: str, b: str) -> float:
    return statistics.median(x / y for x, y in zip(times[a], times[b], strict=True))


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
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--quick", action="store_true", help="skip the growth measurements")
    parser.add_argument(
        "--instructions", action="store_true", help="also count the instructions of one build each (valgrind)"
    )
    parser.add_argument(
        "--dev-env",
        action="store_true",
        help="build in this interpreter's environment (the development venv, every test dependency installed, "
        "hatch-torch editable) instead of an isolated build environment",
    )
    args = parser.parse_args()
    global PYTHON, PREFIX
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if not args.dev_env:
            PYTHON, PREFIX = isolated(tmp), False
        where = "this interpreter's environment" if args.dev_env else "an isolated build environment"
        print(f"builds run in {where}: {len(list(distributions(PYTHON)))} distributions installed")
        entry = noop_plugin(tmp)
        which = projects(tmp / "minimal", minimal_groups())
        same_output(which, tmp / "out", entry)
        times = rounds(args.runs, hatchling_build, which, tmp / "out", entry)
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
        if args.instructions:
            counts = {name: instructions(which[name], tmp / "out" / f"i-{name}", entry) for name in which}
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
        times = rounds(max(3, args.runs // 2), build_frontend, pair, tmp / "out", entry)
        frontend = ratio(times, "hook", "static")
        print(f"python -m build --no-isolation (3 processes, separate figure): hook/static {frontend:.3f}")
        if args.quick:
            return
        for n in (10, 100, 1000):
            which = projects(tmp / f"n{n}", minimal_groups(n))
            del which["noop"]
            same_output(which, tmp / "out", entry)
            times = rounds(max(3, args.runs // 2), hatchling_build, which, tmp / "out", entry)
            added = (statistics.median(times["hook"]) - statistics.median(times["static"])) * 1000
            print(f"  {n:>5} requirements: hook/static {ratio(times, 'hook', 'static'):.3f}, added {added:.1f} ms")
            if args.instructions:
                h, st = (instructions(which[k], tmp / "out" / f"i{n}-{k}", entry) or 1 for k in ("hook", "static"))
                print(f"         instructions: hook/static {h / st:.3f}, added {(h - st) / 1e6:.1f}M")
        which = projects(tmp / "dists", minimal_groups())
        for k in (0, 200, 2000):
            crowd = noop_plugin(tmp / f"d{k}", extra_dists=k)
            times = rounds(max(3, args.runs // 2), hatchling_build, which, tmp / "out", crowd)
            added = (statistics.median(times["hook"]) - statistics.median(times["static"])) * 1000
            over = statistics.median(h - n for h, n in zip(times["hook"], times["noop"], strict=True)) * 1000
            print(
                f"  {k:>5} extra installed distributions: hook/static {ratio(times, 'hook', 'static'):.3f}, "
                f"noop/static {ratio(times, 'noop', 'static'):.3f}, hook added {added:.1f} ms "
                f"(hatchling's own plugin scan included; hook - noop {over:+.1f} ms)"
            )
            if args.instructions:
                h, nn, st = (
                    instructions(which[x], tmp / "out" / f"i{k}-{x}", crowd) or 1 for x in ("hook", "noop", "static")
                )
                print(f"         instructions: hook - noop {(h - nn) / 1e6:.1f}M, noop - static {(nn - st) / 1e6:.1f}M")


if __name__ == "__main__":
    main()
