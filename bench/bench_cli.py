"""Wall time of quick commands against ``python -c pass`` (the interpreter's own start), one process each.

Rounds alternate the order of the commands; the first round warms caches and is dropped. Printed: the
median wall time of each command, the median of its per-round ratio to ``python -c pass``, and the
median milliseconds it adds. Bytecode is cached (outside the source tree) as in an installed environment.

Run: python bench/bench_cli.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def script() -> list[str]:
    """The installed ``hatch-torch`` console script (what a user runs), else ``python -m hatch_torch``."""
    found = shutil.which("hatch-torch", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "hatch_torch"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    ht = script()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "hatch-torch --help": [*ht, "--help"],
        "hatch-torch pins --backend cu130 torch>=2.6 torchvision": [
            *ht,
            "pins",
            "--backend",
            "cu130",
            "torch>=2.6",
            "torchvision",
        ],
        "hatch-torch detect": [*ht, "detect"],
    }
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "TORCH_BACKEND")}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; {' '.join(ht)}")
        times: dict[str, list[float]] = {name: [] for name in commands}
        for i in range(args.rounds + 1):
            order = list(commands) if i % 2 else list(reversed(commands))
            for name in order:
                start = time.perf_counter()
                subprocess.run(commands[name], check=True, capture_output=True, env=env, cwd=tmp)
                if i:
                    times[name].append((time.perf_counter() - start) * 1000)
        base = times["python -c pass"]
        for name, samples in times.items():
            ratio = statistics.median(a / b for a, b in zip(samples, base, strict=True))
            added = statistics.median(a - b for a, b in zip(samples, base, strict=True))
            print(f"  {name:<58} {statistics.median(samples):6.1f} ms  x{ratio:.2f}  +{added:.1f} ms")
        print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
