"""Lookalike creators (``Recommender.similar``): same-niche precision on the labelled dev sets.

Run from the repository root::

    python benchmarks/lookalikes.py                      # sample, heldout and tweet_topic
    python benchmarks/lookalikes.py --sets heldout

A lookalike is right when it is in the niche of its seed (the ``niche`` column of
``data/creators.csv`` and ``data/heldout/creators.csv``; on ``tweet_topic``, real
one-tweet "creators", when it shares a topic with the seed, a tweet having one to
several topics). P@10 is the share of the 10 results in the seeds' niche, for:

- **1 seed**: every creator of the catalog as the seed (a fixed random 300 of the tweets);
- **3 seeds, one niche**: 100 sets of 3 creators drawn from one niche;
- **2 seeds, two niches**: 100 sets of one creator from each of two niches; a result
  is right in either niche, and ``minority@10`` is the share of the top 10 from the
  less represented of the two (0.5 is an even split, 0 means one niche was lost);
- **1 seed + 1 negative**: every creator as the seed, with the creator of another niche
  nearest to it (by creator-vector cosine, the one most likely to be shown and turned
  down) excluded only, or given as the negative seed; ``neg-niche@10`` is the share of
  the top 10 from the negative's niche.

Systems: ``Recommender.similar`` with the default encoder and each way of combining
seeds (``LookalikeWeights.nearest_seed``: the default 0.5, half from the seeds' mean
query and half from each candidate's nearest seed; 1, the nearest seed only, i.e. the
max over seeds; 0, the mean only), against a TF-IDF baseline
(scikit-learn ``TfidfVectorizer`` over bio and captions, cosine to the seeds' mean
TF-IDF vector, minus 0.5 x the negatives' mean as in the Rocchio weights), and the
P@10 a random top 10 would have (chance level: the share of right creators). Seed sets
are drawn with a fixed seed; intervals are 95% percentile bootstraps over seed sets
(1,000 resamples); ``paired difference`` is a paired bootstrap of the default against
the row, or of a negative seed against excluding that creator only. Prints Markdown tables and
writes ``benchmarks/results/lookalikes.json``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, table, write_json  # noqa: E402
from devsets import load_sample, load_tweet_topic  # noqa: E402

from recommender.catalog.loader import load_catalog  # noqa: E402
from recommender.embedding.encoder import Encoder  # noqa: E402
from recommender.ranking.lookalike import LookalikeWeights  # noqa: E402
from recommender.evaluation.metrics import macro_average, paired_bootstrap  # noqa: E402
from recommender.recommender import Recommender  # noqa: E402

K = 10
SETS = 100
DEFAULT, NEAREST, MEAN = ("similar (default: half mean, half nearest seed)", "similar, nearest seed only",
                          "similar, mean of seeds only")
TFIDF, CHANCE = "TF-IDF, mean of seeds", "random (chance level)"
SINGLE_SEEDS = {"sample": None, "heldout": None, "tweet_topic": 300}  # None: every creator
# A lookalike call: (seed ids, negative ids, excluded ids) -> the top K creator ids.
System = Callable[[list[str], list[str], list[str]], list[str]]


def tfidf_system(creators: pd.DataFrame, posts: pd.DataFrame, negative_weight: float) -> System:
    """Cosine to the seeds' mean TF-IDF vector (bio + captions) minus ``negative_weight`` x the negatives' mean."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    captions = posts.groupby("creator_id")["caption"].agg(" ".join)
    ids = creators["creator_id"].to_numpy()
    texts = creators["bio"].fillna("") + " " + captions.reindex(ids).fillna("").to_numpy()
    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    position = pd.Series(np.arange(len(ids)), index=ids)

    def similar(seeds: list[str], negative: list[str], exclude: list[str]) -> list[str]:
        query = np.asarray(matrix[position[seeds].to_numpy()].mean(axis=0)).ravel()
        if negative:
            query = query - negative_weight * np.asarray(matrix[position[negative].to_numpy()].mean(axis=0)).ravel()
        scores = matrix @ query
        scores[position[seeds + negative + exclude].to_numpy()] = -np.inf
        return ids[np.argsort(-scores, kind="stable")[:K]].tolist()

    return similar


def similar_system(rec: Recommender, nearest_seed: float) -> System:
    weights = LookalikeWeights(nearest_seed=nearest_seed)
    return lambda seeds, negative, exclude: rec.similar(seeds, negative=negative, exclude=exclude, k=K,
                                                        weights=weights)["creator_id"].tolist()


def load(name: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Creators, posts and each creator's labels (a frozenset: its niche, or a tweet's topics)."""
    if name == "tweet_topic":
        dev = load_tweet_topic()
        labels = dev.qrels.groupby("creator_id")["brief_id"].agg(frozenset)
        return dev.creators, dev.posts, labels.reindex(dev.creators["creator_id"]).apply(
            lambda x: x if isinstance(x, frozenset) else frozenset())
    dev = load_sample(heldout=name == "heldout")
    return dev.creators, dev.posts, dev.creators.set_index("creator_id")["niche"].map(lambda n: frozenset([n]))


def seed_sets(rec: Recommender, labels: pd.Series, rng: np.random.Generator, singles: int | None) -> dict[str, list]:
    """The seed sets of each scenario: seeds, negatives, excluded and the labels that count as right."""
    ids = rec.corpus.creators["creator_id"].to_numpy()
    owned = labels.loc[ids].to_numpy()
    members = {t: ids[[t in own for own in owned]] for t in sorted(frozenset().union(*owned))}
    topics = [t for t, m in members.items() if len(m) > 3]
    chosen = ids if singles is None else np.sort(rng.choice(ids, singles, replace=False))
    one = [{"seeds": [c], "right": labels[c]} for c in chosen if labels[c]]
    same, mixed = [], []
    for _ in range(SETS):
        t = topics[rng.integers(len(topics))]
        same.append({"seeds": rng.choice(members[t], 3, replace=False).tolist(), "right": frozenset([t])})
        a, b = rng.choice(topics, 2, replace=False)
        only = {x: [c for c in members[x] if y not in labels[c]] for x, y in ((a, b), (b, a))}
        mixed.append({"seeds": [rng.choice(only[a]), rng.choice(only[b])], "right": frozenset([a, b]), "mixed": True})
    position = pd.Series(np.arange(len(ids)), index=ids)
    vectors, negatives = rec.corpus.creator_vectors, []
    for s in one:
        sims = vectors @ vectors[position[s["seeds"][0]]]
        sims[[bool(own & s["right"]) for own in owned]] = -np.inf
        negatives.append(ids[int(np.argmax(sims))])
    return {
        "1 seed": one,
        "3 seeds, one niche": same,
        "2 seeds, two niches": mixed,
        "1 seed, nearest other-niche creator excluded": [{**s, "exclude": [o], "off": labels[o]}
                                                         for s, o in zip(one, negatives)],
        "1 seed + that creator as negative": [{**s, "negative": [o], "off": labels[o]} for s, o in zip(one, negatives)],
    }


def scores(top: Callable[[dict], list[str]], sets: list[dict], labels: pd.Series) -> pd.DataFrame:
    """Per seed set: P@10, the smaller niche's share (two niches) and the negative's niche share."""
    rows = []
    for i, s in enumerate(sets):
        found = labels.loc[top(s)]
        row = {"brief_id": str(i), "p@10": float(np.mean([bool(own & s["right"]) for own in found]))}
        if s.get("mixed"):
            row["minority@10"] = min(sum(t in own for own in found) for t in s["right"]) / K
        if "off" in s:
            row["neg-niche@10"] = float(np.mean([bool(own & s["off"]) for own in found]))
        rows.append(row)
    return pd.DataFrame(rows)


def chance(sets: list[dict], labels: pd.Series) -> pd.DataFrame:
    """Per seed set, the P@10 of a random top 10: the share of right creators among those it may return."""
    rows = []
    for i, s in enumerate(sets):
        left = labels.drop(s["seeds"] + s.get("negative", []) + s.get("exclude", []))
        rows.append({"brief_id": str(i), "p@10": float(np.mean([bool(own & s["right"]) for own in left]))})
    return pd.DataFrame(rows)


def measure(name: str, cache: Path, seed: int) -> list[dict]:
    creators, posts, labels = load(name)
    rec = Recommender(encoder=Encoder(cache_dir=cache)).fit(load_catalog(creators, posts))
    ratio = LookalikeWeights().negative / LookalikeWeights().positive
    systems = {DEFAULT: similar_system(rec, 0.5), NEAREST: similar_system(rec, 1.0), MEAN: similar_system(rec, 0.0),
               TFIDF: tfidf_system(creators, posts, ratio)}
    out, excluded = [], {}
    for scenario, sets in seed_sets(rec, labels, np.random.default_rng(seed), SINGLE_SEEDS[name]).items():
        # With one seed the three ways of combining seeds are the same query: only the default is run.
        chosen = {s: fn for s, fn in systems.items() if s not in (NEAREST, MEAN) or len(sets[0]["seeds"]) > 1}
        per_set = {system: scores(lambda s: fn(list(s["seeds"]), s.get("negative", []), s.get("exclude", [])),
                                  sets, labels) for system, fn in chosen.items()}
        per_set[CHANCE] = chance(sets, labels)
        for system, table_ in per_set.items():
            summary = macro_average(table_, seed=seed).set_index("metric")
            row = {"set": name, "scenario": scenario, "system": system, "seed sets": len(sets)}
            for metric in summary.index:
                row[metric] = summary.loc[metric, "mean"]
                row[f"{metric} 95% CI"] = f"{summary.loc[metric, 'ci_low']:.3f}-{summary.loc[metric, 'ci_high']:.3f}"
            if system in (NEAREST, MEAN):
                row["paired difference"] = _paired(per_set[DEFAULT], table_, "default - this", seed)
            if "negative" in sets[0] and system in excluded and system != CHANCE:
                row["paired difference"] = _paired(table_, excluded[system], "negative - excluded only", seed)
            out.append(row)
        if "exclude" in sets[0]:
            excluded = per_set
    return out


def _paired(a: pd.DataFrame, b: pd.DataFrame, label: str, seed: int) -> str:
    diff = paired_bootstrap(a, b, metric="p@10", seed=seed)
    return f"{label}: {diff['mean_diff']:+.3f} ({diff['ci_low']:+.3f} to {diff['ci_high']:+.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SINGLE_SEEDS), choices=list(SINGLE_SEEDS))
    parser.add_argument("--cache-dir", type=Path, default=ROOT / ".cache" / "embeddings", help="embedding cache")
    parser.add_argument("--seed", type=int, default=0, help="seed of the seed sets and the bootstrap")
    args = parser.parse_args()
    out = {}
    for name in args.sets:
        out[name] = rows = measure(name, args.cache_dir, args.seed)
        columns = ["scenario", "system", "seed sets", "p@10", "p@10 95% CI", "paired difference", "minority@10",
                   "neg-niche@10"]
        print(table(rows, columns, title=f"Lookalikes on {name}: same-niche P@10") + "\n")
    print(f"Wrote {write_json('lookalikes', out)}")


if __name__ == "__main__":
    main()
