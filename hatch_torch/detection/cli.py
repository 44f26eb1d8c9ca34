"""``hatch-torch detect``: the backend detection picks for this machine, and why."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("detect", help="print the backend detection picks and why")
    p.add_argument("--json", action="store_true")
    p.add_argument("--torch", help="torch specifier the pick must satisfy, e.g. '>=2.6,<2.11'")
    p.add_argument("--platform", help="platform key to choose for (default: this one), e.g. win_amd64")
    p.add_argument("--root", help="read sysfs/procfs under this directory instead of / (simulation)")
    p.add_argument("--strict", action="store_true", help="fail when a probe failed or nothing was found")
    p.add_argument("-v", "--verbose", action="store_true", help="also list every probe and rejected backend")
    p.set_defaults(func=_detect)


def _detect(args: argparse.Namespace) -> int:
    from hatch_torch.detection.core import detect

    result = detect(args.torch, platform=args.platform, root=args.root, strict=args.strict or None)
    if args.json:
        import json

        print(json.dumps(result.to_dict(), indent=2))
        return 0
    print(f"backend: {result.backend}" + (f" (torch {result.release})" if result.release else ""))
    for reason in result.reasons:
        print(f"  - {reason}")
    if args.verbose:
        from hatch_torch.data.model import describe

        print(describe())
        print("gpus:")
        for gpu in result.gpus:
            arch = gpu["architecture"] or "architecture unknown"
            served = ", ".join(gpu["backends"]) or "no backend"
            print(f"  {gpu['name']} [{gpu['vendor']}] {arch} ({gpu['architecture_source']}): {served}")
        print("probes:")
        for p in result.probes:
            print(f"  {p.probe:<28} {p.status:<8} {p.detail}")
        for backend, why in result.rejected.items():
            print(f"  not {backend}: {why}")
    return 0
