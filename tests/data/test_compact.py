"""data.compact: the bundled release data compiled to marshal, used only while it matches the JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from hatch_torch.data import compact
from hatch_torch.data.model import DATA_FILE, _load


def test_every_bundled_json_has_a_matching_compiled_copy() -> None:
    sources = compact.bundled()
    assert str(DATA_FILE) in sources
    assert any(s.endswith("nvidia_names.json") for s in sources)
    for source in sources:
        compiled = compact.read(source)
        assert compiled is not None, (
            f"{source}: compiled copy missing or stale. Fix: python -m hatch_torch.data.compact"
        )
        assert compiled == json.loads(Path(source).read_text(encoding="utf-8"))


def test_a_stale_or_broken_copy_is_ignored(tmp_path: Path) -> None:
    data = tmp_path / "releases.json"
    shutil.copy(DATA_FILE, data)
    compact.write(str(data))
    assert compact.read(str(data)) == json.loads(data.read_text())
    edited = json.loads(data.read_text())
    edited["platforms"] = ["linux_x86_64"]
    data.write_text(json.dumps(edited))  # edited, not recompiled
    assert compact.read(str(data)) is None
    assert _load.__wrapped__(str(data)).platforms == ["linux_x86_64"]  # the JSON wins
    compact.write(str(data))
    marshalled = Path(compact.compiled_path(str(data)))
    marshalled.write_bytes(marshalled.read_bytes()[:100])  # truncated
    assert compact.read(str(data)) is None
    assert _load.__wrapped__(str(data)).platforms == ["linux_x86_64"]
    marshalled.write_bytes(b"\x00garbage")
    assert compact.read(str(data)) is None


def test_loading_the_bundled_data_and_tables_needs_no_json_module() -> None:
    code = (
        "import sys\nfrom hatch_torch.data.model import load\nload()\n"
        "from hatch_torch.detection.vendors import nvidia_names, pci_ids\n"
        "nvidia_names.table()\npci_ids.table()\nprint('json' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_family_tables_are_what_the_family_data_gives(tmp_path: Path) -> None:
    from hatch_torch.data import family, members

    bundled = family.load_json(str(family.FAMILY_FILE))
    assert compact.read(str(family.FAMILY_FILE), "tables") == family.tables(bundled)
    parsed = family.parse(bundled)
    assert members.pinned_members() == family.pinned(parsed)
    assert "torchvision" in family.pinned(parsed)
    assert members.page_members() == family.paged(parsed)
    assert "torch-scatter" in family.paged(parsed)
    # a stale compiled copy carries no tables that count
    copy = tmp_path / "family.json"
    copy.write_bytes(family.FAMILY_FILE.read_bytes())
    compact.write(str(copy))
    assert compact.read(str(copy), "tables") == family.tables(bundled)
    copy.write_text(copy.read_text() + " ")
    assert compact.read(str(copy), "tables") is None
