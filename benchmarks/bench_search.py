"""Search at scale: build time and memory, one-brief latency, batch throughput, recall.

Each catalog size runs in its own subprocess so that peak memory is that size's
alone. Catalogs are synthetic (``benchmarks/synthetic.py``: vectors drawn around
real text embeddings), so nothing is encoded at build time; queries are real brief
texts and held-out real texts, encoded with the real model.

Per size:

* **build**: ``load_catalog`` (validation), then ``Recommender.fit`` from
  precomputed vectors, with its phases (creator vectors, engagement, index build)
  timed; peak resident memory (kernel VmHWM, reset per phase) and its rise over the
  memory held before the fit.
* **one brief end to end**: ``recommend(brief, k=10)`` (encode the brief, filter,
  search, rank, explain) over ~50 real briefs x rounds, with no filter, with a ~2%
  filter (one tier and one country) and with a broad ~45% filter (one platform);
  p50/p99, whether every call returned exactly k rows, and the median cost of the
  parts (encoding, filter mask, index search).
* **batch**: ``recommend_batch`` of 1,000 distinct real briefs (200 with ``--quick``).
* **recall@100** of the index against the exact oracle (``exact_search``).
* **the obvious alternatives** on the same vectors: exact NumPy matmul top-k and
  FAISS ``IndexFlatIP``, next to the package's index (search only, k=100; batch
  figures over a random sample of the recall queries).

    python benchmarks/bench_search.py [--quick] [--sizes 10k,100k,1M]
        [--blas-threads 1] [--precision bf16] [--backend torch] [--max-rss-gb 10]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from contextlib import nullcontext
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import (PeakTracker, load_average, machine_info, rss_gib, start_watchdog,  # noqa: E402
                               table, timed, timed_cpu, write_json)
from benchmarks.synthetic import (RealCorpus, brief_texts, generate, load_real_corpus,  # noqa: E402
                                  selective_filter)
from recommender.catalog.briefs import BrandBrief  # noqa: E402
from recommender.catalog.loader import load_catalog  # noqa: E402
from recommender.embedding.encoder import Encoder  # noqa: E402
from recommender.search.index import IndexConfig, exact_search  # noqa: E402
from recommender.embedding.query import framing_direction, query_vectors  # noqa: E402
from recommender.recommender import Recommender  # noqa: E402

K = 10
RECALL_K = 100
BROAD_FILTER = {"platforms": ["instagram"]}


# --------------------------------------------------------------------- helpers
def parse_size(text: str) -> int:
    """``'10k'`` -> 10000, ``'1M'`` -> 1000000."""
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * factor)


def size_label(n: int) -> str:
    """10000 -> '10k'."""
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def summary_ms(seconds: list[float]) -> dict[str, float]:
    """p50, p99 and mean of ``seconds`` in milliseconds."""
    values = np.asarray(seconds) * 1000
    return {"p50_ms": float(np.percentile(values, 50)), "p99_ms": float(np.percentile(values, 99)),
            "mean_ms": float(values.mean()), "n": int(len(values))}


def with_filter(brief: BrandBrief, fields: dict[str, Any]) -> BrandBrief:
    """``brief`` with extra hard filters."""
    return BrandBrief(**{**brief.__dict__, **fields})


def overlap(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean share of each row of ``truth`` present in the same row of ``found``."""
    return float(np.mean([len(set(f) & set(t)) / max(len(t), 1) for f, t in zip(found, truth)]))


# ----------------------------------------------------------------------- build
def _fit_targets() -> list[tuple[str, Any, str]]:
    """(phase name, owner, attribute) of the steps of ``Recommender.fit`` that exist in this version."""
    import importlib

    import recommender.search.corpus as module
    from recommender.search.index import VectorIndex

    targets = [("creator_vectors", module, "creator_vectors"), ("engagement", module, "score_engagement"),
               ("index_build", VectorIndex, "build")]
    try:
        targets.append(("lexical_build", importlib.import_module("recommender.search.lexical").LexicalIndex, "build"))
    except (ImportError, AttributeError):
        pass
    return [(name, owner, attr) for name, owner, attr in targets if hasattr(owner, attr)]


@contextmanager
def fit_phases(tracker: PeakTracker, out: dict[str, Any]) -> Iterator[None]:
    """Time the phases of ``Recommender.fit`` (creator vectors, engagement, index builds) and their peaks."""

    def wrap(name: str, fn: Callable) -> Callable:
        def inner(*args: Any, **kwargs: Any) -> Any:
            before = tracker.phase_start()
            start = time.perf_counter()
            out[name] = {"running": True, "rss_before_gib": before}
            try:
                return fn(*args, **kwargs)
            finally:
                out[name] = {"s": time.perf_counter() - start, "peak_gib": tracker.phase_end(),
                             "rss_before_gib": before}
        return inner

    targets = _fit_targets()
    saved = [getattr(owner, attr) for _, owner, attr in targets]
    for (name, owner, attr), fn in zip(targets, saved):
        setattr(owner, attr, wrap(name, fn))
    try:
        yield
    finally:
        for (_, owner, attr), fn in zip(targets, saved):
            setattr(owner, attr, fn)


def build(size: int, corpus: RealCorpus, encoder: Encoder, args: argparse.Namespace, result: dict) -> Recommender:
    """Generate, validate and fit; fills ``result['build']``."""
    seconds, synthetic = timed(lambda: generate(size, corpus, post_share=args.post_share, seed=args.seed))
    info = result["build"] = {"generate_s": seconds, "posts": len(synthetic.posts), "rss_after_generate_gib": rss_gib()}
    tracker = PeakTracker()
    seconds, catalog = timed(lambda: load_catalog(synthetic.creators, synthetic.posts))
    info.update(catalog_s=seconds, catalog_peak_gib=tracker.overall())
    # Passed as float16, the type the recommender keeps them in, so the fit makes no converted copy.
    bio_vectors, post_vectors = synthetic.bio_vectors.astype(np.float16), synthetic.post_vectors.astype(np.float16)
    del synthetic  # the catalog holds validated copies of the tables
    tracker = PeakTracker()
    before = rss_gib()
    phases: dict[str, Any] = {}
    info["phases"] = phases  # filled as phases end, so a stopped run shows how far it got
    rec = Recommender(encoder=encoder, index=IndexConfig(kind=args.index))
    with fit_phases(tracker, phases):
        seconds, _ = timed(lambda: rec.fit(catalog, bio_vectors=bio_vectors, post_vectors=post_vectors))
    info.update(fit_s=seconds, fit_rss_before_gib=before, fit_peak_gib=tracker.overall(),
                fit_peak_rise_gib=tracker.overall() - before, rss_after_fit_gib=rss_gib(),
                index_kind=rec.corpus.index.kind_)
    return rec


# --------------------------------------------------------------------- queries
def brief_filter(rec: Recommender, brief: BrandBrief) -> np.ndarray:
    """The recommender's own hard-filter mask for ``brief`` (all True without filters)."""
    mask = rec.corpus.mask(brief)
    return np.ones(len(rec.corpus.creators), dtype=bool) if mask is None else mask


def check_filter(rec: Recommender, frame: Any, fields: dict[str, Any]) -> bool:
    """True when every row of a result passes ``fields`` (tiers / countries / platforms)."""
    rows = rec.corpus.creators.set_index("creator_id").loc[frame["creator_id"]]
    ok = np.ones(len(rows), dtype=bool)
    if "tiers" in fields:
        ok &= rows["tier"].astype(str).isin(fields["tiers"]).to_numpy()
    if "countries" in fields:
        ok &= rows["country"].isin(fields["countries"]).to_numpy()
    if "platforms" in fields:
        ok &= rows["platform"].isin(fields["platforms"]).to_numpy()
    return bool(ok.all())


def parts_ms(rec: Recommender, briefs: list[BrandBrief]) -> dict[str, float]:
    """Median cost of the parts of one recommend(): encoding the brief's phrases, filter mask,
    index search and, where the recommender has one, lexical (BM25) scoring."""
    from recommender.embedding.text import prepare_texts
    from recommender.util import one_blas_thread

    fetch = max(rec.candidates, 3 * K)
    lexical = rec.corpus.lexical if rec.weights.lexical > 0 else None
    parts: dict[str, list[float]] = {"encode": [], "mask": [], "search": [], "lexical": []}
    framing = framing_direction(rec.text_encoder)  # computed once per recommender, as recommend() does
    for brief in briefs:
        t, query = timed(lambda: query_vectors([brief], rec.text_encoder, rec.query, framing=framing))
        parts["encode"].append(t)
        t, allowed = timed(lambda: brief_filter(rec, brief))
        parts["mask"].append(t)
        allowed = None if allowed.all() else allowed
        # Under the thread limits of recommend() for one brief.
        with one_blas_thread() if rec.text_encoder.backend == "torch" else nullcontext():
            parts["search"].append(timed(lambda: rec.corpus.index.search(query, fetch, allowed=allowed))[0])
            if lexical is not None:
                text = prepare_texts([brief.query_text])[0]
                parts["lexical"].append(timed(lambda: lexical.query(text).top(fetch, allowed=allowed))[0])
    return {f"{name}_p50_ms": 1000 * statistics.median(values) for name, values in parts.items() if values}


def latencies(rec: Recommender, briefs: list[BrandBrief], scenarios: dict[str, dict[str, Any]],
              rounds: int) -> dict[str, dict[str, Any]]:
    """End-to-end latency of ``recommend(brief, k=K)`` per filter scenario.

    Each round runs every scenario as a block over all briefs (a stream of similar
    briefs, as a service sees them); rounds repeat the blocks, so a slow spell
    of the machine does not fall on one scenario only. The first round meets input
    shapes (phrase counts and lengths) the encoder has not run before, which cost it
    more the first time; ``last_round_p50_ms`` is the p50 of the last round alone,
    a service's steady state.
    """
    variants = {name: [with_filter(b, fields) if fields else b for b in briefs] for name, fields in scenarios.items()}
    times: dict[str, list[float]] = {name: [] for name in scenarios}
    cpu: dict[str, list[float]] = {name: [] for name in scenarios}
    exact = {name: True for name in scenarios}
    valid = {name: True for name in scenarios}
    for _ in range(rounds):
        for name, fields in scenarios.items():
            for i in range(len(briefs)):
                t, c, frame = timed_cpu(lambda: rec.recommend(variants[name][i], k=K))
                times[name].append(t)
                cpu[name].append(c)
                exact[name] &= len(frame) == K
                valid[name] &= check_filter(rec, frame, fields) if fields else True
    return {name: {**summary_ms(times[name]), "last_round_p50_ms": 1000 * statistics.median(times[name][-len(briefs):]),
                   "cpu_p50_ms": 1000 * statistics.median(cpu[name]),
                   "exactly_k": bool(exact[name]), "filter_respected": bool(valid[name]),
                   **parts_ms(rec, variants[name][: min(len(briefs), 20)])} for name in scenarios}


def batch(rec: Recommender, briefs: list[BrandBrief], k: int) -> dict[str, Any]:
    """Throughput of ``recommend_batch`` and the share of it spent encoding briefs."""
    seconds, cpu, frame = timed_cpu(lambda: rec.recommend_batch(briefs, k=k, progress=False))
    encode_s, _ = timed(lambda: query_vectors(briefs, rec.text_encoder, rec.query))
    return {"briefs": len(briefs), "k": k, "seconds": seconds, "cpu_s": cpu, "briefs_per_s": len(briefs) / seconds,
            "rows": len(frame), "encode_s": encode_s, "rest_briefs_per_s": len(briefs) / max(seconds - encode_s, 1e-9)}


def batch_briefs(corpus: RealCorpus, briefs: list[BrandBrief], n: int) -> list[BrandBrief]:
    """``n`` distinct real briefs: the written ones, then real texts as descriptions."""
    extra = [BrandBrief(name=f"text-{i}", description=t) for i, t in enumerate(corpus.texts)]
    seen, out = set(), []
    for brief in briefs + extra:
        if brief.description not in seen:
            seen.add(brief.description)
            out.append(brief)
    return out[:n]


# ---------------------------------------------------------------------- recall
def recall(rec: Recommender, queries: np.ndarray, k: int, allowed: np.ndarray | None = None) -> float:
    """recall@k of the recommender's index against exact search over the same rows."""
    _, found = rec.corpus.index.search(queries, k, allowed=allowed)
    subset = np.arange(len(rec.corpus.creator_vectors)) if allowed is None else np.flatnonzero(allowed)
    _, local = exact_search(queries, rec.corpus.creator_vectors[subset], k, chunk=16)
    return overlap(found, subset[local])


def recall_report(rec: Recommender, groups: dict[str, np.ndarray], masks: dict[str, np.ndarray]) -> dict[str, Any]:
    """recall@100 per query group, recall@10 within the candidates recommend() fetches, filtered recall@100."""
    queries = np.vstack(list(groups.values()))
    fetch = max(rec.candidates, 3 * K)
    _, candidates = rec.corpus.index.search(queries, fetch)
    _, truth = exact_search(queries, rec.corpus.creator_vectors, K, chunk=16)
    out: dict[str, Any] = {"queries": len(queries), "recall_at_100": recall(rec, queries, RECALL_K),
                           "recall_at_10_in_candidates": overlap(candidates, truth)}
    for name, group in groups.items():
        out[f"recall_at_100_{name}"] = recall(rec, group, RECALL_K)
    for name, mask in masks.items():
        out[f"recall_at_100_{name}"] = recall(rec, queries, RECALL_K, allowed=mask)
    if rec.corpus.index.kind_ in ("ivf", "hnsw"):
        out["breadth_sweep"] = breadth_sweep(rec, queries)
    return out


def breadth_sweep(rec: Recommender, queries: np.ndarray) -> list[dict[str, Any]]:
    """recall@100 and single-query time of the package's search at several search breadths:
    IVF lists probed (``ivf_probe``) or HNSW ``ef_search``."""
    from dataclasses import replace

    index = rec.corpus.index
    name, values = {"ivf": ("ivf_probe", (64, 128, 256, 512)), "hnsw": ("ef_search", (128, 256, 512))}[index.kind_]
    _, truth = exact_search(queries, rec.corpus.creator_vectors, RECALL_K, chunk=16)
    default, rows = index.config, []
    try:
        for value in values:
            index.config = replace(default, **{name: value})
            _, found = index.search(queries, RECALL_K)
            ms = per_query_ms(lambda q: index.search(q, RECALL_K), queries[:50])
            rows.append({"parameter": name, "value": value, "recall_at_100": overlap(found, truth),
                         "single_query_ms": ms})
    finally:
        index.config = default
    return rows


# ---------------------------------------------------------------- alternatives
def numpy_topk(query: np.ndarray, vectors: np.ndarray, k: int) -> np.ndarray:
    """Exact top-k by one matrix-vector product and a partial sort."""
    sims = vectors @ query
    top = np.argpartition(-sims, k - 1)[:k]
    return top[np.argsort(-sims[top], kind="stable")]


def per_query_ms(search: Callable[[np.ndarray], Any], queries: np.ndarray) -> float:
    """Median milliseconds of ``search(query)`` over ``queries`` (after one warm-up)."""
    search(queries[0])
    return 1000 * statistics.median(timed(lambda: search(q))[0] for q in queries)


def alternatives(rec: Recommender, single: np.ndarray, many: np.ndarray) -> list[dict[str, Any]]:
    """The package's index, exact NumPy top-k and FAISS IndexFlatIP on the same vectors."""
    import faiss

    vectors = rec.corpus.creator_vectors
    rows = []
    truth = exact_search(many, vectors, RECALL_K, chunk=16)[1]
    t, (_, found) = timed(lambda: rec.corpus.index.search(many, RECALL_K))
    built = getattr(rec, "_bench_index_build", {})
    rows.append({"method": f"package index ({rec.corpus.index.kind_})", "build_s": built.get("s"),
                 "extra_memory_gib": built.get("peak_gib", np.nan) - built.get("rss_before_gib", np.nan),
                 "single_query_ms": per_query_ms(lambda q: rec.corpus.index.search(q, RECALL_K), single),
                 "batch_queries_per_s": len(many) / t, "recall_at_100": overlap(found, truth)})
    t, _ = timed(lambda: exact_search(many, vectors, RECALL_K, chunk=16))
    rows.append({"method": "NumPy matmul top-k (exact)", "build_s": 0.0, "extra_memory_gib": 0.0,
                 "single_query_ms": per_query_ms(lambda q: numpy_topk(q, vectors, RECALL_K), single),
                 "batch_queries_per_s": len(many) / t, "recall_at_100": 1.0})
    before = rss_gib()
    flat = faiss.IndexFlatIP(vectors.shape[1])
    build_s, _ = timed(lambda: flat.add(vectors))
    t, (_, found) = timed(lambda: flat.search(many, RECALL_K))
    rows.append({"method": "FAISS IndexFlatIP (exact)", "build_s": build_s, "extra_memory_gib": rss_gib() - before,
                 "single_query_ms": per_query_ms(lambda q: flat.search(q[None, :], RECALL_K), single),
                 "batch_queries_per_s": len(many) / t, "recall_at_100": overlap(found, truth)})
    return rows


def lexical_alternatives(rec: Recommender, briefs: list[BrandBrief], build_s: float | None,
                         k: int = 200) -> list[dict[str, Any]]:
    """Top-``k`` BM25 documents per brief: the package's index (built in ``build_s``) against bm25s on the
    same prepared texts, one thread each."""
    import bm25s

    from recommender.embedding.text import prepare_texts

    documents = prepare_texts(rec.corpus.texts())
    queries = prepare_texts([b.query_text for b in briefs])

    def package_top(text: str) -> np.ndarray:
        return rec.corpus.lexical.query(text).top(k)[0]

    rows = [{"method": "package BM25 (LexicalIndex)", "build_s": build_s,
             "single_query_ms": per_query_ms(package_top, queries)}]
    retriever = bm25s.BM25()
    tokens_s, tokens = timed(lambda: bm25s.tokenize(documents, stopwords="en", show_progress=False))
    index_s, _ = timed(lambda: retriever.index(tokens, show_progress=False))
    query_tokens = [bm25s.tokenize([q], stopwords="en", show_progress=False) for q in queries]

    def bm25s_top(tokens: Any) -> Any:
        return retriever.retrieve(tokens, k=min(k, len(documents)), show_progress=False, n_threads=1)

    rows.append({"method": "bm25s", "build_s": tokens_s + index_s, "single_query_ms": per_query_ms(bm25s_top, query_tokens)})
    for row in rows:
        row["queries_per_s"] = 1000 / row["single_query_ms"]
    return rows


# ----------------------------------------------------------------------- child
def child(size: int, args: argparse.Namespace) -> None:
    """Measure one size and write the JSON result to ``args.child_out`` (partial on abort)."""
    result: dict[str, Any] = {"size": size, "index_requested": args.index, "load_average_start": load_average()}
    path = Path(args.child_out)

    def save() -> None:
        path.write_text(json.dumps(result, default=float))

    def abort(rss: float) -> None:
        running = [name for name, p in result.get("build", {}).get("phases", {}).items() if p.get("running")]
        where = f" during {running[0]}" if running else ""
        result["aborted"] = f"resident memory reached {rss:.1f} GiB{where} (limit {args.max_rss_gb} GiB)"
        save()
        os._exit(3)

    start_watchdog(args.max_rss_gb, abort)
    if args.blas_threads:
        limit_blas_threads(args.blas_threads)
    corpus = load_real_corpus(Encoder(show_progress_bar=False), seed=args.seed)
    encoder = Encoder(precision=args.precision, backend=args.backend, show_progress_bar=False)
    briefs = brief_texts(corpus, args.briefs)
    encoder.encode(["warm up the model"])
    result["encoder"] = repr(encoder)  # the backend actually running, after any fallback
    result["rss_base_gib"] = rss_gib()
    rec = build(size, corpus, encoder, args, result)
    rec._bench_index_build = result["build"]["phases"].get("index_build", {})
    save()
    result["first_query_ms"] = 1000 * timed(lambda: rec.recommend(briefs[0], k=K))[0]
    scenarios = {"no filter": {}, "2% filter": selective_filter(), "45% filter": BROAD_FILTER}
    result["latency"] = latencies(rec, briefs, scenarios, args.rounds)
    save()
    result["batch"] = batch(rec, batch_briefs(corpus, briefs, args.batch), K)
    save()
    groups = {"briefs": query_vectors(briefs, encoder, rec.query)}
    for source in ("tweet", "bio", "caption"):
        rows = corpus.heldout_index[corpus.sources[corpus.heldout_index] == source]
        if len(rows):
            groups[f"heldout_{source}s"] = corpus.vectors[rows]
    queries = np.vstack(list(groups.values()))
    masks = {name: brief_filter(rec, with_filter(briefs[0], fields))
             for name, fields in (("2pct", selective_filter()), ("45pct", BROAD_FILTER))}
    result["filter_share"] = {name: float(mask.mean()) for name, mask in masks.items()}
    result["recall"] = recall_report(rec, groups, masks)
    save()
    if not args.skip_alternatives:
        many = queries[np.random.default_rng(args.seed).permutation(len(queries))[: args.batch]]
        result["alternatives"] = alternatives(rec, queries[: args.briefs], many)
        lexical_s = result["build"]["phases"].get("lexical_build", {}).get("s")
        result["lexical_alternatives"] = lexical_alternatives(rec, briefs, lexical_s)
    result["load_average_end"] = load_average()
    save()


def limit_blas_threads(threads: int) -> None:
    """Cap the BLAS thread pools (NumPy's and FAISS's OpenBLAS) for the rest of the process."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")


def run_size(size: int, args: argparse.Namespace) -> dict[str, Any]:
    """Run :func:`child` for ``size`` in a fresh interpreter; returns its result (or why it stopped)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, __file__, "--child", str(size), "--child-out", str(out), "--index", args.index,
                   "--rounds", str(args.rounds), "--batch", str(args.batch), "--briefs", str(args.briefs),
                   "--post-share", str(args.post_share), "--seed", str(args.seed), "--max-rss-gb", str(args.max_rss_gb)]
        if args.skip_alternatives:
            command.append("--skip-alternatives")
        if args.blas_threads:
            command += ["--blas-threads", str(args.blas_threads)]
        command += ["--precision", args.precision, "--backend", args.backend]
        start = time.perf_counter()
        try:
            code = subprocess.run(command, timeout=args.timeout).returncode
            stopped = None if code == 0 else f"exit code {code}"
        except subprocess.TimeoutExpired:
            stopped = f"timed out after {args.timeout} s"
        result = json.loads(out.read_text()) if out.is_file() else {"size": size}
    result["wall_s"] = time.perf_counter() - start
    if stopped and "aborted" not in result:
        result["aborted"] = stopped
    return result


# ---------------------------------------------------------------------- report
def report(results: list[dict[str, Any]]) -> str:
    """Markdown tables of all sizes."""
    build_rows, latency_rows, batch_rows, recall_rows, alt_rows, ef_rows, lex_rows = [], [], [], [], [], [], []
    for r in results:
        label = size_label(r["size"])
        b = r.get("build", {})
        phases = b.get("phases", {})
        build_rows.append({"size": label, "index": b.get("index_kind"), "validate_s": b.get("catalog_s"),
                           "fit_s": b.get("fit_s"), "creator_vectors_s": phases.get("creator_vectors", {}).get("s"),
                           "engagement_s": phases.get("engagement", {}).get("s"),
                           "index_build_s": phases.get("index_build", {}).get("s"),
                           "lexical_build_s": phases.get("lexical_build", {}).get("s"),
                           "fit_peak_gib": b.get("fit_peak_gib"), "fit_peak_rise_gib": b.get("fit_peak_rise_gib"),
                           "first_query_ms": r.get("first_query_ms"),
                           "load_avg": f"{r.get('load_average_start', '-')} / {r.get('load_average_end', '-')}",
                           "creator_vectors_peak_gib": phases.get("creator_vectors", {}).get("peak_gib"),
                           "rss_after_fit_gib": b.get("rss_after_fit_gib"), "stopped": r.get("aborted")})
        for scenario, s in r.get("latency", {}).items():
            latency_rows.append({"size": label, "brief": scenario, **s})
        if "batch" in r:
            batch_rows.append({"size": label, **r["batch"]})
        if "recall" in r:
            recall_rows.append({"size": label, "index": b.get("index_kind"), **r["recall"]})
            ef_rows += [{"size": label, **e} for e in r["recall"].get("breadth_sweep", [])]
        for a in r.get("alternatives", []):
            alt_rows.append({"size": label, **a})
        lex_rows += [{"size": label, **a} for a in r.get("lexical_alternatives", [])]
    parts = [
        table(build_rows, ["size", "index", "validate_s", "fit_s", "creator_vectors_s", "engagement_s", "index_build_s",
                           "lexical_build_s",
                           "fit_peak_gib", "fit_peak_rise_gib", "creator_vectors_peak_gib", "rss_after_fit_gib",
                           "first_query_ms", "load_avg", "stopped"],
              "Build from vectors (seconds; memory in GiB, peak resident set of the process)"),
        table(latency_rows, ["size", "brief", "p50_ms", "p99_ms", "last_round_p50_ms", "mean_ms", "cpu_p50_ms", "n", "exactly_k", "filter_respected",
                             "encode_p50_ms", "mask_p50_ms", "search_p50_ms", "lexical_p50_ms"],
              f"One brief end to end, recommend(k={K})"),
        table(batch_rows, ["size", "briefs", "k", "seconds", "cpu_s", "briefs_per_s", "encode_s", "rest_briefs_per_s"],
              "Batch, recommend_batch of distinct real briefs"),
        table(recall_rows, ["size", "index", "queries", "recall_at_100", "recall_at_100_briefs",
                            "recall_at_100_heldout_tweets", "recall_at_100_heldout_bios", "recall_at_100_heldout_captions",
                            "recall_at_10_in_candidates", "recall_at_100_2pct", "recall_at_100_45pct"],
              "Recall against exact search (package search path; queries: real briefs and held-out real texts)"),
        table(ef_rows, ["size", "parameter", "value", "recall_at_100", "single_query_ms"],
              f"Search breadth against recall@{RECALL_K} (index search with re-ranking, k={RECALL_K})"),
        table(alt_rows, ["size", "method", "build_s", "extra_memory_gib", "single_query_ms", "batch_queries_per_s",
                         "recall_at_100"], f"Search only (k={RECALL_K}): the package's index against the obvious alternatives"),
        table(lex_rows, ["size", "method", "build_s", "single_query_ms", "queries_per_s"],
              "Lexical top-200 per brief: the package's BM25 against bm25s"),
    ]
    return "\n\n".join(parts)


def package_defaults() -> dict[str, Any]:
    """Index and recommender defaults in effect (they shape every figure)."""
    from dataclasses import asdict

    return {"index": asdict(IndexConfig()), "candidates": Recommender().candidates}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description="Search benchmarks on synthetic catalogs around real embeddings.")
    parser.add_argument("--quick", action="store_true", help="sizes 10k and 100k, 200 batch briefs")
    parser.add_argument("--sizes", default=None, help="comma-separated sizes, e.g. 10k,100k,1M (default all three)")
    parser.add_argument("--index", choices=["auto", "exact", "ivf", "hnsw"], default="auto",
                        help="IndexConfig.kind")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the briefs for latency")
    parser.add_argument("--briefs", type=int, default=50, help="real briefs for latency")
    parser.add_argument("--batch", type=int, default=None, help="briefs in the batch (default 1000, 200 with --quick)")
    parser.add_argument("--post-share", type=float, default=0.1, help="share of creators with 1-3 posts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-rss-gb", type=float, default=10.0, help="stop a size whose memory passes this")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per size")
    parser.add_argument("--skip-alternatives", action="store_true")
    parser.add_argument("--precision", choices=["auto", "fp32", "bf16"], default="auto",
                        help="Encoder precision for briefs (default: the package default)")
    parser.add_argument("--backend", choices=["auto", "openvino", "torch"], default="auto",
                        help="Encoder backend for briefs (default: the package default)")
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="cap NumPy/FAISS BLAS threads (default: untouched, as a user runs it)")
    parser.add_argument("--out", default="search", help="name of the JSON file in benchmarks/results/")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.batch is None:
        args.batch = 200 if args.quick else 1000
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """CLI entry point."""
    args = parse_args(argv)
    if args.child is not None:
        child(args.child, args)
        return {}
    sizes = [parse_size(s) for s in (args.sizes or ("10k,100k" if args.quick else "10k,100k,1M")).split(",")]
    results = []
    for size in sizes:
        print(f"size {size_label(size)} ...", flush=True)
        results.append(run_size(size, args))
    data = {"machine": machine_info(), "settings": {k: v for k, v in vars(args).items() if not k.startswith("child")},
            "package_defaults": package_defaults(),
            "filter": {**selective_filter(), "broad": BROAD_FILTER}, "results": results}
    path = write_json(args.out, data)
    print(f"package defaults: {data['package_defaults']}\n")
    print(report(results))
    print(f"\nwrote {path.relative_to(ROOT)}")
    return data


if __name__ == "__main__":
    main()
