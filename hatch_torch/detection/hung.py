"""Remember vendor tools that hung, so a build (many processes) pays a tool's timeout once."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

#: How long a hang is remembered, in seconds.
MEMORY = 600.0


def _marker(tool: str) -> Path:
    try:
        stat = os.stat(tool)
        key = f"{os.path.realpath(tool)}:{stat.st_mtime_ns}:{stat.st_size}"
    except OSError:
        key = tool
    uid = os.getuid() if hasattr(os, "getuid") else 0
    digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"hatch-torch-{uid}" / "hung" / digest


def recently(tool: str) -> bool:
    """True if ``tool`` (this exact file) timed out within the last ``MEMORY`` seconds."""
    try:
        return time.time() - _marker(tool).stat().st_mtime < MEMORY
    except OSError:
        return False


def remember(tool: str) -> None:
    marker = _marker(tool)
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(tool, encoding="utf-8")
    except OSError:
        pass  # best effort: without the marker the next process waits again
