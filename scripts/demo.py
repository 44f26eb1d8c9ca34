"""Build a sample project for one backend with real `uv build` and print the pins its wheel carries.

    python scripts/demo.py cu130 [--project test-projects/minimal]

hatch-torch itself is built first into a local wheelhouse, which the isolated build finds through
--find-links (hatchling and hatch-torch's other dependencies come from your package index).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def uv() -> list[str]:
    return [found] if (found := shutil.which("uv")) else [sys.executable, "-m", "uv"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("backend", help="cpu, cu126, cu128, cu130, cu132, rocm7.2, xpu, auto, ...")
    parser.add_argument("--project", default=str(ROOT / "test-projects" / "minimal"))
    parser.add_argument("--out", default=str(ROOT / "dist" / "demo"))
    args = parser.parse_args()
    out = Path(args.out) / args.backend
    shutil.rmtree(out, ignore_errors=True)
    with tempfile.TemporaryDirectory() as wheelhouse:
        subprocess.run([*uv(), "build", "--wheel", "--quiet", "--out-dir", wheelhouse, str(ROOT)], check=True)
        env = {**os.environ, "TORCH_BACKEND": args.backend}
        proc = subprocess.run(
            [*uv(), "build", "--quiet", "--find-links", wheelhouse, "--out-dir", str(out), args.project],
            env=env,
            check=False,
        )
    if proc.returncode:
        return proc.returncode
    wheel = next(out.glob("*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(zf.read(name).decode())
    print(f"{wheel.name} (TORCH_BACKEND={args.backend}) requires:")
    for line in metadata.get_all("Requires-Dist") or []:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
