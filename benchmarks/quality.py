"""Match quality on every development set: baselines and ablations side by side.

Run from the repository root::

    python benchmarks/quality.py            # all dev sets, all systems
    python benchmarks/quality.py --quick    # baselines + default only

Prints one markdown table per dev set (nDCG@10 with a 95% bootstrap interval over
briefs, P@10, MRR), then nDCG@10 per niche of the default and the two strongest
baselines (a niche's briefs averaged; two briefs per niche on the synthetic sets,
one on the tweets, so single niches move by chance far more than the means), and
writes ``benchmarks/results/quality.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd  # noqa: E402
from devsets import ROOT, TWEET_TOPICS, load_sample, load_tweet_topic  # noqa: E402

from recommender.evaluation.baselines import (  # noqa: E402
    BM25Ranker, EngagementRanker, FollowerRanker, MeanCaptionCosineRanker, RandomRanker, TfidfRanker,
)
from recommender import Recommender  # noqa: E402
from recommender.catalog.loader import load_catalog  # noqa: E402
from recommender.embedding.encoder import Encoder  # noqa: E402
from recommender.evaluation.runs import evaluate_rankers  # noqa: E402
from recommender.embedding.profiles import Representation  # noqa: E402
from recommender.embedding.query import QueryConfig  # noqa: E402
from recommender.ranking.score import RankingWeights  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def systems(cache: Path, quick: bool) -> dict:
    encoder = Encoder(cache_dir=cache)
    base = {
        "random": RandomRanker(),
        "followers (market default)": FollowerRanker(),
        "engagement only": EngagementRanker(),
        "TF-IDF": TfidfRanker(),
        "BM25": BM25Ranker(),
        "mean-caption cosine": MeanCaptionCosineRanker(Encoder(cache_dir=cache)),
        "recommender (default)": Recommender(encoder=encoder),
    }
    if quick:
        return base
    default_w, default_r = RankingWeights(), Representation()
    ablations = {
        "- facets (whole brief embedded)": dict(query=QueryConfig(facets=False)),
        "- framing removal": dict(query=QueryConfig(remove_framing=False)),
        "- facets - framing": dict(query=QueryConfig(facets=False, remove_framing=False)),
        "- hashtag splitting": dict(encoder=Encoder(cache_dir=cache, split_hashtags=False)),
        "- BM25 (dense only)": dict(weights=replace(default_w, lexical=0.0)),
        "BM25 blend 0.2": dict(weights=replace(default_w, lexical=0.2)),
        "BM25 by RRF (weight 0.5)": dict(weights=replace(default_w, lexical=0.5, fusion="rrf")),
        "BM25 by RRF (weight 1)": dict(weights=replace(default_w, lexical=1.0, fusion="rrf")),
        "bio weight 0": dict(representation=replace(default_r, bio_weight=0.0)),
        "bio weight 0.5": dict(representation=replace(default_r, bio_weight=0.5)),
        "no trimming of off-niche posts": dict(representation=replace(default_r, trim=0.0)),
        "post evidence 0": dict(weights=replace(default_w, evidence=0.0)),
        "post evidence 0.6": dict(weights=replace(default_w, evidence=0.6)),
        "engagement weight 0": dict(weights=replace(default_w, engagement=0.0)),
        "engagement weight 0.1": dict(weights=replace(default_w, engagement=0.1)),
        "engagement weight 0.2": dict(weights=replace(default_w, engagement=0.2)),
    }
    for name, settings in ablations.items():
        base[name] = Recommender(**{"encoder": encoder, **settings})
    return base


def per_niche(per_brief: pd.DataFrame, set_name: str) -> pd.DataFrame:
    """nDCG@10 of the default and the strongest baselines, averaged over each niche's briefs (niches as rows)."""
    if set_name == "tweet_topic":
        niche_of = {brief: topic for brief, topic in TWEET_TOPICS.items()}
    else:
        folder = ROOT / "data" / ("heldout" if set_name == "heldout" else "")
        niche_of = pd.read_csv(folder / "brief_niches.csv", dtype=str).set_index("brief_id")["niche"].to_dict()
    shown = [s for s in ("recommender (default)", "TF-IDF", "mean-caption cosine") if s in set(per_brief["system"])]
    rows = per_brief[per_brief["system"].isin(shown)].assign(niche=lambda t: t["brief_id"].map(niche_of))
    table = rows.pivot_table(index="niche", columns="system", values="ndcg@10", aggfunc="mean")[shown]
    return table.sort_values(shown[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="baselines and the default configuration only")
    parser.add_argument("--cache-dir", type=Path, default=Path(".cache/embeddings"), help="embedding cache")
    parser.add_argument("--sets", nargs="+", default=["sample", "heldout", "tweet_topic"])
    parser.add_argument("--only", nargs="+", help="run only the systems whose name contains one of these strings")
    args = parser.parse_args()
    loaders = {"sample": lambda: load_sample(), "heldout": lambda: load_sample(heldout=True), "tweet_topic": load_tweet_topic}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out, niches = {}, {}
    for name in args.sets:
        dev = loaders[name]()
        catalog = load_catalog(dev.creators, dev.posts)
        chosen = systems(args.cache_dir, args.quick)
        if args.only:
            chosen = {n: r for n, r in chosen.items() if any(o in n for o in args.only)}
        report = evaluate_rankers(chosen, catalog, dev.briefs, dev.qrels, k=(10,))
        table = report.summary
        print(f"\n### {name} ({len(dev.briefs)} briefs, {len(catalog.creators)} creators)\n")
        print("| system | nDCG@10 [95% CI] | P@10 | MRR |\n|---|---|---|---|")
        for _, row in table.iterrows():
            print(f"| {row['system']} | {row['ndcg@10']:.3f} [{row['ndcg@10_ci_low']:.3f}, {row['ndcg@10_ci_high']:.3f}] "
                  f"| {row['precision@10']:.3f} | {row['mrr']:.3f} |", flush=True)
        out[name] = table.to_dict(orient="records")
        niches[name] = per_niche(report.per_brief, name)
    print("\n### nDCG@10 per niche\n")
    for name, frame in niches.items():
        print(f"\n{name}\n\n| niche | " + " | ".join(frame.columns) + " |\n|---|" + "---|" * len(frame.columns))
        for niche, row in frame.iterrows():
            print(f"| {niche} | " + " | ".join(f"{v:.3f}" for v in row) + " |", flush=True)
    (RESULTS / "quality.json").write_text(json.dumps(out, indent=2, default=float))


if __name__ == "__main__":
    main()
