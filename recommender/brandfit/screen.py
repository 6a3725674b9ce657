"""Brand fit beyond niche: the screens a brief asks for, run on its candidate creators.

A brief can ask to keep away from risk categories (``avoid_topics``,
:mod:`~recommender.brandfit.safety`), from creators who recently promoted a competitor
(``competitors``, :mod:`~recommender.brandfit.sponsorship`) and from creators with many
authenticity flags (``max_authenticity_flags``, :mod:`~recommender.brandfit.authenticity`),
and can name brand values (``values``) whose best posts are quoted. This module
applies them to the candidates of one brief: which to leave out, how much to
lower or raise the rest, and the flags and reasons to show. Pure: arrays in,
arrays out; the :class:`~recommender.recommender.Recommender` gathers the
candidates' posts and the vectors.

Scores move by fixed, documented amounts so that the reasons can say why:
``avoid_mode="penalize"`` lowers a flagged creator by ``RISK_PENALTY`` per
flagged category, and a brief's values add ``VALUES_WEIGHT`` times the mean,
over values, of the creator's best post cosine to each value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..catalog import BrandBrief
from ..embedding import snippet
from .safety import safety_reasons, safety_table, screen_posts
from .sponsorship import competitor_conflicts

__all__ = ["CandidatePosts", "Screen", "screen_candidates", "RISK_PENALTY", "VALUES_WEIGHT"]

RISK_PENALTY = 0.1  # more than the engagement weight can give back (0.05), less than a niche apart (~0.2)
VALUES_WEIGHT = 0.1  # as much as BM25: values refine the order among creators of the brief's niche
VALUE_QUOTE = 0.3  # a value's best post is quoted from this cosine up (related texts sit at 0.3-0.7)


@dataclass(frozen=True)
class CandidatePosts:
    """The posts of a brief's candidate creators.

    ``owner`` gives each post's candidate, in ``0..n-1``; ``vectors`` are unit
    caption vectors; ``posted_at`` date-times (missing ones NaT); ``sponsored``
    the frame of :func:`~recommender.brandfit.sponsorship.detect_sponsored` for these posts
    (``sponsored``, ``signal``), which the recommender detects once per post.
    """

    n: int
    owner: np.ndarray
    captions: list[str]
    vectors: np.ndarray
    post_ids: np.ndarray
    posted_at: np.ndarray
    sponsored: pd.DataFrame


@dataclass(frozen=True)
class Screen:
    """What the brief's screens say of each candidate (arrays of length ``n``).

    ``keep`` is False for a candidate the brief excludes; ``adjustment`` is added
    to its score; ``risk_flags`` and ``competitor_conflict`` name what flagged it
    (``""`` for nothing); ``values_fit`` is the mean best-post cosine over the
    brief's values (NaN without values); ``reasons`` the reason parts to append;
    ``flags`` one row per flag with the quoted posts (for export).
    """

    keep: np.ndarray
    adjustment: np.ndarray
    risk_flags: np.ndarray
    competitor_conflict: np.ndarray
    values_fit: np.ndarray
    reasons: list[list[str]]
    flags: pd.DataFrame


FLAG_COLUMNS = ["creator", "kind", "flag", "excluded", "post_ids", "evidence"]


def screen_candidates(brief: BrandBrief, posts: CandidatePosts, *, category_vectors: np.ndarray | None,
                      value_vectors: np.ndarray | None, authenticity_flags: np.ndarray | None,
                      authenticity_reasons: np.ndarray | None, now: Any) -> Screen:
    """Apply ``brief``'s brand-fit screens to its candidates.

    Parameters
    ----------
    brief : BrandBrief
    posts : CandidatePosts
    category_vectors : ndarray (n_categories, dim), optional
        Vectors of ``brief.avoid_topics`` (:func:`recommender.brandfit.safety.category_vectors`).
    value_vectors : ndarray (n_values, dim), optional
        Unit vectors of ``brief.values``.
    authenticity_flags, authenticity_reasons : ndarray (n,), optional
        Each candidate's count of authenticity flags and its reason text.
    now : date-time
        End of the competitor window (the catalog's newest post).
    """
    n = posts.n
    keep, adjustment = np.ones(n, dtype=bool), np.zeros(n)
    reasons: list[list[str]] = [[] for _ in range(n)]
    risk, conflict, values_fit = np.full(n, "", dtype=object), np.full(n, "", dtype=object), np.full(n, np.nan)
    flags: list[pd.DataFrame] = []
    if brief.avoid_topics:
        screen = screen_posts(posts.captions, posts.vectors, posts.owner, n, brief.avoid_topics, category_vectors)
        flagged = screen.creator_flagged
        names = np.array([c.name for c in screen.categories], dtype=object)
        risk[flagged] = [", ".join(names[row]) for row in screen.flagged[flagged]]
        exclude = brief.avoid_mode == "exclude"
        if exclude:
            keep &= ~flagged
        else:
            adjustment -= RISK_PENALTY * screen.flagged.sum(axis=1)
        _append(reasons, safety_reasons(screen, posts.captions))
        table = safety_table(screen, creator_ids=np.arange(n), post_ids=posts.post_ids, captions=posts.captions)
        flags.append(pd.DataFrame({"creator": table["creator_id"].to_numpy(), "kind": "risk",
                                   "flag": table["category"], "excluded": exclude, "post_ids": table["post_ids"],
                                   "evidence": table["evidence"]}))
    if brief.competitors:
        found = competitor_conflicts(posts.captions, posts.posted_at, posts.owner, n, posts.sponsored, brief.competitors,
                                     conflict_days=brief.conflict_days, now=now)
        hit = found["conflict"].to_numpy(dtype=bool)
        conflict[hit] = [", ".join(c) for c in found.loc[hit, "competitors"]]
        exclude = brief.conflict_mode == "exclude"
        if exclude:
            keep &= ~hit
        _append(reasons, found["reason"].tolist())
        ids = [";".join(str(posts.post_ids[p]) for p in rows) for rows in found.loc[hit, "posts"]]
        flags.append(pd.DataFrame({"creator": np.flatnonzero(hit), "kind": "competitor", "flag": conflict[hit],
                                   "excluded": exclude, "post_ids": ids, "evidence": found.loc[hit, "reason"]}))
    if brief.max_authenticity_flags is not None and authenticity_flags is not None:
        over = authenticity_flags > brief.max_authenticity_flags
        keep &= ~over
        flags.append(pd.DataFrame({"creator": np.flatnonzero(over), "kind": "authenticity",
                                   "flag": [f"{int(f)} flag(s)" for f in authenticity_flags[over]], "excluded": True,
                                   "post_ids": "", "evidence": authenticity_reasons[over]}))
    if brief.values and value_vectors is not None:
        values_fit, quotes = _values(brief, posts, value_vectors)
        adjustment += VALUES_WEIGHT * np.nan_to_num(values_fit)
        _append(reasons, quotes)
    table = pd.concat(flags, ignore_index=True) if flags else pd.DataFrame(columns=FLAG_COLUMNS)
    return Screen(keep, adjustment, risk, conflict, values_fit, reasons, table[FLAG_COLUMNS])


def _values(brief: BrandBrief, posts: CandidatePosts, value_vectors: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Mean over values of each candidate's best post cosine, and the quoted best post of each value."""
    n, cosines = posts.n, posts.vectors.astype(np.float32) @ value_vectors.T.astype(np.float32)
    best = np.full((n, len(brief.values)), -np.inf)
    np.maximum.at(best, posts.owner, cosines)
    which = np.full((n, len(brief.values)), -1)
    hit = cosines == best[posts.owner]
    rows, cols = np.nonzero(hit)
    which[posts.owner[rows], cols] = rows
    quotes = []
    for c in range(n):
        parts = [f'{value} (post "{snippet(posts.captions[which[c, v]], 60)}", similarity {best[c, v]:.2f})'
                 for v, value in enumerate(brief.values) if which[c, v] >= 0 and best[c, v] >= VALUE_QUOTE]
        quotes.append("values: " + "; ".join(parts) if parts else "")
    fit = np.where(np.isfinite(best), best, np.nan).mean(axis=1)
    return fit, quotes


def _append(reasons: list[list[str]], extra: list[str]) -> None:
    for parts, text in zip(reasons, extra):
        if text:
            parts.append(text)

