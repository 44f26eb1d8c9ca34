"""Example hatch-torch plugin: an "Example NPU" detector and the ``npu`` backend it needs."""

from __future__ import annotations

from hatch_torch.plugin import BackendSpec, Device, ProbeContext, ProbeFailure, hookimpl

SYSFS = "/sys/class/example_npu"
INDEX = "https://npu.example.invalid/whl/npu"
#: first torch release with kernels for each NPU model
FIRST_RELEASE = {"NPU-1": (2, 7), "NPU-2": (2, 6)}


@hookimpl
def hatch_torch_probe(context: ProbeContext) -> None:
    if context.os != "linux":
        context.skip("example-npu", f"no npu wheels for {context.platform}")
        return
    with context.probe("example-npu.sysfs") as say:
        if not context.isdir(SYSFS):
            say("nothing", f"{SYSFS} does not exist")
            return
        for i, entry in enumerate(context.listdir(SYSFS)):
            model = (context.read(f"{SYSFS}/{entry}/model") or "").strip()
            if model not in FIRST_RELEASE:
                raise ProbeFailure(f"{SYSFS}/{entry}/model holds {model[:30]!r}, not a known NPU model")
            context.devices.append(Device("example", "npu", f"Example {model}", model, index=i, source="example-npu"))
        say("found", f"{len(context.of('example'))} NPU(s)")


@hookimpl
def hatch_torch_backends() -> list[BackendSpec]:
    linux = {"linux_x86_64": "npu", "linux_aarch64": "npu"}
    return [BackendSpec("npu", "npu", INDEX, {"2.6.0": linux, "2.7.1": linux}, priority=40)]


@hookimpl
def hatch_torch_supports(backend: str, kind: str, device: Device, torch: str, platform: str) -> bool | None:
    if kind != "npu":
        return None  # not ours: let the built-in rules answer
    major, minor = (int(x) for x in torch.split(".")[:2])
    return (major, minor) >= FIRST_RELEASE.get(device.arch, (99, 0))
