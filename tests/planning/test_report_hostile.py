"""The HTML report with hostile text everywhere a user writes it: brief names and ids, keywords (which reach the
reasons), creator ids, handles, platforms, tier names and the title. None of it may become markup."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pandas as pd
import pytest

from recommender import BrandBrief, Recommender
from recommender.catalog import TierScheme
from recommender.planning.costs import creator_costs
from recommender.planning.planner import Planner
from recommender.planning.report import render_report, report_vectors

from ..conftest import NICHES, HashingEncoder

SCRIPT = "<script>alert(1)</script>"
IMAGE = "\"><img src=x onerror=alert(2)>"
CLOSE = "</script><!--"
MATH = "$\\undefined{x}$ 100%"
HOSTILE = [SCRIPT, IMAGE, CLOSE, "'><svg onload=alert(3)>", "</style><b>x</b>", MATH]
TAGS = {"html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "p", "span", "div", "b", "figure",
        "img", "figcaption", "section", "table", "tr", "th", "td", "br"}


class Markup(HTMLParser):
    """Every start tag and attribute of a page, and whether it has a comment."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:  # noqa: ANN001 - HTMLParser's signature
        self.tags.append((tag, attrs))

    def handle_comment(self, data) -> None:  # noqa: ANN001
        self.comments.append(data)


@pytest.fixture(scope="module")
def page() -> str:
    tiers = TierScheme.from_boundaries({f"small {SCRIPT}": 0, f"mid {MATH}": 10_000, f"big {CLOSE}": 100_000})
    creators, posts = [], []
    for i in range(24):
        niche = list(NICHES)[i % 4]
        creators.append({"creator_id": f"c{i}{HOSTILE[i % len(HOSTILE)]}", "handle": HOSTILE[(i + 1) % len(HOSTILE)],
                         "platform": IMAGE if i % 2 else "instagram", "followers": [3_000, 30_000, 300_000][i % 3],
                         "bio": f"{niche} creator {NICHES[niche][i % 4]} {SCRIPT}", "cost": 100 + i})
        for j in range(3):
            posts.append({"creator_id": creators[-1]["creator_id"], "caption": f"{NICHES[niche][j]} {IMAGE}",
                          "likes": 100 + j, "comments": 5})
    rec = Recommender.build(pd.DataFrame(creators), pd.DataFrame(posts), encoder=HashingEncoder(), tiers=tiers)
    briefs = [BrandBrief(name=f"{niche} {HOSTILE[n]}", brief_id=f"{n}{HOSTILE[-1 - n]}",
                         description=" ".join(words[:2]), keywords=[words[0].split()[0], SCRIPT])
              for n, (niche, words) in enumerate(NICHES.items())]
    candidates = rec.recommend_batch(briefs, k=8)
    plan = Planner(budget=10_000, max_per_brief=3, tier_mix={f"mid {MATH}": 0.2}).plan(
        candidates, creator_costs(rec.corpus.creators))
    assert len(plan.table) >= 4
    return render_report(plan, **report_vectors(rec, briefs), title=f"Plan {SCRIPT} {IMAGE}")


def test_hostile_text_never_becomes_markup(page):
    parser = Markup()
    parser.feed(page)
    assert {tag for tag, _ in parser.tags} <= TAGS and "script" not in {tag for tag, _ in parser.tags}
    assert not parser.comments
    for _, attrs in parser.tags:
        assert not [name for name, _ in attrs if name.startswith("on")]
        assert all(value is None or "alert" not in value for _, value in attrs)


def test_hostile_text_is_shown_escaped(page):
    for text in HOSTILE[:-1]:  # all but MATH, which holds no markup
        assert text not in page
    for text in (SCRIPT, IMAGE, CLOSE):
        assert html.escape(text) in page
    assert "&lt;/script&gt;&lt;!--" in page and "<!--" not in page and "</script" not in page
    assert html.escape(f"mid {MATH}") in page  # a tier name with TeX in it, drawn in the plots as text
