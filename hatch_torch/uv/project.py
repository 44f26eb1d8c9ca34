"""The pyproject.toml that ``hatch-torch sources`` writes: read, plan, edit, render (nothing is written here)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError, TOMLKitError

from hatch_torch.data.model import ReleaseData, load
from hatch_torch.util import atomic as _atomic
from hatch_torch.util.errors import ConfigurationError, HatchTorchError
from hatch_torch.util.shapes import problems as shape_problems
from hatch_torch.uv.editor import Editor
from hatch_torch.uv.layout import plan
from hatch_torch.uv.scan import HOOK_TABLE, SHAPES, lookup
from hatch_torch.uv.settings import Settings
from hatch_torch.uv.settings import load as load_settings
from hatch_torch.uv.tomledit import plain, table, value

SETTINGS = ("tool", "hatch-torch")


@dataclass
class Flags:
    backends: list[str] | None = None
    index_url: str | None = None
    fallback: str | None = None
    allow_insecure: bool | None = None
    force: bool = False


@dataclass
class Outcome:
    path: Path
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                fromfile=f"a/{self.path.name}",
                tofile=f"b/{self.path.name}",
            )
        )


def parse(text: str, path: Path) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(text)
    except ParseError as exc:
        reason = str(exc).split(" at line ")[0]
        raise HatchTorchError(
            f"{path}:{exc.line}:{exc.col}: invalid TOML ({reason}); nothing was written. "
            f"Fix: correct the syntax at line {exc.line}, column {exc.col}."
        ) from None
    except TOMLKitError as exc:  # e.g. a key defined twice, which tomlkit reports without a position
        raise HatchTorchError(
            f"{path}: invalid TOML ({exc}); nothing was written. Fix: correct the file so it parses."
        ) from None


def render(path: Path, flags: Flags, data: ReleaseData | None = None) -> Outcome:
    """The file's text before and after the run; writes nothing."""
    data = data or load()
    before = _atomic.read_text(path)
    doc = parse(before, path)
    raw: dict[str, Any] = doc.unwrap()
    wrong = shape_problems(raw, SHAPES)
    if wrong:
        raise ConfigurationError([f"{path}: {p}" for p in wrong])
    own = (raw.get("tool") or {}).get("hatch-torch") or {}
    settings = load_settings(
        own,
        data,
        backends=flags.backends,
        index_url=flags.index_url,
        fallback=flags.fallback,
        allow_insecure=flags.allow_insecure,
    )
    hook = lookup(raw, HOOK_TABLE)
    settings.hook_fallback = hook.get("fallback") if isinstance(hook, dict) else None
    written = own.get("written", [])
    written = [w for w in written if isinstance(w, str)] if isinstance(written, list) else []
    record = Editor(doc, written, flags.force).apply(plan(raw, settings, data, written))
    _store_settings(doc, settings, flags, record)
    after = keep_line_endings(before, tomlkit.dumps(doc))
    parse(after, path)  # never write what does not read back
    return Outcome(path, before, after)


def keep_line_endings(before: str, after: str) -> str:
    """``after`` with every line it shares with ``before`` ending as it did there (mixed endings stay mixed),
    and new lines ending like most of the file's lines."""
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    crlf = sum(line.endswith("\r\n") for line in old)
    usual = "\r\n" if crlf > len(old) - crlf else "\n"
    bare = [line.rstrip("\r\n") for line in old]
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, bare, [line.rstrip("\r\n") for line in new], autojunk=False)
    for op, i1, _i2, j1, j2 in matcher.get_opcodes():
        for k, line in enumerate(new[j1:j2]):
            was = old[i1 + k] if op == "equal" else ""
            if not line.endswith("\n"):
                out.append(line)
            elif was.endswith("\n"):
                out.append(was)
            else:
                out.append(line.rstrip("\r\n") + usual)
    return "".join(out)


def _store_settings(doc: tomlkit.TOMLDocument, settings: Settings, flags: Flags, record: list[str]) -> None:
    """Keep the flags given in [tool.hatch-torch] so a bare rerun (and --check in CI) does the same."""
    given = settings.to_table()
    updates: dict[str, Any] = {}
    if flags.backends:
        updates["backends"] = given["backends"]
    if flags.index_url is not None:
        updates["index-url"] = flags.index_url
    if flags.fallback is not None:
        updates["fallback"] = flags.fallback
    if flags.allow_insecure:
        updates["allow-insecure-index"] = True
    updates["written"] = record
    own = table(doc, SETTINGS, create=True)
    assert own is not None
    for key, new in updates.items():
        if plain(own.get(key)) != new:
            own[key] = value(new, multiline=key == "written")
