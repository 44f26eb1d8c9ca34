"""Release data of the wrong shape below the top level: one message per misplaced value (where, what it must
be, what it is, the fix) from every command that reads it, never a traceback; the bundled data passes."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hatch_torch.data import check, compact, model
from hatch_torch.util.errors import ConfigurationError

BUNDLED: dict[str, Any] = json.loads(Path(model.BUNDLED).read_text())
FIX = "Fix: point HATCH_TORCH_DATA at a release data file"


def _edit(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """The bundled data with the value at ``path`` replaced (``...`` as value: deleted)."""
    data = copy.deepcopy(BUNDLED)
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


CASES = [
    (("releases", "2.10.0"), [1], 'releases."2.10.0" must be an object, got [1]'),
    (("releases", "2.10.0", "backends", "cu130"), "x", "releases.\"2.10.0\".backends.cu130 must be an object, got 'x'"),
    (("releases", "2.10.0", "backends", "cu130", "torch", "linux_x86_64"), 130, ".torch.linux_x86_64 must be a string"),
    (("releases", "2.10.0", "python"), 3, 'releases."2.10.0".python must be a list, got 3'),
    (("releases", "2.10.0", "python"), ["3.x"], "python[0] must be a CPython version like \"3.12\", got '3.x'"),
    (("releases", "2.10.0", "versions"), ..., 'releases."2.10.0".versions must be present, got nothing'),
    (("releases", "2.10.0", "wheels", "linux_x86_64"), {"python": "3.10"}, ".linux_x86_64.python must be a list"),
    (("releases", "2.10.0", "wheels", "macos_arm64", "macos"), 14, ".macos must be a macOS version like"),
    (("releases", "two"), {}, "a key of releases must be a version string like \"2.9.1\", got 'two'"),
    (("backends", "cu130"), 5, "backends.cu130 must be an object, got 5"),
    (("backends", "cu130", "kind"), ..., "backends.cu130.kind must be present"),
    (("backends", "cu130", "driver", "linux"), 580, "backends.cu130.driver.linux must be a driver version like"),
    (("backends", "cu130", "toolkit_driver", "windows"), "r580", ".toolkit_driver.windows must be a driver version"),
    (("companions", "torchvision"), [], "companions.torchvision must be an object, got []"),
    (("companions", "torchaudio", "2.11.0", "torch"), ">=two", ".torch must be a version specifier string"),
    (("platforms",), [1, "linux_x86_64"], "platforms[0] must be a string, got 1"),
    (("cuda_arches", 0, "sm"), "8.0", "cuda_arches[0].sm must be a list"),
    (("triton", 0, "package"), None, "triton[0].package must be a string, got None"),
]


def test_the_bundled_data_has_the_shape_the_readers_expect() -> None:
    assert check.problems(BUNDLED, "bundled", "") == []
    assert check.problems(compact.read(model.BUNDLED), "compiled", "") == []


@pytest.mark.parametrize(("path", "value", "expected"), CASES, ids=[".".join(map(str, c[0])) for c in CASES])
def test_a_misplaced_value_is_named(tmp_path: Path, path: tuple[Any, ...], value: Any, expected: str) -> None:
    assert "2.11.0" in BUNDLED["companions"]["torchaudio"]  # the cases edit rows that exist
    data = tmp_path / "data.json"
    data.write_text(json.dumps(_edit(path, value)))
    with pytest.raises(ConfigurationError) as caught:
        model._load(str(data))
    assert any(expected in p for p in caught.value.problems), caught.value.problems


def test_every_command_reports_it_without_a_traceback(tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    bad = _edit(("releases", "2.10.0", "python"), 3)
    bad["companions"]["torchvision"] = []
    data.write_text(json.dumps(bad))
    env = dict(os.environ, HATCH_TORCH_DATA=str(data))
    for args in (["pins", "--backend", "cu130", "torch>=2.6"], ["backends"], ["detect"], ["matrix"]):
        command = [sys.executable, "-m", "hatch_torch", *args]
        proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert f'HATCH_TORCH_DATA={data}: releases."2.10.0".python must be a list, got 3. {FIX}' in proc.stderr
        assert "companions.torchvision must be an object, got []" in proc.stderr  # both, in one message


def test_many_problems_are_cut_short() -> None:
    bad = copy.deepcopy(BUNDLED)
    for entry in bad["releases"].values():
        entry["python"] = 3
    found = check.problems(bad, "data.json", "Fix: x.")
    assert len(found) == check.LIMIT + 1
    assert found[-1] == f"data.json: and {len(bad['releases']) - check.LIMIT} more values of the wrong shape. Fix: x."


def test_a_user_data_file_of_the_wrong_shape_falls_back_to_the_bundled_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(model.DATA_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    user = tmp_path / "hatch-torch" / model.USER_FILE
    user.parent.mkdir()
    user.write_text(json.dumps(_edit(("backends", "cu130"), 5)))
    path, why = model.chosen()
    assert path == model.BUNDLED
    assert f"the user data at {user} is unreadable" in why
    assert "backends.cu130 must be an object, got 5. Fix: run hatch-torch data update to write it again" in why
