"""Sponsored posts and competitor conflicts, from captions and the catalog's paid-partnership field.

A brand must not book a creator who promoted a competitor a few weeks ago, and wants to know how much of a
creator's feed is paid. This module answers both with pure functions over arrays (captions, dates, each
post's creator as an integer position), so they run over a whole catalog once or over a shortlist per brief.

Sponsored posts (:func:`detect_sponsored`)
    A post is sponsored when the catalog's ``is_sponsored`` field says so (the platform's paid-partnership
    label), or its caption carries a disclosure: a hashtag (``#ad``, ``#anzeige``, ``#광고``), a label word in
    brackets or first in the caption (``(ad)``, ``Anzeige | ...``) or a phrase ("in partnership with",
    "use my code MAYA10", "gifted by @brand", "en colaboración con"). The vocabulary, and why each item
    counts or is left out (``#sp``, ``#giveaway``), is in :mod:`recommender.brandfit.disclosures`. A disclosure just
    after a negation ("not sponsored", "협찬 아님") does not count. The field only adds: a False field (the
    catalog's default when the column is missing) never hides a caption's ``#ad``. Most captions hold no
    disclosure, so a batch is first searched as a whole for the captions that can
    (:mod:`recommender.brandfit.disclosure_scan`), and only those are read rule by rule; the results are the same.
Brand mentions (:func:`~recommender.brandfit.mentions.brand_mentions`)
    Whole words, ``@handles`` and ``#hashtags``, case-insensitive; ``@nikerunning`` is not Nike.
Competitor conflicts (:func:`competitor_conflicts`)
    A post promotes a competitor when it is sponsored and mentions the competitor in any form, or when it
    tags the competitor's handle whether or not it is marked sponsored (tagging is how brands are credited,
    and undisclosed gifted posts are common). A plain-name or hashtag mention in an unsponsored post is not a
    promotion ("my old Nikes finally gave up"). A creator conflicts when such a post is at most
    ``conflict_days`` days before ``now``. A post without a date might be from yesterday, so it counts: the
    conservative choice for a brand, reported in ``undated`` and in the reason so that it can be checked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..util import check_int
from .disclosure_scan import PHRASE_HINTS, find_candidates, hinted_finditer, lowered_pattern
from .disclosures import DISCLOSURE_TAGS, LABEL_WORDS, NEGATIONS, PARTNER_TAG_EXCLUDED, PHRASES
from .mentions import caption_texts, check_names, fold_lower, scan

__all__ = ["detect_sponsored", "competitor_conflicts", "sponsored_share", "describe_conflict", "describe_share"]

_DAY_NS = 86_400 * 10**9
_NAT = np.iinfo(np.int64).min
# A whole tag: "#ad," and "#ad" at the end, never "#adventure". The look-behind comes after the "#" (the same
# matches) so that the regex engine jumps from "#" to "#" instead of trying every character; as in _HANDLE_RE.
_HASHTAG_RE = re.compile(r"#(?<![\w#&]#)(\w+)")
_LABELS = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(LABEL_WORDS, key=len, reverse=True))
_BRACKET_LABEL_RE = re.compile(rf"[(\[{{【「*]\s*(?:{_LABELS})\s*[)\]}}】」*]", re.I)
_LEADING_LABEL_RE = re.compile(rf"^[^\w\n]{{0,6}}(?:{_LABELS})(?:[^\S\n]*[|:–—/]|[^\S\n]+-\s)", re.I | re.M)
_PHRASE_RES = tuple(re.compile(pattern, re.I) for _, _, pattern in PHRASES)
_NEGATION_RE = re.compile(lowered_pattern(NEGATIONS))  # on fold_lower text: the same decisions, several x faster
_NEGATION_AFTER_RE = re.compile(r"\s*(?:아님|아닙|아니|じゃな|ではな)")
_HANDLE_RE = re.compile(r"@(?<![\w@]@)([A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)")
_TRAILING_HANDLES_RE = re.compile(r"\s*[:\-–]?\s*(@[\w.]+(?:\s*(?:,|&|\+|and|und|y|e|et|och|og|i)\s*@[\w.]+)*)",
                                  re.I)
_SPACE_RE = re.compile(r"\s+")
_SIGNAL_SPLIT_RE = re.compile(r"; (?=(?:field|hashtag|label|phrase|mentions) )")


def _clip(text: str, width: int = 50) -> str:
    """``text`` on one line, at most ``width`` characters (an ellipsis marks a cut)."""
    text = _SPACE_RE.sub(" ", text).strip()
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


def _negated(text: str, start: int, end: int) -> bool:
    """True when a negation stands just before the match ("not sponsored") or, in Korean/Japanese, after it."""
    before = fold_lower(text[max(0, start - 24):start])  # what the case-sensitive _NEGATION_RE reads
    return bool(_NEGATION_RE.search(before)) or bool(_NEGATION_AFTER_RE.match(text, end))


def _is_disclosure_tag(tag: str) -> bool:
    """True for a tag of the table or a brand form such as ``walmartpartner`` (``tag`` in lower case)."""
    if tag in DISCLOSURE_TAGS:
        return True
    brand = tag.removesuffix("partner") if tag.endswith("partner") else tag.removesuffix("ambassador")
    return brand != tag and len(brand) >= 2 and brand not in PARTNER_TAG_EXCLUDED


def _tag_signals(text: str) -> list[str]:
    """Disclosure hashtags of a caption, each unless a negation stands just before it."""
    tags = ((m, m.group(1).lower()) for m in _HASHTAG_RE.finditer(text))
    return [f"hashtag #{tag}" for m, tag in tags if _is_disclosure_tag(tag) and not _negated(text, m.start(), m.end())]


def _phrase_matches(text: str, candidates: frozenset[int]) -> list[re.Match[str]]:
    """Phrase matches of a caption, left to right, without overlaps (the earliest, then longest, wins)."""
    low = fold_lower(text) if candidates else text
    matches = [m for i in sorted(candidates) for m in hinted_finditer(_PHRASE_RES[i], PHRASE_HINTS[i], text, low)]
    kept: list[re.Match[str]] = []
    for m in sorted(matches, key=lambda m: (m.start(), -m.end())):
        if (not kept or m.start() >= kept[-1].end()) and not _negated(text, m.start(), m.end()):
            kept.append(m)
    return kept


def _caption_signals(text: str, phrases: frozenset[int], *, tags: bool, labels: bool,
                     brackets: bool) -> tuple[list[str], list[str]]:
    """Disclosure signals of one caption (hashtags, labels, phrases, in that order) and the credited handles.

    ``phrases`` are the positions in PHRASES of the phrases the caption can match; ``tags``, ``labels`` and
    ``brackets`` say whether it may hold a hashtag, a leading label or a bracketed one
    (:func:`~recommender.brandfit.disclosure_scan.find_candidates`): the others are not looked for.
    """
    if not text:
        return [], []
    signals = _tag_signals(text) if tags and "#" in text else []
    found = list(_LEADING_LABEL_RE.finditer(text)) if labels else []
    if brackets:
        found += list(_BRACKET_LABEL_RE.finditer(text))
    signals += [f'label "{_clip(m.group(0).strip())}"' for m in found if not _negated(text, m.start(), m.end())]
    credited: list[str] = []
    for m in _phrase_matches(text, phrases):
        trailing = _TRAILING_HANDLES_RE.match(text, m.end())
        quoted = m.group(0) + (trailing.group(0) if trailing else "")
        signals.append(f'phrase "{_clip(quoted)}"')
        credited.extend("@" + h.lower() for h in _HANDLE_RE.findall(quoted))
    return list(dict.fromkeys(signals)), list(dict.fromkeys(credited))


def _check_length(values: Any, name: str, n: int, where: str) -> None:
    """Raise unless ``values`` is one-dimensional with one value per caption."""
    shape = values.shape if hasattr(values, "shape") else np.shape(values)
    if len(shape) != 1 or shape[0] != n:
        raise ValueError(f"The '{name}' parameter of {where} must hold one value per caption ({n}). "
                         f"Got shape {shape} instead.")


def _field(is_sponsored: Any, n: int) -> np.ndarray:
    """The catalog's ``is_sponsored`` column as a bool array with unknown (NA) as False."""
    if is_sponsored is None:
        return np.zeros(n, dtype=bool)
    _check_length(is_sponsored, "is_sponsored", n, "detect_sponsored")
    if getattr(is_sponsored, "dtype", None) == bool:  # the catalog's parsed column
        return np.asarray(is_sponsored, dtype=bool)
    values = list(is_sponsored)
    bad = [v for v in values if not isinstance(v, (bool, np.bool_)) and not (v is None or v is pd.NA or v != v)]
    if bad:
        raise ValueError("The 'is_sponsored' parameter of detect_sponsored must hold booleans or missing values "
                         f"(parse the column with recommender.load_catalog first). Got {bad[0]!r} instead.")
    return np.array([v is True or v is np.True_ for v in values], dtype=bool)


def detect_sponsored(captions: Sequence[str] | pd.Series, is_sponsored: Sequence[Any] | None = None) -> pd.DataFrame:
    """Tell, per post, whether it is sponsored and by which signal.

    Parameters
    ----------
    captions : sequence of str or Series
        One caption per post; missing values count as empty.
    is_sponsored : sequence of bool or NA, optional
        The catalog's paid-partnership field (``posts["is_sponsored"]``); True marks the post sponsored,
        False or NA leaves the decision to the caption.

    Returns
    -------
    DataFrame
        One row per caption (the Series' index, else 0..n-1): ``sponsored`` (bool); ``signal`` (str, every
        signal found joined by ``"; "``, field first, then hashtags, labels and phrases, e.g. ``'hashtag #ad;
        phrase "in partnership with @glowco"'``; ``""`` when none); ``sponsors`` (tuple of lower-case
        handles: those a disclosure phrase credits, else, for a sponsored post, every handle it tags).

    Examples
    --------
    >>> detect_sponsored(["New serum day (ad)", "#adventure time", "Use my code MAYA10 at @glowco"]).signal.tolist()
    ['label "(ad)"', '', 'phrase "Use my code MAYA10"']
    """
    texts, index = caption_texts(captions, "detect_sponsored")
    field = _field(is_sponsored, len(texts))
    can = find_candidates(texts)  # most captions hold no signal: read only those that can
    tags, labels, brackets = can.tags.tolist(), can.labels.tolist(), can.brackets.tolist()
    signals: list[str] = [""] * len(texts)
    sponsors: list[tuple[str, ...]] = [()] * len(texts)
    for row in np.flatnonzero(field | can.rows).tolist():
        text = texts[row]
        found, credited = _caption_signals(text, can.phrases[row], tags=tags[row], labels=labels[row],
                                           brackets=brackets[row])
        if field[row]:
            found.insert(0, "field is_sponsored")
        if found and not credited:
            credited = list(dict.fromkeys("@" + h.lower() for h in _HANDLE_RE.findall(text)))
        signals[row] = "; ".join(found)
        sponsors[row] = tuple(credited) if found else ()
    sponsored = np.array([bool(s) for s in signals], dtype=bool)
    return pd.DataFrame({"sponsored": sponsored, "signal": signals, "sponsors": sponsors}, index=index)


def _nanoseconds(posted_at: Any, n: int, where: str) -> np.ndarray:
    """Post dates as int64 UTC nanoseconds (naive ones read as UTC); unknown or unreadable dates as NaT."""
    if posted_at is None:
        return np.full(n, _NAT, dtype=np.int64)
    _check_length(posted_at, "posted_at", n, where)
    dates = posted_at if isinstance(getattr(posted_at, "dtype", None), pd.DatetimeTZDtype) else pd.to_datetime(
        pd.Series(posted_at, copy=False), utc=True, errors="coerce")  # the catalog's column needs no parsing
    return pd.DatetimeIndex(dates).as_unit("ns").asi8


def _now_ns(now: Any, where: str) -> int:
    try:
        stamp = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if stamp is pd.NaT:
        raise ValueError(f"The 'now' parameter of {where} must be a date-time (str, datetime or Timestamp) or None. "
                         f"Got {now!r} instead.")
    return (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp).as_unit("ns").value


def _owner(owner: Any, n: int, n_creators: int, where: str) -> np.ndarray:
    _check_length(owner, "owner", n, where)
    codes = np.asarray(owner)
    if n and (not np.issubdtype(codes.dtype, np.integer) or codes.min() < 0 or codes.max() >= n_creators):
        raise ValueError(f"The 'owner' parameter of {where} must hold integer creator positions in [0, "
                         f"{n_creators}). Got {codes.dtype} values from {codes.min()} to {codes.max()} instead.")
    return codes.astype(np.int64, copy=False)


def _flags(sponsored: Any, n: int, where: str) -> tuple[np.ndarray, list[str] | None]:
    """The per-post sponsored flags (and signals when given the frame of :func:`detect_sponsored`)."""
    signals = None
    if isinstance(sponsored, pd.DataFrame):
        if "sponsored" not in sponsored.columns:
            raise ValueError(f"The 'sponsored' parameter of {where} must be a bool array or the frame of "
                             f"detect_sponsored. Got a frame with columns {list(sponsored.columns)} instead.")
        signals = sponsored["signal"].tolist() if "signal" in sponsored.columns else None
        sponsored = sponsored["sponsored"]
    _check_length(sponsored, "sponsored", n, where)
    flags = np.asarray(sponsored)
    if flags.dtype != bool and not (np.issubdtype(flags.dtype, np.integer) and np.isin(flags, (0, 1)).all()):
        raise ValueError(f"The 'sponsored' parameter of {where} must hold booleans. Got {flags.dtype} instead.")
    return flags.astype(bool, copy=False), signals


def describe_conflict(competitor: str, days_ago: int | None, snippet: str, signal: str) -> str:
    """Short reason for a conflict, e.g. ``promoted competitor Nike 34 days ago ("thanks @nike ...", hashtag #ad)``.

    ``days_ago`` None means the post has no date.
    """
    when = ("on an unknown date" if days_ago is None else "today" if days_ago <= 0
            else "1 day ago" if days_ago == 1 else f"{days_ago} days ago")
    return f'promoted competitor {competitor} {when} ("{_clip(snippet, 40)}", {signal})'


def describe_share(n_sponsored: int, n_posts: int) -> str:
    """Short reason for a sponsored share, e.g. ``sponsored 3 of 12 posts (25%)``; ``no posts`` for none."""
    return "no posts" if n_posts == 0 else f"sponsored {n_sponsored} of {n_posts} posts ({n_sponsored / n_posts:.0%})"


def sponsored_share(sponsored: Any, owner: Any, n_creators: int) -> pd.DataFrame:
    """Share of each creator's posts that are sponsored.

    Parameters
    ----------
    sponsored : bool array or DataFrame
        Per post, e.g. ``detect_sponsored(...)`` or its ``sponsored`` column.
    owner : int array
        Per post, the creator's position in [0, n_creators).
    n_creators : int

    Returns
    -------
    DataFrame
        One row per creator position: ``n_posts``, ``n_sponsored``, ``sponsored_share`` (NaN without posts)
        and ``reason`` (:func:`describe_share`).

    Examples
    --------
    >>> sponsored_share([True, False, False, True], [0, 0, 0, 1], 3)["reason"].tolist()
    ['sponsored 1 of 3 posts (33%)', 'sponsored 1 of 1 posts (100%)', 'no posts']
    """
    n_creators = check_int(n_creators, "n_creators", "sponsored_share", minimum=0)
    flags, _ = _flags(sponsored, len(np.asarray(owner)), "sponsored_share")
    codes = _owner(owner, len(flags), n_creators, "sponsored_share")
    posts = np.bincount(codes, minlength=n_creators)
    hits = np.bincount(codes, weights=flags, minlength=n_creators).astype(np.int64)
    share = np.divide(hits, posts, out=np.full(n_creators, np.nan), where=posts > 0)
    reasons = [describe_share(h, p) for h, p in zip(hits.tolist(), posts.tolist())]
    return pd.DataFrame({"n_posts": posts, "n_sponsored": hits, "sponsored_share": share, "reason": reasons})


def _first_signal(signal: str) -> str:
    """The first of the ``"; "``-joined signals of :func:`detect_sponsored` (a quoted phrase may hold "; ")."""
    return _SIGNAL_SPLIT_RE.split(signal, maxsplit=1)[0]


def _snippet(text: str, at: int) -> str:
    """The caption around a mention at offset ``at``: a few whole words before it, more after."""
    lead = 0 if at <= 20 else text.rfind(" ", 0, at - 12) + 1
    return ("..." if lead else "") + text[lead:at + 40]


def competitor_conflicts(captions: Sequence[str] | pd.Series, posted_at: Any, owner: Any, n_creators: int,
                         sponsored: Any, competitors: Sequence[str], *, conflict_days: int = 90,
                         now: Any = None) -> pd.DataFrame:
    """Tell, per creator, whether they promoted a competitor in the last ``conflict_days`` days.

    Parameters
    ----------
    captions : sequence of str or Series
        One caption per post (any order).
    posted_at : sequence of date-times, or None
        Per post; NaT, None or unreadable values are unknown dates (see the module notes).
    owner : int array
        Per post, the creator's position in [0, n_creators).
    n_creators : int
    sponsored : bool array or DataFrame
        Per post, ``detect_sponsored(...)`` (its signals then appear in the reasons) or a bool array.
    competitors : sequence of str
        Competitor names or handles (``"Nike"``, ``"@nike"``), matched as in :func:`~recommender.brandfit.mentions.brand_mentions`.
    conflict_days : int, default 90
        The window: a post at most this many days before ``now`` (exactly ``conflict_days`` included)
        conflicts; posts dated after ``now`` count as recent. 90 days is a common exclusivity term.
    now : date-time, optional
        The reference time (default: the current time, UTC); naive times are read as UTC.

    Returns
    -------
    DataFrame
        One row per creator position: ``conflict`` (bool), ``competitors`` (tuple of names, newest first),
        ``posts`` (tuple of post row positions, newest first, undated ones last), ``dates`` (tuple of
        Timestamps, NaT when unknown), ``signals`` (tuple of str, one per post), ``days_ago`` (float: whole
        days since the newest dated post, NaN without one), ``undated`` (int: conflicting posts without a
        date) and ``reason`` (str, ``""`` without a conflict).

    Examples
    --------
    >>> out = competitor_conflicts(["Thanks @nike for the kicks!", "Run club"], ["2025-03-01", "2025-03-02"],
    ...                            [0, 1], 2, [False, False], ["Nike"], conflict_days=30, now="2025-03-11")
    >>> out["conflict"].tolist(), out["reason"][0]
    ([True, False], 'promoted competitor Nike 10 days ago ("Thanks @nike for the kicks!", tagged @nike)')
    """
    where = "competitor_conflicts"
    names = check_names(competitors, "competitors", where)
    window = check_int(conflict_days, "conflict_days", where, minimum=0) * _DAY_NS
    n_creators = check_int(n_creators, "n_creators", where, minimum=0)
    texts, _ = caption_texts(captions, where)
    codes = _owner(owner, len(texts), n_creators, where)
    flags, post_signals = _flags(sponsored, len(texts), where)
    times, now_ns = _nanoseconds(posted_at, len(texts), where), _now_ns(now, where)
    # Only posts in the window that are sponsored or tag someone can conflict: scan those alone.
    undated = times == _NAT
    recent = np.flatnonzero(undated | (now_ns - np.where(undated, now_ns, times) <= window))
    tags = np.fromiter(("@" in texts[i] for i in recent.tolist()), bool, len(recent))
    eligible = recent[flags[recent] | tags]
    rows, brand, start, found = scan([texts[i] for i in eligible.tolist()], names)
    rows = eligible[rows]
    keep = flags[rows] | np.fromiter((f.startswith("@") for f in found), bool, len(found))
    hits: dict[int, dict[int, list[int]]] = {}  # creator -> post row -> positions of its kept mentions
    for i in np.flatnonzero(keep).tolist():
        hits.setdefault(int(codes[rows[i]]), {}).setdefault(int(rows[i]), []).append(i)
    empty: list[tuple] = [()] * n_creators
    out: dict[str, Any] = {"conflict": np.zeros(n_creators, bool), "competitors": list(empty), "posts": list(empty),
                           "dates": list(empty), "signals": list(empty), "days_ago": np.full(n_creators, np.nan),
                           "undated": np.zeros(n_creators, np.int64), "reason": [""] * n_creators}
    for creator, posts in hits.items():
        order = sorted(posts, key=lambda r: (times[r] == _NAT, -int(times[r])))
        signals = []
        for row in order:
            mention = found[posts[row][0]].rstrip(".")
            if flags[row]:
                disclosed = _first_signal(post_signals[row]) if post_signals and post_signals[row] else "sponsored"
                signals.append(f"{disclosed}; mentions {mention}")
            else:
                signals.append(f"tagged {mention}")
        dated = [int(times[r]) for r in order if times[r] != _NAT]
        days = max(0, (now_ns - dated[0]) // _DAY_NS) if dated else None
        first = posts[order[0]][0]
        reason = describe_conflict(names[brand[first]], days, _snippet(texts[order[0]], int(start[first])),
                                   _first_signal(signals[0]))
        if len(order) > 1:
            reason += f" and {len(order) - 1} more post{'s' if len(order) > 2 else ''}"
        if len(order) > len(dated):
            reason += f"; {len(order) - len(dated)} without a date"
        out["conflict"][creator] = True
        out["competitors"][creator] = tuple(dict.fromkeys(names[brand[i]] for r in order for i in posts[r]))
        out["posts"][creator] = tuple(order)
        out["dates"][creator] = tuple(pd.NaT if times[r] == _NAT else pd.Timestamp(int(times[r]), tz="UTC")
                                      for r in order)
        out["signals"][creator] = tuple(signals)
        out["days_ago"][creator] = np.nan if days is None else days
        out["undated"][creator] = len(order) - len(dated)
        out["reason"][creator] = reason
    return pd.DataFrame(out)
