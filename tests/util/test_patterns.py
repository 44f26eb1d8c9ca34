"""util.patterns: a lazily compiled pattern is the compiled pattern once used."""

from __future__ import annotations

import re

from hatch_torch.util.patterns import lazy


def test_compiles_on_first_use_and_behaves_as_compiled() -> None:
    pattern = lazy(r"[0-9]{1,4}\.[0-9]{1,4}", re.ASCII)
    assert "fullmatch" not in vars(pattern)  # nothing compiled yet
    assert pattern.fullmatch("580.65")
    assert "fullmatch" in vars(pattern)
    assert not pattern.fullmatch("\uff15\uff18\uff10.65")  # full-width digits: ASCII only, as the flag says
    assert pattern.search("driver 580.65 x").group(0) == "580.65"  # type: ignore[union-attr]
    assert lazy(r"[^a-z0-9]+").sub(" ", "rtx-4090") == "rtx 4090"
    assert lazy("gfx[0-9a-f]{3,4}", re.IGNORECASE).findall("GFX1100 gfx90a") == ["GFX1100", "gfx90a"]
    assert lazy("a", re.ASCII).pattern == "a"
