"""Time :func:`recommender.brandfit.authenticity.authenticity_signals` on a synthetic catalog.

Creators (log-normal followers, platforms) come from ``benchmarks/synthetic.py``
and each gets ``--posts`` posts with the likes and comments of its
``post_table``, a date and a ``following`` count, so every signal is computed.
Only counts are generated: no text is embedded. ``post_table`` draws every post's
rate independently (wide noise, no creator level), so many creators show a
spike: the printed number of flagged creators exercises the reason code, it is
not a flag rate (``benchmarks/authenticity.py`` measures those).

Run ``python benchmarks/bench_authenticity.py`` (100k creators x 12 posts) or
``--n 1000000`` for the million-creator figure.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import load_average, peak_gib, reset_peak  # noqa: E402
from benchmarks.synthetic import creator_table, post_table  # noqa: E402
from recommender.brandfit.authenticity import authenticity_signals  # noqa: E402
from recommender.catalog.tiers import TierScheme  # noqa: E402


def counts_catalog(n: int, posts: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` creators with ``posts`` dated posts each (file order shuffled, as exports are not sorted)."""
    rng = np.random.default_rng(seed)
    creators = creator_table(n, np.full(n, "", dtype=object), rng)
    creators["following"] = np.round(np.exp(rng.normal(np.log(400), 0.8, size=n))).astype(np.int64)
    owners = np.repeat(np.arange(n), posts)
    table = post_table(creators, owners, np.full(len(owners), "", dtype=object), rng)
    table["posted_at"] = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 365 * 24 * 3600, size=len(owners)), unit="s")
    return creators, table.iloc[rng.permutation(len(table))].reset_index(drop=True)


def main(argv: list[str] | None = None) -> None:
    """Print the time of one call (best of ``--repeat``) and its peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="creators")
    parser.add_argument("--posts", type=int, default=12, help="posts per creator")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    creators, posts = counts_catalog(args.n, args.posts)
    scheme = TierScheme.preset("default")
    reset_peak()
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        signals = authenticity_signals(creators, posts, scheme)
        times.append(time.perf_counter() - start)
    flagged = int((signals["authenticity_flags"] > 0).sum())
    print(f"authenticity_signals: {args.n:,} creators x {args.posts} posts ({len(posts):,} posts): "
          f"best {min(times):.2f} s, median {float(np.median(times)):.2f} s of {args.repeat}; "
          f"peak RSS {peak_gib():.2f} GiB; {flagged:,} creators flagged; load average {load_average()}")


if __name__ == "__main__":
    main()
