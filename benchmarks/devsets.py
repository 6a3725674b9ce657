"""Development sets for measuring match quality.

Each loader returns a :class:`DevSet`: a catalog (creators, posts), briefs and
relevance judgements (qrels). Briefs were written before any result was seen.

- ``sample``: the bundled synthetic catalog (``data/``), relevance by niche label.
- ``heldout``: a harder synthetic catalog by another writer with niche-adjacent
  distractors (``data/heldout/``).
- ``tweet_topic``: 1,000 real English tweets (TweetTopicXL, MIT), one post per
  "creator", 19 topics; relevance = the tweet carries the brief's topic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from recommender.catalog.briefs import BrandBrief, load_briefs

ROOT = Path(__file__).resolve().parent.parent
SHARED_TWEETS = ROOT.parent / "shared" / "data" / "tweet_topic" / "en_1000.jsonl"

# Brief id -> TweetTopic label column.
TWEET_TOPICS = {
    "t_arts": "arts_&_culture", "t_business": "business_&_entrepreneurs", "t_celebrity": "celebrity_&_pop_culture",
    "t_diaries": "diaries_&_daily_life", "t_family": "family", "t_fashion": "fashion_&_style",
    "t_film": "film_tv_&_video", "t_fitness": "fitness_&_health", "t_food": "food_&_dining", "t_gaming": "gaming",
    "t_learning": "learning_&_educational", "t_music": "music", "t_news": "news_&_social_concern",
    "t_hobbies": "other_hobbies", "t_relationships": "relationships", "t_science": "science_&_technology",
    "t_sports": "sports", "t_travel": "travel_&_adventure", "t_youth": "youth_&_student_life",
}


@dataclass(frozen=True)
class DevSet:
    name: str
    creators: pd.DataFrame
    posts: pd.DataFrame | None
    briefs: list[BrandBrief]
    qrels: pd.DataFrame


def load_sample(heldout: bool = False) -> DevSet:
    """The bundled labelled sample (or its held-out part)."""
    folder = ROOT / "data" / ("heldout" if heldout else "")
    return DevSet(
        "heldout" if heldout else "sample",
        pd.read_csv(folder / "creators.csv", dtype=str, keep_default_na=False),
        pd.read_csv(folder / "posts.csv", dtype=str, keep_default_na=False),
        load_briefs(folder / "briefs.jsonl"),
        pd.read_csv(folder / "qrels.csv", dtype={"brief_id": str, "creator_id": str}),
    )


def load_tweet_topic(path: Path = SHARED_TWEETS) -> DevSet:
    """Real tweets as a catalog of one-post creators."""
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = [f"tw{r['id']}" for r in rows]
    creators = pd.DataFrame({"creator_id": ids, "followers": 5000, "bio": "", "platform": "twitter"})
    posts = pd.DataFrame({"creator_id": ids, "caption": [r["text"] for r in rows], "likes": 100, "comments": 5})
    qrels = pd.DataFrame(
        [(brief, cid, 1) for brief, topic in TWEET_TOPICS.items() for cid, r in zip(ids, rows) if r[topic] == 1],
        columns=["brief_id", "creator_id", "grade"],
    )
    briefs = load_briefs(ROOT / "data" / "tweet_topic" / "briefs.jsonl")
    return DevSet("tweet_topic", creators, posts, briefs, qrels)
