"""Rebuilding after new creators arrive: what is embedded again, and how long it takes.

The sample catalog (``data/``) is split at random: 1% of its creators, with their
posts, are the newcomers. Four builds, each with a fresh :class:`Encoder` whose
model is loaded before timing starts:

* **full build, no cache**: the whole catalog, every text embedded (the reference);
* **first build**: the other 99%, filling an empty embedding cache;
* **rebuild with the cache**: the whole catalog from scratch, as a nightly job
  would, with the cache of the first build;
* **add_creators**: the newcomers added to the first build in place, as a
  running service would.

``texts`` counts the bios and captions a build asks the encoder for; ``embedded``
those the model ran on: distinct texts (a repeated caption is embedded once) that
the cache did not hold. Embedding time is the time the model took on them.

    python benchmarks/bench_rebuild.py [--share 0.01]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import load_average, table, timed, write_json  # noqa: E402
from recommender.embedding.encoder import Encoder  # noqa: E402
from recommender.recommender import Recommender  # noqa: E402


class TimedEncoder(Encoder):
    """An :class:`Encoder` that counts the texts it is given and those it runs the model on, with the time taken."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(show_progress_bar=False, **settings)
        self._backend().embed(["load the model before timing"], batch_size=self.batch_size, progress=False)
        self.given = self.embedded = 0
        self.seconds = 0.0

    def encode(self, texts, *, prepare: bool = True) -> np.ndarray:  # noqa: ANN001 - as Encoder.encode
        self.given += len(texts)
        return super().encode(texts, prepare=prepare)

    def _embed(self, texts: list[str]) -> np.ndarray:
        start = time.perf_counter()
        vectors = super()._embed(texts)
        self.seconds += time.perf_counter() - start
        self.embedded += len(texts)
        return vectors


def split(share: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(old creators, old posts, new creators, new posts) of the sample catalog; ``share`` of creators are new."""
    creators = pd.read_csv(ROOT / "data" / "creators.csv", dtype={"creator_id": str})
    posts = pd.read_csv(ROOT / "data" / "posts.csv", dtype={"creator_id": str, "post_id": str})
    count = max(1, round(share * len(creators)))
    new = creators["creator_id"].isin(np.random.default_rng(seed).choice(creators["creator_id"], count, replace=False))
    new_posts = posts["creator_id"].isin(creators.loc[new, "creator_id"])
    return creators[~new], posts[~new_posts], creators[new], posts[new_posts]


def run(share: float, seed: int) -> dict[str, Any]:
    """The four builds' counts and times."""
    old_creators, old_posts, new_creators, new_posts = split(share, seed)
    creators, posts = pd.concat([old_creators, new_creators]), pd.concat([old_posts, new_posts])
    rows = []

    def record(phase: str, encoder: TimedEncoder, seconds: float, n_creators: int) -> None:
        rows.append({"phase": phase, "creators": n_creators, "texts": encoder.given, "embedded": encoder.embedded,
                     "embed_s": encoder.seconds, "total_s": seconds})

    load_start = load_average()
    reference = TimedEncoder()
    seconds, _ = timed(lambda: Recommender.build(creators, posts, encoder=reference))
    record("full build, no cache", reference, seconds, len(creators))
    with tempfile.TemporaryDirectory() as cache:
        first = TimedEncoder(cache_dir=cache)
        seconds, rec = timed(lambda: Recommender.build(old_creators, old_posts, encoder=first))
        record("first build (99%), empty cache", first, seconds, len(old_creators))
        again = TimedEncoder(cache_dir=cache)
        seconds, _ = timed(lambda: Recommender.build(creators, posts, encoder=again))
        record("rebuild of all, with the cache", again, seconds, len(creators))
        first.given = first.embedded = 0
        first.seconds = 0.0
        seconds, _ = timed(lambda: rec.add_creators(new_creators, new_posts))
        record("add_creators (the 1%)", first, seconds, len(new_creators))
    for row in rows:
        row["embed_share_of_full"] = row["embed_s"] / rows[0]["embed_s"]
    return {"share": share, "seed": seed, "encoder": repr(reference), "new_creators": len(new_creators),
            "new_posts": len(new_posts), "rows": rows, "load_average_start": load_start,
            "load_average_end": load_average()}


def report(results: dict[str, Any]) -> str:
    """A markdown table of :func:`run`'s results."""
    columns = ["phase", "creators", "texts", "embedded", "embed_s", "total_s", "embed_share_of_full"]
    return table(results["rows"], columns,
                 f"Rebuild after {results['new_creators']} new creators with {results['new_posts']} posts "
                 f"({results['encoder']}; load average {results['load_average_start']} at start, "
                 f"{results['load_average_end']} at end)")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description="Rebuild after new creators: texts embedded again and time.")
    parser.add_argument("--share", type=float, default=0.01, help="share of the sample's creators that are new")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    results = run(args.share, args.seed)
    path = write_json("rebuild", results)
    print(report(results))
    print(f"\nwrote {path.relative_to(ROOT)}")
    return results


if __name__ == "__main__":
    main()
