"""End to end: `hatch-torch build` for three backends, `hatch-torch index`, the site served on 127.0.0.1 next to
the local PyTorch-like index, and real uv and real pip installing mylib per backend into fresh virtualenvs,
reading the site's PEP 691 JSON form and its PEP 503 HTML form. Nothing reaches the real PyPI for installs
(the isolated builds fetch hatchling from PyPI through the cache, hatch-torch from the wheelhouse)."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from buildkit import TEST_PROJECTS, build_env, run, uv_command
from fake_index import FakeIndex
from packaging.version import Version
from publish_helpers import SiteServer

from hatch_torch.data.model import load

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BACKENDS = ("cpu", "cu128", "cu130")
TORCH = Version("2.10.0")  # the newest release test-projects/minimal allows (torch>=2.6,<2.11)
HOSTS = {("Linux", "x86_64"): "linux_x86_64", ("Linux", "aarch64"): "linux_aarch64", ("Windows", "AMD64"): "win_amd64"}
HOST = HOSTS.get((platform.system(), platform.machine()))
PROBE = (
    "import importlib.metadata as m, json, sys\nprint(json.dumps({name: m.version(name) for name in sys.argv[1:]}))\n"
)


@dataclass
class Published:
    out: Path
    site: Path
    server: SiteServer
    report: list[dict[str, object]]


def _uv() -> str:
    return uv_command()


@pytest.fixture(scope="module")
def published(
    tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path, torch_index: FakeIndex
) -> Iterator[Published]:
    """mylib (local-version on) built for three backends with `hatch-torch build`, indexed, and served."""
    _uv()
    root = tmp_path_factory.mktemp("publish")
    project = root / "minimal"
    shutil.copytree(TEST_PROJECTS / "minimal", project, ignore=shutil.ignore_patterns("dist", "__pycache__"))
    with open(project / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write("local-version = true\n")
    out, site = root / "wheels", root / "site"
    # no outside index: hatchling & co. come from the wheelhouse, like every build in the tests (uv has no
    # environment variable for --no-index, so its default index is the local fake PyPI)
    links = str(wheelhouse)
    env = build_env(
        UV_FIND_LINKS=links,
        UV_DEFAULT_INDEX=torch_index.pypi_url,
        UV_NO_CONFIG="1",
        PIP_FIND_LINKS=links,
        PIP_NO_INDEX="1",
    )
    command = [sys.executable, "-m", "hatch_torch", "build", "--backends", ",".join(BACKENDS)]
    output = run([*command, "--project", str(project), "--out", str(out), "--jobs", "2", "--json"], env)
    report = json.loads(output[: output.rindex("]") + 1])
    run([sys.executable, "-m", "hatch_torch", "index", str(out), "--out", str(site)], env)
    server = SiteServer(site)
    server.thread.start()
    try:
        yield Published(out, site, server, report)
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def test_build_report_and_site(published: Published) -> None:
    assert [r["backend"] for r in published.report] == list(BACKENDS)
    for result in published.report:
        backend = result["backend"]
        assert result["ok"] is True, result
        assert result["wheel"] == str(published.out / str(backend) / f"mylib-1.2.0+{backend}-py3-none-any.whl")
        page = json.loads((published.site / str(backend) / "mylib" / "index.json").read_text())
        assert [f["filename"] for f in page["files"]] == [f"mylib-1.2.0+{backend}-py3-none-any.whl"]


@pytest.mark.skipif(HOST is None, reason="the release data has no labelled torch wheels for this machine")
@pytest.mark.parametrize("form", ["json", "html"])
@pytest.mark.parametrize("installer", ["uv", "pip"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_install_own_build_with_matching_torch(
    published: Published, torch_index: FakeIndex, tmp_path: Path, backend: str, installer: str, form: str
) -> None:
    assert HOST is not None
    venv = tmp_path / "venv"
    run([_uv(), "venv", "--no-config", "--python", sys.executable, str(venv)], build_env())
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    indexes = [
        "--index-url",
        published.server.index_url(form, backend),
        "--extra-index-url",
        torch_index.backend_url(backend),
        "--extra-index-url",
        torch_index.pypi_url,
    ]
    if installer == "uv":
        command = [_uv(), "pip", "install", "--no-config", "--no-cache", "--python", str(python), *indexes, "mylib"]
    else:
        command = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-cache-dir", *indexes, "mylib"]
    before = len(published.server.served)
    run(command, build_env())

    probe = subprocess.run(
        [str(python), "-c", PROBE, "mylib", "torch", "torchvision", "numpy"], capture_output=True, text=True, check=True
    )
    got = json.loads(probe.stdout)
    data = load()
    torch_label = data.labels(TORCH, backend, "torch")[HOST]
    vision_label = data.labels(TORCH, backend, "torchvision")[HOST]
    assert got["mylib"] == f"1.2.0+{backend}"
    assert got["torch"] == (f"2.10.0+{torch_label}" if torch_label else "2.10.0")
    assert got["torchvision"] == (f"0.25.0+{vision_label}" if vision_label else "0.25.0")
    assert got["numpy"]

    served = published.server.served[before:]
    wheel = f"mylib-1.2.0+{backend}-py3-none-any.whl"
    assert f"/{form}/{backend}/mylib/" in served, served
    assert f"/{form}/{backend}/mylib/{wheel}" in served, served
    # Both installers read the PEP 658 metadata file the page advertises before downloading the wheel.
    assert f"/{form}/{backend}/mylib/{wheel}.metadata" in served, served
