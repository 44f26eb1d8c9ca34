"""``hatch-torch sources``: write the uv index, sources, extras and conflicts that route the torch family.

The work is in :mod:`hatch_torch.uv.project`, imported when the command runs, so other commands stay quick.
"""

from __future__ import annotations

import argparse

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (``--help`` loads this module)
if TYPE_CHECKING:
    from pathlib import Path

    from hatch_torch.uv.project import Flags


def run(project: Path, flags: Flags, *, check: bool = False, dry_run: bool = False) -> int:
    from hatch_torch.util import atomic as _atomic
    from hatch_torch.uv.project import render

    path = project / "pyproject.toml" if project.is_dir() else project
    outcome = render(path, flags)
    if check or dry_run:
        if outcome.changed:
            print(outcome.diff(), end="")
        if check and outcome.changed:
            print(f"hatch-torch: {path} is out of date; run hatch-torch sources to update it.")
            return 1
        if not outcome.changed:
            print(f"{path} is up to date.")
        return 0
    if not outcome.changed:
        print(f"{path} is up to date.")
        return 0
    _atomic.write_text(path, outcome.after)
    added = sum(1 for line in outcome.diff().splitlines() if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in outcome.diff().splitlines() if line.startswith("-") and not line.startswith("---"))
    print(f"updated {path}: {added} lines added, {removed} removed.")
    return 0


def _command(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hatch_torch.uv.project import Flags

    flags = Flags(args.backend, args.index_url, args.fallback, args.allow_insecure_index or None, args.force)
    return run(Path(args.project), flags, check=args.check, dry_run=args.dry_run)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "sources",
        help="write [tool.uv] index, sources, extras and conflicts that route the torch family",
        description="Edit pyproject.toml so that uv lock/sync install the torch builds of the chosen backends.",
    )
    p.add_argument(
        "--backend",
        action="append",
        metavar="B|EXTRA=B",
        help="backend to route to (repeatable; several make one extra each; EXTRA=B names the extra, B may be "
        "pypi). Default: tool.hatch-torch.backends",
    )
    p.add_argument("--project", default=".", metavar="DIR", help="directory holding pyproject.toml (default: .)")
    p.add_argument(
        "--index-url",
        metavar="TEMPLATE",
        help="index URL template with {backend}, for mirrors (default: https://download.pytorch.org/whl/{backend})",
    )
    p.add_argument("--fallback", metavar="pypi|cpu", help="where platforms a backend lacks go (default: pypi)")
    p.add_argument("--allow-insecure-index", action="store_true", help="allow a plain-http index outside localhost")
    p.add_argument("--force", action="store_true", help="replace hand-written entries that differ")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 and print a diff if the file is out of date")
    mode.add_argument("--dry-run", action="store_true", help="print the diff and write nothing")
    p.set_defaults(func=_command)
