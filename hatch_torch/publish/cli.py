"""The publishing subcommands: ``build`` (a wheel per backend), ``index`` (a static index), ``matrix`` (CI)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("build", help="build the project's wheel once per backend (uv build, else python -m build)")
    p.add_argument("--backends", required=True, action="append", help="comma-separated, e.g. cpu,cu128,cu130")
    p.add_argument("--project", default=".", help="the library's directory (default: .)")
    p.add_argument("--out", help="output directory, one folder per backend (default: PROJECT/dist)")
    p.add_argument("--jobs", type=int, default=0, help="parallel builds (default: one per CPU)")
    p.add_argument("--frontend", choices=["auto", "uv", "build"], default="auto", help="default: uv when installed")
    p.add_argument("--no-isolation", action="store_true", help="build in the current environment")
    p.add_argument("--json", action="store_true", help="print the per-backend report as JSON")
    p.set_defaults(func=_build)

    p = sub.add_parser("index", help="write a static PEP 503/691 index per backend from built wheels")
    p.add_argument("directory", metavar="DIR", help="wheels: DIR/<backend>/*.whl (as `build` writes them)")
    p.add_argument("--out", required=True, metavar="SITE", help="site directory; re-running adds to it")
    p.set_defaults(func=_index)

    p = sub.add_parser("matrix", help="the backend x runner OS build matrix as JSON (GitHub Actions strategy.matrix)")
    p.add_argument("--backends", action="append", help="comma-separated (default: every backend of the newest torch)")
    p.add_argument(
        "--platforms",
        action="append",
        help="comma-separated platform keys (default: linux_x86_64,macos_arm64,win_amd64)",
    )
    p.add_argument("--torch", help="torch specifier the releases must satisfy, e.g. '>=2.6,<2.11'")
    p.add_argument("--project", help="take the torch specifier from this project's hook settings")
    p.add_argument("--format", choices=["github", "json"], default="github")
    p.set_defaults(func=_matrix)


def _build(args: argparse.Namespace) -> int:
    from hatch_torch.publish.build import build_all, report
    from hatch_torch.publish.matrix import split_list
    from hatch_torch.publish.project import check_project

    project = Path(args.project)
    out = Path(args.out) if args.out else project / "dist"
    backends = split_list(args.backends)
    results = build_all(project, backends, out, jobs=args.jobs, frontend=args.frontend, isolation=not args.no_isolation)
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        print(report(results))
    if not check_project(project.resolve()).local_version:
        print(
            "note: tool.hatch.metadata.hooks.torch.local-version is off, so the wheels share one file name; "
            "they are kept apart as OUT/<backend>/ (turn it on to label them +<backend>).",
            file=sys.stderr,
        )
    return 0 if all(r.ok for r in results) else 1


def _index(args: argparse.Namespace) -> int:
    from hatch_torch.publish.site import build_index

    summary = build_index(Path(args.directory), Path(args.out))
    for line in summary.lines():
        print(line)
    return 0


def _matrix(args: argparse.Namespace) -> int:
    from hatch_torch.publish.matrix import DEFAULT_PLATFORMS, as_github, matrix, split_list

    platforms = split_list(args.platforms) or list(DEFAULT_PLATFORMS)
    torch = args.torch
    if torch is None and args.project:
        from hatch_torch.pins.resolve import torch_specifier
        from hatch_torch.publish.project import check_project

        torch = str(torch_specifier(check_project(Path(args.project)).groups))
    cells = matrix(split_list(args.backends), platforms, torch)
    if args.format == "github":
        print(json.dumps(as_github(cells), separators=(",", ":")))
    else:
        print(json.dumps([c.__dict__ for c in cells], indent=2))
    return 0
