"""Brand mentions in captions: which of a list of brand names a post names, as a word, an @handle or a #hashtag.

Matching is case-insensitive and by whole words, in three forms:

* **plain**: "Nike", "NIKE", "Nike's", "Nikes"; for a multi-word or punctuated name ("Brand X",
  "Coca-Cola", "L'Oréal") also "brand-x", "BrandX", "coca cola", "loreal". Never inside another word:
  "Nikelodeon" is not Nike. A plural or possessive ending is accepted, so "apples" also matches "Apple":
  short brand names that are common words ("Apple", "Dove", "Gap") are matched as words too, and only
  the caption's context could tell them apart.
* **handle**: exactly ``@nike``, or with a separated suffix (``@nike_uk``, ``@nike.football``). A run-on
  handle such as ``@nikerunning`` is *not* matched: by rule it cannot be told apart from ``@dovecameron``
  (an actress, not Dove) or ``@applebees`` (not Apple). List such accounts as names of their own.
* **hashtag**: ``#nike``, ``#nikes``, and the disclosure forms ``#nikepartner``, ``#nikeambassador``.

Accented letters of a name also match their plain letter ("Oréal" matches "oreal"). Where two names
overlap ("Nike" and "Nike Running") the longer one wins. Scripts without spaces between words (Korean,
Japanese) only match where the name stands apart, e.g. as a hashtag.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["brand_mentions", "caption_texts", "check_names", "fold_lower", "scan", "Haystack"]

# İ ı ſ and the Kelvin sign: the only non-ASCII letters Python's case-insensitive regex takes for ASCII ones.
_FOLD_CHARS = "\u0130\u0131\u017f\u212a"
_FOLDS = str.maketrans(dict(zip(_FOLD_CHARS, "iisk")))
_FOLD_RE = re.compile(f"[{_FOLD_CHARS}]")


def fold_lower(text: str) -> str:
    """``text`` lower-cased after folding İ, ı, ſ and the Kelvin sign to ASCII, as :class:`Haystack` does.

    The result has the same length, and the same word, space and digit characters (``\\w``, ``\\s``,
    ``\\d``) at every offset; and an ASCII letter, or a letter of :mod:`recommender.brandfit.disclosures`, stands in it
    exactly where a case-insensitive regex takes the original character for that letter (not true of every
    letter: ``µ`` also takes ``μ``). So a case-sensitive regex of such lower-case literals decides on it as the
    case-insensitive one on ``text``, and much faster (checked over every code point in the tests).

    >>> fold_lower("İSTANBUL"), len("İSTANBUL".lower())
    ('istanbul', 9)
    """
    if text.isascii():  # no folding letter, and the fast lower-casing
        return text.lower()
    return (text.translate(_FOLDS) if _FOLD_RE.search(text) else text).lower()


def caption_texts(captions: Any, where: str) -> tuple[list[str], pd.Index]:
    """Captions as a list of str (missing values as "") and the index of the result.

    Shared by every function that takes captions, so that all accept the same inputs and reject the same
    ones; ``where`` names the calling function in the error message.
    """
    if isinstance(captions, str) or not hasattr(captions, "__len__"):
        raise ValueError(f"The 'captions' parameter of {where} must be a sequence of strings (a list, array or "
                         f"Series). Got {type(captions).__name__} instead.")
    if isinstance(captions, pd.Series):  # the catalog's column: convert in C, not caption by caption
        return captions.fillna("").astype(str).tolist(), captions.index
    return [c if isinstance(c, str) else "" for c in captions], pd.RangeIndex(len(captions))


def check_names(names: Any, param: str, where: str) -> tuple[str, ...]:
    """Brand names stripped of spaces and a leading @ or #, duplicates dropped; each must have a letter or digit.

    ``param`` and ``where`` name the parameter and the calling function in the error message.
    """
    if isinstance(names, str) or not isinstance(names, (Sequence, np.ndarray, pd.Series, pd.Index)):
        raise ValueError(f"The '{param}' parameter of {where} must be a sequence of non-empty strings. "
                         f"Got {names!r} instead.")
    out = []
    for name in names:
        if not isinstance(name, str) or not re.search(r"\w", name):
            raise ValueError(f"The '{param}' parameter of {where} must hold non-empty strings with a letter or "
                             f"digit. Got {name!r} instead.")
        out.append(name.strip().lstrip("@#").strip())
    return tuple(dict.fromkeys(out))


def _letters(token: str) -> str:
    """Regex of a name's token in which an accented Latin letter also matches its plain letter ("é" or "e")."""
    parts = []
    for char in token:
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        plain = len(base) == 1 and base.isascii() and base != char
        parts.append(f"[{re.escape(char)}{base}]" if plain else re.escape(char))
    return "".join(parts)


def _key(name: str) -> bytes:
    """The longest run of a name every mention holds byte for byte once ASCII letters are lower-cased.

    Its characters are ASCII letters and digits or letters of caseless scripts (Hangul, kana, CJK); ``b""``
    when the name has none (every caption is then searched with the full regex).
    """
    runs, run = [], ""
    for char in name.lower():
        if char.isalnum() and (char.isascii() or char.lower() == char.upper()):
            run += char
        else:
            runs.append(run)
            run = ""
    return max([*runs, run], key=len).encode()


def _brand_pattern(name: str) -> str:
    """The three forms (handle, hashtag, plain word) of one brand name as one regex."""
    pieces = re.split(r"(\w+)", name.lower())  # separators at even positions, tokens at odd ones
    tokens = [_letters(t) for t in pieces[1::2]]
    plain = tokens[0]
    for sep, token in zip(pieces[2::2], tokens[1:]):
        loose = sep.strip(" -'’.") == ""  # spaces, hyphens, apostrophes, dots may go: "cocacola", "loreal"
        plain += (r"[\s\-'’.]*" if loose else rf"\s*{re.escape(sep.strip())}\s*") + token  # "H&M" keeps its "&"
    squashed = "[._]?".join(tokens)
    return (rf"(?<![\w@#&])(?:@{squashed}(?:[._][\w.]*)?(?![\w.])|#{squashed}(?:s|partner|ambassador)?(?!\w))"
            rf"|(?<![\w@#]){plain}(?:['’]s|s|es)?(?!\w)")  # an e-mail "me@nike.com" is no handle


@lru_cache(maxsize=64)
def _brands_regex(names: tuple[str, ...]) -> re.Pattern[str]:
    """One regex with a named group ``b<i>`` per brand of ``names``, longest names tried first."""
    order = sorted(range(len(names)), key=lambda i: -len(names[i]))
    return re.compile("|".join(f"(?P<b{i}>{_brand_pattern(names[i])})" for i in order), re.I)


def scan(texts: list[str], names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Every mention of ``names`` in ``texts``: caption rows, brand positions in ``names``, start offsets
    within each caption and the matched texts.

    The case-insensitive regex is slow over thousands of captions, so a byte search for each name's
    :func:`_key` over all captions at once (ASCII-lower-cased) first picks the captions that can match.
    """
    rows: list[int] = []
    brand: list[int] = []
    start: list[int] = []
    found: list[str] = []
    if names and texts:
        regex = _brands_regex(names)
        for row in _candidates(texts, names):
            for m in regex.finditer(texts[row]):
                rows.append(row)
                brand.append(int(m.lastgroup[1:]))
                start.append(m.start())
                found.append(m.group(0))
    return np.array(rows, np.int64), np.array(brand, np.int64), np.array(start, np.int64), found


class Haystack:
    """All captions as one ASCII-lower-cased byte string, to find which captions hold a key in one C search.

    ``rows(key)`` is exact for keys of ASCII letters and digits or caseless letters (Hangul, kana, CJK):
    the case-insensitive regexes match nothing else to them once İ, ı, ſ and the Kelvin sign are folded.
    ``usable`` is False when a caption holds a NUL character, which would break the row boundaries.

    Attributes
    ----------
    data : bytes
        The captions joined by NUL, İ ı ſ and the Kelvin sign folded to ASCII, UTF-8, ASCII letters lower-cased.
    ends : ndarray of int64
        Offsets in ``data`` of the NUL after each caption but the last: ``searchsorted(ends, at)`` is the
        caption holding offset ``at``.
    usable : bool
    """

    def __init__(self, texts: list[str]) -> None:
        joined = "\x00".join(texts)
        if any(char in joined for char in _FOLD_CHARS):  # rare: a letter the regex takes for an ASCII one
            joined = joined.translate(_FOLDS)
        self.data = joined.encode().lower()  # bytes.lower() changes ASCII letters only
        self.ends = np.flatnonzero(np.frombuffer(self.data, np.uint8) == 0)
        self.usable = len(self.ends) == len(texts) - 1

    def rows(self, key: bytes) -> np.ndarray:
        """Sorted distinct rows of the captions that hold ``key``."""
        hits = []
        at = self.data.find(key)
        while at >= 0:
            hits.append(at)
            at = self.data.find(key, at + 1)
        return np.unique(np.searchsorted(self.ends, np.array(hits, np.int64)))


def _candidates(texts: list[str], names: tuple[str, ...]) -> list[int]:
    """Rows of the captions that hold the key of at least one name, in order."""
    keys = [_key(name) for name in names]
    haystack = Haystack(texts)
    if not all(keys) or not haystack.usable:  # a name without a key, or a caption holding NUL
        return list(range(len(texts)))
    return np.unique(np.concatenate([haystack.rows(key) for key in keys])).tolist()


def brand_mentions(captions: Sequence[str] | pd.Series, brands: Sequence[str]) -> pd.Series:
    """Which of ``brands`` each caption mentions (plain name, ``@handle`` or ``#hashtag``; see the module notes).

    Parameters
    ----------
    captions : sequence of str or Series
        Missing values count as empty.
    brands : sequence of str
        Brand names or handles; a leading ``@`` or ``#`` is dropped.

    Returns
    -------
    Series
        One tuple of brand names per caption (as given, stripped of a leading @ or #), in order of first
        mention, ``()`` for none; indexed like ``captions`` when it is a Series, else 0..n-1.

    Examples
    --------
    >>> brand_mentions(["Nike's new drop @nike_uk", "Nikelodeon marathon", "#adidas or #nike?"],
    ...                ["Nike", "Adidas"]).tolist()
    [('Nike',), (), ('Adidas', 'Nike')]
    """
    names = check_names(brands, "brands", "brand_mentions")
    texts, index = caption_texts(captions, "brand_mentions")
    rows, brand, _, _ = scan(texts, names)
    found: list[list[str]] = [[] for _ in texts]
    for row, b in zip(rows.tolist(), brand.tolist()):
        if names[b] not in found[row]:
            found[row].append(names[b])
    return pd.Series([tuple(f) for f in found], index=index, name="brands", dtype=object)
