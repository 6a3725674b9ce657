"""Keyword matching for brand safety: the risk-category keywords a caption contains, as whole words.

Captions are lower-cased and split into words, links and @mentions dropped and
hashtags also read as the words they join (``#CraftBeer`` holds "craft beer").
Matches are cached per caption, because a screen runs at ranking time over the
same captions again and again.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Sequence

import numpy as np

from ..catalog import resolve_categories
from ..embedding import prepare_text, split_hashtag

__all__ = ["match_keywords"]

# Masked swear words ("f*ck", "sh*t") stay one token; apostrophes split ("beer's" -> "beer", "s").
_TOKEN = re.compile(r"\w+(?:[*@$]+\w+)*")
_HASHTAG = re.compile(r"#(\w+)")
# Bounded caches: about 100 bytes a caption per category set (8 sets at most), token lists of recent captions.
_MATCH_CACHE, _TOKEN_CACHE, _SETS_CACHED = 100_000, 20_000, 8


@lru_cache(maxsize=_TOKEN_CACHE)
def _token_runs(caption: str) -> tuple[tuple[str, ...], ...]:
    """Lower-case words of a caption (links and @mentions removed), then of each hashtag split into words."""
    text, lower = caption, caption.lower()
    if "@" in lower or "http" in lower or "www." in lower:  # the regular expressions cost half the time
        text = prepare_text(caption, split_hashtags=False)
        lower = text.lower()
    runs = [tuple(_TOKEN.findall(lower))]
    for tag in _HASHTAG.findall(text) if "#" in text else ():
        split = split_hashtag(tag)
        if split != tag:
            runs.append(tuple(_TOKEN.findall(split.lower())))
    return tuple(runs)


class _KeywordIndex:
    """Whole-word matcher of keyword groups (one per category), cached per caption.

    Each keyword also matches with a plural 's' on its last word. One index
    serves all the categories of a screen, so a caption costs one cache lookup
    however many categories are screened.
    """

    def __init__(self, groups: tuple[tuple[str, ...], ...]) -> None:
        self._n = len(groups)
        self._by_first: dict[str, list[tuple[tuple[str, ...], int, str]]] = {}
        for group, keywords in enumerate(groups):
            for keyword in keywords:
                words = tuple(_TOKEN.findall(keyword.lower()))
                for form in {words, words[:-1] + (words[-1] + "s",)}:
                    self._by_first.setdefault(form[0], []).append((form[1:], group, keyword))
        self._firsts = frozenset(self._by_first)
        self.match = lru_cache(maxsize=_MATCH_CACHE)(self._match)

    def _match(self, caption: Any) -> tuple[str | None, ...] | None:
        """The first keyword of each group in ``caption``, or None when there is none (most captions)."""
        found: list[str | None] = [None] * self._n
        for run in _token_runs(caption) if isinstance(caption, str) else ():
            if self._firsts.isdisjoint(run):
                continue
            for i, word in enumerate(run):
                for rest, group, keyword in self._by_first.get(word, ()):
                    if found[group] is None and run[i + 1:i + 1 + len(rest)] == rest:
                        found[group] = keyword
        return tuple(found) if any(k is not None for k in found) else None


@lru_cache(maxsize=_SETS_CACHED)
def _index(groups: tuple[tuple[str, ...], ...]) -> _KeywordIndex:
    return _KeywordIndex(groups)


def match_keywords(captions: Sequence[str], categories: Any) -> np.ndarray:
    """The first keyword of each category found in each caption.

    Parameters
    ----------
    captions : sequence of str
    categories : topics accepted by :func:`resolve_categories`

    Returns
    -------
    ndarray of object, shape (len(captions), n_categories)
        The keyword as the category lists it, or None.

    Examples
    --------
    >>> match_keywords(["Loving this #CraftBeer", "first class seats", "f*ck this"], ["alcohol", "profanity"]).tolist()
    [['craft beer', None], [None, None], [None, 'f*ck']]
    """
    cats = resolve_categories(categories)
    out = np.full((len(captions), len(cats)), None, dtype=object)
    if cats and len(captions):
        match = _index(tuple(c.keywords for c in cats)).match
        found = [match(c) for c in captions]
        rows = [i for i, hit in enumerate(found) if hit is not None]
        if rows:
            out[rows] = [found[i] for i in rows]
    return out
