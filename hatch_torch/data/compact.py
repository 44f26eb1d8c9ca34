"""The bundled release data, compiled: ``releases.json`` as :mod:`marshal` data (``releases.marshal``).

Every build reads the release data; parsing the JSON means importing :mod:`json` and parsing the whole
file in each build process, while :mod:`marshal` is built into the interpreter and loads the same dict
in a fraction of the time. ``releases.json`` stays the source (reviewed, diffed, written by the
maintainers' tools); ``releases.marshal`` is produced from it at data-build time::

    python -m hatch_torch.data.compact          # after changing releases.json (or any bundled JSON)

and tests check that the two hold the same data (tests/data/test_compact.py). The compiled file
records the size and CRC-32 of the JSON it was made from; when they do not match the JSON next to it
(edited, not recompiled), or the file does not load (truncated, a marshal format this Python cannot
read), it is ignored and the JSON is read instead. The format is marshal version 4, which every
supported Python reads.
"""

from __future__ import annotations

import marshal
import os
import sys
from typing import Any

from hatch_torch.data.where import stamp

VERSION = 4  # the marshal format: written by and readable by every Python hatch-torch supports
SUFFIX = ".marshal"
#: JSON file name -> "module:function" deriving its ``tables`` from the parsed data (imported at data-build time)
DERIVED = {"family.json": "hatch_torch.data.family:tables"}


def compiled_path(json_path: str) -> str:
    return json_path[: -len(".json")] + SUFFIX if json_path.endswith(".json") else json_path + SUFFIX


def read(json_path: str, part: str = "data") -> dict[str, Any] | None:
    """The data (or, with ``part="tables"``, the derived tables) of ``json_path`` from its compiled copy, or
    None when there is no usable one."""
    try:
        with open(compiled_path(json_path), "rb") as f:
            compiled = marshal.loads(f.read())  # marshal.load(f) reads the file in many small calls
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(compiled, dict) or compiled.get("source") != stamp(json_path):  # the JSON it was made from
        return None
    data = compiled.get(part)
    return data if isinstance(data, dict) else None


def _intern(value: Any) -> Any:
    """Equal strings as one object, so marshal stores each once (its references are by identity)."""
    if isinstance(value, str):
        return sys.intern(value)
    if isinstance(value, list):
        return [_intern(v) for v in value]
    if isinstance(value, dict):
        return {sys.intern(k): _intern(v) for k, v in value.items()}
    return value


def write(json_path: str) -> str:
    """Compile ``json_path``; returns the compiled file's path."""
    import json
    from pathlib import Path

    from hatch_torch.util.atomic import write_bytes

    with open(json_path, "rb") as f:
        source = f.read()
    data = json.loads(source)
    compiled = {"source": stamp(json_path), "data": _intern(data)}
    if derive := DERIVED.get(os.path.basename(json_path)):
        import importlib

        module, function = derive.split(":")
        compiled["tables"] = _intern(getattr(importlib.import_module(module), function)(data))
    path = compiled_path(json_path)
    write_bytes(Path(path), marshal.dumps(compiled, VERSION))
    return path


def bundled() -> list[str]:
    """Every JSON file shipped in the package (the release data, the detectors' tables)."""
    import glob

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return sorted(glob.glob(os.path.join(package, "**", "*.json"), recursive=True))


def load_json(path: str) -> Any:
    """The data of a JSON file, from its compiled copy when that matches."""
    data = read(path)
    if data is not None:
        return data
    import json

    with open(path, encoding="utf-8") as f:
        return json.load(f)


if __name__ == "__main__":
    for source in sys.argv[1:] or bundled():
        print(f"wrote {write(source)}")
