"""Maintainer script: expand the release facts below into ``hatch_torch/data/releases.json``.

The facts come from the PyTorch release matrix notes; each carries a source tag that is
explained in ``SOURCES`` and written into the data. Run ``python scripts/make_release_data.py``
after editing a fact. New releases are better added with ``hatch-torch data update``, which reads
them off a PyTorch-style index.
"""

from __future__ import annotations

import json
from pathlib import Path

from packaging.version import Version

OUT = Path(__file__).resolve().parent.parent / "hatch_torch" / "data" / "releases.json"

SOURCES = {
    "PV": "pytorch.org 'Previous versions' page (_get_started/previous-versions.md), pinned +backend commands",
    "TI": "pytorch/test-infra tools/scripts/generate_binary_build_matrix.py (release matrix per stable bump)",
    "RM": "pytorch/pytorch RELEASE.md release compatibility matrix and CUDA support matrix",
    "VR": "pytorch/vision README torch/torchvision version table",
    "BLD": "pytorch/builder release branches: manywheel/build_cuda.sh, windows/cuda*.bat, build_docker.sh",
    "PZ": "pytorch .ci/manywheel/build_cuda.sh and .ci/docker/manywheel/build.sh (per-era arch lists)",
    "NV": "NVIDIA CUDA Toolkit release notes: minor-version compatibility driver floors",
    "UV": "astral-sh/uv crates/uv-torch/src/backend.rs (driver floors, gfx per ROCm index from get_arch_list)",
    "NOVA": "pytorch/test-infra pkg-helpers: domain wheels unlabelled on Linux aarch64 until 2025-12-15",
    "WHL": "published wheel torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl (METADATA, classifiers)",
    "X129": "test-infra cu129 extra builds for Linux x86_64/aarch64 only (commits ea334aba, 35c0ecab, 0f7335e1)",
}

# version, CUDA indexes ("~" = Linux-only unofficial extra), ROCm indexes ("!" = inferred from the
# build matrix), XPU ("", "linux", "linux+win"), torchvision, torchaudio, CPython, confidence, sources
RELEASES = [
    ("2.0.0", "cu117 cu118", "rocm5.4.2 rocm5.3!", "", "0.15.1", "2.0.1", "3.8-3.11", "PV TI"),
    ("2.0.1", "cu117 cu118", "rocm5.4.2 rocm5.3!", "", "0.15.2", "2.0.2", "3.8-3.11", "PV TI"),
    ("2.1.0", "cu118 cu121", "rocm5.6 rocm5.5!", "", "0.16.0", "2.1.0", "3.8-3.11", "PV TI"),
    ("2.1.1", "cu118 cu121", "rocm5.6 rocm5.5!", "", "0.16.1", "2.1.1", "3.8-3.11", "PV TI"),
    ("2.1.2", "cu118 cu121", "rocm5.6 rocm5.5!", "", "0.16.2", "2.1.2", "3.8-3.11", "PV TI"),
    ("2.2.0", "cu118 cu121", "rocm5.6 rocm5.7!", "", "0.17.0", "2.2.0", "3.8-3.12", "PV TI RM"),
    ("2.2.1", "cu118 cu121", "rocm5.7 rocm5.6!", "", "0.17.1", "2.2.1", "3.8-3.12", "PV TI"),
    ("2.2.2", "cu118 cu121", "rocm5.7 rocm5.6!", "", "0.17.2", "2.2.2", "3.8-3.12", "PV"),
    ("2.3.0", "cu118 cu121", "rocm6.0 rocm5.7!", "", "0.18.0", "2.3.0", "3.8-3.12", "PV TI"),
    ("2.3.1", "cu118 cu121", "rocm6.0 rocm5.7!", "", "0.18.1", "2.3.1", "3.8-3.12", "PV"),
    ("2.4.0", "cu118 cu121 cu124", "rocm6.1 rocm6.0!", "", "0.19.0", "2.4.0", "3.8-3.12", "PV TI"),
    ("2.4.1", "cu118 cu121 cu124", "rocm6.1 rocm6.0!", "", "0.19.1", "2.4.1", "3.8-3.12", "PV TI"),
    ("2.5.0", "cu118 cu121 cu124", "rocm6.1 rocm6.2", "linux", "0.20.0", "2.5.0", "3.9-3.12", "PV TI"),
    ("2.5.1", "cu118 cu121 cu124", "rocm6.1 rocm6.2", "linux", "0.20.1", "2.5.1", "3.9-3.12", "PV TI"),
    ("2.6.0", "cu118 cu124 cu126", "rocm6.1 rocm6.2.4", "linux+win", "0.21.0", "2.6.0", "3.9-3.13 3.13t", "PV TI RM"),
    ("2.7.0", "cu118 cu126 cu128", "rocm6.2.4 rocm6.3", "linux+win", "0.22.0", "2.7.0", "3.9-3.13 3.13t", "PV TI"),
    ("2.7.1", "cu118 cu126 cu128", "rocm6.3 rocm6.2.4!", "linux+win", "0.22.1", "2.7.1", "3.9-3.13 3.13t", "PV"),
    ("2.8.0", "cu126 cu128 cu129", "rocm6.4 rocm6.3!", "linux+win", "0.23.0", "2.8.0", "3.9-3.13 3.13t", "PV TI"),
    (
        "2.9.0",
        "cu126 cu128 cu130 ~cu129",
        "rocm6.3 rocm6.4",
        "linux+win",
        "0.24.0",
        "2.9.0",
        "3.10-3.14 3.13t 3.14t",
        "PV TI X129",
    ),
    (
        "2.9.1",
        "cu126 cu128 cu130 ~cu129",
        "rocm6.4 rocm6.3!",
        "linux+win",
        "0.24.1",
        "2.9.1",
        "3.10-3.14 3.13t 3.14t",
        "PV TI X129",
    ),
    (
        "2.10.0",
        "cu126 cu128 cu130 ~cu129",
        "rocm7.0 rocm7.1",
        "linux+win",
        "0.25.0",
        "2.10.0",
        "3.10-3.14 3.13t 3.14t",
        "PV TI X129",
    ),
    (
        "2.11.0",
        "cu126 cu128 cu130 ~cu129",
        "rocm7.2 rocm7.1!",
        "linux+win",
        "0.26.0",
        "2.11.0",
        "3.10-3.14 3.13t 3.14t",
        "PV TI X129",
    ),
    ("2.12.0", "cu126 cu130 cu132", "rocm7.2 rocm7.1", "linux+win", "0.27.0", "", "3.10-3.14 3.14t", "PV TI RM"),
    (
        "2.12.1",
        "cu126 cu130 cu132 ~cu129",
        "rocm7.2 rocm7.1!",
        "linux+win",
        "0.27.1",
        "",
        "3.10-3.14 3.14t",
        "PV TI X129",
    ),
    (
        "2.13.0",
        "cu126 cu130 cu132 ~cu129",
        "rocm7.2 rocm7.1!",
        "linux+win",
        "0.28.0",
        "",
        "3.10-3.14 3.14t",
        "RM TI VR WHL X129",
    ),
]

# CUDA Linux aarch64 ("sbsa") indexes per torch minor (matrix notes section 2.1)
AARCH64_CUDA = {"2.7": {"cu128"}, "2.8": {"cu129"}}
AARCH64_CUDA_ALL_FROM = Version("2.9")

# Minimum driver for CUDA minor-version compatibility (Linux, Windows); source NV and UV
DRIVER_FLOORS = [
    ("cu117", "450.80.02", "452.39"),
    ("cu118", "450.80.02", "452.39"),
    ("cu121", "525.60.13", "528.33"),
    ("cu124", "525.60.13", "528.33"),
    ("cu126", "525.60.13", "528.33"),
    ("cu128", "525.60.13", "528.33"),
    ("cu129", "525.60.13", "528.33"),
    ("cu130", "580.0", "580.0"),
    ("cu132", "580.0", "580.0"),
]

# Driver bundled with the toolkit patch PyTorch built with (Linux, Windows): what PTX JIT needs, since
# minor-version compatibility does not cover JIT-compiling PTX newer than the driver. Source NV.
TOOLKIT_DRIVERS = [
    ("cu117", "515.43.04", "516.01"),
    ("cu118", "520.61.05", "520.06"),
    ("cu121", "530.30.02", "531.14"),
    ("cu124", "550.54.15", "551.78"),
    ("cu126", "560.35.05", "561.17"),
    ("cu128", "570.124.06", "572.61"),
    ("cu129", "575.57.08", "576.57"),
    ("cu130", "580.65.06", "580.88"),
    ("cu132", "595.58.03", "595.79"),
]

# SASS compute capabilities in the CUDA wheels, Linux x86_64 (matrix notes section 4.1).
# (torch specifier, backend, sm list, ptx, confidence, source)
BASE_21 = "5.0 6.0 7.0 7.5 8.0 8.6"
CUDA_ARCHES = [
    ("<2.1", "cu117", "3.7 5.0 6.0 7.0 7.5 8.0 8.6", "", "C", "BLD"),
    ("<2.1", "cu118", "3.7 5.0 6.0 7.0 7.5 8.0 8.6 9.0", "", "C", "BLD"),
    (">=2.1,<2.8", "cu118", "3.7 " + BASE_21 + " 9.0", "", "C", "BLD"),
    (">=2.1,<2.6", "cu121", BASE_21 + " 9.0", "", "C", "BLD"),
    (">=2.4,<2.7", "cu124", BASE_21 + " 9.0", "", "I", "BLD"),
    (">=2.6", "cu126", BASE_21 + " 9.0", "", "C", "PZ RM"),
    (">=2.7,<2.8", "cu128", "7.5 8.0 8.6 9.0 10.0 12.0", "", "C2", "PZ"),
    (">=2.8,<2.11", "cu128", "7.0 7.5 8.0 8.6 9.0 10.0 12.0", "", "C", "PZ"),
    (">=2.11", "cu128", "7.5 8.0 8.6 9.0 10.0 12.0", "", "C2", "PZ"),
    (">=2.8", "cu129", "7.0 7.5 8.0 8.6 9.0 10.0 12.0", "12.0", "C2", "PZ X129"),
    (">=2.9", "cu130", "7.5 8.0 8.6 9.0 10.0 12.0", "12.0", "C", "PZ RM"),
    (">=2.12", "cu132", "7.5 8.0 8.6 9.0 10.0 12.0", "12.0", "C", "RM"),
]

# Windows x86_64: the builder-era lists (BLD windows/cuda*.bat, sm_61 included); later releases use the
# Linux lists without +PTX ("+PTX available on linux builds only", RM).
WINDOWS_BUILDER_ARCHES = {
    "cu117": ("3.7 5.0 6.0 6.1 7.0 7.5 8.0 8.6", "3.7"),
    "cu118": ("3.7 5.0 6.0 6.1 7.0 7.5 8.0 8.6 9.0", "3.7"),
    "cu121": ("5.0 6.0 6.1 7.0 7.5 8.0 8.6 9.0", ""),
    "cu124": ("5.0 6.0 6.1 7.0 7.5 8.0 8.6 9.0", ""),
}

# Linux aarch64 (sbsa): matrix notes section 4.2
AARCH64_ARCHES = [
    (">=2.7,<2.8", "cu128", "8.0 9.0 10.0 12.0", "", "I", "PZ"),
    (">=2.8,<2.9", "cu129", "8.0 9.0 10.0 12.0", "12.0", "I", "PZ"),
    (">=2.9", "cu126", "8.0 9.0", "", "C2", "PZ RM"),
    (">=2.9,<2.12", "cu128", "8.0 9.0 10.0 12.0", "", "C2", "PZ"),
    (">=2.9", "cu129", "8.0 9.0 10.0 12.0", "12.0", "C2", "PZ X129"),
    (">=2.9", "cu130", "8.0 9.0 10.0 11.0 12.0", "12.0", "C", "PZ RM"),
    (">=2.12", "cu132", "8.0 9.0 10.0 11.0 12.0", "12.0", "C", "RM"),
]


def arch_rows() -> list[dict[str, object]]:
    """Every SASS/PTX row: Linux x86_64, Windows x86_64, Linux aarch64."""
    rows: list[dict[str, object]] = []

    def row(spec: str, b: str, platform: str, sm: str, ptx: str, conf: str, src: str) -> None:
        rows.append(
            {
                "torch": spec,
                "backend": b,
                "platform": platform,
                "sm": sm.split(),
                "ptx": ptx or None,
                "confidence": conf,
                "source": src.split(),
            }
        )

    for spec, b, sm, ptx, conf, src in CUDA_ARCHES:
        row(spec, b, "linux_x86_64", sm, ptx, conf, src)
    for spec, b, sm, _ptx, conf, src in CUDA_ARCHES:
        if b in WINDOWS_BUILDER_ARCHES:
            win_sm, win_ptx = WINDOWS_BUILDER_ARCHES[b]
            row(spec, b, "win_amd64", win_sm, win_ptx, "C" if conf == "C" else "I", "BLD")
        elif b != "cu129":  # the cu129 extras are never built for Windows
            row(spec, b, "win_amd64", sm, "", conf, src + " RM")
    for spec, b, sm, ptx, conf, src in AARCH64_ARCHES:
        row(spec, b, "linux_aarch64", sm, ptx, conf, src)
    return rows


# gfx targets per ROCm index, observed torch.cuda.get_arch_list(); source UV and BLD
GFX_64 = "gfx900 gfx906 gfx908 gfx90a gfx942 gfx1030 gfx1100 gfx1101 gfx1102 gfx1200 gfx1201"
ROCM_ARCHES = {
    "rocm5.3": "gfx900 gfx906 gfx908 gfx90a gfx1030",
    "rocm5.4.2": "gfx900 gfx906 gfx908 gfx90a gfx1030",
    "rocm5.5": "gfx900 gfx906 gfx908 gfx90a gfx1030 gfx1100",
    "rocm5.6": "gfx900 gfx906 gfx908 gfx90a gfx1030 gfx1100",
    "rocm5.7": "gfx900 gfx906 gfx908 gfx90a gfx1030 gfx1100",
    "rocm6.0": "gfx900 gfx906 gfx908 gfx90a gfx942 gfx1030 gfx1100",
    "rocm6.1": "gfx900 gfx906 gfx908 gfx90a gfx942 gfx1030 gfx1100 gfx1101",
    "rocm6.2": "gfx900 gfx906 gfx908 gfx90a gfx942 gfx1030 gfx1100",
    "rocm6.2.4": GFX_64,
    "rocm6.3": GFX_64,
    "rocm6.4": GFX_64,
    "rocm7.0": GFX_64 + " gfx950",
    "rocm7.1": GFX_64 + " gfx950",
    "rocm7.2": GFX_64 + " gfx950 gfx1150 gfx1151",
}

# Triton companion of the torch wheels (matrix notes section 6): (torch specifier, backend kind, package)
TRITON = [
    ("<2.10", "rocm", "pytorch-triton-rocm"),
    (">=2.10", "rocm", "triton-rocm"),
    (">=2.5,<2.10", "xpu", "pytorch-triton-xpu"),
    (">=2.10", "xpu", "triton-xpu"),
]


def pythons(spec: str) -> list[str]:
    out: list[str] = []
    for part in spec.split():
        if "-" in part:
            lo, hi = part.split("-")
            major = int(lo.split(".")[0])
            out += [f"{major}.{m}" for m in range(int(lo.split(".")[1]), int(hi.split(".")[1]) + 1)]
        else:
            out.append(part)
    return out


def labels(kind: str, backend: str, torch: Version, package: str, extra: bool, xpu: str) -> dict[str, str]:
    """Platform -> local label ("" = the wheel carries no label) for one package on one index."""
    minor = f"{torch.major}.{torch.minor}"
    # Domain wheels were unlabelled on Linux aarch64 up to torchvision 0.24 / torchaudio 2.9 (NOVA).
    domain_bare_arm = package != "torch" and torch < Version("2.10")
    arm_label = "" if domain_bare_arm else backend
    if kind == "cpu":
        out = {"linux_x86_64": "cpu", "win_amd64": "cpu", "macos_arm64": ""}
        if torch <= Version("2.2.2"):
            out["macos_x86_64"] = ""
        out["linux_aarch64"] = "" if torch < Version("2.6") else arm_label
        return out
    if kind == "cuda":
        if extra:
            return {"linux_x86_64": backend, "linux_aarch64": arm_label}
        out = {"linux_x86_64": backend, "win_amd64": backend}
        if backend in AARCH64_CUDA.get(minor, set()) or torch >= AARCH64_CUDA_ALL_FROM:
            out["linux_aarch64"] = arm_label
        return out
    if kind == "rocm":
        return {"linux_x86_64": backend}
    out = {"linux_x86_64": backend}
    if xpu == "linux+win":
        out["win_amd64"] = backend
    return out


def main() -> None:
    releases: dict[str, object] = {}
    backends: dict[str, dict[str, object]] = {"cpu": {"kind": "cpu", "source": "PV"}}
    for version, cuda, rocm, xpu, tv, ta, py, src in RELEASES:
        torch = Version(version)
        entries: dict[str, dict[str, dict[str, str]]] = {}
        notes: dict[str, str] = {}
        names = [("cpu", "cpu", False)]
        for b in cuda.split():
            names.append((b.lstrip("~"), "cuda", b.startswith("~")))
            if b.startswith("~"):
                notes[b.lstrip("~")] = "Linux-only unofficial extra build (X129)"
        for b in rocm.split():
            names.append((b.rstrip("!"), "rocm", False))
            if b.endswith("!"):
                notes[b.rstrip("!")] = "inferred from the build matrix, not listed on Previous versions"
        if xpu:
            names.append(("xpu", "xpu", False))
        for backend, kind, extra in names:
            backends.setdefault(backend, {"kind": kind})
            pkgs = {"torch": version, "torchvision": tv}
            if ta:
                pkgs["torchaudio"] = ta
            entries[backend] = {pkg: labels(kind, backend, torch, pkg, extra, xpu) for pkg, v in pkgs.items()}
        rel: dict[str, object] = {
            "versions": {"torchvision": tv, **({"torchaudio": ta} if ta else {})},
            "python": pythons(py),
            "backends": entries,
            "source": src.split(),
        }
        if notes:
            rel["notes"] = notes
        unofficial = [b.lstrip("~") for b in cuda.split() if b.startswith("~")]
        if unofficial:
            rel["unofficial"] = unofficial
        releases[version] = rel
    for backend, linux, windows in DRIVER_FLOORS:
        backends[backend]["driver"] = {"linux": linux, "windows": windows, "source": ["NV", "UV"]}
    for backend, linux, windows in TOOLKIT_DRIVERS:
        backends[backend]["toolkit_driver"] = {"linux": linux, "windows": windows, "source": ["NV"]}
    for backend, arches in ROCM_ARCHES.items():
        backends[backend]["gfx"] = arches.split()
        backends[backend]["gfx_source"] = ["UV", "BLD"]
    for backend, info in backends.items():
        kind = info["kind"]
        if kind == "cuda":
            info["cuda"] = f"{backend[2:-1]}.{backend[-1]}"
        elif kind == "rocm":
            info["rocm"] = backend[4:]
    data = {
        "schema": 1,
        "packages": ["torch", "torchvision", "torchaudio"],
        "platforms": ["linux_x86_64", "linux_aarch64", "macos_arm64", "macos_x86_64", "win_amd64", "win_arm64"],
        "sources": SOURCES,
        "backends": dict(sorted(backends.items(), key=lambda kv: _backend_key(kv[0]))),
        "releases": releases,
        "cuda_arches": arch_rows(),
        "triton": [{"torch": spec, "kind": kind, "package": pkg, "source": ["RM", "TI"]} for spec, kind, pkg in TRITON],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(OUT.parents[2])}: {len(releases)} releases, {len(backends)} backends")


def _backend_key(name: str) -> tuple[int, tuple[int, ...]]:
    order = {"cp": 0, "cu": 1, "ro": 2, "xp": 3}
    digits = "".join(c if c.isdigit() or c == "." else " " for c in name).split()
    return order.get(name[:2], 9), tuple(int(x) for x in ".".join(digits).split(".") if x)


if __name__ == "__main__":
    main()
