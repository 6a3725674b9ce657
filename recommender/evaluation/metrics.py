"""Ranking-quality metrics for recommendation runs.

A *run* lists the creators returned for each campaign brief in rank order; *qrels* hold the judged
creators of each brief, optionally graded. All briefs are scored at once with NumPy so that thousands
stay cheap, and macro averages carry bootstrap confidence intervals so runs are compared against noise.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..util import check_int, check_number, normalise

__all__ = ["per_brief_metrics", "macro_average", "paired_bootstrap", "list_metrics", "evaluate_run", "check_cutoffs"]

logger = logging.getLogger(__name__)

_KEYS = ["brief_id", "creator_id"]
VectorsLike = pd.DataFrame | Mapping[Any, np.ndarray] | tuple[Sequence[Any], np.ndarray]


def _require_columns(df: Any, table: str, required: list[str], note: str = "") -> None:
    """Raise ``ValueError`` unless ``df`` is a DataFrame holding every ``required`` column."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"The '{table}' table must be a pandas DataFrame. Got {type(df).__name__} instead.")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValueError(f"The '{table}' table must have columns {required}{note}. "
                         f"Missing {missing}; got columns {list(df.columns)} instead.")


def check_cutoffs(k: int | Sequence[int], func: str) -> list[int]:
    """``k`` (one cut-off or several) as a non-empty list of distinct ints >= 1, in the given order.

    Every function that scores a ranking at cut-offs checks its ``k`` with this, so they
    accept the same values and say the same when given a bad one.

    >>> check_cutoffs([10, 5, 10], "per_brief_metrics")
    [10, 5]
    """
    ks = [k] if isinstance(k, (int, np.integer)) and not isinstance(k, bool) else k
    ks = ks.tolist() if isinstance(ks, np.ndarray) else ks
    if isinstance(ks, (str, bytes)) or not isinstance(ks, Sequence) or len(ks) == 0:
        raise ValueError(f"The 'k' parameter of {func} must be an int >= 1 or a non-empty sequence of them. "
                         f"Got {k!r} instead.")
    return list(dict.fromkeys(check_int(v, "k", func) for v in ks))


def _ranked(run: pd.DataFrame) -> pd.DataFrame:
    """Return ``brief_id``, ``creator_id`` and 1-based ``pos``, sorted by brief then position.

    Positions follow ``rank`` (else ``score`` descending), ties broken by ``creator_id``; a
    creator listed twice for a brief keeps its best position, so it never counts as two hits.
    """
    cols = getattr(run, "columns", ())
    order = "score" if "rank" not in cols and "score" in cols else "rank"
    _require_columns(run, "run", [*_KEYS, order], " (or 'score' in place of 'rank')")
    try:
        key = pd.to_numeric(run[order], errors="raise").astype(float)
    except (TypeError, ValueError):
        raise ValueError(f"The '{order}' column of run must be numeric. Got {run[order].dtype} instead.") from None
    df = run[_KEYS].assign(_key=key if order == "rank" else -key)
    df = df.sort_values(["brief_id", "_key", "creator_id"], kind="mergesort", na_position="last")
    df = df.drop_duplicates(_KEYS, keep="first").reset_index(drop=True)
    df["pos"] = df.groupby("brief_id", sort=False).cumcount().to_numpy() + 1
    return df.drop(columns="_key")


def _judged(qrels: pd.DataFrame) -> pd.DataFrame:
    """Return ``brief_id``, ``creator_id`` and float ``grade`` (1 when absent) after validation."""
    _require_columns(qrels, "qrels", _KEYS)
    df = qrels[_KEYS].assign(grade=1.0)
    if "grade" in qrels.columns:
        grade = pd.to_numeric(qrels["grade"], errors="coerce").astype(float)
        bad = grade.isna() | (grade < 0)
        if bad.any():
            raise ValueError("The 'grade' column of qrels must be numeric and >= 0. "
                             f"Got {qrels['grade'][bad].tolist()[0]!r} instead ({int(bad.sum())} bad rows in all).")
        df["grade"] = grade.to_numpy()
    if (dup := df.duplicated(_KEYS)).any():
        raise ValueError("The 'qrels' table must have one row per (brief_id, creator_id). "
                         f"Got {int(dup.sum())} duplicated pairs instead, e.g. {tuple(df.loc[dup, _KEYS].iloc[0])!r}.")
    return df


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Element-wise ``num / den`` with 0 wherever ``den`` is 0 (e.g. a brief without relevant items)."""
    return np.divide(num, den, out=np.zeros(len(num)), where=den > 0)


def per_brief_metrics(run: pd.DataFrame, qrels: pd.DataFrame, *, k: int | Sequence[int] = 10) -> pd.DataFrame:
    """Compute nDCG, precision and recall at each cut-off, MRR and MAP for every judged brief.

    Parameters
    ----------
    run : pandas.DataFrame
        ``brief_id``, ``creator_id`` and ``rank`` (1-based per brief) or, failing
        that, ``score`` (higher first, ties by ``creator_id``); others ignored.
    qrels : pandas.DataFrame
        Columns ``brief_id``, ``creator_id`` and optional ``grade`` (>= 0,
        default 1). Grade 0 means judged and not relevant.
    k : int or sequence of int, default 10
        Cut-off(s) for ``ndcg@k``, ``precision@k`` and ``recall@k``.

    Returns
    -------
    pandas.DataFrame
        One row per brief of ``qrels`` (sorted): ``brief_id``, then ``ndcg@k``,
        ``precision@k``, ``recall@k`` for each ``k``, then ``mrr`` and ``map``.

    Notes
    -----
    nDCG uses gains ``2**grade - 1``, discount ``1 / log2(position + 1)`` and an
    ideal DCG from all relevant (grade > 0) judged creators, so relevant
    creators the run missed lower it. Precision@k divides by ``k`` even for
    shorter lists. MRR and AP use the whole list; AP is divided by the number
    of relevant creators. Positions follow ``rank`` order (gaps are ignored).
    A brief without results or relevant creators scores 0; briefs of ``run``
    absent from ``qrels`` cannot be scored and are reported by a warning.

    Examples
    --------
    >>> run = pd.DataFrame({"brief_id": "b1", "creator_id": ["x", "y", "z"], "rank": [1, 2, 3]})
    >>> qrels = pd.DataFrame({"brief_id": "b1", "creator_id": ["y", "w"]})
    >>> per_brief_metrics(run, qrels, k=2).round(3).to_dict("records")
    [{'brief_id': 'b1', 'ndcg@2': 0.387, 'precision@2': 0.5, 'recall@2': 0.5, 'mrr': 0.5, 'map': 0.25}]
    """
    ks = check_cutoffs(k, "per_brief_metrics")
    ranked, judged = _ranked(run), _judged(qrels)
    briefs = pd.Index(pd.unique(judged["brief_id"])).sort_values()
    n = len(briefs)
    unjudged = pd.Index(pd.unique(ranked["brief_id"])).difference(briefs)
    if len(unjudged):
        logger.warning("Ignored %d brief(s) of 'run' absent from 'qrels': %s", len(unjudged), list(unjudged[:20]))
    ranked = ranked[ranked["brief_id"].isin(briefs)]
    grade = ranked.merge(judged, on=_KEYS, how="left")["grade"].fillna(0.0).to_numpy(float)
    code = briefs.get_indexer(ranked["brief_id"])
    pos = ranked["pos"].to_numpy(float)
    hit = grade > 0
    dcg_terms = (np.exp2(grade) - 1.0) / np.log2(pos + 1.0)
    ideal = judged[judged["grade"] > 0].sort_values(["brief_id", "grade"], ascending=[True, False])
    icode = briefs.get_indexer(ideal["brief_id"])
    ipos = ideal.groupby("brief_id", sort=False).cumcount().to_numpy() + 1.0
    idcg_terms = (np.exp2(ideal["grade"].to_numpy(float)) - 1.0) / np.log2(ipos + 1.0)
    n_rel = np.bincount(icode, minlength=n).astype(float)

    def per_brief(codes: np.ndarray, weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], weights=weights[mask], minlength=n)

    out: dict[str, Any] = {"brief_id": briefs.to_numpy()}
    for cut in ks:
        top = pos <= cut
        hits = per_brief(code, hit.astype(float), top)
        out[f"ndcg@{cut}"] = _safe_div(per_brief(code, dcg_terms, top), per_brief(icode, idcg_terms, ipos <= cut))
        out[f"precision@{cut}"] = hits / cut
        out[f"recall@{cut}"] = _safe_div(hits, n_rel)
    cum_hits = pd.Series(hit.astype(float)).groupby(code).cumsum().to_numpy()
    out["mrr"] = per_brief(code, 1.0 / pos, hit & (cum_hits == 1))  # first hit of each brief
    out["map"] = _safe_div(per_brief(code, cum_hits / pos, hit), n_rel)
    return pd.DataFrame(out)


def _bootstrap_means(values: np.ndarray, n_bootstrap: int, seed: int) -> np.ndarray:
    """Return NaN-ignoring column means of (n_bootstrap, n) row draws as one counts @ values product."""
    n = values.shape[0]
    idx = np.random.default_rng(seed).integers(0, n, size=(n_bootstrap, n))
    flat = (idx + n * np.arange(n_bootstrap)[:, None]).ravel()
    counts = np.bincount(flat, minlength=n_bootstrap * n).reshape(n_bootstrap, n).astype(float)
    valid = ~np.isnan(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (counts @ np.where(valid, values, 0.0)) / (counts @ valid.astype(float))


def _check_bootstrap(n_bootstrap: int, confidence: float, func: str) -> tuple[int, float]:
    """Validate the shared bootstrap settings and return the lower tail probability."""
    confidence = check_number(confidence, "confidence", func, above=0, below=1)
    return check_int(n_bootstrap, "n_bootstrap", func), (1.0 - confidence) / 2.0


def macro_average(per_brief: pd.DataFrame, *, n_bootstrap: int = 1000, confidence: float = 0.95,
                  seed: int = 0) -> pd.DataFrame:
    """Average each metric over briefs, with a percentile-bootstrap confidence interval.

    Parameters
    ----------
    per_brief : pandas.DataFrame
        One row per brief, e.g. from :func:`per_brief_metrics`; every numeric
        column but ``brief_id`` is a metric. NaN values are left out.
    n_bootstrap, confidence, seed : int, float, int; default 1000, 0.95, 0
        Resamples of the briefs (with replacement), coverage of the interval
        in (0, 1), and seed of the random generator (reproducible intervals).

    Returns
    -------
    pandas.DataFrame
        ``metric``, ``mean``, ``ci_low``, ``ci_high``: one row per metric (with
        a single brief, the interval collapses onto the mean).

    Examples
    --------
    >>> per_brief = pd.DataFrame({"brief_id": ["a", "b", "c"], "ndcg@10": [0.5, 1.0, 0.75]})
    >>> macro_average(per_brief, n_bootstrap=200).round(3).to_dict("records")
    [{'metric': 'ndcg@10', 'mean': 0.75, 'ci_low': 0.5, 'ci_high': 1.0}]
    """
    n_bootstrap, tail = _check_bootstrap(n_bootstrap, confidence, "macro_average")
    _require_columns(per_brief, "per_brief", [])
    metrics = [c for c in per_brief.columns if c != "brief_id" and pd.api.types.is_numeric_dtype(per_brief[c])]
    if not metrics or len(per_brief) == 0:
        raise ValueError("The 'per_brief' table of macro_average must have at least one row and one numeric "
                         f"metric column. Got {len(per_brief)} rows and columns {list(per_brief.columns)} instead.")
    values = per_brief[metrics].to_numpy(float)
    boot = _bootstrap_means(values, n_bootstrap, seed)
    mean = np.array([np.nan if np.isnan(col).all() else np.nanmean(col) for col in values.T])
    low, high = np.nanquantile(boot, [tail, 1.0 - tail], axis=0) if len(values) > 1 else (mean, mean)
    return pd.DataFrame({"metric": metrics, "mean": mean, "ci_low": low, "ci_high": high})


def paired_bootstrap(per_brief_a: pd.DataFrame, per_brief_b: pd.DataFrame, *, metric: str,
                     n_bootstrap: int = 1000, confidence: float = 0.95, seed: int = 0) -> dict[str, Any]:
    """Compare two runs on one metric by a paired bootstrap, which cancels the brief-to-brief variation.

    Parameters
    ----------
    per_brief_a, per_brief_b : pandas.DataFrame
        Per-brief metrics of runs A and B with ``brief_id`` and ``metric`` columns.
    metric : str
        Column to compare, e.g. ``"ndcg@10"``.
    n_bootstrap, confidence, seed
        As in :func:`macro_average`; the interval is on the mean difference.

    Returns
    -------
    dict
        ``metric``, ``mean_diff`` (mean of A - B), ``ci_low``, ``ci_high``,
        ``p_value`` (share of bootstrap mean differences <= 0: a one-sided test
        that A beats B) and ``n_briefs`` (number of briefs paired).
    """
    n_bootstrap, tail = _check_bootstrap(n_bootstrap, confidence, "paired_bootstrap")
    for name, table in (("per_brief_a", per_brief_a), ("per_brief_b", per_brief_b)):
        _require_columns(table, name, ["brief_id", metric])
        if (dup := int(table["brief_id"].duplicated().sum())) > 0:
            raise ValueError(f"The '{name}' table must have one row per brief_id. Got {dup} duplicates instead.")
    pairs = per_brief_a[["brief_id", metric]].merge(per_brief_b[["brief_id", metric]], on="brief_id")
    if len(pairs) == 0:
        raise ValueError("The 'per_brief_a' and 'per_brief_b' tables must share a brief_id. Got none instead.")
    if len(pairs) < max(len(per_brief_a), len(per_brief_b)):
        logger.warning("Only %d brief(s) are common to both runs; the others were ignored.", len(pairs))
    diff = (pairs[f"{metric}_x"].to_numpy(float) - pairs[f"{metric}_y"].to_numpy(float))[:, None]
    boot = _bootstrap_means(diff, n_bootstrap, seed)[:, 0]
    low, high = np.nanquantile(boot, [tail, 1.0 - tail])
    return {"metric": metric, "mean_diff": float(np.nanmean(diff)), "ci_low": float(low), "ci_high": float(high),
            "p_value": float(np.mean(boot <= 0)), "n_briefs": len(pairs)}


def _vector_table(vectors: VectorsLike) -> tuple[pd.Index, np.ndarray]:
    """Return (creator ids, 2-D float matrix) from any accepted ``vectors`` form."""
    if isinstance(vectors, pd.DataFrame):
        frame = vectors.set_index("creator_id") if "creator_id" in vectors.columns else vectors
        ids, matrix = frame.index, frame.to_numpy(float)
    elif isinstance(vectors, Mapping):
        ids = list(vectors.keys())
        matrix = np.vstack([np.asarray(v, float).ravel() for v in vectors.values()]) if ids else np.empty((0, 1))
    elif isinstance(vectors, tuple) and len(vectors) == 2:
        ids, matrix = vectors[0], np.asarray(vectors[1], float)
    else:
        raise ValueError("The 'vectors' parameter of list_metrics must be a DataFrame, a Mapping creator_id -> "
                         f"1-D array or a tuple (ids, 2-D array). Got {type(vectors).__name__} instead.")
    if matrix.ndim != 2 or matrix.shape[0] != len(ids):
        raise ValueError("The 'vectors' parameter of list_metrics must hold one 1-D vector per creator id. "
                         f"Got {len(ids)} ids and an array of shape {matrix.shape} instead.")
    if not (ids := pd.Index(ids)).is_unique:
        raise ValueError("The 'vectors' parameter of list_metrics must have unique creator ids. "
                         f"Got {int(ids.duplicated().sum())} duplicated ids instead.")
    return ids, matrix


def list_metrics(run: pd.DataFrame, creators: pd.DataFrame, *, k: int = 10, niche_column: str = "niche",
                 tier_column: str = "tier", vectors: VectorsLike | None = None) -> pd.DataFrame:
    """Describe the make-up of each brief's top-k list, for campaign planners.

    Parameters
    ----------
    run : pandas.DataFrame
        Ranked results, as in :func:`per_brief_metrics` (``rank`` or ``score``).
    creators : pandas.DataFrame
        ``creator_id`` plus the niche and tier columns.
    k : int, default 10
        Length of the list looked at.
    niche_column, tier_column : str, default "niche", "tier"
        Columns of ``creators``; a missing one only drops its metric.
    vectors : DataFrame, Mapping or tuple, optional
        Creator embeddings: a DataFrame indexed by ``creator_id`` (or with such
        a column) with one column per dimension, a Mapping creator_id -> 1-D
        array, or a tuple ``(ids, 2-D array)``.

    Returns
    -------
    pandas.DataFrame
        One row per brief of ``run``: ``brief_id``, ``niche_coverage@k``
        (distinct niches in the top k), ``tier_mix@k`` (e.g.
        ``"micro:6,nano:4"``, by count descending then name; no tier counts as
        ``unknown``) and ``intra_list_diversity@k`` (mean pairwise cosine
        distance; NaN without ``vectors`` or with fewer than two vectors).

    Notes
    -----
    Diversity uses ``sum_{i != j} u_i . u_j = |sum u|^2 - sum |u_i|^2`` on unit vectors (one pass, not one
    per pair). Creators without a vector are left out; a zero vector is orthogonal to all others.
    """
    k = check_int(k, "k", "list_metrics")
    _require_columns(creators, "creators", ["creator_id"])
    top = _ranked(run).loc[lambda df: df["pos"] <= k]
    briefs = pd.Index(pd.unique(top["brief_id"]))
    info = creators.drop_duplicates("creator_id").set_index("creator_id")
    out = pd.DataFrame({"brief_id": briefs.to_numpy()})
    if niche_column in info.columns:
        niche = top["creator_id"].map(info[niche_column])
        out[f"niche_coverage@{k}"] = niche.groupby(top["brief_id"]).nunique().reindex(briefs).to_numpy()
    if tier_column in info.columns:
        tier = top["creator_id"].map(info[tier_column]).fillna("unknown").astype(str)
        counts = pd.DataFrame({"b": top["brief_id"].to_numpy(), "t": tier.to_numpy()}).value_counts()
        counts = counts.reset_index(name="n").sort_values(["b", "n", "t"], ascending=[True, False, True])
        label = counts["t"] + ":" + counts["n"].astype(str)
        out[f"tier_mix@{k}"] = label.groupby(counts["b"]).agg(",".join).reindex(briefs).to_numpy()
    diversity = np.full(len(briefs), np.nan)
    if vectors is not None:
        ids, matrix = _vector_table(vectors)
        row = ids.get_indexer(top["creator_id"])
        keep = row >= 0
        unit = normalise(matrix)[row[keep]]
        code = briefs.get_indexer(top["brief_id"].to_numpy()[keep])
        summed = np.zeros((len(briefs), matrix.shape[1]))
        np.add.at(summed, code, unit)
        cross = (summed**2).sum(axis=1) - np.bincount(code, weights=(unit**2).sum(axis=1), minlength=len(briefs))
        m = np.bincount(code, minlength=len(briefs)).astype(float)
        diversity = np.where(m > 1, 1.0 - _safe_div(cross, m * (m - 1)), np.nan)
    out[f"intra_list_diversity@{k}"] = diversity
    return out


def evaluate_run(run: pd.DataFrame, qrels: pd.DataFrame, *, k: int | Sequence[int] = (5, 10, 20),
                 n_bootstrap: int = 1000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score a run end to end: per-brief metrics, then their bootstrap macro averages.

    Parameters
    ----------
    run, qrels, k
        As in :func:`per_brief_metrics`.
    n_bootstrap, seed
        As in :func:`macro_average`.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(per_brief, macro)`` from :func:`per_brief_metrics` and :func:`macro_average`.
    """
    per_brief = per_brief_metrics(run, qrels, k=k)
    return per_brief, macro_average(per_brief, n_bootstrap=n_bootstrap, seed=seed)
