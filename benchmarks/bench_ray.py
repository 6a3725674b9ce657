"""Scaling with Ray on this machine: encoding on actor pools and sharded batch search, against one process.

* **Encoding**: distinct real captions of the sample catalog (``data/posts.csv``)
  with the real model (default settings: OpenVINO, bf16 where the CPU has it), by
  ``Encoder.encode`` in this process and by ``encode_with_ray`` on 1 and 2 actors.
  A Ray run pays for starting its actors and loading the model in each; a run of one
  batch per actor measures that, and the steady throughput is the rest of the texts
  over the rest of the time.
* **Batch search**: random unit queries over random unit vectors (384 dimensions,
  float32), top-100, by ``VectorIndex.search`` and by ``RaySearch`` with 1, 2 and 4
  shards; exact search (the same rows and scores, checked) and, with ``--ivf``, the
  IVF index (recall@100 against exact). Queries per second of the whole batch,
  build time (copy to the object store, index build), resident memory of this process
  and of the shard actors (pages of the object store they read count in their RSS).

The local cluster gets every CPU (``ray.init(num_cpus=cores)``); each run is timed
once, after a warm-up, so on a shared machine read it with the load average printed.

    HF_HUB_OFFLINE=1 python benchmarks/bench_ray.py [--texts 3000] [--rows 1000000] [--ivf]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import load_average, machine_info, rss_gib, table, timed, write_json  # noqa: E402
from recommender.embedding import Encoder  # noqa: E402
from recommender.scale import RaySearch, encode_with_ray  # noqa: E402
from recommender.search import IndexConfig, VectorIndex  # noqa: E402

DIMENSION = 384
K = 100


def actor_rss_gib(name: str = "ray::_Shard") -> float:
    """Resident memory of this machine's Ray actor processes of one class, from /proc."""
    total = 0
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "cmdline").read_bytes().startswith(name.encode()):
                total += next(int(line.split()[1]) for line in (proc / "status").read_text().splitlines()
                              if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
    return total / 2**20


def captions(n: int) -> list[str]:
    """``n`` distinct non-empty captions of the sample catalog."""
    texts = pd.read_csv(ROOT / "data" / "posts.csv", dtype=str)["caption"].dropna().drop_duplicates()
    return texts[texts.str.strip() != ""].head(n).tolist()


def bench_encoding(texts: list[str], actor_counts: list[int], batch_size: int) -> list[dict]:
    """Texts per second of one process and of Ray actor pools."""
    encoder = Encoder()
    load_s, _ = timed(lambda: encoder.encode(texts[:8]))
    seconds, _ = timed(lambda: encoder.encode(texts))
    rows = [{"path": f"Encoder.encode ({encoder.backend} {encoder.precision})", "texts": len(texts),
             "startup_s": load_s, "seconds": seconds, "texts_per_s": len(texts) / seconds,
             "steady_texts_per_s": len(texts) / seconds, "load": load_average()}]
    reference = encoder.encode(texts)
    for actors in actor_counts:
        first = texts[: batch_size * actors]  # one batch per actor: what starting the pool costs
        startup, _ = timed(lambda: encode_with_ray(first, Encoder(), actors=actors, batch_size=batch_size))
        seconds, vectors = timed(lambda: encode_with_ray(texts, Encoder(), actors=actors, batch_size=batch_size))
        steady = (len(texts) - len(first)) / (seconds - startup) if seconds > startup else float("nan")
        rows.append({"path": f"encode_with_ray, {actors} actor(s)", "texts": len(texts), "startup_s": startup,
                     "seconds": seconds, "texts_per_s": len(texts) / seconds, "steady_texts_per_s": steady,
                     "min_cos": float((vectors * reference).sum(axis=1).min()), "load": load_average()})
    return rows


def unit_rows(rng: np.random.Generator, rows: int) -> np.ndarray:
    out = np.empty((rows, DIMENSION), dtype=np.float32)
    for start in range(0, rows, 100_000):
        block = rng.standard_normal((min(100_000, rows - start), DIMENSION), dtype=np.float32)
        out[start:start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def bench_search(rows: int, queries: int, shard_counts: list[int], kinds: list[str]) -> list[dict]:
    """Batch search throughput and memory of one index and of Ray shards."""
    rng = np.random.default_rng(0)
    vectors, batch = unit_rows(rng, rows), unit_rows(rng, queries)
    out = []
    exact: tuple[np.ndarray, np.ndarray] | None = None
    for kind in kinds:
        config = IndexConfig(kind=kind)
        build_s, index = timed(lambda: VectorIndex(config=config).build(vectors))
        index.search(batch[:10], K)
        seconds, (scores, positions) = timed(lambda: index.search(batch, K))
        exact = (scores, positions) if kind == "exact" else exact
        out.append({"kind": kind, "path": "VectorIndex.search", "rows": rows, "queries": queries, "build_s": build_s,
                    "seconds": seconds, "queries_per_s": queries / seconds, "driver_rss_gib": rss_gib(),
                    "actors_rss_gib": 0.0, "recall_at_100": _recall(positions, exact), "load": load_average()})
        index = None  # freed before the shards take their copies
        for shards in shard_counts:
            build_s, search = timed(lambda: RaySearch(vectors, shards=shards, config=config))
            with search:
                search.search(batch[:10], K)
                seconds, (scores, found) = timed(lambda: search.search(batch, K))
                if kind == "exact":
                    assert np.array_equal(found, exact[1]) and np.array_equal(scores, exact[0]), "shards differ"
                out.append({"kind": kind, "path": f"RaySearch, {shards} shard(s)", "rows": rows, "queries": queries,
                            "build_s": build_s, "seconds": seconds, "queries_per_s": queries / seconds,
                            "driver_rss_gib": rss_gib(), "actors_rss_gib": actor_rss_gib(),
                            "recall_at_100": _recall(found, exact), "load": load_average()})
            time.sleep(1)  # let the killed actors exit before the next run is measured
    return out


def _recall(found: np.ndarray, exact: tuple[np.ndarray, np.ndarray] | None) -> float:
    """Share of the exact top-100 found (1 for exact search itself)."""
    if exact is None:
        return 1.0
    return float(np.mean([len(np.intersect1d(a, b)) / len(b) for a, b in zip(found, exact[1])]))


def report(results: dict) -> str:
    """Markdown tables of the results."""
    encoding = table(results["encoding"], ["path", "texts", "startup_s", "seconds", "texts_per_s",
                                           "steady_texts_per_s", "min_cos", "load"],
                     "Encoding distinct sample captions (real model); startup = actors start and load the model")
    search = table(results["search"], ["kind", "path", "rows", "queries", "build_s", "seconds", "queries_per_s",
                                       "recall_at_100", "driver_rss_gib", "actors_rss_gib", "load"],
                   f"Batch search, top-{K}, random unit vectors of {DIMENSION} dimensions")
    return "\n\n".join([encoding, search])


def main(argv: list[str] | None = None) -> dict:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description="Scaling with Ray: encoding actors and sharded search.")
    parser.add_argument("--texts", type=int, default=3000, help="distinct captions to encode")
    parser.add_argument("--actors", default="1,2", help="actor pool sizes")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--rows", type=int, default=1_000_000, help="vectors searched")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--shards", default="1,2,4")
    parser.add_argument("--ivf", action="store_true", help="also the IVF index (builds take minutes at 1M)")
    parser.add_argument("--out", default="ray", help="name of the JSON file in benchmarks/results/")
    args = parser.parse_args(argv)
    import ray

    cores = os.cpu_count() or 1
    ray.init(num_cpus=cores, include_dashboard=False, log_to_driver=False)
    started = load_average()
    try:
        results = {"machine": machine_info(), "ray": ray.__version__, "ray_cpus": cores,
                   "encoding": bench_encoding(captions(args.texts), [int(a) for a in args.actors.split(",")],
                                              args.batch_size),
                   "search": bench_search(args.rows, args.queries, [int(s) for s in args.shards.split(",")],
                                          ["exact", "ivf"] if args.ivf else ["exact"])}
    finally:
        ray.shutdown()
    results.update(load_average_start=started, load_average_end=load_average())
    path = write_json(args.out, results)
    print(report(results))
    print(f"\nload average {started} at start, {results['load_average_end']} at end; wrote {path.relative_to(ROOT)}")
    return results


if __name__ == "__main__":
    main()
