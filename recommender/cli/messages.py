"""Error messages in command-line terms: the library names Python parameters, the user typed flags."""

from __future__ import annotations

import re
from typing import Mapping

__all__ = ["in_cli_terms"]

# "The 'k' parameter of Recommender.recommend_batch", "The 'min_followers' of brief 'x'", "The 'tiers' parameter",
# "The 'tier_mix' of the planner", "The 'name' of a brief".
_NAMED = re.compile(r"The '(\w+)'(?: parameter)?(?: of (?:brief '[^']*'|a brief|the \w+|[A-Z][\w.]*|[a-z_]+(?=\s)))?")
_PAIR = re.compile(r"The '(\w+)' and '(\w+)'(?: of brief '[^']*')?")
_IDENTIFIER = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def in_cli_terms(message: str, flags: Mapping[str, str]) -> str:
    """``message`` with the Python names it quotes replaced by their flags (``flags`` maps name to flag).

    Names without a flag stay as they are; so do bare words, except identifiers with an underscore.

    >>> flags = {"min_followers": "--min-followers", "max_followers": "--max-followers", "k": "-k"}
    >>> in_cli_terms("The 'min_followers' parameter of brief 'x' must be a number >= 0 or None. Got -5 instead.", flags)
    '--min-followers must be a number >= 0. Got -5 instead.'
    >>> in_cli_terms("The 'k' parameter of Recommender.recommend_batch must be an int >= 1. Got 0 instead.", flags)
    '-k must be an int >= 1. Got 0 instead.'
    >>> in_cli_terms("Brief 'x' has min_followers 9 > max_followers 5.", flags)
    "Brief 'x' has --min-followers 9 > --max-followers 5."
    """
    translated = False

    def pair(match: re.Match) -> str:
        nonlocal translated
        if match.group(1) in flags and match.group(2) in flags:
            translated = True
            return f"{flags[match.group(1)]} and {flags[match.group(2)]}"
        return match.group(0)

    def named(match: re.Match) -> str:
        nonlocal translated
        if match.group(1) in flags:
            translated = True
            return flags[match.group(1)]
        return match.group(0)

    out = _NAMED.sub(named, _PAIR.sub(pair, message))
    out = _IDENTIFIER.sub(lambda m: flags.get(m.group(0), m.group(0)), out)
    if translated:  # an option left out is not None on the command line
        out = out.replace(" or None", "")
    return out
