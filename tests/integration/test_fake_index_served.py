"""The local PyTorch-like index itself: layout, PEP 503/691 pages, hashes, quirks, valid wheels."""

from __future__ import annotations

import hashlib
import html.parser
import io
import json
import re
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
from fake_index import JSON_TYPE, PLATFORM_TAGS, FakeIndex
from torch_expect import release_data_with

from hatch_torch.data.model import load

pytestmark = pytest.mark.integration


def fetch(url: str, accept: str = "text/html") -> tuple[str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(response.headers["Content-Type"]), bytes(response.read())


class Anchors(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs))


def anchors(body: bytes) -> list[dict[str, str | None]]:
    parser = Anchors()
    parser.feed(body.decode())
    return parser.links


def test_every_backend_lists_the_torch_family(torch_index: FakeIndex) -> None:
    data = load()
    for backend in data.backends:
        _, body = fetch(torch_index.backend_url(backend) + "/", JSON_TYPE)
        projects = {p["name"] for p in json.loads(body)["projects"]}
        assert {"torch", "torchvision"} <= projects, backend


def test_filenames_follow_the_data_labels(torch_index: FakeIndex) -> None:
    data = load()
    for version in data.versions:
        release = data.releases[str(version)]
        for backend, packages in release["backends"].items():
            names = set(torch_index.filenames(backend, "torch"))
            for platform, label in packages["torch"].items():
                wheel = release.get("wheels", {}).get(platform, {})
                dotted = next(p for p in wheel.get("python", release["python"]) if not p.endswith("t"))
                python = dotted.replace(".", "")
                local = f"+{label}" if label else ""
                abi = "none" if platform.startswith("macos") else f"cp{python}"
                tag = PLATFORM_TAGS[platform]
                if platform == "macos_arm64" and "macos" in wheel:  # the macOS floor PyPI's wheels carry
                    tag = "macosx_{}_{}_arm64".format(
                        *wheel.get("macos_python", {}).get(dotted, wheel["macos"]).split(".")
                    )
                name = f"torch-{version}{local}-cp{python}-{abi}-{tag}.whl"
                assert name in names, name


def test_issue_example_filenames(torch_index: FakeIndex) -> None:
    cu130 = torch_index.filenames("cu130", "torch")
    assert "torch-2.10.0+cu130-cp311-cp311-manylinux_2_28_x86_64.whl" in cu130
    assert "torch-2.10.0+cu130-cp313-cp313t-manylinux_2_28_aarch64.whl" in cu130
    assert "torch-2.10.0-cp311-none-macosx_11_0_arm64.whl" in torch_index.filenames("cpu", "torch")
    assert "torch-2.10.0-cp314-none-macosx_14_0_arm64.whl" in torch_index.filenames("cpu", "torch")
    assert "torch-2.13.0-cp312-none-macosx_14_0_arm64.whl" in torch_index.filenames("pypi", "torch")
    assert "torchaudio-2.11.1-cp312-none-macosx_14_0_arm64.whl" in torch_index.filenames("pypi", "torchaudio")
    assert not [f for f in torch_index.filenames("pypi", "torch") if "2.9.0" in f and "cp39" in f]
    vision = torch_index.filenames("cpu", "torchvision")
    for name in ("0.24.0+0429d73", "0.24.1+d801a34", "0.27.1+df56172"):
        assert [f for f in vision if f.startswith(f"torchvision-{name}-") and f.endswith("-win_arm64.whl")]


def test_html_and_json_pages_agree(torch_index: FakeIndex) -> None:
    url = torch_index.backend_url("cu130") + "/torch/"
    html_type, html_body = fetch(url)
    json_type, json_body = fetch(url, f"{JSON_TYPE}, text/html;q=0.1")
    assert html_type.startswith("text/html")
    assert json_type == JSON_TYPE
    files = json.loads(json_body)["files"]
    links = anchors(html_body)
    assert [f["filename"] for f in files] == torch_index.filenames("cu130", "torch")
    assert len(links) == len(files)
    for link, row in zip(links, files, strict=True):
        assert link["href"] == f"{row['url']}#sha256={row['hashes']['sha256']}"
        assert link["data-requires-python"] == row["requires-python"]


def test_hashes_match_the_served_bytes_and_bytes_are_deterministic(torch_index: FakeIndex) -> None:
    _, body = fetch(torch_index.backend_url("rocm7.1") + "/torch/", JSON_TYPE)
    row = json.loads(body)["files"][0]
    _, first = fetch(torch_index.url + row["url"])
    assert hashlib.sha256(first).hexdigest() == row["hashes"]["sha256"]
    with FakeIndex() as other:  # a second server builds the wheel again: same bytes
        _, again = fetch(other.url + row["url"])
    assert again == first
    _, metadata = fetch(torch_index.url + row["url"] + ".metadata")
    assert hashlib.sha256(metadata).hexdigest() == row["core-metadata"]["sha256"]


def wheel_files(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.mark.parametrize(
    ("backend", "filename", "requires"),
    [
        ("cu130", "torch-2.10.0+cu130-cp311-cp311-manylinux_2_28_x86_64.whl", r"triton==[\d.]+; platform_system"),
        ("rocm7.1", "torch-2.10.0+rocm7.1-cp311-cp311-manylinux_2_28_x86_64.whl", r"triton-rocm==[\d.]+; platform"),
        ("rocm6.4", "torch-2.9.1+rocm6.4-cp311-cp311-manylinux_2_28_x86_64.whl", r"pytorch-triton-rocm==[\d.]+; pla"),
        ("xpu", "torch-2.10.0+xpu-cp311-cp311-win_amd64.whl", r"triton-xpu==[\d.]+$"),
        ("xpu", "torch-2.9.1+xpu-cp311-cp311-manylinux_2_28_x86_64.whl", r"pytorch-triton-xpu==[\d.]+; pla"),
        ("cu130", "torchvision-0.25.0+cu130-cp311-cp311-win_amd64.whl", r"torch==2\.10\.0$"),
    ],
)
def test_wheels_are_valid_and_carry_companion_requirements(
    torch_index: FakeIndex, backend: str, filename: str, requires: str
) -> None:
    _, body = fetch(f"{torch_index.url}/files/{backend}/{filename.replace('+', '%2B')}")
    files = wheel_files(body)
    project, version = filename.split("-")[:2]
    dist_info = f"{project}-{version}.dist-info"
    assert files[f"{project}/__init__.py"] == f'__version__ = "{version}"\n'.encode()
    metadata = files[f"{dist_info}/METADATA"].decode()
    assert f"Version: {version}\n" in metadata
    assert [line for line in metadata.splitlines() if re.match(f"Requires-Dist: {requires}", line)], metadata
    record = files[f"{dist_info}/RECORD"].decode()
    assert sorted(line.split(",")[0] for line in record.splitlines()) == sorted(files)
    triton = re.search(r"Requires-Dist: ([a-z-]*triton[a-z-]*)==([\d.]+)", metadata)
    if triton:  # the companion is served where uv/pip will look for it
        index = "pypi" if triton.group(1) == "triton" else backend
        assert [f for f in torch_index.filenames(index, triton.group(1)) if f"-{triton.group(2)}-" in f]


def test_pypi_has_bare_builds_and_the_sample_dependencies(torch_index: FakeIndex) -> None:
    torch = torch_index.filenames("pypi", "torch")
    assert torch
    assert not [f for f in torch if "+" in f]
    for project in ("numpy", "accelerate", "pytest", "pillow", "safetensors", "packaging", "triton"):
        assert torch_index.filenames("pypi", project), project
    _, body = fetch(torch_index.pypi_url + "/numpy/")
    assert all(str(link["href"]).startswith("/files/pypi/numpy-") for link in anchors(body))


def test_unknown_pages_are_404(torch_index: FakeIndex) -> None:
    for path in ("/whl/cu999/", "/whl/cu130/nope/", "/files/cu130/torch-0.0.0-py3-none-any.whl", "/elsewhere"):
        with pytest.raises(urllib.error.HTTPError) as caught:
            fetch(torch_index.url + path)
        caught.value.close()
        assert caught.value.code == 404


def test_a_data_file_adds_a_release(tmp_path: Path) -> None:
    data_file = tmp_path / "releases.json"
    data_file.write_text(json.dumps(release_data_with("2.14.0", "2.13.0")), encoding="utf-8")
    with FakeIndex(data_file) as index:
        names = index.filenames("cu130", "torch")
        assert "torch-2.14.0+cu130-cp312-cp312-manylinux_2_28_x86_64.whl" in names
        assert "torchvision-0.29.0+cu130-cp312-cp312-manylinux_2_28_x86_64.whl" in index.filenames(
            "cu130", "torchvision"
        )
