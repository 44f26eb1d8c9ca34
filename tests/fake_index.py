"""A PyTorch-like package index on 127.0.0.1, generated from hatch-torch's release data.

Layout (``url`` is ``http://127.0.0.1:PORT``):

- ``/whl/<backend>/`` and ``/whl/<backend>/<project>/``: one index per backend, like download.pytorch.org.
  torch/torchvision/torchaudio wheels for every release, platform and CPython in the data, named exactly as
  the data's labels say (``torch-2.10.0+cu130-cp311-cp311-manylinux_2_28_x86_64.whl``, unlabelled where the
  label is ``""``), plus the triton companion the backend's torch wheels require (``pytorch-triton-rocm``,
  ``triton-rocm``, ``pytorch-triton-xpu``, ``triton-xpu``). The cpu index also carries the git-hash-labelled
  torchvision win_arm64 wheels of pytorch/vision#9253 (``torchvision-0.24.1+d801a34-...-win_arm64.whl``).
- ``/pypi/simple/`` and ``/pypi/simple/<project>/``: a fake PyPI with bare torch-family wheels, ``triton`` and
  a few pure-Python packages (:data:`PURE`), ``nvidia-*`` runtimes of CUDA 12 and 13 and onnxruntime(-gpu)
  (:data:`PURE_DOCTOR`).
- The family members of ``hatch_torch/data/family.json`` that live on the PyTorch indexes (torchao, fbgemm-gpu,
  xformers) on each backend index with the backend's labels, and ``/pyg/whl/torch-<X.Y.0>+<backend>.html``:
  PyG's find-links pages with ``torch_scatter-2.1.2+pt28cu128-...`` wheels (:func:`add_family`).

Pages are PEP 503 HTML, or PEP 691 JSON when the ``Accept`` header asks for
``application/vnd.pypi.simple.v1+json``. Links carry ``#sha256=`` fragments, ``data-requires-python`` and
PEP 658/714 metadata (``<file>.metadata``). Wheels are built on first request with fixed timestamps (the
same bytes every time) and cached; each is a valid, installable wheel holding ``<module>/__init__.py`` with
``__version__``. Use :class:`FakeIndex` as a context manager, or :func:`serve` from a script::

    with FakeIndex() as index:
        print(index.backend_url("cu130"), index.pypi_url)
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

PYPI = "pypi"
PYG = "pyg"
JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPE = "application/vnd.pypi.simple.v1+html"

#: platform key of the release data -> wheel platform tag
PLATFORM_TAGS = {
    "linux_x86_64": "manylinux_2_28_x86_64",
    "linux_aarch64": "manylinux_2_28_aarch64",
    "macos_arm64": "macosx_11_0_arm64",
    "macos_x86_64": "macosx_10_9_x86_64",
    "win_amd64": "win_amd64",
    "win_arm64": "win_arm64",
}
LINUX = ("linux_x86_64", "linux_aarch64")

#: torchvision win_arm64 wheels on the cpu index with git-hash local versions (pytorch/vision#9253)
GIT_HASH_TORCHVISION = {"0.24.0": "0429d73", "0.24.1": "d801a34", "0.27.1": "df56172"}
GIT_HASH_PYTHONS = ("3.11", "3.12", "3.13")

#: triton release that goes with a torch minor release (newest entry is used for newer torch)
TRITON_VERSIONS = {
    "2.0": "2.0.0",
    "2.1": "2.1.0",
    "2.2": "2.2.0",
    "2.3": "2.3.0",
    "2.4": "3.0.0",
    "2.5": "3.1.0",
    "2.6": "3.2.0",
    "2.7": "3.3.0",
    "2.8": "3.4.0",
    "2.9": "3.5.0",
    "2.10": "3.6.0",
    "2.11": "3.6.0",
    "2.12": "3.7.1",
    "2.13": "3.7.2",
}

#: Pure-Python packages on the fake PyPI: name -> [(version, requires-python, [Requires-Dist])]
PURE: dict[str, list[tuple[str, str, list[str]]]] = {
    "numpy": [("1.26.4", ">=3.9", []), ("2.2.6", ">=3.10", []), ("2.3.5", ">=3.11", [])],
    "packaging": [("25.0", ">=3.8", [])],
    "pillow": [("11.3.0", ">=3.9", [])],
    "safetensors": [("0.6.2", ">=3.9", [])],
    "accelerate": [
        (
            "1.10.1",
            ">=3.9",
            [
                "numpy<3.0.0,>=1.17",
                "packaging>=20.0",
                "torch>=2.0.0",
                "safetensors>=0.4.3",
                'pytest<=8.0.0,>=7.2.0; extra == "testing"',
                'pillow; extra == "testing"',
            ],
        )
    ],
    "pytest": [("7.4.4", ">=3.7", [])],
}


@dataclass(frozen=True)
class WheelSpec:
    """One wheel file: its name and what goes into its METADATA."""

    project: str
    version: str
    python: str  # wheel python tag, e.g. cp311
    abi: str  # cp311, cp313t, none
    platform: str  # wheel platform tag
    requires_python: str | None = None
    requires_dist: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        return f"{_dist_name(self.project)}-{self.version}-{self.python}-{self.abi}-{self.platform}.whl"

    @property
    def tag(self) -> str:
        return f"{self.python}-{self.abi}-{self.platform}"


@dataclass
class _Built:
    wheel: bytes
    metadata: bytes

    @cached_property
    def wheel_sha256(self) -> str:
        return hashlib.sha256(self.wheel).hexdigest()

    @cached_property
    def metadata_sha256(self) -> str:
        return hashlib.sha256(self.metadata).hexdigest()


@dataclass
class Catalog:
    """Every index (backend names and ``pypi``) -> project -> filename -> wheel."""

    indexes: dict[str, dict[str, dict[str, WheelSpec]]] = field(default_factory=dict)

    def add(self, index: str, spec: WheelSpec) -> None:
        project = canonicalize_name(spec.project)
        self.indexes.setdefault(index, {}).setdefault(project, {})[spec.filename] = spec

    def files(self, index: str, project: str) -> dict[str, WheelSpec] | None:
        return self.indexes.get(index, {}).get(canonicalize_name(project))


def _dist_name(project: str) -> str:
    return re.sub(r"[-_.]+", "_", project).lower()


def _module_name(project: str) -> str:
    return _dist_name(project)


def _python_tags(python: str, platform: str) -> tuple[str, str]:
    """'3.11' -> ('cp311', 'cp311'); '3.13t' -> ('cp313', 'cp313t'); macOS non-free-threaded ABI is 'none'."""
    free_threaded = python.endswith("t")
    digits = python.rstrip("t").replace(".", "")
    abi = f"cp{digits}t" if free_threaded else f"cp{digits}"
    if platform.startswith("macos") and not free_threaded:
        abi = "none"
    return f"cp{digits}", abi


def _requires_python(pythons: list[str]) -> str:
    lowest = min((Version(p.rstrip("t")) for p in pythons), default=Version("3.8"))
    return f">={lowest}"


def triton_version(torch: str) -> str:
    """The triton release used with ``torch`` (the table's newest entry for releases it does not know)."""
    release = Version(torch)
    key = f"{release.major}.{release.minor}"
    if key in TRITON_VERSIONS:
        return TRITON_VERSIONS[key]
    return TRITON_VERSIONS[max(TRITON_VERSIONS, key=Version)]


def _triton_package(raw: dict[str, Any], torch: str, kind: str) -> str | None:
    """The triton companion a ``kind`` (rocm, xpu) torch wheel requires, from the data's ``triton`` rules."""
    for rule in raw.get("triton", []):
        if rule["kind"] == kind and SpecifierSet(rule["torch"]).contains(Version(torch)):
            package: str = rule["package"]
            return package
    return None


def _torch_requires(raw: dict[str, Any], torch: str, backend: str, platform: str) -> tuple[list[str], str | None]:
    """(Requires-Dist of a backend's torch wheel, the triton package the backend's index must serve)."""
    kind = raw["backends"][backend]["kind"] if backend != PYPI else "cuda"
    triton = triton_version(torch)
    if kind == "cuda" and platform in LINUX and Version(torch) >= Version("2.1"):
        marker = 'platform_system == "Linux"'
        if Version(torch) < Version("2.10"):
            marker += ' and platform_machine == "x86_64"'
        return [f"triton=={triton}; {marker}"], None
    package = _triton_package(raw, torch, kind) if kind in ("rocm", "xpu") else None
    if package is None:
        return [], None
    marker = "" if package == "triton-xpu" else '; platform_system == "Linux"'
    return [f"{package}=={triton}{marker}"], package


def _platform_tag(wheel: dict[str, Any] | None, platform: str, python: str) -> str:
    """The wheel platform tag; on macOS arm64 the data's macOS floor for that CPython (``macosx_14_0_arm64``)."""
    if platform == "macos_arm64" and wheel and "macos" in wheel:
        major, minor = wheel.get("macos_python", {}).get(python, wheel["macos"]).split(".")
        return f"macosx_{major}_{minor}_arm64"
    return PLATFORM_TAGS[platform]


def _companion_row(raw: dict[str, Any], package: str, version: str) -> dict[str, Any]:
    row: dict[str, Any] = raw.get("companions", {}).get(package, {}).get(version, {})
    return row


def _companion_requires(raw: dict[str, Any], package: str, version: str, torch: str) -> list[str]:
    """What a companion wheel declares about torch: the data's ``companions`` entry, else ``torch==T``."""
    row = _companion_row(raw, package, version)
    spec = row.get("torch", f"=={torch}") if row else f"=={torch}"
    return [f"torch{spec}"]


def build_catalog(raw: dict[str, Any]) -> Catalog:
    """All wheels the fake indexes serve, from raw release data (the JSON of ``releases.json``).

    CPython tags and macOS floors per platform come from the data's PyPI wheel facts (``releases[T].wheels``,
    ``companions[pkg][v].wheels``) where it has them; the fake PyPI serves exactly those wheels.
    """
    catalog = Catalog()
    for torch, release in raw["releases"].items():
        pythons: list[str] = release["python"]
        requires_python = _requires_python(pythons)
        versions = {"torch": torch, **release["versions"]}
        indexes = [(b, release["backends"][b]) for b in release["backends"]]
        if "wheels" in release:
            indexes.append((PYPI, {"torch": dict.fromkeys(release["wheels"], "")}))
        else:
            pypi_platforms = sorted({p for b in release["backends"].values() for pk in b.values() for p in pk})
            indexes.append((PYPI, {pk: dict.fromkeys(pypi_platforms, "") for pk in versions}))
        for index, packages in indexes:
            for package, labels in packages.items():
                if package not in versions:
                    continue
                if package == "torch":
                    wheels = release.get("wheels", {})
                else:
                    wheels = _companion_row(raw, package, versions[package]).get("wheels", {})
                for platform, label in labels.items():
                    version = versions[package] + (f"+{label}" if label else "")
                    wheel = wheels.get(platform)
                    mine = wheel["python"] if wheel else pythons
                    if package == "torch":
                        requires, triton = _torch_requires(raw, torch, index, platform)
                        _add_triton(catalog, requires, triton or "triton", index if triton else PYPI, platform, mine)
                    else:
                        requires = _companion_requires(raw, package, versions[package], torch)
                    for python in mine:
                        py, abi = _python_tags(python, platform)
                        tag = _platform_tag(wheel, platform, python)
                        catalog.add(index, WheelSpec(package, version, py, abi, tag, requires_python, tuple(requires)))
        _add_git_hash_torchvision(catalog, release, requires_python, torch)
    for package, rows in raw.get("companions", {}).items():  # the fake PyPI: every companion release PyPI has
        for version, row in rows.items():
            requires = (f"torch{row['torch']}",) if row.get("torch") else ("torch",)
            for platform, wheel in row.get("wheels", {}).items():
                for python in wheel["python"]:
                    py, abi = _python_tags(python, platform)
                    tag = _platform_tag(wheel, platform, python)
                    spec = WheelSpec(package, version, py, abi, tag, _requires_python(wheel["python"]), requires)
                    catalog.add(PYPI, spec)
    for name, releases in PURE.items():
        for version, requires_python, requires in releases:
            catalog.add(PYPI, WheelSpec(name, version, "py3", "none", "any", requires_python, tuple(requires)))
    add_family(catalog, raw)
    return catalog


def _add_triton(
    catalog: Catalog, requires: list[str], package: str, index: str, platform: str, pythons: list[str]
) -> None:
    """Serve the triton wheel that ``requires`` asks for, if any, on ``index``."""
    for requirement in requires:
        name, _, rest = requirement.partition("==")
        if name != package:
            continue
        version = rest.split(";")[0].strip()
        for python in pythons:
            py, abi = _python_tags(python, platform)
            catalog.add(index, WheelSpec(package, version, py, abi, PLATFORM_TAGS[platform]))


def _add_git_hash_torchvision(catalog: Catalog, release: dict[str, Any], requires_python: str, torch: str) -> None:
    vision = release["versions"].get("torchvision")
    if vision not in GIT_HASH_TORCHVISION or "cpu" not in release["backends"]:
        return
    version = f"{vision}+{GIT_HASH_TORCHVISION[vision]}"
    for python in GIT_HASH_PYTHONS:
        py, abi = _python_tags(python, "win_arm64")
        spec = WheelSpec("torchvision", version, py, abi, "win_arm64", requires_python, (f"torch=={torch}",))
        catalog.add("cpu", spec)


# --- wheel bytes ------------------------------------------------------------------------------------------

_EPOCH = (1980, 1, 1, 0, 0, 0)


def _metadata(spec: WheelSpec) -> bytes:
    lines = ["Metadata-Version: 2.1", f"Name: {spec.project}", f"Version: {spec.version}"]
    if spec.requires_python:
        lines.append(f"Requires-Python: {spec.requires_python}")
    extras = sorted({m.group(1) for r in spec.requires_dist if (m := re.search(r'extra == "([^"]+)"', r))})
    lines += [f"Provides-Extra: {extra}" for extra in extras]
    lines += [f"Requires-Dist: {r}" for r in spec.requires_dist]
    return ("\n".join(lines) + "\n").encode()


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest},{len(data)}"


def build_wheel(spec: WheelSpec) -> _Built:
    """The wheel's bytes (deterministic) and its METADATA."""
    dist_info = f"{_dist_name(spec.project)}-{spec.version}.dist-info"
    metadata = _metadata(spec)
    purelib = "true" if spec.platform == "any" else "false"
    files = {
        f"{_module_name(spec.project)}/__init__.py": f'__version__ = "{spec.version}"\n'.encode(),
        f"{dist_info}/METADATA": metadata,
        f"{dist_info}/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: hatch-torch-fake-index\nRoot-Is-Purelib: {purelib}\nTag: {spec.tag}\n"
        ).encode(),
    }
    record = "".join(f"{name},{_record_hash(data)}\n" for name, data in files.items()) + f"{dist_info}/RECORD,,\n"
    files[f"{dist_info}/RECORD"] = record.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return _Built(buffer.getvalue(), metadata)


# --- pages --------------------------------------------------------------------------------------------------


class FakeIndex:
    """The index server. ``data``: raw release data, a path to a data file, or None for the bundled data."""

    def __init__(self, data: dict[str, Any] | str | Path | None = None, *, hashes: bool = True) -> None:
        self.raw = _raw_data(data)
        self.catalog = build_catalog(self.raw)
        self.hashes = hashes
        self._built: dict[str, _Built] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.requests: list[str] = []

    # lifecycle
    def start(self) -> FakeIndex:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="fake-torch-index", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeIndex:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # URLs
    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake index is not running; call start()")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def backend_url(self, backend: str) -> str:
        """The backend's index, like ``https://download.pytorch.org/whl/<backend>`` (no trailing slash)."""
        return f"{self.url}/whl/{backend}"

    @property
    def whl_url(self) -> str:
        """The parent of all backend indexes (what ``hatch-torch data update --index-url`` takes)."""
        return f"{self.url}/whl"

    @property
    def pypi_url(self) -> str:
        return f"{self.url}/pypi/simple"

    def index_url(self, index: str) -> str:
        return self.pypi_url if index == PYPI else self.backend_url(index)

    # content
    def filenames(self, index: str, project: str) -> list[str]:
        """The wheel filenames the index lists for a project (empty if it has none)."""
        return sorted(self.catalog.files(index, project) or {})

    def built(self, index: str, filename: str) -> _Built | None:
        for files in self.catalog.indexes.get(index, {}).values():
            if filename in files:
                return self._build(files[filename])
        return None

    def _build(self, spec: WheelSpec) -> _Built:
        key = f"{spec.project}/{spec.filename}"
        with self._lock:
            cached = self._built.get(key)
        if cached is None:
            cached = build_wheel(spec)
            with self._lock:
                self._built.setdefault(key, cached)
        return cached

    def project_page(self, index: str, project: str, as_json: bool) -> bytes | None:
        files = self.catalog.files(index, project)
        if files is None:
            return None
        name = canonicalize_name(project)
        rows = [self._file_row(index, spec) for _, spec in sorted(files.items())]
        if as_json:
            doc = {"meta": {"api-version": "1.1"}, "name": name, "files": rows}
            return json.dumps(doc).encode()
        links = "\n".join(_anchor(row) for row in rows)
        return _html(f"Links for {name}", links)

    @property
    def pyg_url(self) -> str:
        """The PyG find-links template, like ``https://data.pyg.org/whl/torch-{torch}+{backend}.html``."""
        return f"{self.url}/pyg/whl/torch-{{torch}}+{{backend}}.html"

    def find_links_page(self, name: str) -> bytes | None:
        """PyG's flat page ``torch-2.8.0+cu128``: every PyG wheel labelled ``+pt28cu128``."""
        files = pyg_files(self.catalog, name)
        if not files:
            return None
        links = "\n".join(_anchor(self._file_row(PYG, spec)) for spec in files)
        return _html(f"Links for {name}", links)

    def project_list(self, index: str, as_json: bool) -> bytes | None:
        projects = self.catalog.indexes.get(index)
        if projects is None:
            return None
        if as_json:
            doc = {"meta": {"api-version": "1.1"}, "projects": [{"name": p} for p in sorted(projects)]}
            return json.dumps(doc).encode()
        links = "\n".join(f'<a href="{p}/">{p}</a><br/>' for p in sorted(projects))
        return _html("Simple index", links)

    def _file_row(self, index: str, spec: WheelSpec) -> dict[str, Any]:
        row: dict[str, Any] = {"filename": spec.filename, "url": f"/files/{index}/{quote(spec.filename)}"}
        row["hashes"] = {}
        if self.hashes:
            built = self._build(spec)
            row["hashes"] = {"sha256": built.wheel_sha256}
            row["core-metadata"] = {"sha256": built.metadata_sha256}
        if spec.requires_python:
            row["requires-python"] = spec.requires_python
        return row


def _anchor(row: dict[str, Any]) -> str:
    href = row["url"] + (f"#sha256={row['hashes']['sha256']}" if row["hashes"] else "")
    attrs = f'href="{html.escape(href)}"'
    if "requires-python" in row:
        attrs += f' data-requires-python="{html.escape(row["requires-python"])}"'
    if "core-metadata" in row:
        value = f"sha256={row['core-metadata']['sha256']}"
        attrs += f' data-core-metadata="{value}" data-dist-info-metadata="{value}"'
    return f"<a {attrs}>{html.escape(row['filename'])}</a><br/>"


def _html(title: str, body: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.1">'
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n"
    ).encode()


def _raw_data(data: dict[str, Any] | str | Path | None) -> dict[str, Any]:
    if isinstance(data, dict):
        return data
    if data is None:
        from hatch_torch.data.model import load

        return load().raw
    raw: dict[str, Any] = json.loads(Path(data).read_text(encoding="utf-8"))
    return raw


def _route(path: str) -> tuple[str, str, str | None] | None:
    """('page'|'list'|'file'|'metadata', index, project-or-filename) for a request path, else None."""
    parts = [unquote(p) for p in urlsplit(path).path.split("/") if p]
    if len(parts) == 3 and parts[0] == "files":
        kind = "metadata" if parts[2].endswith(".whl.metadata") else "file"
        return kind, parts[1], parts[2].removesuffix(".metadata")
    if len(parts) == 3 and parts[:2] == ["pyg", "whl"] and parts[2].endswith(".html"):
        return "flat", PYG, parts[2].removesuffix(".html")
    if parts[:2] == ["pypi", "simple"]:
        parts = [PYPI, PYPI, *parts[2:]]
    elif not parts or parts[0] != "whl":
        return None
    if len(parts) == 2:
        return "list", parts[1], None
    if len(parts) == 3:
        return "page", parts[1], parts[2]
    return None


def _handler(index: FakeIndex) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._respond(send_body=True)

        def do_HEAD(self) -> None:
            self._respond(send_body=False)

        def _respond(self, send_body: bool) -> None:
            index.requests.append(self.path)
            as_json = JSON_TYPE in self.headers.get("Accept", "")
            body, content_type = self._content(as_json)
            if body is None:
                self._send(404, b"not found\n", "text/plain", send_body)
                return
            self._send(200, body, content_type, send_body)

        def _content(self, as_json: bool) -> tuple[bytes | None, str]:
            route = _route(self.path)
            page_type = JSON_TYPE if as_json else "text/html"
            if route is None:
                return None, ""
            kind, name, project = route
            if kind == "list":
                return index.project_list(name, as_json), page_type
            if kind == "flat":
                return index.find_links_page(project or ""), "text/html"
            if kind == "page" and project is not None:
                return index.project_page(name, project, as_json), page_type
            built = index.built(name, project or "")
            if built is None:
                return None, ""
            if kind == "metadata":
                return built.metadata, "text/plain"
            return built.wheel, "application/octet-stream"

        def _send(self, status: int, body: bytes, content_type: str, send_body: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def all_wheels(index: FakeIndex) -> Iterator[tuple[str, WheelSpec]]:
    """(index name, wheel) for every wheel served."""
    for name, projects in index.catalog.indexes.items():
        for files in projects.values():
            for spec in files.values():
                yield name, spec


def serve(data: str | None = None) -> None:
    """Run the index in the foreground (``python tests/fake_index.py [DATA_FILE]``), for benchmarks and poking."""
    with FakeIndex(data) as index:
        print(f"serving {index.url}  (backends: {index.whl_url}/<backend>/, PyPI: {index.pypi_url}/)", flush=True)
        threading.Event().wait()


# --- the rest of the torch family (torchao, fbgemm-gpu, xformers; PyG) and the packages doctor looks at -------

#: Fake PyPI packages for ``hatch-torch doctor``: CUDA 12 (-cu12) and CUDA 13 (unsuffixed) runtimes, onnxruntime
PURE_DOCTOR: dict[str, list[tuple[str, str, list[str]]]] = {
    "nvidia-cublas-cu12": [("12.8.4.1", ">=3", [])],
    "nvidia-cuda-runtime-cu12": [("12.8.90", ">=3", [])],
    "nvidia-cublas": [("13.1.0.3", ">=3", [])],
    "nvidia-cuda-runtime": [("13.0.96", ">=3", [])],
    "onnxruntime": [("1.23.2", ">=3.10", [])],
    "onnxruntime-gpu": [("1.23.2", ">=3.10", [])],
}
#: PyG wheel versions for the pages whose torch the family data lists no release of the package for
PYG_VERSIONS = {
    "pyg-lib": "0.6.0",
    "torch-scatter": "2.1.2",
    "torch-sparse": "0.6.18",
    "torch-cluster": "1.6.3",
    "torch-spline-conv": "1.2.2",
}
PYG_PLATFORMS = ("linux_x86_64", "win_amd64")  # PyG's wheels use the plain linux_x86_64 tag


def add_family(catalog: Catalog, raw: dict[str, Any]) -> None:
    """Serve the family data's table members on the backend indexes and PyG's wheels, from the family data."""
    from hatch_torch.data.family import load

    family = load()
    for torch, release in raw["releases"].items():
        pythons = [p for p in release["python"] if not p.endswith("t")]
        for backend, packages in release["backends"].items():
            kind = raw["backends"].get(backend, {}).get("kind", "")
            for member in family.members.values():
                if member.where != "pytorch" or member.versions != "table" or kind not in member.kinds:
                    continue
                for found in member.releases:
                    if not found.torch.contains(Version(torch)):
                        continue
                    requires = (f"torch{found.torch}",) if member.name == "xformers" else ()
                    for platform, label in packages.get("torch", {}).items():
                        version = found.version + (f"+{label}" if label else "")
                        for python in pythons:
                            py, abi = _python_tags(python, platform)
                            spec = WheelSpec(member.name, version, py, abi, PLATFORM_TAGS[platform], None, requires)
                            catalog.add(backend, spec)
            page_torch = Version(torch)
            if not family.pyg_torch.contains(page_torch) or kind not in ("cpu", "cuda"):
                continue
            label = f"pt{page_torch.major}{page_torch.minor}{backend}"
            for name, fallback in PYG_VERSIONS.items():
                pyg = family.member(name)
                listed = pyg.release_for(page_torch) if pyg else None
                version = listed.version if listed else fallback
                for platform in PYG_PLATFORMS:
                    if platform not in packages.get("torch", {}):
                        continue
                    tag = "linux_x86_64" if platform == "linux_x86_64" else PLATFORM_TAGS[platform]
                    for python in pythons:
                        py, abi = _python_tags(python, platform)
                        catalog.add(PYG, WheelSpec(name, f"{version}+{label}", py, abi, tag))
    for name, releases in PURE_DOCTOR.items():
        for version, requires_python, requires in releases:
            catalog.add(PYPI, WheelSpec(name, version, "py3", "none", "any", requires_python, tuple(requires)))


def pyg_files(catalog: Catalog, page: str) -> list[WheelSpec]:
    """The wheels of PyG's page ``torch-2.8.0+cu128`` (labelled ``+pt28cu128``)."""
    torch, _, backend = page.removeprefix("torch-").partition("+")
    try:
        release = Version(torch)
    except ValueError:
        return []
    if release.micro != 0:
        return []  # PyG has one page per torch minor release, named X.Y.0
    label = f"+pt{release.major}{release.minor}{backend}"
    files = [spec for project in catalog.indexes.get(PYG, {}).values() for spec in project.values()]
    return sorted((s for s in files if s.version.endswith(label)), key=lambda s: s.filename)


if __name__ == "__main__":
    import sys

    serve(sys.argv[1] if len(sys.argv) > 1 else None)
