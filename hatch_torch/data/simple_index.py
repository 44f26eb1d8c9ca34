"""Read the file names of a project page on a PyTorch-style simple index (PEP 503 HTML or PEP 691 JSON)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit, urlunsplit

from hatch_torch.util.errors import HatchTorchError
from hatch_torch.util.urls import redact

MAX_PAGE = 64 << 20  # the largest project page read (download.pytorch.org/whl/torch/ is ~4 MB)
ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.files: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.files.append(unquote(urlsplit(href).path.rsplit("/", 1)[-1]))


def project_files(url: str, timeout: float = 30.0, accept: str = ACCEPT) -> list[str] | None:
    """File names listed at ``url`` (a project page); None when the index has no such project (404).

    Credentials in the URL go into an ``Authorization`` header and never into a message.
    """
    shown = redact(url)
    parts = urlsplit(url)
    headers = {"Accept": accept}
    if parts.username is not None:
        login = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(login.encode()).decode("ascii")
        url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            kind = response.headers.get_content_type()
            body = response.read(MAX_PAGE + 1)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise HatchTorchError(f"{shown} answered HTTP {exc.code}. Fix: check --index-url.") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = redact(str(getattr(exc, "reason", exc)))
        raise HatchTorchError(f"cannot read {shown}: {reason}. Fix: check --index-url and the network.") from None
    if len(body) > MAX_PAGE:
        raise HatchTorchError(f"{shown} is larger than {MAX_PAGE >> 20} MB. Fix: check --index-url.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HatchTorchError(
            f"{shown} is not UTF-8 text (byte {exc.start}: {body[exc.start : exc.start + 1]!r}). "
            f"Fix: point --index-url at a PEP 503 or PEP 691 index."
        ) from None
    if kind.endswith("json"):
        try:
            files = json.loads(text)["files"]
            return [str(f["filename"]) for f in files]
        except (ValueError, KeyError, TypeError) as exc:
            raise HatchTorchError(
                f"{shown} is not a PEP 691 project page ({type(exc).__name__}: {exc}; it needs "
                f'"files": [{{"filename": ...}}, ...]). Fix: point --index-url at a PEP 503 or PEP 691 index.'
            ) from None
    parser = _Links()
    parser.feed(text)
    return parser.files
