"""Property-based fuzzing of the loaders: any table, file or brief either loads into a valid catalog or is refused
with one of the package's errors naming the file (and the row and column where there is one); never another
exception. The examples are derandomised and no database is kept, so every run tries the same inputs."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import pandas as pd
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from recommender.catalog import BrandBrief, load_briefs, load_catalog, read_table
from recommender.evaluation import load_qrels
from recommender.util import CatalogError, ValidationError

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

TEXT = st.text(max_size=10)
NUMBER = st.one_of(st.integers(-5, 10**7), st.integers(-2**70, 2**70), st.floats())
ODD = st.sampled_from(["12k", "1e3", "+5", "-0", " 7 ", "0x10", "1_000", "١٢", "½", "1e400", "nan", "inf", "-inf",
                       "None", "null", "<NA>", "true", "", " ", "\t", "0.5", "3.0", "1,000", "\ud800", "a\x00b",
                       "word " * 400, "=cmd|' /C calc'!A0", "<script>"])
VALUE = st.one_of(TEXT, NUMBER, ODD, st.none(), st.booleans(), st.just(pd.NA), st.datetimes(),
                  st.lists(st.integers(), max_size=2), st.dictionaries(TEXT, st.integers(), max_size=1),
                  st.binary(max_size=3))
IDS = st.one_of(st.sampled_from(["a", "b", "c", " a", "a ", "c d", "", "1", "1.0", "a#removed"]),
                st.sampled_from([1, 1.0, 2, -1, 1e20]), VALUE)
COUNT = st.one_of(st.integers(0, 10**7), NUMBER, ODD, VALUE)
TIME = st.one_of(st.sampled_from(["2025-01-01", "2025-01-01T10:00:00Z", "99999999999", "9999999999.5", "123456789",
                                  "0", "-1", "2025-13-45", "99999-01-01", "1e10", "0001-01-01", "2262-04-12",
                                  "9999-12-31T23:59:59+14:00", "1677-09-21", "12345678901234567890"]), VALUE)
FLAG = st.one_of(st.sampled_from(["true", "no", "Y", "1", "0.0", "maybe"]), VALUE)
CREATOR_COLUMNS = {"creator_id": IDS, "followers": COUNT, "handle": VALUE, "platform": VALUE, "bio": VALUE,
                   "country": VALUE, "language": VALUE, "cost": COUNT, "following": COUNT}
POST_COLUMNS = {"creator_id": IDS, "caption": VALUE, "likes": COUNT, "comments": COUNT, "post_id": IDS,
                "views": COUNT, "posted_at": TIME, "is_sponsored": FLAG}
QREL_COLUMNS = {"brief_id": IDS, "creator_id": IDS, "grade": COUNT}
VARIANTS = ["Followers", " followers ", "CREATOR_ID", "creator_id", "tier", "bio_truncated", "caption_truncated", ""]


@st.composite
def frames(draw, schema: dict) -> pd.DataFrame:
    """A table over some of ``schema``'s columns (each usually there), odd extra or repeated names, any cells."""
    names = [name for name in schema if draw(st.integers(0, 9)) < 8]
    names += draw(st.lists(st.one_of(st.sampled_from(VARIANTS), TEXT), max_size=2))
    names = draw(st.permutations(names))
    rows = draw(st.integers(0, 5))
    cells = [[draw(schema.get(str(n).strip().lower(), VALUE)) for n in names] for _ in range(rows)]
    typed = draw(st.sampled_from(["object", "inferred", "category"]))
    try:
        frame = pd.DataFrame(cells, columns=names, dtype=None if typed == "inferred" else object)
    except UnicodeError:  # pandas cannot infer a text column holding '\ud800'
        frame = pd.DataFrame(cells, columns=names, dtype=object)
    if typed == "category" and len(names):
        try:
            frame.isetitem(0, frame.iloc[:, 0].astype("category"))
        except TypeError:  # unhashable cells (lists, dicts) cannot be categories
            pass
    return frame


@st.composite
def files(draw, schema: dict) -> tuple[str, bytes]:
    """A file suffix and content: a table written as CSV, JSON Lines or Parquet, then perhaps damaged."""
    frame = draw(frames(schema))
    kind = draw(st.sampled_from(["csv", "csv", "jsonl", "parquet", "bytes"]))
    if kind == "bytes":
        return draw(st.sampled_from([".csv", ".jsonl", ".parquet", ".txt", ""])), draw(st.binary(max_size=60))
    if kind == "parquet":
        return ".parquet", _parquet(frame)
    if kind == "jsonl":
        lines = [json.dumps(dict(zip(map(str, frame.columns), row)), default=str) for row in frame.itertuples(index=False)]
        lines += draw(st.lists(st.sampled_from(["", "[1, 2]", '"text"', "{", '{"followers": 1e999}', "null",
                                                '{"creator_id": {"x": 1}}']), max_size=2))
        text = "\n".join(draw(st.permutations(lines)))
    else:
        text = frame.to_csv(index=False, sep=draw(st.sampled_from([",", ",", ";", "\t"])))
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(["", '"', "\n\n", "\x00", ",,,,", "\r"])) + text[cut:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    return f".{kind}", text.encode(encoding, errors="replace")


def _parquet(frame: pd.DataFrame) -> bytes:
    frame = frame.loc[:, ~frame.columns.duplicated()]
    frame.columns = [str(c) for c in frame.columns]
    buffer = io.BytesIO()
    try:
        frame.to_parquet(buffer, index=False)
    except Exception:  # mixed cells pyarrow cannot store: store their text
        buffer = io.BytesIO()
        frame.map(lambda x: str(x).encode("utf-8", "replace").decode()).to_parquet(buffer, index=False)
    return buffer.getvalue()


def _write(folder: str, name: str, file: tuple[str, bytes]) -> Path:
    path = Path(folder) / f"{name}{file[0]}"
    path.write_bytes(file[1])
    return path


def _input_rows(source) -> int | None:
    """Rows a source holds as the loader reads them (None when it cannot be read)."""
    try:
        return len(read_table(source, default_name="x").frame)
    except CatalogError:
        return None


def _check_catalog(creators, posts, mode: str) -> None:
    """The catalog is valid, or the error is the package's and names the file."""
    names = ["creators", "posts"] if isinstance(creators, pd.DataFrame) else [creators.name, posts.name]
    try:
        catalog = load_catalog(creators, posts, mode=mode)
    except (CatalogError, ValidationError) as exc:
        assert any(str(exc).startswith(name) or f" in {name}" in str(exc) for name in names), str(exc)
        if isinstance(exc, ValidationError):
            assert len(exc.problems) and exc.problems["source"].isin(names).all()
            assert exc.problems["message"].str.contains(r" row \d+, column '", regex=True).all()
        return
    found = catalog.creators
    assert found["creator_id"].is_unique and (found["creator_id"].str.strip() != "").all()
    assert found["followers"].dtype == "int64" and (found["followers"] >= 0).all()
    assert found["tier"].notna().all()
    assert catalog.posts["creator_id"].isin(found["creator_id"]).all() and catalog.posts["post_id"].is_unique
    assert (catalog.posts[["likes", "comments"]] >= 0).all().all()
    rejected = catalog.rejected
    assert rejected[["source", "row", "column"]].notna().all().all()
    assert rejected["message"].str.contains(r" row \d+, column '", regex=True).all()
    kept = {"creators": len(found), "posts": len(catalog.posts)}
    for name, source, key in zip(names, (creators, posts), kept):
        if source is None:
            continue
        rows = _input_rows(source)
        dropped = rejected.loc[rejected["source"] == name, "row"].nunique()
        assert rows == kept[key] + dropped, f"{name}: {rows} rows in, {kept[key]} kept, {dropped} reported"


# Inputs that crashed the loaders before they were fixed, tried on every run.
ONE_CREATOR = pd.DataFrame({"creator_id": ["a"], "followers": [10]})
POSTS = pd.DataFrame({"creator_id": "a", "caption": ["x", "\ud800", "z", "w", "v"], "likes": 1, "comments": 0,
                      "posted_at": ["99999999999", "-1", "9999999999.5", b"\x80", "2025-01-01"],
                      "niche": [b"\xff", "\udc80", "food", None, 1]}, dtype=object)
SAME_NAMES = pd.DataFrame([["a", 1, 2]], columns=["creator_id", "followers", " Followers"])


@FUZZ
@given(frames(CREATOR_COLUMNS), st.one_of(st.none(), frames(POST_COLUMNS)), st.sampled_from(["strict", "lenient"]))
@example(ONE_CREATOR, POSTS, "lenient")
@example(ONE_CREATOR, POSTS, "strict")
@example(SAME_NAMES, None, "lenient")
def test_any_creator_and_post_frames_load_or_are_refused_clearly(creators, posts, mode):
    _check_catalog(creators, posts, mode)


@FUZZ
@given(files(CREATOR_COLUMNS), files(POST_COLUMNS), st.sampled_from(["strict", "lenient"]))
@example((".csv", b"creator_id,followers,followers\na,1,2\n"), (".csv", b"creator_id,caption,likes,comments\n"), "strict")
@example((".jsonl", b'{"creator_id": "a", "followers": 1, "bio": "\\ud800"}\n{"creator_id": "b", "followers": 2}'),
         (".jsonl", '{"creator_id": "b", "caption": "one\u2028line", "likes": 1, "comments": 0}'.encode()), "lenient")
def test_any_creator_and_post_files_load_or_are_refused_clearly(creators, posts, mode):
    with tempfile.TemporaryDirectory() as folder:
        _check_catalog(_write(folder, "creators", creators), _write(folder, "posts", posts), mode)


@FUZZ
@given(files(QREL_COLUMNS))
def test_any_judgment_file_loads_or_is_refused_clearly(file):
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, "qrels", file)
        try:
            qrels = load_qrels(path)
        except (CatalogError, ValidationError) as exc:
            assert str(exc).startswith(path.name) or f" in {path.name}" in str(exc), str(exc)
            return
        assert (qrels[["brief_id", "creator_id"]] != "").all().all() and (qrels["grade"] >= 0).all()
        assert not qrels.duplicated(["brief_id", "creator_id"]).any()


BRIEF_VALUE = st.one_of(VALUE, st.lists(VALUE, max_size=3), st.sampled_from([["alcohol"], ["gambling", "nope"],
                        [{"name": "x", "description": "d", "keywords": ["k"]}], {"niche": ["food"]},
                        {"followers": {"min": 1}}, {"x": {"min": "a"}}, {"x": {"low": 1}}, "exclude", "flag"]))
FIELDS = st.dictionaries(st.one_of(st.sampled_from(BrandBrief.field_names()), TEXT), BRIEF_VALUE, max_size=6)
BRIEFS = st.fixed_dictionaries({"name": st.one_of(TEXT, VALUE), "description": st.one_of(TEXT, VALUE)}).flatmap(
    lambda base: FIELDS.map(lambda extra: {**base, **extra}))


def _check_brief(brief: BrandBrief) -> None:
    assert isinstance(brief.name, str) and isinstance(brief.description, str) and brief.query_text
    for name in ("keywords", "exclude_keywords", "tiers", "platforms", "countries", "languages", "values",
                 "competitors"):
        assert all(isinstance(x, str) for x in getattr(brief, name))
    assert isinstance(brief.filters, dict) and all(isinstance(k, str) for k in brief.filters)
    json.dumps(brief.to_dict(), default=str)


@FUZZ
@given(BRIEFS)
@example({"name": "b", "description": "", "keywords": ""})
@example({"name": "b", "description": "d", "avoid_mode": pd.NA})
@example({"name": None, "description": "d"})
@example({"name": "b", "description": "d", "keywords": 5, "filters": ["alcohol"]})
@example({"name": "b", "description": "d", "avoid_topics": [5]})
def test_any_brief_fields_make_a_valid_brief_or_a_clear_error(fields):
    try:
        brief = BrandBrief(**{str(k): v for k, v in fields.items()})
    except (ValueError, TypeError) as exc:
        assert type(exc) in (ValueError, TypeError), repr(exc)
        assert "brief" in str(exc) or "BrandBrief" in str(exc), repr(exc)
        return
    _check_brief(brief)


@FUZZ
@given(st.lists(BRIEFS, max_size=3), st.sampled_from(["jsonl", "yaml", "json", "bytes", "text"]), st.binary(max_size=40),
       st.text(max_size=40))
@example([], "text", b"", "{a: [")  # invalid YAML
@example([], "text", b"", "5")  # YAML, but not a list
@example([], "text", b"", "1: 2\n3: 4")  # a mapping with keys that are not names
def test_any_brief_file_loads_or_is_refused_clearly(briefs, kind, raw, text):
    with tempfile.TemporaryDirectory() as folder:
        if kind in ("jsonl", "json"):
            content = "\n".join(json.dumps(b, default=str) for b in briefs).encode()
        elif kind == "yaml":
            content = yaml.safe_dump([{str(k): v for k, v in b.items()} for b in briefs if _yaml_safe(b)]).encode()
        else:
            content = raw if kind == "bytes" else text.encode("utf-8", errors="replace")
            kind = "yaml" if len(content) % 2 else "jsonl"
        path = Path(folder) / f"briefs.{kind}"
        path.write_bytes(content)
        try:
            loaded = load_briefs(path)
        except (ValueError, TypeError) as exc:
            assert type(exc) in (CatalogError, ValueError, TypeError), repr(exc)
            assert str(exc).startswith(path.name), repr(exc)
            return
    assert len({b.brief_id for b in loaded}) == len(loaded)
    for brief in loaded:
        _check_brief(brief)


def _yaml_safe(brief: dict) -> bool:
    try:
        yaml.safe_dump(brief)
    except yaml.YAMLError:
        return False
    return True
