"""Fixtures of the publishing tests (helpers live in publish_helpers.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from publish_helpers import SiteServer


@pytest.fixture
def serve_site() -> Iterator[Any]:
    """``serve_site(SITE) -> SiteServer`` running on 127.0.0.1 until the test ends."""
    servers: list[SiteServer] = []

    def start(site: Path) -> SiteServer:
        server = SiteServer(site)
        server.thread.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.httpd.shutdown()
        server.httpd.server_close()
