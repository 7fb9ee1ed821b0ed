"""Article-level evaluation: labels against a run's article positions."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.datasets import DataError
from analysis.evaluate_articles import (
    article_metrics,
    defined_coverage,
    evaluate_run_articles,
    load_article_labels,
    match_labels,
    predicted_label,
)
from analysis.metrics import roc_auc
from analysis.terminal import format_article_report
from tests.conftest import write_jsonl


def positions(rows: list[tuple]) -> pd.DataFrame:
    """Article rows: (article_id, title, topic, status, stance_status, stance)."""
    return pd.DataFrame(
        [
            {
                "level": "article",
                "article_id": a,
                "title": t,
                "topic": topic,
                "status": s,
                "stance_status": ss,
                "stance": x,
            }
            for a, t, topic, s, ss, x in rows
        ]
    )


def test_roc_auc_counts_ties_half():
    assert roc_auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert roc_auc([0.5], [0.5]) == 0.5
    assert roc_auc([0.1, 0.9], [0.5]) == 0.5
    assert roc_auc([], [0.1]) is None


def test_the_runs_reading_in_the_labels_words():
    assert predicted_label("not_discussed", None, np.nan) == "not_discussed"
    assert predicted_label("discussed", "no_stance", np.nan) == "none"
    assert predicted_label("discussed", "mixed", 0.1) == "none"
    assert predicted_label("discussed", "expressed", 0.4) == "favor"
    assert predicted_label("discussed", "expressed", -0.4) == "against"


def test_metrics_on_known_positions():
    table = positions(
        [
            ("a", "A", "sanctions", "discussed", "expressed", 0.8),  # favor, right
            ("b", "B", "sanctions", "discussed", "no_stance", np.nan),  # none, right
            ("c", "C", "sanctions", "discussed", "expressed", -0.5),  # favor, wrong sign
            ("d", "D", "sanctions", "not_discussed", None, np.nan),  # not discussed, right
            ("e", "E", "sanctions", "discussed", "expressed", 0.3),  # labelled not discussed
            ("f", "F", "sanctions", "discussed", "expressed", -0.9),  # against, right
        ]
    )
    labels = pd.DataFrame(
        {
            "article_id": list("abcdef"),
            "title": [None] * 6,
            "topic": ["sanctions"] * 6,
            "label": ["favor", "none", "favor", "not_discussed", "not_discussed", "against"],
        }
    )
    report = evaluate_run_articles(labels, table)
    assert report["n"] == 6 and report["labels_not_in_run"] == 0
    # discussed: predicted a b c e f, true a b c f -> precision 4/5, recall 1
    assert report["coverage"] == {
        "precision": 0.8,
        "recall": 1.0,
        "f1": round(2 * 0.8 / 1.8, 4),
        "n_read": 5,
        "n_labelled": 4,
    }
    assert report["sign_accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    # favor scores 0.8, -0.5 against none 0: one above, one below
    assert report["auc_favor_vs_none"] == 0.5
    assert report["auc_against_vs_none"] == 1.0
    confusion = dict(zip(report["labels"], report["confusion"], strict=True))
    assert confusion["favor"] == [0, 0, 1, 1]
    assert confusion["not_discussed"] == [1, 0, 1, 0]
    # per topic: leaning a, c, f; all three given a stance; a and f with the right sign
    counts = {k: report["per_topic"]["sanctions"][k] for k in ("n_leaning", "n_called", "n_right")}
    assert counts == {"n_leaning": 3, "n_called": 3, "n_right": 2}
    # every stance number given (a c e f), not only on leaning pairs: e is one a reader finds
    # not discussed, so a shown stance is the reader's side 2 times in 4, not 2 in 3
    given = {k: report[k] for k in ("n_given", "given_right", "given_no_side")}
    assert given == {"n_given": 4, "given_right": 2, "given_no_side": 1}
    assert report["stance_precision"] == 0.5
    assert "stances given: 4; the side a reader finds: 2 (0.500)" in format_article_report(report)


def test_labels_match_by_title_when_the_id_is_unknown():
    table = positions([("x1", "Same title", "ukraine", "discussed", "expressed", 0.5)])
    labels = pd.DataFrame(
        {
            "article_id": [None, "nope"],
            "title": ["Same title", "Other"],
            "topic": ["ukraine", "ukraine"],
            "label": ["favor", "none"],
        }
    )
    matched, missing = match_labels(labels, table)
    assert list(matched["article_id"]) == ["x1"] and missing == 1
    with pytest.raises(ValueError, match="none of the labelled articles"):
        article_metrics(match_labels(labels.iloc[1:], table)[0])


def test_label_files_are_checked_line_by_line(tmp_path):
    good = write_jsonl(
        tmp_path / "ok.jsonl",
        [
            {"article_id": "a", "topic": "sanctions", "label": "favor", "split": "dev"},
            {"article_id": "b", "topic": "sanctions", "label": "none", "split": "train"},
        ],
    )
    assert list(load_article_labels(good, "dev")["article_id"]) == ["a"]
    assert list(load_article_labels(good, "Dev")["article_id"]) == ["a"]  # any case
    assert list(load_article_labels(good, " dev ")["article_id"]) == ["a"]  # spaces aside
    with pytest.raises(DataError, match=r"with split 'test' \(its splits: dev, train\)"):
        load_article_labels(good, "test")
    with pytest.raises(ValueError, match="--split: empty"):
        load_article_labels(good, " ")
    unsplit = write_jsonl(
        tmp_path / "u.jsonl", [{"article_id": "a", "topic": "x", "label": "none"}]
    )
    with pytest.raises(DataError, match=r"split 'dev' \(no line of it has a split field\)"):
        load_article_labels(unsplit, "dev")
    (tmp_path / "labels.csv").write_text("article_id,topic,label\na,sanctions,favor\n")
    with pytest.raises(DataError, match=r"labels.csv: article labels are read from JSON Lines"):
        load_article_labels(tmp_path / "labels.csv")
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"article_id": "a", "topic": "x", "label": "pro"}])
    with pytest.raises(DataError, match=r"bad.jsonl:1: unknown label 'pro'"):
        load_article_labels(bad)
    with pytest.raises(DataError, match="no such file"):
        load_article_labels(tmp_path / "missing.jsonl")
    with pytest.raises(DataError, match=r"no such file \(looked in "):  # relative: where from
        load_article_labels("missing-here.jsonl")


def test_label_fields_are_strings_labels_ignore_case_and_a_bom_is_no_text(tmp_path):
    row = {"article_id": ["a"], "topic": "x", "label": "none"}
    listed = write_jsonl(tmp_path / "l.jsonl", [row])
    with pytest.raises(DataError, match=r"l.jsonl:1: field 'article_id' must be a non-empty str"):
        load_article_labels(listed)
    (tmp_path / "bom.jsonl").write_bytes(
        b"\xef\xbb\xbf" + json.dumps({"title": "T", "topic": "x", "label": " Favor"}).encode()
    )
    assert load_article_labels(tmp_path / "bom.jsonl")["label"].tolist() == ["favor"]


def test_an_article_labelled_twice_is_an_error_and_unmatched_labels_are_named():
    table = positions([("x1", "Same title", "ukraine", "discussed", "expressed", 0.5)])
    labels = pd.DataFrame(
        {
            "article_id": ["x1", None, "nope"],
            "title": [None, "Same title", None],
            "topic": ["ukraine", "ukraine", "ukraine"],
            "label": ["favor", "against", "none"],
            "line": [1, 4, 5],
        }
    )
    twice = r"'x1' is labelled on 'ukraine' more than once \(lines 1, 4"
    with pytest.raises(ValueError, match=twice):
        match_labels(labels, table)
    report = evaluate_run_articles(labels.drop(index=1), table)
    assert report["labels_not_in_run"] == 1
    assert report["first_not_in_run"] == ["line 5: id 'nope' (ukraine)"]
    with pytest.raises(ValueError, match=r"none of the labelled .* \(first: line 5: id 'nope'"):
        evaluate_run_articles(labels.iloc[2:], table)


def test_a_topic_the_run_lacks_is_named_and_a_match_by_title_is_counted():
    table = positions(
        [
            ("x1", "Trump Goes to North Korea", "ukraine", "discussed", "expressed", 0.5),
            ("x1", "Trump Goes to North Korea", "sanctions", "not_discussed", None, None),
        ]
    )
    labels = pd.DataFrame(
        {
            "article_id": ["x1", "wrong-id"],
            "title": [None, "Trump Goes to North Korea"],
            "topic": ["climate", "ukraine"],
            "label": ["none", "favor"],
            "line": [1, 2],
        }
    )
    report = evaluate_run_articles(labels, table)
    # the article is in the run; the topic is not, and the note says which topics are
    assert report["first_not_in_run"] == [
        "line 1: id 'x1' (climate): not a topic of the run (sanctions, ukraine)"
    ]
    assert report["matched_by_title"] == 1  # its id is not in the run: matched by title
    assert "1 of them matched by title" in format_article_report(report)
    with pytest.raises(ValueError, match=r"pairs is in the run \(first: line 1: id 'x1' \(clim"):
        evaluate_run_articles(labels.iloc[:1], table)


def test_coverage_with_nothing_discussed_either_way_is_undefined_not_zero():
    table = positions([("a", "A", "ukraine", "not_discussed", None, None)])
    labels = pd.DataFrame(
        {"article_id": ["a"], "title": [None], "topic": ["ukraine"], "label": ["not_discussed"]}
    )
    report = evaluate_run_articles(labels, table)
    # stored as undefined too, so that --json does not give 0.0 where the text says n/a
    assert report["coverage"]["f1"] is None and report["coverage"]["precision"] is None
    assert json.loads(json.dumps(report))["coverage"]["recall"] is None
    assert defined_coverage(report["coverage"]) == {"precision": None, "recall": None, "f1": None}
    assert "F1 n/a" in format_article_report(report)
    table = positions([("a", "A", "ukraine", "discussed", "no_stance", None)])
    assert defined_coverage(evaluate_run_articles(labels, table)["coverage"]) == {
        "precision": 0.0,
        "recall": None,
        "f1": 0.0,  # read as discussed where nothing is: wrong, not undefined
    }


def test_cli_scores_a_run_and_says_what_is_missing(tmp_path, capsys, tiny_pair_model_dir):
    from pathlib import Path

    seeds = Path(__file__).resolve().parent.parent / "seeds"
    runs = tmp_path / "runs"
    model = ["--stance-model", str(tiny_pair_model_dir), "--tone-model", str(tiny_pair_model_dir)]
    analyze = ["analyze", str(seeds), "--runs-dir", str(runs), "--quiet", "--cache", ""]
    assert main([*analyze, *model]) == 0
    capsys.readouterr()
    from analysis.runs import load_run

    run = load_run("latest", runs)
    art = run.positions[run.positions["level"] == "article"]
    discussed = art[art["status"] == "discussed"].iloc[0]
    silent = art[art["status"] == "not_discussed"].iloc[0]
    labels = write_jsonl(
        tmp_path / "labels.jsonl",
        [
            {"article_id": discussed["article_id"], "topic": discussed["topic"], "label": "favor"},
            {"article_id": silent["article_id"], "topic": silent["topic"], "label": "none"},
            {"article_id": "not-in-run", "topic": "sanctions", "label": "none"},
        ],
    )
    args = ["evaluate", "--level", "article", "--data", str(labels), "--runs-dir", str(runs)]
    assert main([*args, "--run", "latest", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 2 and report["labels_not_in_run"] == 1
    assert report["coverage"]["recall"] == 0.5  # the "none" article was not found discussed
    assert main([*args, "--run", "latest", "--split", "dev"]) == 2  # no split field
    capsys.readouterr()
    assert main([*args, "--run", "latest"]) == 0
    out = capsys.readouterr().out
    assert "coverage    precision" in out
    assert re.search(
        r"\n  \w+: \d+ of \d+ leaning pairs with the right sign \(\d+ given a stance\)", out
    )
    assert out.startswith(f"run {run.run_id} judged against {labels}\n")  # traceable
    assert main(["evaluate", "--level", "article", "--data", str(labels)]) == 2
    assert "needs --run RUN, or --corpus" in capsys.readouterr().err
    # options that would do nothing here are refused, not silently ignored
    assert main([*args, "--run", "latest", "--task", "tone", "--format", "vast"]) == 2
    assert "--task, --format: not used with --level article" in capsys.readouterr().err
    assert main([*args, "--run", "latest", "--model", "tone.vader.v1"]) == 2
    assert "--model, --precision, --cache: only with --corpus" in capsys.readouterr().err
    assert main([*args, "--run", "latest", "--cache", ""]) == 2  # a run is already scored
    assert "only with --corpus" in capsys.readouterr().err
    assert main([*args, "--run", "latest"]) == 0
    assert "1 not in the run (first: line 3: id 'not-in-run' (sanctions))" in (
        capsys.readouterr().out
    )


def test_bootstrap_intervals_resample_whole_articles_and_hold_the_figure():
    from analysis.evaluate_articles import bootstrap_intervals, headline_figures

    rng = np.random.default_rng(1)
    n = 60
    articles = np.repeat([f"a{i}" for i in range(n // 3)], 3)  # three topics per article
    label = rng.choice(["favor", "none", "not_discussed"], n)
    discussed = label != "not_discussed"
    score = np.where(label == "favor", rng.normal(0.3, 0.3, n), rng.normal(0.0, 0.3, n))
    point = headline_figures(label, discussed, score)
    intervals = bootstrap_intervals(articles, label, discussed, score, resamples=300, seed=3)
    assert intervals == bootstrap_intervals(articles, label, discussed, score, 300, seed=3)
    assert intervals["coverage_f1"] == [1.0, 1.0]  # every pair read right, in every resample
    for name in ("sign_accuracy", "auc_favor_vs_none"):
        low, high = intervals[name]
        assert low < point[name] < high and high - low > 0.05
    # one article alone: every resample is that article; nothing favor, so no AUC interval
    one = bootstrap_intervals(articles[:3], np.array(["none"] * 3), discussed[:3], score[:3], 50)
    assert one["auc_favor_vs_none"] is None and one["sign_accuracy"] is None
    # nine articles, all read right, would give [1.0, 1.0]: too few for any interval
    few = bootstrap_intervals(articles[:27], label[:27], discussed[:27], score[:27], 50)
    assert few == dict.fromkeys(("coverage_f1", "sign_accuracy", "auc_favor_vs_none"))
    ten = bootstrap_intervals(articles[:30], label[:30], discussed[:30], score[:30], 50)
    assert ten["coverage_f1"] == [1.0, 1.0]


def test_figures_every_resample_gives_alike_get_no_interval_and_a_reason():
    from analysis.evaluate_articles import article_metrics
    from analysis.terminal import format_article_report

    # twelve articles, every one read right: each resample gives 1.000 for all three figures
    matched = pd.DataFrame(
        {
            "article_id": [f"a{i}" for i in range(12)],
            "topic": "sanctions",
            "label": ["favor"] * 6 + ["none"] * 6,
            "status": "discussed",
            "stance_status": ["expressed"] * 6 + ["no_stance"] * 6,
            "stance": [0.4] * 6 + [None] * 6,
        }
    )
    report = article_metrics(matched)
    assert report["sign_accuracy"] == 1.0 and report["coverage"]["f1"] == 1.0
    assert report["intervals"] == dict.fromkeys(
        ("coverage_f1", "sign_accuracy", "auc_favor_vs_none")
    )
    assert report["intervals_alike"] == ["coverage_f1", "sign_accuracy", "auc_favor_vs_none"]
    text = format_article_report(report)
    assert "[1.000, 1.000]" not in text
    assert "no interval for coverage F1, sign accuracy and AUC favor vs none" in text
    # one article read wrong: the figures vary across resamples and get their intervals back
    matched.loc[0, "stance"] = -0.4
    varied = article_metrics(matched)
    assert varied["intervals_alike"] == ["coverage_f1"]
    low, high = varied["intervals"]["sign_accuracy"]
    assert low < varied["sign_accuracy"] <= high


def test_a_report_on_few_labels_found_in_the_run_says_so_before_its_figures():
    from analysis.evaluate_articles import evaluate_run_articles
    from analysis.terminal import format_article_report

    labels = pd.DataFrame(
        {
            "article_id": ["a", "a", "b", "c", "d"],
            "title": [None] * 5,
            "topic": ["sanctions", "ukraine", "sanctions", "sanctions", "sanctions"],
            "label": ["favor", "not_discussed", "none", "favor", "favor"],
            "line": [1, 2, 3, 4, 5],
        }
    )
    positions = pd.DataFrame(
        {
            "level": "article",
            "article_id": ["a", "a"],
            "title": ["A", "A"],
            "topic": ["sanctions", "ukraine"],
            "status": ["discussed", "not_discussed"],
            "stance": [0.4, None],
            "stance_status": ["expressed", None],
        }
    )
    text = format_article_report(evaluate_run_articles(labels, positions))
    first, second = text.splitlines()[:2]
    assert first.startswith("only 2 of the 5 labelled article × topic pairs are in the run")
    assert second.startswith("2 labelled article × topic pairs") and "3 not in the run" in second
    assert "no intervals: 1 labelled article, fewer than the 10" in text
    # labels of two splits judged together (no --split): said first
    both = labels.assign(split=["dev", "dev", "train", "train", "dev"])
    report = evaluate_run_articles(both, positions)
    assert report["splits_mixed"] == ["dev", "train"]
    assert format_article_report(report).startswith(
        "note: the labels hold the splits dev, train and no split was chosen"
    )
    one = evaluate_run_articles(both[both["split"] == "dev"], positions)
    assert one["splits_mixed"] == [] and "no split was chosen" not in format_article_report(one)


def test_a_fresh_analysis_of_the_labelled_articles_is_kept_as_a_run(tmp_path, capsys, monkeypatch):
    """``--corpus``: only the labelled articles are analyzed, into a run that stays (named
    after the labels) with its input beside it, so its path can be opened, but out of the
    runs "latest" and the dashboard list."""
    from analysis.runs import list_runs, load_run

    monkeypatch.chdir(tmp_path)  # the default prediction cache is relative to the cwd
    text = (
        "Washington and Moscow should extend the New START treaty on nuclear arms control. "
        "Both sides gain from limits on strategic warheads."
    )
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(
        corpus,
        [
            {"ID": "a1", "title": "Extend New START", "text": text},
            {"ID": "b2", "title": "Unlabelled", "text": "A story about the weather in Oslo."},
        ],
    )
    labels = tmp_path / "labels.jsonl"
    write_jsonl(labels, [{"article_id": "a1", "topic": "arms_control", "label": "favor"}])
    runs = tmp_path / "runs"
    base = ["evaluate", "--level", "article", "--data", str(labels), "--runs-dir", str(runs)]
    assert main([*base, "--corpus", str(corpus), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert not list_runs(runs)  # the user's latest run stays the latest
    kept = list_runs(runs / "evaluate")
    assert len(kept) == 1 and kept[0]["name"] == "evaluate labels.jsonl"
    assert (
        report["run"] == str(kept[0]["path"]) and (runs / "evaluate" / kept[0]["run_id"]).is_dir()
    )
    inputs = list((runs / "evaluate" / "inputs").glob("labels-*.jsonl"))
    assert len(inputs) == 1 and [json.loads(x)["ID"] for x in inputs[0].open()] == ["a1"]
    assert report["n"] == 1 and report["labels_not_in_run"] == 0
    assert (tmp_path / ".viewpoints-cache").is_dir()  # the default cache, where it was run
    # --cache: the analysis's prediction cache where the user says ('' = none), as analyze's
    cache = tmp_path / "elsewhere" / "predictions.sqlite"
    assert main([*base, "--corpus", str(corpus), "--cache", str(cache), "--json"]) == 0
    assert cache.is_file()
    assert load_run("latest", runs / "evaluate").config["models"]["cache"] == str(cache)
