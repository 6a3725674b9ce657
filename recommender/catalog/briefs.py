"""Brand briefs: what a brand wants, as free text plus hard filters."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from numbers import Real
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping, Union

from ..util import CatalogError, check_int, check_number
from .risk_categories import resolve_categories

__all__ = ["BrandBrief", "BriefLike", "as_briefs", "load_briefs"]


_TEXT_LISTS = ("keywords", "exclude_keywords", "tiers", "platforms", "countries", "languages", "values", "competitors")


def _tuple(value: Any, name: str, where: str) -> tuple:
    """A list field as a tuple: None is empty, one str or mapping is one item."""
    if value is None:
        return ()
    if isinstance(value, (str, Mapping)):
        return (value,)
    if isinstance(value, (bytes, Real)) or not isinstance(value, Iterable):
        raise ValueError(f"The '{name}' of {where} must be a list. Got {value!r} instead.")
    return tuple(value)


def _texts(value: Any, name: str, where: str) -> tuple[str, ...]:
    """A list-of-text field: text and numbers (a YAML ``2024``) as str; anything else is an error."""
    items = _tuple(value, name, where)
    bad = [x for x in items if not isinstance(x, (str, Real)) or isinstance(x, bool)]
    if bad:
        raise ValueError(f"The '{name}' of {where} must be text or a list of text. Got {value!r} instead.")
    return tuple(str(x) for x in items)


def _check_filters(filters: Any, where: str) -> dict[str, Any]:
    """``filters`` as a dict of column name to a value, a list of values or ``{"min", "max"}`` numbers."""
    scalar = (str, Real, type(None))
    if not isinstance(filters, Mapping):
        raise ValueError(f"The 'filters' of {where} must be a mapping of column name to allowed values. "
                         f"Got {filters!r} instead.")
    for column, condition in filters.items():
        if isinstance(condition, Mapping):
            ok = set(condition) <= {"min", "max"} and all(
                isinstance(x, Real) and not isinstance(x, bool) for x in condition.values())
        elif isinstance(condition, (list, tuple, set, frozenset)):
            ok = all(isinstance(x, scalar) for x in condition)
        else:
            ok = isinstance(condition, scalar)
        if not isinstance(column, str) or not ok:
            raise ValueError(f"The 'filters' of {where} must map a column name to a value, a list of values or "
                             f"{{'min': number, 'max': number}}. Got {column!r}: {condition!r} instead.")
    return dict(filters)


@dataclass(frozen=True)
class BrandBrief:
    """A brand's request.

    Parameters
    ----------
    name : str
        Brand or campaign name (shown in outputs, not embedded).
    description : str
        The brand, its values and audience, in free text. This is what is matched.
    keywords : sequence of str
        Extra topics to match; they also surface in the reasons.
    exclude_keywords : sequence of str
        Creators whose bio or captions mention any of these are left out.
    tiers : sequence of str
        Allowed tiers (names of the recommender's tier scheme); empty = all.
    min_followers, max_followers : int, optional
    min_engagement_rate : float, optional
        Minimum fair engagement rate, e.g. ``0.02`` for 2%.
    platforms, countries, languages : sequence of str
        Allowed values (case-insensitive); empty = all.
    filters : mapping
        Filters on any other creator column: ``{"niche": ["food", "travel"]}``
        (value in list) or ``{"city": "Austin"}`` (equal).
    brief_id : str, optional
        Identifier used by batch outputs; defaults to the position in the batch.
    avoid_topics : sequence
        Brand-safety risk categories to keep away from: names of
        :data:`~recommender.brandfit.safety.DEFAULT_RISK_CATEGORIES` (``"alcohol"``,
        ``"gambling"``, ...), :class:`~recommender.brandfit.safety.RiskCategory` objects or
        mappings ``{"name", "description", "keywords"}`` for custom ones. Every post
        of a candidate is screened by meaning and by keyword.
    avoid_mode : {"exclude", "penalize"}
        Leave flagged creators out, or keep them with a lower score.
    values : sequence of str
        Brand values in a few words each ("sustainability", "body positivity"): each
        result's best post per value is quoted, and the mean fit adds to the score.
    competitors : sequence of str
        Competing brands: creators who promoted one within ``conflict_days`` are
        left out (``conflict_mode="exclude"``) or flagged (``"flag"``).
    conflict_days : int
        How far back a competitor promotion counts, in days.
    conflict_mode : {"exclude", "flag"}
    max_authenticity_flags : int, optional
        Leave out creators with more authenticity flags than this (0: any flag).

    Examples
    --------
    >>> BrandBrief(name="GreenSprout", description="Plant-based snacks for busy parents", tiers=["micro"]).tiers
    ('micro',)
    """

    name: str
    description: str
    keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    min_followers: int | None = None
    max_followers: int | None = None
    min_engagement_rate: float | None = None
    platforms: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    filters: Mapping[str, Any] = field(default_factory=dict)
    brief_id: str | None = None
    avoid_topics: tuple[Any, ...] = ()
    avoid_mode: Literal["exclude", "penalize"] = "exclude"
    values: tuple[str, ...] = ()
    competitors: tuple[str, ...] = ()
    conflict_days: int = 90
    conflict_mode: Literal["exclude", "flag"] = "exclude"
    max_authenticity_flags: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.name, Real) and not isinstance(self.name, bool):
            object.__setattr__(self, "name", str(self.name))  # a YAML name such as 2024
        if not isinstance(self.name, str):
            raise ValueError(f"The 'name' of a brief must be text. Got {self.name!r} instead.")
        where = f"brief {self.name!r}"
        for name in _TEXT_LISTS:
            object.__setattr__(self, name, _texts(getattr(self, name), name, where))
        object.__setattr__(self, "avoid_topics", _tuple(self.avoid_topics, "avoid_topics", where))
        self._check_brand_fit()
        object.__setattr__(self, "filters", _check_filters({} if self.filters is None else self.filters, where))
        if self.brief_id is not None:
            if not isinstance(self.brief_id, (str, Real)) or isinstance(self.brief_id, bool):
                raise ValueError(f"The 'brief_id' of {where} must be text. Got {self.brief_id!r} instead.")
            object.__setattr__(self, "brief_id", str(self.brief_id))
        if not isinstance(self.description, str) or not self.query_text:
            raise ValueError(
                f"The 'description' of brief {self.name!r} must be non-empty text (or give keywords). "
                f"Got {self.description!r} instead."
            )
        for name in ("min_followers", "max_followers"):
            check_number(getattr(self, name), name, f"brief {self.name!r}", minimum=0, optional=True)
        if self.min_followers is not None and self.max_followers is not None and self.min_followers > self.max_followers:
            raise ValueError(f"Brief {self.name!r} has min_followers {self.min_followers} > max_followers {self.max_followers}.")
        rate = self.min_engagement_rate
        if rate is not None and (not isinstance(rate, Real) or isinstance(rate, bool) or not 0 <= rate <= 1):
            raise ValueError(f"The 'min_engagement_rate' of brief {self.name!r} must be a fraction in [0, 1] "
                             f"(0.02 for 2%). Got {rate!r} instead.")

    def _check_brand_fit(self) -> None:
        """Validate the brand-fit fields (risk categories are resolved, so an unknown one fails here)."""
        where = f"brief {self.name!r}"
        if self.avoid_topics:
            try:
                resolve_categories(self.avoid_topics)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"The 'avoid_topics' of {where}: {exc}") from None
        for name, allowed in (("avoid_mode", ("exclude", "penalize")), ("conflict_mode", ("exclude", "flag"))):
            if not isinstance(getattr(self, name), str) or getattr(self, name) not in allowed:
                raise ValueError(f"The '{name}' of {where} must be one of {list(allowed)}. "
                                 f"Got {getattr(self, name)!r} instead.")
        if any(not c.strip() for c in self.competitors) or any(not v.strip() for v in self.values):
            raise ValueError(f"The 'competitors' and 'values' of {where} must be non-empty names. "
                             f"Got {list(self.competitors)} and {list(self.values)} instead.")
        check_int(self.conflict_days, "conflict_days", where, minimum=0)
        check_int(self.max_authenticity_flags, "max_authenticity_flags", where, minimum=0, optional=True)

    @property
    def brand_fit(self) -> bool:
        """Whether the brief asks for any brand-fit screening beyond niche."""
        return bool(self.avoid_topics or self.values or self.competitors or self.max_authenticity_flags is not None)

    @property
    def query_text(self) -> str:
        """The text that is embedded: description and keywords."""
        return " ".join([self.description.strip()] + [k for k in self.keywords if k.strip()]).strip()

    @classmethod
    def field_names(cls) -> list[str]:
        """Every valid field of a brief."""
        return [f.name for f in fields(cls)]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "brief") -> "BrandBrief":
        """Build from a mapping, rejecting unknown fields with the list of valid ones."""
        if not isinstance(data, Mapping):
            raise ValueError(f"{where}: expected a mapping of brief fields, got {type(data).__name__}.")
        unknown = sorted(set(data) - set(cls.field_names()), key=repr)
        if unknown:
            raise ValueError(f"{where}: unknown brief field(s) {unknown}. Valid fields: {cls.field_names()}.")
        missing = [k for k in ("name", "description") if k not in data]
        if missing:
            raise ValueError(f"{where}: missing required brief field(s) {missing}.")
        try:
            return cls(**data)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where}: {exc}") from exc

    def to_dict(self) -> dict[str, Any]:
        """Fields as plain JSON-friendly values."""
        out = asdict(self)  # RiskCategory objects become mappings, which from_dict accepts back
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


BriefLike = Union[BrandBrief, Mapping[str, Any], str]


def as_briefs(briefs: Iterable[BriefLike]) -> list[BrandBrief]:
    """Briefs as :class:`BrandBrief` objects: a str is a free-text description, a mapping
    is validated by :meth:`BrandBrief.from_dict`; missing ids become ``'1'``, ``'2'``, ... by position.
    """
    if isinstance(briefs, (BrandBrief, str, Mapping)):
        raise TypeError("Expected a sequence of briefs, got a single brief; wrap it in a list.")
    out = []
    for position, brief in enumerate(briefs, start=1):
        if isinstance(brief, str):
            brief = BrandBrief(name="brief", description=brief)
        elif isinstance(brief, Mapping):
            brief = BrandBrief.from_dict(brief, where=f"brief {position}")
        elif not isinstance(brief, BrandBrief):
            raise TypeError(f"Expected a BrandBrief, a mapping or a str for brief {position}, "
                            f"got {type(brief).__name__}.")
        if brief.brief_id is None:
            brief = BrandBrief(**{**brief.__dict__, "brief_id": str(position)})
        out.append(brief)
    return out


def load_briefs(path: str | Path) -> list[BrandBrief]:
    """Read briefs from JSON Lines (one object per line) or YAML (a list of mappings).

    Briefs without ``brief_id`` get ``'1'``, ``'2'``, ... by position; ids must be unique.
    """
    path = Path(path)
    if not path.is_file():
        raise CatalogError(f"{path.name}: no such file at '{path}'.")
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path.name}: not valid UTF-8; save the file with UTF-8 encoding.") from exc
    if suffix in (".jsonl", ".ndjson", ".json"):
        records = list(_json_records(text, path.name))
    elif suffix in (".yaml", ".yml"):
        records = _yaml_records(text, path.name)
    else:
        raise CatalogError(f"{path.name}: unsupported brief file type '{suffix}'; expected .jsonl or .yaml.")
    if not records:
        raise CatalogError(f"{path.name}: no briefs found; expected one JSON object per line (.jsonl) or a list of "
                           "briefs (.yaml).")
    briefs, seen = [], {}
    for position, (where, record) in enumerate(records, start=1):
        brief = BrandBrief.from_dict(record, where=where)
        if brief.brief_id is None:
            brief = BrandBrief(**{**brief.__dict__, "brief_id": str(position)})
        if brief.brief_id in seen:
            raise ValueError(f"{where}: duplicate brief_id {brief.brief_id!r} (first at {seen[brief.brief_id]}).")
        seen[brief.brief_id] = where
        briefs.append(brief)
    return briefs


def _yaml_records(text: str, name: str) -> list[tuple[str, Any]]:
    """The items of a YAML list of briefs (or of a mapping's ``briefs`` list, or one brief mapping)."""
    import yaml

    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or exc
        raise CatalogError(f"{name}{place}: expected YAML (a list of briefs), got invalid YAML ({problem}).") from exc
    if isinstance(loaded, Mapping) and "briefs" in loaded:
        loaded = loaded["briefs"]
    elif isinstance(loaded, Mapping):
        loaded = [loaded]
    if not isinstance(loaded, (list, type(None))):
        raise CatalogError(f"{name}: expected a list of briefs (mappings), got {type(loaded).__name__}.")
    return [(f"{name} item {i}", r) for i, r in enumerate(loaded or [], start=1)]


def _json_records(text: str, name: str) -> Iterable[tuple[str, Any]]:
    # Lines end at '\n' only: str.splitlines would also split at characters a JSON string may hold (U+2028).
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield f"{name} line {number}", json.loads(line)
        except json.JSONDecodeError as exc:
            raise CatalogError(f"{name} line {number}: expected a JSON object, got invalid JSON ({exc.msg}).") from exc
