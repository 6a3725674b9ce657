"""Fast search for disclosures: which captions of a batch can hold one, and the phrases within a caption.

:func:`recommender.brandfit.sponsorship.detect_sponsored` reads a caption with the regular expressions of
:mod:`recommender.brandfit.disclosures`. Python's case-insensitive expressions try every character of a caption, tens of
microseconds per caption, while about nine captions in ten hold no disclosure at all. This module picks, for a
whole batch, the captions that can hold one, so that only those are read:

* one NumPy pass over the batch's bytes (:class:`~recommender.brandfit.mentions.Haystack`, ASCII letters lower-cased)
  finds every occurrence of a fixed set of byte strings (:class:`NeedleIndex`): the keywords of the phrases,
  the disclosure hashtags, the label words and the brackets;
* checks on those occurrences keep a hashtag only where the tag ends, and a label word only near the start of
  a line.

Each flag follows from the rule it stands for: a caption that a rule can match is always flagged (the flags
may be wrong the other way, never this way), so reading flagged captions only changes no result. Where the
haystack keeps bytes that differ by case (``É`` and ``é``), a needle stops before them and counts as a prefix.
The phrases tried per caption are exactly those whose keyword it holds, as before.

Within a caption, a phrase's case-insensitive regex is tried only where a case-sensitive one for the
lower-cased caption (:data:`PHRASE_HINTS`, :func:`~recommender.brandfit.mentions.fold_lower`) says it can match
(:func:`hinted_finditer`): the same matches, without the case-insensitive scan of every character.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .disclosures import DISCLOSURE_TAGS, LABEL_WORDS, PHRASES
from .mentions import Haystack

__all__ = ["KEYWORD_PHRASES", "NeedleIndex", "DisclosureCandidates", "find_candidates", "lowered_pattern",
           "PHRASE_HINTS", "hinted_finditer"]

KEYWORD_PHRASES: dict[str, tuple[int, ...]] = {
    k: tuple(i for i, (_, keys, _) in enumerate(PHRASES) if k in keys)
    for k in dict.fromkeys(k for _, keys, _ in PHRASES for k in keys)
}
"""Each keyword of :data:`~recommender.brandfit.disclosures.PHRASES` and the positions of the phrases that need it."""

# Bytes from the most common in captions to the least ("#": hashtags are everywhere); a needle is looked up by
# its trigram of rarest bytes, so that few offsets need checking. Any other byte counts as rarer than these.
_COMMON = b" e#taoinsrhldcumwfgypbvkjxqz"
_WORD = np.zeros(256, bool)  # the bytes of ASCII \w characters in a lower-cased haystack
_WORD[list(b"abcdefghijklmnopqrstuvwxyz0123456789_")] = True
_LEAD = 24  # bytes before a leading label: at most 6 non-word characters of at most 4 bytes each
_BRACKETS = "([{*【「"  # the opening marks of a label in brackets


def _rarity(gram: bytes) -> int:
    return sum(_COMMON.find(b) if b in _COMMON else len(_COMMON) for b in gram)


class NeedleIndex:
    """Every occurrence of a fixed set of byte strings in a byte string, found with one NumPy pass.

    Each needle is looked up by one of its trigrams (the one of the rarest bytes; a needle shorter than three
    bytes by its bytes alone): a table of all byte pairs says which pairs start a looked-up trigram and a
    small one which third bytes end it, both small enough to stay in the processor's cache (a table of all
    trigrams would not, and costs more on small batches). Every hit is checked against the whole needle, so
    the result is exact: the offsets a ``bytes.find`` loop returns.

    Parameters
    ----------
    needles : sequence of bytes
        Non-empty byte strings without NUL (the separator of a :class:`~recommender.brandfit.mentions.Haystack`).
        Duplicates are allowed; each is reported under its own position.

    Attributes
    ----------
    needles : tuple of bytes
    lengths : ndarray of int64
        The length of each needle.
    width : int
        The length of the longest needle.
    """

    def __init__(self, needles: Sequence[bytes]) -> None:
        bad = [n for n in needles if not isinstance(n, bytes) or not n or b"\x00" in n]
        if not needles or bad:
            raise ValueError("The 'needles' parameter of NeedleIndex must be a non-empty sequence of non-empty "
                             f"bytes without NUL. Got {bad[0] if bad else needles!r} instead.")
        self.needles = tuple(needles)
        self.width = max(map(len, self.needles))
        self.lengths = np.array([len(n) for n in self.needles], np.int64)
        self._bytes = np.zeros((len(self.needles), self.width), np.uint8)
        offset, code, size = [], [], []
        for i, needle in enumerate(self.needles):
            self._bytes[i, :len(needle)] = np.frombuffer(needle, np.uint8)
            at = max(range(max(1, len(needle) - 2)), key=lambda j: _rarity(needle[j:j + 3]))
            offset.append(at)
            code.append(int.from_bytes(needle[at:at + 3], "little"))
            size.append(min(3, len(needle)))
        self._offset, self._code, size = np.array(offset), np.array(code), np.array(size)
        # _pair: byte pair -> row of _third (-1: no trigram starts so), _third: that row's allowed third bytes;
        # row 0 allows all (a needle of one or two bytes), and a one-byte needle claims every pair it starts
        self._pair = np.full(1 << 16, -1, np.int16)
        rows: dict[int, np.ndarray] = {}
        for c, s in zip(code, size.tolist()):
            if s == 1:
                self._pair[c + (np.arange(256) << 8)] = 0
            elif s == 2 or self._pair[c & 0xFFFF] == 0:
                self._pair[c & 0xFFFF] = 0
            else:
                rows.setdefault(c & 0xFFFF, np.zeros(256, bool))[c >> 16] = True
        self._third = np.ones((len(rows) + 1, 256), bool)
        for i, (pair, third) in enumerate(rows.items(), 1):
            if self._pair[pair] != 0:
                self._pair[pair], self._third[i] = i, third
        full = np.flatnonzero(size == 3)
        self._sorted = full[np.argsort(self._code[full], kind="stable")]
        self._short = [(i, (1 << (8 * s)) - 1) for i, s in enumerate(size.tolist()) if s < 3]

    def find(self, data: bytes) -> tuple[np.ndarray, np.ndarray]:
        """Every occurrence of every needle in ``data``, in no particular order.

        Returns
        -------
        needle, start : ndarray of int64
            The needle's position in ``needles`` and the offset in ``data`` where the occurrence starts.
        """
        padded = data + bytes(self.width + 3)
        array = np.frombuffer(padded, np.uint8)
        pair = np.take(self._pair, np.ndarray((len(data),), "<u2", padded, 0, (1,)))  # the 2 bytes at each offset
        at = np.flatnonzero(pair >= 0)
        at = at[self._third[pair[at], array[at + 2]]]
        codes = array[at].astype(np.int64) | array[at + 1].astype(np.int64) << 8 | array[at + 2].astype(np.int64) << 16
        keys = self._code[self._sorted]
        lo = np.searchsorted(keys, codes, "left")
        count = np.searchsorted(keys, codes, "right") - lo
        hit = [np.repeat(np.arange(len(at)), count)]
        needle = [self._sorted[np.repeat(lo - np.cumsum(count) + count, count) + np.arange(count.sum())]]
        for i, mask in self._short:
            more = np.flatnonzero((codes & mask) == self._code[i])
            hit.append(more)
            needle.append(np.full(len(more), i))
        hits, needles = np.concatenate(hit), np.concatenate(needle).astype(np.int64)
        start = at[hits] - self._offset[needles]
        keep = start >= 0
        start, needles = start[keep], needles[keep]
        length = self.lengths[needles]
        ok = np.ones(len(start), bool)
        live = np.arange(len(start))
        for j in range(self.width):  # compare byte j of the occurrences still matching and not yet complete
            live = live[length[live] > j]
            bad = array[start[live] + j] != self._bytes[needles[live], j]
            ok[live[bad]] = False
            live = live[~bad]
        return needles[ok], start[ok]


@dataclass(frozen=True)
class DisclosureCandidates:
    """What each caption of a batch can hold (see the module notes).

    Attributes
    ----------
    phrases : list of frozenset of int
        Per caption, the positions in :data:`~recommender.brandfit.disclosures.PHRASES` of the phrases whose keyword
        it holds (every phrase when a caption holds NUL, which the byte search cannot take).
    tags, labels, brackets : ndarray of bool
        Per caption: may hold a disclosure hashtag; a label word near the start of a line; an opening
        bracket or asterisk.
    """

    phrases: list[frozenset[int]]
    tags: np.ndarray
    labels: np.ndarray
    brackets: np.ndarray

    @property
    def rows(self) -> np.ndarray:
        """Per caption, whether it may hold any signal."""
        return self.tags | self.labels | self.brackets | np.fromiter(map(bool, self.phrases), bool,
                                                                     len(self.phrases))


def _forms(word: str) -> list[tuple[str, bool]]:
    """Needles for a lower-case word whatever its case in a caption, each with whether it is the whole word.

    A haystack keeps non-ASCII letters as they are, so a needle stops before the first cased one (``é``,
    which may be ``É``), and before a space (the label regexes take any run of spaces); when that leaves less
    than two characters, the needles end with each case of that letter instead.
    """
    for i, char in enumerate(word):
        if char.isspace() or not (char.isascii() or char.lower() == char.upper()):
            if i >= 2 or char.isspace():
                return [(word[:i], False)]
            cases = dict.fromkeys(c for c in (char, char.upper(), char.title()) if c.lower() == char)
            return [(word[:i] + c, i + 1 == len(word)) for c in cases]
    return [(word, True)]


@lru_cache(maxsize=None)
def _phrase_set(mask: int) -> frozenset[int]:
    """The phrase positions whose bits ``mask`` sets (few distinct masks: one set each)."""
    return frozenset(i for i in range(mask.bit_length()) if mask >> i & 1)


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[NeedleIndex, np.ndarray, np.ndarray, list[int]]:
    """The index of every needle, each needle's kind (0 keyword, 1 tag, 2 label, 3 bracket), whether it
    is a whole tag (its end must be checked), and each keyword needle's phrases as bits."""
    needles: list[tuple[str, int, bool]] = [(k, 0, False) for k in KEYWORD_PHRASES]
    needles += [("#" + form, 1, whole) for tag in DISCLOSURE_TAGS for form, whole in _forms(tag)]
    needles += [(suffix, 1, False) for suffix in ("partner", "ambassador")]  # #walmartpartner, #xambassador
    labels = {form for word in LABEL_WORDS for form, _ in _forms(word)}  # "ad" stands for "ads", "advert", ...
    needles += [(form, 2, False) for form in sorted(labels) if not any(form.startswith(o) for o in labels - {form})]
    needles += [(bracket, 3, False) for bracket in _BRACKETS]
    unique = list(dict.fromkeys(needles))
    index = NeedleIndex([text.encode() for text, _, _ in unique])
    kind = np.array([k for _, k, _ in unique])
    whole = np.array([w for _, _, w in unique])
    return index, kind, whole, [sum(1 << i for i in set(ids)) for ids in KEYWORD_PHRASES.values()]


def find_candidates(texts: list[str]) -> DisclosureCandidates:
    """What each caption can hold: the phrases to try and whether to look for tags, labels and brackets.

    Parameters
    ----------
    texts : list of str
        The captions (:func:`~recommender.brandfit.mentions.caption_texts`).

    Returns
    -------
    DisclosureCandidates
    """
    n = len(texts)
    haystack = Haystack(texts)
    if not haystack.usable:  # a caption holds NUL (rare), or there is none: each may hold anything
        every = np.ones(n, bool)
        return DisclosureCandidates([frozenset(range(len(PHRASES)))] * n, every, every, every)
    index, kind, whole, keyword_bits = _vocabulary()
    needle, start = index.find(haystack.data)
    row = np.searchsorted(haystack.ends, start)
    array = np.frombuffer(haystack.data, np.uint8)
    found = [np.zeros(n, bool) for _ in range(3)]
    is_key = kind[needle] == 0
    bits: dict[int, int] = {}
    for r, k in zip(row[is_key].tolist(), needle[is_key].tolist()):
        bits[r] = bits.get(r, 0) | keyword_bits[k]
    phrases = [frozenset()] * n
    for r, mask in bits.items():
        phrases[r] = _phrase_set(mask)
    tag = kind[needle] == 1  # a whole tag counts where it ends: "#ad" in "#ad," but not in "#adventure"
    after = start[tag] + index.lengths[needle[tag]]
    tag[tag] = ~(whole[needle[tag]] & (after < len(array)) & _WORD[array[np.minimum(after, len(array) - 1)]])
    found[0][row[tag]] = True
    label = np.flatnonzero(kind[needle] == 2)
    newlines = np.concatenate([[-1], np.flatnonzero(array == ord("\n"))])  # -1: none before the first
    row_starts = np.concatenate([[0], haystack.ends + 1])
    near = _near_line_start(array, start[label], row_starts[row[label]], newlines)
    found[1][row[label[near]]] = True
    found[2][row[kind[needle] == 3]] = True
    return DisclosureCandidates(phrases, *found)


def _near_line_start(array: np.ndarray, at: np.ndarray, row_start: np.ndarray, newlines: np.ndarray) -> np.ndarray:
    """For each offset, whether at most :data:`_LEAD` bytes, none of an ASCII word character, lie between
    it and the start of its line (a leading label: ``^[^\\w\\n]{0,6}`` before the label word).

    ``row_start`` is the offset where each offset's caption starts, ``newlines`` -1 and then the sorted offsets
    of "\\n".
    """
    line = np.maximum(row_start, newlines[np.searchsorted(newlines, at) - 1] + 1)
    near = np.flatnonzero(at - line <= _LEAD)  # most label words ("ad" in "made") are far into a line
    before = at[near, None] - _LEAD + np.arange(_LEAD)
    word = _WORD[array[np.maximum(before, 0)]] & (before >= line[near, None])
    out = np.zeros(len(at), bool)
    out[near] = ~word.any(axis=1)
    return out


def _group_end(pattern: str) -> int:
    """The offset just after the group that opens ``pattern`` (escapes and ``[...]`` sets skipped)."""
    depth, at = 0, 0
    while True:
        char = pattern[at]
        if char == "\\":
            at += 1
        elif char == "[":  # a "]" first in a set ("[]a]", "[^]a]") is a literal
            at += 1 + (pattern[at + 1] == "^")
            at += pattern[at] == "]"
            while pattern[at] != "]":
                at += 2 if pattern[at] == "\\" else 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return at + 1
        at += 1


def lowered_pattern(pattern: str, *, drop_lookbehind: bool = False) -> str:
    """A case-sensitive regex for :func:`~recommender.brandfit.mentions.fold_lower` text from a case-insensitive one.

    Literals are lower-cased (escapes kept) and case-sensitive groups ``(?-i:...)`` opened (their ``[A-Z]``
    becomes ``[a-z]``). For the vocabulary's letters the result matches at exactly the offsets where
    ``pattern`` matches the original text, and at more only through an opened group (a discount code need
    not be upper-case any more). With ``drop_lookbehind`` a look-behind that opens the pattern is dropped
    too, which also only adds offsets, and lets the regex engine skip to the first literal.
    """
    lowered = re.sub(r"\\.|[^\\]+", lambda m: m.group() if m.group()[0] == "\\" else m.group().lower(), pattern)
    lowered = lowered.replace("(?-i:", "(?:")
    if drop_lookbehind and lowered.startswith(("(?<!", "(?<=")):
        lowered = lowered[_group_end(lowered):]
    return lowered


PHRASE_HINTS: tuple[re.Pattern[str], ...] = tuple(re.compile(lowered_pattern(pattern, drop_lookbehind=True))
                                                  for _, _, pattern in PHRASES)
"""Per phrase of :data:`~recommender.brandfit.disclosures.PHRASES`, a regex that matches the lower-cased caption at
least wherever the phrase matches the caption (:func:`lowered_pattern`)."""


def hinted_finditer(regex: re.Pattern[str], hint: re.Pattern[str], text: str, low: str) -> Iterator[re.Match[str]]:
    """The matches of ``regex.finditer(text)``, with ``regex`` tried only where ``hint`` matches ``low``.

    ``hint`` must match ``low`` (``fold_lower(text)``) at every offset where ``regex`` matches ``text``, and
    ``regex`` must never match the empty string; then this is ``finditer``: each match is the leftmost one
    from the end of the last, since the offsets in between hold no hint and so no match.
    """
    at = 0
    while (found := hint.search(low, at)) is not None:
        match = regex.match(text, found.start())
        if match is None:
            at = found.start() + 1
        else:
            yield match
            at = max(match.end(), found.start() + 1)
