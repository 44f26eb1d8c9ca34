"""Every pin the resolver writes, evaluated per machine: platforms x CPython 3.9-3.14 x macOS 13/14.

On each machine where the author's requirement applies, exactly one line per package applies; a pinned
release has a wheel there (labelled: the release data; bare: PyPI's facts); torch and its companions agree
(the companion declares the pinned torch, and comes from the same index); and where a requirement is left as
written, PyPI has nothing that would have served (for the ``pypi`` backend: the pick is PyPI's newest).
"""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
from oracle import Machine, applying, declared_torch, machines, newest_on_pypi, pin_of, pypi_wheel
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from hatch_torch import resolve
from hatch_torch.data.model import ReleaseData, load

CASES = {
    "plain": {"d": ["torch>=2.1"]},
    "vision": {"d": ["numpy", "torch>=2.1", "torchvision"]},
    "vision-range": {"d": ["torch>=2.1", "torchvision<0.25"]},
    "marker-scoped": {"d": ["torch>=2.2,<2.9; python_version < '3.12'", "torch>=2.4; python_version >= '3.12'"]},
    "audio-extra": {"d": ["torch>=2.1", "torchvision"], "optional-dependencies.audio": ["torchaudio"]},
    "companion-only": {"d": ["torchvision>=0.20"]},
    "platform-marker": {"d": ["torch>=2.4; sys_platform != 'win32'", "torch>=2.6; sys_platform == 'win32'"]},
}
BACKENDS = ["pypi", "cpu", "cu118", "cu126", "cu130", "rocm6.4", "xpu"]
REQUIRES = [">=3.9", ">=3.10", None]


def _extra(group: str) -> str:
    return group.split(".", 1)[1] if "." in group else ""


def _labelled_wheel(package: str, version: str, label: str, m: Machine, indexes: list[str]) -> bool:
    """True if the data says one of the indexes serves ``package==version+label`` on the machine's platform."""
    data = load()
    for torch in data.versions:
        release = data.releases[str(torch)]
        mine = str(torch) if package == "torch" else release["versions"].get(package)
        if mine != version:
            continue
        for index in indexes:
            if release["backends"].get(index, {}).get(package, {}).get(m.platform) == label:
                wheels = release.get("wheels", {}).get(m.platform)
                pythons = wheels["python"] if wheels else release["python"]
                if package != "torch" or m.python in pythons:
                    return True
    return False


def check(groups: dict[str, list[str]], backend: str, requires: str | None, lines: dict[str, list[str]]) -> int:
    """Assert the properties above for every machine; returns how many pins were checked."""
    indexes = [backend] if backend == "pypi" else [backend, "pypi"]
    checked = 0
    python_spec = SpecifierSet(requires or "")
    for m in machines():
        if not python_spec.contains(f"{m.python}.2"):
            continue
        torch_pin: str | None = None
        chosen: dict[str, tuple[str, str]] = {}
        for group, texts in groups.items():
            wanted = applying(texts, m, _extra(group))
            got = applying(lines[group], m, _extra(group))
            for name in ("torch", "torchvision", "torchaudio"):
                if name not in wanted:
                    assert name not in got, f"{name} written where the author asks for none: {m}"
                    continue
                assert len(got.get(name, [])) == 1, f"{m}: {name} lines {got.get(name)} in {lines[group]}"
                (req,) = got[name]
                pin = pin_of(req)
                if pin is None:  # kept as written: the author's requirement, unchanged
                    assert str(req.specifier) in {str(r.specifier) for r in wanted[name]}
                    if backend == "pypi" and name == "torch":
                        spec = SpecifierSet()
                        for r in wanted[name]:
                            spec &= r.specifier
                        assert newest_on_pypi(spec, m) is None or name != "torch" or len(wanted) > 1, (m, req)
                    continue
                version, label = pin
                assert all(r.specifier.contains(version) for r in wanted[name]), (m, req, wanted[name])
                if label:
                    assert _labelled_wheel(name, version, label, m, indexes), f"no {name}=={version}+{label} for {m}"
                else:
                    assert pypi_wheel(name, version, m), f"PyPI has no {name}=={version} wheel for {m}"
                assert chosen.setdefault(name, pin) == pin, f"{m}: groups disagree on {name}"
                if name == "torch":
                    torch_pin = version
                checked += 1
        if torch_pin:
            for name, (version, label) in chosen.items():
                if name != "torch" and not label:
                    assert declared_torch(name, version).contains(torch_pin), (m, name, version, torch_pin)
    return checked


@pytest.mark.parametrize("requires", REQUIRES, ids=str)
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", list(CASES))
def test_every_pin_installs_where_it_applies(case: str, backend: str, requires: str | None) -> None:
    groups = CASES[case]
    result = resolve(groups, backend, requires_python=requires)
    assert check(groups, backend, requires, result.groups) > 0
    for lines in result.groups.values():
        assert lines == [str(Requirement(line)) for line in lines]  # written the way packaging normalises them


def test_pypi_pins_are_pypis_newest_per_machine() -> None:
    lines = resolve({"d": ["torch>=2.1"]}, "pypi", requires_python=">=3.9").groups["d"]
    for m in machines():
        want = newest_on_pypi(SpecifierSet(">=2.1"), m)
        (req,) = applying(lines, m)["torch"]
        assert (pin_of(req) or (None,))[0] == want, (m, req)


@pytest.mark.parametrize(
    ("platform", "python", "macos", "want"),
    [
        ("macos_x86_64", "3.12", 13, "2.2.2"),  # nothing after 2.2.2 for Intel Macs
        ("linux_x86_64", "3.9", None, "2.8.0"),  # the newest torch for CPython 3.9
        ("macos_arm64", "3.12", 13, "2.11.0"),  # 2.12.0 and later need macOS 14
        ("macos_arm64", "3.12", 14, "2.15.0"),
        ("macos_arm64", "3.14", 13, "2.11.0"),  # 2.11.0 is macOS 11+ again; 2.12.0 and later need 14
        ("linux_x86_64", "3.10", None, "2.14.1"),  # 2.15.0 dropped 3.10
    ],
)
def test_issue_cases_on_pypi(platform: str, python: str, macos: int | None, want: str) -> None:
    lines = resolve({"d": ["torch>=2.1"]}, "pypi", requires_python=">=3.9").groups["d"]
    m = next(x for x in machines([python]) if x.platform == platform and x.macos == macos)
    (req,) = applying(lines, m)["torch"]
    assert pin_of(req) == (want, "")


def test_python_314_never_gets_a_release_older_than_290() -> None:
    lines = resolve({"d": ["torch>=2.1,<2.9"]}, "cpu", requires_python=">=3.9").groups["d"]
    for m in machines(["3.14"]):
        (req,) = applying(lines, m)["torch"]
        assert pin_of(req) is None
        assert str(req.specifier) == "<2.9,>=2.1"


def test_macos_13_with_cpython_314_and_torch_210() -> None:
    lines = resolve({"d": ["torch>=2.9,<2.11"]}, "pypi", requires_python=">=3.10").groups["d"]
    (m13,) = [m for m in machines(["3.14"]) if m.platform == "macos_arm64" and m.macos == 13]
    (m14,) = [m for m in machines(["3.14"]) if m.platform == "macos_arm64" and m.macos == 14]
    assert pin_of(applying(lines, m13)["torch"][0]) == ("2.9.1", "")  # 2.10.0's cp314 wheels need macOS 14
    assert pin_of(applying(lines, m14)["torch"][0]) == ("2.10.0", "")


def test_companion_specifier_steers_torch() -> None:
    lines = resolve({"d": ["torch>=2.1", "torchvision<0.25"]}, "cu130", requires_python=">=3.10").groups["d"]
    m = machines(["3.12"])[0]
    got = applying(lines, m)
    assert [str(r.specifier) for r in got["torch"] + got["torchvision"]] == ["==2.9.1+cu130", "==0.24.1+cu130"]


def test_audio_extra_no_longer_caps_torch() -> None:
    groups = {"d": ["torch>=2.1"], "optional-dependencies.audio": ["torchaudio"]}
    result = resolve(groups, "pypi", requires_python=">=3.11")
    m = machines(["3.12"])[0]
    assert [str(r.specifier) for r in applying(result.groups["d"], m)["torch"]] == ["==2.15.0"]
    audio = applying(result.groups["optional-dependencies.audio"], m, "audio")["torchaudio"]
    assert [str(r.specifier) for r in audio] == ["==2.11.1"]
    cu130 = resolve(groups, "cu130", requires_python=">=3.11")
    assert cu130.torch == Version("2.13.0")  # torchaudio 2.11.0+cu130 goes with torch>=2.11 (see the data note)


def test_shortest_markers_no_branch_that_cannot_hold() -> None:
    lines = resolve({"d": ["torch>=2.6,<2.11"]}, "cu130", requires_python=">=3.10,<3.14").groups["d"]
    assert lines[0] == (
        'torch==2.10.0+cu130; (sys_platform == "linux" and (platform_machine == "x86_64" or platform_machine == '
        '"aarch64")) or (sys_platform == "win32" and platform_machine == "AMD64")'
    )
    assert all("python_version" not in line for line in lines)  # the picks do not differ by Python
    assert all("platform_release" not in line for line in lines)  # nor by macOS version


def test_requirement_with_an_unmodelled_marker_is_kept_as_written() -> None:
    text = 'torch>=2.4; platform_version == "x"'
    assert resolve({"d": [text]}, "cu130").groups["d"] == [text]


def test_windows_arm64_and_unknown_platforms_keep_the_requirement() -> None:
    lines = resolve({"d": ["torch>=2.6"]}, "cpu", requires_python=">=3.10").groups["d"]
    for m in machines(["3.12"]):
        if m.platform in ("win_arm64", "linux_ppc64le"):
            (req,) = applying(lines, m)["torch"]
            assert str(req) == str(Requirement("torch>=2.6")) or str(req.specifier) == ">=2.6"


def test_a_new_family_member_is_data_only() -> None:
    """A companion added to the data's ``companions`` table (here a made-up pure-Python one whose one bare
    wheel serves every index's torch) is pinned with no code change."""
    raw = copy.deepcopy(load().raw)
    wheels = {p: {"python": ["3.11", "3.12", "3.13"]} for p in ("linux_x86_64", "win_amd64")}
    raw["companions"]["torchfoo"] = {
        "0.3.0": {"torch": ">=2.12", "wheels": wheels, "unlabelled": True, "source": ["PYPI"]},
        "0.2.0": {"torch": ">=2.9,<2.12", "wheels": wheels, "unlabelled": True, "source": ["PYPI"]},
    }
    data = ReleaseData(raw)
    lines = resolve({"d": ["torch>=2.9", "torchfoo"]}, "cu130", requires_python=">=3.11", data=data).groups["d"]
    linux = machines(["3.12"])[0]
    got = applying(lines, linux)
    assert [str(r.specifier) for r in got["torch"] + got["torchfoo"]] == ["==2.13.0+cu130", "==0.3.0"]
    lines = resolve({"d": ["torch<2.12", "torchfoo"]}, "cu130", requires_python=">=3.11", data=data).groups["d"]
    assert [str(r.specifier) for r in applying(lines, linux)["torchfoo"]] == ["==0.2.0"]
    mac = next(m for m in machines(["3.12"]) if m.platform == "macos_arm64")
    assert [str(r.specifier) for r in applying(lines, mac)["torchfoo"]] == [""]  # no wheel there: as written


def test_cli_pins_for_pypi_with_requires_python() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "hatch_torch", "pins", "--backend", "pypi", "--requires-python", ">=3.9", "torch>=2.1"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out == resolve({"d": ["torch>=2.1"]}, "pypi", requires_python=">=3.9").groups["d"]
    assert not any("+" in line.split(";")[0] for line in out)  # bare versions only
    for m in machines():
        (req,) = applying(out, m)["torch"]
        if pin_of(req):
            assert pypi_wheel("torch", pin_of(req)[0], m)  # type: ignore[index]
