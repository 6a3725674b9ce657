"""Precision and recall of brand-safety screening on hand-labelled real tweets.

Data: ``data/safety/labels.csv``, all 1,000 English tweets of TweetTopicXL
(``en_1000.jsonl``, MIT licence), each labelled by hand for the twelve default
risk categories (rules in ``data/safety/README.md``). Posts are embedded with
``Encoder("default")``.

Detectors, per category: (a) keywords only, (b) meaning only (cosine to the
category vector at or above a threshold), (c) both, the default: a post is
flagged when either fires.

Thresholds are never fitted on the posts they are scored on: 5-fold
cross-validation over posts (seed 0); in each fold the threshold is chosen on
the four other folds and applied to the held-out one, and the predictions of
the five held-out folds are pooled. The rule, the same one that sets the
shipped defaults on all 1,000 posts: with at least 10 positive posts, the
threshold that maximises F1 (for (c) switching the meaning test off is one of
the choices); with fewer, F1 cannot be estimated, and the threshold is the
99.5th percentile of the category's cosines over the calibration posts (at most
0.5% of everyday posts flagged by meaning).

Intervals are 95% percentile-bootstrap intervals over posts (1,000 resamples,
the project's ``recommender.evaluation.metrics`` bootstrap). ``overall`` pools the
flags of all categories (micro average); ``macro`` averages the categories
with at least 10 positives.

A second table compares description styles by average precision (threshold
free): a one-line abstract definition, the post-like sentences embedded as one
text, and the shipped method (each sentence embedded, vectors averaged).

Run ``python benchmarks/safety.py [--cache-dir DIR]``; it prints Markdown
tables and writes ``benchmarks/results/safety.json``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.common import table, write_json  # noqa: E402
from recommender.embedding.encoder import Encoder  # noqa: E402
from recommender.evaluation.metrics import _bootstrap_means  # noqa: E402
from recommender.brandfit.keywords import match_keywords  # noqa: E402
from recommender.brandfit.safety import category_vectors, screen_posts  # noqa: E402
from recommender.catalog import DEFAULT_RISK_CATEGORIES  # noqa: E402

LABELS = ROOT / "data" / "safety" / "labels.csv"
FOLDS, SEED, MIN_POSITIVES, QUANTILE, N_BOOTSTRAP = 5, 0, 10, 0.995, 1000
ABSTRACT = {
    "alcohol": "Alcoholic drinks, drinking alcohol, bars, drunkenness and hangovers.",
    "gambling": "Gambling, betting, casinos, poker, lotteries and sports betting odds.",
    "adult": "Sexual content, nudity, pornography and sexual innuendo.",
    "politics": "Politics, elections, governments, politicians, political parties and debated social issues.",
    "profanity": "Profanity, swearing, obscene language and vulgar insults.",
    "violence": "Violence, killing, murder, assault, shootings, terrorism and armed conflict.",
    "drugs": "Illegal and recreational drugs, cannabis, cocaine, getting high and drug abuse.",
    "tobacco": "Tobacco, cigarettes, smoking, cigars, vaping and e-cigarettes.",
    "weapons": "Weapons, guns, firearms, ammunition, knives and military weapons.",
    "hate": "Hate speech, slurs and demeaning statements about a group of people.",
    "crime": "Crime, illegal acts, theft, fraud, scams, arrests and prison.",
    "tragedy": "Death, dying, serious injury, accidents and disasters.",
}


def calibrate(y: np.ndarray, scores: np.ndarray, keyword: np.ndarray, *, allow_off: bool) -> float:
    """Threshold by the rule of the module docstring; ``inf`` switches the meaning test off.

    The F1-best threshold is a range: from the lowest post it flags down to the
    next post a lower threshold would add (posts already flagged by keyword add
    nothing). The threshold is the middle of that range, not its edge.
    """
    positives = int(y.sum())
    if positives < MIN_POSITIVES:
        return float(np.quantile(scores, QUANTILE))
    order = np.argsort(-scores, kind="stable")
    ys, adds, ss = y[order], ~keyword[order], scores[order]
    tp0, fp0 = int((y & keyword).sum()), int((~y & keyword).sum())
    tp, fp = tp0 + np.cumsum(ys & adds), fp0 + np.cumsum(~ys & adds)
    f1 = 2 * tp / (tp + fp + positives)  # 2tp / (2tp + fp + fn), with fn = positives - tp
    best = int(np.argmax(f1))
    if allow_off and 2 * tp0 / (tp0 + fp0 + positives) >= f1[best] - 1e-12:
        return np.inf
    later = np.flatnonzero(adds[best + 1:])
    below = ss[best + 1 + later[0]] if later.size else ss[best]
    return float((ss[best] + below) / 2)


def cross_validate(Y: np.ndarray, S: np.ndarray, K: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, list]]:
    """Held-out flags of the three detectors, and the thresholds chosen in each fold."""
    fold = np.random.default_rng(SEED).permutation(np.arange(len(Y)) % FOLDS)
    flags = {"keywords": K.copy(), "meaning": np.zeros_like(Y), "both": np.zeros_like(Y)}
    chosen: dict[str, list] = {"meaning": [], "both": []}
    none = np.zeros(len(Y), dtype=bool)
    for f in range(FOLDS):
        train, test = fold != f, fold == f
        for method, allow_off in (("meaning", False), ("both", True)):
            ts = [calibrate(Y[train, j], S[train, j], K[train, j] if method == "both" else none[train],
                            allow_off=allow_off) for j in range(Y.shape[1])]
            chosen[method].append(ts)
            meaning = S[test] >= np.array(ts)
            flags[method][test] = meaning | K[test] if method == "both" else meaning
    return flags, chosen


def _prf(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        return precision, recall, np.where(tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)


def score_rows(Y: np.ndarray, P: np.ndarray, names: list[str], method: str) -> list[dict]:
    """Precision, recall and F1 per category, micro and macro, each with a bootstrap interval."""
    n_cat = Y.shape[1]
    cells = np.concatenate([Y & P, ~Y & P, Y & ~P], axis=1).astype(float)  # tp | fp | fn per post
    boot = _bootstrap_means(cells, N_BOOTSTRAP, SEED)
    point = cells.mean(axis=0)
    frequent = Y.sum(axis=0) >= MIN_POSITIVES

    def split(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return m[..., :n_cat], m[..., n_cat:2 * n_cat], m[..., 2 * n_cat:]

    per_point, per_boot = _prf(*split(point)), _prf(*split(boot))
    micro_point = _prf(*(x.sum(axis=-1) for x in split(point)))
    micro_boot = _prf(*(x.sum(axis=-1) for x in split(boot)))
    rows = []
    for j, name in enumerate(names + ["overall", "macro"]):
        row = {"method": method, "category": name}
        for m, metric in enumerate(("precision", "recall", "f1")):
            if name == "overall":
                value, draws = micro_point[m], micro_boot[m]
            elif name == "macro":
                value, draws = np.nanmean(per_point[m][frequent]), np.nanmean(per_boot[m][:, frequent], axis=1)
            else:
                value, draws = per_point[m][j], per_boot[m][:, j]
            low, high = np.nanquantile(draws, [0.025, 0.975]) if np.isfinite(draws).any() else (np.nan, np.nan)
            row.update({metric: float(value), f"{metric}_low": float(low), f"{metric}_high": float(high)})
        row["positives"] = int(Y[:, j].sum()) if j < n_cat else int(Y.sum() if name == "overall" else
                                                                     Y[:, frequent].sum())
        row["flagged"] = int(P[:, j].sum()) if j < n_cat else int(P.sum() if name == "overall" else
                                                                   P[:, frequent].sum())
        rows.append(row)
    return rows


def paired_f1_difference(Y: np.ndarray, a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Overall (micro) F1 of flags ``a`` minus that of ``b``, with a paired bootstrap interval over posts."""
    cells = np.stack([(Y & a).sum(1), (~Y & a).sum(1), (Y & ~a).sum(1),
                      (Y & b).sum(1), (~Y & b).sum(1), (Y & ~b).sum(1)], axis=1).astype(float)

    def diff(m: np.ndarray) -> np.ndarray:
        return _prf(m[..., 0], m[..., 1], m[..., 2])[2] - _prf(m[..., 3], m[..., 4], m[..., 5])[2]

    low, high = np.quantile(diff(_bootstrap_means(cells, N_BOOTSTRAP, SEED)), [0.025, 0.975])
    return {"f1_diff": float(diff(cells.mean(axis=0))), "low": float(low), "high": float(high)}


def _cell(row: dict, metric: str) -> str:
    value, low, high = row[metric], row[f"{metric}_low"], row[f"{metric}_high"]
    return "–" if not np.isfinite(value) else f"{value:.2f} [{low:.2f}, {high:.2f}]"


def description_rows(Y: np.ndarray, V: np.ndarray, names: list[str], encoder: Encoder) -> list[dict]:
    """Average precision by meaning of three ways to describe each category."""
    from sklearn.metrics import average_precision_score

    cats = [DEFAULT_RISK_CATEGORIES[n] for n in names]
    abstract = encoder.encode([ABSTRACT[n] for n in names])
    whole = encoder.encode([c.description for c in cats])
    sentences = category_vectors(cats, encoder)
    styles = {"abstract": abstract, "post-like, one text": whole, "post-like, sentences": sentences}
    rows = []
    for j, name in enumerate(names):
        row = {"category": name, "positives": int(Y[:, j].sum())}
        for style, vectors in styles.items():
            row[style] = float(average_precision_score(Y[:, j], V @ vectors[j]))
        rows.append(row)
    rows.append({"category": "mean", "positives": int(Y.sum()),
                 **{style: float(np.mean([r[style] for r in rows])) for style in styles}})
    return rows


def timing(texts: list[str], V: np.ndarray, topics: list[str]) -> dict[str, float]:
    """Milliseconds to screen 300 creators x 15 posts (tweets drawn again, made unique) for ``topics``.

    ``cold``: captions never seen (keyword matching tokenises each); ``warm``:
    the same captions again (cached matches), median of 15, with float32 and
    with float16 post vectors (the recommender stores float16). Wall and CPU
    time of the process are both kept: on a shared machine the wall time
    includes waiting for a core.
    """
    import time

    rng = np.random.default_rng(SEED)
    n_creators, per = 300, 15
    picks = rng.integers(0, len(texts), n_creators * per)
    captions = [f"{texts[i]} {j}" for j, i in enumerate(picks)]
    owner = np.repeat(np.arange(n_creators), per)
    posts32, posts16 = V[picks].astype(np.float32), V[picks].astype(np.float16)
    vectors = category_vectors(topics, Encoder("default"))
    screen_posts(["warm up #hashtag"], posts32[:1], owner[:1], 1, topics, vectors)

    def once(posts: np.ndarray, matches: np.ndarray | None = None) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        screen_posts(captions, posts, owner, n_creators, topics, vectors, keyword_matches=matches)
        return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000

    cold_wall, cold_cpu = once(posts32)
    out = {"posts": len(captions), "categories": len(topics), "cold_wall_ms": cold_wall, "cold_cpu_ms": cold_cpu,
           "load_average_1m": os.getloadavg()[0]}
    matches = match_keywords(captions, topics)
    for name, posts, given in (("float32", posts32, None), ("float16", posts16, None),
                               ("float32_matches_given", posts32, matches)):
        runs = np.array([once(posts, given) for _ in range(15)])
        out[f"warm_{name}_wall_ms"], out[f"warm_{name}_cpu_ms"] = np.median(runs, axis=0).tolist()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache-dir", default=None, help="embedding cache folder (default: none)")
    args = parser.parse_args()
    labels = pd.read_csv(LABELS, dtype={"id": str}, keep_default_na=False)
    names = list(DEFAULT_RISK_CATEGORIES)
    Y = labels[names].to_numpy().astype(bool)
    encoder = Encoder("default", cache_dir=args.cache_dir)
    V = encoder.encode(labels["text"].tolist())
    cats = list(DEFAULT_RISK_CATEGORIES.values())
    S = V @ category_vectors(cats, encoder).T
    K = match_keywords(labels["text"].tolist(), cats) != None  # noqa: E711 - elementwise on an object array
    flags, chosen = cross_validate(Y, S, K)
    rows = [r for method in ("keywords", "meaning", "both") for r in score_rows(Y, flags[method], names, method)]
    shown = [{"category": r["category"], "method": r["method"], "positives": r["positives"], "flagged": r["flagged"],
              "precision": _cell(r, "precision"), "recall": _cell(r, "recall"), "F1": _cell(r, "f1")}
             for name in names + ["overall", "macro"] for r in rows if r["category"] == name]
    print(table(shown, ["category", "method", "positives", "flagged", "precision", "recall", "F1"],
                f"Brand-safety flags on {len(Y)} hand-labelled tweets, {FOLDS}-fold cross-validated thresholds"))
    differences = {f"both - {other}": paired_f1_difference(Y, flags["both"], flags[other])
                   for other in ("keywords", "meaning")}
    print()
    for name, d in differences.items():
        print(f"overall F1, {name}: {d['f1_diff']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}] (paired bootstrap)")
    shipped = {n: calibrate(Y[:, j], S[:, j], K[:, j], allow_off=True) for j, n in enumerate(names)}
    clean = ~Y.any(axis=1)
    rates = []
    for j, (n, t) in enumerate(shipped.items()):
        p = float(flags["both"][clean, j].mean())
        rates.append({"category": n, "threshold (all posts)": "off" if not np.isfinite(t) else f"{t:.3f}",
                      "folds": ", ".join("off" if not np.isfinite(ts[j]) else f"{ts[j]:.2f}" for ts in chosen["both"]),
                      "clean posts flagged (held out)": f"{p:.1%}",
                      "15 clean posts: >= 1 flagged": f"{1 - (1 - p) ** 15:.0%}",
                      ">= 2 flagged": f"{1 - (1 - p) ** 15 - 15 * p * (1 - p) ** 14:.0%}"})
    print()
    print(table(rates, list(rates[0]), "Thresholds of the default detector (both); clean = no label at all; the "
                "last two columns extrapolate to a creator of 15 such posts, as if flags were independent"))
    described = description_rows(Y, V, names, encoder)
    print()
    print(table([{k: (f"{v:.3f}" if isinstance(v, float) else v) for k, v in r.items()} for r in described],
                list(described[0]), "Average precision by meaning, by description style"))
    speed = timing(labels["text"].tolist(), V, ["alcohol", "gambling", "politics"])
    print(f"\nscreening {speed['posts']} posts of 300 creators for {speed['categories']} categories, excluding "
          f"encoding, wall (CPU) ms: captions never seen {speed['cold_wall_ms']:.0f} ({speed['cold_cpu_ms']:.0f}); "
          f"warm {speed['warm_float32_wall_ms']:.1f} ({speed['warm_float32_cpu_ms']:.1f}) with float32 vectors, "
          f"{speed['warm_float16_wall_ms']:.1f} ({speed['warm_float16_cpu_ms']:.1f}) with float16, "
          f"{speed['warm_float32_matches_given_wall_ms']:.1f} ({speed['warm_float32_matches_given_cpu_ms']:.1f}) "
          "with float32 and keyword matches given; "
          f"load average {speed['load_average_1m']:.2f}")
    path = write_json("safety", {"speed": speed, "rows": rows, "shipped_thresholds": {n: (t if np.isfinite(t) else None)
                                                                      for n, t in shipped.items()},
                                 "fold_thresholds": {m: [[t if np.isfinite(t) else None for t in ts] for ts in v]
                                                     for m, v in chosen.items()},
                                 "differences": differences, "descriptions": described, "posts": len(Y),
                                 "model": encoder.model, "precision": encoder.precision})
    print(f"\nwrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
