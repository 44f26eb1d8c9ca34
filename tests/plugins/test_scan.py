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
