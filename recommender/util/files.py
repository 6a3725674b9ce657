"""Writing files and folders atomically: write beside the target, then rename onto it.

A rename within one folder is atomic, so a reader sees either the old target or
the complete new one, never a half-written file; an interrupted or failed write
leaves the old target as it was and removes what it wrote.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

__all__ = ["atomic_path"]


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
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    else:
        tmp = target.with_name(f".{target.stem}.{os.getpid()}-{secrets.token_hex(4)}.tmp{target.suffix}")
    try:
        yield tmp
        backup = None
        if tmp.is_dir() and target.is_dir():
            backup = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, backup)
        os.replace(tmp, target)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
