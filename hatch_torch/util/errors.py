"""Errors raised by hatch-torch; every message names the setting, the bad value and the fix."""

from __future__ import annotations


class HatchTorchError(Exception):
    """Base class for every error hatch-torch reports to a user."""


class ConfigurationError(HatchTorchError):
    """One or more problems with settings, reported together."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        if len(problems) == 1:
            super().__init__(problems[0])
        else:
            super().__init__(f"{len(problems)} problems:\n" + "\n".join(f"- {p}" for p in problems))
