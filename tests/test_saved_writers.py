"""Writers of a saved folder: a save killed with SIGKILL (while writing, or between its two renames) never costs
the previous build, and the next save cleans up after it; saves into one folder from two processes take turns and
leave one complete build; a save that cannot get the folder's lock says who holds it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from recommender.util import RecommenderError, persistence

from .test_saved_folder import BRIEF, build, load

ROOT = Path(__file__).resolve().parent.parent

# A save in another process; its mode makes it slow where the test needs it to be, so that it can be killed there.
CHILD = r"""
import json, os, sys, time
from pathlib import Path
sys.path.insert(0, os.getcwd())
from tests.test_saved_folder import build

folder, seed, creators, mode = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rec = build(seed, creators)
write_index = rec.corpus.index.save
if mode == "slow-write":  # stops after writing some of the files
    def index_save(directory):
        write_index(directory)
        time.sleep(120)
    rec.corpus.index.save = index_save
elif mode == "stop-between-renames":  # stops after moving the old folder aside, before moving the new one in
    replace = os.replace
    def stopping(source, destination):
        replace(source, destination)
        if Path(destination).name.startswith(f".{folder.name}.old-"):
            time.sleep(120)
    os.replace = stopping
elif mode == "concurrent":  # starts when told to; records when it writes and who holds the lock meanwhile
    def index_save(directory):
        start = time.time()
        write_index(directory)
        time.sleep(0.4)
        holder = folder.with_name(f".{folder.name}.lock").read_text()
        print(json.dumps({"start": start, "end": time.time(), "holder": holder, "pid": os.getpid()}), flush=True)
    rec.corpus.index.save = index_save
    while not (folder.parent / "go").exists():
        time.sleep(0.01)
rec.save(folder)
"""


def start(folder: Path, seed: int, mode: str, creators: int = 40) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CHILD, str(folder), str(seed), str(creators), mode], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"})


def wait_until(condition, child: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert child.poll() is None, f"the save ended early:\n{child.communicate()[1]}"
        assert time.monotonic() < deadline, "the save never got there"
        time.sleep(0.02)


def kill(child: subprocess.Popen) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.communicate()


def test_a_save_killed_while_writing_leaves_the_old_build_and_the_next_save_cleans_up(tmp_path):
    old = build(1)
    folder = old.save(tmp_path / "idx")
    child = start(folder, 2, "slow-write")
    wait_until(lambda: any((p / "alive.npy").is_file() for p in tmp_path.glob(".idx.tmp-*")), child)
    kill(child)
    assert {p.name.split("-")[0] for p in tmp_path.iterdir()} == {"idx", ".idx.tmp", ".idx.lock"}
    pd.testing.assert_frame_equal(load(folder).recommend(BRIEF, k=10), old.recommend(BRIEF, k=10))

    new = build(3)
    new.save(folder)
    assert [p.name for p in tmp_path.iterdir()] == ["idx"]  # the killed save's folder and lock file are gone
    pd.testing.assert_frame_equal(load(folder).recommend(BRIEF, k=10), new.recommend(BRIEF, k=10))


def test_a_save_killed_between_its_two_renames_leaves_the_old_build_readable_and_restored(tmp_path, caplog):
    old = build(1)
    folder = old.save(tmp_path / "idx")
    child = start(folder, 2, "stop-between-renames")
    wait_until(lambda: not folder.exists() and any(tmp_path.glob(".idx.old-*")), child)
    kill(child)
    assert not folder.exists()
    pd.testing.assert_frame_equal(load(folder).recommend(BRIEF, k=10), old.recommend(BRIEF, k=10))
    assert "idx is missing: a save was interrupted while replacing it" in caplog.text

    new = build(3)
    new.save(folder)
    assert "Restored" in caplog.text and [p.name for p in tmp_path.iterdir()] == ["idx"]
    pd.testing.assert_frame_equal(load(folder).recommend(BRIEF, k=10), new.recommend(BRIEF, k=10))


@pytest.mark.parametrize("existing", [False, True], ids=["new-folder", "replacing-a-folder"])
def test_two_processes_saving_into_one_folder_take_turns_and_leave_one_complete_build(tmp_path, existing):
    folder = tmp_path / "idx"
    if existing:
        build(9).save(folder)
    children = [start(folder, seed, "concurrent", creators=40 + seed) for seed in (1, 2)]
    (tmp_path / "go").touch()
    writes = []
    for child in children:
        out, err = child.communicate(timeout=180)
        assert child.returncode == 0 and "Traceback" not in err, err
        writes.append(json.loads(out))
    for write in writes:
        assert write["holder"] == str(write["pid"])  # each wrote holding the lock itself
    first, second = sorted(writes, key=lambda w: w["start"])
    assert first["end"] <= second["start"]  # one after the other
    assert sorted(p.name for p in tmp_path.iterdir()) == ["go", "idx"]
    loaded = load(folder)
    creators = len(loaded.creators)
    assert creators in (41, 42)
    pd.testing.assert_frame_equal(loaded.recommend(BRIEF, k=10), build(creators - 40, creators).recommend(BRIEF, k=10))


def test_a_save_that_cannot_get_the_lock_says_who_holds_it(tmp_path):
    folder = tmp_path / "idx"
    with persistence.write_lock(folder):
        message = rf"another build is writing {re.escape(str(folder))} \(pid {os.getpid()}\); wait for it to " \
                  "finish or pick another --out"
        with pytest.raises(RecommenderError, match=message):
            with persistence.atomic_directory(folder, lock_timeout=0.2):
                pass
    assert not any(tmp_path.iterdir())


def test_a_save_waits_for_the_lock_and_then_writes(tmp_path):
    folder = tmp_path / "idx"
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with persistence.write_lock(folder):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    threading.Timer(0.3, release.set).start()
    started = time.monotonic()
    with persistence.atomic_directory(folder, lock_timeout=10) as tmp:
        (tmp / "manifest.json").write_text("{}")
    thread.join()
    assert time.monotonic() - started >= 0.25 and [p.name for p in tmp_path.iterdir()] == ["idx"]


def test_a_save_removes_leftovers_of_dead_writers_only(tmp_path):
    folder = build(1).save(tmp_path / "idx")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftovers = {f".idx.tmp-{dead.pid}-abc": False, f".idx.old-{dead.pid}-abc": False,
                 f".idx.tmp-{os.getppid()}-abc": True, ".other.tmp-1-abc": True}  # name: kept
    for name in leftovers:
        (tmp_path / name).mkdir()
    build(2).save(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["idx"] + [n for n, kept in leftovers.items() if kept])


def test_a_save_never_replaces_a_folder_that_is_not_a_saved_recommender(tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / "notes.txt").write_text("mine")
    rec = build(1)
    for target in ("photos", "notes.txt"):
        with pytest.raises(FileExistsError, match="exists and is not a saved recommender; refusing to replace it"):
            rec.save(tmp_path / target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "photos"]
