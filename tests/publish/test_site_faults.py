"""``hatch-torch index`` against hostile input and interruptions: readable site, links never followed out of the
site or deleted, manifest entries confined to the site, capped METADATA, FIFOs, and a swap a kill -9 cannot
break (a loop of kills at random points, each followed by a rerun that must recover)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import stat
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from publish_helpers import make_wheel

from hatch_torch.cli import main
from hatch_torch.publish import swap
from hatch_torch.publish.sitefiles import MANIFEST


def index(directory: Path, site: Path) -> int:
    return main(["index", str(directory), "--out", str(site)])


def published(site: Path) -> dict[str, str]:
    """Check the site is whole: its manifest parses and every listed wheel is there with its sha256."""
    files: dict[str, dict[str, str]] = json.loads((site / MANIFEST).read_text())["files"]
    for rel, info in files.items():
        assert hashlib.sha256((site / rel).read_bytes()).hexdigest() == info["sha256"], rel
        assert (site / f"{rel}.metadata").is_file(), rel
        assert (site / rel.rsplit("/", 1)[0] / "index.html").is_file(), rel
    return {rel: info["sha256"] for rel, info in files.items()}


def leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in site.parent.iterdir() if p.name.startswith(f".{site.name}."))


def test_the_site_is_readable_like_a_normal_directory(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "dist" / "cu130", version="1.2.0+cu130")
    wheel.chmod(0o600)  # what a restrictive umask in the build left
    old = os.umask(0o022)
    try:
        assert index(tmp_path / "dist", tmp_path / "site") == 0
    finally:
        os.umask(old)
    site = tmp_path / "site"
    assert stat.S_IMODE(site.stat().st_mode) == 0o755
    for path in site.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644), path


def test_a_symlinked_backend_folder_is_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    make_wheel(elsewhere, version="1.2.0+cu130")
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "cu130").symlink_to(elsewhere)
    make_wheel(tmp_path / "dist" / "cpu", version="1.2.0+cpu")
    assert index(tmp_path / "dist", tmp_path / "site") == 0
    assert sorted(published(tmp_path / "site")) == [
        "cpu/mylib/mylib-1.2.0+cpu-py3-none-any.whl",
        "cu130/mylib/mylib-1.2.0+cu130-py3-none-any.whl",
    ]


def test_special_files_and_deeper_folders_in_dir_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_wheel(tmp_path / "dist" / "cu130", version="1.2.0+cu130")
    os.mkfifo(tmp_path / "dist" / "cu130" / "mylib-1.3.0+cu130-py3-none-any.whl")
    (tmp_path / "dist" / "cu130" / "sub").mkdir()
    (tmp_path / "dist" / "cpu").symlink_to(tmp_path / "nowhere")
    assert _within(10, lambda: index(tmp_path / "dist", tmp_path / "site")) == 2
    err = capsys.readouterr().err
    assert "cu130/mylib-1.3.0+cu130-py3-none-any.whl (a FIFO)" in err
    assert "cu130/sub (a directory)" in err
    assert "cpu (a dangling symlink)" in err
    assert not (tmp_path / "site").exists()


def _within(seconds: float, call: Callable[[], int]) -> int:
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert result, f"blocked for more than {seconds}s"
    return result[0]


@pytest.mark.parametrize(
    ("plant", "named"),
    [
        (
            lambda site, out: (site / "cu130" / "link").symlink_to(out, target_is_directory=True),
            "cu130/link (a symlink)",
        ),
        (lambda site, out: (site / "notes.txt").symlink_to(out / "secret"), "notes.txt (a symlink)"),
        (lambda site, out: _replace_with_link(site / "index.html", out / "secret"), "index.html (a symlink)"),
        (lambda site, out: (site / "cu130" / "empty").mkdir(), "cu130/empty"),
        (lambda site, out: os.mkfifo(site / "cu130" / "pipe"), "cu130/pipe (a FIFO)"),
    ],
)
def test_what_was_planted_in_the_site_is_reported_and_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], plant: Callable[[Path, Path], None], named: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("keep me")
    make_wheel(tmp_path / "a" / "cu130", version="1.2.0+cu130")
    site = tmp_path / "site"
    assert index(tmp_path / "a", site) == 0
    plant(site, outside)
    before = sorted(str(p.relative_to(site)) for p in site.rglob("*"))
    make_wheel(tmp_path / "b" / "cu130", version="1.3.0+cu130")
    assert _within(10, lambda: index(tmp_path / "b", site)) == 2
    err = capsys.readouterr().err
    assert "holds files hatch-torch did not write" in err
    assert named in err
    assert sorted(str(p.relative_to(site)) for p in site.rglob("*")) == before
    assert (outside / "secret").read_text() == "keep me"


def _replace_with_link(path: Path, target: Path) -> None:
    path.unlink()
    path.symlink_to(target)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("{outside}", "is not BACKEND/PROJECT/FILE.whl inside the site"),  # an absolute path
        ("cu130/../../outside/mylib-9.0+cu130-py3-none-any.whl", "is not BACKEND/PROJECT/FILE.whl inside the site"),
        ("cu130/.hidden/mylib-9.0+cu130-py3-none-any.whl", "is not BACKEND/PROJECT/FILE.whl inside the site"),
        ("cu130/mylib", "is not BACKEND/PROJECT/FILE.whl inside the site"),
    ],
)
def test_a_manifest_entry_outside_the_site_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: str, expected: str
) -> None:
    outside = make_wheel(tmp_path / "outside", version="9.0+cu130")
    make_wheel(tmp_path / "a" / "cu130", version="1.2.0+cu130")
    site = tmp_path / "site"
    assert index(tmp_path / "a", site) == 0
    manifest = json.loads((site / MANIFEST).read_text())
    sha = hashlib.sha256(outside.read_bytes()).hexdigest()
    manifest["files"][entry.format(outside=outside)] = {"sha256": sha}
    (site / MANIFEST).write_text(json.dumps(manifest))
    make_wheel(tmp_path / "b" / "cu130", version="1.3.0+cu130")
    assert index(tmp_path / "b", site) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "9.0" not in "".join(p.name for p in site.rglob("*"))


@pytest.mark.parametrize(
    "manifest",
    [
        '{"files": []}',
        '{"files": {"cu130/mylib/x.whl": 1}}',
        '{"files": {"cu130/mylib/x.whl": {"sha256": 3}}}',
        "[]",
        "{",
    ],
)
def test_a_malformed_manifest_is_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str], manifest: str) -> None:
    make_wheel(tmp_path / "a" / "cu130", version="1.2.0+cu130")
    site = tmp_path / "site"
    assert index(tmp_path / "a", site) == 0
    (site / MANIFEST).write_text(manifest)
    assert index(tmp_path / "a", site) == 2
    err = capsys.readouterr().err
    assert "was not written by `hatch-torch index` (" in err
    assert "Traceback" not in err


def test_a_fifo_manifest_does_not_block(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_wheel(tmp_path / "a" / "cu130", version="1.2.0+cu130")
    site = tmp_path / "site"
    assert index(tmp_path / "a", site) == 0
    (site / MANIFEST).unlink()
    os.mkfifo(site / MANIFEST)
    assert _within(10, lambda: index(tmp_path / "a", site)) == 2
    assert "is a FIFO, not a regular file" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["build", "matrix"])
def test_a_fifo_pyproject_does_not_block(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    os.mkfifo(tmp_path / "pyproject.toml")
    extra = ["--backends", "cpu", "--out", str(tmp_path / "out")] if command == "build" else []
    assert _within(10, lambda: main([command, "--project", str(tmp_path), *extra])) == 2
    assert "is a FIFO, not a regular file" in capsys.readouterr().err


@pytest.mark.slow
def test_a_metadata_bomb_is_refused_without_reading_it(tmp_path: Path) -> None:
    """METADATA that inflates to 300 MB (a 300 kB wheel) is refused; the run stays far below that in memory."""
    wheel = tmp_path / "dist" / "cu130" / "mylib-1.2.0+cu130-py3-none-any.whl"
    wheel.parent.mkdir(parents=True)
    with (
        zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("mylib-1.2.0+cu130.dist-info/METADATA", "w") as f,
    ):
        f.write(b"Metadata-Version: 2.4\nName: mylib\nVersion: 1.2.0+cu130\n")
        for _ in range(300):
            f.write(b"\0" * (1 << 20))
    assert wheel.stat().st_size < 1 << 20
    code = "import resource, sys; from hatch_torch.cli import main; rc = main(sys.argv[1:]); "
    code += "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(rc)"
    proc = subprocess.run(
        [sys.executable, "-c", code, "index", str(tmp_path / "dist"), "--out", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "METADATA inflates to 314572855 bytes (more than 4194304)" in proc.stderr
    peak_kb = int(proc.stderr.strip().splitlines()[-1])
    assert peak_kb < 150 * 1024, f"peak RSS {peak_kb} kB"
    assert not (tmp_path / "site").exists()


# --- interruptions ----------------------------------------------------------------------------------------------


def test_a_kill_between_the_two_renames_is_recovered_by_the_next_run(tmp_path: Path) -> None:
    """The state the two-rename swap (systems without an atomic exchange) leaves when killed between its renames:
    no site, the old one in .site.old-*, the new one in .site.tmp-*. The next run restores and extends the old."""
    make_wheel(tmp_path / "a" / "cu130", version="1.2.0+cu130")
    site = tmp_path / "site"
    assert index(tmp_path / "a", site) == 0
    old = published(site)
    make_wheel(tmp_path / "b" / "cu130", version="1.3.0+cu130")
    os.rename(site, tmp_path / ".site.old-x1")
    (tmp_path / ".site.tmp-x1" / "cu130").mkdir(parents=True)
    assert index(tmp_path / "b", site) == 0
    now = published(site)
    assert set(old) < set(now)
    assert "cu130/mylib/mylib-1.3.0+cu130-py3-none-any.whl" in now
    assert leftovers(site) == []


def test_the_two_rename_swap_replaces_the_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The path taken where the system has no atomic exchange (macOS, Windows), forced here."""
    monkeypatch.setattr(swap, "_exchange", lambda a, b: False)
    make_wheel(tmp_path / "a" / "cu130", version="1.2.0+cu130")
    make_wheel(tmp_path / "b" / "cu130", version="1.3.0+cu130")
    site = tmp_path / "site"
    assert index(tmp_path / "a", site) == 0
    assert index(tmp_path / "b", site) == 0
    assert len(published(site)) == 2
    assert leftovers(site) == []


KILLS = int(os.environ.get("HATCH_TORCH_KILL_LOOPS", "20"))
#: the child for the two-rename path, as systems without an atomic exchange (macOS, Windows) run it
TWO_RENAMES = (
    "import sys; from hatch_torch.publish import swap; swap._exchange = lambda a, b: False; "
    "from hatch_torch.cli import main; sys.exit(main(['index', *sys.argv[1:]]))"
)


@pytest.mark.slow
@pytest.mark.parametrize("path", ["exchange", "two renames"])
def test_kill_9_at_random_points_never_leaves_no_site(tmp_path: Path, path: str) -> None:
    """Kill ``hatch-torch index`` at random moments of its run, then check the site is whole and still holds every
    wheel of the runs that finished; a rerun must then succeed with the union and leave nothing behind. With two
    renames, a kill between them parks the old site whole for the rerun to restore (the exchange never does)."""
    site = tmp_path / "site"
    for n in range(60):  # a site big enough that writing it takes a while
        make_wheel(tmp_path / "seed" / "cu130", version=f"0.{n}+cu130", payload="x" * 300_000)
    assert index(tmp_path / "seed", site) == 0
    command = [sys.executable, "-m", "hatch_torch", "index"]
    if path == "two renames":
        command = [sys.executable, "-c", TWO_RENAMES]
    make_wheel(tmp_path / "probe" / "cu130", version="0.99+cu130")
    runs = []
    for _ in range(3):  # an uninterrupted run, the longest of three (the later ones only rewrite the site)
        start = time.perf_counter()
        subprocess.run([*command, str(tmp_path / "probe"), "--out", str(site)], check=True, capture_output=True)
        runs.append(time.perf_counter() - start)
    duration = max(runs)
    rng = random.Random(20261202)
    stats = dict.fromkeys(("cases", "survived", "finished first", "killed before the swap", "killed after it"), 0)
    stats["left a working folder"] = stats["parked (no site until the rerun)"] = 0
    for i in range(KILLS):
        before = published(site)
        batch = tmp_path / f"batch{i}"
        make_wheel(batch / "cu130", version=f"1.{i}+cu130", payload="y" * 300_000)
        new = f"cu130/mylib/mylib-1.{i}+cu130-py3-none-any.whl"
        proc = subprocess.Popen(
            [*command, str(batch), "--out", str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.2, 1.5) * duration)
        proc.send_signal(signal.SIGKILL)
        killed = proc.wait() == -signal.SIGKILL
        stats["cases"] += 1
        stats["left a working folder"] += bool(leftovers(site))
        if path == "two renames" and not site.exists():  # killed between the renames: the old site is parked whole
            (parked,) = [p for p in tmp_path.iterdir() if p.name.startswith(".site.old-")]
            after = published(parked)
            stats["parked (no site until the rerun)"] += 1
        else:
            after = published(site)  # the site is whole: the old one or the new one
        assert set(before) <= set(after)
        stats["finished first" if not killed else "killed after it" if new in after else "killed before the swap"] += 1
        rerun = subprocess.run([*command, str(batch), "--out", str(site)], capture_output=True, text=True, check=False)
        assert rerun.returncode == 0, rerun.stderr
        final = published(site)
        assert set(after) <= set(final)
        assert new in final
        assert leftovers(site) == []
        stats["survived"] += 1
    print(f"kill -9 loop ({path}): {stats} (uninterrupted run {duration:.2f}s)")
    assert stats["survived"] == KILLS
    assert stats["killed before the swap"] + stats["killed after it"] > 0
