"""Tests of recommender.brandfit.disclosure_scan: the fast paths of detect_sponsored give the results of the slow ones.

Each fast path is checked against the plain computation it replaces: the needle index against a ``bytes.find``
loop, the candidate filter against reading every caption, the hinted phrase search against ``finditer``, the
lower-cased negation regex against the case-insensitive one, on the labelled posts and on captions made from
the vocabulary with random case, look-alike letters (İ ı ſ K), odd spaces and line breaks.
"""

from __future__ import annotations

import random
import re
import sys

import numpy as np
import pandas as pd
import pytest

from recommender.brandfit.disclosure_scan import (
    KEYWORD_PHRASES,
    PHRASE_HINTS,
    NeedleIndex,
    find_candidates,
    hinted_finditer,
    lowered_pattern,
)
from recommender.brandfit.disclosures import DISCLOSURE_TAGS, EXCLUDED_TAGS, LABEL_WORDS, NEGATIONS, PHRASES
from recommender.brandfit.mentions import fold_lower
from recommender.brandfit.sponsorship import detect_sponsored

from ..conftest import DATA

LABELS = DATA / "sponsorship" / "labels.csv"
FRAGMENTS = ([example for example, _, _ in PHRASES] + [k for _, keys, _ in PHRASES for k in keys]
             + ["#" + t for t in [*DISCLOSURE_TAGS, *EXCLUDED_TAGS]] + list(LABEL_WORDS)
             + ["(ad)", "[Werbung]", "【PR】", "*ad*", "AD |", "Anzeige:", "ad -", "ads| @x", "not", "isn't", "no es",
                "keine", "협찬 아님", "#walmartpartner", "#lifepartner", "@glowco", "code MAYA10", "10 % OFF",
                "link in bio", "made", "bad", "#adventure", "#adidas", "İ", "ı", "ſ", "\u212a", "É", "Ó", "\u00a0",
                "🔥", "\n", " - ", "—", "/", ":", "|", "(", ")", "*", "#", "'", "’", "“", ".", "box", "partner", "thank",
                "%"])
FILLER = ["the", "my", "new", "love", "this", "serum", "day", "with", "you", "for", "made", "read", "adorable",
          "ad-free", "#sp", "#gift", "#pub", "#promo", "#adhd", "#paidoff", "#partners", "#gympartner", "50%", "bio",
          "c/o me", "pr", "press", "kindly", "code", "box", "thank", "partner", "paid", "haul", "sample", "werbungs",
          "(", "*", ":", "\n"]


def made_up_captions(n: int, seed: int) -> list[str]:
    """Captions of vocabulary fragments and filler, many of them near misses, in random case."""
    rng = random.Random(seed)

    def case(text: str) -> str:
        r = rng.random()
        return (text.upper() if r < 0.2 else text.title() if r < 0.3 else
                "".join(c.upper() if rng.random() < 0.3 else c for c in text) if r < 0.45 else text)

    seps = [" ", " ", " ", "", "\n", "\u00a0", "\t", ": "]
    return ["".join(case(rng.choice(FRAGMENTS if rng.random() < 0.1 else FILLER)) + rng.choice(seps)
                    for _ in range(rng.randint(1, 14))) for _ in range(n)]


@pytest.fixture(scope="module")
def captions() -> list[str]:
    return pd.read_csv(LABELS)["text"].tolist() + made_up_captions(1500, seed=0)


# ------------------------------------------------------------------ needle index
def test_needle_index_finds_what_a_find_loop_finds():
    rng = np.random.default_rng(0)
    data = bytes(rng.choice(list(b"abc#\n"), 5000).tolist()) + b"abca"
    needles = [b"a", b"ab", b"abc", b"abca", b"cab", b"c#a", b"abc", b"#", b"bcabcab", b"zz"]
    found = set(zip(*(a.tolist() for a in NeedleIndex(needles).find(data))))
    expected = set()
    for i, needle in enumerate(needles):
        at = data.find(needle)
        while at >= 0:
            expected.add((i, at))
            at = data.find(needle, at + 1)
    assert found == expected
    assert NeedleIndex(needles).find(b"")[0].size == 0


@pytest.mark.parametrize("needles", [[], [b""], [b"a\x00b"], ["ad"]])
def test_needle_index_rejects_empty_nul_or_str_needles(needles):
    with pytest.raises(ValueError, match=r"The 'needles' parameter of NeedleIndex must be a non-empty sequence"):
        NeedleIndex(needles)


# ------------------------------------------------------------------ candidate captions
def test_reading_only_candidate_captions_changes_no_result(captions):
    """A batch holding a NUL caption cannot be scanned, so every caption is read by every rule: the oracle."""
    batches = [captions, captions[:1], captions[5:8], ["#ad"], ["made it\nAd: @x"], ["", "(ad)"], ["a #ad b"]]
    for batch in batches:
        flags = [i % 3 == 0 for i in range(len(batch))]
        fast = detect_sponsored(batch, flags)
        slow = detect_sponsored(batch + ["\x00"], flags + [False]).iloc[:-1]
        pd.testing.assert_frame_equal(fast, slow)
    whole = detect_sponsored(captions)
    assert whole["sponsored"].sum() > 300 and (~whole["sponsored"]).sum() > 300  # both kinds are tested
    assert detect_sponsored(["a\x00b #ad"])["signal"].tolist() == ["hashtag #ad"]


def test_candidates_follow_the_rules():
    texts = ["Loving it #AD", "the #adventure", "#İşbirliği", "✨ Werbung | x", "I made it", "note (ad)",
             "use my CODE now", "", "#WalmartPartner haul"]
    can = find_candidates(texts)
    assert can.tags.tolist() == [True, False, True, False, False, False, False, False, True]
    assert can.labels.tolist() == [False, False, False, True, False, False, False, False, False]
    assert can.brackets.tolist() == [False, False, False, False, False, True, False, False, False]
    assert can.phrases[6] == set(KEYWORD_PHRASES["code"]) and can.phrases[4] == set()
    assert can.rows.tolist() == [True, False, True, True, False, True, True, False, True]
    held = find_candidates(["a\x00b", "plain"])  # NUL breaks the byte search: every caption may hold anything
    assert held.rows.all() and held.phrases[1] == set(range(len(PHRASES)))


# ------------------------------------------------------------------ lower-cased regexes
def test_lowered_pattern_lowers_literals_but_not_escapes():
    assert lowered_pattern(r"\S+\WPR(?-i:[A-Z]\d)") == r"\S+\Wpr(?:[a-z]\d)"
    assert lowered_pattern(r"(?<![\w)-])Ads?", drop_lookbehind=True) == "ads?"
    assert lowered_pattern(r"(?<!\w)x|y") == r"(?<!\w)x|y"


def test_hinted_search_finds_what_finditer_finds(captions):
    texts = captions + [c.upper() for c in captions[:300]]
    for i, (_, _, pattern) in enumerate(PHRASES):
        regex = re.compile(pattern, re.I)
        assert regex.match("") is None  # hinted_finditer needs a regex that matches something
        for text in texts:
            low = fold_lower(text)
            assert [m.span() for m in hinted_finditer(regex, PHRASE_HINTS[i], text, low)] == \
                   [m.span() for m in regex.finditer(text)], (i, text)


def test_lowered_negations_decide_as_the_case_insensitive_ones(captions):
    exact, lowered = re.compile(NEGATIONS, re.I), re.compile(lowered_pattern(NEGATIONS))
    windows = [t[max(0, j - 24):j] for t in captions for j in range(0, len(t), 7)]
    windows += ["NOT ", "Isn’T A ", "KEIN ", "Keinerlei \"", "nİcht ", "nıcht ", "paſ ", "i\u212aKE ", "NICHT\n",
                "no\u00a0"]
    words = ("not", "isn't", "no", "never", "nicht", "keine", "nunca", "pas", "niet", "inte", "ikke", "nie", "sin",
             "non", "snot", "know")
    windows += [f"it is {case(w)} {f}" for w in words for f in ("", "a ", "Really ", "(", "xyz ")
                for case in (str.lower, str.upper, str.title)]
    decided = [bool(exact.search(w)) for w in windows]
    assert decided == [bool(lowered.search(fold_lower(w))) for w in windows]
    assert sum(decided) > 50


def test_fold_lower_keeps_offsets_classes_and_vocabulary_letters():
    every = "".join(chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i <= 0xDFFF)
    low = fold_lower(every)
    assert len(low) == len(every)
    for cls in (r"\w", r"\s", r"\d"):
        assert [m.start() for m in re.finditer(cls, every)] == [m.start() for m in re.finditer(cls, low)], cls
    vocabulary = "".join(p for _, _, p in PHRASES) + NEGATIONS + "".join(LABEL_WORDS) + "".join(DISCLOSURE_TAGS)
    letters = {c.lower() for c in vocabulary if c.isalpha()} | set("abcdefghijklmnopqrstuvwxyz")
    for letter in sorted(letters):  # where the case-insensitive regex takes a character for the letter
        assert [m.start() for m in re.finditer(re.escape(letter), every, re.I)] == \
               [m.start() for m in re.finditer(re.escape(letter), low)], letter


def test_every_character_that_lower_cases_to_a_tag_letter_is_a_case_the_needles_know():
    # find_candidates looks for each tag in the haystack, where ASCII letters are lower-cased and others kept:
    # the needles write out the cases of a tag's first non-ASCII letters, or stop before them.
    letters = {c for tag in DISCLOSURE_TAGS for c in tag if not c.isascii()}
    preimage: dict[str, set[str]] = {}
    for i in range(sys.maxunicode + 1):
        lower = chr(i).lower()
        if lower in letters:
            preimage.setdefault(lower, set()).add(chr(i))
    for letter in letters:
        assert preimage[letter] <= {letter, letter.upper(), letter.title()}, letter
