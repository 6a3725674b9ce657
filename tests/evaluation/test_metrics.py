"""Tests of recommender.evaluation.metrics against hand-computed values and reference implementations."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pytest

from recommender.evaluation.metrics import evaluate_run, list_metrics, macro_average, paired_bootstrap, per_brief_metrics

LOG2_3 = math.log2(3)  # 1.5849625...


def make_run(brief: str, creators: list[str]) -> pd.DataFrame:
    """A run listing ``creators`` for ``brief`` at ranks 1, 2, ..."""
    return pd.DataFrame({"brief_id": brief, "creator_id": creators, "rank": range(1, len(creators) + 1)})


def row_of(per_brief: pd.DataFrame, brief: str) -> pd.Series:
    return per_brief.set_index("brief_id").loc[brief]


# --------------------------------------------------------------------------- per-brief metrics


def test_binary_ranking_metrics_on_five_items() -> None:
    # Ranked list a, b, c, d, e; relevant: a (rank 1) and c (rank 3), 2 relevant in all.
    run = make_run("b1", ["a", "b", "c", "d", "e"])
    qrels = pd.DataFrame({"brief_id": "b1", "creator_id": ["a", "c"]})
    row = row_of(per_brief_metrics(run, qrels, k=[1, 2, 3, 5]), "b1")
    # DCG@5 = 1/log2(2) + 1/log2(4) = 1 + 0.5 = 1.5; IDCG = 1 + 1/log2(3) = 1.6309298; nDCG = 0.9197208
    assert row["ndcg@5"] == pytest.approx(1.5 / (1 + 1 / LOG2_3))
    assert row["ndcg@5"] == pytest.approx(0.9197208, abs=1e-7)
    # @1: DCG = 1, IDCG = 1 -> 1.0; @2: DCG = 1, IDCG = 1.6309298 -> 0.6131472
    assert row["ndcg@1"] == pytest.approx(1.0)
    assert row["ndcg@2"] == pytest.approx(0.6131472, abs=1e-7)
    # precision@3 = 2 hits / 3, precision@5 = 2 / 5; recall@1 = 1 / 2, recall@5 = 2 / 2
    assert row["precision@3"] == pytest.approx(2 / 3)
    assert row["precision@5"] == pytest.approx(0.4)
    assert row["recall@1"] == pytest.approx(0.5)
    assert row["recall@5"] == pytest.approx(1.0)
    # first relevant at rank 1 -> MRR = 1; AP = (1/1 + 2/3) / 2 = 0.8333333
    assert row["mrr"] == pytest.approx(1.0)
    assert row["map"] == pytest.approx(5 / 6)


def test_graded_ndcg_counts_unretrieved_relevant_items_in_the_ideal() -> None:
    # Ranked c1..c5. Grades: c1 = 1 (rank 1), c3 = 3 (rank 3), c5 = 0 (judged, not relevant),
    # c9 = 2 (relevant but never retrieved). Gains 2**g - 1: c1 -> 1, c3 -> 7, c9 -> 3.
    run = make_run("b1", ["c1", "c2", "c3", "c4", "c5"])
    qrels = pd.DataFrame({"brief_id": "b1", "creator_id": ["c1", "c3", "c5", "c9"], "grade": [1, 3, 0, 2]})
    row = row_of(per_brief_metrics(run, qrels, k=5), "b1")
    # DCG@5 = 1/log2(2) + 7/log2(4) = 1 + 3.5 = 4.5
    # IDCG@5 = 7/log2(2) + 3/log2(3) + 1/log2(4) = 7 + 1.8927893 + 0.5 = 9.3927893
    assert row["ndcg@5"] == pytest.approx(4.5 / (7 + 3 / LOG2_3 + 0.5))
    assert row["ndcg@5"] == pytest.approx(0.4790910, abs=1e-7)
    # relevant (grade > 0): c1, c3, c9 -> precision@5 = 2/5, recall@5 = 2/3
    assert row["precision@5"] == pytest.approx(0.4)
    assert row["recall@5"] == pytest.approx(2 / 3)
    # AP = (1/1 + 2/3) / 3 relevant = 0.5555556
    assert row["map"] == pytest.approx(5 / 9)


def test_mrr_and_ap_when_first_hit_is_late() -> None:
    # Relevant x at rank 4 and y at rank 5 (2 relevant): MRR = 1/4; AP = (1/4 + 2/5) / 2 = 0.325
    run = make_run("b1", ["a", "b", "c", "x", "y"])
    qrels = pd.DataFrame({"brief_id": "b1", "creator_id": ["x", "y"]})
    row = row_of(per_brief_metrics(run, qrels, k=3), "b1")
    assert row["mrr"] == pytest.approx(0.25)
    assert row["map"] == pytest.approx(0.325)
    # nothing relevant in the top 3
    assert row["ndcg@3"] == 0.0 and row["precision@3"] == 0.0 and row["recall@3"] == 0.0


def test_brief_without_results_scores_zero_and_unjudged_brief_is_ignored(caplog: pytest.LogCaptureFixture) -> None:
    run = pd.concat([make_run("b1", ["a", "b"]), make_run("only_in_run", ["a"])])
    qrels = pd.DataFrame({"brief_id": ["b1", "no_results"], "creator_id": ["a", "a"]})
    with caplog.at_level(logging.WARNING, logger="recommender.evaluation.metrics"):
        per_brief = per_brief_metrics(run, qrels, k=(1, 5))
    assert list(per_brief["brief_id"]) == ["b1", "no_results"]
    assert (per_brief.set_index("brief_id").loc["no_results"] == 0.0).all()
    assert "only_in_run" in caplog.text
    # column order: brief_id, then per k ndcg/precision/recall, then mrr, map
    assert list(per_brief.columns) == [
        "brief_id", "ndcg@1", "precision@1", "recall@1", "ndcg@5", "precision@5", "recall@5", "mrr", "map",
    ]


def test_ranks_are_derived_from_score_with_ties_broken_by_creator_id() -> None:
    # Scores: a 0.1, b 0.9, d 0.5, c 0.5 -> order b, c, d, a (tie c/d broken by id). Relevant d at rank 3.
    run = pd.DataFrame({"brief_id": "b1", "creator_id": ["a", "b", "d", "c"], "score": [0.1, 0.9, 0.5, 0.5]})
    qrels = pd.DataFrame({"brief_id": "b1", "creator_id": ["d"]})
    by_score = per_brief_metrics(run, qrels, k=2)
    assert row_of(by_score, "b1")["mrr"] == pytest.approx(1 / 3)
    explicit = per_brief_metrics(make_run("b1", ["b", "c", "d", "a"]), qrels, k=2)
    pd.testing.assert_frame_equal(by_score, explicit)


def test_ndcg_matches_sklearn_and_ap_mrr_match_brute_force() -> None:
    sk = pytest.importorskip("sklearn.metrics")  # test-only reference, imported here to keep collection fast
    rng = np.random.default_rng(7)
    n_briefs, n_items, depth = 30, 20, 15
    runs, qrels, truth = [], [], {}
    for b in range(n_briefs):
        grades = (rng.random(n_items) < 0.3).astype(int)
        grades[rng.integers(n_items)] = 1  # at least one relevant item per brief
        scores = rng.random(n_items)
        ids = [f"c{i}" for i in range(n_items)]
        order = np.argsort(-scores)[:depth]  # the run misses the 5 lowest-scored items
        runs.append(pd.DataFrame({"brief_id": b, "creator_id": [ids[i] for i in order], "score": scores[order]}))
        qrels.append(pd.DataFrame({"brief_id": b, "creator_id": ids, "grade": grades}))
        truth[b] = (grades, scores, grades[order])
    per_brief = per_brief_metrics(pd.concat(runs), pd.concat(qrels), k=(5, 10, 15)).set_index("brief_id")
    full_recall = 0
    for b, (grades, scores, ranked) in truth.items():
        for k in (5, 10, 15):  # grades in {0, 1}: 2**g - 1 == g, sklearn's linear gains agree
            assert per_brief.loc[b, f"ndcg@{k}"] == pytest.approx(sk.ndcg_score([grades], [scores], k=k))
        hits = np.cumsum(ranked)
        ap = sum(hits[i] / (i + 1) for i in range(depth) if ranked[i]) / grades.sum()
        assert per_brief.loc[b, "map"] == pytest.approx(ap)
        assert per_brief.loc[b, "mrr"] == pytest.approx(1 / (np.argmax(ranked) + 1) if ranked.any() else 0.0)
        if ranked.sum() == grades.sum():  # every relevant item retrieved: sklearn's AP applies
            assert per_brief.loc[b, "map"] == pytest.approx(sk.average_precision_score(grades, scores))
            full_recall += 1
    assert full_recall > 0  # the sklearn AP comparison did run


def test_graded_ndcg_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    grades = rng.integers(0, 4, size=12).astype(float)
    grades[0] = 2
    ids = [f"c{i}" for i in range(12)]
    run = make_run("b", ids[:8])  # items 8..11 judged but not retrieved
    qrels = pd.DataFrame({"brief_id": "b", "creator_id": ids, "grade": grades})
    gains = 2**grades - 1
    dcg = sum(gains[i] / math.log2(i + 2) for i in range(6))
    ideal = sorted(gains, reverse=True)
    idcg = sum(ideal[i] / math.log2(i + 2) for i in range(6))
    assert row_of(per_brief_metrics(run, qrels, k=6), "b")["ndcg@6"] == pytest.approx(dcg / idcg)


def test_many_briefs_shape() -> None:
    rng = np.random.default_rng(0)
    n_briefs, depth = 200, 50
    run = pd.DataFrame({
        "brief_id": np.repeat(np.arange(n_briefs), depth),
        "creator_id": rng.integers(0, 10_000, size=n_briefs * depth),
        "score": rng.random(n_briefs * depth),
    })
    qrels = run.sample(frac=0.1, random_state=0).drop_duplicates(["brief_id", "creator_id"])
    per_brief, macro = evaluate_run(run, qrels, k=(5, 10), n_bootstrap=200)
    assert len(per_brief) == qrels["brief_id"].nunique()
    assert list(macro["metric"]) == list(per_brief.columns[1:])
    assert per_brief.drop(columns="brief_id").to_numpy().min() >= 0
    assert per_brief.drop(columns="brief_id").to_numpy().max() <= 1 + 1e-12


# --------------------------------------------------------------------------- bootstrap


def _per_brief(values: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"brief_id": np.arange(len(values)), "ndcg@10": values})


def test_macro_average_ci_contains_mean_and_narrows_with_more_briefs() -> None:
    rng = np.random.default_rng(1)
    few = macro_average(_per_brief(rng.random(20)), n_bootstrap=500).iloc[0]
    many = macro_average(_per_brief(rng.random(2000)), n_bootstrap=500).iloc[0]
    for row in (few, many):
        assert row["ci_low"] <= row["mean"] <= row["ci_high"]
    assert many["ci_high"] - many["ci_low"] < few["ci_high"] - few["ci_low"]
    # 20 briefs: the mean is the plain average
    values = rng.random(20)
    assert macro_average(_per_brief(values)).iloc[0]["mean"] == pytest.approx(values.mean())


def test_macro_average_single_brief_and_reproducibility() -> None:
    one = macro_average(_per_brief(np.array([0.42])), n_bootstrap=50).iloc[0]
    assert one["ci_low"] == one["ci_high"] == one["mean"] == pytest.approx(0.42)
    table = _per_brief(np.linspace(0, 1, 30))
    pd.testing.assert_frame_equal(macro_average(table, seed=5), macro_average(table, seed=5))
    assert list(macro_average(table).columns) == ["metric", "mean", "ci_low", "ci_high"]


def test_paired_bootstrap_identical_and_shifted_runs() -> None:
    base = _per_brief(np.random.default_rng(2).random(40))
    same = paired_bootstrap(base, base.copy(), metric="ndcg@10", n_bootstrap=200)
    assert same["mean_diff"] == 0.0 and same["ci_low"] == 0.0 and same["ci_high"] == 0.0
    assert same["p_value"] == 1.0  # every bootstrap difference is 0, i.e. <= 0
    better = base.assign(**{"ndcg@10": base["ndcg@10"] + 0.1}).iloc[::-1]  # row order must not matter
    shifted = paired_bootstrap(better, base, metric="ndcg@10", n_bootstrap=200)
    assert shifted["mean_diff"] == pytest.approx(0.1)
    assert shifted["ci_low"] == pytest.approx(0.1) and shifted["ci_high"] == pytest.approx(0.1)
    assert shifted["p_value"] == 0.0 and shifted["n_briefs"] == 40


# --------------------------------------------------------------------------- list metrics


CREATORS = pd.DataFrame({
    "creator_id": ["c1", "c2", "c3", "c4"],
    "niche": ["beauty", "beauty", "food", "travel"],
    "tier": ["micro", "nano", "micro", "macro"],
})


def test_list_metrics_tier_mix_coverage_and_diversity() -> None:
    # b1 top 3: c1 micro/beauty, c2 nano/beauty, c3 micro/food (c4 at rank 4 is cut off)
    # b2 top 2: c4 macro/travel, c2 nano/beauty -> tie 1:1, sorted by name: macro before nano
    run = pd.concat([make_run("b1", ["c1", "c2", "c3", "c4"]), make_run("b2", ["c4", "c2"])])
    orthogonal = {c: np.eye(4)[i] for i, c in enumerate(CREATORS["creator_id"])}
    out = list_metrics(run, CREATORS, k=3, vectors=orthogonal).set_index("brief_id")
    assert out.loc["b1", "tier_mix@3"] == "micro:2,nano:1"
    assert out.loc["b2", "tier_mix@3"] == "macro:1,nano:1"
    assert out.loc["b1", "niche_coverage@3"] == 2  # {beauty, food}
    assert out.loc["b2", "niche_coverage@3"] == 2  # {travel, beauty}
    # orthogonal vectors: every pair has cosine 0 -> distance 1
    assert out["intra_list_diversity@3"].tolist() == pytest.approx([1.0, 1.0])


def test_list_metrics_diversity_identical_and_45_degree_vectors() -> None:
    run = make_run("b1", ["c1", "c2", "c3"])
    ids = ["c1", "c2", "c3"]
    identical = list_metrics(run, CREATORS, k=3, vectors=(ids, np.tile([3.0, 4.0], (3, 1))))
    assert identical["intra_list_diversity@3"].iloc[0] == pytest.approx(0.0, abs=1e-12)
    # c1 = (1, 0), c2 = (1, 1), c3 = (0, 1): distances 1 - 1/sqrt(2), 1 - 1/sqrt(2), 1 - 0
    # mean = (2 * (1 - 0.7071068) + 1) / 3 = 0.5285955
    frame = pd.DataFrame([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]], index=ids)
    out = list_metrics(run, CREATORS, k=3, vectors=frame)
    assert out["intra_list_diversity@3"].iloc[0] == pytest.approx((2 * (1 - 1 / math.sqrt(2)) + 1) / 3)


def test_list_metrics_omits_metrics_whose_columns_are_missing() -> None:
    run = make_run("b1", ["c1", "c2"])
    out = list_metrics(run, CREATORS[["creator_id", "tier"]], k=2)
    assert list(out.columns) == ["brief_id", "tier_mix@2", "intra_list_diversity@2"]
    assert np.isnan(out["intra_list_diversity@2"].iloc[0])  # no vectors given


# --------------------------------------------------------------------------- validation


RUN = make_run("b1", ["a", "b"])
QRELS = pd.DataFrame({"brief_id": ["b1"], "creator_id": ["a"]})


@pytest.mark.parametrize(
    ("run", "qrels", "match"),
    [
        (RUN.drop(columns="creator_id"), QRELS, r"'run' table must have columns.*Missing \['creator_id'\]"),
        (RUN.drop(columns="rank"), QRELS, r"Missing \['rank'\]; got columns \['brief_id', 'creator_id'\] instead"),
        (RUN, QRELS.drop(columns="brief_id"), r"'qrels' table must have columns.*Missing \['brief_id'\]"),
        (RUN, pd.concat([QRELS, QRELS]), r"one row per \(brief_id, creator_id\)\. Got 1 duplicated"),
        (RUN, QRELS.assign(grade=-1), r"'grade' column of qrels must be numeric and >= 0\. Got -1"),
    ],
)
def test_table_validation_errors(run: pd.DataFrame, qrels: pd.DataFrame, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        per_brief_metrics(run, qrels)


def test_parameter_validation_errors() -> None:
    with pytest.raises(ValueError, match=r"The 'k' parameter of per_brief_metrics must be an int >= 1.*Got 0 instead"):
        per_brief_metrics(RUN, QRELS, k=0)
    with pytest.raises(ValueError, match=r"The 'k' parameter of list_metrics must be an int >= 1\. Got 2\.5 instead"):
        list_metrics(RUN, CREATORS, k=2.5)
    with pytest.raises(ValueError, match=r"The 'n_bootstrap' parameter of macro_average must be an int >= 1"):
        macro_average(_per_brief(np.ones(3)), n_bootstrap=0)
    with pytest.raises(ValueError, match=r"The 'confidence' parameter of macro_average must be a number in \(0, 1\)"):
        macro_average(_per_brief(np.ones(3)), confidence=1.5)
    with pytest.raises(ValueError, match=r"'per_brief_b' table must have columns.*Missing \['mrr'\]"):
        paired_bootstrap(_per_brief(np.ones(3)).assign(mrr=1.0), _per_brief(np.ones(3)), metric="mrr")
    with pytest.raises(ValueError, match=r"'creators' table must have columns.*Missing \['creator_id'\]"):
        list_metrics(RUN, CREATORS.drop(columns="creator_id"))
    with pytest.raises(ValueError, match=r"The 'vectors' parameter of list_metrics must be a DataFrame.*Got list"):
        list_metrics(RUN, CREATORS, vectors=[[1.0, 0.0]])
