"""Speed of `hatch-torch build` (issue: per-backend wheel publishing).

Builds test-projects/minimal (with local-version on) for N backends with `--jobs 2`, against the same N
builds one after the other (`--jobs 1`), alternating, in one run; prints each round and the median ratio
parallel / sequential. Target on 2 cores: at most 0.65 for N = 4.

Builds go through the real frontend (uv build when on PATH, else python -m build) with build isolation;
hatch-torch comes from a wheel of this checkout built first (find-links), hatchling from the package cache.
`--no-isolation` builds in this environment instead (offline).

Run: python bench/bench_build.py [--backends cpu,cu126,cu128,cu130] [--rounds 5] [--frontend auto|uv|build]
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hatch_torch.publish.build import build_all  # noqa: E402

MINIMAL = ROOT / "test-projects" / "minimal"


def timed(project: Path, backends: list[str], out: Path, jobs: int, frontend: str, isolation: bool) -> float:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    results = build_all(project, backends, out, jobs=jobs, frontend=frontend, isolation=isolation)
    seconds = time.perf_counter() - start
    failed = [r for r in results if not r.ok]
    if failed:
        raise SystemExit(f"build failed for {failed[0].backend}:\n{failed[0].error}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="cpu,cu126,cu128,cu130")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--frontend", choices=["auto", "uv", "build"], default="auto")
    parser.add_argument("--no-isolation", action="store_true")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        project = tmp / "minimal"
        shutil.copytree(MINIMAL, project, ignore=shutil.ignore_patterns("dist", "__pycache__"))
        with open(project / "pyproject.toml", "a", encoding="utf-8") as f:
            f.write("local-version = true\n")
        if not args.no_isolation:
            wheelhouse = tmp / "wheelhouse"
            uv = shutil.which("uv")
            command = (
                [uv, "build", "--wheel", "--no-config", "--out-dir", str(wheelhouse), str(ROOT)]
                if uv
                else [sys.executable, "-m", "build", "--wheel", "--outdir", str(wheelhouse), str(ROOT)]
            )
            subprocess.run(command, check=True, capture_output=True)
            os.environ["UV_FIND_LINKS"] = os.environ["PIP_FIND_LINKS"] = str(wheelhouse)
        for name in ("TORCH_BACKEND", "UV_TORCH_BACKEND"):
            os.environ.pop(name, None)
        isolation = not args.no_isolation
        # warm-up: fills the frontend's caches (build environments, hatchling) for both modes
        timed(project, backends, tmp / "warm", 2, args.frontend, isolation)
        parallel, sequential, ratios = [], [], []
        print(f"N = {len(backends)} backends ({', '.join(backends)}), {os.cpu_count()} CPUs, isolation={isolation}")
        for i in range(args.rounds):
            if i % 2:
                s = timed(project, backends, tmp / "seq", 1, args.frontend, isolation)
                p = timed(project, backends, tmp / "par", 2, args.frontend, isolation)
            else:
                p = timed(project, backends, tmp / "par", 2, args.frontend, isolation)
                s = timed(project, backends, tmp / "seq", 1, args.frontend, isolation)
            parallel.append(p)
            sequential.append(s)
            ratios.append(p / s)
            print(f"round {i + 1}: --jobs 2 {p:6.2f}s   sequential {s:6.2f}s   ratio {p / s:.3f}")
    ratio = statistics.median(ratios)
    print(
        f"median: --jobs 2 {statistics.median(parallel):.2f}s, sequential {statistics.median(sequential):.2f}s, "
        f"ratio {ratio:.3f} (target <= 0.65: {'met' if ratio <= 0.65 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
