"""The Evaluation page: models measured on the analyst's corrections or on a labelled file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.corrections import Correction, CorrectionStore
from analysis.datasets import DataError
from analysis.runs import list_runs
from tests.dashboard.conftest import make_small_run

WIRE_TEXT = (
    "Leaving the INF Treaty frees Washington to counter Chinese missiles; the treaty had become "
    "a one-sided restraint."
)
SANCTIONS_TEXT = (
    "The sanctions machine in Washington runs on autopilot and new restrictions are all but "
    "certain, a destructive spiral that hurts everyone."
)


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "corrections"
    monkeypatch.setenv("VIEWPOINTS_CORRECTIONS_DIR", str(path))
    return path


def _save(folder: Path, *items: tuple[str, str, str, str]) -> None:
    CorrectionStore(folder).append(
        [
            Correction(text=text, target="t", topic=topic, task=task, label=label)
            for text, topic, task, label in items
        ]
    )


def _open(app, runs_dir, **params):
    at = app(runs_dir, **params).run()
    at.switch_page("app_pages/evaluation.py").run()
    assert not at.exception
    return at


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _judge_labels(app, runs_dir: Path, rows: list[dict], path: Path):
    """The page on the small run, ``rows`` written to ``path`` as article labels and judged."""
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    at = _open(app, runs_dir)
    at.radio(key="ev_source").set_value("articles").run()
    at.text_input(key="ev_articles_path").input(str(path)).run()
    return _press(at, "Judge this run")


def _press(at, label: str):
    """Click the page's button labelled ``label`` and rerun."""
    return next(b for b in at.button if b.label == label).click().run()


def _opened_on_a_corrected_passage(app, tmp_path, folder, text: str = WIRE_TEXT):
    """The page on a fresh small run, with one stance label saved for ``text``."""
    runs_dir = tmp_path / "runs"
    make_small_run(runs_dir)
    _save(folder, (text, "arms_control", "stance", "favor"))
    return _open(app, runs_dir), runs_dir


def test_without_corrections_the_page_says_how_to_make_them(app, small_runs_dir, folder):
    at = _open(app, small_runs_dir)
    assert any("No corrections yet" in i.value for i in at.info)
    assert not at.metric


def test_metrics_on_corrections_use_the_runs_stored_predictions(app, small_runs_dir, folder):
    _save(
        folder,
        (WIRE_TEXT, "arms_control", "stance", "favor"),  # the run said against: wrong
        (SANCTIONS_TEXT, "sanctions", "stance", "against"),  # the run said against: right
        (SANCTIONS_TEXT, "sanctions", "tone", "negative"),  # right
    )
    at = _open(app, small_runs_dir)
    metrics = _metrics(at)
    assert metrics["Examples"] == "2"
    assert metrics["Accuracy"] == "50.0%"
    # said before the figures: two answers are no accuracy to read
    assert any(w.value.startswith("2 examples: too few to read") for w in at.warning)
    summary = at.dataframe[0].value
    by_topic = summary.set_index(["Topic", "Task"])
    assert by_topic.loc[("Arms control", "stance"), "Model accuracy"] == 0.0
    assert by_topic.loc[("Sanctions", "stance"), "Corrections"] == 1
    assert by_topic.loc[("Sanctions", "tone"), "Model accuracy"] == 1.0
    assert len(at.get("vega_lite_chart")) == 2  # confusion and reliability
    # A new correction changes the numbers at once.
    _save(folder, (WIRE_TEXT, "arms_control", "stance", "against"))
    at.run()
    assert _metrics(at)["Accuracy"] == "100.0%"
    at.radio(key="ev_task").set_value("tone").run()
    assert _metrics(at)["Examples"] == "1"


def test_scoring_a_labelled_file_runs_the_chosen_model(app, small_runs_dir, folder, tmp_path):
    rows = [
        {"text": "A wonderful, hopeful success.", "label": "positive"},
        {"text": "A horrible and shameful disaster.", "label": "negative"},
    ] * 6
    data = tmp_path / "tone.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    at = _open(app, small_runs_dir)
    at.radio(key="ev_source").set_value("file").run()
    at.radio(key="ev_task").set_value("tone").run()
    at.text_input(key="ev_path").input(str(data))
    at.text_input(key="ev_model_tone_20181110-120000-seeds000").input("tone.vader.v1")
    at.number_input(key="ev_limit").set_value(10)
    at.run()
    _press(at, "Score")
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["Examples"] == "10" and metrics["Macro-F1"] == "1.000"
    assert not any("too few to read" in w.value for w in at.warning)  # ten: the interval says it
    assert any("10 of 12, drawn at random with seed 0" in m.value for m in at.markdown)
    # ten examples: the figure's interval, and a word on how little it rests on
    captions = " ".join(c.value for c in at.caption)
    # all ten right: every resample gives 1.000, which says they are alike, not sure
    assert "No interval: every resample of the 10 examples gives the same macro-F1" in captions
    assert "so few that one label moves it by a lot" in captions


def test_a_bad_file_is_an_error_message_not_a_crash(app, small_runs_dir, folder, tmp_path):
    at = _open(app, small_runs_dir)
    at.radio(key="ev_source").set_value("file").run()
    at.text_input(key="ev_path").input(str(tmp_path / "missing.jsonl")).run()
    _press(at, "Score")
    assert not at.exception
    assert any("no such file" in e.value for e in at.error)


def test_write_a_corrected_run_from_the_page(app, tmp_path, folder):
    at, runs_dir = _opened_on_a_corrected_passage(app, tmp_path, folder)
    _press(at, "Write a corrected run")
    assert not at.exception
    assert any("Wrote run" in s.value for s in at.success)
    runs = list_runs(runs_dir)
    assert len(runs) == 2
    newest = next(r for r in runs if "source_run" in r)
    assert newest["corrections"]["applied"] == 1
    # it records the command that makes it again, not the dashboard's server command
    command = json.loads((Path(newest["path"]) / "run.json").read_text())["command"]
    assert command.startswith("viewpoints recompute ") and f"--corrections-dir {folder}" in command
    # the new run opens from here, not only from the sidebar
    assert any("1 correction applied" in s.value for s in at.success)
    # and says which author positions moved, as `viewpoints recompute` does
    from analysis.compare import load_for_comparison, moved_positions
    from analysis.terminal import change_line

    source = next(r for r in runs if "source_run" not in r)
    moved, _ = moved_positions(
        load_for_comparison(source["path"]), load_for_comparison(newest["path"])
    )
    said = next(s.value for s in at.success if "Wrote run" in s.value)
    assert moved  # the corrected passage moves its author's position
    assert f"{len(moved)} author position" in said
    assert change_line(moved[0], {}).split("]", 1)[1] in said
    _press(at, "Open this run in the Overview")
    assert not at.exception
    assert at.sidebar.selectbox(key="w_run").value == newest["run_id"]
    at.switch_page("app_pages/evaluation.py").run()  # back on Evaluation, on the new run
    assert not any("Wrote run" in s.value for s in at.success)  # no stale message
    assert not any(b.label == "Open this run in the Overview" for b in at.button)


def test_on_a_corrected_run_the_model_is_measured_on_the_run_it_came_from(app, tmp_path, folder):
    at, runs_dir = _opened_on_a_corrected_passage(app, tmp_path, folder)  # the model said against
    _press(at, "Write a corrected run")
    _press(at, "Open this run in the Overview")
    at.switch_page("app_pages/evaluation.py").run()
    assert not at.exception
    # not the corrected numbers read back as the model's (they would score 100%)
    assert _metrics(at)["Accuracy"] == "0.0%"
    assert any("measured on the run it came from" in c.value for c in at.caption)
    # writing again starts from the model's run, not from the corrected one
    _press(at, "Write a corrected run")
    assert not at.exception
    sources = {r["source_run"]["run_id"] for r in list_runs(runs_dir) if "source_run" in r}
    assert sources == {"20181110-120000-seeds000"}
    # article labels on it: the figures are the corrections' as much as the model's, said
    at.radio(key="ev_source").set_value("articles").run()
    labels = _article_labels(tmp_path / "articles.jsonl")
    at.text_input(key="ev_articles_path").input(str(labels)).run()
    _press(at, "Judge this run")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(
        "mix your corrected passages" in c.value and "20181110-120000-seeds000" in c.value
        for c in at.caption
    )


def test_writing_a_run_no_correction_changes_is_said_not_done(app, tmp_path, folder):
    at, runs_dir = _opened_on_a_corrected_passage(app, tmp_path, folder, "A passage no run has.")
    _press(at, "Write a corrected run")
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("None of the 1 corrections")
    assert error.value.endswith(": no new run written.")  # said once
    assert len(list_runs(runs_dir)) == 1
    # the correction's topic has no prediction: its accuracy is empty, not the word "None"
    summary = at.dataframe[0]
    accuracy = summary.value.set_index(["Topic", "Task"]).loc[("Arms control", "stance")]
    assert pd.isna(accuracy["Model accuracy"]) and summary.proto.placeholder == "–"


def test_writing_the_same_corrected_run_again_opens_the_one_there_is(app, tmp_path, folder):
    at, runs_dir = _opened_on_a_corrected_passage(app, tmp_path, folder)
    _press(at, "Write a corrected run")
    (written,) = [r["run_id"] for r in list_runs(runs_dir) if "source_run" in r]
    _press(at, "Write a corrected run")
    assert not at.exception and not at.error
    assert len(list_runs(runs_dir)) == 2
    assert any(f"Run `{written}` already holds these corrections" in s.value for s in at.success)
    at.checkbox(key="ev_calibrate").check().run()  # one label: too few to calibrate on
    _press(at, "Write a corrected run")
    assert len(list_runs(runs_dir)) == 2
    assert any("(calibration fitted nothing: " in s.value for s in at.success)
    _press(at, "Open this run in the Overview")
    assert at.sidebar.selectbox(key="w_run").value == written


def test_the_page_opens_on_a_task_the_analyst_has_corrections_for(app, small_runs_dir, folder):
    _save(folder, ('"No deal," he said.', "arms_control", "speaker", "against"))
    at = _open(app, small_runs_dir)
    assert at.radio(key="ev_task").value == "speaker"  # not stance, which has none
    at.radio(key="ev_task").set_value("tone").run()
    assert at.radio(key="ev_task").value == "tone"  # a choice the analyst makes stays


def test_every_refusal_to_write_a_run_says_no_run_was_written(app, tmp_path, folder):
    runs_dir = tmp_path / "runs"
    path = make_small_run(runs_dir)
    config = path / "config.toml"
    config.write_text(config.read_text() + '\n[aggregate]\nstance_rule = "bogus"\n')
    _save(folder, (WIRE_TEXT, "arms_control", "stance", "favor"))
    at = _open(app, runs_dir)
    _press(at, "Write a corrected run")
    assert not at.exception
    (error,) = at.error
    assert "cannot be recomputed the same way" in error.value
    assert error.value.endswith(": no new run written.")
    assert len(list_runs(runs_dir)) == 1


def test_the_charts_say_whose_labels_and_show_a_bin_where_every_prediction_was_wrong():
    from dashboard.app_pages.evaluation import confusion_chart, reliability_chart

    report = {
        "labels": ["negative", "positive"],
        "confusion": [[3, 0], [2, 1]],
        "calibration": {
            "ece": 0.2,
            "bins": [
                {"low": 0.5, "high": 0.6, "n": 2, "accuracy": 0.0, "confidence": 0.55},
                {"low": 0.9, "high": 1.0, "n": 4, "accuracy": 1.0, "confidence": 0.95},
            ],
        },
    }
    file_chart = confusion_chart(report, truth="the file").to_dict()
    assert file_chart["layer"][0]["encoding"]["y"]["title"] == "true label (the file)"
    assert "(analyst)" in json.dumps(confusion_chart(report).to_dict())
    layers = reliability_chart(report).to_dict()["layer"]
    (shares,) = [layer for layer in layers if layer["mark"]["type"] == "text"]
    assert shares["encoding"]["text"]["format"] == ".0%"
    # each bin's share in a row above the plot (the 0% bin too), never under a dot
    assert shares["encoding"]["y"] == {"datum": 1.0} and shares["mark"]["dy"] < 0
    assert shares["encoding"]["x"]["field"] == "middle"
    # every mark says what it shows (Streamlit's default tooltip shows raw fields) or nothing
    for layer in [*layers, *confusion_chart(report).to_dict()["layer"]]:
        tip = layer["encoding"]["tooltip"]
        assert tip == {"value": None} or all("field" in t or isinstance(t, str) for t in tip)


def _article_labels(path: Path) -> Path:
    rows = [
        {"article_id": "001_6c28832786d132a7", "topic": "sanctions", "label": "against"},
        {"article_id": "001_6c28832786d132a7", "topic": "ukraine", "label": "not_discussed"},
        {"article_id": "000_75f37cc66b80f13e", "topic": "arms_control", "label": "favor"},
        {"article_id": "000_75f37cc66b80f13e", "topic": "sanctions", "label": "none"},
        {"title": "A title no run has", "topic": "sanctions", "label": "favor"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_article_labels_judge_the_runs_article_positions(app, small_runs_dir, folder, tmp_path):
    from analysis.evaluate_articles import evaluate_run_articles, load_article_labels
    from analysis.runs import load_run

    labels = _article_labels(tmp_path / "articles.jsonl")
    at = _open(app, small_runs_dir)
    at.radio(key="ev_source").set_value("articles").run()
    assert "ev_task" not in [r.key for r in at.radio]  # positions, not a model: no task
    at.text_input(key="ev_articles_path").input(str(labels)).run()
    _press(at, "Judge this run")
    assert not at.exception, [e.value for e in at.exception]
    run = load_run("20181110-120000-seeds000", small_runs_dir)
    expected = evaluate_run_articles(load_article_labels(labels), run.positions)
    metrics = _metrics(at)
    assert metrics["Coverage F1"] == f"{expected['coverage']['f1']:.3f}"
    assert metrics["Against found"].endswith("of 1")
    cov = expected["coverage"]
    assert any(
        f"Coverage precision {cov['precision']:.3f}, recall {cov['recall']:.3f}" in c.value
        and "AUC against vs none" in c.value
        for c in at.caption
    )  # as the command prints them
    assert any(
        "4 labelled article × topic pairs" in m.value and "1 not in this run" in m.value
        for m in at.markdown
    )
    # one favor and one against pair: answering favor every time would get half the signs
    assert any(
        "Answering favor for every one of the 2 leaning pairs would score 50%" in c.value
        for c in at.caption
    )
    assert not any("no split was chosen" in w.value for w in at.warning)


def test_labels_of_several_splits_judged_together_are_warned_of(app, small_runs_dir, tmp_path):
    rows = [
        {"article_id": "001_6c28832786d132a7", "topic": "arms_control", "label": "favor"},
        {"article_id": "000_75f37cc66b80f13e", "topic": "sanctions", "label": "none"},
    ]
    rows = [dict(r, split=s) for r, s in zip(rows, ("dev", "train"), strict=True)]
    at = _judge_labels(app, small_runs_dir, rows, tmp_path / "split.jsonl")
    assert not at.exception
    (warning,) = [w.value for w in at.warning if "no split was chosen" in w.value]
    assert warning.startswith("The labels hold the splits dev, train")
    at.text_input(key="ev_articles_split").input("dev").run()
    _press(at, "Judge this run")
    assert not any("no split was chosen" in w.value for w in at.warning)


def test_labels_where_nothing_is_discussed_read_coverage_n_a(app, small_runs_dir, folder, tmp_path):
    """Coverage F1 is undefined, not 0, when no pair is discussed in the labels or the run (as
    the command prints); too few articles for intervals is said."""
    from analysis.runs import load_run

    positions = load_run("20181110-120000-seeds000", small_runs_dir).positions
    quiet = positions[(positions["level"] == "article") & (positions["status"] == "not_discussed")]
    pair = quiet.iloc[0]
    rows = [{"article_id": pair["article_id"], "topic": pair["topic"], "label": "not_discussed"}]
    at = _judge_labels(app, small_runs_dir, rows, tmp_path / "quiet.jsonl")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _metrics(at)["Coverage F1"] == "n/a"
    captions = " ".join(c.value for c in at.caption)
    assert "No intervals: 1 labelled article, fewer than the" in captions
    # no leaning pair: said so, not "Of the 0 favor and against pairs, 0 get a stance number"
    assert "No pair is labelled favor or against, so there is no sign figure" in captions
    assert "Of the 0 favor" not in captions


def test_a_topic_named_by_its_label_is_refused_as_the_command_refuses_it(
    app, small_runs_dir, folder, tmp_path
):
    """A review: "Arms control" (the label, not the key) left its pairs out and the page
    showed perfect scores on the rest, where the command refuses the file."""
    from analysis.runs import load_run

    positions = load_run("20181110-120000-seeds000", small_runs_dir).positions
    pair = positions[positions["level"] == "article"].iloc[0]
    rows = [
        {"article_id": pair["article_id"], "topic": pair["topic"], "label": "none"},
        {"article_id": pair["article_id"], "topic": "Arms control", "label": "favor"},
    ]
    at = _judge_labels(app, small_runs_dir, rows, tmp_path / "labels.jsonl")
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("unknown topic(s) ['Arms control']" in e and "arms_control" in e for e in errors)
    assert "Coverage F1" not in _metrics(at)


def _score_stance_file(app, runs_dir: Path, data: Path):
    """The page on the small run, ``data`` scored as a stance file with the shipped model;
    no error on the page."""
    at = _open(app, runs_dir)
    at.radio(key="ev_source").set_value("file").run()
    at.text_input(key="ev_path").input(str(data)).run()
    at.text_input(key="ev_model_stance_20181110-120000-seeds000").input("stance.minilm.v2").run()
    _press(at, "Score")
    assert not at.error, [e.value for e in at.error]
    return at


def test_a_stance_file_without_targets_is_warned_of_on_the_page(
    app, small_runs_dir, folder, tmp_path
):
    data = tmp_path / "notarget.jsonl"
    data.write_text(json.dumps({"text": "Sanctions work.", "label": "favor"}) + "\n")
    at = _score_stance_file(app, small_runs_dir, data)
    assert any("1 of 1 stance examples have no target" in w.value for w in at.warning)


def test_a_labelled_news_file_is_flagged_before_its_figures(app, small_runs_dir, folder, tmp_path):
    rows = [{"text": "Sanctions work.", "target": "sanctions on Russia", "label": "none"}] * 4
    data = tmp_path / "news_stance" / "passages.jsonl"  # the shipped model's training file
    data.parent.mkdir()
    data.write_text("".join(json.dumps({**r, "on_topic": False}) + "\n" for r in rows))
    at = _score_stance_file(app, small_runs_dir, data)
    assert any("marked off topic" in w.value and "trained on" in w.value for w in at.warning)


def test_article_labels_given_as_a_passage_file_point_to_their_place(
    app, small_runs_dir, folder, tmp_path
):
    labels = _article_labels(tmp_path / "articles.jsonl")
    at = _open(app, small_runs_dir)
    at.radio(key="ev_source").set_value("file").run()
    at.text_input(key="ev_path").input(str(labels)).run()
    _press(at, "Score")
    assert any("Choose “Article labels (this run)” above" in e.value for e in at.error)


def test_a_file_that_one_label_fills_says_what_always_answering_it_would_score():
    from dashboard.app_pages.evaluation import majority_note

    report = {
        "n": 100,
        "per_class": {"none": {"support": 93}, "favor": {"support": 5}, "against": {"support": 2}},
    }
    assert majority_note(report).startswith("Answering “none” every time would score 93.0%")
    balanced = {"n": 10, "per_class": {"positive": {"support": 5}, "negative": {"support": 5}}}
    assert majority_note(balanced) is None


def test_a_line_edited_by_hand_is_said_on_the_page_not_a_traceback(app, small_runs_dir, folder):
    """A review's hand-edited line ("favour") put a traceback on the Overview, Article and
    Evaluation pages."""
    _save(folder, (SANCTIONS_TEXT, "sanctions", "stance", "against"))
    day = next(folder.glob("*.jsonl"))
    line = day.read_text().splitlines()[0]
    with day.open("a") as handle:
        handle.write(line.replace('"against"', '"favour"') + "\n")
    for page in ("overview.py", "article.py", "evaluation.py"):
        at = app(small_runs_dir).run()
        at.switch_page(f"app_pages/{page}").run()
        assert not at.exception, (page, [e.value for e in at.exception])
    assert _metrics(at)["Examples"] == "1"  # the good line still counts
    said = [w.value for w in at.warning if "skipped" in w.value]
    assert said and f"{day}:2" in said[0] and "edited by hand" in said[0]


def test_a_correction_the_run_did_not_score_reads_not_scored_not_none(app, small_runs_dir, folder):
    _save(
        folder,
        (SANCTIONS_TEXT, "sanctions", "stance", "against"),
        ("A sentence no run of these articles holds.", "sanctions", "stance", "favor"),
    )
    at = _open(app, small_runs_dir)
    listed = at.dataframe[-1].value
    assert sorted(map(str, listed["model (this run)"])) == ["against", "not scored"]


def test_topic_corrections_measure_the_runs_topic_reading(app, small_runs_dir, folder):
    """A review: topic corrections were listed but the topic check could not be evaluated."""
    _save(
        folder,
        (WIRE_TEXT, "arms_control", "topic", "not relevant"),  # the run counts it: disagree
        (SANCTIONS_TEXT, "sanctions", "topic", "relevant"),  # the run counts it: agree
        (SANCTIONS_TEXT, "ukraine", "topic", "relevant"),  # the run left it out: disagree
        ("A passage no run has.", "ukraine", "topic", "relevant"),  # not in this run
    )
    at = _open(app, small_runs_dir)
    at.radio(key="ev_task").set_value("topic").run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = _metrics(at)
    assert metrics["Agreement"] == "33.3%" and metrics["Corrections"] == "3"
    (confusion,) = [d.value for d in at.dataframe if "run: relevant" in d.value.columns]
    assert confusion.loc["analyst: relevant", "run: relevant"] == 1
    assert confusion.loc["analyst: relevant", "run: not relevant"] == 1
    assert confusion.loc["analyst: not relevant", "run: relevant"] == 1
    assert any("1 of 4 topic correction(s) are on passages this run" in c.value for c in at.caption)


def test_an_uploaded_files_error_names_the_upload_not_its_temporary_copy():
    """A review: errors read '/tmp/tmp3krx4nlm/upload.jsonl:6: unknown label ...'."""
    from analysis.evaluate_articles import load_article_labels
    from dashboard.app_pages.evaluation import _as_path

    class Upload:
        name = "badlabel.jsonl"

        def getvalue(self) -> bytes:
            return b'{"article_id": "a", "topic": "sanctions", "label": "pro"}\n'

    reader = _as_path("", Upload())
    with pytest.raises(DataError) as caught, reader as path:
        load_article_labels(path)
    assert reader.named(caught.value).startswith("badlabel.jsonl:1: unknown label 'pro'")
    assert str(path) in str(caught.value)  # what it replaces


def test_a_labelled_file_longer_than_the_limit_is_sampled_not_cut_at_its_start():
    """A file sorted by label (all negatives first) scored up to a limit: the examples drawn
    come from all of it, at random with a fixed seed, in file order."""
    from dashboard.app_pages.evaluation import sampled

    rows = [("neg", i) for i in range(50)] + [("pos", i) for i in range(50)]
    drawn = sampled(rows, 20)
    assert len(drawn) == 20 and drawn == sampled(rows, 20)  # the same draw each time
    assert {label for label, _ in drawn} == {"neg", "pos"}
    assert drawn == sorted(drawn, key=rows.index)  # in the file's order
    assert sampled(rows, 500) == rows


def test_the_model_box_offers_the_runs_model_as_it_can_be_loaded_again():
    """A review's run of a Hugging Face folder prefilled the box with its recorded name,
    "tone.hf-classifier.v1:FOLDER", which no scorer loads: the page could not score it."""
    from types import SimpleNamespace

    from dashboard.app_pages.evaluation import _run_options, run_model_spec

    recorded = "tone.hf-classifier.v1:/models/stars"
    options = {"label_map": {"1 star": "negative"}}
    ctx = SimpleNamespace(
        config={"models": {"tone": "/models/stars", "tone_options": options}},
        info=SimpleNamespace(model_name=lambda task: recorded),
    )
    assert run_model_spec(ctx, "tone") == "/models/stars"
    # the run's own label map goes with its model, typed either way; not with another model
    assert json.loads(_run_options(ctx, "tone", "/models/stars")[1]) == options
    assert json.loads(_run_options(ctx, "tone", recorded)[1]) == options
    assert json.loads(_run_options(ctx, "tone", "tone.vader.v1")[1]) == {}
    # a run whose config names no model (an old one): its recorded name, as before
    old = SimpleNamespace(config={}, info=SimpleNamespace(model_name=lambda task: "tone.vader.v1"))
    assert run_model_spec(old, "tone") == "tone.vader.v1"
