"""util.fsread: regular files only (FIFOs, devices, sockets and links to them refused before they block)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from hatch_torch.util import fsread


def test_regular_file_within_and_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"0123456789")
    assert fsread.read_bytes(path, 10) == b"0123456789"
    with pytest.raises(fsread.TooLarge, match="larger than 9 bytes"):
        fsread.read_bytes(path, 9)
    assert fsread.read_bytes(path, 4, truncate=True) == b"0123"
    assert fsread.read_text(path, 100) == "0123456789"
    with fsread.open_regular(path) as f:
        assert f.read() == b"0123456789"


def test_special_files_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    zero = tmp_path / "zero"
    zero.symlink_to("/dev/zero")
    sock = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock))
    try:
        for path, kind in [
            (fifo, "a FIFO"),
            (zero, "a character device"),
            (Path("/dev/null"), "a character device"),
            (sock, "a socket"),
            (tmp_path, "a directory"),
        ]:
            with pytest.raises(fsread.NotRegularFile, match=f"is {kind}, not a regular file"):
                fsread.read_bytes(path, 10)
            with pytest.raises(fsread.NotRegularFile):
                fsread.open_regular(path)
    finally:
        server.close()


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        fsread.read_bytes(tmp_path / "nope", 10)


def test_listdir_is_bounded(tmp_path: Path) -> None:
    for name in ("b", "a", "c"):
        (tmp_path / name).touch()
    assert fsread.listdir(tmp_path, 3) == ["a", "b", "c"]
    with pytest.raises(fsread.TooLarge, match="more than 2 entries"):
        fsread.listdir(tmp_path, 2)
