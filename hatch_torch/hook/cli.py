"""``hatch-torch pins``: print the requirements exactly as the hook would write them."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("pins", help="print the rewritten requirements, one per line, as the hook writes them")
    p.add_argument(
        "--backend",
        help="backend to pin for; pypi = the plain PyPI builds (default: $TORCH_BACKEND, $UV_TORCH_BACKEND, auto)",
    )
    p.add_argument(
        "--requires-python",
        metavar="SPEC",
        help='the project\'s requires-python, e.g. ">=3.10": pins are written for those CPython versions only',
    )
    p.add_argument(
        "--fallback",
        choices=["pypi", "cpu"],
        default="pypi",
        help="what platforms the backend does not publish for get (default: pypi)",
    )
    p.add_argument("requirements", nargs="+", metavar="REQ")
    p.set_defaults(func=_pins)


def _pins(args: argparse.Namespace) -> int:
    from hatch_torch.hook.settings import choose_backend, normalize, requested
    from hatch_torch.pins.resolve import resolve

    groups = {"REQ": list(args.requirements)}
    backend = choose_backend(*((normalize(args.backend), "--backend") if args.backend else requested(None)), groups)
    assert backend is not None  # without a problems list, a problem is raised
    result = resolve(groups, backend, fallback=args.fallback, requires_python=args.requires_python)
    for line in result.groups["REQ"]:
        print(line)
    for note in result.notes:
        print(f"hatch-torch: {note}", file=sys.stderr)
    return 0
