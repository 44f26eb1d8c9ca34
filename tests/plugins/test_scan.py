"""plugins.scan._declared: the quick scan for a ``[hatch_torch]`` entry-point section."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from hatch_torch.plugins import scan


def _dist(site: Path, name: str) -> Path:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    return info / "entry_points.txt"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_or_a_foreign_encoding_neither_blocks_nor_breaks_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.mkfifo(_dist(tmp_path, "fifo"))  # would block a plain open() forever
    _dist(tmp_path, "latin").write_bytes(b"[console_scripts]\ncaf\xe9 = m:f\n")  # not UTF-8
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert scan._declared() is False
    _dist(tmp_path, "plugin").write_bytes(b"[hatch_torch]\nnpu = npu_plugin\n# \xff\n")
    assert scan._declared() is True


def test_the_import_systems_listing_is_used_while_the_folder_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.machinery

    _dist(tmp_path, "other").write_bytes(b"[console_scripts]\nx = m:f\n")
    finder = importlib.machinery.FileFinder(str(tmp_path))
    assert finder.find_spec("nothing_here") is None  # the finder lists the folder
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    monkeypatch.setitem(sys.path_importer_cache, str(tmp_path), finder)
    assert scan._declared() is False
    # a plugin installed since: the folder's mtime moves, so its listing is taken anew
    _dist(tmp_path, "plugin").write_bytes(b"[hatch_torch]\nnpu = npu_plugin\n")
    later = os.stat(tmp_path).st_mtime_ns + 2_000_000_000  # whatever the file system's mtime resolution
    os.utime(tmp_path, ns=(later, later))
    assert scan._declared() is True
    # while the mtime matches, the finder's listing is what is read (here one that leaves the plugin out)
    finder._path_cache = {"other-1.0.dist-info"}  # type: ignore[attr-defined]
    finder._path_mtime = os.stat(tmp_path).st_mtime  # type: ignore[attr-defined]
    assert scan._declared() is False
