"""The hook run through hatchling's own metadata machinery (which also checks project.dynamic)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hatchling.metadata.core import ProjectMetadata
from hatchling.plugin.manager import PluginManager

from hatch_torch import ConfigurationError


def core(tmp_path: Path, hook: dict[str, Any], project: dict[str, Any] | None = None) -> Any:
    project = project or {"name": "mylib", "version": "1.2.0", "dynamic": ["dependencies", "optional-dependencies"]}
    config = {"project": project, "tool": {"hatch": {"metadata": {"hooks": {"torch": hook}}}}}
    return ProjectMetadata(str(tmp_path), PluginManager(), config).core


@pytest.fixture(autouse=True)
def _no_backend_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TORCH_BACKEND", raising=False)
    monkeypatch.delenv("UV_TORCH_BACKEND", raising=False)


HOOK = {
    "dependencies": ["numpy>=1.26", "torch>=2.6,<2.11", "torchvision"],
    "optional-dependencies": {"audio": ["torchaudio"]},
}


def test_env_backend_pins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCH_BACKEND", " CU130 ")
    metadata = core(tmp_path, HOOK)
    assert "numpy>=1.26" in metadata.dependencies
    assert any(d.startswith("torch==2.10.0+cu130;") for d in metadata.dependencies)
    assert any(d.startswith("torchaudio==2.10.0+cu130;") for d in metadata.optional_dependencies["audio"])


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hook = {**HOOK, "backend": "cu126"}
    assert any("+cu126" in d for d in core(tmp_path, hook).dependencies)
    monkeypatch.setenv("UV_TORCH_BACKEND", "cu128")
    assert any("+cu128" in d for d in core(tmp_path, hook).dependencies)
    monkeypatch.setenv("TORCH_BACKEND", "cpu")
    assert any("+cpu" in d for d in core(tmp_path, hook).dependencies)


def test_auto_without_gpu_is_cpu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCH_BACKEND", "auto")
    deps = core(tmp_path, HOOK).dependencies
    assert any(d.startswith("torch==2.10.0+cpu;") for d in deps), deps


def test_unknown_backend_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCH_BACKEND", "cu999")
    with pytest.raises(ConfigurationError, match=r"TORCH_BACKEND='cu999' is not a known backend.*cu130"):
        core(tmp_path, HOOK)


def test_all_setting_problems_at_once(tmp_path: Path) -> None:
    hook = {"dependencies": "torch", "backend": "cuda", "fallbak": "cpu", "optional-dependencies": {"a": [1]}}
    with pytest.raises(ConfigurationError) as info:
        core(tmp_path, hook)
    message = str(info.value)
    assert len(info.value.problems) == 4
    for needle in [
        "tool.hatch.metadata.hooks.torch.fallbak is not a setting",
        "did you mean tool.hatch.metadata.hooks.torch.fallback",
        "tool.hatch.metadata.hooks.torch.dependencies must be an array",
        "tool.hatch.metadata.hooks.torch.backend='cuda' is not a known backend",
        "tool.hatch.metadata.hooks.torch.optional-dependencies must be a table",
    ]:
        assert needle in message


def test_dependencies_must_be_dynamic(tmp_path: Path) -> None:
    project = {"name": "mylib", "version": "1.2.0", "dynamic": ["optional-dependencies"]}
    with pytest.raises(ConfigurationError, match=r"project.dynamic does not list 'dependencies'.*Fix: add"):
        core(tmp_path, HOOK, project)


def test_fallback_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCH_BACKEND", "rocm7.2")
    deps = core(tmp_path, {"dependencies": ["torch==2.11.0"], "fallback": "cpu"}, None).dependencies
    assert any("+cpu" in d for d in deps)
    assert any("+rocm7.2" in d for d in deps)
    with pytest.raises(ConfigurationError, match="fallback='conda' is not supported"):
        core(tmp_path, {"dependencies": ["torch"], "fallback": "conda"})


def test_requirement_error_names_full_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCH_BACKEND", "cpu")
    with pytest.raises(ConfigurationError, match=r"tool\.hatch\.metadata\.hooks\.torch\.optional-dependencies\.x\[0\]"):
        core(
            tmp_path,
            {"optional-dependencies": {"x": ["torch >= >= 2"]}},
            {"name": "m", "version": "1", "dynamic": ["optional-dependencies"]},
        )


def test_every_stage_reports_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad setting, a missing project.dynamic entry, an unparsable requirement, a label clash and an
    unknown backend all come back in one error."""
    monkeypatch.setenv("TORCH_BACKEND", "cu999")
    project = {"name": "m", "version": "1", "dynamic": ["dependencies"], "requires-python": ">=3.10"}
    hook = {
        "dependencies": ["torch>=", "torchvision==0.25.0+cu128"],
        "optional-dependencies": {"a": ["torchaudio"]},
        "fallbak": "cpu",
    }
    with pytest.raises(ConfigurationError) as info:
        core(tmp_path, hook, project)
    message = str(info.value)
    for needle in [
        "fallbak is not a setting",
        "project.dynamic does not list 'optional-dependencies'",
        "dependencies[0]: 'torch>=' is not a valid PEP 508 requirement",
        "pins the local label +cu128",
        "TORCH_BACKEND='cu999' is not a known backend",
    ]:
        assert needle in message
    assert len(info.value.problems) == 5


def test_resolution_problem_comes_with_setting_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCH_BACKEND", "cu130")
    with pytest.raises(ConfigurationError) as info:
        core(tmp_path, {"dependencies": ["torch<2.0"], "local-version": "yes"})
    assert len(info.value.problems) == 2
    assert "local-version must be true or false" in str(info.value)
    assert "no torch release on the cu130 index satisfies <2.0" in str(info.value)


def test_requires_python_bounds_the_pins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCH_BACKEND", "pypi")
    project = {"name": "m", "version": "1", "dynamic": ["dependencies"], "requires-python": ">=3.11"}
    deps = core(tmp_path, {"dependencies": ["torch>=2.1"]}, project).dependencies
    assert not any("3.9" in d or "3.10" in d for d in deps)  # no branch requires-python already rules out
    assert any(d.startswith("torch==2.15.0;") for d in deps)
    project["requires-python"] = "3.11"
    with pytest.raises(ConfigurationError, match=r"requires-python = '3\.11' is not a valid version specifier"):
        core(tmp_path, {"dependencies": ["torch>=2.1"]}, project)
