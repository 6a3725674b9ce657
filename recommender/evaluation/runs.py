"""Evaluate rankers side by side on judged briefs.

:func:`evaluate_rankers` fits each ranker of :mod:`recommender.evaluation.baselines` (or
anything with the same ``fit``/``rank`` interface) on one catalog, ranks the
same briefs and scores every run with :mod:`recommender.evaluation.metrics` against the
same judgments, with bootstrap confidence intervals drawn from the same
resamples of briefs, so the systems' intervals are comparable.
:func:`evaluate_recommender` does the same for one already-built (or loaded)
Recommender, which is what ``recommender evaluate`` runs.

Judgments (*qrels*) come from a file (:func:`load_qrels`) or from creator
labels (:func:`qrels_from_labels`, e.g. every creator of the brief's niche is relevant).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..catalog import BrandBrief, Catalog, TableSource, as_briefs, read_table
from ..catalog import validation as v
from ..ranking import FittedRecommender
from ..util import CatalogError, ValidationError
from .baselines import RUN_COLUMNS, Ranker
from .metrics import VectorsLike, check_cutoffs, list_metrics, macro_average, paired_bootstrap, per_brief_metrics


logger = logging.getLogger(__name__)

__all__ = ["EvaluationReport", "evaluate_rankers", "evaluate_recommender", "load_qrels", "qrels_from_labels",
           "format_report"]

_QRELS_COLUMNS = (
    v.Column("brief_id", "id", required=True, allow_empty=False),
    v.Column("creator_id", "id", required=True, allow_empty=False),
    v.Column("grade", "amount", allow_empty=False),
)
_MAX_LISTED = 20


@dataclass(frozen=True)
class EvaluationReport:
    """Results of an evaluation.

    Attributes
    ----------
    per_brief : DataFrame
        One row per (system, judged brief): ``system``, ``brief_id``, ``ndcg@k``,
        ``precision@k``, ``recall@k`` for each cut-off, ``mrr``, ``map`` and, when
        available, list metrics at ``cutoff`` (``niche_coverage@k``, ``tier_mix@k``,
        ``intra_list_diversity@k``).
    summary : DataFrame
        One row per system, in the order given: ``system``, ``n_briefs``,
        ``ndcg@k`` with ``ndcg@k_ci_low`` / ``ndcg@k_ci_high``, ``precision@k``,
        ``recall@k``, ``mrr``, ``map`` and the numeric list metrics, all at
        ``k = cutoff``, then ``fit_s`` and ``rank_s`` (seconds; NaN when unknown).
    macro : DataFrame
        Every numeric metric of every system with its interval: ``system``,
        ``metric``, ``mean``, ``ci_low``, ``ci_high``.
    runs : DataFrame
        The raw runs: ``system``, ``brief_id``, ``rank``, ``creator_id``, ``score``.
    k : tuple of int
        The cut-offs evaluated. Runs are ``max(k)`` deep, so ``mrr`` and ``map`` are at that depth.
    cutoff : int
        The cut-off of the summary: 10 when evaluated, else the largest.
    """

    per_brief: pd.DataFrame
    summary: pd.DataFrame
    macro: pd.DataFrame
    runs: pd.DataFrame
    k: tuple[int, ...]
    cutoff: int

    @property
    def systems(self) -> list[str]:
        """Names of the systems, in the order evaluated."""
        return self.summary["system"].tolist()

    def compare(self, a: str, b: str, *, metric: str | None = None, n_bootstrap: int = 1000,
                seed: int = 0) -> dict[str, Any]:
        """Paired bootstrap of system ``a`` against ``b`` on one metric (default ``ndcg@cutoff``).

        See :func:`recommender.evaluation.metrics.paired_bootstrap` for the result.
        """
        for name, system in (("a", a), ("b", b)):
            if system not in self.systems:
                raise ValueError(f"The '{name}' parameter of EvaluationReport.compare must be one of "
                                 f"{self.systems}. Got {system!r} instead.")
        metric = metric or f"ndcg@{self.cutoff}"
        rows = self.per_brief.groupby("system", sort=False)
        return paired_bootstrap(rows.get_group(a), rows.get_group(b), metric=metric,
                                n_bootstrap=n_bootstrap, seed=seed)


def evaluate_rankers(
    rankers: Mapping[str, Ranker],
    catalog: Catalog,
    briefs: Sequence[BrandBrief],
    qrels: pd.DataFrame,
    *,
    k: int | Sequence[int] = (5, 10, 20),
    n_bootstrap: int = 1000,
    seed: int = 0,
    vectors: VectorsLike | None = None,
    niche_column: str = "niche",
) -> EvaluationReport:
    """Fit every ranker on ``catalog``, rank the judged briefs and score the runs.

    Parameters
    ----------
    rankers : mapping of str to ranker
        System name to an object with ``fit(catalog)`` and ``rank(briefs, k)``,
        e.g. the rankers of :mod:`recommender.evaluation.baselines`.
    catalog : Catalog
    briefs : sequence of BrandBrief
        Briefs without ``brief_id`` get ``'1'``, ``'2'``, ... by position.
        Only briefs judged in ``qrels`` are ranked.
    qrels : DataFrame
        ``brief_id``, ``creator_id`` and optional ``grade``, e.g. from :func:`load_qrels`.
    k : int or sequence of int
        Cut-offs; runs are ``max(k)`` deep.
    n_bootstrap, seed : int
        Bootstrap resamples of briefs and their seed; every system uses the same resamples.
    vectors : DataFrame, Mapping or tuple, optional
        Creator embeddings for ``intra_list_diversity`` (see :func:`recommender.evaluation.metrics.list_metrics`).
    niche_column : str
        Creator column counted by ``niche_coverage`` when the catalog has it.

    Returns
    -------
    EvaluationReport
    """
    if not isinstance(rankers, Mapping) or not rankers:
        raise ValueError("The 'rankers' parameter of evaluate_rankers must be a non-empty mapping of name to "
                         f"ranker. Got {rankers!r} instead.")
    for name, ranker in rankers.items():
        if not (callable(getattr(ranker, "fit", None)) and callable(getattr(ranker, "rank", None))):
            raise ValueError(f"The ranker {name!r} of evaluate_rankers must have fit(catalog) and rank(briefs, k) "
                             f"methods. Got {type(ranker).__name__} instead.")
    ks = check_cutoffs(k, "evaluate_rankers")
    judged_briefs, qrels = _judged_briefs(briefs, qrels)
    runs, timings = {}, {}
    for name, ranker in rankers.items():
        started = time.perf_counter()
        ranker.fit(catalog)
        fitted = time.perf_counter()
        runs[str(name)] = _checked_run(ranker.rank(judged_briefs, max(ks)), str(name))
        timings[str(name)] = (fitted - started, time.perf_counter() - fitted)
        logger.info("Evaluated %s: fit %.1fs, rank %.1fs.", name, *timings[str(name)])
    return _report(runs, qrels, catalog.creators, ks=ks, n_bootstrap=n_bootstrap, seed=seed, vectors=vectors,
                   niche_column=niche_column, timings=timings)


def evaluate_recommender(
    recommender: FittedRecommender,
    briefs: Sequence[BrandBrief],
    qrels: pd.DataFrame,
    *,
    k: int | Sequence[int] = (5, 10, 20),
    n_bootstrap: int = 1000,
    seed: int = 0,
    name: str = "recommender",
    niche_column: str = "niche",
) -> EvaluationReport:
    """Score a built or loaded :class:`~recommender.recommender.Recommender` on judged briefs.

    As :func:`evaluate_rankers` without fitting: the briefs are ranked by
    ``recommend_batch`` (with their filters), and the Recommender's own creator
    vectors give ``intra_list_diversity``. ``name`` labels the system.
    """
    ks = check_cutoffs(k, "evaluate_recommender")
    judged_briefs, qrels = _judged_briefs(briefs, qrels)
    started = time.perf_counter()
    run = recommender.recommend_batch(judged_briefs, k=max(ks), explain=False)
    timings = {name: (math.nan, time.perf_counter() - started)}
    creators = recommender.creators
    vectors = (creators["creator_id"].to_numpy(), recommender.creator_vectors())
    return _report({name: _checked_run(run, name)}, qrels, creators, ks=ks, n_bootstrap=n_bootstrap,
                   seed=seed, vectors=vectors, niche_column=niche_column, timings=timings)


def _judged_briefs(briefs: Sequence[BrandBrief], qrels: pd.DataFrame) -> tuple[list[BrandBrief], pd.DataFrame]:
    """The briefs that have judgments, and the judgments of those briefs (ids as text)."""
    briefs = as_briefs(briefs)
    ids = [b.brief_id for b in briefs]
    if len(set(ids)) < len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"The 'briefs' parameter must have unique brief_id values. Got duplicates {dup[:10]} instead.")
    if not isinstance(qrels, pd.DataFrame) or not {"brief_id", "creator_id"} <= set(qrels.columns):
        got = list(qrels.columns) if isinstance(qrels, pd.DataFrame) else type(qrels).__name__
        raise ValueError(f"The 'qrels' table must be a DataFrame with columns ['brief_id', 'creator_id'"
                         f"(, 'grade')]. Got {got} instead.")
    qrels = qrels.assign(brief_id=qrels["brief_id"].astype(str), creator_id=qrels["creator_id"].astype(str))
    judged = set(qrels["brief_id"])
    unknown = sorted(judged - set(ids))
    if unknown:
        logger.warning("Ignored the judgments of %d brief(s) absent from 'briefs': %s", len(unknown), unknown[:_MAX_LISTED])
        qrels = qrels[qrels["brief_id"].isin(ids)]
    unjudged = [i for i in ids if i not in judged]
    if unjudged:
        logger.warning("Skipped %d brief(s) without judgments: %s", len(unjudged), unjudged[:_MAX_LISTED])
    kept = [b for b in briefs if b.brief_id in judged]
    if not kept:
        raise ValueError("The 'qrels' table must judge at least one of the briefs. "
                         f"Got brief ids {sorted(judged)[:_MAX_LISTED]} for briefs {ids[:_MAX_LISTED]} instead.")
    return kept, qrels.reset_index(drop=True)


def _checked_run(run: Any, name: str) -> pd.DataFrame:
    if not isinstance(run, pd.DataFrame) or not set(RUN_COLUMNS) <= set(run.columns):
        got = list(run.columns) if isinstance(run, pd.DataFrame) else type(run).__name__
        raise ValueError(f"The run of system {name!r} must be a DataFrame with columns {RUN_COLUMNS}. "
                         f"Got {got} instead.")
    return run[RUN_COLUMNS].assign(brief_id=run["brief_id"].astype(str), creator_id=run["creator_id"].astype(str))


def _report(runs: dict[str, pd.DataFrame], qrels: pd.DataFrame, creators: pd.DataFrame, *, ks: list[int],
            n_bootstrap: int, seed: int, vectors: VectorsLike | None, niche_column: str,
            timings: dict[str, tuple[float, float]]) -> EvaluationReport:
    cutoff = 10 if 10 in ks else max(ks)
    missing = ~qrels["creator_id"].isin(creators["creator_id"].astype(str))
    if missing.any():
        logger.warning("%d judged creator(s) are not in the catalog and can never be retrieved, e.g. %s.",
                       int(missing.sum()), qrels.loc[missing, "creator_id"].head(5).tolist())
    per_brief, macro, rows = [], [], []
    for name, run in runs.items():
        scores = per_brief_metrics(run, qrels, k=ks)
        lists = list_metrics(run, creators, k=cutoff, niche_column=niche_column, vectors=vectors)
        if vectors is None:
            lists = lists.drop(columns=f"intra_list_diversity@{cutoff}")
        scores = scores.merge(lists, on="brief_id", how="left")
        averages = macro_average(scores, n_bootstrap=n_bootstrap, seed=seed)
        per_brief.append(scores.assign(system=name))
        macro.append(averages.assign(system=name))
        rows.append(_summary_row(name, len(scores), averages, cutoff, timings.get(name, (math.nan, math.nan))))
    per_brief_frame = pd.concat(per_brief, ignore_index=True)
    per_brief_frame = per_brief_frame[["system"] + [c for c in per_brief_frame.columns if c != "system"]]
    macro_frame = pd.concat(macro, ignore_index=True)[["system", "metric", "mean", "ci_low", "ci_high"]]
    run_frame = pd.concat([run.assign(system=name) for name, run in runs.items()], ignore_index=True)
    return EvaluationReport(per_brief=per_brief_frame, summary=pd.DataFrame(rows), macro=macro_frame,
                            runs=run_frame[["system"] + RUN_COLUMNS], k=tuple(ks), cutoff=cutoff)


def _summary_row(name: str, n_briefs: int, averages: pd.DataFrame, cutoff: int,
                 timing: tuple[float, float]) -> dict[str, Any]:
    stats = averages.set_index("metric")
    ndcg = f"ndcg@{cutoff}"
    row: dict[str, Any] = {"system": name, "n_briefs": n_briefs, ndcg: stats.at[ndcg, "mean"],
                           f"{ndcg}_ci_low": stats.at[ndcg, "ci_low"], f"{ndcg}_ci_high": stats.at[ndcg, "ci_high"]}
    for metric in (f"precision@{cutoff}", f"recall@{cutoff}", "mrr", "map", f"niche_coverage@{cutoff}",
                   f"intra_list_diversity@{cutoff}"):
        if metric in stats.index:
            row[metric] = stats.at[metric, "mean"]
    row["fit_s"], row["rank_s"] = timing
    return row


def load_qrels(path: TableSource) -> pd.DataFrame:
    """Read judgments: one row per (brief, creator) with an optional grade.

    Parameters
    ----------
    path : path or DataFrame
        A ``.csv`` (or ``.parquet`` / ``.jsonl``) file with columns ``brief_id``,
        ``creator_id`` and optional ``grade`` (a number >= 0; 0 = judged not relevant).

    Returns
    -------
    DataFrame
        ``brief_id`` and ``creator_id`` as text, ``grade`` as float (1.0 when the file has no grade column).

    Raises
    ------
    CatalogError
        If the file cannot be read or lacks a required column.
    ValidationError
        Listing every bad row (empty id, bad grade, repeated pair) by file, row and column.
    """
    table = read_table(path, default_name="qrels")
    missing = v.missing_columns(table, _QRELS_COLUMNS)
    if missing:
        raise CatalogError(f"{table.name}: missing required column(s) {missing}; expected at least "
                           f"['brief_id', 'creator_id'] (and optionally 'grade'), found {list(table.frame.columns)}.")
    parsed, problems = v.parse_columns(table, _QRELS_COLUMNS)
    pairs = parsed["brief_id"].astype(str) + "\x00" + parsed["creator_id"].astype(str)
    valid_ids = (parsed["brief_id"] != "") & (parsed["creator_id"] != "")
    repeated = v.duplicate_problems(table, pairs.where(valid_ids), "creator_id",
                                    expected="a (brief_id, creator_id) pair not given before",
                                    shown=lambda pair: "({!r}, {!r})".format(*pair.split("\x00")))
    problems = v.concat_problems([problems, repeated])
    if len(problems):
        raise ValidationError(v.problems_message(problems, limit=_MAX_LISTED), problems)
    grade = parsed["grade"].astype(float) if "grade" in parsed.columns else 1.0
    return pd.DataFrame({"brief_id": parsed["brief_id"].astype(str), "creator_id": parsed["creator_id"].astype(str),
                         "grade": grade}).reset_index(drop=True)


def qrels_from_labels(creators: pd.DataFrame | Catalog, brief_labels: Mapping[str, Any], *,
                      column: str = "niche", grade: float = 1.0) -> pd.DataFrame:
    """Judgments from creator labels: a creator is relevant to a brief when its label matches the brief's.

    Parameters
    ----------
    creators : DataFrame or Catalog
        ``creator_id`` and the label ``column``.
    brief_labels : mapping
        ``brief_id`` to a label, or to a collection of labels (any one matches).
        Labels match after trimming spaces, ignoring case.
    column : str
        Creator column holding the label.
    grade : float
        Grade of every relevant creator.

    Returns
    -------
    DataFrame
        ``brief_id``, ``creator_id``, ``grade``: the relevant creators only, briefs in
        the order given, creators in catalog order.
    """
    frame = creators.creators if isinstance(creators, Catalog) else creators
    if not isinstance(frame, pd.DataFrame) or not {"creator_id", column} <= set(frame.columns):
        got = list(frame.columns) if isinstance(frame, pd.DataFrame) else type(frame).__name__
        raise ValueError(f"The 'creators' table of qrels_from_labels must have columns ['creator_id', {column!r}]. "
                         f"Got {got} instead.")
    if not isinstance(brief_labels, Mapping):
        raise ValueError("The 'brief_labels' parameter of qrels_from_labels must be a mapping of brief_id to label. "
                         f"Got {type(brief_labels).__name__} instead.")
    labels = frame[column].astype(str).str.strip().str.casefold().where(frame[column].notna())
    ids = frame["creator_id"].astype(str).to_numpy()
    parts = []
    for brief_id, wanted in brief_labels.items():
        wanted = [wanted] if isinstance(wanted, str) or not isinstance(wanted, Collection) else list(wanted)
        match = labels.isin({str(w).strip().casefold() for w in wanted}).to_numpy()
        if not match.any():
            logger.warning("No creator has %s %s for brief %r; it has no relevant creator.", column, wanted, brief_id)
        parts.append(pd.DataFrame({"brief_id": str(brief_id), "creator_id": ids[match], "grade": float(grade)}))
    if not parts:
        return pd.DataFrame({"brief_id": pd.Series(dtype=object), "creator_id": pd.Series(dtype=object),
                             "grade": pd.Series(dtype=float)})
    return pd.concat(parts, ignore_index=True)


def format_report(report: EvaluationReport, *, per_brief: bool = False) -> str:
    """The report as plain-text tables for a terminal.

    The summary (one row per system, nDCG with its interval) always; with
    ``per_brief``, each system's per-brief metrics and macro averages with intervals.
    """
    cut = report.cutoff
    ndcg = f"ndcg@{cut}"
    summary = report.summary
    table = pd.DataFrame({"system": summary["system"], "briefs": summary["n_briefs"],
                          f"nDCG@{cut} [95% CI]": [f"{m:.3f} [{lo:.3f}, {hi:.3f}]" for m, lo, hi in
                                                   summary[[ndcg, f"{ndcg}_ci_low", f"{ndcg}_ci_high"]].to_numpy()]})
    labels = {f"precision@{cut}": f"P@{cut}", f"recall@{cut}": f"R@{cut}", "mrr": "MRR", "map": "MAP",
              f"niche_coverage@{cut}": f"niches@{cut}", f"intra_list_diversity@{cut}": f"ILD@{cut}"}
    for metric, label in labels.items():
        if metric in summary.columns:
            table[label] = summary[metric].map(lambda x: f"{x:.3f}")
    for metric, label in (("fit_s", "fit s"), ("rank_s", "rank s")):
        table[label] = summary[metric].map(lambda x: "-" if pd.isna(x) else f"{x:.2f}")
    depth = max(report.k)
    lines = [f"Cut-offs {', '.join(map(str, report.k))}; MRR and MAP over the top {depth}; "
             "95% percentile-bootstrap intervals over briefs.", "", table.to_string(index=False)]
    if per_brief:
        for system in report.systems:
            rows = report.per_brief[report.per_brief["system"] == system].drop(columns="system")
            macro = report.macro[report.macro["system"] == system]
            averages = pd.DataFrame({"metric": macro["metric"], "mean [95% CI]": [
                f"{m:.3f} [{lo:.3f}, {hi:.3f}]" for m, lo, hi in macro[["mean", "ci_low", "ci_high"]].to_numpy()]})
            lines += ["", f"Per brief: {system}", rows.to_string(index=False, float_format=lambda x: f"{x:.3f}"),
                      "", f"Macro average: {system}", averages.to_string(index=False)]
    return "\n".join(lines)
