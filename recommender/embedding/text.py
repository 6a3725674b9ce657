"""Text preparation before embedding.

Social captions carry noise a sentence encoder reads badly: links, @mentions,
and hashtags written as one word (``#plantbased``). URLs and mentions go; hashtags
are split into words when the split is confident (``plant based``), and kept as
written otherwise (``ootd``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

__all__ = ["prepare_text", "prepare_texts", "split_hashtag", "snippet", "PREPARATION_VERSION"]

# Bump when the preparation changes, so cached embeddings of old preparations are not reused.
PREPARATION_VERSION = 1

_URL = re.compile(r"(https?://\S+|www\.\S+)", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@[\w.]+")
_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=200_000)
def split_hashtag(tag: str) -> str:
    """Words of a hashtag body (without ``#``).

    CamelCase is split at case changes; an all-lower-case ASCII tag is split by
    word frequencies when every piece has at least three letters, which keeps
    abbreviations such as ``ootd`` whole.

    >>> split_hashtag("plantbased"), split_hashtag("MomLife"), split_hashtag("ootd")
    ('plant based', 'Mom Life', 'ootd')
    """
    if _CAMEL.search(tag):
        return _CAMEL.sub(" ", tag).replace("_", " ")
    if "_" in tag:
        return tag.replace("_", " ")
    if not tag.isascii() or not tag.isalpha() or len(tag) < 6:
        return tag
    import wordninja  # light, but only needed here

    pieces = wordninja.split(tag.lower())
    if len(pieces) > 1 and all(len(p) >= 3 for p in pieces):
        return " ".join(pieces)
    return tag


def prepare_text(text: str, *, split_hashtags: bool = True) -> str:
    """Clean one bio or caption for embedding.

    >>> prepare_text("New recipe! #plantbased #veganfood via @chef.anna https://x.co/1")
    'New recipe! plant based vegan food via'
    """
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    if split_hashtags:
        text = _HASHTAG.sub(lambda m: split_hashtag(m.group(1)), text)
    return _SPACES.sub(" ", text).strip()


def prepare_texts(texts: Iterable[str], *, split_hashtags: bool = True) -> list[str]:
    """:func:`prepare_text` over many texts."""
    return [prepare_text(t, split_hashtags=split_hashtags) for t in texts]


def snippet(text: str, limit: int = 90) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis: how reasons quote posts and bios.

    >>> snippet("Sourdough   starter, day 3:   finally bubbly", 20)
    'Sourdough starter,…'
    """
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

