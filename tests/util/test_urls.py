"""URL-parser differential: what WHATWG (uv), urllib (pip's host checks) and hatch-torch make of tricky URLs.

Each case lists the host the WHATWG URL standard gives (measured with Node's ``URL``, a WHATWG parser) and what
:func:`hatch_torch.util.urls.parse` makes of it: the host, or None when it refuses. The live tests run real uv
and real pip against each URL through a recording HTTP proxy on 127.0.0.1 (nothing leaves the machine) and
check that a URL hatch-torch accepts is fetched from exactly the host hatch-torch saw, and that every URL on
which uv and urllib disagree is refused.
"""

from __future__ import annotations

import ipaddress
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from buildkit import build_env, uv_command
from hypothesis import event, given, settings
from hypothesis import strategies as st

from hatch_torch.util.errors import ConfigurationError
from hatch_torch.util.urls import check_index_url, parse, redact

#: (url, WHATWG host or None when WHATWG rejects it, hatch-torch's host or None when it refuses the URL)
CASES: list[tuple[str, str | None, str | None]] = [
    ("http://evil.example\\@localhost/cpu", "evil.example", None),  # the issue's example
    ("http://localhost\\.evil.example/cpu", "localhost", None),
    ("http://localhost:8080/cpu", "localhost", "localhost"),
    ("http://127.0.0.1/cpu", "127.0.0.1", "127.0.0.1"),
    ("http://[::1]:8080/cpu", "[::1]", "[::1]"),
    ("http://[0:0:0:0:0:0:0:1]/cpu", "[::1]", "[::1]"),
    ("http://[::1%25eth0]/cpu", None, None),
    ("HTTP://LOCALHOST/cpu", "localhost", None),  # uv reads an upper-case scheme as a file path
    ("http://LOCALHOST/cpu", "localhost", "localhost"),
    ("http://%6cocalhost/cpu", "localhost", None),  # WHATWG percent-decodes hosts, urllib does not
    ("http://evil%2eexample/cpu", "evil.example", None),
    ("http:///evil.example/cpu", "evil.example", None),  # WHATWG skips extra slashes, urllib sees no host
    ("http:/evil.example/cpu", "evil.example", None),
    ("http:evil.example/cpu", "evil.example", None),
    ("http://2130706433/cpu", "127.0.0.1", None),  # IPv4 in other forms
    ("http://0x7f.1/cpu", "127.0.0.1", None),
    ("http://127.1/cpu", "127.0.0.1", None),
    ("http://0177.0.0.1/cpu", "127.0.0.1", None),
    ("http://localhost./cpu", "localhost.", None),
    ("http://a@b@localhost/cpu", "localhost", None),
    ("http://user:pw@localhost/cpu", "localhost", "localhost"),
    ("https://user:tok@mirror.example/cpu", "mirror.example", "mirror.example"),
    ("https://mirror.example:443/cpu", "mirror.example", "mirror.example"),
    ("http://localhost:80@evil.example/cpu", "evil.example", "evil.example"),
    ("http://evil.example#@localhost/cpu", "evil.example", "evil.example"),
    ("http://evil.example?@localhost/cpu", "evil.example", "evil.example"),
    ("http://evil.exa\tmple@localhost/cpu", "localhost", None),  # WHATWG drops tabs and newlines
    (" http://localhost/cpu", "localhost", None),  # ... and leading spaces
    ("http://\u24dbocalhost/cpu", "localhost", None),  # IDNA maps the circled l to l
    ("https://xn--bcher-kva.example/cpu", "xn--bcher-kva.example", "xn--bcher-kva.example"),
    ("http://127.0.0.1:99999/cpu", None, None),
    ("http://localhost.evil.example/cpu", "localhost.evil.example", "localhost.evil.example"),
    ("ftp://mirror.example/cpu", "mirror.example", None),
    ("file:///srv/pytorch/cpu", "", ""),
    ("file://evil.example/cpu", "evil.example", None),
]
IDS = [repr(url) for url, _, _ in CASES]
#: where uv (0.13) departs from WHATWG: the host it contacts, None for none
UV_DIFFERS: dict[str, str | None] = {"HTTP://LOCALHOST/cpu": None}


def ours(url: str) -> str | None:
    try:
        return parse(url).host
    except ValueError:
        return None


@pytest.mark.parametrize(("url", "whatwg", "expected"), CASES, ids=IDS)
def test_hatch_torch_reads_or_refuses_each_url(url: str, whatwg: str | None, expected: str | None) -> None:
    assert ours(url) == expected
    urllib_host = _urllib_host(url)
    if whatwg != urllib_host and url.startswith(("http", "HTTP")):
        assert expected is None, f"uv and urllib disagree ({whatwg} vs {urllib_host}) but {url!r} was accepted"


def _urllib_host(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return f"[{ipaddress.IPv6Address(host).compressed}]" if host and ":" in host else host


def test_only_loopback_may_use_plain_http() -> None:
    for url, _, host in CASES:
        if host is None or not url.lower().startswith("http://"):
            continue
        if host in ("localhost", "127.0.0.1", "[::1]"):
            assert check_index_url(url, "--index-url").local
        else:
            with pytest.raises(ConfigurationError, match="uses plain http to"):
                check_index_url(url, "--index-url")


def test_the_issue_example_is_refused_with_the_setting_and_the_fix() -> None:
    with pytest.raises(ConfigurationError) as caught:
        check_index_url("http://evil.example\\@localhost/cpu", "tool.hatch-torch.index-url")
    message = str(caught.value)
    assert message.startswith("tool.hatch-torch.index-url='http://evil.example\\\\@localhost/cpu' contains a backslash")
    assert "Fix: " in message


@pytest.mark.parametrize(
    "url",
    [
        "http://alice:s3cret@mirror.example/whl",
        "http://s3cret@evil.example/x",
        "https://a:b@c:s3cret@h/",
        "ftp://u:s3cret@h/",
    ],
)
def test_credentials_never_appear_in_a_message(url: str) -> None:
    assert "s3cret" not in redact(url)
    with pytest.raises(ConfigurationError) as caught:
        check_index_url(url, "--index-url", allow_file=False)
    assert "s3cret" not in str(caught.value)


# --- the live differential: real uv and pip, through a recording proxy ------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.hosts.append(_host_of(self.path))  # type: ignore[attr-defined]
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_CONNECT(self) -> None:
        host, _, _port = self.path.rpartition(":")
        self.server.hosts.append(host)  # type: ignore[attr-defined]
        self.send_response(403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def _host_of(target: str) -> str:
    netloc = target.split("://", 1)[1].split("/", 1)[0]
    return netloc if netloc.endswith("]") else netloc.rpartition(":")[0] or netloc


def _normal(host: str) -> str:
    return f"[{ipaddress.IPv6Address(host.strip('[]')).compressed}]" if ":" in host else host.lower()


@pytest.fixture
def proxies() -> Iterator[list[ThreadingHTTPServer]]:
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Recorder) for _ in CASES]
    for server in servers:
        server.hosts = []  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield servers
    for server in servers:
        server.shutdown()
        server.server_close()


def _through(proxy: ThreadingHTTPServer, command: list[str], tmp: Path) -> str | None:
    """The first host ``command`` asked the proxy for (None: it contacted nothing), IPv6 compressed."""
    address = f"http://127.0.0.1:{proxy.server_address[1]}"
    env = build_env(HTTP_PROXY=address, HTTPS_PROXY=address, ALL_PROXY=address, NO_PROXY="")
    env["UV_CACHE_DIR"] = str(tmp.with_name(tmp.name + "-cache"))
    subprocess.run(command, env=env, capture_output=True, timeout=120, check=False, stdin=subprocess.DEVNULL, cwd=tmp)
    hosts: list[str] = proxy.hosts  # type: ignore[attr-defined]
    return _normal(hosts[0]) if hosts else None


@pytest.mark.slow
def test_uv_and_pip_fetch_from_the_host_hatch_torch_saw(proxies: list[ThreadingHTTPServer], tmp_path: Path) -> None:
    uv = uv_command()
    (tmp_path / "req.txt").write_text("torch\n")

    def one(i: int) -> tuple[str | None, str | None]:
        url = CASES[i][0]
        work = tmp_path / str(i)
        work.mkdir()
        uv_host = _through(proxies[i], [uv, "pip", "compile", "--no-config", "--index-url", url, "../req.txt"], work)
        proxies[i].hosts.clear()  # type: ignore[attr-defined]
        if CASES[i][2] is None and i:  # pip (slow to start) only where hatch-torch accepts, and the issue's example
            return uv_host, None
        pip = [sys.executable, "-m", "pip", "download", "--isolated", "--no-deps", "--retries", "0", "--timeout", "5"]
        pip += ["--proxy", f"http://127.0.0.1:{proxies[i].server_address[1]}", "-d", str(work), "-i", url, "torch"]
        return uv_host, _through(proxies[i], pip, work)

    with ThreadPoolExecutor(max_workers=4) as pool:
        seen = list(pool.map(one, range(len(CASES))))
    rows, wrong = [], []
    for (url, whatwg, expected), (uv_host, pip_host) in zip(CASES, seen, strict=True):
        rows.append(f"{url!r:44} whatwg={whatwg} uv={uv_host} pip={pip_host} hatch-torch={expected}")
        if url.startswith(("file:", "ftp:")) or whatwg is None:
            continue
        if uv_host != UV_DIFFERS.get(url, whatwg):  # uv reads URLs the WHATWG way, but for UV_DIFFERS
            wrong.append(rows[-1])
        if expected is not None and (uv_host != expected or pip_host not in (None, expected)):
            wrong.append(rows[-1])  # pip contacts nothing for plain-http hosts it does not trust
    print("\n".join(rows))
    assert wrong == []


_PIECES = st.tuples(
    st.sampled_from(["http://", "https://", "HTTP://", "http:/", "http:", "file://", "http:///"]),
    st.sampled_from(["", "u@", "u:p@", "a@b@", "evil.example\\@", "localhost:80@", "%75@"]),
    st.sampled_from(
        [
            "localhost",
            "127.0.0.1",
            "[::1]",
            "[0::1]",
            "evil.example",
            "2130706433",
            "0x7f.1",
            "127.1",
            "%6cocalhost",
            "localhost.",
            "LOCALHOST",
            "xn--bcher-kva.example",
            "a..b",
            "[::1%25lo]",
            "",
            "\u24dbocalhost",
        ]
    ),
    st.sampled_from(["", ":8080", ":", ":99999", ":0x1", ":80"]),
    st.text(alphabet="/\\?#@%a.:", max_size=8),
).map("".join)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        _PIECES,
        st.tuples(
            st.sampled_from(["http://", "https://", "HTTP://", "http:/", "file://", ""]),
            st.text(alphabet="lochst.:@/\\%[]01x7f?# \t\u24db-e_", max_size=24),
        ).map("".join),
    )
)
def test_an_accepted_url_has_the_host_urllib_sees(url: str) -> None:
    """Whatever hatch-torch accepts, urllib (pip's check) reads with the same host and port."""
    try:
        parts = parse(url)
    except ValueError:
        event("refused")
        return
    event("accepted")
    split = urlsplit(url)
    assert parts.host == (_urllib_host(url) or ""), url
    assert parts.port == split.port, url
