"""Put the checks together: ``diagnose()`` reads the environment and returns every finding."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hatch_torch.data.family import load as load_family
from hatch_torch.data.model import load as load_data
from hatch_torch.doctor.build import ERROR, WARNING, Finding, TorchBuild, torch_build
from hatch_torch.doctor.companions import conflict_findings, family_findings, nvidia_findings
from hatch_torch.doctor.environment import Environment, read
from hatch_torch.doctor.machine import machine_findings


@dataclass
class Report:
    env: Environment
    build: TorchBuild | None
    findings: list[Finding] = field(default_factory=list)
    backend: str | None = None  # what detection chose for the installed torch release
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity == ERROR for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        build = self.build
        return {
            "python": self.env.python,
            "platform": self.env.platform,
            "torch": None
            if build is None
            else {"version": str(build.version), "backend": build.backend, "kind": build.kind, "pypi": build.pypi},
            "detected_backend": self.backend,
            "ok": self.ok,
            "findings": [f.to_dict() for f in self.findings],
            "notes": self.notes,
        }

    def text(self) -> str:
        build = self.build
        lines = [f"python: {self.env.python} ({self.env.platform})"]
        lines.append(f"torch: {build.version} ({build.kind}, {build.backend})" if build else "torch: not installed")
        if self.backend is not None:
            lines.append(f"detection: {self.backend}")
        lines += [f"note: {n}" for n in self.notes]
        if not self.findings:
            lines.append("nothing found that does not fit")
        for f in self.findings:
            lines.append(f"{f.severity}: [{f.check}] {f.message}")
            lines.append(f"  fix: {f.fix}")
        return "\n".join(lines)


def diagnose(
    python: str, *, root: str | Path | None = None, environ: Mapping[str, str] | None = None, machine: bool = True
) -> Report:
    """Every finding for the environment of ``python``; ``root``/``environ`` present another machine to detection."""
    env = read(python)
    data, family = load_data(), load_family()
    build = torch_build(env, data)
    report = Report(env, build, notes=[f"family data: {p}" for p in family.problems])
    report.findings += conflict_findings(env, family)
    report.findings += nvidia_findings(env, family, build)
    if build is None:
        return report
    report.findings += family_findings(env, data, family, build)
    if machine:
        found, detection = machine_findings(env, data, family, build, root=root, environ=environ)
        report.findings += found
        report.backend = detection.backend if detection else None
    report.findings.sort(key=lambda f: (f.severity != ERROR, f.severity != WARNING, f.check))
    return report
