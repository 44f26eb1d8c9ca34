"""Windows: the display-adapter list (PowerShell's Win32_VideoController on PATH here; the registry on Windows)."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import ClassVar

import pytest
from machines import Machine, probe

from hatch_torch.data import model
from hatch_torch.data.merge import merged
from hatch_torch.detection.vendors import windows
from hatch_torch.plugins import manager as _plugins

RX_7900 = (
    "AMD Radeon RX 7900 XTX",
    "PCI\\VEN_1002&DEV_744C&SUBSYS_0E3A1002&REV_C8\\6&2B7B1A3F&0&00000019",
    "31.0.24033.1003",
)
UHD_770 = (
    "Intel(R) UHD Graphics 770",
    "PCI\\VEN_8086&DEV_A780&SUBSYS_7D251462&REV_04\\3&11583659&0&10",
    "31.0.101.4502",
)
ARC_A770 = (
    "Intel(R) Arc(TM) A770 Graphics",
    "PCI\\VEN_8086&DEV_56A0&SUBSYS_10208086&REV_08\\6&1D6B4C9&0&00080008",
    "32.0.101.6078",
)
RTX_4090 = (
    "NVIDIA GeForce RTX 4090",
    "PCI\\VEN_10DE&DEV_2684&SUBSYS_16F310DE&REV_A1\\4&2283F625&0&0019",
    "32.0.15.8129",
)
BASIC = ("Microsoft Basic Display Adapter", "ROOT\\BASICDISPLAY\\0000", "10.0.22621.1")


def test_amd_and_intel_igpu_on_windows_get_cpu_with_the_reason(machine: Machine) -> None:
    machine.adapters(RX_7900, UHD_770, BASIC)
    result = machine.detect()
    assert result.backend == "cpu"
    assert probe(result, "windows.adapters").status == "found"
    assert "3 display adapter(s)" in probe(result, "windows.adapters").detail
    amd = next(r for r in result.reasons if r.startswith("ignored AMD Radeon RX 7900 XTX gfx1100 1002:744c"))
    assert "ROCm wheels are Linux-only" in amd
    assert "no DirectML backend unless a plugin adds one" in amd
    assert any(r.startswith("ignored Intel(R) UHD Graphics 770 igpu 8086:a780") for r in result.reasons)
    gpus = {g["name"]: g for g in result.gpus}
    assert gpus["AMD Radeon RX 7900 XTX"]["architecture_source"] == "PCI ID table (Navi 31)"
    assert gpus["AMD Radeon RX 7900 XTX"]["backends"] == []
    assert "Microsoft Basic Display Adapter" not in gpus


def test_intel_arc_next_to_amd_on_windows_gets_xpu(machine: Machine) -> None:
    machine.adapters(RX_7900, ARC_A770)
    result = machine.detect()
    assert result.backend == "xpu"
    assert [(d.vendor, d.kind, d.source) for d in result.devices] == [
        ("amd", "", "windows.adapters"),
        ("intel", "xpu", "windows.adapters"),
    ]


def test_nvidia_adapter_stands_in_when_nvml_and_nvidia_smi_are_missing(machine: Machine) -> None:
    machine.adapters(RTX_4090, UHD_770)
    result = machine.detect()
    nvidia = result.devices[0]
    assert (nvidia.name, nvidia.arch, nvidia.pci_id) == ("NVIDIA GeForce RTX 4090", "8.9", "10de:2684")
    assert nvidia.arch_source.startswith("name table: 'rtx 4090'")
    assert result.versions["nvidia_driver"] == "581.29"  # from the Windows driver version 32.0.15.8129
    assert result.backend == "cu132"


def test_nvidia_smi_answers_first_and_the_adapter_is_not_counted_twice(machine: Machine) -> None:
    machine.adapters(RTX_4090)
    machine.smi("0, GPU-a, NVIDIA GeForce RTX 4090, 8.9, 581.29")
    result = machine.detect()
    assert [(d.name, d.source) for d in result.devices] == [("NVIDIA GeForce RTX 4090", "nvidia.smi")]
    assert result.backend == "cu132"


@pytest.mark.parametrize(
    ("body", "detail"),
    [("echo 'Get-CimInstance : Access denied' >&2; exit 1", "exited with 1"), ("echo '<xml/>'", "printed no JSON")],
)
def test_failing_powershell_fails_alone(machine: Machine, body: str, detail: str) -> None:
    machine.adapters()
    machine.tool("powershell", body)
    machine.smi("0, GPU-a, NVIDIA GeForce RTX 4090, 8.9, 581.29")
    result = machine.detect()
    assert probe(result, "windows.adapters").status == "failed"
    assert detail in probe(result, "windows.adapters").detail
    assert result.backend == "cu132"


def test_no_powershell_is_a_failed_probe_with_the_reason(machine: Machine) -> None:
    machine.platform = "win_amd64"
    result = machine.detect()
    assert probe(result, "windows.adapters").status == "failed"
    assert "PowerShell (powershell, pwsh) is not on PATH" in probe(result, "windows.adapters").detail
    assert result.backend == "cpu"


#: PowerShell's ConvertTo-Json for an RX 7900 XTX, an Arc A770 and an RTX 4090 (ids, revision and the
#: Sapphire subsystem are real; the other values illustrative), plus a disabled adapter (error code 22)
CIM_JSON = r"""[
    {"Name": "AMD Radeon RX 7900 XTX",
     "PNPDeviceID": "PCI\\VEN_1002&DEV_744C&SUBSYS_471E1DA2&REV_C8\\6&2B8A6B1E&0&00000019",
     "DriverVersion": "32.0.21025.1024", "Status": "OK", "ConfigManagerErrorCode": 0},
    {"Name": "Intel(R) Arc(TM) A770 Graphics",
     "PNPDeviceID": "PCI\\VEN_8086&DEV_56A0&SUBSYS_10208086&REV_08\\6&1A2B3C4D&0&00080008",
     "DriverVersion": "32.0.101.6078", "Status": "OK", "ConfigManagerErrorCode": 0},
    {"Name": "NVIDIA GeForce RTX 4090",
     "PNPDeviceID": "PCI\\VEN_10DE&DEV_2684&SUBSYS_889D1043&REV_A1\\4&2283F625&0&0019",
     "DriverVersion": "32.0.15.6094", "Status": "OK", "ConfigManagerErrorCode": 0},
    {"Name": "NVIDIA GeForce GTX 1060 6GB",
     "PNPDeviceID": "PCI\\VEN_10DE&DEV_1C03&SUBSYS_00000000&REV_A1\\4&1&0&0008",
     "DriverVersion": "32.0.15.6094", "Status": "Error", "ConfigManagerErrorCode": 22}
]"""


def test_three_vendor_windows_box_from_powershell_json(machine: Machine) -> None:
    machine.adapters()
    machine.tool("powershell", f"/bin/cat <<'OUT'\n{CIM_JSON}\nOUT\n")
    result = machine.detect()
    assert [(d.vendor, d.kind, d.arch) for d in result.devices] == [
        ("amd", "", "gfx1100"),
        ("intel", "xpu", "xpu"),
        ("nvidia", "cuda", "8.9"),
    ]  # the disabled GTX 1060 runs nothing and does not hold the choice back
    assert result.versions["nvidia_driver"] == "560.94"
    assert (result.backend, result.release) == ("cu126", "2.13.0")  # driver 560: no cu13x


def test_one_adapter_is_an_object_not_a_list() -> None:
    one = windows.parse_cim(json.dumps({"Name": "x", "PNPDeviceID": "PCI\\VEN_8086&DEV_56A0", "DriverVersion": ""}))
    assert [a.pnp for a in one] == ["PCI\\VEN_8086&DEV_56A0"]
    assert windows.parse_cim("\n") == []


@pytest.mark.parametrize(
    ("version", "driver"),
    [("32.0.15.8129", "581.29"), ("31.0.15.5222", "552.22"), ("27.21.14.5671", "456.71"), ("x", "")],
)
def test_windows_driver_version_to_nvidia(version: str, driver: str) -> None:
    assert windows.nvidia_driver(version) == driver


def test_the_directml_plugin_of_the_guide_serves_amd_and_intel_on_windows(
    machine: Machine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The plugin guide's DirectML example, loaded from docs/detection.md and registered as a plugin."""
    guide = (Path(__file__).parents[2] / "docs" / "detection.md").read_text(encoding="utf-8")
    code = guide.split("<!-- directml-plugin -->\n```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(compile(code, "docs/detection.md", "exec"), namespace)
    plugin = types.ModuleType("hatch_torch_directml")
    plugin.__dict__.update(namespace)
    plugins = _plugins.manager.__wrapped__("")
    plugins.pm.register(plugin, name="directml")
    monkeypatch.setattr(_plugins, "current", lambda environ=None: plugins)
    # entry-point plugins are merged into the release data by load(); this one is registered in-process
    with_directml = merged(model.load(), plugins.backends())[0]
    monkeypatch.setattr(model, "load", lambda: with_directml)
    machine.adapters(RX_7900, UHD_770)
    result = machine.detect()
    assert (result.backend, result.release) == ("directml", "2.4.1")
    assert [d.kind for d in result.devices] == ["directml", "directml"]
    machine.platform = "linux_x86_64"  # elsewhere the plugin claims nothing
    assert machine.detect().backend == "cpu"


class FakeRegistry:
    """The ``winreg`` calls ``windows.registry()`` makes, answering from a dict (no registry exists here).
    Contents as ``reg query`` prints them for the display class on an RX 7900 XTX + Arc A770 + RTX 4090 box."""

    HKEY_LOCAL_MACHINE = "HKLM"
    KEYS: ClassVar[dict[str, dict[str, str]]] = {
        "0000": {
            "DriverDesc": "AMD Radeon RX 7900 XTX",
            "MatchingDeviceId": "pci\\ven_1002&dev_744c",
            "DriverVersion": "32.0.21025.1024",
        },
        "0001": {
            "DriverDesc": "Intel(R) Arc(TM) A770 Graphics",
            "MatchingDeviceId": "pci\\ven_8086&dev_56a0",
            "DriverVersion": "32.0.101.6078",
        },
        "0002": {
            "DriverDesc": "NVIDIA GeForce RTX 4090",
            "MatchingDeviceId": "pci\\ven_10de&dev_2684",
            "DriverVersion": "32.0.15.6094",
        },
        "Configuration": {},
        "Properties": {},  # access denied for normal users
    }

    class Key:
        def __init__(self, name: str) -> None:
            self.name = name

        def __enter__(self) -> FakeRegistry.Key:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    def OpenKey(self, parent: object, name: str) -> FakeRegistry.Key:
        if name == "Properties":
            raise PermissionError(5, "Access is denied")
        return self.Key(name)

    def QueryInfoKey(self, key: object) -> tuple[int, int, int]:
        return len(self.KEYS), 0, 0

    def EnumKey(self, key: object, index: int) -> str:
        return list(self.KEYS)[index]

    def QueryValueEx(self, key: FakeRegistry.Key, name: str) -> tuple[str, int]:
        values = self.KEYS[key.name]
        if name not in values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return values[name], 1


def test_on_windows_the_registry_answers_without_a_subprocess(
    machine: Machine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "winreg", FakeRegistry())
    monkeypatch.setattr(windows.sys, "platform", "win32")
    machine.platform = "win_amd64"
    machine.root = Path("/")  # the registry is only this machine's
    machine.tool("powershell", "exit 3")
    result = machine.detect()
    assert machine.ran("powershell") == 0
    assert probe(result, "windows.adapters").detail.startswith("registry: 3 display adapter(s)")
    assert [(d.vendor, d.kind, d.arch) for d in result.devices] == [
        ("amd", "", "gfx1100"),
        ("intel", "xpu", "xpu"),
        ("nvidia", "cuda", "8.9"),
    ]
    assert (result.backend, result.versions["nvidia_driver"]) == ("cu126", "560.94")


def test_full_width_digits_are_no_driver_version() -> None:
    assert windows.nvidia_driver("32.0.15.\uff18\uff11\uff12\uff19") == ""
