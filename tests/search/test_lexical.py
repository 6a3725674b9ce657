"""BM25 lexical retrieval and its fusion with semantic fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender import Recommender
from recommender.search.lexical import LexicalIndex
from recommender.ranking.score import RankingWeights, fuse_lexical
from recommender.embedding.text import prepare_texts


def test_bm25_prefers_rarer_terms_and_shorter_documents():
    docs = ["retinol serum night routine", "serum serum serum for skin", "gaming chair review", ""]
    index = LexicalIndex().build(docs)
    scores = index.scores(["retinol serum"])[0]
    assert scores.argmax() == 0          # has the rare term
    assert scores[2] == 0 and scores[3] == 0


def test_hashtag_compounds_match_plain_words():
    """Exact-match keyword search misses 'vegan' in '#veganfood'; prepared text does not."""
    docs = prepare_texts(["dinner tonight #veganfood #plantbased", "steak night #bbq"])
    scores = LexicalIndex().build(docs).scores(["vegan"])[0]
    assert scores[0] > 0 and scores[1] == 0


def test_empty_corpus_scores_zero():
    index = LexicalIndex().build(["", "the and of"])
    assert index.scores(["anything"]).shape == (1, 2)
    assert not index.scores(["anything"]).any()


def test_save_load_round_trip(tmp_path):
    index = LexicalIndex().build(["yoga flow", "marathon training plan"])
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    np.testing.assert_array_equal(index.scores(["marathon"]), loaded.scores(["marathon"]))


def test_fusion_blend_and_rrf():
    semantic, lexical = np.array([0.6, 0.5, 0.4]), np.array([0.0, 0.2, 1.0])
    blended = fuse_lexical(semantic, lexical, RankingWeights(lexical=0.25))
    np.testing.assert_allclose(blended, [0.6, 0.55, 0.65])
    rrf = fuse_lexical(semantic, lexical, RankingWeights(lexical=1.0, fusion="rrf"))
    assert rrf.argmax() in (0, 2) and rrf[1] < max(rrf[0], rrf[2])
    assert rrf.max() <= 1.0
    np.testing.assert_array_equal(fuse_lexical(semantic, lexical, RankingWeights(lexical=0.0)), semantic)
    with pytest.raises(ValueError, match="'fusion' parameter of RankingWeights must be 'blend' or 'rrf'. Got 'max'"):
        RankingWeights(fusion="max")


@pytest.mark.parametrize("fusion", ["blend", "rrf"])
def test_hybrid_recommender_finds_rare_caption_word_and_keeps_invariants(planted, fake_encoder, fusion, tmp_path):
    creators, posts = planted
    posts = posts.copy()
    posts.loc[posts["creator_id"] == "c017", "caption"] += " kombucha"
    rec = Recommender.build(creators, posts, encoder=fake_encoder, weights=RankingWeights(lexical=0.5, fusion=fusion))
    results = rec.recommend("kombucha", k=10)
    assert results["creator_id"].iloc[0] == "c017"
    best = rec.corpus.lexical.query("kombucha").scores.max()  # one rare word: scaled by the strong-match floor, not to 1
    assert results["lexical"].iloc[0] == pytest.approx(min(1.0, best / max(best, rec.weights.lexical_scale)))
    assert results["lexical"].iloc[0] == results["lexical"].max()
    assert (np.diff(results["score"]) <= 1e-12).all()
    micro = rec.recommend({"name": "b", "description": "kombucha", "tiers": ["micro"]}, k=10)
    assert (micro["tier"] == "micro").all()
    rec.save(tmp_path / "idx")
    loaded = Recommender.load(tmp_path / "idx", encoder=fake_encoder)
    pd.testing.assert_frame_equal(loaded.recommend("kombucha", k=10), results)


def test_bm25_matches_the_textbook_formula():
    docs = ["yoga yoga mat", "yoga retreat in bali", "running shoes"]
    k1, b = 1.2, 0.75
    scores = LexicalIndex(k1=k1, b=b).build(docs).scores(["yoga mat"])[0]
    lengths = np.array([3, 3, 2])  # 'in' is a stop word
    avg = lengths.mean()

    def term(tf, df, length):
        idf = np.log1p((3 - df + 0.5) / (df + 0.5))
        return idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avg))

    expected = [term(2, 2, 3) + term(1, 1, 3), term(1, 2, 3), 0.0]
    np.testing.assert_allclose(scores, expected, rtol=1e-5)
    docs_hit, top_scores = LexicalIndex(k1=k1, b=b).build(docs).query("yoga mat").top(10)
    assert docs_hit.tolist() == [0, 1]
    np.testing.assert_allclose(top_scores, expected[:2], rtol=1e-5)


FULL = "alpha beta gamma delta epsilon zeta theta kappa"


@pytest.mark.parametrize("corpus, queries", [
    ("random", ("w1 w2 w3", "w4", "w5 w6 w7 w8 w9 w10")),
    # A few documents hold every query term: their postings repeat, so a threshold guessed from
    # every 8th posting can leave fewer than k documents above it and the fallback runs.
    ("repeated", (FULL,)),
])
def test_top_guesses_a_threshold_but_agrees_with_sorting_every_document(corpus, queries):
    """The best k of the matched postings are the best k documents, with and without a filter."""
    rng = np.random.default_rng(0 if corpus == "random" else 1)
    if corpus == "random":
        words = [f"w{i}" for i in range(30)]
        docs = [" ".join(rng.choice(words, size=rng.integers(1, 12))) for _ in range(500)]
    else:
        docs = [FULL + " filler" * int(rng.integers(0, 6)) for _ in range(8)] + ["alpha other words"] * 100
    index = LexicalIndex().build(docs)
    for query in queries:
        hits = index.query(query)
        for allowed in (None, rng.random(len(docs)) < 0.5):
            for k in (0, 1, 3, 5, 7, 50, 1000):
                top, scores = hits.top(k, allowed=allowed)
                eligible = hits.scores > 0 if allowed is None else (hits.scores > 0) & allowed
                expected = np.sort(hits.scores[eligible])[::-1][:k]
                np.testing.assert_array_equal(scores, expected)
                np.testing.assert_array_equal(hits.scores[top], scores)
                assert eligible[top].all() and len(set(top.tolist())) == len(top)
