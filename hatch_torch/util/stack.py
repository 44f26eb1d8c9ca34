"""Find hatchling's objects on the call stack: metadata hooks are not told which builder runs them."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def caller_self(test: Callable[[Any], bool]) -> Any:
    """The first ``self`` up the call stack that passes ``test``, or None."""
    frame = sys._getframe(1)
    while frame is not None:
        candidate = frame.f_locals.get("self")
        if candidate is not None and test(candidate):
            return candidate
        frame = frame.f_back  # type: ignore[assignment]
    return None
