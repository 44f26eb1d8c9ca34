"""The torch family's member names, as the resolver asks for them on every build, without parsing the family.

The names of the bundled members come from the tables compiled next to ``family.json`` at data-build time
(data/compact.py, made by :func:`hatch_torch.data.family.tables`), read under the same size and CRC-32 check
as the data; when those do not match, the family is parsed. Only installed plugins (which may add members)
make a build parse the family data. Imports :mod:`hatch_torch.data.family` and the plugin manager only when
needed.
"""

from __future__ import annotations

import os
from functools import cache

from hatch_torch.data.compact import read

FAMILY_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "family.json")


@cache
def _bundled() -> dict[str, tuple[str, ...]]:
    """The bundled family's member names per kind (``pinned``, ``paged``)."""
    found = read(FAMILY_JSON, "tables")
    if found is None:  # the compiled copy is missing or stale: derive them now
        from hatch_torch.data.compact import load_json
        from hatch_torch.data.family import tables

        found = tables(load_json(FAMILY_JSON))
    return {k: tuple(v) for k, v in found.items()}


def _plugged() -> bool:
    from hatch_torch.plugins.scan import blocked_names, third_party

    return bool(third_party(blocked_names())[0])


def pinned_members(plugins: bool = False) -> tuple[str, ...]:
    """Members the hook pins like torchvision: on the PyTorch indexes, with a label and a release table or the
    release data's versions (``plugins``: with the members plugins add)."""
    if plugins and _plugged():
        from hatch_torch.data.family import load, pinned

        return pinned(load())
    return _bundled()["pinned"]


def page_members(plugins: bool = False) -> tuple[str, ...]:
    """Members whose builds live on find-links pages per torch and backend (PyG): pinned where a page has them
    (``plugins``: with the members plugins add)."""
    if plugins and _plugged():
        from hatch_torch.data.family import load, paged

        return paged(load())
    return _bundled()["paged"]
