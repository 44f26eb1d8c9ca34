"""The pages of a static index: PEP 503 HTML and PEP 691 JSON (api-version 1.1) with PEP 658 hashes."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from urllib.parse import quote

from hatch_torch.publish.wheels import Wheel

API_VERSION = "1.1"


def page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        f'    <meta name="pypi:repository-version" content="{API_VERSION}">\n'
        f"    <title>{html.escape(title)}</title>\n  </head>\n  <body>\n"
        f"    <h1>{html.escape(title)}</h1>\n{body}\n  </body>\n</html>\n"
    )


def project_html(project: str, wheels: Iterable[Wheel]) -> str:
    links = []
    for w in wheels:
        attrs = [f'href="{quote(w.filename)}#sha256={w.sha256}"']
        if w.requires_python:
            attrs.append(f'data-requires-python="{html.escape(w.requires_python)}"')
        attrs.append(f'data-dist-info-metadata="sha256={w.metadata_sha256}"')
        attrs.append(f'data-core-metadata="sha256={w.metadata_sha256}"')
        links.append(f"    <a {' '.join(attrs)}>{html.escape(w.filename)}</a><br>")
    return page(f"Links for {project}", "\n".join(links))


def project_json(project: str, wheels: Iterable[Wheel]) -> str:
    files = []
    versions: dict[str, None] = {}
    for w in wheels:
        versions[w.version] = None
        entry: dict[str, object] = {"filename": w.filename, "url": quote(w.filename), "hashes": {"sha256": w.sha256}}
        if w.requires_python:
            entry["requires-python"] = w.requires_python
        entry["core-metadata"] = {"sha256": w.metadata_sha256}
        entry["dist-info-metadata"] = {"sha256": w.metadata_sha256}
        entry["size"] = w.size
        files.append(entry)
    page = {"meta": {"api-version": API_VERSION}, "name": project, "versions": list(versions), "files": files}
    return json.dumps(page, indent=1) + "\n"


def root_html(projects: Iterable[str]) -> str:
    links = "\n".join(f'    <a href="{quote(p)}/">{html.escape(p)}</a><br>' for p in sorted(projects))
    return page("Simple index", links)


def root_json(projects: Iterable[str]) -> str:
    page = {"meta": {"api-version": API_VERSION}, "projects": [{"name": p} for p in sorted(projects)]}
    return json.dumps(page, indent=1) + "\n"
