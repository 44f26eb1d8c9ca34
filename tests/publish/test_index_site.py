"""`hatch-torch index`: the static per-backend site, re-runs, conflicts and bad input."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from publish_helpers import make_wheel

from hatch_torch.cli import main
from hatch_torch.publish.sitefiles import MANIFEST


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_site_layout_pages_and_metadata(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wheels = tmp_path / "dist"
    cu130 = make_wheel(wheels / "cu130", version="1.2.0+cu130")
    make_wheel(wheels / "cpu", version="1.2.0+cpu", requires_python=None)
    flat = make_wheel(wheels, name="other-lib", version="0.1+cu130")  # flat, found by its label
    site = tmp_path / "site"
    assert main(["index", str(wheels), "--out", str(site)]) == 0
    assert "cu130      2 wheel(s), 2 new: mylib, other-lib" in capsys.readouterr().out

    folder = site / "cu130" / "mylib"
    assert (folder / cu130.name).read_bytes() == cu130.read_bytes()
    sha = hashlib.sha256(cu130.read_bytes()).hexdigest()
    metadata = (folder / f"{cu130.name}.metadata").read_bytes()
    assert metadata.startswith(b"Metadata-Version: 2.4\nName: mylib\nVersion: 1.2.0+cu130\n")
    meta_sha = hashlib.sha256(metadata).hexdigest()

    page = (folder / "index.html").read_text()
    assert '<meta name="pypi:repository-version" content="1.1">' in page
    anchor = re.search(r"<a ([^>]*)>mylib-1\.2\.0\+cu130-py3-none-any\.whl</a>", page)
    assert anchor, page
    assert f'href="mylib-1.2.0%2Bcu130-py3-none-any.whl#sha256={sha}"' in anchor.group(1)
    assert 'data-requires-python="&gt;=3.10"' in anchor.group(1)
    assert f'data-dist-info-metadata="sha256={meta_sha}"' in anchor.group(1)
    assert f'data-core-metadata="sha256={meta_sha}"' in anchor.group(1)

    doc = json.loads((folder / "index.json").read_text())
    assert doc["meta"] == {"api-version": "1.1"}
    assert doc["name"] == "mylib"
    assert doc["versions"] == ["1.2.0+cu130"]
    (entry,) = doc["files"]
    assert entry == {
        "filename": cu130.name,
        "url": "mylib-1.2.0%2Bcu130-py3-none-any.whl",
        "hashes": {"sha256": sha},
        "requires-python": ">=3.10",
        "core-metadata": {"sha256": meta_sha},
        "dist-info-metadata": {"sha256": meta_sha},
        "size": cu130.stat().st_size,
    }
    cpu_entry = json.loads((site / "cpu" / "mylib" / "index.json").read_text())["files"][0]
    assert "requires-python" not in cpu_entry
    assert "data-requires-python" not in (site / "cpu" / "mylib" / "index.html").read_text()

    root = json.loads((site / "cu130" / "index.json").read_text())
    assert root["projects"] == [{"name": "mylib"}, {"name": "other-lib"}]
    assert '<a href="other-lib/">other-lib</a>' in (site / "cu130" / "index.html").read_text()
    assert (site / "cu130" / "other-lib" / flat.name).is_file()
    assert '<a href="cpu/">cpu</a>' in (site / "index.html").read_text()
    assert sorted(json.loads((site / MANIFEST).read_text())["files"]) == [
        "cpu/mylib/mylib-1.2.0+cpu-py3-none-any.whl",
        f"cu130/mylib/{cu130.name}",
        f"cu130/other-lib/{flat.name}",
    ]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")], "temp dirs left behind"


def test_rerun_with_more_wheels_updates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    first = make_wheel(tmp_path / "a" / "cu130", version="1.2.0+cu130")
    assert main(["index", str(tmp_path / "a"), "--out", str(site)]) == 0
    second = make_wheel(tmp_path / "b" / "cu130", version="1.10.0+cu130")  # sorts after 1.2.0 as a version
    make_wheel(tmp_path / "b" / "cu130", version="1.2.0+cu130")  # the same bytes again: no conflict
    capsys.readouterr()
    assert main(["index", str(tmp_path / "b"), "--out", str(site)]) == 0
    assert "cu130      2 wheel(s), 1 new: mylib" in capsys.readouterr().out
    doc = json.loads((site / "cu130" / "mylib" / "index.json").read_text())
    assert [f["filename"] for f in doc["files"]] == [first.name, second.name]
    assert doc["versions"] == ["1.2.0+cu130", "1.10.0+cu130"]
    assert second.name in (site / "cu130" / "mylib" / "index.html").read_text()


def test_hash_conflict_is_reported_and_nothing_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    make_wheel(tmp_path / "a" / "cu130", version="1.2.0+cu130")
    assert main(["index", str(tmp_path / "a"), "--out", str(site)]) == 0
    before = snapshot(site)
    make_wheel(tmp_path / "b" / "cu130", version="1.2.0+cu130", payload="# rebuilt\n")
    make_wheel(tmp_path / "b" / "cu130", version="1.4.0+cu130")
    capsys.readouterr()
    assert main(["index", str(tmp_path / "b"), "--out", str(site)]) == 2
    err = capsys.readouterr().err
    assert "cu130/mylib-1.2.0+cu130-py3-none-any.whl: hash conflict with site/cu130/mylib/" in err
    assert "Fix: bump the version" in err
    assert "Nothing was written." in err
    assert snapshot(site) == before


def test_name_conflict_and_misplaced_label(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wheels = tmp_path / "dist"
    make_wheel(wheels / "cu130", version="1.2.0+cu130", metadata_name="yourlib")
    make_wheel(wheels / "cu128", name="lib2", version="1.0+cu130")
    make_wheel(wheels, name="lib3", version="1.0")  # flat and unlabelled: backend unknown
    assert main(["index", str(wheels), "--out", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert "3 problems:" in err
    assert "name conflict: the file name says mylib 1.2.0+cu130, its METADATA says yourlib 1.2.0+cu130" in err
    assert "labelled +cu130 but sits in the cu128 index. Fix: move it to cu130/" in err
    assert "lib3-1.0-py3-none-any.whl: cannot tell its backend" in err
    assert not (tmp_path / "site").exists()


def test_foreign_files_in_input_and_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wheels = tmp_path / "dist"
    make_wheel(wheels / "cu130")
    (wheels / "README.txt").write_text("hi")
    (wheels / ".gitignore").write_text("*")  # hidden files are skipped
    site = tmp_path / "site"
    assert main(["index", str(wheels), "--out", str(site)]) == 2
    err = capsys.readouterr().err
    assert "holds files that are not wheels of a backend: README.txt. Fix:" in err
    assert ".gitignore" not in err
    assert not site.exists()

    (wheels / "README.txt").unlink()
    assert main(["index", str(wheels), "--out", str(site)]) == 0
    (site / "cu130" / "notes.html").write_text("mine")
    before = snapshot(site)
    assert main(["index", str(wheels), "--out", str(site)]) == 2
    assert "holds files hatch-torch did not write: cu130/notes.html" in capsys.readouterr().err
    assert snapshot(site) == before

    other = tmp_path / "www"
    other.mkdir()
    (other / "index.html").write_text("someone else's site")
    assert main(["index", str(wheels), "--out", str(other)]) == 2
    assert "is not empty and was not written by `hatch-torch index`" in capsys.readouterr().err
    assert (other / "index.html").read_text() == "someone else's site"


def test_out_is_a_file_and_overlap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wheels = tmp_path / "dist"
    make_wheel(wheels / "cpu", version="1.2.0+cpu")
    target = tmp_path / "site"
    target.write_text("x")
    assert main(["index", str(wheels), "--out", str(target)]) == 2
    assert f"--out {target} is a file. Fix: give a directory path" in capsys.readouterr().err
    assert target.read_text() == "x"
    assert main(["index", str(wheels), "--out", str(wheels / "site")]) == 2
    assert "overlap. Fix: write the site to a directory outside DIR" in capsys.readouterr().err
    assert main(["index", str(tmp_path / "missing"), "--out", str(tmp_path / "s")]) == 2
    assert "is not a directory" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["index", str(empty), "--out", str(tmp_path / "s")]) == 2
    assert "holds no wheels" in capsys.readouterr().err


def test_changed_wheel_in_site_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wheels = tmp_path / "dist"
    wheel = make_wheel(wheels / "cpu", version="1.2.0+cpu")
    site = tmp_path / "site"
    assert main(["index", str(wheels), "--out", str(site)]) == 0
    served = site / "cpu" / "mylib" / wheel.name
    assert served.stat().st_ino != wheel.stat().st_ino  # a copy: rebuilding in DIR cannot change the site
    make_wheel(served.parent, version="1.2.0+cpu", payload="# tampered\n")
    assert wheel.read_bytes() != served.read_bytes()
    assert main(["index", str(wheels), "--out", str(site)]) == 2
    assert "changed since it was indexed (sha256 differs)" in capsys.readouterr().err


def test_failure_while_writing_leaves_the_old_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hatch_torch.publish import site as _index_site

    site = tmp_path / "site"
    make_wheel(tmp_path / "a" / "cu130", version="1.2.0+cu130")
    assert main(["index", str(tmp_path / "a"), "--out", str(site)]) == 0
    before = snapshot(site)
    make_wheel(tmp_path / "b" / "cu130", version="1.3.0+cu130")

    def disk_full(source: Path, target: Path, *, link: bool) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_index_site, "_place", disk_full)
    assert main(["index", str(tmp_path / "b"), "--out", str(site)]) == 2
    assert f"writing the site failed ([Errno 28] No space left on device); {site} is unchanged." in (
        capsys.readouterr().err
    )
    assert snapshot(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "site"]  # the temp dir is gone
