"""Plugin backends merged into the release data, and the choice among plugin kinds (in-process)."""

from __future__ import annotations

import pytest
from machines import Machine

from hatch_torch.data.merge import merged
from hatch_torch.data.model import load
from hatch_torch.plugin import BackendSpec, Device, ProbeContext
from hatch_torch.plugins import manager as _plugins
from hatch_torch.plugins.spec import hookimpl

LINUX = {"linux_x86_64": "npu"}


def test_merge_adds_backend_releases_and_index() -> None:
    base = load()
    data, problems = merged(base, [("p", BackendSpec("npu", "npu", "https://x.invalid/npu", {"2.6.0": LINUX}))])
    assert problems == []
    assert data.index_url("npu") == "https://x.invalid/npu"
    assert [str(v) for v in data.releases_for("npu")] == ["2.6.0"]
    assert data.labels(data.releases_for("npu")[0], "npu", "torch") == LINUX
    assert "npu" not in base.backends  # the bundled data is not changed


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (BackendSpec("cu130", "cuda", "https://x.invalid", {"2.6.0": LINUX}), "already exists"),
        (BackendSpec("npu", "npu", "https://x.invalid", {"2.6.0": {"solaris": "npu"}}), "unknown platforms"),
        (BackendSpec("npu", "npu", "https://x.invalid", {"two": LINUX}), "unknown platforms/versions"),
        # the index URL a plugin gives is held to the rules of the index-url setting
        (BackendSpec("npu", "npu", "http://evil.example\\@localhost/npu", {"2.6.0": LINUX}), "contains a backslash"),
        (BackendSpec("npu", "npu", "http://mirror.example/npu", {"2.6.0": LINUX}), "uses plain http to mirror.example"),
        # a plugin is third-party code: values of the wrong type are refused, not a traceback later
        (BackendSpec("npu", "npu", 5, {"2.6.0": LINUX}), "needs name, kind, index_url as strings"),  # type: ignore[arg-type]
        (BackendSpec("npu", "npu", "https://x.invalid", [1]), "needs releases as"),  # type: ignore[arg-type]
        (BackendSpec("npu", "npu", "https://x.invalid", {"2.6.0": {"linux_x86_64": 1}}), "needs releases as"),  # type: ignore[dict-item]
        (BackendSpec("npu", "npu", "https://x.invalid", {"2.6.0": LINUX}, "torch"), "needs packages as"),  # type: ignore[arg-type]
    ],
)
def test_merge_refuses_bad_backends(spec: BackendSpec, message: str) -> None:
    data, problems = merged(load(), [("p", spec)])
    assert len(problems) == 1
    assert message in problems[0]
    assert problems[0].startswith("plugin p: backend ")
    assert problems[0].endswith("; not added")
    assert spec.name not in data.backends or spec.name == "cu130"


class NPUPlugin:
    @hookimpl
    def hatch_torch_probe(self, context: ProbeContext) -> None:
        context.devices.append(Device("acme", "npu", "Acme NPU", "n1", source="acme"))

    @hookimpl
    def hatch_torch_backends(self) -> list[BackendSpec]:
        raise RuntimeError("index unreachable")


def test_a_plugin_backends_hook_that_raises_is_reported(machine: Machine, monkeypatch: pytest.MonkeyPatch) -> None:
    plugins = _plugins.manager.__wrapped__("")
    plugins.register(NPUPlugin(), name="acme")
    assert plugins.backends() == []
    monkeypatch.setattr(_plugins, "current", lambda environ=None: plugins)
    result = machine.detect()
    assert result.backend == "cpu"  # a device of kind npu, but no npu backend
    assert any("no npu backend" in r for r in result.reasons)
    assert any("index unreachable" in e for e in result.plugins["errors"])
    assert any("plugin acme" in r for r in result.reasons)
