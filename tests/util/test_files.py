"""Tests of recommender.util.files: writes that replace their target only when they succeed."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.util import atomic_path


def test_a_file_write_replaces_the_target_and_leaves_nothing_beside_it(tmp_path):
    target = tmp_path / "vectors.npy"
    target.write_bytes(b"old")
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".npy" and not tmp.exists()
        np.save(tmp, np.arange(3), allow_pickle=False)  # keeps the name: np.save adds .npy to other names
    assert np.load(target).tolist() == [0, 1, 2] and [p.name for p in tmp_path.iterdir()] == ["vectors.npy"]


def test_a_failed_write_keeps_the_old_target_and_removes_the_partial_one(tmp_path):
    target = tmp_path / "plan.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["plan.csv"]


def test_a_folder_replaces_a_folder_with_files(tmp_path):
    target = tmp_path / "saved"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with atomic_path(target, directory=True) as tmp:
        assert tmp.is_dir() and not any(tmp.iterdir())
        (tmp / "new.txt").write_text("new")
    assert [p.name for p in target.iterdir()] == ["new.txt"] and [p.name for p in tmp_path.iterdir()] == ["saved"]
