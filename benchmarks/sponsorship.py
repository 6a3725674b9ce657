"""How well sponsored posts and brand mentions are found, on hand-labelled posts; and how fast.

Data: ``data/sponsorship/labels.csv`` (see its README), in two parts measured separately and together:

* ``real``: 137 real English tweets (TweetTopic, MIT): every tweet a keyword net for promotion catches plus
  100 drawn at random. Almost none is sponsored, so this part measures false alarms on real language.
* ``written``: 191 captions in 15 languages written by the project's developers, the same people who wrote
  the detector, in the style of creator captions, with hard negatives and hard positives on purpose.

Sponsored posts: precision, recall, F1 and the false-alarm rate (share of unsponsored posts flagged), each
with a 95% percentile-bootstrap interval over posts (1,000 resamples, the bootstrap of
:mod:`recommender.evaluation.metrics`), and a Wilson interval of the false-alarm rate (the bootstrap collapses when a
part has no false alarm or, as ``real``, one sponsored post). Brand mentions: micro precision and recall over (post, brand) pairs, with the
vocabulary = every brand labelled anywhere in the file, so a brand-like word ("apple crumble") can be a
false match. Also caption-only detection against the ``is_sponsored`` flag of the two synthetic catalogs
(development sets). Speed: detection per 100k captions and one :func:`competitor_conflicts` call for 300
creators x 15 posts (median of 30 calls, wall and CPU time: CPU time moves less when others share the machine).

Run ``python benchmarks/sponsorship.py [--errors]``; it prints Markdown tables and writes
``benchmarks/results/sponsorship.json``.
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

from benchmarks.common import table, write_json  # noqa: E402
from recommender.evaluation.metrics import _bootstrap_means  # noqa: E402  (the project's bootstrap, reused as is)
from recommender.brandfit.mentions import brand_mentions  # noqa: E402
from recommender.brandfit.sponsorship import competitor_conflicts, detect_sponsored  # noqa: E402

LABELS = ROOT / "data" / "sponsorship" / "labels.csv"
N_BOOTSTRAP, SEED = 1000, 0


def load_labels(path: Path = LABELS) -> pd.DataFrame:
    """The labelled posts with ``brands`` as tuples."""
    labels = pd.read_csv(path, dtype={"id": str, "text": str, "brands": str}, keep_default_na=False)
    labels["brands"] = [tuple(b for b in s.split("|") if b) for s in labels["brands"]]
    return labels


def _interval(counts: np.ndarray, ratio) -> tuple[float, float, float]:  # noqa: ANN001 - a small function
    """The ratio of column means of ``counts`` and its 95% bootstrap interval over rows."""
    boot = _bootstrap_means(counts.astype(float), N_BOOTSTRAP, SEED)
    with np.errstate(invalid="ignore", divide="ignore"):
        point = ratio(counts.mean(axis=0))
        draws = ratio(boot.T)
    low, high = np.nanquantile(draws, [0.025, 0.975]) if np.isfinite(draws).any() else (np.nan, np.nan)
    return float(point), float(low), float(high)


def _wilson(hits: int, n: int, z: float = 1.96) -> str:
    """95% Wilson interval of a proportion: unlike the bootstrap, informative when ``hits`` is 0 or 1."""
    centre = (hits + z * z / 2) / (n + z * z)
    half = z * np.sqrt(hits * (n - hits) / n + z * z / 4) / (n + z * z)
    return f"[{max(0.0, centre - half):.3f}, {min(1.0, centre + half):.3f}]"


def _fmt(value: tuple[float, float, float]) -> str:
    point, low, high = value
    return "-" if np.isnan(point) else f"{point:.3f} [{low:.2f}, {high:.2f}]"


def detection_rows(labels: pd.DataFrame, predicted: np.ndarray) -> list[dict]:
    """Precision, recall, F1 and false-alarm rate of the detector per part and overall."""
    rows = []
    for part, mask in [("real", labels["part"] == "real"), ("written", labels["part"] == "written"),
                       ("all", np.ones(len(labels), bool))]:
        gold = labels["sponsored"].to_numpy(bool)[mask]
        pred = predicted[mask]
        counts = np.column_stack([gold & pred, pred, gold, ~gold & pred, ~gold]).astype(float)
        rows.append({
            "part": part, "posts": int(mask.sum()), "sponsored": int(gold.sum()), "flagged": int(pred.sum()),
            "TP": int((gold & pred).sum()), "FP": int((~gold & pred).sum()), "FN": int((gold & ~pred).sum()),
            "precision": _fmt(_interval(counts, lambda m: m[0] / m[1])),
            "recall": _fmt(_interval(counts, lambda m: m[0] / m[2])),
            "F1": _fmt(_interval(counts, lambda m: 2 * m[0] / (m[1] + m[2]))),
            "false-alarm rate": _fmt(_interval(counts, lambda m: m[3] / m[4])),
            "false-alarm Wilson 95%": _wilson(int((~gold & pred).sum()), int((~gold).sum())),
        })
    return rows


def mention_rows(labels: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """Micro precision / recall of brand mentions per part and overall, and the wrong (post, brand) pairs."""
    vocabulary = sorted({b for brands in labels["brands"] for b in brands})
    found = brand_mentions(labels["text"], vocabulary)
    gold_sets = [set(b) for b in labels["brands"]]
    pred_sets = [set(b) for b in found]
    tp = np.array([len(g & p) for g, p in zip(gold_sets, pred_sets)], float)
    counts = np.column_stack([tp, [len(p) for p in pred_sets], [len(g) for g in gold_sets]]).astype(float)
    rows = []
    for part, mask in [("real", labels["part"] == "real"), ("written", labels["part"] == "written"),
                       ("all", np.ones(len(labels), bool))]:
        c = counts[np.asarray(mask)]
        rows.append({"part": part, "posts": int(len(c)), "labelled mentions": int(c[:, 2].sum()),
                     "found": int(c[:, 1].sum()), "correct": int(c[:, 0].sum()),
                     "precision": _fmt(_interval(c, lambda m: m[0] / m[1])),
                     "recall": _fmt(_interval(c, lambda m: m[0] / m[2]))})
    wrong = [{"id": i, "missed": ", ".join(sorted(g - p)), "extra": ", ".join(sorted(p - g)), "text": t[:70]}
             for i, g, p, t in zip(labels["id"], gold_sets, pred_sets, labels["text"]) if g != p]
    return rows, wrong


def catalog_rows() -> list[dict]:
    """Caption-only detection against the ``is_sponsored`` flag of the two synthetic catalogs (development sets)."""
    rows = []
    for name, path in (("sample", ROOT / "data" / "posts.csv"), ("heldout", ROOT / "data" / "heldout" / "posts.csv")):
        posts = pd.read_csv(path)
        gold = posts["is_sponsored"].astype(str).str.lower().eq("true").to_numpy()
        pred = detect_sponsored(posts["caption"])["sponsored"].to_numpy(bool)
        rows.append({"catalog": name, "posts": len(posts), "flag true": int(gold.sum()),
                     "found": int((gold & pred).sum()), "flagged without the flag": int((~gold & pred).sum())})
    return rows


def speed() -> list[dict]:
    """Detection time on the sample captions and one conflict check for 300 creators x 15 posts."""
    posts = pd.read_csv(ROOT / "data" / "posts.csv")
    captions = posts["caption"].tolist()
    start, start_cpu = time.perf_counter(), time.process_time()
    detect_sponsored(captions)
    scale = 100_000 / len(captions)
    rows = [{"what": f"detect_sponsored, per 100k captions (sample, {len(captions):,} captions)", "unit": "s",
             "wall": round((time.perf_counter() - start) * scale, 2),
             "CPU": round((time.process_time() - start_cpu) * scale, 2)}]
    pick = np.random.default_rng(SEED).choice(len(posts), 300 * 15)
    shortlist = posts.iloc[pick]
    flags = detect_sponsored(shortlist["caption"].tolist())
    owner = np.repeat(np.arange(300), 15)
    dates = pd.to_datetime(shortlist["posted_at"], utc=True)
    captions = shortlist["caption"].tolist()
    # 90 days: the default window (16% of the sample's posts fall in it); 100,000 days: every post.
    for label, days in (("90-day window", 90), ("every post in the window", 100_000)):
        wall, cpu = [], []
        for _ in range(30):
            start, start_cpu = time.perf_counter(), time.process_time()
            competitor_conflicts(captions, dates, owner, 300, flags, ["lumaskin", "tripwiseapp", "Glossier"],
                                 conflict_days=days, now="2026-12-01")
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        rows.append({"what": f"competitor_conflicts, 300 creators x 15 posts, 3 competitors, {label} (p50 of 30)",
                     "unit": "ms", "wall": round(float(np.median(wall)) * 1e3, 2),
                     "CPU": round(float(np.median(cpu)) * 1e3, 2)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="also list every misclassified post")
    args = parser.parse_args()
    labels = load_labels()
    detected = detect_sponsored(labels["text"])
    predicted = detected["sponsored"].to_numpy(bool)
    det = detection_rows(labels, predicted)
    ment, wrong_mentions = mention_rows(labels)
    catalogs = catalog_rows()
    timing = speed()
    print(table(det, list(det[0]), "Sponsored-post detection (95% bootstrap intervals over posts)"))
    print()
    print(table(ment, list(ment[0]), "Brand mentions, micro over (post, brand) pairs"))
    print()
    print(table(catalogs, list(catalogs[0]), "Synthetic catalogs: captions against their is_sponsored flag "
                "(development sets: rules were added from them)"))
    print()
    print(table(timing, ["what", "unit", "wall", "CPU"], "Speed"))
    gold = labels["sponsored"].to_numpy(bool)
    errors = [{"id": i, "label": int(g), "signal": s or "-", "text": t.replace("\n", " ")[:80]}
              for i, g, p, s, t in zip(labels["id"], gold, predicted, detected["signal"], labels["text"]) if g != p]
    if args.errors:
        print()
        print(table(errors, ["id", "label", "signal", "text"], "Misclassified posts"))
        print()
        print(table(wrong_mentions, ["id", "missed", "extra", "text"], "Wrong brand mentions"))
    path = write_json("sponsorship", {"detection": det, "mentions": ment, "catalogs": catalogs, "speed": timing,
                                      "errors": errors,
                                      "wrong_mentions": wrong_mentions})
    print(f"\nwrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
