"""Speed of the build hook (issue: build hook end to end).

1. A wheel build of test-projects/minimal (hook) against test-projects/minimal-static (same project,
   static dependencies), both without build isolation, alternating, in one run: median ratio.
2. Importing the hook module and loading the release data in a fresh process: median milliseconds,
   and the ratio against importing hatchling's wheel builder (which every build loads) the same way.

Run: python bench/bench_hook.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = ROOT / "test-projects"


def build_once(project: Path, out: Path) -> float:
    env = {**os.environ, "TORCH_BACKEND": "cu130"}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(project)],
        check=True,
        capture_output=True,
        env=env,
    )
    return time.perf_counter() - start


IMPORT_HOOK = (
    "import time; t = time.perf_counter(); import hatch_torch.hooks; from hatch_torch.data.model import load; load(); "
    "print(time.perf_counter() - t)"
)
IMPORT_BASE = "import time; t = time.perf_counter(); import hatchling.builders.wheel; print(time.perf_counter() - t)"


def import_once(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return float(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    hook_times, static_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs + 1):  # the first round warms caches and is dropped
            h = build_once(PROJECTS / "minimal", Path(tmp) / f"h{i}")
            s = build_once(PROJECTS / "minimal-static", Path(tmp) / f"s{i}")
            if i:
                hook_times.append(h)
                static_times.append(s)
    hook, static = statistics.median(hook_times), statistics.median(static_times)
    print(
        f"wheel build, no isolation, {args.runs} runs: hook {hook * 1000:.0f} ms, static {static * 1000:.0f} ms, "
        f"median ratio {hook / static:.3f} (target <= 1.10)"
    )
    imports = [import_once(IMPORT_HOOK) for _ in range(args.runs * 3)]
    bases = [import_once(IMPORT_BASE) for _ in range(args.runs * 3)]
    imp, base = statistics.median(imports), statistics.median(bases)
    print(
        f"import hook + load data, fresh process: median {imp * 1000:.1f} ms (target < 30 ms); "
        f"hatchling's wheel builder import alone {base * 1000:.1f} ms, ratio {imp / base:.2f}"
    )


if __name__ == "__main__":
    main()
