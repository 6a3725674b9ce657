"""End to end with the real bundled model and real FAISS on the bundled sample."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from recommender import BrandBrief, Recommender, WeakMatchWarning
from recommender.catalog.briefs import load_briefs
from recommender.cli import main
from recommender.embedding.encoder import Encoder

DATA = Path(__file__).resolve().parent.parent / "data"
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Recommender, Path]:
    # The repository's embedding cache is shared with the notebooks, so a test run embeds the sample once.
    cache = DATA.parent / ".cache" / "embeddings"
    rec = Recommender.build(DATA / "creators.csv", DATA / "posts.csv", encoder=Encoder(cache_dir=cache))
    path = rec.save(tmp_path_factory.mktemp("models") / "sample")
    return rec, path


@pytest.fixture(scope="module")
def labels() -> pd.Series:
    return pd.read_csv(DATA / "creators.csv", dtype=str).set_index("creator_id")["niche"]


def test_brief_per_niche_top_10_is_dominated_by_that_niche(built, labels):
    rec, _ = built
    briefs = load_briefs(DATA / "briefs.jsonl")
    niche_of_brief = pd.read_csv(DATA / "brief_niches.csv", dtype=str).set_index("brief_id")["niche"]
    results = rec.recommend_batch(briefs, k=10)
    results["hit"] = results["creator_id"].map(labels).to_numpy() == results["brief_id"].map(niche_of_brief).to_numpy()
    precision = results.groupby(results["brief_id"].map(niche_of_brief))["hit"].mean()
    assert precision.mean() >= 0.8, precision.to_dict()
    assert (precision >= 0.5).all(), precision.to_dict()


def test_tier_and_engagement_filters_are_exact(built):
    rec, _ = built
    brief = BrandBrief(name="GreenSprout", description="plant-based snacks for families", tiers=["micro"],
                       min_engagement_rate=0.03)
    results = rec.recommend(brief, k=10)
    passing = rec.corpus.creators[(rec.corpus.creators["tier"] == "micro") & (rec.corpus.engagement["engagement_rate_shrunk"] >= 0.03)]
    assert len(results) == min(10, len(passing))
    assert set(results["creator_id"]) <= set(passing["creator_id"])


def test_reasons_quote_real_posts(built):
    rec, _ = built
    results = rec.recommend("budget travel tips and cheap flights", k=5)
    captions = rec.corpus.posts.set_index("post_id")["caption"]
    for row in results.itertuples():
        post_id = row.matched_posts.split(";")[0]
        assert " ".join(captions[post_id].split())[:30] in row.reasons


def test_save_load_identical_and_batch_equals_single(built):
    rec, path = built
    loaded = Recommender.load(path)
    briefs = [BrandBrief(name="a", description="skincare routine for sensitive skin", brief_id="a"),
              BrandBrief(name="b", description="indie cosy games", tiers=["nano", "micro"], brief_id="b")]
    batch = loaded.recommend_batch(briefs, k=8)
    pd.testing.assert_frame_equal(batch, rec.recommend_batch(briefs, k=8), check_exact=False, atol=1e-5)
    singles = pd.concat([loaded.recommend(b, k=8) for b in briefs], ignore_index=True)
    pd.testing.assert_frame_equal(batch, singles)


def test_cli_recommend_and_batch(built, tmp_path, capsys):
    _, path = built
    assert main(["recommend", "--index", str(path), "--brief", "protein snacks for gym lovers", "--tier", "micro", "-k", "3"]) == 0
    printed = capsys.readouterr().out
    assert "Why:" in printed and "micro tier" in printed
    out = tmp_path / "plan.csv"
    assert main(["batch", "--index", str(path), "--briefs", str(DATA / "briefs.jsonl"), "--out", str(out), "-k", "5"]) == 0
    table = pd.read_csv(out)
    assert {"brief_id", "rank", "creator_id", "score", "semantic", "engagement_score"} <= set(table.columns)
    assert table.groupby("brief_id").size().eq(5).all()


def test_cli_build_reports_bad_input_clearly(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(tmp_path / "cache"))
    bad = tmp_path / "creators.csv"
    bad.write_text("creator_id,followers,bio\na,12k,vegan chef\nb,5000,travel diaries\n", encoding="utf-8")
    message = "creators.csv row 2, column 'followers': expected an integer >= 0, got '12k'"
    assert main(["build", "--creators", str(bad), "--out", str(tmp_path / "idx"), "--strict"]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "idx").exists()
    # By default the valid rows are built and every rejected row is reported, on screen and in a file.
    assert main(["build", "--creators", str(bad), "--out", str(tmp_path / "idx"), "--backend", "torch"]) == 0
    assert message in capsys.readouterr().out
    assert pd.read_csv(tmp_path / "idx.rejected.csv")["message"].tolist() == [message]
    loaded = Recommender.load(tmp_path / "idx")
    assert len(loaded.corpus.creators) == 1 and loaded.text_encoder.backend == "torch"


WATCH = "Luxury Swiss watch maker: mechanical movements, chronographs, horology and watch collecting."


def test_a_brief_the_catalog_cannot_serve_is_flagged_weak_and_good_briefs_are_not(built):
    rec, _ = built
    with pytest.warns(WeakMatchWarning, match="No creator clears the relevance floor"):
        watch = rec.recommend(BrandBrief(name="Chronos", description=WATCH), k=10)
    assert watch["weak_match"].all() and watch["fit"].max() < rec.floor.threshold
    briefs = load_briefs(DATA / "briefs.jsonl")
    results = rec.recommend_batch(briefs, k=10)
    first = results[results["rank"] == 1]
    assert not first["weak_match"].any(), first[["brief_id", "fit"]].to_dict("records")


def test_cli_plan_leaves_a_brief_nobody_fits_unbooked(built, tmp_path, capsys):
    _, path = built
    briefs = tmp_path / "briefs.jsonl"
    briefs.write_text(json.dumps({"brief_id": "watch", "name": "Chronos", "description": WATCH}) + "\n"
                      + json.dumps({"brief_id": "snacks", "name": "GreenSprout",
                                    "description": "Organic plant-based snacks for busy families"}) + "\n")
    out = tmp_path / "plan"
    assert main(["plan", "--index", str(path), "--briefs", str(briefs), "--budget", "20000", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Left brief watch unbooked" in printed
    plan = pd.read_csv(out / "plan.csv", dtype={"brief_id": str})
    assert set(plan["brief_id"]) == {"snacks"} and (plan["fit"] >= 0.41).all()
    summary = json.loads((out / "summary.json").read_text())
    assert list(summary["below_min_fit"]) == ["watch"]
