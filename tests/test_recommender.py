"""Recommender behaviour with a fast deterministic encoder: planted answers and invariants."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest

from recommender import BrandBrief, NotBuiltError, Recommender
from recommender.catalog.loader import load_catalog
from recommender.util.errors import IndexMismatchError
from recommender.ranking.score import RankingWeights

from .conftest import HashingEncoder


@pytest.fixture
def rec(planted, fake_encoder) -> Recommender:
    creators, posts = planted
    return Recommender.build(creators, posts, encoder=fake_encoder)


def niche_of(planted, ids):
    return planted[0].set_index("creator_id").loc[list(ids), "niche"].tolist()


@pytest.mark.parametrize("niche,text", [("food", "vegan curry recipe plant based"),
                                        ("tech", "phone camera review gadgets"),
                                        ("travel", "backpacking hostel beach island")])
def test_planted_niche_dominates_top_10(rec, planted, niche, text):
    results = rec.recommend(BrandBrief(name="b", description=text), k=10)
    assert niche_of(planted, results["creator_id"]).count(niche) >= 9


def test_scores_non_increasing_and_ranks_consecutive(rec):
    results = rec.recommend("gym workout running yoga", k=30)
    assert (np.diff(results["score"]) <= 1e-12).all()
    assert results["rank"].tolist() == list(range(1, 31))


def test_score_components_add_up(rec):
    weights = rec.weights
    r = rec.recommend("smart home gadgets", k=20)
    np.testing.assert_allclose(r["score"], weights.semantic * r["semantic"] + weights.engagement * r["engagement_score"])
    np.testing.assert_allclose(r["semantic"], (1 - weights.evidence) * r["similarity"]
                               + weights.evidence * r["post_evidence"] + weights.lexical * r["lexical"], rtol=1e-6)
    assert r["lexical"].between(0, 1).all() and r["lexical"].max() > 0


@pytest.mark.parametrize("field,value,check", [
    ("tiers", ["micro"], lambda c: c["tier"] == "micro"),
    ("min_followers", 50_000, lambda c: c["followers"] >= 50_000),
    ("max_followers", 20_000, lambda c: c["followers"] <= 20_000),
    ("platforms", ["TikTok"], lambda c: c["platform"] == "tiktok"),
    ("countries", ["gb"], lambda c: c["country"] == "GB"),
    ("filters", {"city": ["city1", "city2"]}, lambda c: c["city"].isin(["city1", "city2"])),
    ("filters", {"followers": {"min": 1000, "max": 30000}}, lambda c: c["followers"].between(1000, 30000)),
])
def test_filtered_creators_never_appear_and_k_is_filled(rec, planted, field, value, check):
    creators = rec.corpus.creators
    brief = BrandBrief(name="b", description="vegan curry recipe", **{field: value})
    results = rec.recommend(brief, k=15)
    passing = creators[check(creators)]
    assert len(results) == min(15, len(passing))
    assert set(results["creator_id"]) <= set(passing["creator_id"])


def test_min_engagement_rate_and_exclude_keywords(rec):
    results = rec.recommend(BrandBrief(name="b", description="vegan curry", min_engagement_rate=0.03), k=50)
    assert (results["engagement_rate"] >= 0.03).all()
    excluded = rec.recommend(BrandBrief(name="b", description="vegan curry", exclude_keywords=["sourdough"]), k=200)
    texts = rec.corpus.texts().set_axis(rec.corpus.creators["creator_id"])
    assert not texts.loc[excluded["creator_id"]].str.contains("sourdough").any()
    assert len(excluded) == (~texts.str.contains("sourdough")).sum()


def test_filter_that_nobody_passes_returns_empty(rec):
    assert rec.recommend(BrandBrief(name="b", description="x", min_followers=10**9), k=5).empty


def test_batch_equals_single(rec):
    briefs = [BrandBrief(name="a", description="vegan curry", brief_id="a"),
              BrandBrief(name="b", description="gaming pc", tiers=["nano", "micro"], brief_id="b")]
    batch = rec.recommend_batch(briefs, k=7)
    singles = pd.concat([rec.recommend(b, k=7) for b in briefs], ignore_index=True)
    pd.testing.assert_frame_equal(batch, singles)


def test_reasons_name_real_posts_tier_and_engagement(rec):
    results = rec.recommend(BrandBrief(name="b", description="sourdough bread baking", keywords=["sourdough"]), k=5)
    posts = rec.corpus.posts.set_index("post_id")
    for row in results.itertuples():
        first_post = row.matched_posts.split(";")[0]
        assert posts.loc[first_post, "creator_id"] == row.creator_id
        assert posts.loc[first_post, "caption"][:20] in row.reasons
        assert f"{row.tier} tier" in row.reasons and "median for" in row.reasons
    assert "mentions sourdough" in results["reasons"].iloc[0]


def test_engagement_weight_reorders_only_close_fits(planted, fake_encoder):
    creators, posts = planted
    semantic_only = Recommender.build(creators, posts, encoder=fake_encoder, weights=RankingWeights(engagement=0.0))
    r = semantic_only.recommend("vegan curry recipe", k=10)
    assert np.allclose(r["score"], r["semantic"])


def test_save_load_gives_identical_results(rec, tmp_path, fake_encoder):
    rec.save(tmp_path / "idx")
    loaded = Recommender.load(tmp_path / "idx", encoder=fake_encoder)
    brief = BrandBrief(name="b", description="marathon running", tiers=["micro", "nano"])
    pd.testing.assert_frame_equal(rec.recommend(brief, k=10), loaded.recommend(brief, k=10))
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["model"] == "test/hashing" and manifest["dimension"] == 64
    assert manifest["counts"]["creators"] == 120


def test_load_with_other_model_or_dimension_is_an_error(rec, tmp_path):
    rec.save(tmp_path / "idx")
    with pytest.raises(IndexMismatchError, match="built with model 'test/hashing' .*dimension 64.*encoder given is 'other/model'"):
        Recommender.load(tmp_path / "idx", encoder=HashingEncoder(model="other/model"))
    same_name_other_dim = Recommender.load(tmp_path / "idx", encoder=HashingEncoder(dim=32))
    with pytest.raises(IndexMismatchError, match="dimension 32, but the index holds dimension 64"):
        same_name_other_dim.recommend("vegan", k=3)


def test_load_uses_the_saved_encoder_backend_where_it_can_run(rec, tmp_path, monkeypatch):
    rec.save(tmp_path / "idx")
    path = tmp_path / "idx" / "manifest.json"
    manifest = json.loads(path.read_text())
    assert manifest["backend"] == rec.text_encoder.backend
    path.write_text(json.dumps({**manifest, "backend": "torch"}))
    assert Recommender.load(tmp_path / "idx").text_encoder.backend == "torch"
    path.write_text(json.dumps({**manifest, "backend": "openvino"}))
    monkeypatch.setitem(sys.modules, "openvino", None)  # as if not installed: 'auto' picks torch
    assert Recommender.load(tmp_path / "idx").text_encoder.backend == "torch"


def test_load_of_other_format_version_is_an_error(rec, tmp_path):
    rec.save(tmp_path / "idx")
    path = tmp_path / "idx" / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "format_version": 99}))
    with pytest.raises(IndexMismatchError, match="format version 99"):
        Recommender.load(tmp_path / "idx")


def test_failed_save_keeps_the_previous_index(rec, tmp_path, monkeypatch, fake_encoder):
    rec.save(tmp_path / "idx")
    before = rec.recommend("vegan curry", k=5)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(rec.corpus.index, "save", broken)  # fails after the tables and vectors are written
    with pytest.raises(OSError, match="disk full"):
        rec.save(tmp_path / "idx")
    monkeypatch.undo()
    pd.testing.assert_frame_equal(Recommender.load(tmp_path / "idx", encoder=fake_encoder).recommend("vegan curry", k=5), before)
    assert [p.name for p in tmp_path.iterdir()] == ["idx"]


def test_saved_arrays_load_without_pickle(rec, tmp_path):
    rec.save(tmp_path / "idx")
    for path in (tmp_path / "idx").glob("*.npy"):
        np.load(path, allow_pickle=False)


def _reloaded(rec: Recommender) -> Recommender:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        rec.save(f"{folder}/idx")
        return Recommender.load(f"{folder}/idx", encoder=rec.text_encoder)


def test_add_update_remove_creators(rec, planted):
    new_creator = pd.DataFrame([{"creator_id": "new1", "followers": 5000, "bio": "retro camera film photography"}])
    new_posts = pd.DataFrame([{"creator_id": "new1", "caption": "film camera darkroom photography", "likes": 300, "comments": 9}])
    rec.add_creators(new_creator, new_posts)
    assert rec.recommend("film camera darkroom photography", k=1)["creator_id"].iloc[0] == "new1"
    rec.update_creators(new_creator.assign(bio="sourdough"), new_posts.assign(caption="sourdough starter"))
    top = rec.recommend("film camera darkroom photography", k=3)
    assert "new1" not in set(top["creator_id"]) or top.set_index("creator_id").loc["new1", "rank"] > 1
    rec.remove_creators(["new1", "c000"])
    everything = rec.recommend("sourdough starter", k=500)
    assert not {"new1", "c000"} & set(everything["creator_id"])
    assert len(everything) == 119
    pd.testing.assert_frame_equal(_reloaded(rec).recommend("sourdough starter", k=500), everything)
    rec.add_creators(planted[0].head(1))  # a removed id can come back
    assert "c000" in set(rec.recommend("sourdough starter", k=500)["creator_id"])
    with pytest.raises(ValueError, match=r"already exist; use update_creators"):
        rec.add_creators(planted[0].iloc[[1]])
    with pytest.raises(ValueError, match=r"unknown creator_id\(s\) \['nobody'\]"):
        rec.remove_creators(["nobody"])


def test_fit_from_precomputed_vectors_matches_encoding(planted, fake_encoder):
    creators, posts = planted
    catalog = load_catalog(creators, posts)
    bio = fake_encoder.encode(catalog.creators["bio"].tolist())
    captions = fake_encoder.encode(catalog.posts["caption"].tolist())
    from_vectors = Recommender(encoder=fake_encoder).fit(catalog, bio_vectors=bio, post_vectors=captions)
    encoded = Recommender(encoder=fake_encoder).fit(catalog)
    pd.testing.assert_frame_equal(from_vectors.recommend("yoga flow", k=10), encoded.recommend("yoga flow", k=10))
    with pytest.raises(ValueError, match=r"'bio_vectors' parameter of Recommender.fit must have shape \(120, dim\)"):
        Recommender(encoder=fake_encoder).fit(catalog, bio_vectors=bio[:5])


def test_brief_errors_are_clear(rec):
    with pytest.raises(ValueError, match=r"unknown brief field\(s\) \['budget'\]. Valid fields: \['name', 'description'"):
        rec.recommend({"name": "x", "description": "y", "budget": 5})
    with pytest.raises(ValueError, match=r"names unknown tiers \['tiny'\]. Valid tiers: \['emerging', 'nano'"):
        rec.recommend(BrandBrief(name="x", description="y", tiers=["tiny"]))
    with pytest.raises(ValueError, match="filters on unknown column 'colour'"):
        rec.recommend(BrandBrief(name="x", description="y", filters={"colour": "red"}))
    with pytest.raises(ValueError, match=r"'k' parameter of Recommender.recommend_batch must be an int >= 1. Got 0 instead."):
        rec.recommend("y", k=0)
    with pytest.raises(ValueError, match="min_engagement_rate' of brief 'x' must be a fraction in \\[0, 1\\]"):
        BrandBrief(name="x", description="y", min_engagement_rate=3)


def test_not_built_is_an_error():
    with pytest.raises(NotBuiltError, match="not built yet"):
        Recommender().recommend("vegan", k=3)


def test_creator_without_text_is_kept_and_filterable(fake_encoder):
    creators = pd.DataFrame({"creator_id": ["a", "b"], "followers": [5000, 6000], "bio": ["vegan chef", ""]})
    rec = Recommender.build(creators, encoder=fake_encoder)
    results = rec.recommend("vegan chef", k=5)
    assert results["creator_id"].tolist() == ["a", "b"]
    assert results["similarity"].iloc[1] == 0.0


def test_explain_false_gives_same_ranking_without_reasons(rec):
    full = rec.recommend_batch(["vegan curry", "gaming pc"], k=10)
    fast = rec.recommend_batch(["vegan curry", "gaming pc"], k=10, explain=False)
    pd.testing.assert_frame_equal(full.drop(columns=["reasons", "matched_posts"]),
                                  fast.drop(columns=["reasons", "matched_posts"]))
    assert (fast["reasons"] == "").all() and (full["reasons"] != "").all()


@pytest.mark.parametrize("kind", ["exact", "hnsw"])
def test_memory_mapped_load_gives_identical_results(planted, fake_encoder, tmp_path, kind):
    from recommender.search.index import IndexConfig

    creators, posts = planted
    rec = Recommender.build(creators, posts, encoder=fake_encoder, index=IndexConfig(kind=kind))
    rec.save(tmp_path / "idx")
    mapped = Recommender.load(tmp_path / "idx", encoder=fake_encoder, mmap=True)
    assert isinstance(mapped.corpus.post_vectors, np.memmap)
    brief = BrandBrief(name="b", description="yoga stretching flow", tiers=["micro", "nano"])
    pd.testing.assert_frame_equal(mapped.recommend(brief, k=10), rec.recommend(brief, k=10))
    assert rec.corpus.post_vectors.dtype == np.float16 and rec.corpus.creator_vectors.dtype == np.float32


def test_tables_read_in_chunks_are_kept_in_one_chunk(planted, fake_encoder, tmp_path):
    import pyarrow as pa

    from recommender.search import contiguous

    creators, posts = planted
    chunked = pa.Table.from_pandas(creators, preserve_index=False)
    chunked = pa.concat_tables([chunked.slice(0, 50), chunked.slice(50)]).to_pandas()
    assert pa.Table.from_pandas(chunked).column("bio").num_chunks == 2
    single = contiguous(chunked)
    assert pa.Table.from_pandas(single).column("bio").num_chunks == 1
    pd.testing.assert_frame_equal(single, chunked)
    rec = Recommender.build(chunked, posts, encoder=fake_encoder)
    assert all(c.num_chunks == 1 for c in pa.Table.from_pandas(rec.corpus.creators, preserve_index=False).columns)
    pd.testing.assert_frame_equal(rec.recommend("yoga stretching flow", k=5),
                                  Recommender.build(creators, posts, encoder=fake_encoder).recommend("yoga stretching flow", k=5))


def test_columns_take_the_values_pandas_takes():
    from recommender.search import Columns

    frame = pd.DataFrame({
        "name": pd.array(["a", None, "c", "d"], dtype="string[pyarrow]"),
        "plain": pd.Series(["w", "x", None, "z"], dtype=object),
        "count": [1, 2, 3, 4],
        "tier": pd.Categorical(["nano", "micro", None, "nano"], categories=["nano", "micro", "macro"]),
    })
    positions = np.array([3, 1, 2, 1])
    columns = Columns(frame)
    for column in frame.columns:
        expected = frame[column].take(positions).to_numpy(dtype=object)
        got = columns.take(column, positions)
        assert len(got) == 4 and all(pd.isna(e) if pd.isna(g) else g == e for g, e in zip(got, expected)), column
    assert columns.take("count", positions).dtype == np.int64
    assert columns.take("tier", positions).astype(str).tolist() == ["nano", "micro", "nan", "micro"]


def test_a_brief_without_filters_has_no_mask(rec):
    assert rec.corpus.mask(BrandBrief(name="b", description="yoga")) is None
    mask = rec.corpus.mask(BrandBrief(name="b", description="yoga", tiers=["micro"], min_followers=20_000))
    expected = (rec.corpus.creators["tier"] == "micro") & (rec.corpus.creators["followers"] >= 20_000)
    np.testing.assert_array_equal(mask, expected.to_numpy())


@pytest.mark.parametrize("wanted", [2, 12])  # a few values (equality tests) and many (lookup table)
def test_value_filters_match_pandas_isin_for_few_and_many_values(rng, wanted):
    from recommender.search.filters import CreatorFilters
    from recommender.catalog.tiers import TierScheme

    values = [f"Country{i}" for i in range(20)]
    creators = pd.DataFrame({"country": rng.choice(values + [None], size=500), "followers": 1000})
    filters = CreatorFilters(creators, scheme=TierScheme.preset("default"), fair_rate=np.zeros(500), texts=lambda: None)
    allowed = [v.upper() + " " for v in values[:wanted]]  # matching ignores case and surrounding spaces
    mask = filters.mask(BrandBrief(name="b", description="d", countries=allowed))
    np.testing.assert_array_equal(mask, creators["country"].isin(values[:wanted]).to_numpy())


def test_standard_filter_columns_are_prepared_before_the_first_brief(rec):
    prepared = set(rec.corpus._filters._codes)
    assert {"tier", "platform", "country", "language"} <= prepared
    rec.recommend(BrandBrief(name="b", description="yoga", countries=["us"]), k=3)
    assert set(rec.corpus._filters._codes) == prepared


def test_public_accessors_show_live_creators_and_their_vectors(rec, planted, fake_encoder):
    creators, _ = planted
    assert rec.creators["creator_id"].tolist() == creators["creator_id"].tolist()
    assert rec.creator_vectors().shape == (len(creators), fake_encoder.dimension)
    np.testing.assert_array_equal(rec.creator_vectors(["c007", "c003"]), rec.creator_vectors()[[7, 3]])
    briefs = [BrandBrief(name="b", description="vegan curry"), "gym leg workout"]
    np.testing.assert_allclose(np.linalg.norm(rec.encode_briefs(briefs), axis=1), 1.0, atol=1e-5)
    assert rec.text_encoder is fake_encoder and rec.rejected is not None and rec.rejected.empty
    rec.remove_creators(["c003"])
    assert "c003" not in set(rec.creators["creator_id"]) and len(rec.creator_vectors()) == len(creators) - 1
    with pytest.raises(ValueError, match=r"Recommender.creator_vectors: unknown creator_id\(s\) \['c003'\]"):
        rec.creator_vectors(["c003"])
    assert len(rec.corpus) == len(creators) - 1 and len(rec.corpus.creators) == len(creators)  # the row is kept


def test_accessors_of_an_unbuilt_recommender_say_how_to_build_it():
    with pytest.raises(NotBuiltError, match=r"call Recommender.build\(...\), .fit\(catalog\) or Recommender.load"):
        Recommender().creators  # noqa: B018
