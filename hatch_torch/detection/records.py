"""What a probe reports: the devices it found and its record (what it tried, how it went).

Both are made on every detection: their ``__init__`` is written out (plain assignments take a third of
the time of :class:`~hatch_torch.util.record.Record`'s generic one)."""

from __future__ import annotations

from hatch_torch.util.record import Record


class Device(Record):
    """One accelerator. ``kind`` is the backend kind it can use ("cuda", "rocm", "xpu", a plugin's kind),
    or "" when no PyTorch backend serves it (plain integrated graphics)."""

    vendor: str
    kind: str
    name: str = ""
    arch: str = ""  # compute capability "8.6", gfx target "gfx1100", Intel family "arc-a"
    pci_id: str = ""  # "10de:2684"
    index: int | None = None
    uuid: str = ""
    source: str = ""  # the probe that found it
    note: str = ""
    arch_source: str = ""  # where ``arch`` came from: "NVML", "name table", "KFD", "override"...

    def __init__(
        self,
        vendor: str,
        kind: str,
        name: str = "",
        arch: str = "",
        pci_id: str = "",
        index: int | None = None,
        uuid: str = "",
        source: str = "",
        note: str = "",
        arch_source: str = "",
    ) -> None:
        self.vendor, self.kind, self.name, self.arch, self.pci_id = vendor, kind, name, arch, pci_id
        self.index, self.uuid, self.source, self.note, self.arch_source = index, uuid, source, note, arch_source


class ProbeRecord(Record):
    """One probe: what it tried, and whether it found something, nothing, failed, or was skipped."""

    probe: str
    status: str  # "found" | "nothing" | "failed" | "skipped"
    detail: str
    ms: float = 0.0

    def __init__(self, probe: str, status: str, detail: str, ms: float = 0.0) -> None:
        self.probe, self.status, self.detail, self.ms = probe, status, detail, ms
