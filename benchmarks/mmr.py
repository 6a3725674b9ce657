"""Diversified shortlists (MMR): what diversity costs in relevance, on the labelled dev sets.

Run from the repository root::

    python benchmarks/mmr.py                    # the sample dev set
    python benchmarks/mmr.py --sets sample heldout

For each trade-off, every brief's top 10 is chosen by MMR from the recommender's
top 50 (``recommender.planning.diversity.recommend_diverse``) and scored with the
evaluation harness against the niche judgements: nDCG@10 (95% bootstrap
interval over briefs), intra-list diversity@10 (mean pairwise cosine distance
of the creator vectors), niche coverage@10 (distinct niches: more means
off-niche creators slipped in) and sub-niche spread@10 (distinct sub-topics of
the brief's niche among the relevant creators of the top 10; the generator of
the synthetic data gives every creator a main sub-topic, e.g. skincare, makeup,
haircare or nails in beauty). Prints a markdown table per dev set and writes
``benchmarks/results/mmr.json``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, table, write_json  # noqa: E402
from devsets import load_sample  # noqa: E402

from recommender.evaluation.baselines import RUN_COLUMNS  # noqa: E402
from recommender.catalog.loader import load_catalog  # noqa: E402
from recommender.planning.diversity import recommend_diverse  # noqa: E402
from recommender.embedding.encoder import Encoder  # noqa: E402
from recommender.evaluation.runs import evaluate_rankers  # noqa: E402
from recommender.recommender import Recommender  # noqa: E402

TRADE_OFFS = (1.0, 0.9, 0.8, 0.7, 0.5)


class MMRRanker:
    """One fitted Recommender shared by every trade-off; ``rank`` re-ranks its top ``depth * k`` by MMR."""

    def __init__(self, recommender: Recommender, trade_off: float, depth: int = 5) -> None:
        self.recommender, self.trade_off, self.depth = recommender, trade_off, depth

    def fit(self, catalog) -> "MMRRanker":  # noqa: ANN001 - fitted once, outside the harness
        return self

    def rank(self, briefs, k: int) -> pd.DataFrame:  # noqa: ANN001
        run = recommend_diverse(self.recommender, briefs, k=k, trade_off=self.trade_off, depth=self.depth,
                                progress=False)
        return run[RUN_COLUMNS]


def sub_niches(heldout: bool) -> pd.Series:
    """Each creator's main sub-topic, regenerated (deterministically) by the sample's generator."""
    sys.path.insert(0, str(ROOT / "data"))
    import generate_sample as gen

    spec = gen.HELDOUT if heldout else gen.MAIN
    creators = gen.make_creators(np.random.default_rng(spec.seed), spec)
    return pd.Series({c["creator_id"]: f"{c['niche']}/{c['sub']}" for c in creators})


def sub_niche_spread(runs: pd.DataFrame, qrels: pd.DataFrame, subs: pd.Series, k: int = 10) -> pd.Series:
    """Mean over briefs of the distinct sub-topics among the relevant creators of each top ``k``, per system."""
    top = runs[runs["rank"] <= k].merge(qrels[qrels["grade"] > 0][["brief_id", "creator_id"]],
                                        on=["brief_id", "creator_id"])
    top = top.assign(sub=top["creator_id"].map(subs))
    return top.groupby(["system", "brief_id"])["sub"].nunique().groupby("system").mean()


def measure(name: str, cache: Path) -> list[dict]:
    dev = load_sample(heldout=name == "heldout")
    catalog = load_catalog(dev.creators, dev.posts)
    rec = Recommender(encoder=Encoder(cache_dir=cache)).fit(catalog)
    rankers = {f"trade_off={t}": MMRRanker(rec, t) for t in TRADE_OFFS}
    vectors = (rec.corpus.creators["creator_id"].to_numpy(), rec.corpus.creator_vectors)
    report = evaluate_rankers(rankers, catalog, dev.briefs, dev.qrels, k=[10], vectors=vectors, n_bootstrap=1000)
    spread = sub_niche_spread(report.runs, dev.qrels, sub_niches(name == "heldout"))
    rows = []
    for row in report.summary.to_dict("records"):
        rows.append({
            "system": row["system"], "nDCG@10": row["ndcg@10"],
            "95% CI": f"{row['ndcg@10_ci_low']:.3f}-{row['ndcg@10_ci_high']:.3f}",
            "P@10": row["precision@10"], "diversity@10": row["intra_list_diversity@10"],
            "niches@10": row["niche_coverage@10"], "sub-niches@10": float(spread.get(row["system"], np.nan)),
        })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["sample"], choices=["sample", "heldout"])
    parser.add_argument("--cache-dir", type=Path, default=ROOT / ".cache" / "embeddings", help="embedding cache")
    args = parser.parse_args()
    out = {}
    for name in args.sets:
        out[name] = rows = measure(name, args.cache_dir)
        columns = ["system", "nDCG@10", "95% CI", "P@10", "diversity@10", "niches@10", "sub-niches@10"]
        print(table(rows, columns, title=f"MMR on {name} ({len(rows)} trade-offs, top 10 of 50)") + "\n")
    print(f"Wrote {write_json('mmr', out)}")


if __name__ == "__main__":
    main()
