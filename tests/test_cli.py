"""The command line's conventions: version, verbosity, standard input and output, formats, every brief flag,
messages in flag terms, empty and short results, atomic plans, money, spreadsheet-safe CSV, ``serve``, and one
line (never a traceback) for bad input. The fake encoder stands in for the model, except in the two tests marked
``integration``, which run the real one in a subprocess."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

import recommender
from recommender import BrandBrief, Recommender, WeakMatchWarning
from recommender.cli import main
from recommender.cli.inputs import BRIEF_FLAGS, brief_from_args
from recommender.cli.parser import build_parser
from recommender.cli.serve import serve

from .conftest import DATA, HashingEncoder

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first 80 creators of the bundled sample and their posts."""
    creators = pd.read_csv(DATA / "creators.csv", dtype=str, keep_default_na=False).head(80)
    posts = pd.read_csv(DATA / "posts.csv", dtype=str, keep_default_na=False)
    return creators, posts[posts["creator_id"].isin(creators["creator_id"])]


@pytest.fixture(scope="module")
def index(sample, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "index"
    Recommender.build(*sample, encoder=HashingEncoder()).save(path)
    return path


@pytest.fixture(scope="module")
def briefs_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("briefs") / "briefs.jsonl"
    path.write_text("".join(line + "\n" for line in (DATA / "briefs.jsonl").read_text().splitlines()[:3]))
    return path


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


# ------------------------------------------------------------ version, -v, -q
def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0 and capsys.readouterr().out == f"recommender {recommender.__version__}\n"


@pytest.mark.parametrize("argv, verbosity", [
    (["recommend", "--index", "x", "--brief", "b"], 0),
    (["-q", "recommend", "--index", "x", "--brief", "b"], -1),
    (["recommend", "--index", "x", "--brief", "b", "-q"], -1),
    (["--verbose", "recommend", "--index", "x", "--brief", "b"], 1),
    (["recommend", "-v", "--index", "x", "--brief", "b"], 1),
])
def test_verbose_and_quiet_go_before_or_after_the_command(argv, verbosity):
    assert build_parser().parse_args(argv).verbosity == verbosity


def test_quiet_prints_only_results_and_verbose_logs_info(index, briefs_file, tmp_path, cli, capsys):
    args = ["batch", "--index", str(index), "--briefs", str(briefs_file), "--out", str(tmp_path / "out.csv"), "-k", "100"]
    assert cli(args) == 0
    printed = capsys.readouterr()
    assert "Wrote" in printed.out and "fewer than -k 100" in printed.err
    assert cli(["-q", *args]) == 0
    assert capsys.readouterr() == ("", "")
    assert cli(["-q", "recommend", "--index", str(index), "--brief", "vegan food", "-k", "2"]) == 0
    assert "Why:" in capsys.readouterr().out
    plan = ["plan", "--index", str(index), "--briefs", str(briefs_file), "--budget", "5000", "--out", str(tmp_path / "p")]
    assert cli(plan + ["-v"]) == 0
    assert "INFO recommender.planning" in capsys.readouterr().err


def test_python_dash_m_runs_the_command_line_and_the_import_stays_light():
    done = subprocess.run([sys.executable, "-m", "recommender.cli", "--version"], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stdout == f"recommender {recommender.__version__}\n"
    code = "import sys, recommender.cli; print(sorted({'torch', 'faiss', 'pandas', 'ray'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"


# ----------------------------------------------------- standard input/output
def test_briefs_from_stdin_and_results_to_stdout(index, briefs_file, tmp_path, cli, capsys, monkeypatch):
    assert cli(["batch", "--index", str(index), "--briefs", str(briefs_file), "--out", str(tmp_path / "o.csv"),
                "-k", "4"]) == 0
    capsys.readouterr()
    stdin(monkeypatch, briefs_file.read_text())
    assert cli(["batch", "--index", str(index), "--briefs", "-", "--out", "-", "-k", "4"]) == 0
    printed = capsys.readouterr()
    from_stdout = pd.read_csv(io.StringIO(printed.out), keep_default_na=False)
    pd.testing.assert_frame_equal(from_stdout, pd.read_csv(tmp_path / "o.csv", keep_default_na=False))
    assert "Wrote 12 rows for 3 briefs to standard output" in printed.err  # notes leave stdout to the data
    stdin(monkeypatch, briefs_file.read_text())
    assert cli(["batch", "--index", str(index), "--briefs", "-", "--out", "-", "-k", "4", "--format", "json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 12 and rows[0]["brief_id"] == "b01" and isinstance(rows[0]["matched_posts"], list)


def test_catalog_from_stdin(sample, tmp_path, cli, capsys, monkeypatch):
    creators, _ = sample
    stdin(monkeypatch, creators.to_csv(index=False))
    assert cli(["summary", "--creators", "-"]) == 0
    assert "== overview ==" in capsys.readouterr().out
    stdin(monkeypatch, creators.to_json(orient="records", lines=True))
    assert cli(["build", "--creators", "-", "--out", str(tmp_path / "idx")]) == 0
    assert len(Recommender.load(tmp_path / "idx", encoder=HashingEncoder()).creators) == 80
    assert cli(["summary", "--creators", "-", "--posts", "-"]) == 2
    assert "only one of them can read standard input" in capsys.readouterr().err


# ------------------------------------------------------------------- formats
def test_recommend_formats(index, cli, capsys):
    base = ["recommend", "--index", str(index), "--brief", "vegan food recipes", "-k", "3", "--value", "fair trade"]
    assert cli(base + ["--format", "json"]) == 0
    printed = capsys.readouterr()
    rows = json.loads(printed.out)
    assert len(rows) == 3 and rows[0]["rank"] == 1 and isinstance(rows[0]["matched_posts"], list)
    assert "NaN" not in printed.out and rows[0]["fit"] == pytest.approx(rows[0]["fit"])
    assert cli(base[:-2] + ["--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["values_fit"] is None  # NaN without values
    assert cli(base + ["--format", "csv"]) == 0
    assert len(pd.read_csv(io.StringIO(capsys.readouterr().out))) == 3
    assert cli(base + ["--out", "-", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3
    assert cli(base) == 0
    table = capsys.readouterr().out
    assert "Why:" in table and not re.search(r"\d\.\d{4,}", table.split("Why:")[0])  # no long floats


def test_similar_formats(index, cli, capsys):
    assert cli(["similar", "--index", str(index), "--creator", "c0001", "-k", "2", "--format", "json"]) == 0
    assert [r["rank"] for r in json.loads(capsys.readouterr().out)] == [1, 2]


# --------------------------------------------------------- every brief field
def test_every_brief_field_has_a_recommend_flag(capsys):
    assert set(BRIEF_FLAGS) == set(BrandBrief.field_names())
    with pytest.raises(SystemExit):
        main(["recommend", "--help"])
    shown = set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", capsys.readouterr().out))
    assert set(BRIEF_FLAGS.values()) <= shown, set(BRIEF_FLAGS.values()) - shown


def test_the_flags_build_the_brief_they_name():
    argv = ["recommend", "--index", "x", "--brief", "snacks", "--name", "Acme", "--brief-id", "a1",
            "--keyword", "vegan", "--exclude-keyword", "meat", "--tier", "micro", "--platform", "tiktok",
            "--country", "US", "--language", "en", "--min-followers", "1000", "--max-followers", "90000",
            "--min-engagement-rate", "0.02", "--filter", "niche=food", "--filter", "niche=travel",
            "--filter", "followers>=2000", "--avoid", "alcohol", "--avoid-mode", "penalize", "--value", "fair trade",
            "--competitor", "Nike", "--conflict-days", "30", "--conflict-mode", "flag", "--max-authenticity-flags", "1"]
    brief = brief_from_args(build_parser().parse_args(argv))
    assert brief == BrandBrief(
        name="Acme", description="snacks", brief_id="a1", keywords=["vegan"], exclude_keywords=["meat"],
        tiers=["micro"], platforms=["tiktok"], countries=["US"], languages=["en"], min_followers=1000,
        max_followers=90000, min_engagement_rate=0.02,
        filters={"niche": ["food", "travel"], "followers": {"min": 2000.0}}, avoid_topics=["alcohol"],
        avoid_mode="penalize", values=["fair trade"], competitors=["Nike"], conflict_days=30, conflict_mode="flag",
        max_authenticity_flags=1)


def test_language_and_filter_flags_filter(index, sample, cli, capsys):
    assert cli(["recommend", "--index", str(index), "--brief", "food", "-k", "80", "--format", "json",
                "--filter", "niche=food", "--language", "en"]) == 0
    rows = json.loads(capsys.readouterr().out)
    creators = sample[0].set_index("creator_id")
    assert rows and {creators.loc[r["creator_id"], "niche"] for r in rows} == {"food"}
    assert len(rows) == ((creators["niche"] == "food") & (creators["language"] == "en")).sum()


# ------------------------------------------------------ messages in CLI terms
@pytest.mark.parametrize("extra, message", [
    (["--min-followers", "-5"], "error: --min-followers must be a number >= 0. Got -5 instead."),
    (["-k", "0"], "error: -k must be an int >= 1. Got 0 instead."),
    (["--min-followers", "9", "--max-followers", "5"], "has --min-followers 9 > --max-followers 5."),
    (["--min-engagement-rate", "3"], "error: --min-engagement-rate must be a fraction in [0, 1]"),
    (["--tier", "nope"], "error: --tier names unknown tiers ['nope']"),
    (["--conflict-days", "-1"], "error: --conflict-days must be an int >= 0. Got -1 instead."),
    (["--filter", "niche"], "error: --filter: expected COLUMN=VALUE"),
])
def test_recommend_errors_name_the_flags(index, cli, capsys, extra, message):
    assert cli(["recommend", "--index", str(index), "--brief", "food", *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


def test_plan_errors_name_the_flags(index, briefs_file, tmp_path, cli, capsys):
    base = ["plan", "--index", str(index), "--briefs", str(briefs_file), "--out", str(tmp_path / "p")]
    assert cli(base + ["--budget", "0"]) == 2
    assert "error: --budget must be a number > 0. Got 0.0 instead." in capsys.readouterr().err
    assert cli(base + ["--budget", "100", "--tier-mix", "mikro=0.5"]) == 2
    assert "error: --tier-mix names unknown tier(s) ['mikro']" in capsys.readouterr().err


# ------------------------------------------------- empty and short results
def test_an_empty_result_says_which_filters_left_nobody(index, cli, capsys):
    args = ["recommend", "--index", str(index), "--brief", "food", "--tier", "nano", "--country", "XX"]
    assert cli(args) == 0
    assert capsys.readouterr().out == ("No creator passes these filters (--tier nano; --country XX). "
                                       "Loosen them: drop one, allow more values or widen a range.\n")
    assert cli(args + ["--format", "json"]) == 0
    printed = capsys.readouterr()
    assert json.loads(printed.out) == [] and "No creator passes these filters" in printed.err


def test_batch_says_which_briefs_have_fewer_than_k(index, tmp_path, cli, capsys):
    briefs = tmp_path / "briefs.jsonl"
    briefs.write_text(json.dumps({"brief_id": "wide", "name": "A", "description": "food"}) + "\n"
                      + json.dumps({"brief_id": "narrow", "name": "B", "description": "food", "tiers": ["mega"]}) + "\n"
                      + json.dumps({"brief_id": "none", "name": "C", "description": "food", "countries": ["XX"]}) + "\n")
    assert cli(["batch", "--index", str(index), "--briefs", str(briefs), "--out", str(tmp_path / "o.csv"), "-k", "5"]) == 0
    err = capsys.readouterr().err
    mega = (pd.read_csv(tmp_path / "o.csv")["brief_id"] == "narrow").sum()
    assert 0 < mega < 5
    assert f"warning: brief narrow ('B'): only {mega} creator(s) pass its filters, fewer than -k 5." in err
    assert "warning: brief none ('C'): only 0 creator(s) pass its filters" in err and "brief wide" not in err


# ------------------------------------------------------------------- plan
def test_a_failed_plan_leaves_no_folder_and_keeps_an_old_one(index, briefs_file, tmp_path, cli, capsys):
    out = tmp_path / "plan"
    bad = ["plan", "--index", str(index), "--briefs", str(briefs_file), "--budget", "5000", "--tier-mix", "mikro=1",
           "--out", str(out)]
    assert cli(bad) == 2
    assert list(tmp_path.iterdir()) == []  # neither the folder nor a temporary one beside it
    assert cli(bad[:-4] + ["--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert {"plan.csv", "report.html", "candidates.parquet"} <= set(before)
    assert cli(bad) == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before and sorted(tmp_path.iterdir()) == [out]
    (out / "mine.txt").write_text("not the plan's")
    assert cli(bad[:-4] + ["--out", str(out)]) == 2
    assert "holds files plan did not write (mine.txt)" in capsys.readouterr().err
    assert (out / "mine.txt").exists()


def test_plan_prints_rounded_money_in_the_currency(index, briefs_file, tmp_path, cli, capsys):
    args = ["plan", "--index", str(index), "--briefs", str(briefs_file), "--budget", "5000.5", "--out",
            str(tmp_path / "p")]
    assert cli(args) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert re.search(r"spend \$[\d,]+ of \$5,000 \(in the currency of the costs\)", line), line
    assert cli(args + ["--currency", "EUR"]) == 0
    assert re.search(r"spend [\d,]+ EUR of 5,000 EUR", capsys.readouterr().out)


# ------------------------------------------------------- spreadsheet safety
@pytest.fixture
def hostile(tmp_path) -> Path:
    """An index whose handles and bios start like spreadsheet formulas."""
    creators = pd.DataFrame({
        "creator_id": ["c1", "c2", "c3", "c4"], "handle": ["=HYPERLINK(\"http://x\")", "+cmd", "@plain", "-minus"],
        "followers": [5000, 6000, 7000, 8000], "bio": ["=1+1 vegan food", "\tvegan food", "vegan food", "vegan food"],
    })
    posts = pd.DataFrame({"post_id": ["p1", "p2", "p3", "p4"], "creator_id": ["c1", "c2", "c3", "c4"],
                          "caption": ["vegan curry"] * 4, "likes": [100, 120, 90, 80], "comments": [5, 6, 7, 8]})
    Recommender.build(creators, posts, encoder=HashingEncoder()).save(tmp_path / "index")
    return tmp_path / "index"


def test_every_csv_the_command_line_writes_is_formula_safe(hostile, tmp_path, cli, capsys):
    assert cli(["recommend", "--index", str(hostile), "--brief", "vegan food", "-k", "4",
                "--out", str(tmp_path / "r.csv")]) == 0
    table = pd.read_csv(tmp_path / "r.csv", keep_default_na=False)
    assert set(table["handle"]) == {"'=HYPERLINK(\"http://x\")", "'+cmd", "'@plain", "'-minus"}
    assert pd.api.types.is_numeric_dtype(table["score"])
    assert cli(["recommend", "--index", str(hostile), "--brief", "vegan food", "-k", "4", "--format", "csv"]) == 0
    assert "'+cmd" in capsys.readouterr().out
    briefs = tmp_path / "b.jsonl"
    briefs.write_text(json.dumps({"brief_id": "=b", "name": "-Acme", "description": "vegan food"}) + "\n")
    assert cli(["plan", "--index", str(hostile), "--briefs", str(briefs), "--budget", "5000", "--min-fit", "0",
                "--out", str(tmp_path / "p")]) == 0
    plan = pd.read_csv(tmp_path / "p" / "plan.csv", keep_default_na=False)
    assert set(plan["brief_id"]) == {"'=b"} and plan["handle"].str.startswith("'").all()
    assert pd.read_parquet(tmp_path / "p" / "plan.parquet")["brief_id"].tolist()[0] == "=b"  # Parquet is as it was
    bad = tmp_path / "creators.csv"
    bad.write_text("creator_id,followers,bio\na,-12,=cmd|' /C calc'!A0\nb,5000,travel\n")
    assert cli(["summary", "--creators", str(bad), "--rejected", str(tmp_path / "rejected.csv")]) == 0
    rejected = pd.read_csv(tmp_path / "rejected.csv", keep_default_na=False, dtype=str)
    assert not rejected.map(lambda cell: cell.startswith(("=", "+", "-", "@", "\t", "\r"))).any().any()


# ------------------------------------------------------------------- serve
def test_serve_answers_each_line_and_survives_bad_ones(index, fake_encoder):
    rec = Recommender.load(index, encoder=fake_encoder)
    lines = ["vegan food recipes\n", "\n", json.dumps({"description": "gym workout", "k": 2, "tiers": ["micro"]}),
             "{not json", json.dumps({"description": "x", "tiers": ["nope"]}), json.dumps({"name": "n"}),
             json.dumps({"description": "food", "countries": ["XX"]}), "budget travel"]
    out = io.StringIO()
    assert serve(rec, lines, out, k=3) == 7
    replies = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [len(r.get("results", [])) for r in replies] == [3, 2, 0, 0, 0, 0, 3]
    assert replies[0]["brief_id"] == "1" and replies[0]["results"][0]["rank"] == 1
    assert all(row["tier"] == "micro" for row in replies[1]["results"])
    assert replies[2]["error"].startswith("line 4: expected a JSON object or plain text")
    assert "unknown tiers ['nope']" in replies[3]["error"] and "description" in replies[4]["error"]
    assert replies[5]["note"].startswith("No creator passes these filters (countries XX)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakMatchWarning)  # serve reports it in its reply
        direct = rec.recommend("budget travel", k=3)
    assert [r["creator_id"] for r in replies[6]["results"]] == direct["creator_id"].tolist()


def test_serve_command_reads_stdin_and_says_ready(index, cli, capsys, monkeypatch):
    stdin(monkeypatch, "vegan food\n")
    assert cli(["serve", "--index", str(index), "-k", "2"]) == 0
    printed = capsys.readouterr()
    assert printed.err == "ready\n" and len(json.loads(printed.out)["results"]) == 2


# ------------------------------------------------------- no traceback, ever
@pytest.mark.parametrize("argv", [
    ["recommend", "--index", "{tmp}/missing", "--brief", "x"],
    ["recommend", "--index", str(DATA), "--brief", "x"],
    ["recommend", "--index", str(DATA / "creators.csv"), "--brief", "x"],
    ["batch", "--index", "{index}", "--briefs", str(DATA / "creators.csv"), "--out", "{tmp}/o.csv"],
    ["batch", "--index", "{index}", "--briefs", "{tmp}/bad.jsonl", "--out", "{tmp}/o.csv"],
    ["batch", "--index", "{index}", "--briefs", "{tmp}/missing.jsonl", "--out", "{tmp}/o.csv"],
    ["batch", "--index", "{index}", "--briefs", str(DATA / "briefs.jsonl"), "--out", "{tmp}/o.txt"],
    ["batch", "--index", "{index}", "--briefs", str(DATA / "briefs.jsonl"), "--out", "{tmp}"],
    ["batch", "--index", "{index}", "--briefs", str(DATA / "briefs.jsonl"), "--out", "{tmp}/o.csv", "--flags-out", "-"],
    ["summary", "--creators", "{tmp}/missing.csv"],
    ["summary", "--creators", str(DATA / "briefs.jsonl")],
    ["summary", "--creators", str(DATA)],
    ["summary", "--creators", str(DATA / "README.md")],
    ["build", "--creators", str(DATA / "creators.csv"), "--out", "{tmp}/bad.jsonl"],
    ["evaluate", "--index", "{index}", "--briefs", str(DATA / "briefs.jsonl"), "--qrels", "{tmp}/missing.csv"],
    ["similar", "--index", "{index}", "--creator", "nobody"],
    ["plan", "--index", "{index}", "--briefs", str(DATA / "briefs.jsonl"), "--budget", "100", "--out", "-"],
    ["plan", "--index", "{index}", "--briefs", str(DATA / "briefs.jsonl"), "--budget", "inf", "--out", "{tmp}/p"],
])
def test_bad_input_is_one_error_line(argv, index, tmp_path, cli, capsys):
    (tmp_path / "bad.jsonl").write_text('{"name": "a", "description": "b"}\n{"name": \n')
    args = [a.replace("{tmp}", str(tmp_path)).replace("{index}", str(index)) for a in argv]
    assert cli(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err


def test_bad_numbers_are_usage_errors(index, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["recommend", "--index", str(index), "--brief", "x", "-k", "ten"])
    assert exit.value.code == 2 and "argument -k: invalid int value: 'ten'" in capsys.readouterr().err


def test_ctrl_c_exits_130_with_a_short_message(index, cli, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Recommender, "recommend", interrupted)
    assert cli(["recommend", "--index", str(index), "--brief", "x"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


# ------------------------------------------------------- the real model
@pytest.fixture(scope="module")
def real_index(sample, tmp_path_factory) -> Path:
    from recommender.embedding.encoder import Encoder

    creators, posts = sample
    path = tmp_path_factory.mktemp("real") / "index"
    Recommender.build(creators.head(30), posts[posts["creator_id"].isin(creators["creator_id"].head(30))],
                      encoder=Encoder(cache_dir=ROOT / ".cache" / "embeddings")).save(path)
    return path


def _environment() -> dict[str, str]:
    """This process's environment without the variables the command line sets itself."""
    quiet = {"HF_HUB_DISABLE_PROGRESS_BARS", "TRANSFORMERS_VERBOSITY", "TRANSFORMERS_NO_ADVISORY_WARNINGS", "TQDM_DISABLE"}
    return {**{k: v for k, v in os.environ.items() if k not in quiet}, "HF_HUB_OFFLINE": "1"}


@pytest.mark.integration
def test_recommend_with_the_real_model_prints_nothing_on_stderr(real_index):
    done = subprocess.run([sys.executable, "-m", "recommender.cli", "recommend", "--index", str(real_index),
                           "--brief", "vegan recipes for busy families", "-k", "3"],
                          capture_output=True, text=True, cwd=ROOT, env=_environment(), timeout=300)
    assert done.returncode == 0 and "Why:" in done.stdout
    assert done.stderr == ""


@pytest.mark.integration
def test_serve_answers_the_second_brief_fast(real_index):
    process = subprocess.Popen([sys.executable, "-m", "recommender.cli", "serve", "--index", str(real_index), "-k", "3"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT, env=_environment())
    try:
        assert process.stderr.readline() == "ready\n"
        seconds = []
        for brief in ("vegan recipes for busy families", json.dumps({"name": "Gear", "description": "trail running"})):
            started = time.perf_counter()
            process.stdin.write(brief + "\n")
            process.stdin.flush()
            reply = json.loads(process.stdout.readline())
            seconds.append(time.perf_counter() - started)
            assert len(reply["results"]) == 3
        print(f"serve: first brief {seconds[0]:.3f}s, second {seconds[1]:.3f}s")
        assert seconds[1] < 3
    finally:
        process.stdin.close()
        assert process.wait(timeout=60) == 0
