"""Encoding speed per backend and precision, and how much each changes neighbours against torch fp32.

Variants: torch and OpenVINO (when installed), each in fp32 and bf16. They run in
the same process, interleaved (one repeat of every variant, then the next), each
after a warm-up; the figure reported is the median of the repeats, with the best
repeat next to it (on a shared machine the best is the least disturbed).

* **Throughput** over bios and captions, in batches. Texts are real: the TweetTopic
  tweets as captions, and the bios and captions of the sample catalog (``data/``)
  when present. Tokens are counted with the model's tokenizer after the package's
  text preparation and truncation (special tokens included, padding not).
* **One brief**: the phrases of one real brief (what ``recommend`` embeds for a
  query), one brief per call; p50 and p99 milliseconds.
* **Neighbour overlap**: for every text of a corpus, its 10 nearest other texts
  under the variant's embeddings and under torch fp32; the share they have in common.

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

from benchmarks.common import load_average, machine_info, table, timed, timed_cpu, write_json  # noqa: E402
from benchmarks.devsets import load_tweet_topic  # noqa: E402
from benchmarks.synthetic import brief_texts  # noqa: E402
from recommender.embedding.backends import openvino_available  # noqa: E402
from recommender.embedding.encoder import Encoder  # noqa: E402
from recommender.embedding.query import brief_facets  # noqa: E402
from recommender.embedding.text import prepare_texts  # noqa: E402

REFERENCE = ("torch", "fp32")


def variants() -> list[tuple[str, str]]:
    """(backend, precision) pairs this machine can run, the reference first."""
    backends = ("torch", "openvino") if openvino_available() else ("torch",)
    return [(backend, precision) for backend in backends for precision in ("fp32", "bf16")]


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
    """Measure every corpus with every variant; returns the JSON-ready results."""
    load_start = load_average()
    encoders = {v: Encoder(backend=v[0], precision=v[1], batch_size=batch_size, show_progress_bar=False)
                for v in variants()}
    texts = corpora(n)
    for encoder in encoders.values():  # load (and convert) the model and warm up kernels
        encoder.encode(next(iter(texts.values()))[:batch_size])
    rows, overlap = [], []
    for name, corpus in texts.items():
        tokens = token_count(encoders[REFERENCE], corpus)
        times: dict[tuple[str, str], list[float]] = {v: [] for v in encoders}
        cpu: dict[tuple[str, str], list[float]] = {v: [] for v in encoders}
        vectors: dict[tuple[str, str], np.ndarray] = {}
        for _ in range(repeats):
            for variant, encoder in encoders.items():
                seconds, cpu_s, vectors[variant] = timed_cpu(lambda: encoder.encode(corpus))
                times[variant].append(seconds)
                cpu[variant].append(cpu_s)
        for (backend, precision), runs in times.items():
            median = statistics.median(runs)
            rows.append({"corpus": name, "backend": backend, "precision": precision, "texts": len(corpus),
                         "tokens": tokens, "tokens_per_text": round(tokens / len(corpus), 1),
                         "seconds": round(median, 3), "cpu_s": round(statistics.median(cpu[(backend, precision)]), 3),
                         "texts_per_s": len(corpus) / median, "tokens_per_s": tokens / median,
                         "best_texts_per_s": len(corpus) / min(runs), "runs_s": [round(t, 3) for t in runs]})
        for variant in encoders:
            if variant != REFERENCE:
                cos = np.einsum("ij,ij->i", vectors[REFERENCE], vectors[variant])
                overlap.append({"corpus": name, "backend": variant[0], "precision": variant[1], "texts": len(corpus),
                                "top10_overlap": top_overlap(vectors[REFERENCE], vectors[variant]),
                                "mean_cos": float(cos.mean()), "min_cos": float(cos.min())})
    return {"machine": machine_info(), "load_average_start": load_start, "load_average_end": load_average(),
            "n": n, "repeats": repeats, "batch_size": batch_size, "throughput": rows, "overlap": overlap,
            "one_brief": one_brief(encoders, repeats)}


def one_brief(encoders: dict[tuple[str, str], Encoder], repeats: int) -> list[dict]:
    """Milliseconds to embed the phrases of one real brief, one brief per call, per variant."""
    facets = [brief_facets(b.description, b.keywords) for b in brief_texts()]
    times: dict[tuple[str, str], list[float]] = {v: [] for v in encoders}
    for _ in range(repeats):
        for variant, encoder in encoders.items():
            for phrases in facets:
                times[variant].append(timed(lambda: encoder.encode(phrases))[0])
    return [{"backend": backend, "precision": precision, "briefs": len(facets),
             "phrases_per_brief": round(float(np.mean([len(f) for f in facets])), 1),
             "p50_ms": 1000 * float(np.percentile(runs, 50)), "p99_ms": 1000 * float(np.percentile(runs, 99))}
            for (backend, precision), runs in times.items()]


def report(results: dict) -> str:
    """Markdown tables of :func:`run`'s results."""
    speed = table(results["throughput"], ["corpus", "backend", "precision", "texts", "tokens_per_text", "seconds",
                                          "cpu_s", "texts_per_s", "tokens_per_s", "best_texts_per_s"],
                  f"Encoding throughput (median of {results['repeats']}, batch {results['batch_size']}; "
                  f"load average {results['load_average_start']} at start, {results['load_average_end']} at end)")
    brief = table(results["one_brief"], ["backend", "precision", "briefs", "phrases_per_brief", "p50_ms", "p99_ms"],
                  "One brief's phrases per call")
    quality = table(results["overlap"], ["corpus", "backend", "precision", "texts", "top10_overlap", "mean_cos",
                                         "min_cos"], "Against torch fp32: top-10 neighbour overlap and cosine of the same text")
    return "\n\n".join([speed, brief, quality])


def main(argv: list[str] | None = None) -> dict:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description="Encoding speed per backend and precision.")
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
