"""The HTML report: one self-contained file, embedded plots, escaped text; the plan's output files."""

from __future__ import annotations

import base64
import html
import json
import re

import pandas as pd
import pytest

from recommender import BrandBrief, Recommender
from recommender.planning.costs import creator_costs
from recommender.planning.planner import Planner, plan_campaign
from recommender.planning.report import render_report, report_vectors, write_plan

from ..conftest import NICHES, HashingEncoder

HOSTILE = "<script>alert('x')</script>"


def catalog() -> tuple[pd.DataFrame, pd.DataFrame]:
    """48 creators over the four planted niches and three tiers, two of them with hostile text."""
    creators, posts = [], []
    for i in range(48):
        niche = list(NICHES)[i % 4]
        followers = [3_000, 25_000, 180_000][i % 3] + 97 * i
        creators.append({"creator_id": f"c{i:03d}", "handle": f"@creator{i}", "followers": followers,
                         "bio": f"{niche} creator sharing {NICHES[niche][i % 4]}",
                         "cost": None if i % 2 else followers / 60})
        for j in range(4):
            likes = followers // (20 + (i * 7 + j) % 30)
            caption = f"{NICHES[niche][(i + j) % 4]} day {j}" + (" <b>bold</b> & \"quoted\"" if i == 4 else "")
            posts.append({"creator_id": f"c{i:03d}", "caption": caption, "likes": likes, "comments": likes // 15})
    creators[0]["handle"] = HOSTILE
    return pd.DataFrame(creators), pd.DataFrame(posts)


@pytest.fixture(scope="module")
def planned():
    rec = Recommender.build(*catalog(), encoder=HashingEncoder())
    briefs = [BrandBrief(name=f"{n} & <Co>", description=" ".join(p[:2]), brief_id=n) for n, p in NICHES.items()]
    candidates = rec.recommend_batch(briefs, k=20)
    wanted = ["c000", "c004"]  # the hostile creators, planned whatever their scores
    candidates.loc[candidates["creator_id"].isin(wanted), "semantic"] = 100.0
    plan = Planner(budget=50_000, max_per_brief=4).plan(candidates, creator_costs(rec.corpus.creators))
    assert set(wanted) <= set(plan.table["creator_id"])
    return plan, rec, briefs


@pytest.fixture(scope="module")
def page(planned):
    plan, rec, briefs = planned
    return render_report(plan, **report_vectors(rec, briefs), title="Spring <campaign>")


def test_report_is_one_self_contained_html_document(page):
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<link" not in page and "<script" not in page and "@import" not in page
    assert not re.search(r"""(src|href)\s*=\s*['"]?(https?:|//|file:)""", page)
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(images) == 3  # niche map, engagement vs followers, budget by tier
    for image in images:
        assert base64.b64decode(image)[:8] == b"\x89PNG\r\n\x1a\n"


def test_user_text_is_escaped(page):
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;" in page
    assert "<Co>" not in page and "&amp; &lt;Co&gt;" in page
    assert "Spring &lt;campaign&gt;" in page


def test_report_shows_each_brief_with_budget_and_tiers(planned, page):
    plan = planned[0]
    for brief in plan.summary["per_brief"]:
        assert f"({brief})" in page
    assert f"${plan.summary['budget_used']:,.0f}" in page and "Tier mix" in page
    for row in plan.table.itertuples():
        assert html.escape(row.handle) in page and html.escape(row.reasons) in page
    if plan.summary["estimated_costs"]:
        assert "est.</span>" in page


def test_report_without_vectors_has_no_niche_map(planned):
    page = render_report(planned[0])
    assert len(re.findall(r"data:image/png;base64,", page)) == 2


def test_write_plan_writes_every_file(planned, page, tmp_path):
    plan = planned[0]
    paths = write_plan(plan, tmp_path / "out", page)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "plan.csv", "plan.parquet", "report.html", "summary.json"]
    assert paths["report"].read_text(encoding="utf-8") == page
    assert json.loads(paths["summary"].read_text())["creators"] == len(plan.table)
    pd.testing.assert_frame_equal(pd.read_parquet(paths["parquet"]), plan.table, check_dtype=False)


def test_plan_campaign_report_end_to_end(planned):
    _, rec, briefs = planned
    plan = plan_campaign(rec, briefs[:2], Planner(budget=5_000, tier_mix={"micro": 0.5}), k=10)
    page = render_report(plan, **report_vectors(rec, briefs[:2]))
    assert page.count("class='brief'") == 2
