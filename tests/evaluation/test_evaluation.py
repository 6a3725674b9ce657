"""Baseline rankers, the evaluation harness, qrels files and the ``evaluate`` command, with a fast fake encoder."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from recommender import BrandBrief, Recommender
from recommender.evaluation.baselines import (
    BM25Ranker, EngagementRanker, FollowerRanker, MeanCaptionCosineRanker, RandomRanker,
    TfidfRanker, creator_documents,
)
from recommender.catalog.loader import load_catalog
from recommender.cli import main
from recommender.util.errors import CatalogError, NotBuiltError, ValidationError
from recommender.evaluation.runs import (
    evaluate_rankers, evaluate_recommender, format_report, load_qrels, qrels_from_labels,
)

from ..conftest import NICHES

BRIEF_TEXT = {"food": "vegan curry recipe and sourdough bread", "fitness": "gym workout and marathon running",
              "tech": "phone camera review and gaming pc", "travel": "backpacking hostel and beach island"}


@pytest.fixture
def catalog(planted):
    return load_catalog(*planted)


@pytest.fixture
def briefs():
    return [BrandBrief(name=niche, description=text, brief_id=niche) for niche, text in BRIEF_TEXT.items()]


@pytest.fixture
def qrels(planted):
    return qrels_from_labels(planted[0], {niche: niche for niche in NICHES})


def all_rankers(encoder):
    return {"random": RandomRanker(seed=1), "followers": FollowerRanker(), "engagement": EngagementRanker(),
            "tfidf": TfidfRanker(), "bm25": BM25Ranker(), "mean-caption": MeanCaptionCosineRanker(encoder),
            "recommender": Recommender(encoder=encoder)}


@pytest.mark.parametrize("k", [1, 7, 500])
def test_every_ranker_returns_min_k_n_rows_ranked_and_sorted(catalog, briefs, fake_encoder, k):
    for name, ranker in all_rankers(fake_encoder).items():
        run = ranker.fit(catalog).rank(briefs, k)
        assert list(run.columns) == ["brief_id", "rank", "creator_id", "score"], name
        for brief in briefs:
            rows = run[run["brief_id"] == brief.brief_id]
            assert len(rows) == min(k, len(catalog)), name
            assert rows["rank"].tolist() == list(range(1, len(rows) + 1)), name
            assert (np.diff(rows["score"].to_numpy()) <= 1e-9).all(), name
            assert rows["creator_id"].is_unique, name


def test_follower_ranker_follows_followers_and_ignores_the_brief(catalog, briefs):
    run = FollowerRanker().fit(catalog).rank(briefs, 120)
    expected = catalog.creators.sort_values(["followers", "creator_id"], ascending=[False, True])["creator_id"]
    for _, rows in run.groupby("brief_id"):
        assert rows["creator_id"].tolist() == expected.tolist()


def test_engagement_ranker_orders_by_fair_engagement(catalog, briefs):
    run = EngagementRanker().fit(catalog).rank(briefs[:1], 120)
    from recommender.catalog.engagement import score_engagement

    scores = score_engagement(catalog.creators, catalog.posts, catalog.tier_scheme)["engagement_score"]
    assert np.allclose(run["score"], scores.loc[run["creator_id"]].to_numpy())


def test_random_ranker_is_reproducible_per_brief(catalog, briefs):
    one = RandomRanker(seed=3).fit(catalog).rank(briefs, 10)
    alone = RandomRanker(seed=3).fit(catalog).rank(briefs[2:3], 10)
    assert one[one["brief_id"] == briefs[2].brief_id]["creator_id"].tolist() == alone["creator_id"].tolist()
    assert not one.equals(RandomRanker(seed=4).fit(catalog).rank(briefs, 10))


@pytest.mark.parametrize("ranker", [TfidfRanker(), BM25Ranker()], ids=["tfidf", "bm25"])
def test_lexical_rankers_find_the_planted_niche(planted, catalog, briefs, ranker):
    niche = planted[0].set_index("creator_id")["niche"]
    run = ranker.fit(catalog).rank(briefs, 10)
    for brief in briefs:
        top = run.loc[run["brief_id"] == brief.brief_id, "creator_id"]
        assert (niche.loc[top] == brief.brief_id).all(), type(ranker).__name__


def test_rankers_work_without_posts_and_with_empty_documents(planted, fake_encoder):
    creators = planted[0].copy()
    creators.loc[:9, "bio"] = ""
    catalog = load_catalog(creators)
    assert catalog.posts.empty and creator_documents(catalog.creators, None)[0] == ""
    for name, ranker in all_rankers(fake_encoder).items():
        run = ranker.fit(catalog).rank([BrandBrief(name="b", description="vegan curry recipe")], 200)
        assert len(run) == 120 and run["brief_id"].eq("1").all(), name
    empty = load_catalog(creators.assign(bio=""))
    for ranker in (TfidfRanker(), BM25Ranker()):
        run = ranker.fit(empty).rank([BrandBrief(name="b", description="the and of")], 5)
        assert len(run) == 5 and (run["score"] == 0).all()


def test_mean_caption_cosine_uses_captions_without_preparation(catalog, fake_encoder):
    ranker = MeanCaptionCosineRanker(fake_encoder).fit(catalog)
    first = catalog.posts[catalog.posts["creator_id"] == "c000"]["caption"].tolist()
    mean = fake_encoder.encode(first, prepare=False).mean(axis=0)
    assert np.allclose(ranker.vectors_[0], mean / np.linalg.norm(mean), atol=1e-6)


def test_ranker_errors(catalog, briefs):
    with pytest.raises(NotBuiltError, match="not fitted"):
        TfidfRanker().rank(briefs, 5)
    with pytest.raises(ValueError, match=r"The 'k' parameter of FollowerRanker.rank must be an int >= 1. Got 0"):
        FollowerRanker().fit(catalog).rank(briefs, 0)
    with pytest.raises(TypeError, match="must be a Catalog"):
        FollowerRanker().fit(catalog.creators)
    assert FollowerRanker().fit(catalog).rank([], 5).empty


def test_evaluate_rankers_summary_and_intervals(catalog, briefs, qrels, fake_encoder):
    rankers = all_rankers(fake_encoder)
    report = evaluate_rankers(rankers, catalog, briefs, qrels, k=(5, 10), n_bootstrap=200)
    summary = report.summary.set_index("system")
    assert report.systems == list(rankers)
    assert (summary["n_briefs"] == 4).all()
    assert ((summary["ndcg@10_ci_low"] <= summary["ndcg@10"] + 1e-12)
            & (summary["ndcg@10"] <= summary["ndcg@10_ci_high"] + 1e-12)).all()
    assert summary.loc["tfidf", "precision@10"] == 1.0 and summary.loc["recommender", "precision@10"] >= 0.9
    assert summary.loc["random", "ndcg@10"] < summary.loc["tfidf", "ndcg@10"]
    assert summary.loc["tfidf", "niche_coverage@10"] == 1.0 and "intra_list_diversity@10" not in summary
    assert len(report.per_brief) == 4 * len(rankers) and set(report.runs["system"]) == set(rankers)
    assert report.runs.groupby("system").size().eq(40).all()
    comparison = report.compare("tfidf", "random")
    assert comparison["mean_diff"] > 0 and comparison["n_briefs"] == 4
    text = format_report(report, per_brief=True)
    assert "nDCG@10 [95% CI]" in text and "Per brief: bm25" in text


def test_evaluate_rankers_restricts_to_judged_briefs(catalog, briefs, qrels, caplog):
    extra = briefs + [BrandBrief(name="x", description="coffee", brief_id="unjudged")]
    report = evaluate_rankers({"f": FollowerRanker()}, catalog, extra, qrels, k=5, n_bootstrap=50)
    assert "unjudged" not in set(report.runs["brief_id"]) and "without judgments" in caplog.text
    with pytest.raises(ValueError, match="must judge at least one of the briefs"):
        evaluate_rankers({"f": FollowerRanker()}, catalog, extra[-1:], qrels)
    with pytest.raises(ValueError, match="must have fit"):
        evaluate_rankers({"f": object()}, catalog, briefs, qrels)


def test_qrels_from_labels(planted):
    qrels = qrels_from_labels(planted[0], {"b1": " Food ", "b2": ["tech", "travel"], "b3": "knitting"})
    assert qrels.groupby("brief_id").size().to_dict() == {"b1": 30, "b2": 60}
    assert (qrels["grade"] == 1.0).all()
    with pytest.raises(ValueError, match=r"must have columns \['creator_id', 'topic'\]"):
        qrels_from_labels(planted[0], {"b": "food"}, column="topic")


def test_load_qrels(tmp_path):
    path = tmp_path / "qrels.csv"
    path.write_text("brief_id,creator_id,grade\n1,c001,2\n1,c002,0\n2,c003,1\n")
    qrels = load_qrels(path)
    assert qrels.to_dict("list") == {"brief_id": ["1", "1", "2"], "creator_id": ["c001", "c002", "c003"],
                                     "grade": [2.0, 0.0, 1.0]}
    path.write_text("brief_id,creator_id\n1,c001\n")
    assert load_qrels(path)["grade"].tolist() == [1.0]


@pytest.mark.parametrize("text,error,match", [
    ("brief_id,creator\n1,c1\n", CatalogError, r"qrels.csv: missing required column\(s\) \['creator_id'\]"),
    ("brief_id,creator_id,grade\n1,c1,high\n", ValidationError,
     r"qrels.csv row 2, column 'grade': expected a number >= 0, got 'high'"),
    ("brief_id,creator_id,grade\n1,c1,1\n2,,1\n", ValidationError,
     r"qrels.csv row 3, column 'creator_id': expected a non-empty identifier, got an empty value"),
    ("brief_id,creator_id\n1,c1\n1,c2\n1,c1\n", ValidationError,
     r"qrels.csv row 4, column 'creator_id': expected a \(brief_id, creator_id\) pair not given before, "
     r"got \('1', 'c1'\) again \(first seen at row 2\)"),
    ("brief_id,creator_id,grade\n1,c1,-1\n", ValidationError, r"row 2, column 'grade': expected a number >= 0, got '-1'"),
])
def test_load_qrels_errors(tmp_path, text, error, match):
    path = tmp_path / "qrels.csv"
    path.write_text(text)
    with pytest.raises(error, match=match):
        load_qrels(path)


def test_load_qrels_missing_file(tmp_path):
    with pytest.raises(CatalogError, match="qrels.csv: no such file"):
        load_qrels(tmp_path / "qrels.csv")


@pytest.fixture
def saved(tmp_path, planted, fake_encoder, briefs, qrels):
    Recommender.build(*planted, encoder=fake_encoder).save(tmp_path / "index")
    (tmp_path / "briefs.jsonl").write_text("\n".join(json.dumps(b.to_dict()) for b in briefs))
    qrels.to_csv(tmp_path / "qrels.csv", index=False)
    return tmp_path


def test_cli_evaluate_end_to_end(saved, cli, capsys):
    out = saved / "per_brief.csv"
    code = cli(["evaluate", "--index", str(saved / "index"), "--briefs", str(saved / "briefs.jsonl"),
                 "--qrels", str(saved / "qrels.csv"), "-k", "5", "10", "--n-bootstrap", "100", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "Per brief: recommender" in printed and "Macro average: recommender" in printed
    per_brief = pd.read_csv(out)
    assert sorted(per_brief["brief_id"]) == sorted(BRIEF_TEXT) and (per_brief["precision@10"] >= 0.9).all()
    assert {"ndcg@5", "ndcg@10", "mrr", "map", "niche_coverage@10", "intra_list_diversity@10"} <= set(per_brief.columns)


def test_cli_evaluate_reports_bad_qrels(saved, monkeypatch, capsys):
    (saved / "qrels.csv").write_text("brief_id,creator_id,grade\nfood,c000,x\n")
    code = main(["evaluate", "--index", str(saved / "index"), "--briefs", str(saved / "briefs.jsonl"),
                 "--qrels", str(saved / "qrels.csv")])
    assert code == 2 and "qrels.csv row 2, column 'grade'" in capsys.readouterr().err


def test_evaluate_recommender_matches_the_ranker(planted, catalog, briefs, qrels, fake_encoder):
    rec = Recommender(encoder=fake_encoder).fit(catalog)
    direct = evaluate_recommender(rec, briefs, qrels, k=10, n_bootstrap=100)
    wrapped = evaluate_rankers({"recommender": Recommender(encoder=fake_encoder)}, catalog, briefs, qrels,
                               k=10, n_bootstrap=100)
    columns = ["ndcg@10", "precision@10", "recall@10", "mrr", "map"]
    pd.testing.assert_frame_equal(direct.summary[columns], wrapped.summary[columns])
    assert np.isnan(direct.summary.loc[0, "fit_s"]) and "intra_list_diversity@10" in direct.summary
