"""Brand-safety screening: keyword matching, meaning flags, tolerance, custom categories and exports."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from recommender.brandfit.keywords import match_keywords
from recommender.brandfit.safety import category_vectors, safety_reasons, safety_table, screen_posts
from recommender.catalog import DEFAULT_RISK_CATEGORIES, RiskCategory, resolve_categories

ALCOHOL = DEFAULT_RISK_CATEGORIES["alcohol"]
PROFANITY = DEFAULT_RISK_CATEGORIES["profanity"]


def _hits(captions, topics):
    return match_keywords(captions, topics)[:, 0].tolist()


# Keyword matching ------------------------------------------------------------------------------------------------


def test_keywords_match_case_punctuation_and_hashtags():
    captions = ["Cold BEER after the match", "Beer!", "loving this #beer", "#craftbeer weekend", "#CraftBeer",
                "two beers please", "no drinks today, just water"]
    assert _hits(captions, "alcohol") == ["beer", "beer", "beer", "craft beer", "craft beer", "beer", None]


def test_keywords_match_whole_words_only():
    captions = ["first class seats", "my passion for glass art", "assess the bass", "long ass day", "Ass."]
    assert _hits(captions, "profanity") == [None, None, None, "ass", "ass"]


def test_plural_s_is_one_way_and_phrases_need_every_word():
    bets = RiskCategory(name="bets", description="Placing bets.", keywords=["bets", "strip club"], threshold=None)
    assert _hits(["I bet you will", "my bets are in", "Strip  Club tonight", "#stripclub", "the club strip"],
                 [bets]) == [None, "bets", "strip club", "strip club", None]


def test_masked_swear_words_links_and_mentions():
    captions = ["f*ck this", "wtf is that", "see https://beer.example.com/ale", "thanks @beer_lover", "sh*t happens"]
    assert _hits(captions, "profanity") == ["f*ck", "wtf", None, None, "sh*t"]
    assert _hits(captions, "alcohol")[2:4] == [None, None]


def test_first_keyword_in_the_text_is_reported_and_non_text_is_safe():
    out = match_keywords(["tequila then beer", "", float("nan")], ["alcohol", "profanity"])
    assert out.tolist() == [["tequila", None], [None, None], [None, None]]


# Meaning flags and aggregation -----------------------------------------------------------------------------------


def _unit(*rows):
    v = np.array(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def vectors_case():
    """Two creators; category 0 points along x, category 1 along y; creator 2 has no posts."""
    cats = (replace(ALCOHOL, threshold=0.8), RiskCategory(name="politics talk", description="Vote.", threshold=0.8))
    captions = ["sunset walk", "just vibes", "cold beer", "quiet morning", "election night", "more beer and tequila"]
    posts = _unit([0.95, 0.3, 0], [0.5, 0.5, 0.7], [0, 0, 1], [0.1, 0.1, 1], [0, 1, 0.2], [0.85, 0, 0.5])
    owner = np.array([0, 0, 0, 1, 1, 1])
    return cats, captions, posts, owner, np.eye(2, 3, dtype=np.float32)


def test_meaning_and_keywords_flag_posts_with_reasons_best_first(vectors_case):
    cats, captions, posts, owner, cvec = vectors_case
    screen = screen_posts(captions, posts, owner, 3, cats, cvec, min_meaning_flagged=1)
    assert screen.posts.tolist() == [3, 3, 0]
    assert screen.flagged_posts.tolist() == [[2, 0], [1, 1], [0, 0]]
    assert screen.flagged.tolist() == [[True, False], [True, True], [False, False]]
    assert screen.creator_flagged.tolist() == [True, True, False]
    np.testing.assert_allclose(screen.share[0], [2 / 3, 0])
    # Keyword matches come first, then meaning by cosine.
    assert [(t.post, t.reason) for t in screen.triggers[(0, 0)]] == [(2, 'keyword "beer"'), (0, "meaning 0.95")]
    assert [t.reason for t in screen.triggers[(1, 0)]] == ['keyword "beer"']
    assert screen.triggers[(1, 1)][0].reason.startswith("meaning 0.98")
    np.testing.assert_allclose(screen.max_score[0], [posts[0, 0], posts[:3, 1].max()], rtol=1e-6)
    assert np.isnan(screen.max_score[2]).all() and screen.share[2].tolist() == [0, 0]


def test_one_post_flagged_by_meaning_alone_does_not_flag_a_creator_by_default(vectors_case):
    cats, captions, posts, owner, cvec = vectors_case
    screen = screen_posts(captions, posts, owner, 3, cats, cvec)
    # Creator 1's only politics post is a meaning match: not enough alone; its beer post has a keyword.
    assert screen.flagged.tolist() == [[True, False], [True, False], [False, False]]
    assert screen.flagged_posts[1].tolist() == [1, 1]  # the post is still counted and quoted in the export
    with pytest.raises(ValueError, match=r"The 'min_meaning_flagged' parameter of screen_posts must be an int >= 1"):
        screen_posts(captions, posts, owner, 3, cats, cvec, min_meaning_flagged=0)


def test_threshold_none_flags_by_keyword_only(vectors_case):
    cats, captions, posts, owner, cvec = vectors_case
    screen = screen_posts(captions, posts, owner, 3, (replace(cats[0], threshold=None), cats[1]), cvec)
    assert screen.flagged_posts[:, 0].tolist() == [1, 1, 0]


def test_keyword_only_screen_without_vectors():
    screen = screen_posts(["cold beer", "yoga"], None, np.array([0, 1]), 2, ["alcohol"], None)
    assert screen.flagged[:, 0].tolist() == [True, False] and np.isnan(screen.max_score).all()
    with pytest.raises(ValueError, match="must be given together"):
        screen_posts(["cold beer"], np.ones((1, 3)), np.array([0]), 1, ["alcohol"], None)


def test_float16_vectors_give_the_float32_screen(vectors_case):
    cats, captions, posts, owner, cvec = vectors_case
    a = screen_posts(captions, posts, owner, 3, cats, cvec)
    b = screen_posts(captions, posts.astype(np.float16), owner, 3, cats, cvec)
    assert (a.flagged == b.flagged).all() and (a.flagged_posts == b.flagged_posts).all()


# Tolerance -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("tolerance", "min_flagged", "flagged"), [
    (0.0, 1, [True, True]), (0.1, 1, [False, True]), (0.05, 1, [True, True]), (0.0, 2, [False, True]),
    (0.25, 2, [False, False]),
])
def test_tolerance_and_minimum_count(tolerance, min_flagged, flagged):
    # Creator 0: 1 of 10 posts about beer; creator 1: 2 of 10.
    captions = ["beer"] + ["yoga"] * 9 + ["beer", "wine"] + ["yoga"] * 8
    owner = np.repeat([0, 1], 10)
    screen = screen_posts(captions, None, owner, 2, ["alcohol"], None, tolerance=tolerance, min_flagged=min_flagged)
    assert screen.flagged[:, 0].tolist() == flagged
    assert screen.flagged_posts[:, 0].tolist() == [1, 2]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"tolerance": 1.0}, r"The 'tolerance' parameter of screen_posts must be a number in \[0, 1\)\. Got 1.0 instead."),
    ({"min_flagged": 0}, r"The 'min_flagged' parameter of screen_posts must be an int >= 1\. Got 0 instead\."),
])
def test_screen_settings_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        screen_posts(["beer"], None, np.array([0]), 1, ["alcohol"], None, **kwargs)


def test_screen_inputs_are_checked():
    with pytest.raises(ValueError, match=r"'owner' parameter of screen_posts must hold creator positions in \[0, 2\)"):
        screen_posts(["a", "b"], None, np.array([0, 2]), 2, ["alcohol"], None)
    with pytest.raises(ValueError, match="one entry per caption"):
        screen_posts(["a", "b"], None, np.array([0]), 2, ["alcohol"], None)
    with pytest.raises(ValueError, match=r"'category_vectors' parameter of screen_posts must have shape \(1, 3\)"):
        screen_posts(["a"], np.ones((1, 3)), np.array([0]), 1, ["alcohol"], np.ones((2, 3)))


def test_empty_screen():
    screen = screen_posts([], None, np.array([], dtype=int), 2, [], None)
    assert screen.flagged.shape == (2, 0) and screen.creator_flagged.tolist() == [False, False]
    assert safety_reasons(screen, []) == ["", ""]


# Categories ------------------------------------------------------------------------------------------------------


def test_defaults_cover_the_garm_categories():
    assert {"alcohol", "gambling", "adult", "politics", "profanity", "violence", "drugs", "tobacco", "weapons",
            "hate", "crime", "tragedy"} <= set(DEFAULT_RISK_CATEGORIES)
    for category in DEFAULT_RISK_CATEGORIES.values():
        assert category.keywords and len(category.description.split(". ")) >= 5


def test_resolve_names_objects_and_mappings():
    custom = RiskCategory(name="crypto", description="Buy this coin now. To the moon.", keywords=["nft"])
    cats = resolve_categories([" Alcohol", custom, {"name": "energy", "description": "Chugging an energy drink.",
                                                   "keywords": ["red bull"], "threshold": 0.5},
                               {"name": "gambling", "threshold": 0.6}])
    assert [c.name for c in cats] == ["alcohol", "crypto", "energy", "gambling"]
    assert cats[0] is ALCOHOL and cats[2].keywords == ("red bull",) and cats[2].threshold == 0.5
    assert cats[3].threshold == 0.6 and cats[3].keywords == DEFAULT_RISK_CATEGORIES["gambling"].keywords
    assert resolve_categories(None) == () and resolve_categories("alcohol") == (ALCOHOL,)
    assert resolve_categories(["alcohol", "ALCOHOL"]) == (ALCOHOL,)


def test_unknown_category_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown risk category 'alchohol'\. Valid names are adult, alcohol, crime, "
                                         r"drugs, gambling, hate, politics, profanity, tobacco, tragedy, violence, "
                                         r"weapons; pass a RiskCategory or a mapping"):
        resolve_categories(["alchohol"])


@pytest.mark.parametrize(("topic", "error", "message"), [
    ({"name": "x", "desc": "y"}, ValueError, r"takes the keys name, description, keywords, threshold\. Got unknown "
                                            r"key\(s\) 'desc' instead"),
    ({"name": "crypto"}, ValueError, r"The custom risk category 'crypto' needs a 'description'"),
    ({"description": "y"}, ValueError, r"needs a 'name'"),
    (3, TypeError, r"must be a str, a RiskCategory or a mapping\. Got int 3 instead"),
])
def test_bad_custom_categories(topic, error, message):
    with pytest.raises(error, match=message):
        resolve_categories([topic])


def test_two_categories_with_one_name_are_refused():
    with pytest.raises(ValueError, match="Two different risk categories are named 'alcohol'"):
        resolve_categories(["alcohol", replace(ALCOHOL, threshold=0.1)])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"threshold": 1.5}, r"The 'threshold' parameter of RiskCategory must be a number in \[0, 1\] or None\. Got 1\.5"),
    ({"threshold": True}, r"The 'threshold' parameter of RiskCategory must be a number in \[0, 1\] or None"),
    ({"name": " "}, r"The 'name' parameter of RiskCategory must be a non-empty str\. Got ' ' instead\."),
    ({"description": "!!"}, r"The 'description' parameter of RiskCategory must be a str with at least one word"),
    ({"keywords": ["ok", "#"]}, r"The 'keywords' parameter of RiskCategory must be a sequence of str, each with at "
                                r"least one word\. Got '#' instead\."),
    ({"keywords": (), "threshold": None}, r"must be a number in \[0, 1\] when there are no keywords"),
])
def test_risk_category_rejects_bad_fields(kwargs, message):
    fields = {"name": "x", "description": "Some post.", "keywords": ("x",), "threshold": 0.5, **kwargs}
    with pytest.raises(ValueError, match=message):
        RiskCategory(**fields)


def test_risk_category_normalises_keywords():
    category = RiskCategory(name=" energy ", description="Energy drink.", keywords=["red bull", " red bull", "taurine"])
    assert category.name == "energy" and category.keywords == ("red bull", "taurine")
    assert RiskCategory(name="x", description="y", keywords="single").keywords == ("single",)


# Category vectors ------------------------------------------------------------------------------------------------


def test_category_vectors_average_the_sentences_and_are_cached(fake_encoder, monkeypatch):
    cat = RiskCategory(name="snacks", description="Crunchy crisps tonight. Salted popcorn! Nachos?", threshold=0.3)
    calls = []
    encode = fake_encoder.encode
    monkeypatch.setattr(fake_encoder, "encode", lambda texts, **kw: calls.append(list(texts)) or encode(texts, **kw))
    vectors = category_vectors([cat, "alcohol"], fake_encoder)
    assert vectors.shape == (2, fake_encoder.dimension) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, rtol=1e-5)
    mean = encode(["Crunchy crisps tonight.", "Salted popcorn!", "Nachos?"]).mean(axis=0)
    np.testing.assert_allclose(vectors[0], mean / np.linalg.norm(mean), rtol=1e-5)
    assert calls[0][:3] == ["Crunchy crisps tonight.", "Salted popcorn!", "Nachos?"]
    category_vectors(["alcohol", cat], fake_encoder)
    assert len(calls) == 1  # both descriptions came from the cache
    assert category_vectors([], fake_encoder).shape == (0, fake_encoder.dimension)


# Export and reasons ----------------------------------------------------------------------------------------------


def test_safety_table_has_one_row_per_flagged_pair_with_quotes(vectors_case):
    cats, captions, posts, owner, cvec = vectors_case
    screen = screen_posts(captions, posts, owner, 3, cats, cvec, tolerance=0.4)
    post_ids = [f"p{i}" for i in range(6)]
    table = safety_table(screen, creator_ids=["a", "b", "c"], post_ids=post_ids, captions=captions, max_quotes=1)
    assert list(table.columns) == ["creator_id", "category", "flagged", "flagged_posts", "posts", "share",
                                   "max_score", "post_ids", "evidence"]
    assert table[["creator_id", "category", "flagged_posts", "posts"]].values.tolist() == [["a", "alcohol", 2, 3]]
    row = table.iloc[0]
    assert row["post_ids"] == "p2;p0" and row["evidence"] == 'p2: "cold beer" (keyword "beer")'
    assert row["share"] == pytest.approx(2 / 3)
    everything = safety_table(screen, creator_ids=["a", "b", "c"], post_ids=post_ids, captions=captions,
                              include_tolerated=True)
    assert everything[["creator_id", "category", "flagged"]].values.tolist() == [
        ["a", "alcohol", True], ["b", "alcohol", False], ["b", "politics talk", False]]
    empty = safety_table(screen_posts([], None, np.array([], dtype=int), 1, ["alcohol"], None), creator_ids=["a"],
                         post_ids=[], captions=[])
    assert isinstance(empty, pd.DataFrame) and empty.empty and "evidence" in empty.columns


def test_safety_table_checks_lengths(vectors_case):
    cats, captions, posts, owner, cvec = vectors_case
    screen = screen_posts(captions, posts, owner, 3, cats, cvec)
    with pytest.raises(ValueError, match=r"one entry per creator of the screen \(3\)\. Got 2 instead"):
        safety_table(screen, creator_ids=["a", "b"], post_ids=list(range(6)), captions=captions)


def test_reasons_quote_the_best_post_per_category():
    captions = ["cold beer after the match", "morning run", "what the fuck", "sunny day"]
    screen = screen_posts(captions, None, np.array([0, 0, 0, 1]), 2, ["alcohol", "profanity"], None)
    assert safety_reasons(screen, captions) == [
        'avoid: alcohol (1 of 3 posts, e.g. "cold beer after the match" keyword "beer"); '
        'profanity (1 of 3 posts, e.g. "what the fuck" keyword "fuck")', ""]


def test_long_captions_are_quoted_around_the_keyword():
    caption = "A very long caption about a sunny walk along the river with friends and family, then a cold beer at six"
    screen = screen_posts([caption], None, np.array([0]), 1, ["alcohol"], None)
    reason = safety_reasons(screen, [caption], snippet_chars=40)[0]
    assert "beer" in reason and '"…' in reason and len(reason) < 120


# Real model ------------------------------------------------------------------------------------------------------


@pytest.mark.integration
def test_real_model_flags_an_alcoholic_post_and_not_a_safe_one():
    from recommender.embedding.encoder import Encoder

    encoder = Encoder("default")
    captions = ["Happy hour margaritas with the girls, cheers to the weekend!",
                "Morning yoga flow and a green smoothie to start the day"]
    cats = resolve_categories(["alcohol", "politics", "tobacco", "drugs"])
    screen = screen_posts(captions, encoder.encode(captions), np.array([0, 1]), 2, cats,
                          category_vectors(cats, encoder))
    assert screen.flagged[0, 0] and not screen.creator_flagged[1]
    assert screen.max_score[0, 0] > ALCOHOL.threshold and screen.max_score[0, 0] > screen.max_score[1, 0] + 0.2
    assert safety_reasons(screen, captions)[0].startswith("avoid: alcohol (1 of 1 posts")


def test_precomputed_keyword_matches_give_the_same_screen(vectors_case):
    cats, captions, posts, owner, cvec = vectors_case
    rows = np.array([5, 2, 0])  # the caller keeps matches for a whole catalog and takes the candidates' rows
    whole = match_keywords(captions, cats)
    a = screen_posts([captions[r] for r in rows], posts[rows], np.array([0, 0, 1]), 2, cats, cvec)
    b = screen_posts([captions[r] for r in rows], posts[rows], np.array([0, 0, 1]), 2, cats, cvec,
                     keyword_matches=whole[rows])
    assert (a.flagged == b.flagged).all() and a.triggers == b.triggers
    with pytest.raises(ValueError, match=r"'keyword_matches' parameter of screen_posts must have shape \(3, 2\)"):
        screen_posts(captions[:3], posts[:3], owner[:3], 2, cats, cvec, keyword_matches=whole)


def test_docstring_examples_run():
    import doctest

    from recommender.brandfit import keywords, safety
    from recommender.catalog import risk_categories

    for module in (safety, keywords, risk_categories):
        assert doctest.testmod(module).failed == 0
