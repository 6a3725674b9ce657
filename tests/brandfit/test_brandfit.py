"""Brand fit beyond niche inside ranking: risk categories, competitor conflicts, authenticity, values, export."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender import BrandBrief, Recommender
from recommender.brandfit.screen import RISK_PENALTY

FOOD_BRIEF = "vegan curry recipe and sourdough bread baking"


@pytest.fixture
def screened(planted, fake_encoder) -> Recommender:
    """The planted catalog with an alcohol post (c000), a Nike promotion (c004, recent; c008, old),
    a follow-for-follow account (c012) and a sponsored share of 1/7 (c016): all food creators."""
    creators, posts = planted
    creators = creators.assign(following=[5000 if c == "c012" else 300 for c in creators["creator_id"]])
    extra = pd.DataFrame([
        {"post_id": "x1", "creator_id": "c000", "caption": "cold beer and whiskey at the bar tonight #beer",
         "posted_at": "2025-05-20T10:00:00Z"},
        {"post_id": "x2", "creator_id": "c004", "caption": "thanks @nike for the new running shoes #ad",
         "posted_at": "2025-05-01T10:00:00Z"},
        {"post_id": "x3", "creator_id": "c008", "caption": "thanks @nike for the new running shoes #ad",
         "posted_at": "2024-06-01T10:00:00Z"},
        {"post_id": "x4", "creator_id": "c016", "caption": "my favourite oat milk, use code OAT10 #sponsored",
         "posted_at": "2025-05-02T10:00:00Z"},
    ]).assign(likes=500, comments=20)
    return Recommender.build(creators, pd.concat([posts, extra], ignore_index=True), encoder=fake_encoder)


def food_ids(rec: Recommender, **fields) -> pd.DataFrame:
    return rec.recommend(BrandBrief(name="Curry Co", description=FOOD_BRIEF, **fields), k=30)


def test_avoid_topics_excludes_flagged_creators_and_penalize_keeps_them_lower(screened):
    plain = food_ids(screened)
    assert "c000" in set(plain["creator_id"]) and (plain["risk_flags"] == "").all()
    excluded = food_ids(screened, avoid_topics=["alcohol"])
    assert "c000" not in set(excluded["creator_id"]) and len(excluded) == 30
    penalized = food_ids(screened, avoid_topics=["alcohol"], avoid_mode="penalize")
    row = penalized.set_index("creator_id").loc["c000"]
    assert row["risk_flags"] == "alcohol" and "avoid: alcohol" in row["reasons"] and '"beer"' in row["reasons"]
    assert row["score"] == pytest.approx(plain.set_index("creator_id").loc["c000", "score"] - RISK_PENALTY)


def test_a_recent_competitor_promotion_excludes_and_an_old_one_does_not(screened):
    results = food_ids(screened, competitors=["Nike"], conflict_days=90)
    ids = set(results["creator_id"])
    assert "c004" not in ids and "c008" in ids  # c008's promotion is a year before the catalog's newest post
    flagged = food_ids(screened, competitors=["Nike"], conflict_mode="flag").set_index("creator_id")
    assert flagged.loc["c004", "competitor_conflict"] == "Nike"
    assert "promoted competitor Nike 31 days ago" in flagged.loc["c004", "reasons"]
    assert flagged.loc["c008", "competitor_conflict"] == ""
    everything = food_ids(screened, competitors=["Nike"], conflict_days=400)
    assert not {"c004", "c008"} & set(everything["creator_id"])


def test_max_authenticity_flags_filters_and_the_flags_are_reported(screened):
    plain = food_ids(screened).set_index("creator_id")
    assert plain.loc["c012", "authenticity_flags"] >= 1 and "following 5,000 > 1,500" in plain.loc["c012", "reasons"]
    strict = food_ids(screened, max_authenticity_flags=0)
    assert "c012" not in set(strict["creator_id"]) and (strict["authenticity_flags"] == 0).all()


def test_sponsored_share_is_reported_for_every_result(screened):
    results = food_ids(screened).set_index("creator_id")
    assert results.loc["c016", "sponsored_share"] == pytest.approx(1 / 7)
    assert results.loc["c004", "sponsored_share"] == pytest.approx(1 / 7)
    assert results.loc["c020", "sponsored_share"] == 0
    assert "sponsored share 14%" in results.loc["c016", "reasons"]


def test_values_add_their_best_post_fit_to_the_score(screened):
    plain = food_ids(screened).set_index("creator_id")
    valued = food_ids(screened, values=["plant based dinner"]).set_index("creator_id")
    assert plain["values_fit"].isna().all() and valued["values_fit"].notna().all()
    both = plain.index.intersection(valued.index)
    lift = valued.loc[both, "score"] - plain.loc[both, "score"]
    assert np.allclose(lift, 0.1 * valued.loc[both, "values_fit"])
    assert valued["reasons"].str.contains('values: plant based dinner \\(post "').any()


def test_brand_flags_export_quotes_the_triggering_posts(screened):
    brief = BrandBrief(name="Curry Co", description=FOOD_BRIEF, avoid_topics=["alcohol"], competitors=["nike"])
    flags = screened.brand_flags(brief, ["c000", "c004", "c020"])
    assert set(flags["creator_id"]) == {"c000", "c004"}
    risk = flags[flags["kind"] == "risk"].iloc[0]
    assert risk["flag"] == "alcohol" and "x1" in risk["post_ids"] and "beer" in risk["evidence"]
    competitor = flags[flags["kind"] == "competitor"].iloc[0]
    assert competitor["post_ids"] == "x2" and bool(competitor["excluded"])
    with pytest.raises(ValueError, match=r"Recommender.brand_flags: unknown creator_id\(s\) \['nobody'\]"):
        screened.brand_flags(brief, ["nobody"])


@pytest.mark.parametrize("fields, match", [
    ({"avoid_topics": ["alcohool"]}, r"The 'avoid_topics' of brief 'b': .*alcohool.*alcohol"),
    ({"avoid_mode": "hide"}, r"The 'avoid_mode' of brief 'b' must be one of \['exclude', 'penalize'\]. Got 'hide'"),
    ({"conflict_mode": "warn"}, r"The 'conflict_mode' of brief 'b' must be one of \['exclude', 'flag'\]"),
    ({"conflict_days": -1}, r"The 'conflict_days' parameter of brief 'b' must be an int >= 0. Got -1 instead."),
    ({"competitors": [" "]}, r"The 'competitors' and 'values' of brief 'b' must be non-empty names"),
    ({"max_authenticity_flags": 1.5}, r"The 'max_authenticity_flags' parameter of brief 'b' must be an int >= 0"),
])
def test_bad_brand_fit_fields_are_clear_errors(fields, match):
    with pytest.raises(ValueError, match=match):
        BrandBrief(name="b", description="coffee", **fields)


def test_brand_fit_fields_round_trip_through_dicts():
    brief = BrandBrief(name="b", description="coffee", avoid_topics=["gambling", {"name": "energy drinks",
                       "description": "Chugging an energy drink before the session.", "keywords": ["red bull"]}],
                       values=["fair trade"], competitors=["Nespresso"], conflict_days=30)
    again = BrandBrief.from_dict(brief.to_dict())
    assert again == brief or again.to_dict() == brief.to_dict()
    with pytest.raises(ValueError, match=r"unknown brief field\(s\) \['avoid'\]"):
        BrandBrief.from_dict({"name": "b", "description": "coffee", "avoid": ["alcohol"]})


def test_lookalikes_within_a_brief_keep_its_brand_fit_exclusions(screened):
    seeds = ["c020", "c024"]
    plain = screened.similar(seeds, k=40)
    assert {"c000", "c004"} <= set(plain["creator_id"])
    brief = BrandBrief(name="Curry Co", description=FOOD_BRIEF, avoid_topics=["alcohol"], competitors=["Nike"])
    within = screened.similar(seeds, brief=brief, k=40)
    assert not {"c000", "c004"} & set(within["creator_id"])


def test_cli_recommend_and_batch_apply_brand_fit_and_export_flags(screened, tmp_path, cli, capsys):
    import json


    screened.save(tmp_path / "index")
    args = ["recommend", "--index", str(tmp_path / "index"), "--brief", FOOD_BRIEF, "-k", "30", "--avoid", "alcohol",
            "--avoid-mode", "penalize", "--competitor", "Nike", "--flags-out", str(tmp_path / "flags.csv")]
    assert cli(args) == 0, capsys.readouterr().err
    flags = pd.read_csv(tmp_path / "flags.csv")
    assert {("c000", "risk", "alcohol")} <= set(zip(flags["creator_id"], flags["kind"], flags["flag"]))
    assert "avoid: alcohol" in capsys.readouterr().out
    briefs = tmp_path / "briefs.jsonl"
    briefs.write_text(json.dumps({"brief_id": "b1", "name": "Curry Co", "description": FOOD_BRIEF,
                                  "competitors": ["Nike"]}) + "\n")
    assert cli(["batch", "--index", str(tmp_path / "index"), "--briefs", str(briefs), "-k", "30",
                 "--out", str(tmp_path / "out.csv"), "--flags-out", str(tmp_path / "batch_flags.csv")]) == 0
    out = pd.read_csv(tmp_path / "out.csv", keep_default_na=False)
    assert "c004" not in set(out["creator_id"]) and {"risk_flags", "sponsored_share"} <= set(out.columns)
    assert cli(args[:-6] + ["--avoid", "alcool"]) == 2
    assert "error: --avoid: Unknown risk category 'alcool'" in capsys.readouterr().err  # the flag, not 'avoid_topics'
