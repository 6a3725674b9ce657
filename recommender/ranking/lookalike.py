"""Lookalike creators: more creators like the ones a brand already liked.

Pure functions, arrays in and arrays (or a table) out, and :func:`find_lookalikes`,
which wires them to a built catalog for :meth:`Recommender.similar
<recommender.recommender.Recommender.similar>`.

The query is built the Rocchio way (Rocchio, 1971): the liked creators' vectors
pull it toward them, the creators the brand turned down push it away with a
smaller weight, and a brief, when there is one, keeps most of the weight so that
a few seeds refine the brief instead of replacing it::

    query = unit(brief_w * brief + positive_w * unit(mean(liked)) - negative_w * unit(mean(turned down)))

(each mean scaled to unit length, so that the weights are the shares they say
however spread the seeds are).

Seeds from different niches average to a vector between them that may fit none
of them; scoring each candidate by its nearest seed (every liked creator gets a
query of its own, the same formula with that one seed, and a candidate takes its
best one) keeps both niches. But one seed also brings its own quirks, which the
mean of several seeds of one niche averages away. The score is therefore half
of each by default (``LookalikeWeights.nearest_seed``)::

    similarity = (1 - nearest_seed) * cos(candidate, mean query)
                 + nearest_seed * max over seeds of cos(candidate, that seed's query)

docs/quality.md measures the mean (0), the nearest seed (1) and the default 0.5:
the nearest seed wins on mixed seed sets and the mean on same-niche seed sets of
real tweets; half of each stays close to the better one in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..brandfit import BrandFitSignals
from ..catalog import BrandBrief
from ..embedding import snippet
from ..search import Columns, Corpus, live_positions
from ..util import normalise
from .score import RankingWeights, best_posts, blend, engagement_reason, semantic_scores, top_post_similarity

__all__ = ["LOOKALIKE_COLUMNS", "LookalikeWeights", "allowed_rows", "find_lookalikes", "lookalike_frame", "rank_lookalikes",
           "seed_positions", "seed_queries", "seed_query"]

LOOKALIKE_COLUMNS = [
    "rank", "creator_id", "handle", "platform", "tier", "followers", "score", "semantic", "similarity",
    "post_evidence", "engagement_score", "engagement_rate", "nearest_seed", "seed_similarity", "reasons",
    "matched_posts",
]


@dataclass(frozen=True)
class LookalikeWeights:
    """Weights of the lookalike query (Rocchio) and how several seeds combine.

    Only the ratios matter: the query is scaled to unit length.

    Attributes
    ----------
    brief : float
        Weight of the brief's query vector, when a brief is given; it must be larger
        than ``positive`` so the brief keeps most of the weight.
    positive : float
        Weight of the mean of the liked creators' vectors, > 0.
    negative : float
        Weight of the mean of the turned-down creators' vectors, subtracted, >= 0.
    nearest_seed : float
        Share of the similarity from the candidate's nearest seed (its best per-seed
        query) rather than from the seeds' mean query, in [0, 1]: 1 is the max over
        seeds, 0 the mean. It matters only with several seeds.
    """

    brief: float = 0.7
    positive: float = 0.3
    negative: float = 0.15
    nearest_seed: float = 0.5

    def __post_init__(self) -> None:
        for name in ("brief", "negative"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"The '{name}' parameter of LookalikeWeights must be a float in the range [0, inf). "
                                 f"Got {getattr(self, name)!r} instead.")
        if not self.positive > 0:
            raise ValueError(f"The 'positive' parameter of LookalikeWeights must be a float in the range (0, inf). "
                             f"Got {self.positive!r} instead.")
        if not 0 <= self.nearest_seed <= 1:
            raise ValueError(f"The 'nearest_seed' parameter of LookalikeWeights must be a float in the range [0, 1]. "
                             f"Got {self.nearest_seed!r} instead.")


def seed_query(creator_vectors: np.ndarray, positive: Sequence[int], negative: Sequence[int] = (), *,
               brief: np.ndarray | None = None, weights: LookalikeWeights = LookalikeWeights()) -> np.ndarray:
    """The unit Rocchio query of liked (``positive``) and turned-down (``negative``) creators.

    Parameters
    ----------
    creator_vectors : ndarray (n_creators, d)
        Unit creator vectors; ``positive`` and ``negative`` are row positions in it.
    brief : ndarray (d,), optional
        The brief's unit query vector; it keeps weight ``weights.brief``.

    Returns
    -------
    ndarray (d,), float32, unit length.

    Examples
    --------
    >>> vectors = np.eye(3, dtype=np.float32)
    >>> [round(float(x), 3) for x in seed_query(vectors, [0], [1])]
    [0.894, -0.447, 0.0]
    >>> [round(float(x), 3) for x in seed_query(vectors, [0], brief=np.array([0.0, 0.0, 1.0]))]
    [0.394, 0.0, 0.919]
    """
    if not len(positive):
        raise ValueError("The 'positive' parameter of seed_query must name at least one creator. Got none instead.")
    both = sorted(set(np.asarray(positive).tolist()) & set(np.asarray(negative).tolist()))
    if both:
        raise ValueError(f"The 'negative' parameter of seed_query must not repeat a liked creator. Got positions "
                         f"{both[:10]} in both instead.")
    if brief is not None and not weights.brief > weights.positive:
        raise ValueError(f"The 'brief' parameter of LookalikeWeights must be greater than 'positive' "
                         f"({weights.positive!r}) when a brief is given, so the brief keeps most of the weight. "
                         f"Got {weights.brief!r} instead.")
    vectors = np.asarray(creator_vectors, dtype=np.float32)
    query = weights.positive * normalise(vectors[np.asarray(positive)].mean(axis=0))
    if len(negative):
        query = query - weights.negative * normalise(vectors[np.asarray(negative)].mean(axis=0))
    if brief is not None:
        query = query + weights.brief * np.asarray(brief, dtype=np.float32)
    if not np.linalg.norm(query) > 0:
        raise ValueError("The seeds of seed_query give no direction: the liked creators have no text, or the "
                         "turned-down ones cancel them exactly. Choose other seeds.")
    return normalise(query).astype(np.float32)


def seed_queries(creator_vectors: np.ndarray, positive: Sequence[int], negative: Sequence[int] = (), *,
                 brief: np.ndarray | None = None, weights: LookalikeWeights = LookalikeWeights()) -> np.ndarray:
    """The queries a candidate is scored against: the seeds' mean, then one per seed when there are several.

    Returns an array (n_queries, d) of :func:`seed_query` rows: row 0 from all of
    ``positive``, rows 1.. from each seed alone (none for a single seed).
    """
    groups = [positive] + ([[seed] for seed in positive] if len(positive) > 1 else [])
    return np.stack([seed_query(creator_vectors, g, negative, brief=brief, weights=weights) for g in groups])


def seed_positions(creator_ids: pd.Series, alive: np.ndarray, positive: Iterable[str],
                   negative: Iterable[str] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the liked and turned-down live creators (in the order given, duplicates dropped).

    Raises ValueError naming every id that is not a live creator, as
    :meth:`~recommender.recommender.Recommender.remove_creators` does, and any id both liked and turned down.
    """
    liked, turned_down = _unique_ids(positive), _unique_ids(negative)
    if not liked:
        raise ValueError("similar: expected at least one creator_id to find lookalikes of. Got none.")
    positions = live_positions(creator_ids, alive, liked + turned_down, "similar")
    both = [c for c in turned_down if c in set(liked)]
    if both:
        raise ValueError(f"similar: creator_id(s) {both[:10]} are both seeds and negative; give each once.")
    return positions[:len(liked)], positions[len(liked):]


def allowed_rows(creator_ids: pd.Series, mask: np.ndarray | None, exclude: Iterable[str] | str,
                 blocked: np.ndarray) -> np.ndarray:
    """Rows a lookalike may come from: those ``mask`` allows (all when None), less the ``exclude`` ids
    (ids not in the catalog are ignored) and the ``blocked`` positions (seeds and negatives)."""
    allowed = np.ones(len(creator_ids), dtype=bool) if mask is None else np.array(mask, dtype=bool)
    allowed &= ~creator_ids.isin(_unique_ids(exclude)).to_numpy()
    allowed[blocked] = False
    return allowed


def _unique_ids(ids: Iterable[str] | str) -> list[str]:
    """Ids as str in the order given, duplicates dropped; one str is one id."""
    return list(dict.fromkeys(str(c) for c in ([ids] if isinstance(ids, str) else ids)))


def rank_lookalikes(candidate_vectors: np.ndarray, seed_vectors: np.ndarray, queries: np.ndarray,
                    post_vectors: np.ndarray, post_owner: np.ndarray, engagement: np.ndarray,
                    weights: RankingWeights, k: int, *, nearest_seed: float = 0.5) -> dict[str, np.ndarray]:
    """Score candidates against the lookalike queries; the best ``k``, best first.

    Each candidate's query is ``(1 - nearest_seed) * mean query + nearest_seed * its
    best per-seed query`` (see :class:`LookalikeWeights`); the score is then the one
    :meth:`Recommender.recommend` gives with that query in place of the brief:
    ``semantic = (1 - evidence) * similarity + evidence * post_evidence`` and
    ``score = blend(semantic, engagement)``.

    Parameters
    ----------
    candidate_vectors : ndarray (n, d)
        Candidates' creator vectors, in position order (ties keep it).
    seed_vectors : ndarray (s, d)
        The liked creators' vectors, to name each result's nearest seed.
    queries : ndarray (m, d)
        From :func:`seed_queries`: the mean query, then the per-seed ones.
    post_vectors : ndarray (p, d), post_owner : ndarray of int (p,)
        The candidates' posts and the candidate (0..n-1) of each.
    engagement : ndarray (n,)
        Engagement percentiles.
    nearest_seed : float
        :attr:`LookalikeWeights.nearest_seed`.

    Returns
    -------
    dict of arrays (min(k, n),)
        ``order`` (indices of candidates), ``score``, ``semantic``, ``similarity``,
        ``post_evidence``, ``nearest`` (index of the nearest seed), ``seed_similarity``
        (cosine to it), ``best_post`` (index into ``post_vectors``, -1 when none) and
        ``best_post_similarity``.
    """
    vectors = np.asarray(candidate_vectors, dtype=np.float32)
    own = queries[1:]
    directions = np.broadcast_to(queries[0], vectors.shape)
    if len(own):
        directions = (1 - nearest_seed) * directions + nearest_seed * own[(vectors @ own.T).argmax(axis=1)]
    similarity = np.einsum("nd,nd->n", vectors, directions)
    post_sims = np.einsum("pd,pd->p", np.asarray(post_vectors, dtype=np.float32), directions[post_owner])
    evidence = top_post_similarity(post_sims, post_owner, len(vectors), weights.evidence_posts)
    semantic = semantic_scores(similarity, evidence, weights.evidence)
    score = blend(semantic, engagement, weights)
    order = np.argsort(-score, kind="stable")[:k]
    best = best_posts(post_sims, post_owner, len(vectors), order, per_creator=1)[:, 0]
    to_seeds = np.asarray(candidate_vectors[order], dtype=np.float32) @ np.asarray(seed_vectors, dtype=np.float32).T
    return {
        "order": order, "score": score[order], "semantic": semantic[order], "similarity": similarity[order],
        "post_evidence": evidence[order], "nearest": to_seeds.argmax(axis=1), "seed_similarity": to_seeds.max(axis=1),
        "best_post": best, "best_post_similarity": np.append(post_sims, np.nan)[best],
    }


def lookalike_frame(columns: Mapping[str, Columns], shown: np.ndarray, seeds: np.ndarray, post_rows: np.ndarray,
                    ranked: dict[str, np.ndarray]) -> pd.DataFrame:
    """The result table of :meth:`Recommender.similar <recommender.recommender.Recommender.similar>`.

    Parameters
    ----------
    columns : mapping
        :class:`~recommender.catalog.tables.Columns` of the ``"creators"``, ``"engagement"`` and ``"posts"`` tables.
    shown, seeds : ndarray of int
        Positions of the ranked creators (best first) and of the liked creators.
    post_rows : ndarray of int
        Rows of the candidates' posts, which ``ranked['best_post']`` indexes.
    ranked : dict
        From :func:`rank_lookalikes`.

    Each reason names the nearest seed and its cosine, quotes the best post, and gives
    the tier and engagement against the tier's median.
    """
    creators, engagement, posts = columns["creators"], columns["engagement"], columns["posts"]
    nearest = seeds[ranked["nearest"]]
    seed_ids = creators.take("creator_id", nearest)
    seed_names = [h if isinstance(h, str) and h else c for h, c in zip(creators.take("handle", nearest), seed_ids)]
    best = np.append(post_rows, -1)[ranked["best_post"]]
    have = best >= 0
    captions, post_ids = np.full(len(best), None, dtype=object), np.full(len(best), "", dtype=object)
    captions[have], post_ids[have] = posts.take("caption", best[have]), posts.take("post_id", best[have]).astype(str)
    tiers = creators.take("tier", shown).astype(str)
    followers = creators.take("followers", shown)
    rates = {c: engagement.take(c, shown).astype(float)
             for c in ("engagement_rate", "tier_median_rate", "engagement_score", "engagement_rate_shrunk")}
    reasons = []
    for row, (name, tier) in enumerate(zip(seed_names, tiers)):
        parts = [f"like seed {name} (cosine {ranked['seed_similarity'][row]:.2f})"]
        if captions[row] is not None:
            parts.append(f'post "{snippet(captions[row])}" (similarity {ranked["best_post_similarity"][row]:.2f})')
        parts.append(f"{tier} tier, {int(followers[row]):,} followers")
        parts.append(engagement_reason(rates["engagement_rate"][row], rates["tier_median_rate"][row],
                                       rates["engagement_score"][row], tier))
        reasons.append("; ".join(parts))
    return pd.DataFrame({
        "rank": np.arange(1, len(shown) + 1),
        **{c: creators.take(c, shown) for c in ("creator_id", "handle", "platform")},
        "tier": tiers, "followers": followers,
        **{c: ranked[c].astype(float) for c in ("score", "semantic", "similarity", "post_evidence")},
        "engagement_score": rates["engagement_score"], "engagement_rate": rates["engagement_rate_shrunk"],
        "nearest_seed": seed_ids, "seed_similarity": ranked["seed_similarity"].astype(float),
        "reasons": reasons, "matched_posts": post_ids,
    }, columns=LOOKALIKE_COLUMNS)


def find_lookalikes(corpus: Corpus, signals: BrandFitSignals, weights: RankingWeights, creator_ids: Iterable[str], *,
                    exclude: Iterable[str], negative: Iterable[str], brief: BrandBrief | None,
                    brief_query: np.ndarray | None, lookalike: LookalikeWeights, k: int, fetch: int) -> pd.DataFrame:
    """Creators like ``creator_ids`` in a built catalog: the table of :meth:`Recommender.similar
    <recommender.recommender.Recommender.similar>`, whose parameters these are; ``brief_query`` is the
    brief's query vector and ``fetch`` how many nearest creators each seed query retrieves."""
    ids = corpus.creators["creator_id"]
    seeds, negatives = seed_positions(ids, corpus.alive, creator_ids, negative)
    queries = seed_queries(corpus.creator_vectors, seeds, negatives, brief=brief_query, weights=lookalike)
    allowed = allowed_rows(ids, None if brief is None else corpus.mask(brief), exclude,
                           np.concatenate([seeds, negatives]))
    candidates = np.unique(corpus.index.search(queries, fetch, allowed=allowed)[1])
    if brief is not None and brief.brand_fit:  # the brief's brand-fit exclusions hold for lookalikes too
        candidates = candidates[signals.screen(brief, candidates, *corpus.posts_of(candidates)).keep]
    rows, owner = corpus.posts_of(candidates)
    engagement = corpus.columns["engagement"].take("engagement_score", candidates).astype(float)
    ranked = rank_lookalikes(corpus.creator_vectors[candidates], corpus.creator_vectors[seeds], queries,
                             corpus.post_vectors[rows], owner, engagement, weights, k,
                             nearest_seed=lookalike.nearest_seed)
    return lookalike_frame(corpus.columns, candidates[ranked["order"]], seeds, rows, ranked)
