"""The creator catalog: creators and their posts, validated, with tiers assigned.

Every later stage (embeddings, index, ranking, planning) reads a :class:`Catalog`.
Loading is strict by default: any bad row raises one :class:`ValidationError`
listing every problem. ``mode='lenient'`` keeps the valid rows and returns a
report of the rejected ones, so nothing is ever dropped silently.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..util import CatalogError, ValidationError
from . import validation as v
from .summary import summarise
from .tables import Table, TableSource, read_table
from .tiers import TierScheme

logger = logging.getLogger(__name__)

__all__ = ["Catalog", "load_catalog"]

MAX_LISTED_PROBLEMS = 50
DEFAULT_MAX_TEXT_TOKENS = 256
_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)

POST_COLUMNS_OUT = ["post_id", "creator_id", "caption", "likes", "comments", "views", "posted_at", "is_sponsored"]


@dataclass(frozen=True)
class Catalog:
    """Validated creators and posts.

    Attributes
    ----------
    creators : DataFrame
        One row per creator, indexed by nothing in particular, with the schema columns
        (``creator_id``, ``followers``, ``handle``, ``platform``, ``bio``, ``country``,
        ``language``, ``cost``), a ``tier`` column, a ``bio_truncated`` flag and any
        other column of the input kept as metadata.
    posts : DataFrame
        One row per post with the schema columns (missing optional ones filled),
        ``post_id`` generated where absent, and a ``caption_truncated`` flag.
    rejected : DataFrame
        Rows rejected in lenient mode, one line per problem: ``source``, ``row``,
        ``column``, ``expected``, ``found``, ``message``. Empty in strict mode.
    notes : DataFrame
        Rows kept but worth knowing about (text longer than the model reads), same columns.
    tier_scheme : TierScheme
        The scheme that assigned ``tier``.
    """

    creators: pd.DataFrame
    posts: pd.DataFrame
    rejected: pd.DataFrame = field(default_factory=lambda: v.concat_problems([]))
    notes: pd.DataFrame = field(default_factory=lambda: v.concat_problems([]))
    tier_scheme: TierScheme = field(default_factory=lambda: TierScheme.preset("default"))

    def __len__(self) -> int:
        return len(self.creators)

    def __repr__(self) -> str:
        return (f"Catalog({len(self.creators)} creators, {len(self.posts)} posts, "
                f"{len(self.rejected)} rejected, tiers={list(self.tier_scheme.names)})")

    @property
    def metadata_columns(self) -> list[str]:
        """Creator columns outside the schema, kept for filtering."""
        known = {c.name for c in v.CREATOR_COLUMNS} | {"tier", "bio_truncated"}
        return [c for c in self.creators.columns if c not in known]

    def with_tiers(self, scheme: TierScheme | str) -> "Catalog":
        """The same catalog with tiers re-assigned by ``scheme``."""
        scheme = TierScheme.preset(scheme) if isinstance(scheme, str) else scheme
        creators = self.creators.assign(tier=scheme.assign(self.creators["followers"].to_numpy(dtype=float)))
        return Catalog(creators, self.posts, self.rejected, self.notes, scheme)

    def summary(self) -> dict[str, pd.DataFrame]:
        """Tables describing the catalog; see :func:`recommender.catalog.summary.summarise`."""
        return summarise(self.creators, self.posts, self.tier_scheme,
                         rejected_rows=len(self.rejected[["source", "row"]].drop_duplicates()),
                         truncated_texts=len(self.notes))


def load_catalog(
    creators: TableSource,
    posts: TableSource | None = None,
    *,
    mode: Literal["strict", "lenient"] = "strict",
    tiers: TierScheme | str = "default",
    max_text_tokens: int = DEFAULT_MAX_TEXT_TOKENS,
) -> Catalog:
    """Load and validate a creator catalog.

    Parameters
    ----------
    creators, posts : path or DataFrame
        CSV, Parquet or JSON Lines files, or DataFrames. ``posts`` may be omitted
        (creators are then matched on their bios alone).
    mode : {'strict', 'lenient'}
        ``'strict'`` raises :class:`ValidationError` listing every problem;
        ``'lenient'`` drops bad rows (and the posts of dropped creators) and lists
        each in :attr:`Catalog.rejected`.
    tiers : TierScheme or str
        Tier scheme or preset name (see :data:`recommender.catalog.tiers.TIER_PRESETS`).
    max_text_tokens : int
        Texts estimated longer than this are kept and flagged ``*_truncated``:
        only their beginning is embedded.

    Examples
    --------
    >>> import pandas as pd
    >>> cat = load_catalog(pd.DataFrame({"creator_id": ["a"], "followers": [5000]}))
    >>> cat.creators[["creator_id", "tier"]].values.tolist()
    [['a', 'nano']]
    """
    if mode not in ("strict", "lenient"):
        raise ValueError(f"The 'mode' parameter of load_catalog must be 'strict' or 'lenient'. Got {mode!r} instead.")
    scheme = TierScheme.preset(tiers) if isinstance(tiers, str) else tiers
    creator_table = read_table(creators, default_name="creators")
    post_table = read_table(posts, default_name="posts") if posts is not None else None
    _require_columns(creator_table, v.CREATOR_COLUMNS)
    if post_table is not None:
        _require_columns(post_table, v.POST_COLUMNS)

    parsed_creators, creator_problems = v.parse_columns(creator_table, v.CREATOR_COLUMNS)
    creator_problems = v.concat_problems(
        [creator_problems, v.duplicate_problems(creator_table, parsed_creators["creator_id"], "creator_id")]
    )
    if post_table is None:
        parsed_posts, post_problems = _empty_posts(), v.concat_problems([])
    else:
        parsed_posts, post_problems = _check_posts(post_table, parsed_creators, creator_table.name)

    if mode == "strict":
        problems = v.concat_problems([creator_problems, post_problems])
        if len(problems):
            raise ValidationError(_problem_message(problems), problems)
        rejected = problems
    else:
        parsed_creators, parsed_posts, rejected = _reject(
            creator_table, parsed_creators, creator_problems, post_table, parsed_posts, post_problems
        )
    if parsed_creators.empty:
        raise CatalogError(f"{creator_table.name}: no valid creator rows; expected at least one.")

    creators_out, creator_notes = _finish_creators(creator_table, parsed_creators, scheme, max_text_tokens)
    posts_out, post_notes = _finish_posts(post_table, parsed_posts, max_text_tokens)
    notes = v.concat_problems([creator_notes, post_notes])
    if len(rejected):
        logger.warning("Rejected %d rows of the catalog; see Catalog.rejected.", rejected[["source", "row"]].drop_duplicates().shape[0])
    if len(notes):
        logger.info("%d texts are longer than %d tokens and will be truncated for embedding.", len(notes), max_text_tokens)
    return Catalog(creators_out, posts_out, rejected, notes, scheme)


def _require_columns(table: Table, schema: tuple[v.Column, ...]) -> None:
    missing = v.missing_columns(table, schema)
    if missing:
        raise CatalogError(
            f"{table.name}: missing required column(s) {missing}; expected at least "
            f"{[c.name for c in schema if c.required]}, found {list(table.frame.columns)}."
        )


def _check_posts(table: Table, creators: pd.DataFrame, creators_name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    parsed, problems = v.parse_columns(table, v.POST_COLUMNS)
    known = pd.Index(creators["creator_id"][creators["creator_id"] != ""].unique())
    parts = [problems, v.unknown_reference_problems(table, parsed["creator_id"].where(parsed["creator_id"] != ""), known, creators_name)]
    if "post_id" in parsed.columns:
        parts.append(v.duplicate_problems(table, parsed["post_id"].where(parsed["post_id"] != ""), "post_id"))
    return parsed, v.concat_problems(parts)


def _reject(creator_table, creators, creator_problems, post_table, posts, post_problems):  # noqa: ANN001, ANN202
    bad_creator_rows = set(creator_problems["row"].tolist())
    keep_creators = ~pd.Series(creator_table.row_numbers, index=creators.index).isin(bad_creator_rows)
    rejected_ids = set(creators.loc[~keep_creators, "creator_id"]) - set(creators.loc[keep_creators, "creator_id"])
    parts = [creator_problems, post_problems]
    if post_table is not None and len(posts):
        already_bad = set(post_problems["row"].tolist())
        rows = pd.Series(post_table.row_numbers, index=posts.index)
        cascade = posts["creator_id"].isin(rejected_ids) & ~rows.isin(already_bad)
        if cascade.any():
            positions = np.flatnonzero(cascade.to_numpy())
            expected = f"a creator_id whose row in {creator_table.name} is valid"
            found = [f"{cid!r}, rejected above" for cid in posts["creator_id"].to_numpy()[positions]]
            msgs = [f"{post_table.name} row {r}, column 'creator_id': expected {expected}, got {f}"
                    for r, f in zip(rows.to_numpy()[positions], found)]
            parts.append(v.problem_frame(post_table.name, rows.to_numpy()[positions], "creator_id", expected, found, msgs))
        rejected = v.concat_problems(parts)
        bad_post_rows = set(rejected.loc[rejected["source"] == post_table.name, "row"].tolist())
        posts = posts[~rows.isin(bad_post_rows)]
    else:
        rejected = v.concat_problems(parts)
    return creators[keep_creators], posts, rejected


def _problem_message(problems: pd.DataFrame) -> str:
    return (v.problems_message(problems, limit=MAX_LISTED_PROBLEMS) +
            "\nFix these rows, or load with mode='lenient' to keep the valid rows and get a report of the rejected ones.")


def _finish_creators(table: Table, creators: pd.DataFrame, scheme: TierScheme, max_tokens: int):  # noqa: ANN202
    creators = creators.copy()
    for column in v.CREATOR_COLUMNS:
        if column.name not in creators.columns:
            creators[column.name] = np.nan if column.kind == "amount" else ""
    creators["followers"] = creators["followers"].astype("int64")
    creators["platform"] = creators["platform"].str.strip().str.lower()
    creators["tier"] = scheme.assign(creators["followers"].to_numpy(dtype=float))
    creators["bio_truncated"], notes = _flag_long_text(table, creators, "bio", max_tokens)
    ordered = [c.name for c in v.CREATOR_COLUMNS] + ["tier", "bio_truncated"]
    rest = [c for c in creators.columns if c not in ordered]
    return creators[ordered + rest].reset_index(drop=True), notes


def _finish_posts(table: Table | None, posts: pd.DataFrame, max_tokens: int):  # noqa: ANN202
    if table is None:
        return _empty_posts(), v.concat_problems([])
    posts = posts.copy()
    if "post_id" not in posts.columns:
        posts["post_id"] = ""
    missing_id = posts["post_id"] == ""
    # Generated ids are stable for a given file: the creator and the row position.
    posts.loc[missing_id, "post_id"] = [f"{c}#{r}" for c, r in zip(posts.loc[missing_id, "creator_id"],
                                                                   table.row_numbers[posts.index[missing_id]])]
    if "views" not in posts.columns:
        posts["views"] = pd.array([pd.NA] * len(posts), dtype="Int64")
    if "posted_at" not in posts.columns:
        posts["posted_at"] = pd.Series(pd.NaT, index=posts.index, dtype="datetime64[ns, UTC]")
    if "is_sponsored" not in posts.columns:
        posts["is_sponsored"] = False
    posts["caption_truncated"], notes = _flag_long_text(table, posts, "caption", max_tokens)
    for column in ("likes", "comments"):
        posts[column] = posts[column].astype("int64")
    rest = [c for c in posts.columns if c not in POST_COLUMNS_OUT + ["caption_truncated"]]
    return posts[POST_COLUMNS_OUT + ["caption_truncated"] + rest].reset_index(drop=True), notes


def _flag_long_text(table: Table, frame: pd.DataFrame, column: str, max_tokens: int):  # noqa: ANN202
    tokens = frame[column].map(lambda s: len(_TOKEN.findall(s)))
    long = tokens > max_tokens
    if not long.any():
        return long.to_numpy(), v.concat_problems([])
    positions = frame.index[long]
    rows = table.row_numbers[positions]
    expected = f"at most {max_tokens} tokens for the model"
    found = [f"about {n} tokens" for n in tokens[long]]
    msgs = [f"{table.name} row {r}, column '{column}': expected {expected}, got {f}; kept, and only the "
            f"first {max_tokens} tokens are embedded" for r, f in zip(rows, found)]
    return long.to_numpy(), v.problem_frame(table.name, rows, column, expected, found, msgs)


def _empty_posts() -> pd.DataFrame:
    return pd.DataFrame({
        "post_id": pd.Series(dtype=object), "creator_id": pd.Series(dtype=object),
        "caption": pd.Series(dtype=object), "likes": pd.Series(dtype="int64"),
        "comments": pd.Series(dtype="int64"), "views": pd.Series(dtype="Int64"),
        "posted_at": pd.Series(dtype="datetime64[ns, UTC]"), "is_sponsored": pd.Series(dtype=bool),
        "caption_truncated": pd.Series(dtype=bool),
    })
