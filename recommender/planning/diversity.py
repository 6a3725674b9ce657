"""Diversified shortlists: maximal marginal relevance (MMR) over creator vectors.

Ten near-identical accounts cover one corner of a brand's audience; MMR
(Carbonell & Goldstein, 1998) picks, one at a time, the candidate that best
balances relevance against its similarity to creators already picked::

    pick = argmax_i  trade_off * relevance_i - (1 - trade_off) * max_{j picked} cos(v_i, v_j)

``trade_off = 1`` is the relevance order; lower values spread the list over
more of the creator space. Relevance and cosine are on one scale here (the
recommender's ``score`` is a cosine plus a small engagement bonus), which is
what a convex blend needs.

:func:`mmr` is the pure algorithm; :func:`diversify` re-ranks the output of
``Recommender.recommend_batch`` brief by brief, and :func:`recommend_diverse`
fetches a deeper candidate list first. Diversification is off by default in
the recommender, as measured (``benchmarks/mmr.py``, ``docs/planning.md``): on the
labelled dev sets the diversity it adds comes from creators of other niches,
at a cost in nDCG, while the spread over the brief's own sub-niches does not grow.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Iterable

import numpy as np
import pandas as pd

from ..ranking import FittedRecommender
from ..util import check_int, check_number, normalise

if TYPE_CHECKING:  # pragma: no cover
    from ..catalog import BriefLike

__all__ = ["mmr", "diversify", "recommend_diverse"]

logger = logging.getLogger(__name__)

_LOWEST = -1e300


def mmr(relevance: np.ndarray, vectors: np.ndarray, k: int, *, trade_off: float) -> np.ndarray:
    """Positions of ``min(k, n)`` candidates chosen by maximal marginal relevance, in pick order.

    Parameters
    ----------
    relevance : ndarray (n,)
        Relevance of each candidate, higher is better (NaN counts as the lowest).
    vectors : ndarray (n, d)
        Candidate vectors; they are L2-normalised here (a zero vector is
        orthogonal to every other).
    k : int
        Number of picks.
    trade_off : float
        In [0, 1]: weight of relevance against novelty; 1.0 gives the relevance
        order (ties by position), 0.0 ignores relevance after the first pick.

    Returns
    -------
    ndarray of int
        Positions into ``relevance``, best first. Costs O(k n d) with NumPy:
        each pick updates every candidate's largest similarity to the picks.

    Examples
    --------
    >>> v = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> mmr(np.array([0.9, 0.8, 0.5]), v, 2, trade_off=1.0).tolist()
    [0, 1]
    >>> mmr(np.array([0.9, 0.8, 0.5]), v, 2, trade_off=0.5).tolist()
    [0, 2]
    """
    trade_off = check_number(trade_off, "trade_off", "mmr", minimum=0, maximum=1)
    k = check_int(k, "k", "mmr")
    relevance = np.asarray(relevance, dtype=float)
    vectors = np.asarray(vectors, dtype=float)
    if relevance.ndim != 1 or vectors.ndim != 2 or vectors.shape[0] != relevance.shape[0]:
        raise ValueError("The 'relevance' and 'vectors' parameters of mmr must have shapes (n,) and (n, d). "
                         f"Got {relevance.shape} and {vectors.shape} instead.")
    n = relevance.shape[0]
    # NaN ranks last but stays finite, so that trade_off * relevance never meets 0 * inf.
    relevance = np.where(np.isnan(relevance), _LOWEST, relevance)
    unit = normalise(vectors)
    closest = np.full(n, -1.0)  # largest cosine of each candidate to any pick so far
    available = np.ones(n, dtype=bool)
    picks = np.empty(min(k, n), dtype=np.int64)
    for step in range(len(picks)):
        # The first pick and trade_off == 1 use relevance alone: argmax takes the first of
        # equals, so ties keep their input order exactly as a stable sort would.
        gain = relevance if step == 0 or trade_off == 1.0 else trade_off * relevance - (1.0 - trade_off) * closest
        best = int(np.argmax(np.where(available, gain, -np.inf)))
        picks[step] = best
        available[best] = False
        np.maximum(closest, unit @ unit[best], out=closest)
    return picks


def diversify(results: pd.DataFrame, recommender: FittedRecommender, *, k: int, trade_off: float) -> pd.DataFrame:
    """Re-rank each brief's results by MMR over the recommender's creator vectors.

    Parameters
    ----------
    results : DataFrame
        Output of ``recommender.recommend_batch`` (``brief_id``, ``rank``,
        ``creator_id``, ``score`` and any other column), ideally deeper than ``k``
        so that MMR has room to choose (see :func:`recommend_diverse`).
    recommender : Recommender
        The fitted recommender that produced ``results``; gives the creator vectors.
    k : int
        Rows kept per brief.
    trade_off : float
        As in :func:`mmr`; ``score`` is the relevance.

    Returns
    -------
    DataFrame
        The same columns, ``k`` rows per brief (fewer if fewer candidates), in
        MMR order with ``rank`` renumbered from 1. Briefs keep their order.
    """
    k = check_int(k, "k", "diversify")
    trade_off = check_number(trade_off, "trade_off", "diversify", minimum=0, maximum=1)
    missing = [c for c in ("brief_id", "creator_id", "score") if c not in results.columns]
    if missing:
        raise ValueError(f"The 'results' table of diversify must come from recommend_batch. "
                         f"Missing columns {missing}; got {list(results.columns)} instead.")
    if results.empty:
        return results.copy()
    results = results.reset_index(drop=True)
    rows = pd.Index(recommender.creators["creator_id"]).get_indexer(results["creator_id"])
    if (rows < 0).any():
        unknown = results["creator_id"][rows < 0].unique()[:10].tolist()
        raise ValueError(f"diversify: creator_id(s) {unknown} are not in this recommender; pass the one that "
                         "produced the results.")
    frames, all_vectors = [], recommender.creator_vectors()
    for _, group in results.groupby("brief_id", sort=False):
        vectors = all_vectors[rows[group.index.to_numpy()]]
        order = mmr(group["score"].to_numpy(), vectors, k, trade_off=trade_off)
        picked = group.iloc[order].copy()
        picked["rank"] = np.arange(1, len(picked) + 1)
        frames.append(picked)
    logger.debug("Diversified %d brief(s) with MMR (trade_off=%s, k=%d).", len(frames), trade_off, k)
    return pd.concat(frames, ignore_index=True)


def recommend_diverse(recommender: FittedRecommender, briefs: Iterable["BriefLike"], *, k: int = 10,
                      trade_off: float = 0.8, depth: int = 5, progress: bool | None = None) -> pd.DataFrame:
    """``recommend_batch`` followed by :func:`diversify`: top ``depth * k`` candidates, ``k`` kept by MMR.

    Parameters
    ----------
    recommender : Recommender
    briefs : iterable of BrandBrief, mapping or str
    k : int
        Rows per brief.
    trade_off : float
        As in :func:`mmr`.
    depth : int
        Candidates fetched per kept row; 5 lets MMR reach creators ranked up
        to ``5k`` without pulling in the long tail of weak matches.
    progress : bool, optional
        Progress bar over briefs, as in ``recommend_batch``.

    Examples
    --------
    >>> recommend_diverse(rec, ["plant-based snacks for families"], k=10, trade_off=0.8)  # doctest: +SKIP
    """
    k = check_int(k, "k", "recommend_diverse")
    depth = check_int(depth, "depth", "recommend_diverse")
    candidates = recommender.recommend_batch(briefs, k=k * depth, progress=progress)
    return diversify(candidates, recommender, k=k, trade_off=trade_off)
