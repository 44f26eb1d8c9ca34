"""Helpers for the publishing tests: hand-made wheels and a static file server for a generated site."""

from __future__ import annotations

import base64
import hashlib
import io
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

JSON_TYPE = "application/vnd.pypi.simple.v1+json"


def make_wheel(
    directory: Path,
    name: str = "mylib",
    version: str = "1.2.0+cu130",
    *,
    requires_python: str | None = ">=3.10",
    metadata_name: str | None = None,
    metadata_version: str | None = None,
    payload: str = "",
    filename: str | None = None,
) -> Path:
    """A small valid wheel; ``metadata_*`` let METADATA disagree with the file name, ``payload`` changes bytes."""
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    lines = ["Metadata-Version: 2.4", f"Name: {metadata_name or name}", f"Version: {metadata_version or version}"]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    files = {
        f"{dist}/__init__.py": f"__version__ = {version!r}\n{payload}",
        f"{info}/METADATA": "\n".join(lines) + "\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path, text in files.items():
            data = text.encode()
            zf.writestr(zipfile.ZipInfo(path, (2020, 1, 1, 0, 0, 0)), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")
        record.append(f"{info}/RECORD,,")
        zf.writestr(zipfile.ZipInfo(f"{info}/RECORD", (2020, 1, 1, 0, 0, 0)), "\n".join(record) + "\n")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (filename or f"{dist}-{version}-py3-none-any.whl")
    path.write_bytes(buffer.getvalue())
    return path


class _SiteHandler(SimpleHTTPRequestHandler):
    """Serves SITE under ``/html/...`` (directory pages are index.html) and ``/json/...`` (index.json, PEP 691)."""

    def send_head(self) -> Any:
        path = unquote(urlsplit(self.path).path)
        form, _, rest = path.lstrip("/").partition("/")
        if form not in ("html", "json"):
            self.send_error(404)
            return None
        target = Path(self.directory) / rest
        if target.is_dir():
            if not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.end_headers()
                return None
            page = target / ("index.json" if form == "json" else "index.html")
            if not page.is_file():
                self.send_error(404)
                return None
            body = page.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", JSON_TYPE if form == "json" else "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.server.served.append(path)  # type: ignore[attr-defined]
            return io.BytesIO(body)
        self.path = "/" + rest
        self.server.served.append(path)  # type: ignore[attr-defined]
        return super().send_head()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class SiteServer:
    def __init__(self, site: Path) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_SiteHandler, directory=str(site)))
        self.httpd.served = []  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def served(self) -> list[str]:
        return self.httpd.served  # type: ignore[attr-defined, no-any-return]

    def index_url(self, form: str, backend: str) -> str:
        return f"{self.url}/{form}/{backend}"
