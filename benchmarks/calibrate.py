"""Calibration of the relevance floor: the absolute ``fit`` and the ``weak_match`` threshold.

Run from the repository root::

    python benchmarks/calibrate.py

Ranks the judged briefs of every dev set, plus briefs no creator of any dev set
fits (``data/offcatalog_briefs.jsonl``: a luxury watch maker, a forklift supplier,
accounting software, farm seed), fits ``P(relevant | semantic)`` by logistic
regression on the top 50 of every brief (each dev set weighted equally), and
prints the curve with the share of results each threshold flags weak: relevant
and non-relevant results of judged briefs, results of off-catalog briefs, and
the first result of judged briefs. The defaults of
:class:`recommender.ranking.score.RelevanceFloor` come from this output.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from devsets import ROOT, load_sample, load_tweet_topic  # noqa: E402

from recommender import Recommender, WeakMatchWarning, load_briefs, load_catalog  # noqa: E402
from recommender.embedding.encoder import Encoder  # noqa: E402
from recommender.ranking.score import RelevanceFloor  # noqa: E402


def ranked(cache: Path, depth: int = 50) -> pd.DataFrame:
    """Top ``depth`` of every judged and off-catalog brief on every dev set, with ``relevant`` and ``off``."""
    encoder, off = Encoder(cache_dir=cache), load_briefs(ROOT / "data" / "offcatalog_briefs.jsonl")
    frames = []
    for dev in (load_sample(), load_sample(heldout=True), load_tweet_topic()):
        rec = Recommender(encoder=encoder).fit(load_catalog(dev.creators, dev.posts))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", WeakMatchWarning)
            results = rec.recommend_batch(dev.briefs + off, k=depth, explain=False)
        judged = set(zip(dev.qrels["brief_id"].astype(str), dev.qrels["creator_id"].astype(str)))
        results["relevant"] = [(b, c) in judged for b, c in zip(results["brief_id"], results["creator_id"])]
        frames.append(results.assign(set=dev.name, off=results["brief_id"].isin([b.brief_id for b in off])))
    return pd.concat(frames, ignore_index=True)


def fit_curve(results: pd.DataFrame) -> tuple[float, float]:
    """Slope and midpoint of the logistic ``P(relevant | semantic)``, each dev set weighted equally."""
    from sklearn.linear_model import LogisticRegression

    weight = 1.0 / results.groupby("set")["semantic"].transform("size").to_numpy()
    model = LogisticRegression(C=100.0).fit(results[["semantic"]], results["relevant"], sample_weight=weight)
    slope, intercept = float(model.coef_[0][0]), float(model.intercept_[0])
    return slope, -intercept / slope


def flag_rates(results: pd.DataFrame, floor: RelevanceFloor, thresholds: list[float]) -> str:
    """Markdown table: share of each kind of result flagged weak at each fit threshold."""
    top = results[results["rank"] <= 10].assign(fit=lambda t: floor.fit(t["semantic"]))
    lines = ["| fit threshold | semantic | set | relevant flagged | non-relevant flagged | off-catalog flagged "
             "| first result of judged briefs flagged |", "|---|---|---|---|---|---|---|"]  # 95% Wilson intervals
    for t in thresholds:
        semantic = floor.midpoint + np.log(t / (1 - t)) / floor.slope
        for name, own in top.groupby("set", sort=False):
            judged, off = own[~own["off"]], own[own["off"]]
            groups = [judged.loc[judged["relevant"], "fit"], judged.loc[~judged["relevant"], "fit"], off["fit"],
                      judged.loc[judged["rank"] == 1, "fit"]]
            lines.append(f"| {t:.2f} | {semantic:.3f} | {name} | " + " | ".join(_share(g < t) for g in groups) + " |")
    return "\n".join(lines)


def _share(flags: pd.Series) -> str:
    """``k/n = p% [low, high]``: a share with its 95% Wilson interval."""
    n, k, z = len(flags), int(flags.sum()), 1.96
    centre, half = (k + z * z / 2) / (n + z * z), z * np.sqrt(k * (n - k) / n + z * z / 4) / (n + z * z)
    return f"{k}/{n} = {k / n:.0%} [{max(centre - half, 0):.0%}, {min(centre + half, 1):.0%}]"


def main() -> None:
    results = ranked(Path(".cache/embeddings"))
    slope, midpoint = fit_curve(results)
    print(f"fitted: slope {slope:.2f}, midpoint {midpoint:.3f} (RelevanceFloor defaults: "
          f"slope {RelevanceFloor().slope}, midpoint {RelevanceFloor().midpoint}, threshold {RelevanceFloor().threshold})\n")
    print(flag_rates(results, RelevanceFloor(), [0.36, 0.41, 0.45]))


if __name__ == "__main__":
    main()
