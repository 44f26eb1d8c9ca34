"""``hatch-torch backends`` (what the release data knows) and ``hatch-torch data update`` (refresh it)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("backends", help="list backends with index URL and torch releases")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_backends)

    p = sub.add_parser("data", help="maintain the release data")
    data_sub = p.add_subparsers(dest="data_command", required=True)
    u = data_sub.add_parser("update", help="regenerate the release data from a PyTorch-style index")
    u.add_argument(
        "--index-url",
        default="https://download.pytorch.org/whl",
        help="base URL holding <backend>/<project>/ pages (PEP 503 HTML or PEP 691 JSON)",
    )
    u.add_argument(
        "--output",
        help="file to write (default: $HATCH_TORCH_DATA, else releases.json in the user data directory, which "
        "hatch-torch uses while it is newer than the bundled data)",
    )
    u.add_argument("--backend", action="append", help="backend to read (repeatable; default: all known)")
    u.set_defaults(func=_data_update)


def _backends(args: argparse.Namespace) -> int:
    import json

    from hatch_torch.data.model import PYPI, describe, load

    data = load()
    rows = [
        {
            "backend": name,
            "index": data.index_url(name),
            "kind": info["kind"],
            "torch": [str(v) for v in data.releases_for(name)],
        }
        for name, info in [*data.backends.items(), (PYPI, {"kind": PYPI})]
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(describe())
        for row in rows:
            versions = row["torch"]
            span = f"{versions[-1]} .. {versions[0]} ({len(versions)})" if versions else "none"
            print(f"{row['backend']:<10} {row['index']:<45} torch {span}")
    return 0


def _data_update(args: argparse.Namespace) -> int:
    from hatch_torch.data.update import update

    print(update(args.index_url, args.output, backends=args.backend or None))
    return 0
