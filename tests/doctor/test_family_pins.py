"""The family beyond torchvision, end to end: a project built with real ``uv build`` pins xformers, fbgemm-gpu and
torch-scatter for the backend, real uv installs the wheel from the local index and PyG page, and doctor finds
nothing wrong in the result."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import uv
from buildkit import TEST_PROJECTS, Artifacts, build_env, read_metadata, requires_dist, run
from fake_index import FakeIndex
from machines import Machine

from hatch_torch.detection.core import clear_cache
from hatch_torch.doctor.report import diagnose

pytestmark = pytest.mark.integration
UV = uv.find_uv_bin()
LINUX_X86 = 'sys_platform == "linux" and platform_machine == "x86_64"'


def test_a_wheel_built_for_cu128_pins_the_family_and_installs_clean(
    build_project: Callable[..., Artifacts], torch_index: FakeIndex, tmp_path: Path, machine: Machine
) -> None:
    wheel = build_project(TEST_PROJECTS / "family", tmp_path / "build", "cu128").wheel
    lines = requires_dist(read_metadata(wheel))
    pinned = {line.split(";")[0] for line in lines}
    assert {"torch==2.10.0+cu128", "xformers==0.0.35+cu128", "torch-scatter==2.1.2+pt210cu128"} <= pinned
    assert "fbgemm-gpu==1.5.0+cu128" in pinned  # the recsys extra, same label
    scatter = next(line for line in lines if line.startswith("torch-scatter==2.1.2+pt210cu128"))
    assert "aarch64" not in scatter  # PyG's pages have no Linux aarch64 wheels: unpinned there
    assert any(line.startswith("torch-scatter;") for line in lines)

    run([UV, "venv", "--no-config", "--python", sys.executable, str(tmp_path / "env")], build_env())
    python = tmp_path / "env" / "bin" / "python"
    page = torch_index.pyg_url.format(torch="2.10.0", backend="cu128")
    command = [UV, "pip", "install", "--no-config", "--no-cache", "--python", str(python)]
    command += ["--index-url", torch_index.pypi_url, "--extra-index-url", torch_index.backend_url("cu128")]
    run([*command, "--find-links", page, f"famlib[recsys] @ {wheel.as_uri()}"], build_env())
    clear_cache()
    report = diagnose(str(python), root=machine.root, environ=machine.env)
    assert report.findings == [], report.text()
    assert {"torch", "xformers", "fbgemm-gpu", "torch-scatter", "triton"} <= set(report.env.dists)
    assert str(report.env.get("torch-scatter").version) == "2.1.2+pt210cu128"  # type: ignore[union-attr]


def test_pyg_without_a_build_for_the_torch_is_left_unpinned_and_said(
    build_project: Callable[..., Artifacts], tmp_path: Path
) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    text = (TEST_PROJECTS / "family" / "pyproject.toml").read_text(encoding="utf-8")
    (project / "pyproject.toml").write_text(text.replace('"torch>=2.9,<2.11"', '"torch>=2.13"'), encoding="utf-8")
    (project / "famlib").mkdir()
    (project / "famlib" / "__init__.py").write_text("", encoding="utf-8")
    artifacts = build_project(project, tmp_path / "build", "cu130")
    lines = requires_dist(read_metadata(artifacts.wheel))
    assert any(line.startswith("torch==2.13.0+cu130") for line in lines)
    scatter = [line for line in lines if line.startswith("torch-scatter")]
    assert scatter
    assert all("+pt" not in line for line in scatter), scatter


def test_pins_says_what_it_leaves_unpinned() -> None:
    import subprocess

    command = [sys.executable, "-m", "hatch_torch", "pins", "--backend", "cu130", "torch>=2.13", "torch-scatter"]
    done = subprocess.run(command, env=build_env(), capture_output=True, text=True, check=True)
    assert "torch-scatter" in done.stdout
    assert "+pt" not in done.stdout
    assert "'torch-scatter' is left unpinned for " in done.stderr
    assert "torch 2.13.0+cu130 on linux_x86_64" in done.stderr


def test_sources_writes_the_pyg_page_and_the_members_index_pages(tmp_path: Path) -> None:
    import subprocess

    project = tmp_path / "proj"
    project.mkdir()
    text = (TEST_PROJECTS / "family" / "pyproject.toml").read_text(encoding="utf-8")
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    command = [sys.executable, "-m", "hatch_torch", "sources", "--backend", "cu128", "--project", str(project)]
    subprocess.run(command, env=build_env(), capture_output=True, text=True, check=True)
    written = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert '"https://download.pytorch.org/whl/cu128/xformers/"' in written
    assert '"https://download.pytorch.org/whl/cu128/fbgemm-gpu/"' in written
    assert '"https://data.pyg.org/whl/torch-2.10.0+cu128.html"' in written
    assert '"https://data.pyg.org/whl/torch-2.9.0+cu128.html"' in written
    assert "/torch-scatter/" not in written  # PyG is not on the PyTorch index


def test_a_member_a_plugin_adds_is_pinned_and_steers_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    from family_plugin import plugged

    from hatch_torch.data import family as _family
    from hatch_torch.data import members as _members
    from hatch_torch.data.model import ReleaseData, load
    from hatch_torch.pins.resolve import resolve

    with_plugin = _family.with_plugins(_family.load(), plugged())
    monkeypatch.setattr(_family, "load", lambda: with_plugin)
    monkeypatch.setattr(_members, "_plugged", lambda: True)  # what the scan says with the plugin installed
    data = ReleaseData(load().raw)  # a fresh data object: nothing cached from other tests
    lines = resolve({"dependencies": ["torch", "torchcodec<0.9"]}, "cu128", data=data).groups["dependencies"]
    pins = [line.split(";")[0] for line in lines]
    assert "torch==2.9.1+cu128" in pins
    assert "torchcodec==0.8.0+cu128" in pins


def test_an_installed_family_plugin_is_found_by_the_scan_and_pinned(tmp_path: Path) -> None:
    """No monkeypatching: a distribution on the path declares the ``hatch_torch`` entry point, so the build's
    scan finds it and the member names come from the family with the plugin's members, not the compiled tables."""
    site = tmp_path / "site"
    info = site / "codec_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: codec-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[hatch_torch]\ncodec = codec_plugin\n")
    (site / "codec_plugin.py").write_text(
        "from hatch_torch.plugin import hookimpl\n\n"
        "@hookimpl\ndef hatch_torch_family():\n"
        '    return {"torchcodec": {"where": "pytorch", "label": "backend", "kinds": ["cpu", "cuda"],\n'
        '        "releases": [{"version": "0.8.0", "torch": "==2.9.*"}, {"version": "0.9.0", "torch": "==2.10.*"}]}}\n'
    )
    command = [sys.executable, "-m", "hatch_torch", "pins", "--backend", "cu128", "torch", "torchcodec<0.9"]
    plain = run(command, env=build_env())
    assert "torchcodec==" not in plain  # without the plugin it is an ordinary requirement
    out = run(command, env=build_env(PYTHONPATH=str(site)))
    assert "torchcodec==0.8.0+cu128" in out
    assert "torch==2.9.1+cu128" in out
