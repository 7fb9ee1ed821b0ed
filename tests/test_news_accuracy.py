"""A stance model's figures on labelled news: found for a run only with the same weights."""

from __future__ import annotations

import json
from dataclasses import asdict, replace

import pytest

from analysis.news_accuracy import (
    FILE_NAME,
    SHIPPED_ROOT,
    NewsAccuracy,
    NewsAccuracyError,
    accuracy_for_run,
    accuracy_line,
    accuracy_sentences,
    read_news_accuracy,
    unmeasured_topics,
    write_news_accuracy,
)

FIGURES = NewsAccuracy(
    model="stance.test.v1",
    weights_sha256="c" * 64,
    data="the dev split of labels.jsonl",
    command="viewpoints evaluate --level article --data labels.jsonl --run RUN --split dev",
    run_id="20260101-000000-abc",
    pairs=30,
    articles=10,
    coverage_precision=0.9,
    coverage_recall=0.75,
    coverage_f1=0.8182,
    n_leaning=12,
    n_called=8,
    sign_accuracy=0.5,
    sign_accuracy_called=0.75,
    n_against=3,
    against_found=1,
    auc_favor_vs_none=0.7,
    passage_author_f1=0.45,
    passage_speaker_f1=None,
    passages=40,
    per_topic={
        "arms_control": {"n_leaning": 5, "n_called": 2, "n_right": 0, "coverage_f1": 0.55},
        "ukraine": {"n_leaning": 7, "n_called": 6, "n_right": 6, "coverage_f1": None},
    },
)


def test_found_beside_the_recorded_model_only_for_the_same_weights(tmp_path):
    write_news_accuracy(tmp_path / FILE_NAME, FIGURES)
    models = {"stance": {"name": "x", "path": str(tmp_path), "weights_sha256": "c" * 64}}
    assert accuracy_for_run(models) == FIGURES
    retrained = {"stance": {**models["stance"], "weights_sha256": "d" * 64}}
    assert accuracy_for_run(retrained) is None
    assert accuracy_for_run({"stance": {"name": "x"}}) is None
    assert accuracy_for_run(None) is None


def test_a_broken_file_is_an_error_when_read_and_skipped_for_a_run(tmp_path):
    path = tmp_path / FILE_NAME
    path.write_text(json.dumps({k: v for k, v in asdict(FIGURES).items() if k != "pairs"}))
    with pytest.raises(NewsAccuracyError, match=r"missing \['pairs'\]"):
        read_news_accuracy(path)
    models = {"stance": {"path": str(tmp_path), "weights_sha256": "c" * 64}}
    assert accuracy_for_run(models) is None
    # A hand-edited value of the wrong kind would break the pages that format it.
    for field, value, expected in [
        ("n_called", "8", "expected count for n_called, got '8'"),
        ("sign_accuracy", None, "expected rate for sign_accuracy, got None"),
        ("model", 3, "expected text for model, got 3"),
        ("per_topic", {"ukraine": {"n_leaning": 1}}, "expected table for per_topic"),
    ]:
        path.write_text(json.dumps({**asdict(FIGURES), field: value}))
        with pytest.raises(NewsAccuracyError, match=expected):
            read_news_accuracy(path)
        assert accuracy_for_run(models) is None
    path.write_text(json.dumps({**asdict(FIGURES), "passages": None, "auc_favor_vs_none": 1}))
    assert read_news_accuracy(path).passages is None


def test_the_shipped_figures_belong_to_the_shipped_weights():
    from analysis.scoring.pair_model import weights_sha256

    files = sorted(SHIPPED_ROOT.glob(f"*/{FILE_NAME}"))
    assert {f.parent.name for f in files} >= {"minilm_v1", "minilm_v2"}
    for path in files:
        figures = read_news_accuracy(path)
        # Retrained weights without re-measured figures would show the old model's figures.
        assert figures.weights_sha256 == weights_sha256(path.parent), path
        # A run made on another machine records another path: the shipped file still counts.
        models = {"stance": {"path": "/elsewhere", "weights_sha256": figures.weights_sha256}}
        assert accuracy_for_run(models) == figures


def test_sentences_give_the_figures_in_words():
    text = "\n".join(accuracy_sentences(FIGURES))
    assert "Of 12 article × topic pairs a careful reader found leaning, 8 get a stance" in text
    assert "75% of those have the right sign (50% of all leaning pairs)" in text
    assert "1 of 3 pairs leaning against" in text
    assert "Macro-F1 of the author's stance 0.45 (favor / against / none, 40" in text
    assert "run `20260101-000000-abc`" in text
    assert "ukraine: 6 of 7 leaning pairs right (6 given a stance)." in text
    named = "\n".join(accuracy_sentences(FIGURES, {"arms_control": "Arms control"}))
    assert "Arms control: 0 of 5 leaning pairs right (2 given a stance), coverage F1 0.55" in named
    without = "\n".join(accuracy_sentences(replace(FIGURES, passage_author_f1=None)))
    assert "Single passages" not in without


def test_the_line_names_the_run_topics_the_figures_do_not_cover():
    from analysis.run_info import TopicInfo

    topics = [
        TopicInfo("arms_control", "Arms control", "US-Russia arms control"),
        TopicInfo("nato", "NATO expansion", "NATO expansion"),
        TopicInfo("nord_stream", "Nord Stream", "the pipeline"),
    ]
    assert unmeasured_topics(FIGURES, topics) == ["NATO expansion", "Nord Stream"]
    line = accuracy_line(FIGURES, unmeasured_topics(FIGURES, topics))
    assert line.endswith(
        "; not measured on NATO expansion, Nord Stream: the labels cover the built-in topics "
        "only, and a stance model can do worse on others"
    )
    assert "not measured on" not in accuracy_line(FIGURES, unmeasured_topics(FIGURES, topics[:1]))
    # a built-in key given another target is another topic; a run without targets goes by key
    iran = TopicInfo("arms_control", "Iran deal", "the Iran nuclear deal")
    assert unmeasured_topics(FIGURES, [iran]) == ["Iran deal"]
    assert unmeasured_topics(FIGURES, [TopicInfo("arms_control", "Arms control")]) == []
    renamed = TopicInfo("treaties", "Treaties", "US-Russia  ARMS control")  # the same target
    assert unmeasured_topics(FIGURES, [renamed]) == []


def test_where_favor_does_not_follow_the_target_the_unmeasured_topics_are_told_so():
    reversal = {
        "passages": 600,
        "favor_of_target": 61,
        "favor_of_reverse": 66,
        "labelled_favor": 58,
        "labelled_against": 29,
    }
    unread = replace(FIGURES, reversed_target=reversal)
    line = accuracy_line(unread, ["NATO expansion"])
    assert "nor need its 'favor' there mean the target you wrote" in line
    assert (
        "it called 66 of 600 dev news passages favor of the reverse, where readers found 29" in line
    )
    # a model whose favor of the reverse is about what readers found reads its targets
    follows = replace(FIGURES, reversed_target={**reversal, "favor_of_reverse": 31})
    assert "target you wrote" not in accuracy_line(follows, ["NATO expansion"])
    # and nothing is said of the built-in topics, where the figures were measured
    assert "target you wrote" not in accuracy_line(unread, [])


def test_a_run_made_with_other_settings_than_the_figures_is_told_which():
    from analysis.config import AggregateSection
    from analysis.news_accuracy import run_settings, settings_differ
    from analysis.run_info import RunInfo

    measured = {
        "threshold": 0.55,
        "gate": 0.8,
        "passage_gate": 0.7,
        "min_stance_mass": 0.1,
        "stance_rule": "mean",
        "include_reported": False,
    }
    figures = replace(FIGURES, settings=measured)
    same = RunInfo(None, "r", None, (), threshold=0.55, gate=0.8, passage_gate=0.7)
    assert run_settings(same) == measured
    assert settings_differ(figures, run_settings(same)) == []
    assert "measured with other settings" not in accuracy_line(figures, settings=measured)
    other = RunInfo(
        None,
        "r",
        None,
        (),
        threshold=0.3,
        gate=0.8,
        passage_gate=0.7,
        aggregation=AggregateSection(include_reported=True, min_stance_mass=0.01),
    )
    assert settings_differ(figures, run_settings(other)) == [
        "relevance threshold 0.3 (measured at 0.55)",
        "min_stance_mass 0.01 (measured at 0.1)",
        "quotes counted as the author's words (measured otherwise)",
    ]
    line = accuracy_line(figures, settings=run_settings(other))
    assert line.endswith("(measured otherwise)): the figures may not hold for it")
    # figures that did not record their settings, or a run that did not: nothing to say
    assert settings_differ(FIGURES, run_settings(other)) == []
    assert settings_differ(figures, None) == []


def test_the_shipped_model_s_reversal_figures_are_read_and_a_bad_one_refused(tmp_path):
    shipped = read_news_accuracy(SHIPPED_ROOT / "minilm_v2" / FILE_NAME)
    assert shipped.reversed_target is not None
    assert (
        shipped.reversed_target["favor_of_reverse"]
        > 2 * shipped.reversed_target["labelled_against"]
    )
    path = tmp_path / FILE_NAME
    path.write_text(json.dumps({**asdict(FIGURES), "reversed_target": {"passages": 3}}))
    with pytest.raises(NewsAccuracyError, match="expected null or an object of the counts"):
        read_news_accuracy(path)
    path.write_text(json.dumps({**asdict(FIGURES), "settings": {"gates": 0.8}}))
    with pytest.raises(NewsAccuracyError, match="expected null or an object of the settings"):
        read_news_accuracy(path)
    # the shipped figures record the settings they were measured with: the defaults
    from analysis.config import AggregateSection, TopicsSection

    assert shipped.settings["gate"] == TopicsSection.gate
    assert shipped.settings["min_stance_mass"] == AggregateSection.min_stance_mass


def test_a_model_that_finds_no_against_is_told_apart_from_always_answering_favor():
    from analysis.news_accuracy import FAVOR_BASELINE, finds_no_against

    assert not finds_no_against(FIGURES)  # it found 1 of 3
    assert FAVOR_BASELINE not in accuracy_line(FIGURES)
    assert "Every right sign above" not in "\n".join(accuracy_sentences(FIGURES))
    blind = replace(FIGURES, against_found=0)
    assert finds_no_against(blind)
    line = accuracy_line(blind)
    assert line.startswith(
        f"how far to trust S: {blind.model} finds no opposition (none of the 3 labelled article "
        "x topic pairs that lean against read as against), so a score above 0 may be an author "
        "who opposes the topic;"
    )
    assert f"(all of them favor: {FAVOR_BASELINE})" in line
    assert "finds no opposition" not in accuracy_line(FIGURES)
    assert "Every right sign above is a *favor*" in "\n".join(accuracy_sentences(blind))
    assert not finds_no_against(replace(FIGURES, n_against=0, against_found=0))  # none to find


def test_a_topic_with_no_leaning_pair_read_right_is_named_in_the_one_line_figures():
    from analysis.news_accuracy import failed_topics

    per_topic = {
        "arms_control": {"n_leaning": 5, "n_right": 0, "n_called": 2},
        "sanctions": {"n_leaning": 11, "n_right": 8, "n_called": 8},
        "ukraine": {"n_leaning": 2, "n_right": 0, "n_called": 0},  # too few to say
    }
    figures = replace(FIGURES, per_topic=per_topic)
    assert failed_topics(figures) == "; on arms control it read 0 of 5 leaning pairs right"
    named = failed_topics(figures, {"arms_control": "Treaties"})
    assert named == "; on Treaties it read 0 of 5 leaning pairs right"
    assert failed_topics(replace(FIGURES, per_topic={})) == ""
    blind = replace(figures, against_found=0)
    assert accuracy_line(blind).endswith("on arms control it read 0 of 5 leaning pairs right")


def test_a_failed_topic_is_named_only_where_the_run_has_its_target():
    from analysis.news_accuracy import covered_topics, failed_topics
    from analysis.run_info import TopicInfo

    per_topic = {"arms_control": {"n_leaning": 5, "n_right": 0, "n_called": 2}}
    figures = replace(FIGURES, per_topic=per_topic)
    same = TopicInfo("arms_control", "Arms control", "US-Russia arms control")
    other = TopicInfo("arms_control", "Iran deal", "the Iran nuclear deal")  # the key only
    assert covered_topics(figures, [same]) == ["arms_control"]
    assert covered_topics(figures, [other]) == []
    labels = {"arms_control": "Iran deal"}
    assert failed_topics(figures, labels, covered_topics(figures, [other])) == ""
    named = failed_topics(figures, {"arms_control": "Arms control"}, ["arms_control"])
    assert named == "; on Arms control it read 0 of 5 leaning pairs right"


def test_coverage_measured_at_another_gate_than_the_run_s_is_said(tmp_path):
    """A review: figures measured with the coverage gate at 0.8 were shown beside runs made at
    0.9, whose coverage they do not describe (the other figures do not move with the gate)."""
    from analysis.news_accuracy import gate_note
    from dashboard.trust import trust_summary

    measured = replace(FIGURES, coverage_gate=0.8)
    write_news_accuracy(tmp_path / FILE_NAME, measured)
    models = {"stance": {"name": "x", "path": str(tmp_path), "weights_sha256": "c" * 64}}
    assert accuracy_for_run(models).coverage_gate == 0.8
    note = "coverage measured with the topic gate at 0.8; this run's is 0.9"
    assert note in trust_summary(models, 0.9)
    assert "topic gate" not in trust_summary(models, 0.8) and "topic gate" not in trust_summary(
        models, None
    )
    # and in the "how far to trust" sentences the pages show
    coverage = next(line for line in accuracy_sentences(measured, gate=0.9) if "Coverage" in line)
    assert coverage.endswith(f"really discussed ({note}, so its coverage differs).")
    plain = next(line for line in accuracy_sentences(measured, gate=0.8) if "Coverage" in line)
    assert plain.endswith("really discussed.")
    # a file from before the gate was recorded still reads, and says nothing of it
    old = asdict(FIGURES)
    del old["coverage_gate"]
    (tmp_path / FILE_NAME).write_text(json.dumps(old), encoding="utf-8")
    assert read_news_accuracy(tmp_path / FILE_NAME).coverage_gate is None
    assert gate_note(read_news_accuracy(tmp_path / FILE_NAME), 0.9) == ""


def test_the_one_line_figures_say_how_far_q_is_measured_where_the_file_has_it():
    """`show` prints S's figures and, where the model has them, the quoted voices' (Q): a
    single-passage figure only, so Q's narrow intervals are not read as accuracy."""
    assert "Q, less" not in accuracy_line(FIGURES)  # no speaker figure: nothing said of Q
    for figures in (
        replace(FIGURES, passage_speaker_f1=0.517),
        replace(FIGURES, passage_speaker_f1=0.517, against_found=0),
    ):
        line = accuracy_line(figures)
        assert "Q, less: the side of single quoted passages has macro-F1 0.52 on dev" in line
        assert "no article figure" in line


def test_what_a_shown_stance_is_worth_leads_the_figures_where_the_file_has_it(tmp_path):
    """Sign accuracy counts only pairs readers found leaning; the stances a run shows also
    fall on pairs readers find take no side. Where the file records them, the one-line
    figures, the dashboard's title and its sentences say so first."""
    from analysis.news_accuracy import given_words, read_news_accuracy, write_news_accuracy
    from dashboard.trust import trust_label

    assert given_words(FIGURES) is None  # older files: the sign figure, as before
    shown = replace(FIGURES, n_given=10, given_right=6, given_no_side=3, speaker_passages=30)
    words = "of the 10 stances stance.test.v1 gives labelled article x topic pairs, 6 (60%) are"
    assert words in accuracy_line(shown)
    assert "of the stances it gives have the right sign" not in accuracy_line(shown)
    assert words.replace(" x ", " × ") in trust_label(shown)
    blind = replace(shown, against_found=0)
    assert "Of the 10 stances stance.test.v1 gives" in trust_label(blind)
    sentences = "\n".join(accuracy_sentences(shown))
    assert "**Stances shown.** Of the 10 stances" in sentences
    assert "ties counting half" in sentences
    # the fields survive the file
    path = tmp_path / "news_accuracy.json"
    write_news_accuracy(path, shown)
    assert read_news_accuracy(path) == shown
