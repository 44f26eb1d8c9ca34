from __future__ import annotations

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement

from hatch_torch import ConfigurationError, resolve
from hatch_torch.data.model import load
from hatch_torch.pins.platforms import PLATFORMS

ENVS = {
    key: {
        "sys_platform": os_name,
        "platform_machine": machine,
        "python_version": "3.12",
        "platform_release": "23.4.0" if os_name == "darwin" else "6.1.0",
        "extra": "",
    }
    for key, (os_name, machine) in PLATFORMS.items()
}
ENVS["linux_ppc64le"] = {**ENVS["linux_x86_64"], "platform_machine": "ppc64le"}


def pins_on(lines: list[str], platform: str, extra: str = "") -> dict[str, str]:
    """name -> the single specifier that applies on ``platform``; fails if two requirements apply."""
    env = {**ENVS[platform], "extra": extra}
    out: dict[str, str] = {}
    for line in lines:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(env):
            assert req.name not in out, f"two requirements for {req.name} apply on {platform}: {lines}"
            out[req.name] = str(req.specifier)
    return out


def test_issue_example_cu130() -> None:
    result = resolve(
        {
            "dependencies": ["numpy>=1.26", "torch>=2.6,<2.11", "torchvision"],
            "optional-dependencies.audio": ["torchaudio"],
        },
        "cu130",
    )
    assert str(result.torch) == "2.10.0"
    deps = result.groups["dependencies"]
    assert deps[0] == "numpy>=1.26"
    assert pins_on(deps, "linux_x86_64") == {
        "numpy": ">=1.26",
        "torch": "==2.10.0+cu130",
        "torchvision": "==0.25.0+cu130",
    }
    assert pins_on(deps, "win_amd64")["torch"] == "==2.10.0+cu130"
    assert pins_on(deps, "linux_aarch64")["torchvision"] == "==0.25.0+cu130"
    # cu130 publishes nothing for macOS: the plain PyPI build
    assert pins_on(deps, "macos_arm64") == {"numpy": ">=1.26", "torch": "==2.10.0", "torchvision": "==0.25.0"}
    assert pins_on(deps, "linux_ppc64le")["torch"] == "<2.11,>=2.6"  # no wheel known there: as written
    assert pins_on(result.groups["optional-dependencies.audio"], "linux_x86_64") == {"torchaudio": "==2.10.0+cu130"}


@pytest.mark.parametrize("platform", [*PLATFORMS, "linux_ppc64le"])
@pytest.mark.parametrize("backend", ["cpu", "cu118", "cu126", "cu128", "cu129", "cu130", "cu132", "rocm6.4", "xpu"])
def test_exactly_one_line_per_platform(backend: str, platform: str) -> None:
    result = resolve({"d": ["torch>=2.0", "torchvision"]}, backend)
    pins = pins_on(result.groups["d"], platform)
    assert set(pins) == {"torch", "torchvision"}
    if platform in ("win_arm64", "linux_ppc64le"):  # no torch wheel is known there
        assert pins == {"torch": ">=2.0", "torchvision": ""}


def test_cpu_labels_follow_the_platform_quirks() -> None:
    deps = resolve({"d": ["torch==2.5.1", "torchvision"]}, "cpu").groups["d"]
    assert pins_on(deps, "linux_x86_64") == {"torch": "==2.5.1+cpu", "torchvision": "==0.20.1+cpu"}
    assert pins_on(deps, "linux_aarch64") == {"torch": "==2.5.1", "torchvision": "==0.20.1"}  # unlabelled <= 2.5
    assert pins_on(deps, "macos_arm64") == {"torch": "==2.5.1", "torchvision": "==0.20.1"}
    deps = resolve({"d": ["torch==2.9.1", "torchvision"]}, "cpu").groups["d"]
    # torch aarch64 cpu wheels are labelled from 2.6, torchvision only from 0.25
    assert pins_on(deps, "linux_aarch64") == {"torch": "==2.9.1+cpu", "torchvision": "==0.24.1"}
    deps = resolve({"d": ["torch==2.10.0", "torchvision"]}, "cpu").groups["d"]
    assert pins_on(deps, "linux_aarch64") == {"torch": "==2.10.0+cpu", "torchvision": "==0.25.0+cpu"}


def test_markers_and_extras_preserved() -> None:
    deps = resolve(
        {"d": ['torch[opt-einsum]>=2.1,!=2.4.0; python_version >= "3.10"', "requests[socks]; os_name == 'nt'"]}, "cu121"
    ).groups["d"]
    assert deps[-1] == "requests[socks]; os_name == 'nt'"
    torch = [Requirement(line) for line in deps[:-1]]
    assert all(r.extras == {"opt-einsum"} for r in torch)
    assert pins_on(deps, "linux_x86_64")["torch"] == "==2.5.1+cu121"
    assert pins_on(deps, "macos_x86_64")["torch"] == "==2.2.2"  # cu121 has no Mac builds: PyPI's last one
    old = {**ENVS["linux_x86_64"], "python_version": "3.9"}
    assert not any(r.marker is not None and r.marker.evaluate(old) for r in torch)


def test_exclusion_is_respected() -> None:
    result = resolve({"d": ["torch>=2.4,<2.5,!=2.4.1"]}, "cu124")
    assert str(result.torch) == "2.4.0"


def test_newest_release_on_the_backend_wins() -> None:
    assert str(resolve({"d": ["torch"]}, "cu128").torch) == "2.11.0"  # cu128 was dropped in 2.12
    assert str(resolve({"d": ["torch"]}, "cu132").torch) == "2.13.0"
    assert str(resolve({"d": ["torch"]}, "rocm7.0").torch) == "2.10.0"


def test_companion_only_picks_matching_torch() -> None:
    result = resolve({"d": ["torchvision>=0.20,<0.22"]}, "cu124")
    assert str(result.torch) == "2.6.0"
    assert pins_on(result.groups["d"], "linux_x86_64") == {"torchvision": "==0.21.0+cu124"}


def test_fallback_cpu_uses_the_cpu_index_where_the_backend_has_nothing() -> None:
    deps = resolve({"d": ["torch==2.11.0"]}, "rocm7.2", fallback="cpu").groups["d"]
    assert pins_on(deps, "linux_x86_64")["torch"] == "==2.11.0+rocm7.2"
    assert pins_on(deps, "linux_aarch64")["torch"] == "==2.11.0+cpu"
    assert pins_on(deps, "win_amd64")["torch"] == "==2.11.0+cpu"
    assert pins_on(deps, "macos_arm64")["torch"] == "==2.11.0"
    pypi = resolve({"d": ["torch==2.11.0"]}, "rocm7.2").groups["d"]
    assert pins_on(pypi, "linux_aarch64")["torch"] == "==2.11.0"


def test_cu129_extra_is_linux_only() -> None:
    deps = resolve({"d": ["torch==2.13.0"]}, "cu129").groups["d"]
    assert pins_on(deps, "linux_aarch64")["torch"] == "==2.13.0+cu129"
    assert pins_on(deps, "win_amd64")["torch"] == "==2.13.0"


def test_matching_local_label_is_accepted() -> None:
    result = resolve({"d": ["torch==2.9.1+cu130"]}, "cu130")
    assert pins_on(result.groups["d"], "linux_x86_64")["torch"] == "==2.9.1+cu130"


def test_output_markers_are_valid_pep508() -> None:
    for line in resolve({"d": ["torch", "torchvision"]}, "xpu").groups["d"]:
        req = Requirement(line)
        assert req.marker is not None
        Marker(str(req.marker))


@pytest.mark.parametrize(
    ("groups", "backend", "needles"),
    [
        ({"dependencies": ["torch>=2.14"]}, "cu130", ["dependencies[0]", "torch>=2.14", "cu130 has torch", "2.9.0"]),
        (
            {"dependencies": ["torch>=2.6,<2.11", "torchvision<0.20"]},
            "cu130",
            ["dependencies[1]", "torchvision<0.20", "0.25.0", "torch 2.10.0"],
        ),
        ({"dependencies": ["torch>=2.12", "torchaudio>2.11.0"]}, "cu126", ["torchaudio>2.11.0", "torch 2.13.0"]),
        ({"dependencies": ["torch>=", "numpy"]}, "cpu", ["dependencies[0]", "'torch>='", "PEP 508"]),
        ({"dependencies": ["torch==2.9.1+cu128"]}, "cu130", ["+cu128", "cu130", "drop +cu128"]),
    ],
)
def test_errors_name_setting_value_and_fix(groups: dict[str, list[str]], backend: str, needles: list[str]) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve(groups, backend)
    message = str(info.value)
    for needle in needles:
        assert needle in message
    assert "Fix:" in message


def test_all_parse_errors_reported_together() -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve({"a": ["torch>=", "torchvision!!"]}, "cpu")
    assert len(info.value.problems) == 2


def test_every_release_pins_for_every_backend_it_has() -> None:
    data = load()
    for version, release in data.releases.items():
        python = "3.11"  # every release and its torchvision have 3.11 wheels
        for backend in release["backends"]:
            result = resolve({"d": [f"torch=={version}", "torchvision"]}, backend)
            assert str(result.torch) == version
            env = {**ENVS["linux_x86_64"], "python_version": python}
            pinned = [Requirement(x) for x in result.groups["d"] if Requirement(x).name == "torchvision"]
            (line,) = [r for r in pinned if r.marker is None or r.marker.evaluate(env)]
            assert str(line.specifier).startswith(f"=={release['versions']['torchvision']}")
