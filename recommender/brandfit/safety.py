"""Brand-safety screening: which creators' posts touch the topics a brand avoids.

A post is flagged for a :class:`~recommender.catalog.RiskCategory` when
one of the category's keywords appears in it (whole words, hashtags included)
or when its vector is close enough to the category vector (cosine at or above
the category's threshold). A creator is flagged for the category when more
than ``tolerance`` of their posts, and at least ``min_flagged`` of them, are.
Every flag keeps the posts that raised it, best first, with the reason
(``keyword "beer"`` or ``meaning 0.52``), so a person can check it.

:func:`screen_posts` is pure NumPy over the posts of the candidate creators and
runs at ranking time: keyword matches
(:func:`~recommender.brandfit.keywords.match_keywords`) are cached per caption,
and the meaning test is one matrix product. :func:`category_vectors` embeds the
category descriptions once per encoder. :func:`safety_table` and
:func:`safety_reasons` turn a screen into an export and into one line per
creator. Precision and recall on hand-labelled real tweets are in
docs/quality.md (``benchmarks/safety.py``).

>>> cats = resolve_categories(["alcohol"])
>>> screen = screen_posts(["cold #beer after the match", "morning run"], None, np.array([0, 0]), 1, cats, None)
>>> safety_reasons(screen, ["cold #beer after the match", "morning run"])
['avoid: alcohol (1 of 2 posts, e.g. "cold #beer after the match" keyword "beer")']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd

from ..catalog import RiskCategory, resolve_categories
from ..embedding import snippet
from ..util import check_int, check_number, normalise
from .keywords import match_keywords

if TYPE_CHECKING:  # pragma: no cover
    from ..embedding import Encoder

__all__ = ["category_vectors", "Trigger", "SafetyScreen", "screen_posts", "safety_table", "safety_reasons"]

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_VECTOR_CACHE: dict[tuple[str, str], np.ndarray] = {}
_VECTOR_CACHE_SIZE = 512


def _sentences(description: str) -> list[str]:
    return [s for s in _SENTENCE.split(description.strip()) if s]


def category_vectors(categories: Any, encoder: Encoder) -> np.ndarray:
    """Unit vectors of the categories' descriptions, cached per encoder and description.

    Each sentence of a description is embedded on its own and the vector is the
    normalised mean: a description of several post-like sentences then stands
    for the spread of posts on the topic (docs/quality.md measures the gain).

    Returns
    -------
    ndarray of shape (n_categories, encoder.dimension), float32
    """
    cats = resolve_categories(categories)
    key = encoder.cache_key
    missing = list(dict.fromkeys(c.description for c in cats if (key, c.description) not in _VECTOR_CACHE))
    if missing:
        parts = [_sentences(d) for d in missing]
        vectors = encoder.encode([s for part in parts for s in part])
        start = 0
        for description, part in zip(missing, parts):
            mean = vectors[start:start + len(part)].mean(axis=0)
            start += len(part)
            _VECTOR_CACHE[(key, description)] = normalise(mean).astype(np.float32)
        for old in list(_VECTOR_CACHE)[:max(0, len(_VECTOR_CACHE) - _VECTOR_CACHE_SIZE)]:
            del _VECTOR_CACHE[old]
    if not cats:
        return np.zeros((0, encoder.dimension), dtype=np.float32)
    return np.stack([_VECTOR_CACHE[(key, c.description)] for c in cats])


class Trigger(NamedTuple):
    """A post that flagged a category.

    ``post`` is its row in the screened arrays, ``score`` its cosine to the
    category (NaN without vectors), ``keyword`` the keyword found (None when
    the post was flagged by meaning alone).
    """

    post: int
    score: float
    keyword: str | None

    @property
    def reason(self) -> str:
        """``keyword "beer"`` or ``meaning 0.52``."""
        return f'keyword "{self.keyword}"' if self.keyword is not None else f"meaning {self.score:.2f}"


@dataclass(frozen=True, eq=False)
class SafetyScreen:
    """Result of :func:`screen_posts`; rows are creators, columns the categories in order.

    Attributes
    ----------
    categories : tuple of RiskCategory
    posts : ndarray (n_creators,) of int
        Posts screened per creator.
    flagged_posts : ndarray (n_creators, n_categories) of int
        Posts flagged per creator and category.
    share : ndarray (n_creators, n_categories) of float
        ``flagged_posts / posts`` (0 for a creator without posts).
    max_score : ndarray (n_creators, n_categories) of float
        Highest cosine of a creator's posts to the category (NaN without posts or vectors).
    flagged : ndarray (n_creators, n_categories) of bool
        The creator-level flag: ``share > tolerance``, ``flagged_posts >= min_flagged``,
        and a keyword match or ``min_meaning_flagged`` posts flagged by meaning.
    triggers : mapping (creator, category) -> tuple of Trigger
        Every flagged post of a pair, keyword matches first, then by cosine.
    """

    categories: tuple[RiskCategory, ...]
    posts: np.ndarray
    flagged_posts: np.ndarray
    share: np.ndarray
    max_score: np.ndarray
    flagged: np.ndarray
    triggers: Mapping[tuple[int, int], tuple[Trigger, ...]]

    @property
    def creator_flagged(self) -> np.ndarray:
        """ndarray (n_creators,) of bool: flagged for at least one category."""
        return self.flagged.any(axis=1)


def _check_inputs(captions: Sequence[str], post_vectors: np.ndarray | None, owner: np.ndarray, n_creators: int,
                  vectors: np.ndarray | None, n_cat: int) -> tuple[np.ndarray, np.ndarray | None]:
    where = "screen_posts"
    check_int(n_creators, "n_creators", where, minimum=0)
    owner = np.asarray(owner)
    if owner.ndim != 1 or len(owner) != len(captions) or (len(owner) and not np.issubdtype(owner.dtype, np.integer)):
        raise ValueError(f"The 'owner' parameter of {where} must be a 1-D int array with one entry per caption "
                         f"({len(captions)}). Got shape {owner.shape} and dtype {owner.dtype} instead.")
    if len(owner) and (owner.min() < 0 or owner.max() >= n_creators):
        raise ValueError(f"The 'owner' parameter of {where} must hold creator positions in [0, {n_creators}). "
                         f"Got values from {owner.min()} to {owner.max()} instead.")
    if (post_vectors is None) != (vectors is None):
        raise ValueError(f"The 'post_vectors' and 'category_vectors' parameters of {where} must be given together "
                         "(meaning and keywords) or both be None (keywords only).")
    if post_vectors is None:
        return owner, None
    post_vectors, vectors = np.asarray(post_vectors), np.asarray(vectors)
    if post_vectors.ndim != 2 or len(post_vectors) != len(captions):
        raise ValueError(f"The 'post_vectors' parameter of {where} must have shape ({len(captions)}, dim). "
                         f"Got {post_vectors.shape} instead.")
    if vectors.shape != (n_cat, post_vectors.shape[1]):
        raise ValueError(f"The 'category_vectors' parameter of {where} must have shape ({n_cat}, "
                         f"{post_vectors.shape[1]}), one row per category. Got {vectors.shape} instead.")
    return owner, post_vectors.astype(np.float32, copy=False) @ vectors.astype(np.float32, copy=False).T


def screen_posts(captions: Sequence[str], post_vectors: np.ndarray | None, owner: np.ndarray, n_creators: int,
                 categories: Any, category_vectors: np.ndarray | None, *, tolerance: float = 0.0,
                 min_flagged: int = 1, min_meaning_flagged: int = 2,
                 keyword_matches: np.ndarray | None = None) -> SafetyScreen:
    """Flag posts and creators for the given risk categories.

    Parameters
    ----------
    captions : sequence of str
        One caption per post.
    post_vectors : ndarray (n_posts, dim) or None
        Unit vectors of the captions. None (with ``category_vectors=None``)
        screens by keyword only.
    owner : ndarray (n_posts,) of int
        Creator position of each post, in ``[0, n_creators)``.
    n_creators : int
    categories : topics accepted by :func:`resolve_categories`
    category_vectors : ndarray (n_categories, dim) or None
        From :func:`category_vectors`, in the order of ``categories``.
    tolerance : float
        Share of a creator's posts, in [0, 1), that may be flagged before the
        creator is; 0 (the default) flags a creator for any flagged post.
    min_flagged : int
        Fewest flagged posts that flag a creator (default 1).
    min_meaning_flagged : int
        Fewest posts flagged by meaning alone that flag a creator with no keyword
        match for the category (default 2): one everyday post passes the meaning
        test of politics 2.9% of the time (docs/quality.md), which would flag about
        a third of creators with 15 clean posts; two bring that to 7%, and a
        single post with a keyword still flags.
    keyword_matches : ndarray (n_posts, n_categories) of object, optional
        :func:`match_keywords` of these captions and categories, when the
        caller keeps it (e.g. for a whole catalog, taking the candidates' rows);
        otherwise the captions are matched here (cached per caption).

    Returns
    -------
    SafetyScreen
    """
    check_number(tolerance, "tolerance", "screen_posts", minimum=0, below=1)
    min_flagged = check_int(min_flagged, "min_flagged", "screen_posts")
    min_meaning_flagged = check_int(min_meaning_flagged, "min_meaning_flagged", "screen_posts")
    cats = resolve_categories(categories)
    owner, scores = _check_inputs(captions, post_vectors, owner, n_creators, category_vectors, len(cats))
    keywords = match_keywords(captions, cats) if keyword_matches is None else np.asarray(keyword_matches)
    if keywords.shape != (len(captions), len(cats)):
        raise ValueError(f"The 'keyword_matches' parameter of screen_posts must have shape ({len(captions)}, "
                         f"{len(cats)}), as match_keywords returns. Got {keywords.shape} instead.")
    hits = keywords != None  # noqa: E711 - elementwise test on an object array
    flags = hits.copy()
    if scores is not None:
        limits = np.array([np.inf if c.threshold is None else c.threshold for c in cats], dtype=np.float32)
        flags |= scores >= limits
    posts = np.bincount(owner, minlength=n_creators)
    counts = np.stack([np.bincount(owner[flags[:, k]], minlength=n_creators) for k in range(len(cats))], axis=1) \
        if cats else np.zeros((n_creators, 0), dtype=np.int64)
    share = counts / np.maximum(posts, 1)[:, None]
    max_score = np.full((n_creators, len(cats)), np.nan)
    if scores is not None and len(owner) and cats:
        by_owner = np.argsort(owner, kind="stable")
        starts = np.searchsorted(owner[by_owner], np.flatnonzero(posts))
        max_score[posts > 0] = np.maximum.reduceat(scores[by_owner], starts, axis=0)
    rows, cols = np.nonzero(flags)
    post_score = scores[rows, cols] if scores is not None else np.full(len(rows), np.nan)
    order = np.lexsort((-np.nan_to_num(post_score, nan=-np.inf), ~hits[rows, cols], cols, owner[rows]))
    triggers: dict[tuple[int, int], list[Trigger]] = {}
    keyword_counts = np.zeros_like(counts)
    np.add.at(keyword_counts, (owner[rows], cols), hits[rows, cols])
    for i in order.tolist():
        row, col = int(rows[i]), int(cols[i])
        triggers.setdefault((int(owner[row]), col), []).append(Trigger(row, float(post_score[i]), keywords[row, col]))
    return SafetyScreen(categories=cats, posts=posts, flagged_posts=counts, share=share, max_score=max_score,
                        flagged=(share > tolerance) & (counts >= min_flagged)
                        & ((keyword_counts > 0) | (counts >= min_meaning_flagged)),
                        triggers={pair: tuple(found) for pair, found in triggers.items()})


def _snippet(text: str, keyword: str | None, limit: int) -> str:
    """``text`` on one line within ``limit`` characters, starting shortly before the keyword when it is far in."""
    text = " ".join(str(text).split())
    at = text.lower().find(keyword.split()[0].lower()) if keyword else -1
    if len(text) > limit and at > limit // 2:
        text = "…" + text[at - limit // 4:].lstrip()
    return snippet(text, limit)


def _pairs(screen: SafetyScreen, include_tolerated: bool) -> list[tuple[int, int]]:
    mask = screen.flagged_posts > 0 if include_tolerated else screen.flagged
    return [(int(c), int(k)) for c, k in zip(*np.nonzero(mask))]


def safety_table(screen: SafetyScreen, *, creator_ids: Sequence[Any], post_ids: Sequence[Any],
                 captions: Sequence[str], max_quotes: int = 3, snippet_chars: int = 80,
                 include_tolerated: bool = False) -> pd.DataFrame:
    """One row per flagged (creator, category), with the posts that raised the flag.

    Parameters
    ----------
    screen : SafetyScreen
    creator_ids : sequence
        Identifier of each creator position of the screen.
    post_ids, captions : sequence
        Identifier and caption of each post row given to :func:`screen_posts`.
    max_quotes : int
        Triggering posts quoted per row (all of them are in ``post_ids``).
    snippet_chars : int
        Longest quote.
    include_tolerated : bool
        Also list pairs with flagged posts under the tolerance (``flagged`` False).

    Returns
    -------
    pandas.DataFrame
        ``creator_id``, ``category``, ``flagged`` (the creator-level flag),
        ``flagged_posts``, ``posts``, ``share``, ``max_score``, ``post_ids``
        (";"-joined, best first) and ``evidence`` (``'p7: "cold beer after the
        match" (keyword "beer"); ...'``). Sorted by creator, then category order.
    """
    max_quotes = check_int(max_quotes, "max_quotes", "safety_table")
    snippet_chars = check_int(snippet_chars, "snippet_chars", "safety_table", minimum=10)
    if len(creator_ids) != len(screen.posts):
        raise ValueError(f"The 'creator_ids' parameter of safety_table must have one entry per creator of the "
                         f"screen ({len(screen.posts)}). Got {len(creator_ids)} instead.")
    if len(post_ids) != len(captions):
        raise ValueError("The 'post_ids' and 'captions' parameters of safety_table must have the same length. "
                         f"Got {len(post_ids)} and {len(captions)} instead.")
    rows = []
    for creator, k in _pairs(screen, include_tolerated):
        found = screen.triggers[(creator, k)]
        quotes = [f'{post_ids[t.post]}: "{_snippet(captions[t.post], t.keyword, snippet_chars)}" ({t.reason})'
                  for t in found[:max_quotes]]
        rows.append({"creator_id": creator_ids[creator], "category": screen.categories[k].name,
                     "flagged": bool(screen.flagged[creator, k]),
                     "flagged_posts": int(screen.flagged_posts[creator, k]), "posts": int(screen.posts[creator]),
                     "share": float(screen.share[creator, k]), "max_score": float(screen.max_score[creator, k]),
                     "post_ids": ";".join(str(post_ids[t.post]) for t in found), "evidence": "; ".join(quotes)})
    columns = ["creator_id", "category", "flagged", "flagged_posts", "posts", "share", "max_score", "post_ids",
               "evidence"]
    return pd.DataFrame(rows, columns=columns)


def safety_reasons(screen: SafetyScreen, captions: Sequence[str], *, snippet_chars: int = 60) -> list[str]:
    """One short reason per creator: ``'avoid: alcohol (2 of 12 posts, e.g. "cold beer ..." keyword "beer")'``.

    Categories are listed in the screen's order with the best triggering post
    quoted; a creator who is not flagged gets ``""``.
    """
    snippet_chars = check_int(snippet_chars, "snippet_chars", "safety_reasons", minimum=10)
    parts: list[list[str]] = [[] for _ in range(len(screen.posts))]
    for creator, k in _pairs(screen, include_tolerated=False):
        best = screen.triggers[(creator, k)][0]
        quote = _snippet(captions[best.post], best.keyword, snippet_chars)
        parts[creator].append(f"{screen.categories[k].name} ({screen.flagged_posts[creator, k]} of "
                              f'{screen.posts[creator]} posts, e.g. "{quote}" {best.reason})')
    return ["avoid: " + "; ".join(p) if p else "" for p in parts]
