"""Regular expressions compiled on first use: a detection that never reads a driver version (no GPU)
never compiles the patterns that parse one. Compiling a module's patterns at import costs every
process, fresh ones included, a fraction of a millisecond per pattern.
"""

from __future__ import annotations

import re
from typing import Any, cast


class _Lazy:
    def __init__(self, text: str, flags: int) -> None:
        self._args = (text, flags)

    def __getattr__(self, name: str) -> Any:
        compiled = re.compile(*self._args)
        # from now on the pattern's methods are plain attributes of this object
        for attr in ("fullmatch", "match", "search", "findall", "finditer", "sub", "split", "pattern", "flags"):
            setattr(self, attr, getattr(compiled, attr))
        return getattr(compiled, name)


def lazy(text: str, flags: int = 0) -> re.Pattern[str]:
    """A pattern that behaves as ``re.compile(text, flags)`` and compiles on its first use."""
    return cast("re.Pattern[str]", _Lazy(text, flags))
