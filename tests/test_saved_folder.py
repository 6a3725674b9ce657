"""A saved folder is checked when loaded: truncated, swapped, missing or foreign files and damaged manifests are
refused with an IndexMismatchError naming the file, what was expected and what was found; folders saved before the
manifest listed its files still load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender import Recommender
from recommender import saved as saved_folder
from recommender.search import IndexConfig
from recommender.util import IndexMismatchError, persistence

from .conftest import NICHES, HashingEncoder

BRIEF = "vegan curry recipe"
FILES = ["alive.npy", "authenticity.parquet", "bio_vectors.npy", "creator_vectors.npy", "creators.parquet",
         "index.faiss", "lexical_postings.npz", "lexical_vocabulary.json", "post_owner.npy", "post_vectors.npy",
         "posts.parquet"]


def build(seed: int, creators: int = 40) -> Recommender:
    """A small recommender with a FAISS file (HNSW); the seed changes the followers and posts, not the counts."""
    rng = np.random.default_rng(seed)
    rows, posts = [], []
    for i in range(creators):
        niche = list(NICHES)[i % 4]
        rows.append({"creator_id": f"c{i:03d}", "followers": int(10 ** rng.uniform(3, 6)),
                     "bio": f"{niche} creator sharing {NICHES[niche][int(rng.integers(4))]}"})
        for j in range(3):
            likes = int(rng.integers(10, 5_000))
            posts.append({"creator_id": f"c{i:03d}", "caption": f"{NICHES[niche][(i + j + seed) % 4]} day {j}",
                          "likes": likes, "comments": likes // 20})
    return Recommender.build(pd.DataFrame(rows), pd.DataFrame(posts), encoder=HashingEncoder(),
                             index=IndexConfig(kind="hnsw"))


def load(folder: Path, **options) -> Recommender:
    return Recommender.load(folder, encoder=HashingEncoder(), **options)


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """A folder saved once (copy it before damaging it) and its results for :data:`BRIEF`."""
    rec = build(1)
    folder = rec.save(tmp_path_factory.mktemp("saved") / "idx")
    return folder, rec.recommend(BRIEF, k=10)


@pytest.fixture
def folder(saved, tmp_path) -> Path:
    return Path(shutil.copytree(saved[0], tmp_path / "idx"))


def strip_checksums(folder: Path) -> None:
    """Make ``folder`` look saved before the manifest listed its files."""
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["files"]
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_the_manifest_lists_every_file_with_its_size_and_hashes(folder):
    files = json.loads((folder / "manifest.json").read_text())["files"]
    assert sorted(files) == FILES == sorted(p.name for p in folder.iterdir() if p.name != "manifest.json")
    for name, entry in files.items():
        assert entry["bytes"] == (folder / name).stat().st_size and len(entry["sha256"]) == 64


def test_an_intact_folder_loads_with_every_check_and_gives_the_saved_results(saved, folder):
    for options in ({}, {"mmap": True}):
        pd.testing.assert_frame_equal(load(folder, **options).recommend(BRIEF, k=10), saved[1])
    saved_folder.load(folder, encoder=HashingEncoder(), mmap=True, verify=True)


def test_a_folder_saved_before_checksums_still_loads(saved, folder):
    strip_checksums(folder)
    pd.testing.assert_frame_equal(load(folder).recommend(BRIEF, k=10), saved[1])


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("checksums", [True, False], ids=["manifest-with-checksums", "manifest-without"])
def test_a_truncated_file_is_refused_naming_it(folder, name, checksums):
    if not checksums:
        strip_checksums(folder)
    path = folder / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(IndexMismatchError, match="rebuild it") as error:
        load(folder)
    assert str(error.value).startswith(f"{path}: ")
    if checksums:
        assert "expected" in str(error.value) and "bytes (truncated or replaced)" in str(error.value)


@pytest.mark.parametrize("pair", [("bio_vectors.npy", "post_vectors.npy"), ("creators.parquet", "posts.parquet"),
                                  ("creator_vectors.npy", "post_vectors.npy"), ("alive.npy", "post_owner.npy")])
@pytest.mark.parametrize("checksums", [True, False], ids=["manifest-with-checksums", "manifest-without"])
def test_swapped_files_are_refused_naming_one_with_expected_and_found(folder, pair, checksums):
    if not checksums:
        strip_checksums(folder)
    first, second = folder / pair[0], folder / pair[1]
    first.rename(folder / "swap")
    second.rename(first)
    (folder / "swap").rename(second)
    with pytest.raises(IndexMismatchError, match=r"expected .*, found .*; the folder is inconsistent.*rebuild it"
                       ) as error:
        load(folder)
    assert str(error.value).split(":")[0] in (str(first), str(second))


def test_swapped_vectors_report_the_shapes_the_manifest_expects(folder):
    strip_checksums(folder)
    (folder / "bio_vectors.npy").write_bytes((folder / "post_vectors.npy").read_bytes())
    with pytest.raises(IndexMismatchError, match=r"bio_vectors.npy: expected an array of shape \(40, 64\), "
                                                 r"found shape \(120, 64\)"):
        load(folder)


@pytest.mark.parametrize("mmap", [False, True])
def test_a_file_from_another_build_with_the_same_counts_is_refused(saved, folder, tmp_path, mmap):
    other = build(2).save(tmp_path / "other")
    for name in ("index.faiss", "creator_vectors.npy", "posts.parquet"):
        same_size = (other / name).stat().st_size == (folder / name).stat().st_size
        shutil.copy(other / name, folder / name)
        found = r"the SHA-256 .*another build" if same_size else r"[\d,]+ bytes, found [\d,]+ bytes"
        with pytest.raises(IndexMismatchError, match=rf"{name}: expected {found}"):
            load(folder, mmap=mmap)
        shutil.copy(saved[0] / name, folder / name)
    load(folder, mmap=mmap)


def test_a_missing_file_is_refused_naming_it(folder):
    (folder / "post_vectors.npy").unlink()
    with pytest.raises(IndexMismatchError, match=r"post_vectors.npy: expected a file of [\d,]+ bytes .*, found no "
                                                 "such file"):
        load(folder)
    strip_checksums(folder)
    with pytest.raises(IndexMismatchError, match=r"post_vectors.npy: cannot be read .*rebuild it"):
        load(folder)


@pytest.mark.parametrize("text, message", [
    ("{not json", r"manifest.json: expected a JSON object, found unreadable text"),
    ("[1, 2]", r"manifest.json: expected a JSON object, found a JSON list"),
    ("\xff\xfe", r"manifest.json: expected a JSON object, found unreadable text"),
    ('{"format_version": 1}', r"manifest.json: an entry is missing or malformed \(KeyError: 'model, precision"),
    ('{"format_version": "1"}', r"format version '1', this version of recommender reads 1; rebuild it"),
])
def test_a_damaged_manifest_is_refused(folder, text, message):
    (folder / "manifest.json").write_text(text, encoding="latin-1")
    with pytest.raises(IndexMismatchError, match=message):
        load(folder)


def test_a_manifest_with_a_damaged_entry_is_refused(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    for damaged in ({**manifest, "counts": "many"}, {**manifest, "files": {"../x": 1}},
                    {**manifest, "index": {"kind": "bogus"}}):
        (folder / "manifest.json").write_text(json.dumps(damaged))
        with pytest.raises(IndexMismatchError, match="manifest.json: .*rebuild it"):
            load(folder)


def test_a_manifest_of_a_newer_format_asks_for_an_upgrade(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "format_version": persistence.FORMAT_VERSION + 1}))
    with pytest.raises(IndexMismatchError, match=r"format version 2 by a newer recommender; this version reads 1\. "
                                                 "Upgrade recommender, or rebuild it"):
        load(folder)


def test_a_changed_byte_in_a_large_file_is_found_by_a_full_check(tmp_path, monkeypatch):
    monkeypatch.setattr(persistence, "SMALL_FILE_BYTES", 1024)  # so that this folder's vectors count as large
    monkeypatch.setattr(persistence, "SAMPLE_BYTES", 1024)
    folder = build(1).save(tmp_path / "idx")
    path = folder / "post_vectors.npy"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1  # in the middle: the ends are unchanged
    path.write_bytes(bytes(data))
    load(folder, mmap=True)  # memory-mapped: a large file is checked by its ends only
    with pytest.raises(IndexMismatchError, match=r"post_vectors.npy: expected the SHA-256 "):
        load(folder)
    with pytest.raises(IndexMismatchError, match=r"post_vectors.npy: expected the SHA-256 "):
        saved_folder.load(folder, encoder=HashingEncoder(), mmap=True, verify=True)
