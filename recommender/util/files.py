"""Writing files and folders atomically: write beside the target, then rename onto it.

A rename within one folder is atomic, so a reader sees either the old target or
the complete new one, never a half-written file; a failed write leaves the old
target as it was and removes what it wrote.

A folder cannot be renamed onto a folder that has files, so replacing one takes two
renames: the old folder aside (``.<name>.old-<pid>-<random>``), then the new one
(written in ``.<name>.tmp-<pid>-<random>``) into place. A process killed between
them leaves no folder at the target but a complete backup beside it, and a process
killed while writing leaves its temporary folder: :func:`leftovers` finds both by
the writer's process id, so that the next writer can restore or remove them
(:mod:`recommender.util.persistence` does).
"""

from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

__all__ = ["atomic_path", "leftovers"]

_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)-[^/]*$")


@contextmanager
def atomic_path(target: str | Path, *, directory: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target`` that replaces it when the block succeeds.

    The block writes the new content to the yielded path: a file (the path does
    not exist yet and keeps ``target``'s suffix, so writers that go by the suffix
    write the same format), or with ``directory`` the files of a folder (the path
    is an empty folder). An existing folder at ``target`` is moved aside first,
    since a rename cannot replace a folder that has files, and removed after. If
    the block raises, the temporary path is removed and ``target`` is untouched.

    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_path(folder / "notes.txt") as tmp:
    ...     _ = tmp.write_text("done")
    >>> [p.name for p in folder.iterdir()], (folder / "notes.txt").read_text()
    (['notes.txt'], 'done')
    >>> shutil.rmtree(folder)
    """
    target = Path(target)
    if directory:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    else:
        tmp = target.with_name(f".{target.stem}.{os.getpid()}-{secrets.token_hex(4)}.tmp{target.suffix}")
    try:
        yield tmp
        backup = None
        if tmp.is_dir() and target.is_dir():
            backup = target.with_name(f".{target.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
            os.replace(target, backup)
        os.replace(tmp, target)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


def leftovers(target: str | Path, *, running: bool = False) -> list[tuple[str, Path]]:
    """Folders that replacements of ``target`` left beside it, as (kind, path), newest first.

    ``kind`` is ``'tmp'`` for a new folder that was being written and ``'old'`` for
    the previous folder moved aside. Without ``running``, only those whose writer
    is no longer running (or is this process) are listed, the ones a writer holding
    the folder's lock may remove: another process may still be using its own.
    """
    target = Path(target)
    found = []
    for path in target.parent.glob(f".{glob.escape(target.name)}.*-*"):
        match = _LEFTOVER.match(path.name)
        if match and match["name"] == target.name and (running or not _running(int(match["pid"]))):
            try:
                found.append((path.stat().st_mtime, match["kind"], path))
            except FileNotFoundError:  # removed by its writer meanwhile
                continue
    return [(kind, path) for _, kind, path in sorted(found, key=lambda item: item[0], reverse=True) if path.is_dir()]


def _running(pid: int) -> bool:
    """Whether another process with this id is running."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, as another user
        return True
    except OverflowError:  # not a process id at all
        return False
    return True
