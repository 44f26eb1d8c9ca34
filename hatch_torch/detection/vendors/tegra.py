"""Linux aarch64 NVIDIA: a Jetson (Tegra SoC, integrated GPU) or an SBSA server (Grace Hopper, Grace
Blackwell, DGX Spark), told apart by ``/etc/nv_tegra_release`` and ``/proc/device-tree/compatible``.

The PyTorch indexes' aarch64 CUDA wheels are built for SBSA: they serve a Grace server's GPUs, and from
CUDA 13 (the toolkit unified for Arm) Jetson Thor, but not the integrated GPUs of Orin, Xavier and older
Jetsons, which need NVIDIA's JetPack builds. Those get the kind ``jetson``, which no built-in backend
serves (a plugin may add one). Runs after the NVIDIA probes and corrects what they could not know.
"""

from __future__ import annotations

import re

from hatch_torch.detection.probe import Device, ProbeContext
from hatch_torch.plugins.spec import hookimpl

RELEASE = "/etc/nv_tegra_release"
#: /proc/device-tree links to /sys/firmware/devicetree/base; either may be the one a container sees
TREES = ("/proc/device-tree", "/sys/firmware/devicetree/base")
COMPATIBLE = "/proc/device-tree/compatible"
#: SoC -> (compute capability, GPU, served by the PyTorch indexes' SBSA wheels)
SOCS = {
    "tegra210": ("5.3", "Tegra X1 (Maxwell): Jetson Nano, TX1", False),
    "tegra186": ("6.2", "Tegra X2 (Pascal): Jetson TX2", False),
    "tegra194": ("7.2", "Xavier (Volta): Jetson AGX Xavier, Xavier NX", False),
    "tegra234": ("8.7", "Orin (Ampere): Jetson AGX Orin, Orin NX, Orin Nano", False),
    "tegra264": ("11.0", "Thor (Blackwell): Jetson AGX Thor, T5000/T4000", True),
}
#: L4T major release -> JetPack major (for the reasons)
JETPACK = {"32": "4", "34": "5", "35": "5", "36": "6", "38": "7", "39": "7"}
#: L4T major -> the SoC when the device tree is not visible: JetPack 6 is Orin only, JetPack 7 Thor
L4T_SOC = {"36": "tegra234", "38": "tegra264", "39": "tegra264"}
_L4T = re.compile(r"#\s*R([0-9]{1,3})\s*\(release\),\s*REVISION:\s*([0-9]{1,3}(?:\.[0-9]{1,3}){0,2})", re.ASCII)
SBSA_NOTE = (
    "Linux aarch64 without a Tegra SoC: an SBSA server (Grace Hopper, Grace Blackwell, DGX Spark), whose GPUs "
    "the cu12x/cu13x aarch64 wheels serve (sm_80, sm_90, sm_100, sm_120; sm_110 from cu130)"
)


@hookimpl
def hatch_torch_probe(context: ProbeContext) -> None:
    if context.platform != "linux_aarch64":
        return  # only Linux aarch64 has both kinds; elsewhere there is nothing to tell apart
    if "nvidia" in context.settled:
        context.skip("tegra", "settled by an override")
        return
    with context.probe("tegra.devicetree") as say:
        compatible, model = _tree(context, "compatible"), _tree(context, "model").strip()
        release = context.read(RELEASE)
        if release is None and "nvidia,tegra" not in compatible:
            say("nothing", f"no {RELEASE} and no nvidia,tegra* in {COMPATIBLE}: not a Jetson")
            if context.of("nvidia"):
                context.notes.append(SBSA_NOTE)
            return
        l4t = _L4T.search(release or "")
        major = l4t.group(1) if l4t else ""
        if l4t:
            context.versions["l4t"] = f"{major}.{l4t.group(2)}"
        soc = next((s for s in SOCS if f"nvidia,{s}" in compatible), "") or L4T_SOC.get(major, "")
        found = f"nvidia,{soc}" if soc else "SoC unknown"
        say("found", f"{model or 'a Jetson'}, {found}, L4T R{context.versions.get('l4t', '?')}")
        _jetson(context, soc, model or "NVIDIA Jetson", major)


def _tree(context: ProbeContext, name: str) -> str:
    """A device-tree property (NUL-separated strings) as one space-separated string; '' if absent."""
    for base in TREES:
        text = context.read(f"{base}/{name}")
        if text is not None:
            return text.replace("\0", " ")
    return ""


def _jetson(context: ProbeContext, soc: str, model: str, l4t: str) -> None:
    cc, gpu, sbsa = SOCS.get(soc, ("", "a Tegra SoC this table does not know", False))
    jetpack = f"JetPack {JETPACK[l4t]}, L4T R{l4t}" if l4t in JETPACK else (f"L4T R{l4t}" if l4t else "")
    where = f"{model} ({gpu}{'; ' + jetpack if jetpack else ''})"
    # the NVIDIA probes may have seen the display driver only (a GPU of unknown model): the SoC says which
    context.devices[:] = [d for d in context.devices if not (d.vendor == "nvidia" and not d.arch)]
    listed = context.of("nvidia")
    if sbsa:
        context.notes.append(
            f"{where}: SBSA-compliant from CUDA 13, so the cu13x aarch64 wheels (sm_110) serve it; "
            "the cu12x aarch64 wheels have no kernels for it"
        )
        if not listed:
            context.devices.append(_device(model, cc, soc, "cuda", ""))
        return
    # NVML on JetPack 6 may list the integrated GPU itself ("Orin (nvgpu)"): it is the SoC's, not a CUDA dGPU
    context.devices[:] = [d for d in context.devices if not (d.vendor == "nvidia" and _integrated(d, cc))]
    note = (
        "integrated Jetson GPU: the PyTorch indexes' aarch64 CUDA wheels are built for SBSA servers and do not run "
        "on it (NVIDIA publishes JetPack builds of torch; a plugin can add them as a 'jetson' backend)"
    )
    context.devices.append(_device(model, cc, soc, "jetson", note))
    context.notes.append(f"{where}: {note}")


def _integrated(device: Device, cc: str) -> bool:
    name = device.name.lower()
    return device.arch == cc or any(w in name for w in ("orin", "xavier", "tegra", "nvgpu", "jetson"))


def _device(model: str, cc: str, soc: str, kind: str, note: str) -> Device:
    where = f"device tree: nvidia,{soc}" if cc else ""
    return Device("nvidia", kind, model, cc, index=0, source="tegra.devicetree", note=note, arch_source=where)
