"""Reasons of each result row: the quoted bio and posts, keyword mentions, tier and engagement, in words."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..catalog import BrandBrief
from ..embedding import snippet
from ..search import Corpus, keyword_mask
from .score import engagement_reason

__all__ = ["explain_rows"]


def explain_rows(corpus: Corpus, briefs: Sequence[BrandBrief], queries: np.ndarray, brief_of: np.ndarray,
                 rows: dict[str, np.ndarray], creators: dict[str, np.ndarray],
                 engagement: dict[str, np.ndarray]) -> tuple[list[str], list[str]]:
    """Reasons and matched post ids of every result row; gathers the columns only reasons need."""
    positions, best = rows["positions"], rows["best_rows"]
    at = corpus.columns
    bios = at["creators"].take("bio", positions)
    rates = {c: at["engagement"].take(c, positions).astype(float) for c in ("engagement_rate", "tier_median_rate")}
    quoted = best[best >= 0]
    captions = iter(at["posts"].take("caption", quoted).tolist())
    post_ids = iter(at["posts"].take("post_id", quoted).astype(str).tolist())
    bio_sims = np.einsum("nd,nd->n", corpus.bio_vectors[positions].astype(np.float32), queries[brief_of])
    mentions: list[list[str]] = [[] for _ in range(len(positions))]
    for b, brief in enumerate(briefs):
        if not brief.keywords:
            continue  # the joined texts are built (once, for the whole catalog) only when needed
        mine = np.flatnonzero(brief_of == b)
        texts = corpus.texts().take(positions[mine])
        for keyword in brief.keywords:
            for row in mine[keyword_mask(texts, (keyword,))]:
                mentions[row].append(keyword)
    reasons, matched = [], []
    for row in range(len(positions)):
        picks = np.flatnonzero(best[row] >= 0)
        sims = rows["best_sims"][row, picks]
        parts = [f'post "{snippet(next(captions))}" (similarity {sim:.2f})' for sim in sims]
        matched.append(";".join(next(post_ids) for _ in picks))
        bio = bios[row]
        if not pd.isna(bio) and str(bio).strip() and (not parts or bio_sims[row] >= sims[0] - 0.05):
            parts.insert(0, f'bio "{snippet(bio)}" (similarity {bio_sims[row]:.2f})')
        if mentions[row]:
            parts.append("mentions " + ", ".join(mentions[row]))
        tier = creators["tier"][row]
        parts.append(f"{tier} tier, {int(creators['followers'][row]):,} followers")
        parts.append(engagement_reason(rates["engagement_rate"][row], rates["tier_median_rate"][row],
                                       engagement["engagement_score"][row], tier))
        reasons.append("; ".join(parts))
    return reasons, matched
