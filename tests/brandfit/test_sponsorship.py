"""Tests of recommender.brandfit.sponsorship and recommender.brandfit.mentions on hand-made captions.

Each expectation follows from a documented rule (the tables of recommender.brandfit.disclosures, the three mention
forms, the conflict window), not from a recorded run.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from recommender.brandfit.disclosures import DISCLOSURE_TAGS, EXCLUDED_TAGS, PHRASES
from recommender.brandfit.mentions import _brands_regex, scan
from recommender.brandfit.mentions import brand_mentions
from recommender.brandfit.sponsorship import (
    competitor_conflicts,
    describe_conflict,
    describe_share,
    detect_sponsored,
    sponsored_share,
)

from ..conftest import DATA

NOW = pd.Timestamp("2025-06-01 12:00", tz="UTC")


def one(caption: str, **kwargs) -> pd.Series:
    return detect_sponsored([caption], **kwargs).iloc[0]


# ------------------------------------------------------------------ signals
@pytest.mark.parametrize("caption", ["Loving this #ad", "#ad, new drop", "#AD | new drop", "glow #skincare\n.\n.\n#ad",
                                     "New serum (ad)", "Sunday reset #ad #selfcare"])
def test_ad_hashtag_and_label_forms_are_sponsored(caption):
    assert one(caption)["sponsored"]


@pytest.mark.parametrize("tag", ["anzeige", "werbung", "publicidad", "patrocinado", "publi", "publicité",
                                 "sponsorisé", "partenariat", "pubblicità", "adv", "reclame", "reklama", "samarbete",
                                 "annons", "reklame", "광고", "PR", "プロモーション", "реклама", "gifted", "collab",
                                 "spon"])
def test_foreign_and_english_disclosure_tags(tag):
    row = one(f"Neue Lieblingscreme ✨ #{tag} #skincare")
    assert row["sponsored"] and row["signal"] == f"hashtag #{tag.lower()}"


def test_every_tag_of_the_table_counts_and_no_excluded_one_does():
    counted = detect_sponsored([f"so good #{tag}" for tag in DISCLOSURE_TAGS])
    assert counted["sponsored"].all()
    assert not detect_sponsored([f"so good #{tag}" for tag in EXCLUDED_TAGS])["sponsored"].any()


@pytest.mark.parametrize("example, keywords, pattern", PHRASES, ids=[p[0] for p in PHRASES])
def test_every_phrase_matches_its_example_and_holds_a_keyword(example, keywords, pattern):
    assert re.search(pattern, example, re.I), "the documented example must match its own regex"
    assert any(k in re.search(pattern, example, re.I).group(0).lower() for k in keywords)
    assert one(example)["signal"].startswith('phrase "')


@pytest.mark.parametrize("caption, signal", [
    ("[Werbung] Hautpflege am Abend", 'label "[Werbung]"'),
    ("Anzeige: meine Abendroutine", 'label "Anzeige:"'),
    ("AD - my honest thoughts", 'label "AD -"'),
    ("【PR】新作リップ", 'phrase "【PR】"'),
    ("in Zusammenarbeit mit @dm_de", 'phrase "in Zusammenarbeit mit @dm_de"'),
    ("en colaboración con @solmar", 'phrase "en colaboración con @solmar"'),
    ("Thanks to @glossier for sponsoring today's post!", 'phrase "Thanks to @glossier for sponsoring"'),
    ("Use my code MAYA10 for 10% off", 'phrase "Use my code MAYA10"'),
    ("Link in bio for 20% off!", 'phrase "Link in bio for 20% off"'),
    ("gifted by @lush ✨", 'phrase "gifted by @lush"'),
    ("#WalmartPartner haul", "hashtag #walmartpartner"),
    ("Werbung wegen Markennennung", 'phrase "Werbung wegen Markennennung"'),
])
def test_signal_names_what_was_found(caption, signal):
    assert one(caption)["signal"] == signal


@pytest.mark.parametrize("caption", [
    "#adventure awaits", "#adidas fits", "Change of #address", "bad day", "I added more salt", "#roadtrip day 3",
    "Ad-free life", "dress code: black tie", "#100daysofcode", "Use code blocks in your notes", "QR code needed",
    "#sp #saopaulo", "#lifepartner forever", "#giveaway time", "thanks @bestie for the photos", "a gifted pianist",
    "New PR: 140 kg", "This is not sponsored by anyone", "#notsponsored love it", "not #ad, just love", "협찬 아님",
    "#광고아님 #내돈내산", "Keine Werbung, selbst gekauft", "No es patrocinado por nadie", "Pub quiz tonight",
    "state-sponsored by nobody", "", "Nike or Adidas?",
])
def test_hard_negatives_are_not_sponsored(caption):
    row = one(caption)
    assert not row["sponsored"] and row["signal"] == "" and row["sponsors"] == ()


def test_phrase_keywords_are_ascii_or_caseless_so_the_byte_search_finds_them():
    for _, keywords, _ in PHRASES:
        for keyword in keywords:
            assert all(c.isascii() or c.lower() == c.upper() for c in keyword), keyword


def test_upper_case_captions_and_a_caption_with_nul_are_read_like_any_other():
    captions = ["IN PARTNERSHIP WITH @GLOWCO", "WE WSPÓŁPRACY Z @POLANA", "USE MY CODE MAYA10", "İN PARTNERSHİP WİTH"]
    plain = detect_sponsored(captions)
    with_nul = detect_sponsored([*captions, "odd \x00 caption #ad"])
    assert plain["sponsored"].all() and with_nul["sponsored"].all()
    assert with_nul["signal"].tolist()[:4] == plain["signal"].tolist()


def test_a_sentence_break_ends_a_negation():
    assert one("No notes. Thanks to @lumaskin for sponsoring today's post!")["sponsored"]


def test_field_adds_to_the_caption_and_never_hides_it():
    out = detect_sponsored(["morning run", "morning run", "new drop #ad", "new drop #ad"],
                           is_sponsored=[True, pd.NA, False, True])
    assert out["sponsored"].tolist() == [True, False, True, True]
    assert out["signal"].tolist() == ["field is_sponsored", "", "hashtag #ad", "field is_sponsored; hashtag #ad"]


def test_sponsors_are_the_credited_handles_else_every_tag_of_a_sponsored_post():
    out = detect_sponsored(["with @friend, in partnership with @glowco & @brightbyte #ad", "#ad love @peakfuel",
                            "hanging out with @friend"])
    assert out["sponsors"].tolist() == [("@glowco", "@brightbyte"), ("@peakfuel",), ()]


def test_result_follows_a_series_index_and_reads_missing_captions_as_empty():
    out = detect_sponsored(pd.Series(["#ad", None, np.nan], index=[10, 11, 12]))
    assert out.index.tolist() == [10, 11, 12] and out["sponsored"].tolist() == [True, False, False]


def test_bad_field_and_captions_are_refused():
    with pytest.raises(ValueError, match=r"The 'is_sponsored' parameter of detect_sponsored must hold one value per "
                                         r"caption \(2\)\. Got shape \(1,\) instead\."):
        detect_sponsored(["a", "b"], is_sponsored=[True])
    with pytest.raises(ValueError, match="must hold booleans or missing values"):
        detect_sponsored(["a"], is_sponsored=["yes"])
    with pytest.raises(ValueError, match="The 'captions' parameter of detect_sponsored must be a sequence of strings"):
        detect_sponsored("#ad")


# ------------------------------------------------------------------ brand mentions
@pytest.mark.parametrize("caption, found", [
    ("nike", True), ("NIKE!", True), ("Nike's new drop", True), ("two pairs of nikes", True), ("@nike", True),
    ("@nike.", True), ("@nike_uk", True), ("@nike.football", True), ("#nike", True), ("#NikePartner", True),
    ("Nikelodeon", False), ("@nikerunning", False), ("#nikerunning", False), ("snike", False),
    ("mail me at me@nike", False),
])
def test_brand_mention_forms(caption, found):
    assert brand_mentions([caption], ["Nike"]).iloc[0] == (("Nike",) if found else ())


@pytest.mark.parametrize("name, caption, found", [
    ("Brand X", "Brand X's new line", True), ("Brand X", "brand-x", True), ("Brand X", "BrandX", True),
    ("Brand X", "#brandx", True), ("Brand X", "@brand_x", True), ("Brand X", "brand y", False),
    ("L'Oréal", "my L'Oreal mascara", True), ("L'Oréal", "loreal", True), ("L'Oréal", "@loreal_paris", True),
    ("Coca-Cola", "coca cola", True), ("Coca-Cola", "#cocacola", True),
    ("H&M", "H&M sale", True), ("H&M", "@hm", True), ("H&M", "hm, not sure", False),
    ("라네즈", "#라네즈 쿠션", True), ("@glowco", "Glowco drops", True),
])
def test_multi_word_punctuated_and_other_script_names(name, caption, found):
    assert bool(brand_mentions([caption], [name]).iloc[0]) is found


def test_mentions_are_in_order_of_first_mention_without_duplicates():
    out = brand_mentions(["#adidas or #nike? nike!", "", None], ["Nike", "Adidas", "Nike"])
    assert out.tolist() == [("Adidas", "Nike"), (), ()]


def test_the_byte_prefilter_never_loses_a_match_of_the_full_regex(rng):
    words = ["Nike", "NIKE", "nİke", "@Nike_uk", "#nIkE", "Oréal", "OREAL", "loréal", "라네즈", "😀", "İ", "ſ", "\x00",
             "Brand-X", "brandx", "h&m", "ok", "the", "#ad", "\n"]
    texts = [" ".join(rng.choice(words, size=rng.integers(0, 8))) for _ in range(400)]
    names = ("Nike", "L'Oréal", "라네즈", "Brand X", "H&M")
    rows, brand, start, found = scan(texts, names)
    regex = _brands_regex(names)
    expected = [(r, int(m.lastgroup[1:]), m.start(), m.group(0))
                for r, t in enumerate(texts) for m in regex.finditer(t)]
    assert list(zip(rows.tolist(), brand.tolist(), start.tolist(), found)) == expected


@pytest.mark.parametrize("brands, message", [
    ("Nike", r"The 'brands' parameter of brand_mentions must be a sequence of non-empty strings\. Got 'Nike'"),
    (["Nike", ""], r"must hold non-empty strings with a letter or digit\. Got '' instead\."),
    (["Nike", "  ! "], r"Got '  ! ' instead\."),
    (["Nike", 3], r"Got 3 instead\."),
])
def test_brand_names_are_validated(brands, message):
    with pytest.raises(ValueError, match=message):
        brand_mentions(["x"], brands)


# ------------------------------------------------------------------ conflicts
def conflicts(captions, dates, owner, n, sponsored, competitors=("Nike",), **kwargs):
    kwargs.setdefault("conflict_days", 30)
    kwargs.setdefault("now", NOW)
    return competitor_conflicts(captions, dates, np.asarray(owner), n, sponsored, list(competitors), **kwargs)


def test_window_edges_exactly_conflict_days_counts_one_second_more_does_not():
    edge, older = NOW - pd.Timedelta(days=30), NOW - pd.Timedelta(days=30, seconds=1)
    future = NOW + pd.Timedelta(hours=3)
    out = conflicts(["#ad new @nike kicks"] * 3, pd.Series([edge, older, future]), [0, 1, 2], 3, [True] * 3)
    assert out["conflict"].tolist() == [True, False, True]
    assert out["days_ago"].tolist()[0] == 30 and out["days_ago"].tolist()[2] == 0
    assert "30 days ago" in out["reason"][0] and "today" in out["reason"][2]
    assert conflicts(["#ad @nike"], [NOW], [0], 1, [True], conflict_days=0)["conflict"].tolist() == [True]


def test_unknown_dates_count_as_conflicts_and_are_said_so():
    out = conflicts(["#ad my @nike run", "#ad @nike again"], pd.Series([pd.NaT, NOW - pd.Timedelta(days=2)]),
                    [0, 0], 1, [True, True])
    row = out.iloc[0]
    assert row["conflict"] and row["undated"] == 1 and row["posts"] == (1, 0)
    assert row["dates"][0] == NOW - pd.Timedelta(days=2) and pd.isna(row["dates"][1])
    assert row["reason"].endswith("and 1 more post; 1 without a date")
    undated = conflicts(["sponsored Nike drop"], None, [0], 1, [True]).iloc[0]
    assert undated["conflict"] and "on an unknown date" in undated["reason"] and np.isnan(undated["days_ago"])


def test_a_plain_mention_conflicts_only_in_a_sponsored_post_a_tag_always():
    captions = ["my old Nikes finally gave up", "my old Nikes finally gave up", "thanks @nike for the kicks",
                "#nike #running"]
    out = conflicts(captions, [NOW] * 4, [0, 1, 2, 3], 4, [False, True, False, False])
    assert out["conflict"].tolist() == [False, True, True, False]
    assert out["signals"][1] == ("sponsored; mentions Nikes",) and out["signals"][2] == ("tagged @nike",)


def test_newest_post_first_with_the_detector_signal_and_quote():
    captions = ["#ad running in @adidas today", "Loving the new Nike Pegasus, #ad", "unrelated post"]
    dates = pd.Series([NOW - pd.Timedelta(days=3), NOW - pd.Timedelta(days=10), NOW])
    out = conflicts(captions, dates, [0, 0, 0], 2, detect_sponsored(captions), competitors=["Nike", "Adidas"])
    row = out.iloc[0]
    assert row["posts"] == (0, 1) and row["competitors"] == ("Adidas", "Nike")
    assert row["signals"] == ("hashtag #ad; mentions @adidas", "hashtag #ad; mentions Nike")
    assert row["reason"] == ('promoted competitor Adidas 3 days ago ("#ad running in @adidas today", hashtag #ad)'
                             " and 1 more post")
    assert not out["conflict"][1] and out["reason"][1] == "" and out["posts"][1] == () and np.isnan(out["days_ago"][1])


@pytest.mark.parametrize("kwargs, message", [
    ({"competitors": ["Nike", ""]}, r"The 'competitors' parameter of competitor_conflicts must hold non-empty strings"),
    ({"competitors": "Nike"}, r"The 'competitors' parameter of competitor_conflicts must be a sequence of non-empty "),
    ({"conflict_days": -1}, r"The 'conflict_days' parameter of competitor_conflicts must be an int >= 0\. Got -1 "),
    ({"conflict_days": 7.5}, r"must be an int >= 0\. Got 7\.5 instead\."),
    ({"conflict_days": True}, r"must be an int >= 0\. Got True instead\."),
    ({"now": "yesterday-ish"}, r"The 'now' parameter of competitor_conflicts must be a date-time"),
    ({"owner": [0, 5]}, r"The 'owner' parameter of competitor_conflicts must hold integer creator positions in "
                        r"\[0, 2\)"),
    ({"sponsored": [True]}, r"The 'sponsored' parameter of competitor_conflicts must hold one value per caption \(2\)"),
    ({"sponsored": ["x", "y"]}, r"The 'sponsored' parameter of competitor_conflicts must hold booleans"),
    ({"posted_at": [NOW]}, r"The 'posted_at' parameter of competitor_conflicts must hold one value per caption"),
])
def test_conflict_parameters_are_validated(kwargs, message):
    args = {"captions": ["#ad @nike", "x"], "posted_at": [NOW, NOW], "owner": [0, 1], "n_creators": 2,
            "sponsored": [True, False], "competitors": ["Nike"], "conflict_days": 30, "now": NOW}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        competitor_conflicts(**{k: np.asarray(v) if k == "owner" else v for k, v in args.items()})


def test_no_competitors_means_no_conflicts():
    assert not conflicts(["#ad @nike"], [NOW], [0], 1, [True], competitors=[])["conflict"].any()


# ------------------------------------------------------------------ share and reasons
def test_sponsored_share_per_creator_with_nan_without_posts():
    out = sponsored_share(detect_sponsored(["#ad", "x", "y", "z", "#anzeige"]), np.array([0, 0, 0, 0, 2]), 3)
    assert out["n_posts"].tolist() == [4, 0, 1] and out["n_sponsored"].tolist() == [1, 0, 1]
    assert out["sponsored_share"].tolist()[0] == 0.25 and np.isnan(out["sponsored_share"][1])
    assert out["reason"].tolist() == ["sponsored 1 of 4 posts (25%)", "no posts", "sponsored 1 of 1 posts (100%)"]


def test_reason_helpers():
    assert describe_share(3, 12) == "sponsored 3 of 12 posts (25%)" and describe_share(0, 0) == "no posts"
    assert describe_conflict("Brand X", 34, "thanks @brandx for the new jacket, love it so much", "hashtag #ad") == (
        'promoted competitor Brand X 34 days ago ("thanks @brandx for the new jacket, lo...", hashtag #ad)')
    assert describe_conflict("Nike", 1, "x", "tagged @nike").startswith("promoted competitor Nike 1 day ago")


def test_n_creators_is_validated():
    with pytest.raises(ValueError, match=r"The 'n_creators' parameter of sponsored_share must be an int >= 0\."):
        sponsored_share([True], np.array([0]), -1)


# ------------------------------------------------------------------ labelled data
def test_labelled_posts_file_is_well_formed():
    labels = pd.read_csv(DATA / "sponsorship" / "labels.csv",
                         dtype={"id": str}, keep_default_na=False)
    assert list(labels.columns[:7]) == ["id", "part", "source", "lang", "text", "sponsored", "brands"]
    assert labels["id"].is_unique and set(labels["sponsored"]) == {0, 1}
    assert set(labels["part"]) == {"real", "written"} and (labels["part"] == "written").sum() >= 150
    assert labels["text"].str.len().gt(0).all()
