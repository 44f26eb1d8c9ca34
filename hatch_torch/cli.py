"""The ``hatch-torch`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from hatch_torch._errors import HatchTorchError

Command = Callable[[argparse.Namespace], int]


def _pins(args: argparse.Namespace) -> int:
    from hatch_torch._backends import normalize, requested
    from hatch_torch._hook import choose_backend
    from hatch_torch._pins import resolve

    groups = {"REQ": list(args.requirements)}
    backend = choose_backend(*((normalize(args.backend), "--backend") if args.backend else requested(None)), groups)
    for line in resolve(groups, backend, fallback=args.fallback).groups["REQ"]:
        print(line)
    return 0


def _backends(args: argparse.Namespace) -> int:
    from hatch_torch._data import load

    data = load()
    rows = [
        {
            "backend": name,
            "index": data.index_url(name),
            "kind": info["kind"],
            "torch": [str(v) for v in data.releases_for(name)],
        }
        for name, info in data.backends.items()
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            versions = row["torch"]
            span = f"{versions[-1]} .. {versions[0]} ({len(versions)})" if versions else "none"
            print(f"{row['backend']:<10} {row['index']:<45} torch {span}")
    return 0


def _detect(args: argparse.Namespace) -> int:
    from hatch_torch import detect

    result = detect(args.torch, platform=args.platform, root=args.root, strict=args.strict or None)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(f"backend: {result.backend}" + (f" (torch {result.release})" if result.release else ""))
        for reason in result.reasons:
            print(f"  - {reason}")
        if args.verbose:
            print("probes:")
            for p in result.probes:
                print(f"  {p.probe:<28} {p.status:<8} {p.detail}")
            for backend, why in result.rejected.items():
                print(f"  not {backend}: {why}")
    return 0


def _data_update(args: argparse.Namespace) -> int:
    from hatch_torch._update import update

    summary = update(args.index_url, args.output, backends=args.backend or None)
    print(summary)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hatch-torch", description="Pin and install the right PyTorch build.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("pins", help="print the rewritten requirements, one per line, as the hook writes them")
    p.add_argument("--backend", help="backend to pin for (default: $TORCH_BACKEND, $UV_TORCH_BACKEND, auto)")
    p.add_argument(
        "--fallback",
        choices=["pypi", "cpu"],
        default="pypi",
        help="what platforms the backend does not publish for get (default: pypi)",
    )
    p.add_argument("requirements", nargs="+", metavar="REQ")
    p.set_defaults(func=_pins)

    p = sub.add_parser("backends", help="list backends with index URL and torch releases")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_backends)

    p = sub.add_parser("detect", help="print the backend detection picks and why")
    p.add_argument("--json", action="store_true")
    p.add_argument("--torch", help="torch specifier the pick must satisfy, e.g. '>=2.6,<2.11'")
    p.add_argument("--platform", help="platform key to choose for (default: this one), e.g. win_amd64")
    p.add_argument("--root", help="read sysfs/procfs under this directory instead of / (simulation)")
    p.add_argument("--strict", action="store_true", help="fail when a probe failed or nothing was found")
    p.add_argument("-v", "--verbose", action="store_true", help="also list every probe and rejected backend")
    p.set_defaults(func=_detect)

    p = sub.add_parser("data", help="maintain the release data")
    data_sub = p.add_subparsers(dest="data_command", required=True)
    u = data_sub.add_parser("update", help="regenerate the release data from a PyTorch-style index")
    u.add_argument(
        "--index-url",
        default="https://download.pytorch.org/whl",
        help="base URL holding <backend>/<project>/ pages (PEP 503 HTML or PEP 691 JSON)",
    )
    u.add_argument("--output", help="file to write (default: the bundled data file)")
    u.add_argument("--backend", action="append", help="backend to read (repeatable; default: all known)")
    u.set_defaults(func=_data_update)

    for register in _extensions():
        register(sub)
    return parser


def _extensions() -> list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]]:
    """Subcommands that live in their own modules."""
    from hatch_torch import _publish, _sources

    return [_publish.register, _sources.register]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except HatchTorchError as exc:
        print(f"hatch-torch: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code
