"""``hatch-torch doctor``: what in an installed environment does not fit its torch build or this machine."""

from __future__ import annotations

import argparse
import os
import sys


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("doctor", help="report what in an installed environment does not fit its torch build")
    p.add_argument("--python", help="the environment's interpreter (default: the active virtualenv's, else this one)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--root", help="read sysfs/procfs under this directory instead of / (simulation)")
    p.add_argument("--no-machine", action="store_true", help="skip the checks against this machine's GPUs")
    p.set_defaults(func=_doctor)


def default_python() -> str:
    venv = os.environ.get("VIRTUAL_ENV")
    if venv:
        for candidate in (os.path.join(venv, "bin", "python"), os.path.join(venv, "Scripts", "python.exe")):
            if os.path.exists(candidate):
                return candidate
    return sys.executable


def _doctor(args: argparse.Namespace) -> int:
    from hatch_torch.doctor.report import diagnose

    report = diagnose(args.python or default_python(), root=args.root, machine=not args.no_machine)
    if args.json:
        import json

        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report.text())
    return 0 if report.ok else 1
