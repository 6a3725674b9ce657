"""Print the real tweets of ``labels.csv`` (part ``real``): which of the 1,000 TweetTopic tweets were chosen.

The rule, fixed before any tweet was labelled: every tweet that a keyword net for promotion catches
(disclosure-like hashtags, "code", "sponsor", "partner", "giveaway", "% off", "link in bio", a thank-you
together with an @mention, ...), plus 100 of the remaining tweets drawn at random (seed 0) as negatives.
Run from the repository root: ``python data/sponsorship/select_tweets.py`` prints ``id,selected_by,text``
as CSV, in file order. Labels were then written by hand (see README.md).
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[3] / "shared" / "data" / "tweet_topic" / "en_1000.jsonl"
NET = re.compile(
    r"#\w*(?:ad|spon|partner|collab|ambassador|gift|promo|giveaway)\w*|#pr\b|code|sponsor|partner|promo|discount"
    r"|coupon|giveaway|gifted|collab|ambassador|affiliate|referral|%\s*off|link\s+in\s+(?:my\s+)?bio|use\s+my"
    r"|\bads?\b|\(ad\)", re.I)
THANKS = re.compile(r"\b(?:thank|thanks|thx)\b", re.I)
N_RANDOM = 100


def selection(path: Path = SOURCE) -> list[tuple[str, str, str]]:
    """(tweet id, 'keyword' or 'random', text) of the chosen tweets, in file order."""
    tweets = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    caught = {t["id"] for t in tweets if NET.search(t["text"]) or (THANKS.search(t["text"]) and "@" in t["text"])}
    rest = sorted(t["id"] for t in tweets if t["id"] not in caught)
    drawn = set(random.Random(0).sample(rest, N_RANDOM))
    return [(str(t["id"]), "keyword" if t["id"] in caught else "random", t["text"]) for t in tweets
            if t["id"] in caught or t["id"] in drawn]


if __name__ == "__main__":
    writer = csv.writer(sys.stdout)
    writer.writerow(["id", "selected_by", "text"])
    writer.writerows(selection())
