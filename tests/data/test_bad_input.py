"""Bad release data, bad index URLs and bad index pages give a message (setting, value, fix), never a traceback,
and never show credentials from a URL."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hatch_torch.data.simple_index import project_files
from hatch_torch.util.errors import HatchTorchError

PAGES: dict[str, tuple[str, bytes]] = {
    "/latin1/": ("text/html", b'<a href="torch-2.9.1+cpu-cp311-none-any.whl">caf\xe9</a>'),
    "/badjson/": ("application/vnd.pypi.simple.v1+json", b'{"files": 3}'),
    "/notjson/": ("application/vnd.pypi.simple.v1+json", b"<html>"),
    "/ok/": ("application/vnd.pypi.simple.v1+json", b'{"files": [{"filename": "torch-2.9.1-py3-none-any.whl"}]}'),
}


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.auth.append(self.headers.get("Authorization"))  # type: ignore[attr-defined]
        kind, body = PAGES.get(self.path, ("text/plain", b""))
        self.send_response(200 if self.path in PAGES else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def pages() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    server.auth = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server: ThreadingHTTPServer, path: str, userinfo: str = "") -> str:
    return f"http://{userinfo}127.0.0.1:{server.server_address[1]}{path}"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/latin1/", "is not UTF-8 text (byte 48: b'\\xe9'). Fix: point --index-url at a PEP 503 or PEP 691 index."),
        ("/badjson/", "is not a PEP 691 project page (TypeError: "),
        ("/notjson/", "is not a PEP 691 project page (JSONDecodeError: "),
    ],
)
def test_a_bad_index_page_is_reported(pages: ThreadingHTTPServer, path: str, expected: str) -> None:
    with pytest.raises(HatchTorchError) as caught:
        project_files(_url(pages, path))
    assert expected in str(caught.value)


def test_credentials_go_into_a_header_and_never_into_a_message(pages: ThreadingHTTPServer) -> None:
    assert project_files(_url(pages, "/ok/", "alice:s%3Acret@")) == ["torch-2.9.1-py3-none-any.whl"]
    assert pages.auth == ["Basic YWxpY2U6czpjcmV0"]  # type: ignore[attr-defined]  # alice:s:cret
    with pytest.raises(HatchTorchError) as caught:
        project_files(_url(pages, "/latin1/", "alice:s3cret@"))
    assert "s3cret" not in str(caught.value)
    assert "***@127.0.0.1" in str(caught.value)


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hatch_torch", *args],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "", **env},
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://evil.example\\@localhost/whl", "contains a backslash"),
        ("http://mirror.example/whl", "uses plain http to mirror.example"),
        ("ftp://mirror.example/whl", "is not an https, http or file URL"),
        ("file:///srv/whl", "is a file URL"),
        ("http://alice:s3cret@mirror.example/whl", "uses plain http to mirror.example"),
        ("http://alice:s3cret@2130706433/whl", "reads as an IPv4 address written in another form"),
    ],
)
def test_data_update_checks_the_index_url(tmp_path: Path, url: str, expected: str) -> None:
    out = tmp_path / "releases.json"
    proc = _cli("data", "update", "--index-url", url, "--output", str(out))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("hatch-torch: error: --index-url=")
    assert expected in proc.stderr
    assert "Fix: " in proc.stderr
    assert "s3cret" not in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_data_update_hides_credentials_of_a_failing_index(pages: ThreadingHTTPServer, tmp_path: Path) -> None:
    proc = _cli(
        "data", "update", "--index-url", _url(pages, "/latin1", "alice:s3cret@"), "--output", str(tmp_path / "x")
    )
    assert proc.returncode in (0, 2)
    assert "s3cret" not in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read the release data (FileNotFoundError"),
        ("{}", "is not release data: it lacks backends, releases, platforms"),
        ("not json", "cannot read the release data (JSONDecodeError"),
        ("[1, 2]", "is not release data"),
        ('{"backends": {}, "releases": {"x": {}}, "platforms": []}', "a key of releases must be a version string"),
    ],
)
def test_bad_hatch_torch_data_is_named(tmp_path: Path, content: str | None, expected: str) -> None:
    data = tmp_path / "data.json"
    if content is not None:
        data.write_text(content)
    for args in (["pins", "torch"], ["backends"], ["matrix"]):
        proc = _cli(*args, HATCH_TORCH_DATA=str(data))
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith(f"hatch-torch: error: HATCH_TORCH_DATA={data}")
        assert expected in proc.stderr
        assert "Fix: point HATCH_TORCH_DATA at a release data file" in proc.stderr
