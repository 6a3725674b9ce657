"""Encoding throughput of bios and captions, fp32 against bf16, and how much bf16 changes neighbours.

Both precisions run in the same process, interleaved (fp32, bf16, fp32, bf16, ...),
each after a warm-up; the figure reported is the median of the repeats, with the
best repeat next to it (on a shared machine the best is the least disturbed). Texts are
real: the TweetTopic tweets as captions, and the bios and captions of the sample
catalog (``data/``) when present. Tokens are counted with the model's tokenizer after
the package's text preparation and truncation (special tokens included, padding not).

Neighbour overlap: for every text of a corpus, its 10 nearest other texts under
fp32 embeddings and under bf16 embeddings; the share they have in common.

    python benchmarks/bench_encode.py [--quick] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import load_average, machine_info, table, timed_cpu, write_json  # noqa: E402
from benchmarks.devsets import load_tweet_topic  # noqa: E402
from recommender.encoder import Encoder  # noqa: E402
from recommender.text import prepare_texts  # noqa: E402

PRECISIONS = ("fp32", "bf16")


def corpora(n: int, seed: int = 0) -> dict[str, list[str]]:
    """Named lists of real texts, each at most ``n`` long and free of duplicates."""
    out = {}
    creators, posts = ROOT / "data" / "creators.csv", ROOT / "data" / "posts.csv"
    if creators.is_file():
        out["bios (sample)"] = _sample(pd.read_csv(creators, dtype=str, keep_default_na=False)["bio"], n, seed)
    else:
        tweets = load_tweet_topic().posts["caption"]
        out["bios (tweets <= 160 chars)"] = _sample(tweets[tweets.str.len() <= 160], n, seed)
    out["captions (tweets)"] = _sample(load_tweet_topic().posts["caption"], n, seed)
    if posts.is_file():
        out["captions (sample)"] = _sample(pd.read_csv(posts, dtype=str, keep_default_na=False)["caption"], n, seed)
    return out


def _sample(texts: pd.Series, n: int, seed: int) -> list[str]:
    texts = texts[texts.str.strip() != ""].drop_duplicates()
    return texts.sample(min(n, len(texts)), random_state=seed).tolist()


def token_count(encoder: Encoder, texts: list[str]) -> int:
    """Tokens the model reads for ``texts`` (after preparation and truncation)."""
    prepared = prepare_texts(texts, split_hashtags=encoder.split_hashtags)
    model = encoder._load()
    features = (getattr(model, "preprocess", None) or model.tokenize)(prepared)
    return int(features["attention_mask"].sum())


def top_overlap(a: np.ndarray, b: np.ndarray, k: int = 10) -> float:
    """Mean share of common top-``k`` neighbours (self excluded) under embeddings ``a`` and ``b``."""

    def neighbours(vectors: np.ndarray) -> np.ndarray:
        sims = vectors @ vectors.T
        np.fill_diagonal(sims, -np.inf)
        return np.argpartition(-sims, k, axis=1)[:, :k]

    na, nb = neighbours(a), neighbours(b)
    return float(np.mean([len(set(x) & set(y)) / k for x, y in zip(na, nb)]))


def run(n: int, repeats: int, batch_size: int) -> dict:
    """Measure every corpus in both precisions; returns the JSON-ready results."""
    load_start = load_average()
    encoders = {p: Encoder(precision=p, batch_size=batch_size, show_progress_bar=False) for p in PRECISIONS}
    texts = corpora(n)
    for encoder in encoders.values():  # load the model and warm up kernels
        encoder.encode(next(iter(texts.values()))[:batch_size])
    rows, overlap = [], []
    for name, corpus in texts.items():
        tokens = token_count(encoders["fp32"], corpus)
        times: dict[str, list[float]] = {p: [] for p in PRECISIONS}
        cpu: dict[str, list[float]] = {p: [] for p in PRECISIONS}
        vectors: dict[str, np.ndarray] = {}
        for _ in range(repeats):
            for precision, encoder in encoders.items():
                seconds, cpu_s, vectors[precision] = timed_cpu(lambda: encoder.encode(corpus))
                times[precision].append(seconds)
                cpu[precision].append(cpu_s)
        for precision in PRECISIONS:
            median = statistics.median(times[precision])
            rows.append({"corpus": name, "precision": precision, "texts": len(corpus), "tokens": tokens,
                         "tokens_per_text": round(tokens / len(corpus), 1), "seconds": round(median, 3),
                         "cpu_s": round(statistics.median(cpu[precision]), 3),
                         "texts_per_s": len(corpus) / median, "tokens_per_s": tokens / median,
                         "best_texts_per_s": len(corpus) / min(times[precision]),
                         "runs_s": [round(t, 3) for t in times[precision]]})
        cos = np.einsum("ij,ij->i", vectors["fp32"], vectors["bf16"])
        overlap.append({"corpus": name, "texts": len(corpus), "top10_overlap": top_overlap(vectors["fp32"], vectors["bf16"]),
                        "mean_cos_fp32_bf16": float(cos.mean()), "min_cos_fp32_bf16": float(cos.min())})
    return {"machine": machine_info(), "load_average_start": load_start, "load_average_end": load_average(), "n": n, "repeats": repeats, "batch_size": batch_size,
            "throughput": rows, "overlap": overlap}


def report(results: dict) -> str:
    """Markdown tables of :func:`run`'s results."""
    speed = table(results["throughput"], ["corpus", "precision", "texts", "tokens_per_text", "seconds", "cpu_s",
                                          "texts_per_s", "tokens_per_s", "best_texts_per_s"],
                  f"Encoding throughput (median of {results['repeats']}, batch {results['batch_size']}; "
                  f"load average {results['load_average_start']} at start, {results['load_average_end']} at end)")
    quality = table(results["overlap"], ["corpus", "texts", "top10_overlap", "mean_cos_fp32_bf16", "min_cos_fp32_bf16"],
                    "bf16 against fp32: top-10 neighbour overlap and cosine of the same text")
    return speed + "\n\n" + quality


def main(argv: list[str] | None = None) -> dict:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description="Encoding throughput, fp32 vs bf16.")
    parser.add_argument("--quick", action="store_true", help="fewer texts (300 per corpus)")
    parser.add_argument("--n", type=int, default=None, help="texts per corpus (default 1000, 300 with --quick)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--out", default="encode", help="name of the JSON file in benchmarks/results/")
    args = parser.parse_args(argv)
    n = args.n or (300 if args.quick else 1000)
    results = run(n, args.repeats, args.batch_size)
    path = write_json(args.out, results)
    print(report(results))
    print(f"\nwrote {path.relative_to(ROOT)}")
    return results


if __name__ == "__main__":
    main()
