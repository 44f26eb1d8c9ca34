"""Read the file names of a project page on a PyTorch-style simple index (PEP 503 HTML or PEP 691 JSON)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from hatch_torch.util.errors import HatchTorchError

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
    """File names listed at ``url`` (a project page); None when the index has no such project (404)."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            kind = response.headers.get_content_type()
            body = response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise HatchTorchError(f"{url} answered HTTP {exc.code}. Fix: check --index-url.") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise HatchTorchError(f"cannot read {url}: {exc}. Fix: check --index-url and the network.") from exc
    if kind.endswith("json"):
        return [f["filename"] for f in json.loads(body)["files"]]
    parser = _Links()
    parser.feed(body)
    return parser.files
