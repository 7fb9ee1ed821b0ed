"""The text the commands print, rendered from what the analysis modules return."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.differences import Difference
from analysis.evaluate import evaluate_scorer
from analysis.evaluate_articles import article_metrics
from analysis.records import Example
from analysis.shifts import Shift
from analysis.terminal import (
    format_article_report,
    format_differences,
    format_evaluation,
    format_shift,
    signed,
)
from tests.fakes import RuleScorer


def test_an_evaluation_prints_its_scores_and_confusion_rows():
    examples = [
        Example("yes", "t", "favor"),
        Example("no", "t", "against"),
        Example("no", "t", "favor"),
    ]
    says_yes = RuleScorer(
        rule=lambda t: [0.8, 0.1, 0.1] if "yes" in t else [0.1, 0.8, 0.1], name="stance.fixed.v1"
    )
    text = format_evaluation(evaluate_scorer(says_yes, examples))
    assert "model: stance.fixed.v1   n: 3" in text
    assert "accuracy: 0.6667" in text
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines()[-4:-1]}
    assert rows == {"favor": ["1", "1", "0"], "against": ["0", "1", "0"], "none": ["0", "0", "0"]}
    # three examples: the figure comes with its interval and a word on how little it rests on
    assert "macro-F1: 0.6667 [0.25, 1.00]" in text  # each label resampled among its own
    assert text.splitlines()[-1] == (
        "(macro-F1's 95% interval: 0.25 to 1.00, a percentile bootstrap over the 3 examples; "
        "so few that one label moves it by a lot: read the interval, not the figure)"
    )
    # no "none" in the data and none predicted: its scores are undefined, not zero
    per_class = {line.split()[0]: line.split()[1:] for line in text.splitlines()[4:7]}
    assert per_class["none"] == ["n/a", "n/a", "n/a", "0"]
    assert per_class["favor"] == ["1.0000", "0.5000", "0.6667", "2"]


def test_undefined_scores_print_as_not_available():
    examples = [Example("a", "t", "favor"), Example("b", "t", "against")]
    always_favor = RuleScorer(rule=lambda t: [0.8, 0.1, 0.1], name="stance.fixed.v1")
    rows = format_evaluation(evaluate_scorer(always_favor, examples)).splitlines()[4:7]
    # "against" is in the data but never predicted: precision undefined, recall and F1 zero
    assert rows[1].split() == ["against", "n/a", "0.0000", "0.0000", "1"]
    nothing_read = pd.DataFrame(
        {
            "topic": ["sanctions", "ukraine"],
            "label": ["favor", "not_discussed"],
            "status": ["not_discussed", "not_discussed"],
            "stance_status": [None, None],
            "stance": [None, None],
        }
    )
    text = format_article_report(article_metrics(nothing_read))
    assert "coverage    precision n/a  recall 0.000  F1 0.000" in text


def test_an_article_report_prints_coverage_signs_and_missing_labels():
    matched = pd.DataFrame(
        {
            "topic": ["sanctions", "sanctions", "ukraine"],
            "label": ["favor", "against", "not_discussed"],
            "status": ["discussed", "discussed", "discussed"],
            "stance_status": ["expressed", "expressed", "expressed"],
            "stance": [0.4, 0.3, 0.1],
        }
    )
    report = article_metrics(matched)
    report["labels_not_in_run"] = 2
    text = format_article_report(report)
    assert text.startswith("3 labelled article × topic pairs")
    assert "; 2 not in the run" in text
    # three pairs without article ids, each its own article: too few for an interval
    assert "sign accuracy on favor/against pairs: 0.500 (n=2)" in text
    assert "no intervals: 3 labelled articles, fewer than the 10" in text
    assert "[low, high]" not in text
    # sanctions: favor +0.4 right, against +0.3 wrong, both given a stance
    right = "leaning pairs with the right sign"
    assert f"  sanctions: 1 of 2 {right} (2 given a stance), coverage F1 1.000" in text
    assert "  ukraine: 0 of 0 leaning pairs with the right sign (0 given a stance)" in text


def test_differences_say_why_a_number_is_missing():
    def diff(b: str, **values) -> Difference:
        fields = dict.fromkeys(("value_a", "value_b", "difference", "low", "high", "q_value"))
        fields.update(a="Ann", b=b, topic="sanctions", measure="stance", p_value=None)
        fields.update(n_articles_a=3, n_articles_b=2, n_passages_a=4, n_passages_b=5)
        return Difference(**{**fields, **values})

    values = {"value_a": 0.5, "value_b": -0.25, "difference": 0.75, "low": 0.1, "high": 1.2}
    tested = diff("Bob", **values, p_value=0.01, q_value=0.02, n_articles_b=4)
    untested = diff("Cy", value_a=0.5, value_b=0.0, difference=0.5, n_articles_b=1)
    untested = replace(untested, note="fewer than 2 articles")
    silent = diff("Di")
    lines = format_differences([tested, untested, silent], {"sanctions": "Sanctions"}).splitlines()
    assert "Sanctions stance" in lines[1] and "Δ +0.75 [+0.10, +1.20]  p=0.010 q=0.020" in lines[1]
    assert "fewer than 2 articles (articles 3 / 1)" in lines[2]
    assert lines[3].endswith("not comparable (no side taken)")
    # a label longer than the column still leaves a gap before the authors' names
    long = format_differences([silent], {"sanctions": "Sanctions on Russian banks and firms"})
    assert "Sanctions on Russian banks and firms stance  Ann vs Di" in long


def test_a_shift_prints_both_sides_and_its_evidence():
    found = {"before": -0.4, "after": 0.2, "shift": 0.6, "low": 0.1, "high": 0.9, "p_value": 0.03}
    evidence = [{"date": "2024-04-02", "tone": 0.5, "text": "Talks  went\nwell."}]
    shift = Shift("Ann", "ukraine", "tone", "2024-03-01", True, **found, n_before=4, n_after=5)
    text = format_shift(replace(shift, evidence_after=evidence), "Ukraine")
    assert text.startswith("Ann on Ukraine, tone: detected change point at 2024-03-01")
    gap = format_shift(replace(shift, last_before="2024-02-11"), "Ukraine")
    assert gap.startswith(
        "Ann on Ukraine, tone: detected change point between 2024-02-11 and 2024-03-01 (the "
        "last article before it and the first after): -0.40 (4 articles) -> +0.20 (5 articles)"
    )
    assert "shift +0.60 [+0.10, +0.90], permutation p=0.030 (p pays for the search" in text
    assert text.splitlines()[-1] == "  after, 2024-04-02: tone +0.50  Talks went well."
    none = replace(shift, split_date=None, shift=None, note="one article")
    assert format_shift(none) == "Ann on ukraine, tone: no shift measurable (one article)"


def test_signed_never_prints_minus_zero():
    assert signed(-0.001) == "+0.00" and signed(-0.5) == "-0.50" and signed(None) == "-"


def test_runs_estimates_and_corrections_print_what_they_hold(tmp_path):
    from analysis.estimate import CostEstimate
    from analysis.terminal import format_corrections, format_estimate, format_runs

    runs = [
        {
            "run_id": "20261201-000000-abc",
            "created": "2026-12-01T00:00:00",
            "name": "defaults",
            "counts": {"articles_read": 3, "articles_skipped": 1},
            "models": {"stance": {"name": "stance.minilm.v2"}, "tone": "tone.vader.v1"},
        }
    ]
    line = format_runs(runs).splitlines()[1]
    assert line.startswith("20261201-000000-abc") and line.split()[2:4] == ["3", "1"]
    # a file a manifest excludes is not a skipped input (runs list what they skipped)
    listed = [{"source": "SOURCES.md", "reason": "excluded by articles.toml"}]
    excluded = dict(runs[0], skipped=listed)
    assert format_runs([excluded]).splitlines()[1].split()[2:4] == ["3", "0"]
    broken = [*listed, {"source": "x.bin", "reason": "binary file"}]
    assert format_runs([dict(runs[0], skipped=broken)]).splitlines()[1].split()[2:4] == ["3", "1"]
    # pairs whose prediction failed are counted where runs are listed
    assert "without a prediction" not in format_runs(runs)
    failing = dict(runs[0], counts={**runs[0]["counts"], "failed_pairs": 4, "scored_pairs": 9})
    assert "[4 of 9 pairs without a prediction]" in format_runs([failing])
    # a run folder that lacks a table is said to, where `show` would fail on it
    assert "incomplete" not in format_runs(runs)  # no folder recorded: nothing to check
    folder = tmp_path / "r"
    folder.mkdir()
    for table in ("articles", "passages", "scores"):
        (folder / f"{table}.parquet").write_bytes(b"")
    (folder / "config.toml").write_text("")
    partial = format_runs([dict(runs[0], path=str(folder))]).splitlines()[1]
    assert "[incomplete: no positions.parquet]" in partial
    # and the empty files there are no tables either
    assert partial.endswith("scores.parquet (cannot be read: Parquet file size is 0 bytes)]")
    assert line.endswith("stance.minilm.v2 / tone.vader.v1  (defaults)")
    # A long id (a recomputed run's) keeps a space before the date.
    runs.append(dict(runs[0], run_id="20261204-013903-c4b438f4-corrected"))
    lines = format_runs(runs).splitlines()
    assert lines[2].split()[:2] == ["20261204-013903-c4b438f4-corrected", "2026-12-01T00:00:00"]
    assert lines[1].index("2026-12-01T") == lines[2].index("2026-12-01T")  # columns aligned
    estimate = CostEstimate(
        articles=3, passages=90, topic_passages=12, scored_pairs=14,
        model_calls={"stance": 14}, seconds={"relevance": 2.0, "stance": 1.0, "total": 3.0},
        notes=["a note"],
    )  # fmt: skip
    assert format_estimate(estimate) == (
        "estimate: 3 articles, 90 passages, about 12 passages on a topic by relevance "
        "(14 passage-topic pairs to score); model calls: stance 14; time about 3 s "
        "(relevance 2 s, stance 1 s); a note"
    )
    big = CostEstimate(
        articles=6121, passages=283204, topic_passages=8574, scored_pairs=8271,
        model_calls={"stance": 8271}, seconds={"relevance": 120.0, "stance": 30.0, "total": 150.0},
    )  # fmt: skip
    assert format_estimate(big) == (
        "estimate: 6,121 articles, 283,204 passages, about 8,574 passages on a topic by "
        "relevance (8,271 passage-topic pairs to score); model calls: stance 8,271; time about "
        "150 s (~2 min) (relevance 120 s, stance 30 s)"
    )
    report = {
        "folder": "corrections",
        "saved": 5,
        "in_force": 4,
        "by_topic": {"ukraine": {"tone": {"n": 1, "changed": 0}, "stance": {"n": 3, "changed": 2}}},
    }
    assert format_corrections(report).splitlines() == [
        "corrections: 4 corrections in force (5 saved)",
        "  ukraine: stance 3 (2 changed), tone 1 (0 changed)",
    ]


def test_probabilities_never_print_as_negative_zero():
    from analysis.terminal import _probs

    assert _probs({"negative": -0.0, "neutral": 1.0, "positive": -1e-9}) == (
        "negative 0.00 neutral 1.00 positive 0.00"
    )


def test_an_untitled_article_is_shown_by_its_id():
    from types import SimpleNamespace

    from analysis.terminal import _units

    positions = pd.DataFrame(
        {
            "level": ["article", "article"],
            "article_id": ["a1", "a2"],
            "title": ["A title", None],
            "topic": ["sanctions", "sanctions"],
        }
    )
    names = [name for name, _ in _units(SimpleNamespace(positions=positions), "article")]
    assert names == ["A title [a1]", "a2"]  # not a blank row label; a title with its id


def test_a_cell_says_none_mixed_or_the_stance():
    from analysis.terminal import _cell, _num

    base = {"status": "discussed", "n_passages": 3, "tone": 0.1, "tone_low": None}
    base |= {"tone_high": None, "stance_low": -0.01, "stance_high": 0.02}
    mixed = pd.Series({**base, "stance": -1e-7, "stance_status": "mixed"})
    assert _cell(mixed).startswith("S mixed +0.00 [-0.01, +0.02] T +0.10")
    silent = pd.Series({**base, "stance": float("nan"), "stance_status": "no_stance"})
    assert _cell(silent).startswith("S none T +0.10")
    taken = pd.Series({**base, "stance": 0.4, "stance_status": "expressed"})
    assert _cell(taken).startswith("S +0.40 [-0.01, +0.02]")
    assert _num(-1e-7) == "+0.00" and _num(-0.5) == "-0.50" and _num(0.25, sign=False) == "0.25"


def test_the_models_note_names_both_models_and_those_that_are_not_the_defaults():
    from analysis.config import ModelsSection
    from analysis.run_info import run_info
    from analysis.terminal import models_note

    def note(stance: str, tone: str) -> str:
        models = {"stance": {"name": stance}, "tone": {"name": tone}}
        return models_note(run_info({"models": models}, None))

    defaults = note(ModelsSection.stance, ModelsSection.tone)
    assert defaults == (
        f"models: stance {ModelsSection.stance}, tone {ModelsSection.tone} (the defaults)"
    )
    assert note(ModelsSection.stance, "tone.vader.v1").endswith(
        "tone tone.vader.v1 (not the default tone model)"
    )
    assert note("stance.minilm.v1", "tone.vader.v1").endswith(
        "(not the default stance and tone models)"
    )


def test_a_change_line_says_what_kind_of_change_it_is():
    """A re-audit: recompute printed "Alex Ward stance: +0.35 -> -0.01" where the change was a
    side taken turning mixed, not a flip."""
    from analysis.terminal import change_line

    side = {"status": "discussed", "value": 0.35, "stance_status": "expressed"}
    entry = {
        "topic": "arms_control",
        "author": "Alex Ward",
        "group_kind": "author",
        "measure": "stance",
        "changes": ["stance_status"],
        "a": side,
        "b": {**side, "value": -0.01, "stance_status": "mixed"},
    }
    line = change_line(entry, {"arms_control": "Arms control"})
    assert line == (
        "[Arms control] Alex Ward stance: +0.35 -> -0.01  (kind of stance (expressed -> mixed))"
    )
    flip = change_line({**entry, "changes": ["sign", "split"]}, {})
    assert flip.endswith("(sign flip; intervals apart)")
    # a review: its only own passage corrected away, Nhan Dan read "no stance -> no stance"
    gone = {"status": "discussed", "value": None, "stance_status": "no_stance", "n_passages": 0}
    none = {**gone, "n_passages": 1}
    line = change_line({**entry, "a": none, "b": gone}, {})
    assert line.endswith(
        "stance: no stance -> only quoted  (kind of stance (no stance -> only quoted))"
    )


def test_one_example_is_said_to_be_no_figure():
    from analysis.evaluate import interval_words

    assert interval_words({"n": 1, "macro_f1_interval": None}).startswith("one example")
    assert interval_words({"n": 0, "macro_f1_interval": None}) is None


def test_a_zero_width_interval_on_few_examples_is_said_to_be_no_interval():
    """Two corrections both read wrong gave "macro-F1 0.3333 [0.33, 0.33] ... read the
    interval": every resample of alike examples gives one figure, which is not certainty."""
    from analysis.evaluate import interval_words, probability_report

    probs = np.array([[0.9, 0.05, 0.05], [0.9, 0.05, 0.05]])
    report = {**probability_report(probs, ["against", "against"], "stance"), "model": "m"}
    assert report["macro_f1_interval"] is None and report["macro_f1_interval_alike"]
    words = interval_words(report)
    assert words.startswith("no interval: every resample of the 2 examples gives the same")
    assert "read the interval" not in words
    assert "[0.33" not in format_evaluation(report) and "(no interval" in format_evaluation(report)


def test_runs_of_other_topics_name_them_and_a_redefined_built_in_its_target():
    from analysis.terminal import format_runs
    from analysis.topics import load_topics

    builtin = [{"key": t.key, "label": t.label, "target": t.target} for t in load_topics(None)]
    base = {"run_id": "r1", "created": "", "counts": {"articles_read": 1}, "models": {}}
    assert "topics:" not in format_runs([dict(base, topics=builtin)])  # the defaults: unsaid
    nato = {"key": "nato", "label": "NATO expansion", "target": "NATO expansion"}
    assert format_runs([dict(base, topics=[*builtin, nato])]).endswith(
        ", ".join(t["label"] for t in builtin) + ", NATO expansion"
    )
    iran = dict(builtin[1], target="sanctions on Iran")
    line = format_runs([dict(base, topics=[builtin[0], iran])]).splitlines()[1]
    assert line.endswith(f"topics: {builtin[0]['label']}, {iran['label']} [sanctions on Iran]")


def test_a_run_folder_named_otherwise_than_its_run_is_named_in_the_list(tmp_path):
    import shutil

    from analysis.runs import list_runs, write_run
    from analysis.terminal import format_runs
    from tests.test_runs import tables

    original = write_run(tmp_path, "r1", {"created": "2026-01-01T00:00:00"}, "", tables())
    shutil.copytree(original, tmp_path / "r1-copy")  # two folders of one run
    lines = format_runs(list_runs(tmp_path)).splitlines()[1:]
    assert sorted(line.endswith("[folder r1-copy]") for line in lines) == [False, True]


def test_runs_made_with_other_settings_than_their_models_figures_say_which(tmp_path):
    """A review saw runs at thresholds 0.62 and 0.7, or with quotes counted, listed exactly as
    the defaults' run: `viewpoints runs` names the settings that differ."""
    import json

    from analysis.news_accuracy import read_news_accuracy
    from analysis.runs import list_runs
    from analysis.terminal import format_runs
    from tests.dashboard.conftest import make_small_run

    v2 = read_news_accuracy(
        Path(__file__).resolve().parent.parent
        / "analysis/shipped_models/minilm_v2/news_accuracy.json"
    )
    path = make_small_run(tmp_path)
    meta = json.loads((path / "run.json").read_text())
    meta["models"]["stance"] = {"name": v2.model, "weights_sha256": v2.weights_sha256}
    (path / "run.json").write_text(json.dumps(meta))
    (path / "config.toml").write_text("[topics]\nthreshold = 0.62\n")
    text = format_runs(list_runs(tmp_path))
    assert "[settings: relevance threshold 0.62 (measured at 0.55)" in text
    (path / "config.toml").write_text("[topics]\nthreshold = 0.55\n")
    assert "[settings:" not in format_runs(list_runs(tmp_path))


def test_an_interval_end_near_0_shows_which_side_of_0_it_is():
    """A review: [+0.00, +0.27] where the lower end was +0.004, an interval clear of 0 that
    read as touching it."""
    from analysis.terminal import bracket

    assert bracket(0.004, 0.27) == "[+0.004, +0.27]"
    assert bracket(-0.31, -0.003) == "[-0.31, -0.003]"
    assert bracket(0.0004, 0.27) == "[+0.0004, +0.27]"  # clear of 0: to four decimals
    assert bracket(1e-17, 0.27) == "[+0.00, +0.27]"  # 0 but for the arithmetic
    # an interval across 0 says so at two decimals, whatever its ends' third
    assert bracket(-0.2, 0.0004) == "[-0.20, +0.00]"
    assert bracket(None, 0.27) == "[-, +0.27]"
