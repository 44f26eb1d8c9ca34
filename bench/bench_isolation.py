"""What running NVML in a child costs (issue: faults and hostile input, detection).

NVML is probed through the compiled fake library of the tests (tests/detection/fake_nvml.c), three ways,
in alternating blocks (median of block medians):

- in-process: ``nvidia_nvml.child(path)`` called directly (what the probe did before isolation),
- fork: ``isolate.call(..., fork=True)``, the default on POSIX with no other Python thread,
- spawn: ``isolate.call(..., fork=False)``, a fresh ``python -I -S`` (Windows, or threads running).

Then a whole ``detect()`` of the simulated NVIDIA machine (probe cache cleared each run), and ``detect()``
without a driver, which starts no child at all.

Run: python bench/bench_isolation.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_detect import median_ms  # noqa: E402  (this script's folder is on sys.path)

from hatch_torch.detection.core import clear_cache, detect  # noqa: E402
from hatch_torch.detection.vendors import nvidia_nvml  # noqa: E402
from hatch_torch.util import isolate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        sys.exit("needs a C compiler to build the fake NVML library")
    with tempfile.TemporaryDirectory() as tmp:
        lib = Path(tmp) / "libnvidia-ml.so.1"
        subprocess.run(
            [gcc, "-shared", "-fPIC", "-O1", "-o", str(lib), str(ROOT / "tests/detection/fake_nvml.c")], check=True
        )
        target = f"{nvidia_nvml.__name__}:child"
        ways: dict[str, Callable[[], object]] = {
            "in-process": lambda: nvidia_nvml.child(str(lib)),
            "fork": lambda: isolate.call(target, str(lib), 30, fork=True),
            "spawn": lambda: isolate.call(target, str(lib), 30, fork=False),
        }
        for fn in ways.values():
            assert fn()["gpus"], "the fake NVML gave no GPU"  # type: ignore[index]
        blocks: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(10):
            for name, fn in ways.items():
                blocks[name].append(median_ms(fn, max(3, args.runs // 10)))
        base = statistics.median(blocks["in-process"])
        for name in ways:
            ms = statistics.median(blocks[name])
            print(f"NVML query {name:<11} median {ms:7.2f} ms  (+{ms - base:6.2f} ms over in-process)")

        env = {"HATCH_TORCH_NVML_LIBRARY": str(lib), "PATH": "/nonexistent", "HATCH_TORCH_DISABLE_PLUGINS": "all"}
        empty = Path(tmp) / "root"
        empty.mkdir()

        def simulated() -> object:
            clear_cache()
            return detect(root=empty, environ=env, platform="linux_x86_64")

        def no_driver() -> object:
            clear_cache()
            return detect(root=empty, environ={"PATH": "/nonexistent"}, platform="linux_x86_64")

        print(
            f"detect(), simulated RTX via fake NVML (fork): median {median_ms(simulated, args.runs):.2f} ms, "
            f"backend {simulated().backend}"
        )  # type: ignore[attr-defined]
        print(f"detect(), no driver (no child started):      median {median_ms(no_driver, args.runs):.3f} ms")


if __name__ == "__main__":
    main()
