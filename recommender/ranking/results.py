"""The result table of a batch of briefs: one row per (brief, creator), every catalog column gathered once."""

from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np
import pandas as pd

from ..brandfit import BrandFitSignals
from ..catalog import BrandBrief
from ..search import Corpus
from ..util import WeakMatchWarning
from .explain import explain_rows
from .score import RelevanceFloor

__all__ = ["RESULT_COLUMNS", "result_frame", "warn_weak"]

RESULT_COLUMNS = [
    "brief_id", "brief_name", "rank", "creator_id", "handle", "platform", "tier", "followers", "score",
    "fit", "weak_match", "semantic", "similarity", "post_evidence", "lexical", "engagement_score", "engagement_rate",
    "values_fit", "risk_flags", "competitor_conflict", "sponsored_share", "authenticity_flags", "reasons", "matched_posts",
]


def result_frame(corpus: Corpus, signals: BrandFitSignals, floor: RelevanceFloor, briefs: Sequence[BrandBrief],
                 queries: np.ndarray, ranked: list[dict[str, np.ndarray]], *, explain: bool) -> pd.DataFrame:
    """The result table of all briefs, gathering each catalog column once for the whole batch."""
    sizes = [len(r["positions"]) for r in ranked]
    brief_of = np.repeat(np.arange(len(briefs)), sizes)
    rows = {key: np.concatenate([r[key] for r in ranked]) for key in ranked[0]}
    positions = rows["positions"]
    at = corpus.columns
    creators = {c: at["creators"].take(c, positions) for c in ("creator_id", "handle", "platform", "followers")}
    creators["tier"] = at["creators"].take("tier", positions).astype(str)
    engagement = {c: at["engagement"].take(c, positions).astype(float)
                  for c in ("engagement_score", "engagement_rate_shrunk")}
    fit = floor.fit(rows["semantic"])
    # Per creator, not per brief: computed once per creator and kept.
    shares, flagged = signals.sponsored_share(positions), signals.authenticity()
    authenticity = {"authenticity_flags": flagged["authenticity_flags"].to_numpy()[positions].astype(int),
                    "authenticity_reason": flagged["authenticity_reason"].to_numpy()[positions]}
    reasons = matched = [""] * len(positions)
    if explain:
        reasons, matched = explain_rows(corpus, briefs, queries, brief_of, rows, creators, engagement)
        extra = zip(rows["screen_reasons"], shares, authenticity["authenticity_reason"])
        reasons = ["; ".join([r, *(p for p in (screened, _share_reason(share), auth) if p)])
                   for r, (screened, share, auth) in zip(reasons, extra)]
        reasons = [f"weak match (fit {f:.2f}, below the floor {floor.threshold:.2f}); {r}" if f < floor.threshold else r
                   for f, r in zip(fit, reasons)]
    starts = np.repeat(np.cumsum([0] + sizes[:-1]), sizes)
    return pd.DataFrame({
        "brief_id": np.array([b.brief_id for b in briefs], dtype=object)[brief_of],
        "brief_name": np.array([b.name for b in briefs], dtype=object)[brief_of],
        "rank": np.arange(len(positions)) - starts + 1,
        **{c: creators[c] for c in ("creator_id", "handle", "platform", "tier", "followers")},
        "score": rows["score"].astype(float),
        "fit": fit,
        "weak_match": fit < floor.threshold,
        **{c: rows[c].astype(float) for c in ("semantic", "similarity", "post_evidence", "lexical")},
        "engagement_score": engagement["engagement_score"],
        "engagement_rate": engagement["engagement_rate_shrunk"],
        "values_fit": rows["values_fit"].astype(float),
        "risk_flags": rows["risk_flags"],
        "competitor_conflict": rows["competitor_conflict"],
        "sponsored_share": shares,
        "authenticity_flags": authenticity["authenticity_flags"],
        "reasons": reasons,
        "matched_posts": matched,
    }, columns=RESULT_COLUMNS)


def _share_reason(share: float) -> str:
    return f"sponsored share {share:.0%}" if share > 0 else ""


def warn_weak(briefs: Sequence[BrandBrief], results: pd.DataFrame, floor: RelevanceFloor) -> None:
    """Warn (:class:`~recommender.util.WeakMatchWarning`) about briefs whose results are all weak matches:
    the catalog has nobody who fits them."""
    ids = results["brief_id"].to_numpy()
    cleared, present = set(ids[~results["weak_match"].to_numpy()]), set(ids)
    weak = [b for b in briefs if b.brief_id in present and b.brief_id not in cleared]
    if weak:
        names = ", ".join(f"{b.name!r} ({b.brief_id})" for b in weak[:5]) + (" ..." if len(weak) > 5 else "")
        warnings.warn(f"No creator clears the relevance floor (fit >= {floor.threshold:.2f}) for "
                      f"{len(weak)} brief(s): {names}; their results are weak matches (weak_match=True).",
                      WeakMatchWarning, stacklevel=4)
