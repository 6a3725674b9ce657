"""How often each authenticity flag fires, on the sample and on planted suspicious creators.

There is no labelled real data of bought engagement here, so this script measures
two things that can be measured honestly:

1. **Flag rate per tier on the bundled sample** (``data/creators.csv``,
   ``data/posts.csv``). The sample is synthetic and contains no bought
   engagement by construction, so every flag raised there is a false flag of
   the kind its generator produces (its 1% of viral posts, chance flat runs).
2. **Planted detection.** 2,000 normal synthetic creators (followers and
   platforms from ``benchmarks/synthetic.py``; posts by rules like the sample
   generator's) plus, per pattern, 200 planted creators. Detection is the share
   of planted creators that raise the pattern's own flag, with a 95% Wilson
   interval; the false-flag rate is measured on the 2,000 normal creators alone.

Run ``python benchmarks/authenticity.py``; it prints Markdown tables and writes
``benchmarks/results/authenticity.json``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from math import sqrt
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import table, write_json  # noqa: E402
from benchmarks.synthetic import creator_table  # noqa: E402
from recommender.brandfit.authenticity import FLAG_COLUMNS, AuthenticityModel, authenticity_signals  # noqa: E402
from recommender.catalog.loader import load_catalog  # noqa: E402
from recommender.catalog.tiers import TierScheme  # noqa: E402

SCHEME = TierScheme.preset("default")
# Median (likes + comments) / followers per tier, as in data/generate_sample.py.
TIER_RATE = {"emerging": 0.06, "nano": 0.04, "micro": 0.03, "mid": 0.025, "macro": 0.02, "mega": 0.015}
POSTS = 12
SHORT = {"flag_uniform_likes": "uniform likes", "flag_few_comments": "few comments",
         "flag_many_comments": "many comments", "flag_follow_for_follow": "follow-for-follow",
         "flag_engagement_spike": "spike"}


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion."""
    if n == 0:
        return float("nan"), float("nan")
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def normal_creators(n: int, rng: np.random.Generator, prefix: str = "n") -> tuple[pd.DataFrame, np.ndarray,
                                                                                   np.ndarray]:
    """Creators with organic counts: (creators, likes (n, POSTS), comments (n, POSTS)).

    Engagement per post = tier median x creator factor (log-normal, sigma 0.5) x post
    noise (sigma 0.4), 1% of posts viral (x5-x15), 20% sponsored (x0.7), as in the
    sample generator. Comments per like vary by creator (log-normal around 3%,
    sigma 0.4) and by post (x U(0.7, 1.3)). Following is log-normal around 400
    (sigma 0.6): an assumption, real following counts are not available here.
    """
    creators = creator_table(n, np.full(n, "", dtype=object), rng)
    creators["creator_id"] = [f"{prefix}{i}" for i in range(n)]
    creators["following"] = np.round(np.exp(rng.normal(np.log(400), 0.6, size=n))).astype(np.int64)
    followers = creators["followers"].to_numpy(dtype=float)
    base = np.array([TIER_RATE[t] for t in SCHEME.assign(followers).astype(str)])
    rate = base[:, None] * np.exp(rng.normal(0, 0.5, size=(n, 1))) * np.exp(rng.normal(0, 0.4, size=(n, POSTS)))
    rate *= np.where(rng.random((n, POSTS)) < 0.01, rng.uniform(5, 15, size=(n, POSTS)), 1.0)
    rate *= np.where(rng.random((n, POSTS)) < 0.2, 0.7, 1.0)
    share = np.exp(rng.normal(np.log(0.03), 0.4, size=(n, 1))) * rng.uniform(0.7, 1.3, size=(n, POSTS))
    likes = np.round(followers[:, None] * rate / (1 + share))
    return creators, likes, np.round(likes * share)


def plant(kind: str, n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """``n`` creators with one suspicious pattern on top of organic counts."""
    creators, likes, comments = normal_creators(n, rng, prefix=kind[:2])
    if kind == "bought likes":
        # A fixed package per post, 2-10x the organic median, delivered within +-3%; no comments bought.
        package = np.median(likes, axis=1, keepdims=True) * rng.uniform(2, 10, size=(n, 1))
        likes = likes + np.round(package * rng.uniform(0.97, 1.03, size=likes.shape))
    elif kind == "follow-for-follow":
        creators["following"] = rng.integers(1_600, 7_501, size=n)  # 7,500 is Instagram's cap
    elif kind == "single spike":
        post = rng.integers(0, POSTS, size=n)
        boost = rng.uniform(5, 20, size=n)
        likes[np.arange(n), post] *= boost
        comments[np.arange(n), post] *= boost
        likes, comments = np.round(likes), np.round(comments)
    elif kind == "comment pod":
        comments = np.round(comments * rng.uniform(4, 10, size=(n, 1)))
    return creators, likes, comments


TARGET = {"bought likes": "flag_uniform_likes", "follow-for-follow": "flag_follow_for_follow",
          "single spike": "flag_engagement_spike", "comment pod": "flag_many_comments"}


def as_posts(creators: pd.DataFrame, likes: np.ndarray, comments: np.ndarray) -> pd.DataFrame:
    """Long posts table, oldest first, one post a week."""
    n = len(creators)
    days = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(np.tile(np.arange(POSTS) * 7, n), unit="D")
    return pd.DataFrame({"creator_id": np.repeat(creators["creator_id"].to_numpy(), POSTS),
                         "likes": likes.ravel().astype(np.int64), "comments": comments.ravel().astype(np.int64),
                         "posted_at": days})


def sample_rates(model: AuthenticityModel) -> list[dict]:
    """Flag rate per tier on the bundled sample."""
    catalog = load_catalog(ROOT / "data" / "creators.csv", ROOT / "data" / "posts.csv")
    signals = authenticity_signals(catalog.creators, catalog.posts, catalog.tier_scheme, model)
    signals["tier"] = catalog.creators["tier"].astype(str).to_numpy()
    has_following = "following" in catalog.creators.columns
    rows = []
    for tier, part in [(t, signals[signals["tier"] == t]) for t in SCHEME.names] + [("all", signals)]:
        row = {"tier": tier, "creators": len(part),
               "checked (>= min_posts)": int((part["posts_checked"] >= model.min_posts).sum())}
        for column in FLAG_COLUMNS:
            count = int(part[column].sum())
            row[SHORT[column]] = "n/a" if column == "flag_follow_for_follow" and not has_following else (
                f"{count} ({count / max(len(part), 1):.1%})")
        flagged = int((part["authenticity_flags"] > 0).sum())
        row["any flag"] = f"{flagged} ({flagged / max(len(part), 1):.1%})"
        rows.append(row)
    return rows


def planted_rates(model: AuthenticityModel, normal: int, planted: int, seed: int) -> tuple[list[dict], list[dict]]:
    """Detection of each planted pattern and false flags on the normal creators."""
    rng = np.random.default_rng(seed)
    base = normal_creators(normal, rng)
    alone = authenticity_signals(base[0], as_posts(*base), SCHEME, model)
    detection = []
    for kind, target in TARGET.items():
        extra = plant(kind, planted, rng)
        creators = pd.concat([base[0], extra[0]], ignore_index=True)
        posts = pd.concat([as_posts(*base), as_posts(*extra)], ignore_index=True)
        signals = authenticity_signals(creators, posts, SCHEME, model).iloc[normal:]
        hits, anyflag = int(signals[target].sum()), int((signals["authenticity_flags"] > 0).sum())
        low, high = wilson(hits, planted)
        detection.append({"planted pattern": kind, "n": planted, "its flag": SHORT[target],
                          "detected": f"{hits / planted:.1%}", "95% interval": f"{low:.1%}-{high:.1%}",
                          "any flag": f"{anyflag / planted:.1%}"})
    false = []
    for column in list(FLAG_COLUMNS) + ["any flag"]:
        hits = int((alone["authenticity_flags"] > 0).sum()) if column == "any flag" else int(alone[column].sum())
        low, high = wilson(hits, normal)
        false.append({"flag": SHORT.get(column, column), "normal creators": normal, "false flags": hits,
                      "rate": f"{hits / normal:.2%}", "95% interval": f"{low:.2%}-{high:.2%}"})
    return detection, false


def main(argv: list[str] | None = None) -> None:
    """Print the three tables and write them to ``benchmarks/results/authenticity.json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--normal", type=int, default=2000, help="normal synthetic creators")
    parser.add_argument("--planted", type=int, default=200, help="planted creators per pattern")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--spike-factor", type=float, default=AuthenticityModel().spike_factor,
                        help="AuthenticityModel.spike_factor to measure")
    args = parser.parse_args(argv)
    model = AuthenticityModel(spike_factor=args.spike_factor)
    sample = sample_rates(model)
    detection, false = planted_rates(model, args.normal, args.planted, args.seed)
    print(table(sample, list(sample[0]), "Flags raised on the bundled sample, per tier"), end="\n\n")
    title = f"Planted creators detected (each pattern among {args.normal:,} normal ones)"
    print(table(detection, list(detection[0]), title), end="\n\n")
    print(table(false, list(false[0]), "False flags on normal synthetic creators"))
    write_json("authenticity", {"model": asdict(model), "sample": sample, "planted": detection, "false_flags": false})


if __name__ == "__main__":
    main()
