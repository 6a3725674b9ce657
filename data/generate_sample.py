"""Generate the synthetic sample catalogue shipped in ``data/``.

Run from the repository root::

    python data/generate_sample.py

Everything in the output is SYNTHETIC: no real account, post or person was
used. Creators, handles, brands and links are made up. The text is put
together from small hand-written fragments in ``sample_phrases.py``
(openers, sentences about sub-topics of each niche, questions, calls to
action, hashtag sets, bios), so captions read like real ones while no two
are identical. Numbers come from simple published rules of thumb:

* followers: log10(followers) ~ Normal(4.3, 0.9), clipped to [200, 20M],
  then topped up so that every tier band holds several creators;
* engagement ((likes + comments) / followers): a per-tier median that falls
  with audience size (6 % below 1k, 4 % nano, 3 % micro, 2.5 % mid, 2 %
  macro, 1.5 % mega), times a per-creator log-normal factor (sigma 0.5) and
  per-post noise (sigma 0.4); 1 % of posts go viral (x5 to x15); sponsored
  posts get 0.7x; comments are 2-6 % of likes;
* views (TikTok and YouTube only): followers x U(0.2, 3);
* cost per post (for about 40 % of creators): about $10-20 per 1k
  followers, with noise.

Two sets are written, each from its own seed and its own phrase banks:

* ``creators.csv`` / ``posts.csv``: the main, labelled development sample
  (360 creators, 14 niches, a few non-English creators);
* ``heldout/``: a harder set (168 creators) in a different writing voice,
  a third of them niche-adjacent distractors labelled by their true niche.

Hand-written brand briefs live in ``briefs.jsonl`` and
``heldout/briefs.jsonl``; this script writes which niche each brief targets
(``brief_niches.csv``) and derives the binary relevance judgements
(``qrels.csv``: every creator of that niche, grade 1).

Only the standard library and numpy are used. The output is deterministic:
running the script twice gives byte-identical files.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # keep data/ free of __pycache__
sys.path.insert(0, str(HERE))
import sample_phrases as P  # noqa: E402

NICHES = [
    "beauty", "fashion", "fitness", "food", "travel", "parenting", "pets",
    "home decor", "gaming", "tech", "sustainability", "finance", "books", "music",
]

# Tier bands: (label, lower bound inclusive, upper bound exclusive).
BANDS = [
    ("<1k", 200, 1_000),
    ("1k-10k", 1_000, 10_000),
    ("10k-100k", 10_000, 100_000),
    ("100k-500k", 100_000, 500_000),
    ("500k-1M", 500_000, 1_000_000),
    (">=1M", 1_000_000, 20_000_001),
]
# Median (likes + comments) / followers per band.
BASE_ENGAGEMENT = {"<1k": 0.06, "1k-10k": 0.04, "10k-100k": 0.03,
                   "100k-500k": 0.025, "500k-1M": 0.02, ">=1M": 0.015}
# Bigger accounts get more paid work.
SPONSOR_FACTOR = {"<1k": 0.3, "1k-10k": 0.8, "10k-100k": 1.1,
                  "100k-500k": 1.4, "500k-1M": 1.6, ">=1M": 1.6}

PLATFORMS = [("instagram", 0.65), ("tiktok", 0.25), ("youtube", 0.10)]
START = datetime(2025, 1, 1, tzinfo=timezone.utc).timestamp()
END = datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp()  # exclusive

OFF_NICHE_RATE = 0.12
SPONSORED_RATE = 0.10
COST_SHARE = 0.40

# Which niche each hand-written brief is for (the briefs themselves are in
# briefs.jsonl and heldout/briefs.jsonl and never name their niche).
BRIEF_NICHES = {
    "b01": "beauty", "b02": "beauty", "b03": "fashion", "b04": "fashion",
    "b05": "fitness", "b06": "fitness", "b07": "food", "b08": "food",
    "b09": "travel", "b10": "travel", "b11": "parenting", "b12": "parenting",
    "b13": "pets", "b14": "pets", "b15": "home decor", "b16": "home decor",
    "b17": "gaming", "b18": "gaming", "b19": "tech", "b20": "tech",
    "b21": "sustainability", "b22": "sustainability", "b23": "finance",
    "b24": "finance", "b25": "books", "b26": "books", "b27": "music",
    "b28": "music",
}
# The held-out briefs hb01..hb28 cover the same niches in the same order.
HELDOUT_BRIEF_NICHES = {f"h{brief}": niche for brief, niche in BRIEF_NICHES.items()}

CREATOR_COLUMNS = ["creator_id", "handle", "platform", "followers", "bio",
                   "country", "language", "cost", "niche"]
POST_COLUMNS = ["post_id", "creator_id", "caption", "likes", "comments",
                "views", "posted_at", "is_sponsored"]


@dataclass(frozen=True)
class SetSpec:
    """Everything that differs between the main and the held-out set."""

    name: str
    out_dir: Path
    seed: int
    heldout: bool
    creator_prefix: str
    creator_digits: int
    post_prefix: str
    post_digits: int
    posts_min: int
    posts_max: int
    niches: dict
    generic: dict
    handle_patterns: list
    brief_niches: dict
    band_minimum: dict
    n_empty_bios: int
    n_emoji_bios: int
    n_hashtag_bios: int
    foreign_count: int = 0


MAIN = SetSpec(
    name="main", out_dir=HERE, seed=20250114, heldout=False,
    creator_prefix="c", creator_digits=4, post_prefix="p", post_digits=6,
    posts_min=5, posts_max=15, niches=P.MAIN_NICHES, generic=P.MAIN_GENERIC,
    handle_patterns=P.MAIN_HANDLE_PATTERNS, brief_niches=BRIEF_NICHES,
    band_minimum={"<1k": 10, "1k-10k": 60, "10k-100k": 60, "100k-500k": 25,
                  "500k-1M": 8, ">=1M": 10},
    n_empty_bios=4, n_emoji_bios=1, n_hashtag_bios=1, foreign_count=22,
)
HELDOUT = SetSpec(
    name="heldout", out_dir=HERE / "heldout", seed=7316, heldout=True,
    creator_prefix="h", creator_digits=4, post_prefix="hp", post_digits=5,
    posts_min=5, posts_max=12, niches=P.HELDOUT_NICHES, generic=P.HELDOUT_GENERIC,
    handle_patterns=P.HELDOUT_HANDLE_PATTERNS, brief_niches=HELDOUT_BRIEF_NICHES,
    band_minimum={"<1k": 6, "1k-10k": 25, "10k-100k": 25, "100k-500k": 10,
                  "500k-1M": 5, ">=1M": 5},
    n_empty_bios=2, n_emoji_bios=1, n_hashtag_bios=0,
)
HELDOUT_PER_NICHE = 12
HELDOUT_DISTRACTORS_PER_NICHE = 4
MAIN_TOTAL = 360


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def pick(rng, seq):
    """One element of a sequence, chosen uniformly."""
    return seq[int(rng.integers(len(seq)))]


def pick_weighted(rng, pairs):
    """One value from a list of (value, weight) pairs."""
    values = [v for v, _ in pairs]
    weights = np.array([w for _, w in pairs], dtype=float)
    return values[int(rng.choice(len(values), p=weights / weights.sum()))]


def sample_k(rng, seq, k):
    """k distinct elements of seq in random order."""
    k = min(k, len(seq))
    return [seq[i] for i in rng.choice(len(seq), size=k, replace=False)]


def ascii_slug(text):
    """Lower-case ASCII letters and digits only (for handles and links)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def band_of(followers):
    for label, lo, hi in BANDS:
        if lo <= followers < hi:
            return label
    raise ValueError(followers)


def fill(template, slots):
    """Fill {slot} placeholders; templates only ever use known slot names."""
    return template.format_map(slots)


def normalise(text):
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


def fits_gender(text, gender):
    """False for lines like "dad of twins" on a woman's account, and vice versa."""
    low = text.lower()
    if gender == "m" and (re.search(P.FEMALE_WORDS, low) or re.search(r"\b(mom|mum|mama)", low)):
        return False
    if gender == "f" and (re.search(P.MALE_WORDS, low) or re.search(r"\bdad|girldad", low)):
        return False
    return True


def for_gender(lines, gender):
    return [line for line in lines if fits_gender(line, gender)]


def masculine_emoji(text, gender):
    """Use the plain runner / yoga emoji on men's accounts."""
    return text.replace("\u200d\u2640\ufe0f", "") if gender == "m" else text


# ---------------------------------------------------------------------------
# Creators
# ---------------------------------------------------------------------------

def niche_counts(rng, total, lo, hi):
    """Roughly balanced counts per niche that sum to ``total``."""
    counts = {n: int(rng.integers(lo + 2, hi - 3)) for n in NICHES}
    while sum(counts.values()) != total:
        n = pick(rng, NICHES)
        step = 1 if sum(counts.values()) < total else -1
        if lo <= counts[n] + step <= hi:
            counts[n] += step
    return counts


def sample_followers(rng, n, band_minimum):
    """Log-normal follower counts, topped up so every band has enough."""
    log_f = np.clip(rng.normal(4.3, 0.9, size=n), np.log10(200), np.log10(20_000_000))
    followers = [int(round(10 ** x)) for x in log_f]
    for label, lo, hi in BANDS:
        while sum(band_of(f) == label for f in followers) < band_minimum[label]:
            # take a creator from the fullest band and move it into this one
            sizes = {b: sum(band_of(f) == b for f in followers) for b, _, _ in BANDS}
            donor_band = max(sizes, key=sizes.get)
            donors = [i for i, f in enumerate(followers) if band_of(f) == donor_band]
            i = pick(rng, donors)
            top = min(hi, 3_000_000) if label == ">=1M" and rng.random() < 0.6 else hi
            followers[i] = int(10 ** rng.uniform(np.log10(lo), np.log10(top - 1)))
    return followers


def make_cost(rng, followers):
    """Price per post in USD, or None for creators without a public rate."""
    if rng.random() >= COST_SHARE:
        return None
    cost = followers / 1000 * rng.uniform(10, 20) * np.exp(rng.normal(0, 0.25))
    cost = max(cost, 10.0)
    step = 5 if cost < 100 else 10 if cost < 1_000 else 50 if cost < 10_000 else 100
    return int(max(step, round(cost / step) * step))


def pick_country(rng):
    return pick_weighted(rng, P.ENGLISH_COUNTRIES)


def pick_city(rng, country, lang):
    if lang == "fr" and country == "CA":
        return pick(rng, P.FRENCH_CANADA_CITIES)
    return pick(rng, P.CITIES[country])


def pick_name(rng, country, lang, gender):
    if lang != "en":
        return pick(rng, P.FIRST_NAMES[lang][gender])
    pool = P.FIRST_NAMES.get(country, P.FIRST_NAMES["default"])
    if country in P.FIRST_NAMES and rng.random() < 0.25:
        pool = P.FIRST_NAMES["default"]
    return pick(rng, pool[gender])


def make_handle(rng, creator, spec, used):
    """A plausible, unique @handle built from the creator's first name."""
    words = for_gender(spec.niches[creator["niche"]]["handle_words"], creator["gender"])
    name = ascii_slug(creator["name"])
    for attempt in range(200):
        handle = pick(rng, spec.handle_patterns).format(
            n=name, w=pick(rng, words), s=pick(rng, P.SURNAMES),
            d=int(rng.integers(1, 100)))
        if attempt >= 20:
            handle += pick(rng, ["_", "x", "official", "hq", str(int(rng.integers(10, 100)))])
        handle = re.sub(r"[^a-z0-9._]", "", handle.lower()).strip(".")[:30]
        if handle not in used:
            used.add(handle)
            return "@" + handle
    raise RuntimeError("could not find a free handle")


def pick_subniches(rng, creator, bank):
    """A main sub-topic (and sometimes a second one) this creator posts about."""
    subs = [s for s, lines in bank["subniches"].items()
            if len(for_gender(lines, creator["gender"])) >= 4]
    creator["sub"] = pick(rng, subs)
    others = [s for s in subs if s != creator["sub"]]
    creator["sub2"] = pick(rng, others) if rng.random() < 0.3 else None


def make_style(rng, creator, spec):
    """Per-creator writing habits, so each account has its own voice."""
    tag_weights = (0.4, 0.45, 0.15) if spec.heldout else (0.3, 0.45, 0.25)
    creator["style"] = {
        "tags": pick_weighted(rng, list(zip(("none", "few", "many"), tag_weights))),
        "emoji_rate": float(rng.uniform(0.0, 0.9 if not spec.heldout else 0.5)),
        "lower": rng.random() < (0.12 if not spec.heldout else 0.6),
        "joiner": pick_weighted(rng, [(" ", 0.65), ("\n", 0.15), ("\n\n", 0.2)]),
        "separator": pick(rng, spec.generic.get("separators", [" "])),
        "length": pick_weighted(rng, [((0.45, 0.35, 0.15, 0.05), 0.4),
                                      ((0.2, 0.4, 0.3, 0.1), 0.4),
                                      ((0.1, 0.3, 0.35, 0.25), 0.2)]),
        "opener_rate": float(rng.uniform(0.1, 0.5)),
        "question_rate": float(rng.uniform(0.0, 0.4)),
        "cta_rate": float(rng.uniform(0.0, 0.4)),
        "link_rate": 0.25 if rng.random() < 0.15 else 0.0,
        "signature_tag": rng.random() < 0.15,
        "tag_block": pick_weighted(rng, [("\n\n", 0.6), (" ", 0.3), ("\n.\n.\n.\n", 0.1)]),
    }


def assign_foreign(rng, creators, spec):
    """Turn a few English creators into Spanish/Portuguese/... writers."""
    pairs = [(lang, niche) for lang, info in P.FOREIGN.items() for niche in info["niches"]]
    order = rng.permutation(len(pairs))
    for k in range(spec.foreign_count):
        lang, niche = pairs[order[k % len(pairs)]]
        candidates = [c for c in creators if c["niche"] == niche and c["language"] == "en"]
        c = pick(rng, candidates)
        c["language"] = lang
        c["country"] = pick_weighted(rng, P.FOREIGN[lang]["countries"])


def assign_distractors(rng, creators, spec):
    """Held-out only: a third of each niche gets a niche-adjacent profile."""
    for niche in NICHES:
        profiles = list(spec.niches[niche]["distractors"])
        members = [c for c in creators if c["niche"] == niche]
        chosen = sample_k(rng, members, HELDOUT_DISTRACTORS_PER_NICHE)
        for k, c in enumerate(chosen):
            c["distractor"] = profiles[k % len(profiles)]


def make_bio(rng, creator, spec, slots):
    """Bio text: a template from the niche bank plus a few optional extras."""
    kind = creator["bio_kind"]
    bank = spec.niches[creator["niche"]]
    if kind == "empty":
        return ""
    if kind == "emoji":
        return "".join(sample_k(rng, bank["emoji"], int(rng.integers(3, 5))))
    if kind == "hashtags":
        return " ".join(sample_k(rng, bank["tags"]["_"], 3))
    lang = creator["language"]
    if lang != "en":
        bios = P.FOREIGN[lang]["niches"][creator["niche"]]["bios"]
        return fill(pick(rng, for_gender(bios, creator["gender"])), slots)
    if creator.get("distractor"):
        template = pick(rng, for_gender(bank["distractors"][creator["distractor"]]["bios"], creator["gender"]))
    else:
        template = pick(rng, for_gender(bank["bios"], creator["gender"]))
    return _decorate_bio(rng, fill(template, slots), template, creator, spec, slots)


def _decorate_bio(rng, bio, template, creator, spec, slots):
    """Optionally add a location, a contact line or pronouns (one of each at most)."""
    pronoun = {"f": "she/her", "m": "he/him"}[creator["gender"]]
    if spec.heldout:
        groups = [(["based in {city}"], 0.2), (["dm open", "collabs: dm"], 0.2),
                  ([pronoun, "she/they" if creator["gender"] == "f" else "he/they"], 0.1),
                  (["↓ stuff i use"], 0.1)]
    else:
        groups = [(["📍 {city}"], 0.2), (["📩 collabs via DM", "DM for collabs"], 0.18),
                  (["👇 my favourites", "🔗 everything I use ↓"], 0.08), ([pronoun], 0.08)]
        if creator["platform"] == "youtube":
            groups.append((["new video every Sunday ▶️", "new videos weekly ▶️"], 0.3))
    extras = []
    for options, p in groups:
        if rng.random() < p and not ("{city}" in options[0] and "{city}" in template):
            extras.append(fill(pick(rng, options), slots))
    if not spec.heldout and "{Name}" not in template and rng.random() < 0.25:
        bio = slots["Name"] + " | " + bio
    if not spec.heldout and rng.random() < 0.1:
        extras.append(" ".join(sample_k(rng, spec.niches[creator["niche"]]["tags"]["_"], 2)))
    joiner = pick(rng, [" | ", "\n", " • "] if not spec.heldout else [" / ", "\n", ". "])
    parts = [bio] + extras[:2]
    while len(joiner.join(parts)) > 200 and len(parts) > 1:
        parts.pop()
    return joiner.join(parts)[:200]


def creator_slots(rng, creator):
    name = creator["name"]
    return {
        "name": name, "Name": name.capitalize(), "city": creator["city"],
        "place": pick(rng, P.PLACES), "petname": pick(rng, P.PET_NAMES),
    }


def make_creators(rng, spec):
    if spec.heldout:
        counts = {n: HELDOUT_PER_NICHE for n in NICHES}
    else:
        counts = niche_counts(rng, MAIN_TOTAL, 20, 32)
    niches = [n for n in NICHES for _ in range(counts[n])]
    niches = [niches[i] for i in rng.permutation(len(niches))]
    followers = sample_followers(rng, len(niches), spec.band_minimum)

    creators = []
    for i, (niche, f) in enumerate(zip(niches, followers), start=1):
        creators.append({
            "creator_id": f"{spec.creator_prefix}{i:0{spec.creator_digits}d}",
            "niche": niche, "followers": f, "language": "en",
            "gender": "f" if rng.random() < P.FEMALE_SHARE[niche] else "m",
            "country": pick_country(rng), "distractor": None,
            "platform": pick_weighted(rng, PLATFORMS), "bio_kind": "text",
        })
    if spec.foreign_count:
        assign_foreign(rng, creators, spec)
    if spec.heldout:
        assign_distractors(rng, creators, spec)

    special = ["empty"] * spec.n_empty_bios + ["emoji"] * spec.n_emoji_bios + ["hashtags"] * spec.n_hashtag_bios
    english = [c for c in creators if c["language"] == "en"]
    for c, kind in zip(sample_k(rng, english, len(special)), special):
        c["bio_kind"] = kind

    used_handles = set()
    for c in creators:
        bank = spec.niches[c["niche"]]
        c["city"] = pick_city(rng, c["country"], c["language"])
        c["name"] = pick_name(rng, c["country"], c["language"], c["gender"])
        c["handle"] = make_handle(rng, c, spec, used_handles)
        pick_subniches(rng, c, bank)
        make_style(rng, c, spec)
        c["bio"] = masculine_emoji(make_bio(rng, c, spec, creator_slots(rng, c)), c["gender"])
        c["cost"] = make_cost(rng, c["followers"])
        c["sponsor_p"] = 0.9 * SPONSORED_RATE / (1 - OFF_NICHE_RATE) * SPONSOR_FACTOR[band_of(c["followers"])]
        c["used"] = set()
    assign_engagement(rng, creators)
    return creators


def assign_engagement(rng, creators):
    """Per-creator base rate: the band median times a log-normal factor.

    The factors are centred within each band, so the median creator of a
    band sits exactly on the published figure even when the band is small.
    """
    z = rng.normal(0, 0.5, size=len(creators))
    for label, _, _ in BANDS:
        idx = [i for i, c in enumerate(creators) if band_of(c["followers"]) == label]
        if idx:
            z[idx] -= np.median(z[idx])
    for c, zi in zip(creators, z):
        c["engagement"] = BASE_ENGAGEMENT[band_of(c["followers"])] * float(np.exp(zi))


# ---------------------------------------------------------------------------
# Captions
# ---------------------------------------------------------------------------

def caption_slots(rng, creator, bank):
    slots = creator_slots(rng, creator)
    slots.update({
        "num": int(rng.integers(2, 13)),
        "big": int(pick(rng, [20, 25, 30, 40, 50, 60, 75, 80, 100, 120, 150, 200, 250])),
        "brand": pick(rng, bank["brands"]) if "brands" in bank else "",
        "year": int(pick(rng, [2025, 2026])),
        "day": pick(rng, P.DAYS),
    })
    return slots


def draw_sentences(rng, creator, pools, k):
    """k distinct sentences, preferring ones this creator has not used yet."""
    chosen = []
    for _ in range(k):
        weights = [w for w, pool in pools]
        pool = pools[int(rng.choice(len(pools), p=np.array(weights) / sum(weights)))][1]
        fresh = [s for s in pool if s not in creator["used"] and s not in chosen]
        if not fresh:
            fresh = [s for s in pool if s not in chosen] or pool
        s = pick(rng, fresh)
        chosen.append(s)
        creator["used"].add(s)
    return chosen


def sentence_pools(creator, bank):
    """Where this creator's sentences come from, with weights."""
    g = creator["gender"]
    everything = for_gender([s for v in bank["subniches"].values() for s in v], g)
    if creator.get("distractor"):
        distractor = for_gender(bank["distractors"][creator["distractor"]]["sentences"], g)
        return [(0.85, distractor), (0.15, everything)]
    subs = bank["subniches"]
    if creator["sub2"]:
        return [(0.6, for_gender(subs[creator["sub"]], g)),
                (0.25, for_gender(subs[creator["sub2"]], g)), (0.15, everything)]
    return [(0.75, for_gender(subs[creator["sub"]], g)), (0.25, everything)]


def tag_pool(creator, bank):
    tags = bank["tags"]
    pool = list(tags[creator["sub"]])
    if creator.get("distractor"):
        pool = list(bank["distractors"][creator["distractor"]]["tags"]) + pool[:1]
    if creator["sub2"]:
        pool += tags[creator["sub2"]]
    return for_gender(pool + list(tags["_"]), creator["gender"])


def hashtags(rng, creator, bank, spec):
    style = creator["style"]["tags"]
    if style == "none":
        n = 1 if rng.random() < 0.1 else 0
    elif style == "few":
        n = int(rng.integers(1, 4))
    else:
        n = int(rng.integers(5, 13)) if not spec.heldout else int(rng.integers(4, 9))
    tags = sample_k(rng, tag_pool(creator, bank), n)
    if n and creator["style"]["signature_tag"] and rng.random() < 0.7:
        tags.append("#" + re.sub(r"[^a-z0-9]", "", creator["handle"].lower()))
    if n and creator["platform"] == "tiktok" and rng.random() < 0.5:
        tags.append(pick(rng, spec.generic["tiktok_tags"]))
    return tags


def link_line(rng, creator, spec):
    site = re.sub(r"[^a-z0-9]", "", creator["handle"].lower())
    slug = pick(rng, ["guide", "post", "shop", "faves", "notes", "full", "list", "video"])
    return pick(rng, spec.generic["links"]).format(site=site, slug=slug)


def decorate(rng, sentence, spec):
    """Small spoken-style tweaks so repeated sentences don't look identical."""
    g = spec.generic
    if "decor_prefix" in g and rng.random() < 0.08:
        return pick(rng, g["decor_prefix"]) + sentence[0].lower() + sentence[1:]
    if rng.random() < 0.12:
        return sentence.rstrip(".") + pick(rng, g["decor_suffix"])
    return sentence


def add_emoji(rng, text, creator, bank):
    if rng.random() < creator["style"]["emoji_rate"]:
        return text + " " + "".join(sample_k(rng, bank["emoji"], int(rng.integers(1, 4))))
    return text


def sponsor_line(rng, creator, bank, spec, lang="en"):
    code = ascii_slug(creator["name"]).upper() + str(pick(rng, [10, 15, 20, 25]))
    templates = spec.generic["sponsor"] if lang == "en" else P.FOREIGN[lang]["sponsor"]
    return pick(rng, templates).format(brand=pick(rng, bank["brands"]), code=code)


def caption_on_niche(rng, creator, spec, sponsored):
    """An English caption about the creator's niche."""
    bank = spec.niches[creator["niche"]]
    g, st = spec.generic, creator["style"]
    slots = caption_slots(rng, creator, bank)
    parts = []
    if not spec.heldout and rng.random() < 0.12:
        parts.append(pick(rng, bank["shorts"]))
    else:
        if rng.random() < st["opener_rate"]:
            own = for_gender(bank.get("openers", []), creator["gender"])
            parts.append(pick(rng, own) if own and rng.random() < 0.6 else pick(rng, g["openers"]))
        k = 1 + int(rng.choice(4, p=st["length"]))
        if spec.heldout:
            k = min(k, 3) if rng.random() < 0.85 else k
        parts += [decorate(rng, s, spec) for s in draw_sentences(rng, creator, sentence_pools(creator, bank), k)]
        if "questions" in bank and rng.random() < st["question_rate"]:
            parts.append(pick(rng, bank["questions"]))
        if rng.random() < st["cta_rate"]:
            parts.append(pick(rng, g["ctas"]))
        if rng.random() < st["link_rate"]:
            parts.append(link_line(rng, creator, spec))
    joiner = st["separator"] if spec.heldout else st["joiner"]
    if spec.heldout and len(parts) > 1 and parts[0] in g["openers"]:
        parts[:2] = [parts[0] + " " + parts[1]]  # "pov: ..." stays on one line
    text = add_emoji(rng, fill(joiner.join(parts), slots), creator, bank)
    if st["lower"]:
        text = text.lower()
    if creator["platform"] == "youtube" and rng.random() < 0.35:
        text = fill(pick(rng, g["youtube_prefix"]), slots) + text
    if sponsored:
        text += ("\n\n" if "\n" in joiner else " ") + sponsor_line(rng, creator, bank, spec)
    tags = hashtags(rng, creator, bank, spec)
    if tags:
        text += st["tag_block"] + " ".join(tags)
    return text


def caption_foreign(rng, creator, spec, sponsored):
    """A caption written in the creator's own (non-English) language."""
    info = P.FOREIGN[creator["language"]]
    nb = info["niches"][creator["niche"]]
    bank = spec.niches[creator["niche"]]
    slots = caption_slots(rng, creator, bank)
    k = 1 + int(rng.choice(3, p=(0.45, 0.4, 0.15)))
    sentences = draw_sentences(rng, creator, [(1.0, for_gender(nb["sentences"], creator["gender"]))], k)
    text = add_emoji(rng, fill(creator["style"]["joiner"].join(sentences), slots), creator, bank)
    if sponsored:
        text += "\n\n" + sponsor_line(rng, creator, bank, spec, creator["language"])
    n_tags = int(rng.integers(0, 5))
    if n_tags:
        text += creator["style"]["tag_block"] + " ".join(sample_k(rng, nb["tags"], n_tags))
    return text


def caption_off_niche(rng, creator, spec):
    """An everyday post that has nothing to do with the creator's niche."""
    lang = creator["language"]
    if lang != "en":
        return pick(rng, P.FOREIGN[lang]["off"]) + pick(rng, ["", "", " ☀️", " ❤️", " 😊", " 🙌", " ✨"])
    g = spec.generic
    bodies = sample_k(rng, g["off_bodies"], 1 if rng.random() < 0.75 else 2)
    opener = pick(rng, g["off_openers"])
    text = " ".join([opener] + bodies if opener else bodies)
    tail = pick(rng, g["off_tails"])
    if tail:
        text += " " + tail
    return text.lower() if creator["style"]["lower"] else text


def make_caption(rng, creator, spec, kind, sponsored, seen):
    """A caption that no other post in this set already has."""
    for _ in range(300):
        if kind == "off":
            text = caption_off_niche(rng, creator, spec)
        elif creator["language"] != "en":
            text = caption_foreign(rng, creator, spec, sponsored)
        else:
            text = caption_on_niche(rng, creator, spec, sponsored)
        text = masculine_emoji(text, creator["gender"])
        words = len(text.split())
        long_enough = words >= 3 or creator["language"] == "ja"  # no spaces in Japanese
        if text not in seen and long_enough and words <= 95:
            seen.add(text)
            return text
    # rare: an off-niche pool is exhausted for a small language, add an emoji
    for extra in ["🙂", "✨", "❤️", "☀️", "🌙", "🎉", "😊", "🙏"]:
        if text + " " + extra not in seen:
            seen.add(text + " " + extra)
            return text + " " + extra
    raise RuntimeError(f"could not make a unique caption for {creator['creator_id']}")


# ---------------------------------------------------------------------------
# Posts and engagement
# ---------------------------------------------------------------------------

def engagement(rng, creator, sponsored):
    """likes, comments, views for one post."""
    f = creator["followers"]
    rate = creator["engagement"] * float(np.exp(rng.normal(0, 0.4)))
    boost = float(rng.uniform(5, 15)) if rng.random() < 0.01 else 1.0
    rate *= boost * (0.7 if sponsored else 1.0)
    share = float(rng.uniform(0.02, 0.06))
    likes = max(0, int(round(f * rate / (1 + share))))
    comments = max(0, int(round(likes * share)))
    views = None
    if creator["platform"] in ("tiktok", "youtube"):
        views = int(f * rng.uniform(0.2, 3.0) * boost)
        views = max(views, int((likes + comments) * rng.uniform(3, 8)))
    return likes, comments, views


def post_times(rng, n):
    """n sorted UTC timestamps; some creators only started posting later."""
    start = START
    if rng.random() < 0.3:
        start = START + rng.uniform(0, 0.5) * (END - START)
    return sorted(int(t) for t in rng.uniform(start, END, size=n))


def iso(ts):
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_posts(rng, creators, spec):
    posts, seen = [], set()
    for c in creators:
        n = int(rng.integers(spec.posts_min, spec.posts_max + 1))
        for ts in post_times(rng, n):
            off = rng.random() < OFF_NICHE_RATE
            sponsored = (not off) and rng.random() < c["sponsor_p"]
            caption = make_caption(rng, c, spec, "off" if off else "on", sponsored, seen)
            likes, comments, views = engagement(rng, c, sponsored)
            posts.append({
                "post_id": f"{spec.post_prefix}{len(posts) + 1:0{spec.post_digits}d}",
                "creator_id": c["creator_id"], "caption": caption,
                "likes": likes, "comments": comments,
                "views": "" if views is None else views,
                "posted_at": iso(ts), "is_sponsored": "true" if sponsored else "false",
            })
    return posts


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def write_csv(path, columns, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row[c] is None else row[c] for c in columns])


def creator_rows(creators):
    return [{k: c[k] for k in CREATOR_COLUMNS} for c in creators]


def read_brief_ids(path):
    if not path.exists():
        return None
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line)["brief_id"] for line in fh if line.strip()]


def write_judgements(spec, creators):
    """brief_niches.csv (by hand, above) and qrels.csv (derived from labels)."""
    ids = read_brief_ids(spec.out_dir / "briefs.jsonl")
    if ids is not None and sorted(ids) != sorted(spec.brief_niches):
        raise SystemExit(f"{spec.out_dir / 'briefs.jsonl'}: brief ids do not match the niche table")
    write_csv(spec.out_dir / "brief_niches.csv", ["brief_id", "niche"],
              [{"brief_id": b, "niche": n} for b, n in spec.brief_niches.items()])
    rows = [{"brief_id": b, "creator_id": c["creator_id"], "grade": 1}
            for b, n in spec.brief_niches.items()
            for c in creators if c["niche"] == n]
    write_csv(spec.out_dir / "qrels.csv", ["brief_id", "creator_id", "grade"], rows)


def bank_sentences(niches, generic, include_foreign):
    """Every hand-written line in one set of banks, normalised."""
    lines = []
    for bank in niches.values():
        for key in ("openers", "shorts", "questions", "bios"):
            lines += bank.get(key, [])
        for sentences in bank["subniches"].values():
            lines += sentences
        for d in bank.get("distractors", {}).values():
            lines += d["sentences"] + d["bios"]
    for key in ("openers", "ctas", "off_bodies"):
        lines += generic[key]
    if include_foreign:
        for info in P.FOREIGN.values():
            lines += info["off"]
            for nb in info["niches"].values():
                lines += nb["sentences"] + nb["bios"]
    return {normalise(s) for s in lines}


def check_banks():
    overlap = (bank_sentences(P.MAIN_NICHES, P.MAIN_GENERIC, True)
               & bank_sentences(P.HELDOUT_NICHES, P.HELDOUT_GENERIC, False))
    if overlap:
        raise SystemExit(f"held-out banks reuse main sentences: {sorted(overlap)[:5]}")
    for niches in (P.MAIN_NICHES, P.HELDOUT_NICHES):
        if list(niches) != NICHES:
            raise SystemExit("phrase banks must cover exactly the 14 niches, in order")


def build(spec):
    rng = np.random.default_rng(spec.seed)
    creators = make_creators(rng, spec)
    posts = make_posts(rng, creators, spec)
    write_csv(spec.out_dir / "creators.csv", CREATOR_COLUMNS, creator_rows(creators))
    write_csv(spec.out_dir / "posts.csv", POST_COLUMNS, posts)
    write_judgements(spec, creators)
    print(f"{spec.name}: {len(creators)} creators, {len(posts)} posts -> {spec.out_dir}")


def main():
    check_banks()
    build(MAIN)
    build(HELDOUT)


if __name__ == "__main__":
    main()
