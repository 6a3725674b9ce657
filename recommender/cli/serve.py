"""The ``serve`` command: load the index and the model once, then answer one brief per line.

A brief costs tens of milliseconds once the model is loaded, but a fresh ``recommender recommend`` pays the
10-15 s of starting Python, torch and the model each time. ``serve`` pays it once: it prints ``ready`` to standard
error, then reads standard input line by line and writes one line per brief to standard output, flushed, until the
input ends. A line is a JSON object with the fields of a brief (``name`` may be left out) and an optional ``k``,
or plain text, which is the brief's description.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import TYPE_CHECKING, Any, Iterable, TextIO

from .commands import load
from .inputs import BRIEF_FLAGS
from .output import json_records, results_text
from .recommend import RECOMMEND_COLUMNS, empty_message

if TYPE_CHECKING:  # pragma: no cover
    from ..catalog import BrandBrief
    from ..recommender import Recommender

__all__ = ["serve", "serve_command"]

FIELDS = {field: field for field in BRIEF_FLAGS}
"""Brief fields named as in the JSON lines, in notes."""


def serve_command(args: argparse.Namespace) -> int:
    rec = load(args)
    rec.encode_briefs(["warm up"])  # loads the model now, so that the first brief is as fast as the others
    print("ready", file=sys.stderr, flush=True)
    serve(rec, sys.stdin, sys.stdout, k=args.k, fmt=args.format)
    return 0


def serve(rec: "Recommender", lines: Iterable[str], out: TextIO, *, k: int = 10, fmt: str = "json") -> int:
    """Answer each brief of ``lines`` on ``out``; returns how many lines were answered.

    With ``fmt="json"`` each answer is one JSON object on one line: ``brief_id`` (the brief's, or the line
    number), ``results`` (the rows of :meth:`~recommender.Recommender.recommend`, as ``--format json`` writes
    them), and when they apply ``warnings`` (e.g. a weak match) and ``note`` (fewer than ``k`` creators pass). A
    line that is not a valid brief is answered with ``{"error": "line N: ..."}`` and the loop goes on. With
    ``fmt="table"`` the answers are the tables ``recommend`` prints. Blank lines are skipped.
    """
    from ..util import RecommenderError, WeakMatchWarning

    answered = 0
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        try:
            brief, wanted = _brief(text, number, k)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", WeakMatchWarning)
                results = rec.recommend(brief, k=wanted)
            reply: dict[str, Any] = {"brief_id": brief.brief_id, "results": json_records(results)}
            if caught:
                reply["warnings"] = [str(w.message) for w in caught if issubclass(w.category, WeakMatchWarning)]
            if len(results) < wanted:
                reply["note"] = empty_message(brief, FIELDS) if not len(results) else (
                    f"Only {len(results)} creator(s) pass the filters of brief {brief.brief_id}, fewer than k {wanted}.")
            shown = results_text(results, RECOMMEND_COLUMNS) if len(results) else reply["note"]
        except (RecommenderError, ValueError, TypeError, LookupError) as exc:
            reply = {"error": f"line {number}: {exc}"}
            shown = f"error: {reply['error']}"
        out.write(json.dumps(reply, ensure_ascii=False) + "\n" if fmt == "json" else shown + "\n\n")
        out.flush()
        answered += 1
    return answered


def _brief(text: str, number: int, k: int) -> "tuple[BrandBrief, int]":
    """The brief of one line and its ``k``: a JSON object (``name`` defaults to ``'brief'``, ``brief_id`` to the
    line number) or plain text as the description."""
    from ..catalog import BrandBrief

    if not text.startswith("{"):
        return BrandBrief(name="brief", description=text, brief_id=str(number)), k
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"expected a JSON object or plain text, got invalid JSON ({exc.msg}).") from None
    wanted = data.pop("k", k)
    data.setdefault("name", "brief")
    data.setdefault("brief_id", str(number))
    return BrandBrief.from_dict(data, where="brief"), wanted
