"""The ``hatch-torch`` command line: each concern registers its own subcommands.

A concern's ``cli`` module only declares arguments; its engine is imported when the command runs, so
``--help`` and the other commands stay quick.
"""

from __future__ import annotations

import argparse
import sys

from hatch_torch.util.errors import HatchTorchError

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from collections.abc import Sequence

#: Modules with a ``register(subparsers)`` function, in the order ``--help`` lists their commands.
COMMANDS = (
    "hatch_torch.hook.cli",  # pins
    "hatch_torch.data.cli",  # backends, data update
    "hatch_torch.detection.cli",  # detect
    "hatch_torch.uv.cli",  # sources
    "hatch_torch.publish.cli",  # build, index, matrix
    "hatch_torch.doctor.cli",  # doctor
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hatch-torch", description="Pin and install the right PyTorch build.")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        __import__(module)  # importlib.import_module, without importing importlib
        sys.modules[module].register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except HatchTorchError as exc:
        print(f"hatch-torch: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a path the command could not reach (permissions, a vanished directory)
        where = f"{exc.filename}: " if exc.filename else ""
        print(
            f"hatch-torch: error: {where}{exc.strerror or exc}. Fix: check the path and its permissions.",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        return 130
    return code
