"""Malformed pyproject.toml shapes get exit 2 and a message naming the setting, the value and the fix; never a
traceback, and the file is left byte for byte."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from hypothesis import event, given, settings
from hypothesis import strategies as st
from sources_helpers import sources, write

BASE = '[project]\nname = "x"\nversion = "1"\n'
DEPS = BASE + 'dependencies = ["torch>=2.6"]\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tool = 1\n" + DEPS, "tool must be a table, got an integer (1). Fix: write tool settings as [tool.NAME]"),
        (DEPS + "[tool]\nuv = 1\n", "tool.uv must be a table, got an integer (1). Fix: "),
        (DEPS + "[tool.uv]\nsources = []\n", "tool.uv.sources must be a table, got an array ([]). Fix: "),
        (
            DEPS + '[tool.uv.index]\nname = "m"\nurl = "https://m.example"\n',
            "tool.uv.index must be an array of tables, got a table ({'name': 'm', 'url': 'https://m.example'}). "
            "Fix: write each index as [[tool.uv.index]]",
        ),
        (DEPS + 'optional-dependencies = ["torch"]\n', "project.optional-dependencies must be a table, got an array"),
        (BASE + 'dependencies = "torch"\n', "project.dependencies must be an array of strings, got a string ('torch')"),
        (DEPS + "[tool.hatch.metadata.hooks]\ntorch = 1\n", "tool.hatch.metadata.hooks.torch must be a table"),
        (DEPS + "[tool.hatch-torch]\nwritten = 1\n", "tool.hatch-torch.written must be an array of strings"),
        (DEPS + "[tool.uv]\nfind-links = 'x'\n", "tool.uv.find-links must be an array, got a string ('x')"),
        ("project = 1\n", "project must be a table, got an integer (1)"),
    ],
)
def test_each_bad_shape_is_named_with_its_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    before = path.read_bytes()
    assert sources(tmp_path, "--backend", "cu130") == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err
    assert path.read_bytes() == before


PATHS = [
    ("project",),
    ("project", "dependencies"),
    ("project", "dependencies", 0),
    ("project", "optional-dependencies"),
    ("project", "optional-dependencies", "gpu"),
    ("project", "dynamic"),
    ("dependency-groups",),
    ("dependency-groups", "dev"),
    ("tool",),
    ("tool", "uv"),
    ("tool", "uv", "sources"),
    ("tool", "uv", "sources", "torch"),
    ("tool", "uv", "index"),
    ("tool", "uv", "find-links"),
    ("tool", "uv", "conflicts"),
    ("tool", "uv", "cache-keys"),
    ("tool", "uv", "required-environments"),
    ("tool", "hatch"),
    ("tool", "hatch", "metadata", "hooks"),
    ("tool", "hatch", "metadata", "hooks", "torch"),
    ("tool", "hatch", "metadata", "hooks", "torch", "dependencies"),
    ("tool", "hatch", "metadata", "hooks", "torch", "optional-dependencies"),
    ("tool", "hatch-torch"),
    ("tool", "hatch-torch", "backends"),
    ("tool", "hatch-torch", "index-url"),
    ("tool", "hatch-torch", "fallback"),
    ("tool", "hatch-torch", "allow-insecure-index"),
    ("tool", "hatch-torch", "written"),
]
scalars = st.one_of(
    st.integers(-5, 5),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.sampled_from(["", "torch", "torch>=2.6", "cu130", "http://evil.example\\@localhost/{backend}", "[", "\u00e9"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "torch", "name", "url"]), inner, max_size=2)
    ),
    max_leaves=6,
)


def _put(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = doc
    for key in path[:-1]:
        if isinstance(key, int):
            if not isinstance(node, list) or not node:
                return
            node = node[0]
            continue
        if not isinstance(node, dict):
            return
        node = node.setdefault(key, {} if not isinstance(path[path.index(key) + 1], int) else ["torch"])
    last = path[-1]
    if isinstance(node, list) and isinstance(last, int) and node:
        node[0] = value
    elif isinstance(node, dict) and not isinstance(last, int):
        node[last] = value


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), values), min_size=1, max_size=3))
def test_no_malformed_shape_gives_a_traceback_or_touches_the_file(edits: list[tuple[tuple[Any, ...], Any]]) -> None:
    doc: dict[str, Any] = {"project": {"name": "x", "version": "1", "dependencies": ["torch>=2.6"]}}
    for path, value in edits:
        _put(doc, path, value)
    try:
        text = tomlkit.dumps(doc)
    except Exception:  # a value TOML cannot hold (mixed nesting tomlkit refuses): not a pyproject file
        event("not TOML")
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp), text)
        before = path.read_bytes()
        with pytest.MonkeyPatch.context() as mp:
            import io
            import sys

            err = io.StringIO()
            mp.setattr(sys, "stderr", err)
            mp.setattr(sys, "stdout", io.StringIO())
            code = sources(Path(tmp), "--backend", "cu130")  # any exception but SystemExit fails the test
        event(f"exit {code}")
        if code == 2:
            assert err.getvalue().startswith("hatch-torch: error: "), err.getvalue()
            assert path.read_bytes() == before
        else:
            assert code == 0, err.getvalue()
            tomlkit.parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("http://evil.example\\@localhost/{backend}", "contains a backslash"),
        ("http://%6cocalhost/{backend}", "percent-encoded host"),
        ("http:///evil.example/{backend}", "must start with http://HOST/"),
        ("http://2130706433/{backend}", "IPv4 address written in another form"),
        ("https://{backend}.mirror.example/whl", "puts {backend} before the path"),
        ("https://alice:s3cret@m.example:{backend}/", "bad port"),
    ],
)
def test_an_ambiguous_index_url_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], template: str, expected: str
) -> None:
    path = write(tmp_path, DEPS)
    assert sources(tmp_path, "--backend", "cu130", "--index-url", template) == 2
    err = capsys.readouterr().err
    assert "--index-url=" in err
    assert expected in err
    assert "s3cret" not in err
    assert path.read_text() == DEPS


def test_a_local_mirror_with_credentials_is_written_as_given(tmp_path: Path) -> None:
    write(tmp_path, DEPS)
    assert sources(tmp_path, "--backend", "cu130", "--index-url", "http://u:p@[::1]:8080/{backend}") == 0
    doc = tomlkit.parse((tmp_path / "pyproject.toml").read_text()).unwrap()
    assert doc["tool"]["uv"]["index"][0]["url"] == "http://u:p@[::1]:8080/cu130"
