"""Lookalike creators: the Rocchio query, nearest-seed scoring, Recommender.similar and the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender import BrandBrief, Recommender
from recommender.ranking.lookalike import LookalikeWeights, rank_lookalikes, seed_queries, seed_query
from recommender.ranking.score import RankingWeights

from ..conftest import DATA


def unit(*rows: list[float]) -> np.ndarray:
    vectors = np.array(rows, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


# ----------------------------------------------------------------- pure functions
def test_seed_query_is_the_unit_mean_of_the_seeds():
    vectors = unit([1, 0, 0], [0, 1, 0], [0, 0, 1])
    np.testing.assert_allclose(seed_query(vectors, [0, 1]), [2 ** -0.5, 2 ** -0.5, 0], atol=1e-6)


def test_rocchio_weights_set_the_ratio_of_liked_to_turned_down():
    vectors = unit([1, 0], [0, 1])
    query = seed_query(vectors, [0], [1], weights=LookalikeWeights(positive=0.3, negative=0.15))
    assert np.linalg.norm(query) == pytest.approx(1.0)
    assert query[1] / query[0] == pytest.approx(-0.5)


def test_a_negative_seed_pushes_the_query_away_from_it():
    vectors = unit([1, 0.2, 0], [0.9, 0.6, 0.3], [0.8, 1.0, 0])  # liked 0; turned down 2; candidate 1 is near 2
    plain, pushed = seed_query(vectors, [0]), seed_query(vectors, [0], [2])
    assert pushed @ vectors[2] < plain @ vectors[2]
    assert pushed @ vectors[0] > pushed @ vectors[1]


def test_a_brief_keeps_most_of_the_weight():
    vectors = unit([1, 0, 0], [0, 1, 0])
    brief = np.array([0, 0, 1], dtype=np.float32)
    query = seed_query(vectors, [0, 1], brief=brief)
    assert query @ brief > 0.8
    assert query @ brief > max(query @ vectors[0], query @ vectors[1]) * 2


def test_the_brief_weight_must_exceed_the_seeds_weight_when_a_brief_is_given():
    vectors = unit([1, 0], [0, 1])
    weights = LookalikeWeights(brief=0.2, positive=0.3)
    seed_query(vectors, [0], weights=weights)  # no brief: its weight does not matter
    with pytest.raises(ValueError, match=r"The 'brief' parameter of LookalikeWeights must be greater than 'positive'"):
        seed_query(vectors, [0], brief=vectors[1], weights=weights)


@pytest.mark.parametrize("kwargs,match", [
    ({"positive": 0}, r"The 'positive' parameter of LookalikeWeights must be a float in the range \(0, inf\). Got 0"),
    ({"negative": -0.1}, r"The 'negative' parameter of LookalikeWeights must be a float in the range \[0, inf\)"),
    ({"nearest_seed": 1.5}, r"The 'nearest_seed' parameter of LookalikeWeights must be a float in the range \[0, 1\]"),
])
def test_weights_reject_bad_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LookalikeWeights(**kwargs)


def test_queries_are_the_mean_then_one_per_seed():
    vectors = unit([1, 0, 0], [0, 1, 0], [0, 0, 1])
    queries = seed_queries(vectors, [0, 1], [2])
    assert queries.shape == (3, 3)
    np.testing.assert_allclose(queries[0], seed_query(vectors, [0, 1], [2]))
    np.testing.assert_allclose(queries[2], seed_query(vectors, [1], [2]))
    assert seed_queries(vectors, [0]).shape == (1, 3)


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_nearest_seed_share_moves_the_score_from_the_mean_to_the_nearest_seed(share):
    # Seeds along x and y; candidates: one on the diagonal (near the mean), one on y (near a seed).
    vectors = unit([1, 0], [0, 1])
    queries = seed_queries(vectors, [0, 1])
    candidates = unit([1, 1], [0, 1])
    ranked = rank_lookalikes(candidates, vectors, queries, np.zeros((0, 2)), np.zeros(0, dtype=int),
                             np.full(2, 0.5), RankingWeights(engagement=0.0), 2, nearest_seed=share)
    by_candidate = dict(zip(ranked["order"], ranked["similarity"]))
    mean_cosine, seed_cosine = 1.0, 2 ** -0.5
    diagonal = (1 - share) * mean_cosine + share * seed_cosine
    on_y = (1 - share) * seed_cosine + share * 1.0
    assert by_candidate[0] == pytest.approx(diagonal, abs=1e-6)
    assert by_candidate[1] == pytest.approx(on_y, abs=1e-6)
    assert ranked["nearest"][list(ranked["order"]).index(1)] == 1


def test_seeds_that_cancel_out_are_an_error():
    vectors = unit([1, 0], [1, 0])
    with pytest.raises(ValueError, match="give no direction"):
        seed_query(vectors, [0], [1], weights=LookalikeWeights(negative=0.3))


def test_docstring_examples_run():
    import doctest

    from recommender.ranking import lookalike

    assert doctest.testmod(lookalike).failed == 0


# --------------------------------------------------------------- Recommender.similar
@pytest.fixture
def rec(planted, fake_encoder) -> Recommender:
    return Recommender.build(*planted, encoder=fake_encoder)


def niche_of(planted, ids) -> list[str]:
    return planted[0].set_index("creator_id").loc[list(ids), "niche"].tolist()


@pytest.mark.parametrize("seeds", [["c000"], ["c001", "c005", "c009"], ["c002", "c006"]])
def test_lookalikes_are_in_the_seeds_niche_and_never_the_seeds(rec, planted, seeds):
    results = rec.similar(seeds, k=10)
    assert len(results) == 10 and results["rank"].tolist() == list(range(1, 11))
    assert set(niche_of(planted, results["creator_id"])) == set(niche_of(planted, seeds[:1]))
    assert not set(results["creator_id"]) & set(seeds)
    assert (np.diff(results["score"]) <= 1e-12).all()
    assert set(results["nearest_seed"]) <= set(seeds)


def test_mixed_seeds_keep_both_niches_with_the_nearest_seed(rec, planted):
    results = rec.similar(["c000", "c001"], k=10)  # food and fitness
    niches = niche_of(planted, results["creator_id"])
    assert set(niches) == {"food", "fitness"}
    for niche, seed in (("food", "c000"), ("fitness", "c001")):
        assert (results["nearest_seed"][[n == niche for n in niches]] == seed).all()


def test_excluded_negative_and_removed_creators_are_never_returned(rec):
    first = rec.similar(["c000"], k=10)["creator_id"].tolist()
    rec.remove_creators([first[2]])
    results = rec.similar(["c000"], exclude=[first[0], "not-in-catalog"], negative=[first[1]], k=30)
    assert not set(results["creator_id"]) & {first[0], first[1], first[2], "c000"}
    assert len(results) == 30


def test_a_negative_seed_lowers_similar_creators(rec):
    plain = rec.similar(["c000"], k=119).set_index("creator_id")
    pushed = rec.similar(["c000"], negative=["c001"], k=119).set_index("creator_id")
    fitness = [f"c{i:03d}" for i in range(5, 120, 4)]
    assert (pushed.loc[fitness, "rank"] >= plain.loc[fitness, "rank"]).mean() > 0.9


def test_brief_filters_are_respected_and_accept_a_brief_or_text(rec, planted):
    brief = BrandBrief(name="b", description="vegan curry dinner", tiers=["micro"], platforms=["tiktok"])
    results = rec.similar(["c000"], brief=brief, k=5)
    creators = planted[0].set_index("creator_id").loc[results["creator_id"]]
    assert (creators["platform"] == "tiktok").all() and (results["tier"] == "micro").all()
    assert len(rec.similar(["c000"], brief="street food tacos", k=5)) == 5


def test_a_brief_nobody_passes_gives_an_empty_table(rec):
    results = rec.similar(["c000", "c001"], brief=BrandBrief(name="b", description="food", min_followers=10**9))
    assert results.empty and "nearest_seed" in results.columns


def test_reasons_name_the_nearest_seed_a_post_and_engagement(rec):
    results = rec.similar(["c000", "c001"], k=5)
    captions = rec.corpus.posts.set_index("post_id")["caption"]
    for row in results.itertuples():
        seed = rec.corpus.creators.set_index("creator_id").loc[row.nearest_seed, "handle"]
        assert row.reasons.startswith(f"like seed {seed} (cosine {row.seed_similarity:.2f})")
        assert captions[row.matched_posts] in row.reasons
        assert "tier" in row.reasons and "median for" in row.reasons


def test_unknown_and_contradictory_ids_are_clear_errors(rec):
    with pytest.raises(ValueError, match=r"similar: unknown creator_id\(s\) \['nope', 'gone'\]"):
        rec.similar(["c000", "nope"], negative=["gone"])
    with pytest.raises(ValueError, match=r"are both seeds and negative"):
        rec.similar(["c000"], negative=["c000"])
    with pytest.raises(ValueError, match="The 'k' parameter of Recommender.similar must be an int >= 1. Got 0"):
        rec.similar(["c000"], k=0)


def test_cli_similar_prints_lookalikes_and_writes_the_table(rec, tmp_path, cli, capsys):
    rec.save(tmp_path / "index")
    out = tmp_path / "similar.csv"
    args = ["similar", "--index", str(tmp_path / "index"), "--creator", "c000", "--creator", "c004",
            "--not", "c001", "--exclude", "c008", "-k", "4", "--out", str(out)]
    assert cli(args) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "Why:" in printed and "like seed @creator" in printed
    table = pd.read_csv(out)
    assert len(table) == 4 and not set(table["creator_id"]) & {"c000", "c004", "c001", "c008"}
    assert cli(args[:3] + ["--creator", "nope"]) == 2
    assert "unknown creator_id(s) ['nope']" in capsys.readouterr().err


@pytest.mark.integration
def test_real_model_lookalikes_of_sample_seeds_share_their_niche():
    from recommender.embedding.encoder import Encoder

    rec = Recommender.build(DATA / "creators.csv", DATA / "posts.csv",
                            encoder=Encoder(cache_dir=DATA.parent / ".cache" / "embeddings"))
    niche = rec.corpus.creators.set_index("creator_id")["niche"]
    food, pets = niche.index[niche == "food"][:2].tolist(), niche.index[niche == "pets"][:1].tolist()
    results = rec.similar(food, k=10)
    assert (niche[results["creator_id"]] == "food").mean() >= 0.8
    mixed = niche[rec.similar(food[:1] + pets, k=10)["creator_id"]]
    assert set(mixed) == {"food", "pets"}
