import copy
import dataclasses
import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.corrections import (
    NOT_RELEVANT,
    RELEVANT,
    Correction,
    CorrectionStore,
    apply_corrections,
    corrections_dir,
    examples_from_corrections,
    latest,
    predictions_for,
    read_corrections,
    recompute,
    summary,
)
from analysis.datasets import DataError, detect_format, load_examples
from analysis.intervals import INTERVAL_METHOD
from analysis.runs import list_runs, load_run, write_run
from tests.dashboard.conftest import CONFIG_TOML, make_small_run

WIRE = "005_wire_inf"
WIRE_TEXT = (
    "Leaving the INF Treaty frees Washington to counter Chinese missiles; the treaty had become "
    "a one-sided restraint."
)
UKRAINE_TEXT = (
    "Western arms deliveries to Ukraine only harden positions in Donbas and push a settlement "
    "further away."
)
UNSCORED_TEXT = (
    "John Bolton's visit to Moscow opened a window that both capitals had kept shut for more "
    "than a year."
)
STANCE_MODEL = "stance.finetuned-minilm.v1"


def corr(text, topic, task, label, *, model_label=None, time=None, **extra) -> Correction:
    fields = {"text": text, "target": "t", "topic": topic, "task": task, "label": label}
    fields["model_label"] = model_label
    if time is not None:
        fields["time"] = time
    return Correction(**fields, **extra)


@pytest.fixture
def run(tmp_path):
    return load_run(str(make_small_run(tmp_path / "runs")))


def _rerun(run, runs_dir):
    """A second run of the same articles: new run id, new article and passage ids, same texts."""
    rename = {a: f"{a}-rerun" for a in run.articles["article_id"]}
    articles = run.articles.assign(article_id=run.articles["article_id"].map(rename))
    passages = run.passages.assign(
        article_id=run.passages["article_id"].map(rename),
        passage_id=[
            f"{rename[a]}:{i}"
            for a, i in zip(run.passages["article_id"], run.passages["index"], strict=True)
        ],
    )
    pid = dict(zip(run.passages["passage_id"], passages["passage_id"], strict=True))
    scores = run.scores.assign(
        article_id=run.scores["article_id"].map(rename),
        passage_id=run.scores["passage_id"].map(pid),
    )
    positions = run.positions.assign(
        article_id=run.positions["article_id"].map(rename),
        evidence=[[pid[p] for p in e] for e in run.positions["evidence"]],
    )
    tables = {"articles": articles, "passages": passages, "scores": scores, "positions": positions}
    meta = {k: v for k, v in run.meta.items() if k not in ("run_id", "format_version")}
    return load_run(str(write_run(runs_dir, "20190101-000000-rerun000", meta, CONFIG_TOML, tables)))


def _position(tables_or_run, level, unit, topic):
    pos = tables_or_run["positions"] if isinstance(tables_or_run, dict) else tables_or_run.positions
    key = "article_id" if level == "article" else "author"
    hit = pos[(pos["level"] == level) & (pos[key] == unit) & (pos["topic"] == topic)]
    assert len(hit) == 1
    return hit.iloc[0]


# --- storage -----------------------------------------------------------------------------------


def test_store_round_trip_appends_one_json_object_per_line(tmp_path):
    store = CorrectionStore(tmp_path / "corrections")
    assert store.history() == [] and store.files() == []
    first = corr(
        WIRE_TEXT,
        "arms_control",
        "stance",
        "favor",
        model_label="against",
        model=STANCE_MODEL,
        run_id="r1",
        passage_id=f"{WIRE}:0",
        article_id=WIRE,
        probs={"favor": 0.12, "against": 0.66, "none": 0.22},
    )
    second = corr(WIRE_TEXT, "arms_control", "tone", "neutral", model_label="negative")
    path = store.append([first])
    store.append([second])
    assert path.parent == store.folder and path.name.startswith("corrections-")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    record = json.loads(lines[0])
    for key in (
        "text",
        "target",
        "topic",
        "task",
        "label",
        "model_label",
        "model",
        "run_id",
        "passage_id",
        "article_id",
        "time",
        "text_sha256",
    ):
        assert key in record
    assert record["time"].endswith("+00:00")  # ISO, UTC
    assert store.history() == [first, second]
    assert read_corrections(path) == [first, second]


def test_a_later_correction_supersedes_an_earlier_one(tmp_path):
    store = CorrectionStore(tmp_path)
    store.append(
        [corr(WIRE_TEXT, "arms_control", "stance", "favor", time="2024-01-01T10:00:00+00:00")]
    )
    store.append(
        [corr(WIRE_TEXT, "arms_control", "stance", "none", time="2024-01-02T10:00:00+00:00")]
    )
    store.append(
        [corr(WIRE_TEXT, "sanctions", "stance", "against", time="2024-01-01T09:00:00+00:00")]
    )
    assert len(store.history()) == 3  # history is never rewritten
    current = {(c.topic, c.task): c.label for c in store.latest()}
    assert current == {("arms_control", "stance"): "none", ("sanctions", "stance"): "against"}
    # An earlier time written later does not win; equal times go to the later line.
    same = "2024-01-03T00:00:00+00:00"
    tied = [
        corr(WIRE_TEXT, "ukraine", "tone", "negative", time=same),
        corr(WIRE_TEXT, "ukraine", "tone", "positive", time=same),
    ]
    assert [c.label for c in latest(tied)] == ["positive"]


def test_a_line_cut_short_by_a_crash_is_skipped_and_the_next_append_starts_fresh(tmp_path):
    store = CorrectionStore(tmp_path)
    path = store.append([corr(WIRE_TEXT, "arms_control", "stance", "favor")])
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('{"text": "half a rec')
    with pytest.warns(UserWarning, match=r":2: skipped"):
        assert len(store.history()) == 1
    store.append([corr(WIRE_TEXT, "arms_control", "tone", "neutral")])
    with pytest.warns(UserWarning, match=r":2: skipped"):
        assert [c.task for c in store.history()] == ["stance", "tone"]


def test_a_malformed_record_names_file_and_line(tmp_path):
    path = tmp_path / "corrections-2024-01-01.jsonl"
    good = corr(WIRE_TEXT, "arms_control", "stance", "favor").to_dict()
    bad = {**good, "label": "maybe"}
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n" + json.dumps(good) + "\n")
    with pytest.raises(DataError, match=r":2: expected a stance label"):
        read_corrections(tmp_path)


def test_a_line_edited_by_hand_is_skipped_in_the_folder_not_fatal(tmp_path):
    """A review's hand-edited line ("favour") put a traceback on three dashboard pages and
    stopped `correct`, `corrections` and `recompute` until the file was fixed by hand."""
    path = tmp_path / "corrections-2024-01-01.jsonl"
    good = corr(WIRE_TEXT, "arms_control", "stance", "favor").to_dict()
    path.write_text(json.dumps({**good, "label": "favour"}) + "\n" + json.dumps(good) + "\n")
    store = CorrectionStore(tmp_path)
    with pytest.warns(UserWarning, match=r":1: skipped a line that is not a correction"):
        assert [c.label for c in store.history()] == ["favor"]
    assert store.skipped_lines() == [f"{path}:1"]
    store.append([corr(WIRE_TEXT, "arms_control", "tone", "neutral")])  # saving still works
    with pytest.warns(UserWarning):
        assert sorted(c.task for c in store.latest()) == ["stance", "tone"]


def test_a_file_of_no_corrections_warns_of_a_few_lines_and_counts_the_rest(tmp_path):
    import warnings

    path = tmp_path / "corpus.jsonl"  # an articles file named where the folder should be
    path.write_text("".join(json.dumps({"id": i, "text": "x"}) + "\n" for i in range(40)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert read_corrections(path, strict=False) == []
    said = [str(w.message) for w in caught]
    assert len(said) == 6 and said[0].startswith(f"{path}:1: skipped a line")
    assert said[-1] == (
        f"{path}: skipped 35 more lines (it holds no correction at all: is it a corrections file?)"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"target": None, "drop": "target"}, "missing field 'target'"),
        ({"task": ["stance"]}, "field 'task' must be a string, got \\['stance'\\]"),
        ({"relevance": [1]}, "field 'relevance' must be a number"),
        ({"probs": {"favor": "a", "against": 0, "none": 0}}, "field 'probs' must map labels"),
    ],
)
def test_a_record_of_the_wrong_shape_says_which_field(tmp_path, change, message):
    record = corr(WIRE_TEXT, "arms_control", "stance", "favor").to_dict()
    record.pop(change.pop("drop", None) or "", None)
    record.update({k: v for k, v in change.items() if k != "target"})
    path = tmp_path / "corrections-2024-01-01.jsonl"
    path.write_text(json.dumps(record) + "\n")
    with pytest.raises(DataError, match=rf":1: {message}"):
        read_corrections(tmp_path)


def test_invalid_corrections_say_what_was_expected():
    with pytest.raises(ValueError, match="expected task"):
        corr(WIRE_TEXT, "arms_control", "mood", "happy")
    with pytest.raises(ValueError, match="expected a topic label"):
        corr(WIRE_TEXT, "arms_control", "topic", "favor")
    with pytest.raises(ValueError, match="expected probs"):
        corr(WIRE_TEXT, "arms_control", "tone", "neutral", probs={"favor": 1.0})


def test_corrections_dir_comes_from_the_argument_then_the_environment(tmp_path):
    assert corrections_dir(None, {}) == corrections_dir("corrections", {})
    assert corrections_dir(None, {"VIEWPOINTS_CORRECTIONS_DIR": str(tmp_path)}) == tmp_path
    assert corrections_dir("x", {"VIEWPOINTS_CORRECTIONS_DIR": str(tmp_path)}).name == "x"


# --- as labelled data ---------------------------------------------------------------------------


def test_corrections_load_as_examples_of_one_task_only_those_in_force(tmp_path):
    store = CorrectionStore(tmp_path / "c")
    store.append(
        [
            corr(WIRE_TEXT, "arms_control", "stance", "favor", time="2024-01-01T00:00:00+00:00"),
            corr(WIRE_TEXT, "arms_control", "stance", "against", time="2024-01-02T00:00:00+00:00"),
            corr(WIRE_TEXT, "arms_control", "tone", "negative"),
            corr(WIRE_TEXT, "arms_control", "topic", RELEVANT),
        ]
    )
    for fmt in ("corrections", "auto"):
        examples = load_examples(store.folder, "stance", fmt)
        assert [(e.label, e.group) for e in examples] == [("against", "arms_control")]
    assert detect_format(store.files()[0]) == "corrections"
    assert [e.label for e in load_examples(store.files()[0], "tone")] == ["negative"]
    # written by hand, without the model's label (an optional field): still corrections,
    # read as such (the later stance label replaces the earlier; other tasks left out)
    by_hand = tmp_path / "by_hand.jsonl"
    rows = [
        {"text": WIRE_TEXT, "target": "t", "topic": "arms_control", "task": "stance"}
        | {"label": label, "time": time}
        for label, time in (("favor", "2024-01-01T00:00:00"), ("against", "2024-01-02T00:00:00"))
    ]
    rows.append(rows[0] | {"task": "speaker", "label": "none"})
    by_hand.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert detect_format(by_hand) == "corrections"
    assert [e.label for e in load_examples(by_hand, "stance")] == ["against"]
    with pytest.raises(ValueError, match="'stance', 'tone' or 'speaker'"):
        examples_from_corrections(store.history(), "topic")


def test_evaluate_cli_scores_a_model_on_a_corrections_folder(tmp_path, capsys):
    store = CorrectionStore(tmp_path / "c")
    store.append(
        [
            corr("A wonderful, hopeful success for everyone.", "sanctions", "tone", "positive"),
            corr("A horrible and shameful disaster.", "sanctions", "tone", "negative"),
            corr("A horrible and shameful disaster.", "sanctions", "stance", "against"),
        ]
    )
    code = main(
        [
            "evaluate",
            "--task",
            "tone",
            "--data",
            str(store.folder),
            "--format",
            "corrections",
            "--model",
            "tone.vader.v1",
            "--json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 2  # only the tone corrections
    assert report["macro_f1"] == 1.0
    assert (
        main(
            [
                "evaluate",
                "--task",
                "tone",
                "--data",
                str(store.folder),
                "--model",
                "tone.vader.v1",
                "--json",
            ]
        )
        == 0
    )  # auto detects the folder
    captured = capsys.readouterr()
    assert json.loads(captured.out)["n"] == 2
    # the command scores afresh where the Evaluation page reads a run's predictions: said
    assert "the dashboard's Evaluation page reads a run's own predictions" in captured.err


# --- joined to a run ----------------------------------------------------------------------------


def test_predictions_come_from_the_run_then_from_the_stored_probabilities(run):
    stored = {"favor": 0.2, "against": 0.1, "none": 0.7}
    corrections = [
        corr(WIRE_TEXT, "arms_control", "stance", "favor"),  # scored by the run: against
        corr(
            "Not in this run at all.",
            "sanctions",
            "stance",
            "none",
            model=STANCE_MODEL,
            probs=stored,
        ),
        corr(
            "Neither in this run.",
            "sanctions",
            "stance",
            "favor",
            model="stance.other.v1",
            probs=stored,
        ),
    ]
    pred = predictions_for(run, corrections, "stance").set_index("text")
    assert pred.loc[WIRE_TEXT, "source"] == "run"
    assert pred.loc[WIRE_TEXT, "predicted"] == "against"
    assert pred.loc[WIRE_TEXT, "p_against"] == pytest.approx(0.66)
    assert pred.loc["Not in this run at all.", "source"] == "stored"
    assert pred.loc["Not in this run at all.", "predicted"] == "none"
    assert pred.loc["Neither in this run.", "source"] == "missing"
    table = summary(run, corrections).set_index(["topic", "task"])
    assert table.loc[("arms_control", "stance"), "accuracy"] == 0.0
    assert table.loc[("sanctions", "stance"), "corrections"] == 2
    assert table.loc[("sanctions", "stance"), "with_prediction"] == 1
    assert table.loc[("sanctions", "stance"), "accuracy"] == 1.0


def test_a_stance_correction_becomes_one_hot_and_moves_the_positions(run):
    before = _position(run, "article", WIRE, "arms_control")
    assert before["stance"] == pytest.approx(0.12 - 0.66)
    applied = apply_corrections(run, [corr(WIRE_TEXT, "arms_control", "stance", "favor")])
    after = _position(applied.tables, "article", WIRE, "arms_control")
    assert after["stance"] == pytest.approx(1.0)  # its only passage, now certainly favor
    assert after["tone"] == pytest.approx(before["tone"])  # tone untouched
    group = _position(applied.tables, "author", "INF Treaty: a wire report", "arms_control")
    assert group["stance"] == pytest.approx(1.0)
    row = applied.tables["scores"].query("article_id == @WIRE").iloc[0]
    assert (row["stance_favor"], row["stance_against"], row["stance_none"]) == (1.0, 0.0, 0.0)
    assert row["corrected"] == "stance"
    assert applied.counts["applied"] == 1 and applied.counts["by_task"]["stance"] == 1
    # The run itself is not modified.
    assert _position(run, "article", WIRE, "arms_control")["stance"] == pytest.approx(-0.54)


def test_a_correction_on_text_in_several_passages_reaches_each_and_is_counted(
    run, tmp_path, capsys
):
    # another article's arms-control passage holds the wire report's sentence word for word
    scored = run.scores.query("topic == 'arms_control' and article_id != @WIRE")
    other = scored["passage_id"].iloc[0]
    run.passages.loc[run.passages["passage_id"] == other, "text"] = WIRE_TEXT
    labels = [
        corr(WIRE_TEXT, "arms_control", "stance", "favor"),
        corr(WIRE_TEXT, "arms_control", "tone", "positive"),  # the same passages again
    ]
    applied = apply_corrections(run, labels)
    rows = applied.tables["scores"].query("topic == 'arms_control' and corrected == 'stance,tone'")
    assert set(rows["passage_id"]) == {
        other,
        *run.scores.query("article_id == @WIRE")["passage_id"],
    }
    assert (applied.counts["applied"], applied.counts["shared_text"]) == (2, 2)
    assert applied.counts["shared_passages"] == 2  # two passages, each counted once


def test_a_correction_on_a_pair_the_run_never_scored_is_counted_without_effect(run):
    wire_topics = set(run.scores.query("article_id == @WIRE")["topic"])
    assert "sanctions" in run.info.topic_keys() and "sanctions" not in wire_topics
    applied = apply_corrections(
        run,
        [
            corr(WIRE_TEXT, "arms_control", "stance", "favor"),
            corr(WIRE_TEXT, "sanctions", "stance", "against"),  # not a sanctions passage
        ],
    )
    counts = applied.counts
    assert (counts["applied"], counts["no_effect"], counts["unmatched"]) == (1, 1, 0)
    assert counts["by_task"]["stance"] == 1
    assert "sanctions" not in set(applied.tables["scores"].query("article_id == @WIRE")["topic"])
    # a stance label on a pair that a "not relevant" label removes has no effect either
    removed = apply_corrections(
        run,
        [
            corr(WIRE_TEXT, "arms_control", "stance", "favor"),
            corr(WIRE_TEXT, "arms_control", "topic", NOT_RELEVANT),
        ],
    )
    assert removed.counts["removed"] == 1
    assert (removed.counts["applied"], removed.counts["no_effect"]) == (1, 1)
    assert removed.counts["by_task"] == {**removed.counts["by_task"], "topic": 1, "stance": 0}


def test_the_recompute_line_counts_every_correction_in_force_once(run, tmp_path, capsys):
    store = CorrectionStore(tmp_path / "c")
    store.append(
        [
            corr(WIRE_TEXT, "arms_control", "stance", "favor"),  # applied
            corr(WIRE_TEXT, "sanctions", "topic", NOT_RELEVANT),  # agrees with the run
            corr(UNSCORED_TEXT, "ukraine", "topic", RELEVANT),  # waits for stance and tone
        ]
    )
    args = ["recompute", str(run.path), "--corrections-dir", str(store.folder)]
    assert main([*args, "--runs-dir", str(run.path.parent)]) == 0
    err = capsys.readouterr().err
    assert "applied 1 of 3 corrections in force on this run's topics" in err
    assert "1 passage(s) marked relevant pending: each counts once it also has" in err
    assert "(1 corrections wait on that)" in err
    assert "; 1 without effect (on passages this run does not" in err
    assert " 0 " not in err.splitlines()[0]  # counts of nothing are left out
    # too few corrections to calibrate: the same run as without calibration, and said so
    assert main([*args, "--runs-dir", str(run.path.parent), "--calibrate"]) == 0  # done already
    captured = capsys.readouterr()
    err = captured.err
    assert "already holds these corrections" in err and "calibration fitted nothing: " in err
    assert "error" not in err and captured.out.strip()  # the run that holds them, named
    # elsewhere, the run is written and says it is not rescaled
    assert main([*args, "--runs-dir", str(tmp_path / "other"), "--calibrate"]) == 0
    err = capsys.readouterr().err
    assert "stance: not calibrated (" in err and "probabilities as they were" in err


def test_a_ctrl_c_once_the_recomputed_run_is_in_place_leaves_it_complete(
    run, tmp_path, capsys, monkeypatch
):
    store = CorrectionStore(tmp_path / "c")
    store.append([corr(WIRE_TEXT, "arms_control", "stance", "favor")])

    def interrupted(*args, **kwargs):  # while it reads both runs to tell what moved
        raise KeyboardInterrupt

    monkeypatch.setattr("analysis.cli.corrections._moved_positions", interrupted)
    args = ["recompute", str(run.path), "--corrections-dir", str(store.folder)]
    assert main([*args, "--runs-dir", str(run.path.parent)]) == 0
    captured = capsys.readouterr()
    path = Path(captured.out.strip())
    assert f"interrupted after run {path.name} was written: it is complete" in captured.err
    assert load_run(str(path)).meta["source_run"]["run_id"] == run.run_id


def test_not_relevant_removes_a_passage_from_the_topic(run):
    applied = apply_corrections(
        run,
        [
            corr(UKRAINE_TEXT, "ukraine", "topic", NOT_RELEVANT),
            corr(UKRAINE_TEXT, "ukraine", "stance", "favor"),
        ],  # ignored: not about the topic
    )
    after = _position(applied.tables, "article", "002_timofeev_sanctions", "ukraine")
    assert after["status"] == "not_discussed" and math.isnan(after["stance"])
    assert applied.counts["removed"] == 1
    scores = applied.tables["scores"]
    assert not (
        (scores["topic"] == "ukraine") & (scores["article_id"] == "002_timofeev_sanctions")
    ).any()


def test_relevant_adds_a_passage_only_with_both_stance_and_tone(run):
    aid = "000_75f37cc66b80f13e"
    assert _position(run, "article", aid, "ukraine")["status"] == "not_discussed"
    only_topic = apply_corrections(
        run,
        [
            corr(UNSCORED_TEXT, "ukraine", "topic", RELEVANT),
            corr(UNSCORED_TEXT, "ukraine", "stance", "favor"),
        ],
    )
    assert _position(only_topic.tables, "article", aid, "ukraine")["status"] == "not_discussed"
    assert only_topic.counts["pending"] == 1 and only_topic.counts["added"] == 0
    # both corrections wait for the tone label: counted as waiting, not lost from the counts
    assert (only_topic.counts["waiting"], only_topic.counts["applied"]) == (2, 0)
    full = apply_corrections(
        run,
        [
            corr(UNSCORED_TEXT, "ukraine", "topic", RELEVANT),
            corr(UNSCORED_TEXT, "ukraine", "stance", "favor"),
            corr(UNSCORED_TEXT, "ukraine", "tone", "positive"),
        ],
    )
    after = _position(full.tables, "article", aid, "ukraine")
    assert after["status"] == "discussed" and after["n_passages"] == 1
    assert after["stance"] == pytest.approx(1.0) and after["tone"] == pytest.approx(1.0)
    assert full.counts["added"] == 1
    added = full.tables["scores"].query("topic == 'ukraine' and article_id == @aid").iloc[0]
    assert added["relevance"] == 1.0 and added["corrected"] == "topic,stance,tone"


def test_corrections_survive_a_rerun_with_new_ids(run, tmp_path):
    corrections = [
        corr(
            WIRE_TEXT, "arms_control", "stance", "favor", run_id=run.run_id, passage_id=f"{WIRE}:0"
        )
    ]
    second = _rerun(run, tmp_path / "runs")
    assert second.run_id != run.run_id
    assert f"{WIRE}:0" not in set(second.passages["passage_id"])
    applied = apply_corrections(second, corrections)
    after = _position(applied.tables, "article", f"{WIRE}-rerun", "arms_control")
    assert after["stance"] == pytest.approx(1.0)
    assert applied.counts["applied"] == 1 and applied.counts["unmatched"] == 0
    assert predictions_for(second, corrections, "stance")["source"].tolist() == ["run"]


def test_recompute_writes_a_new_run_that_names_its_source(run, tmp_path):
    runs_dir = run.path.parent
    run.meta.pop("position_rules")  # a source made by older rules
    path = recompute(
        run,
        [
            corr(WIRE_TEXT, "arms_control", "stance", "favor"),
            corr("Not in the run.", "sanctions", "tone", "neutral"),
            corr(WIRE_TEXT, "nato", "stance", "favor"),  # a topic this run does not have
        ],
        runs_dir,
        corrections_source="somewhere",
    )
    new = load_run(str(path))
    assert new.run_id != run.run_id and new.run_id.endswith("-corrected")
    assert new.meta["source_run"]["run_id"] == run.run_id
    assert new.meta["corrections"]["applied"] == 1
    assert new.meta["corrections"]["unmatched"] == 1
    assert new.meta["corrections"]["other_topics"] == 1
    assert new.meta["corrections"]["other_topic_keys"] == ["nato"]
    assert new.meta["corrections"]["source"] == "somewhere"
    assert new.meta["models"] == run.meta["models"]
    # its positions are recomputed now: widened for small samples, whatever the source's were
    assert "interval_method" not in run.meta
    assert new.meta["interval_method"] == INTERVAL_METHOD
    # and by today's rules of "mixed" and the evidence order, whatever the source's were
    from analysis.aggregate import POSITION_RULES

    assert new.meta["position_rules"] == POSITION_RULES
    # what an export of it carries: which corrections made it, from where
    from analysis.provenance import run_provenance

    provenance = run_provenance(new.meta)
    assert provenance["corrections"]["source"] == "somewhere"
    assert provenance["corrections"]["applied"] == 1 and provenance["corrections"]["fingerprint"]
    assert provenance["source_run"]["run_id"] == run.run_id
    assert "source_command" in provenance and "corrections" not in run_provenance(run.meta)
    # nothing changes the run, but a label on a topic it lacks (a label typed as the key?):
    # the refusal names it and the run's keys
    lost = [corr(WIRE_TEXT, "Arms control", "stance", "favor")]
    with pytest.raises(
        ValueError, match="1 correction in force, on topics it does not have"
    ) as err:
        recompute(run, lost, runs_dir)
    assert "(Arms control; its topic keys: arms_control" in str(err.value)
    assert _position(new, "article", WIRE, "arms_control")["stance"] == pytest.approx(1.0)
    assert "corrected" in new.scores.columns


def test_recompute_keeps_the_gates_rejects_less_those_a_correction_made_topic_passages(
    run, tmp_path
):
    from analysis.runs import GATED_OUT_TABLE, write_parquet

    assert not (run.path / GATED_OUT_TABLE).exists()  # a run from before the table: none made
    tone = [corr(WIRE_TEXT, "arms_control", "tone", "neutral")]
    plain = load_run(str(recompute(run, tone, run.path.parent, corrections_source="x")))
    assert not (plain.path / GATED_OUT_TABLE).exists()
    passages = run.passages.set_index("text")
    unscored = passages.loc[UNSCORED_TEXT, "passage_id"]
    other = passages.loc[WIRE_TEXT, "passage_id"]
    left_out = pd.DataFrame(
        {
            "passage_id": [unscored, other],
            "article_id": [passages.loc[UNSCORED_TEXT, "article_id"], WIRE],
            "topic": ["ukraine", "sanctions"],
            "relevance": [0.7, 0.6],
            "reported": [False, False],
            "on_topic": [0.4, 0.3],
        }
    )
    write_parquet(left_out, run.path / GATED_OUT_TABLE)
    added = [
        corr(UNSCORED_TEXT, "ukraine", "topic", RELEVANT),
        corr(UNSCORED_TEXT, "ukraine", "stance", "favor"),
        corr(UNSCORED_TEXT, "ukraine", "tone", "positive"),
    ]
    new = load_run(str(recompute(run, added, run.path.parent, corrections_source="x")))
    kept = pd.read_parquet(new.path / GATED_OUT_TABLE)
    assert list(zip(kept["passage_id"], kept["topic"], strict=True)) == [(other, "sanctions")]
    assert new.meta["counts"]["gated_out_pairs"] == 1


def _stance_corrections(run):
    """Stance corrections on every own-voice scored passage, disagreeing with the model."""
    own = run.scores[~run.scores["reported"].astype(bool)]
    merged = own.merge(run.passages[["passage_id", "text"]], on="passage_id")
    out = []
    for row in merged.to_dict("records"):
        probs = [row["stance_favor"], row["stance_against"], row["stance_none"]]
        model = ("favor", "against", "none")[int(np.argmax(probs))]
        wrong = "against" if model != "against" else "favor"
        out.append(corr(row["text"], row["topic"], "stance", wrong, model_label=model))
    return out


def test_recompute_cli_with_calibration_fits_and_records_the_temperature(
    run, tmp_path, capsys, monkeypatch
):
    store = CorrectionStore(tmp_path / "c")
    wrong = _stance_corrections(run)
    store.append(wrong[:-1])  # leave one scored passage uncorrected to see its probabilities move
    command = [
        "recompute",
        str(run.path),
        "--corrections-dir",
        str(store.folder),
        "--calibrate",
        "--min-examples",
        "5",
        "--runs-dir",
        str(run.path.parent),
    ]
    monkeypatch.setattr("sys.argv", ["/usr/bin/viewpoints", *command])  # as typed
    code = main(command)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    new = load_run(captured.out.strip())
    info = new.meta["calibration"]
    assert info["stance"]["temperature"] > 1  # every prediction was wrong: soften
    assert info["stance"]["n"] == len(wrong) - 1
    assert info["tone"]["temperature"] is None  # no tone corrections
    last = run.scores.iloc[-1]
    moved = new.scores.set_index(["passage_id", "topic"]).loc[(last["passage_id"], last["topic"])]
    assert moved["corrected"] == ""
    assert moved["stance_favor"] != pytest.approx(last["stance_favor"])
    old_top = np.argmax([last["stance_favor"], last["stance_against"], last["stance_none"]])
    new_top = np.argmax([moved["stance_favor"], moved["stance_against"], moved["stance_none"]])
    assert old_top == new_top  # calibration changes confidence, not the label
    assert "temperature" in captured.err
    n = len(wrong) - 1
    assert f"applied {n} of {n} corrections in force on this run's topics" in captured.err
    assert "pending" not in captured.err  # nothing pending, not said
    # the new run records its own command, and show says what it is
    assert new.meta["command"].startswith(f"viewpoints recompute {run.path}")
    assert new.meta["source_command"] == run.meta.get("command")
    assert main(["show", str(new.path)]) == 0
    notes = capsys.readouterr().out.replace("\n  ", " ").splitlines()  # notes unwrapped
    assert notes[1].startswith("models: ")  # the models, how far to trust S, where it came from
    assert notes[2].startswith("how far to trust S")
    assert notes[3].startswith("quotes told from own words")
    shown = notes[4]
    assert shown.startswith(f"recomputed from run {run.run_id} with {n} correction(s) applied")
    assert "probabilities calibrated (stance T=" in shown


def test_corrections_cli_counts_per_topic_and_task(tmp_path, capsys):
    store = CorrectionStore(tmp_path / "c")
    store.append(
        [
            corr(WIRE_TEXT, "arms_control", "stance", "favor", model_label="against"),
            corr(WIRE_TEXT, "arms_control", "tone", "negative", model_label="negative"),
        ]
    )
    assert main(["corrections", "--corrections-dir", str(store.folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["in_force"] == 2
    assert report["by_topic"]["arms_control"]["stance"] == {"n": 1, "changed": 1}
    assert report["by_topic"]["arms_control"]["tone"] == {"n": 1, "changed": 0}
    store.append([corr(UKRAINE_TEXT, "ukraine", "speaker", "against", model_label="favor")])
    assert main(["corrections", "--corrections-dir", str(store.folder)]) == 0
    out = capsys.readouterr().out
    assert "ukraine: quoted voice's stance 1 (1 changed)" in out and "in force, newest" not in out
    # --list: each one in force, newest first, to review (a withdrawn one is not listed)
    args = ["corrections", "--corrections-dir", str(store.folder), "--list"]
    assert main(args) == 0
    listed = capsys.readouterr().out.split("in force, newest first")[1].splitlines()[1:]
    assert len(listed) == 3 and "ukraine  quoted voice's stance: against (favor)" in listed[0]
    assert listed[0].endswith(UKRAINE_TEXT[:69] + "…")
    store.append([dataclasses.replace(latest(store.history())[-1], label="withdrawn")])
    assert main([*args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [c["task"] for c in report["corrections"]] == ["tone", "stance"]
    assert report["corrections"][1]["text"] == WIRE_TEXT


def test_recompute_cli_without_corrections_is_a_one_line_error(run, tmp_path, capsys):
    code = main(
        [
            "recompute",
            str(run.path),
            "--corrections-dir",
            str(tmp_path / "none"),
            "--runs-dir",
            str(run.path.parent),
        ]
    )
    assert code == 2
    assert "no corrections" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_concurrent_appends_keep_every_line_whole(tmp_path):
    store = CorrectionStore(tmp_path)
    children = []
    for worker in range(4):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child process
            try:
                for i in range(25):
                    CorrectionStore(tmp_path).append(
                        [corr(f"{worker} {i} " + "x" * 3000, "sanctions", "tone", "neutral")]
                    )
            finally:
                os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    assert len(store.history()) == 100


def test_applying_does_not_depend_on_the_order_of_the_scores(run):
    shuffled = run.scores.sample(frac=1.0, random_state=0)
    run.scores = shuffled
    applied = apply_corrections(run, [corr(WIRE_TEXT, "arms_control", "stance", "favor")])
    assert isinstance(applied.tables["positions"], pd.DataFrame)
    assert _position(applied.tables, "article", WIRE, "arms_control")["stance"] == pytest.approx(
        1.0
    )


def test_a_stance_label_on_a_quote_is_counted_without_effect(run):
    """The author head's stance on reported speech is counted in no position (the quoted
    voices' measure reads the speaker_* columns), so such a label is not "applied"."""
    run = _with_speaker_head(run)
    scores = run.scores
    quoted = scores[scores["reported"].astype(bool)].iloc[0]
    text = run.passages.set_index("passage_id").at[quoted["passage_id"], "text"]
    stance = corr(text, quoted["topic"], "stance", "against")
    tone = corr(text, quoted["topic"], "tone", "positive")
    counts = apply_corrections(run, [stance, tone]).counts
    assert (counts["applied"], counts["no_effect"]) == (1, 1)  # the tone label applies
    assert counts["by_task"]["stance"] == 0 and counts["by_task"]["tone"] == 1


def test_in_a_run_of_the_older_format_quotes_take_either_stance_label(run):
    """A run written before the speaker_* columns reads a quote's stance columns as its
    quoted voice's: a stance label there moves the quoted voices, and so does a quoted voice's
    label, which gives the run the columns."""
    assert "speaker_favor" not in run.scores.columns  # the small run is of that format
    quoted = run.scores[run.scores["reported"].astype(bool)].iloc[0]
    aid, topic, text = quoted["article_id"], quoted["topic"], _text_of(run, quoted["passage_id"])
    was = _position(apply_corrections(run, []).tables, "article", aid, topic)["quoted_stance"]
    for task in ("stance", "speaker"):
        applied = apply_corrections(run, [corr(text, topic, task, "against")])
        assert applied.counts["applied"] == 1, task
        now = _position(applied.tables, "article", aid, topic)["quoted_stance"]
        assert now < was, task


def _with_speaker_head(run):
    """The run as a model with a speaker head scores it: each quote's voice favors."""
    scores = run.scores.copy()
    reported = scores["reported"].astype(bool)
    for side, value in (("favor", 0.8), ("against", 0.1), ("none", 0.1)):
        scores[f"speaker_{side}"] = np.where(reported, value, np.nan)
    scores["speaker_stance"] = scores["speaker_favor"] - scores["speaker_against"]
    run.scores = scores
    return run


def _text_of(run, passage_id):
    return run.passages.set_index("passage_id").at[passage_id, "text"]


def _score_row(scores, passage_id, topic):
    return scores[(scores["passage_id"] == passage_id) & (scores["topic"] == topic)].iloc[0]


def _marked_relevant(text, topic, *labels):
    """A passage marked relevant to ``topic``, with its (task, label) pairs."""
    return [
        corr(text, topic, "topic", RELEVANT),
        *(corr(text, topic, task, label) for task, label in labels),
    ]


def _unscored_quote(run, topic):
    """(id, text) of a reported passage the run did not score on ``topic``."""
    reported = run.passages[run.passages["reported"].astype(bool)]
    scored = set(zip(run.scores["passage_id"], run.scores["topic"], strict=True))
    pid = next(p for p in reported["passage_id"] if (p, topic) not in scored)
    return pid, _text_of(run, pid)


def test_a_quoted_voice_s_stance_label_moves_the_quoted_voices_measure_only(run):
    run = _with_speaker_head(run)
    quoted = run.scores[run.scores["reported"].astype(bool)].iloc[0]
    aid, topic = quoted["article_id"], quoted["topic"]
    before = apply_corrections(run, []).tables
    label = corr(_text_of(run, quoted["passage_id"]), topic, "speaker", "against")
    applied = apply_corrections(run, [label])
    row = applied.tables["scores"].query("passage_id == @quoted.passage_id and topic == @topic")
    row = row.iloc[0]
    assert (row["speaker_favor"], row["speaker_against"], row["speaker_none"]) == (0, 1, 0)
    assert row["speaker_stance"] == -1.0 and row["corrected"] == "speaker"
    assert row["stance"] == pytest.approx(quoted["stance"])  # the author head's reading stays
    assert applied.counts["applied"] == 1 and applied.counts["by_task"]["speaker"] == 1
    was = _position(before, "article", aid, topic)
    now = _position(applied.tables, "article", aid, topic)
    assert now["quoted_stance"] < was["quoted_stance"]
    assert now["stance"] == pytest.approx(was["stance"], nan_ok=True)  # the author's: unmoved


def test_a_quoted_voice_s_stance_label_on_own_words_is_counted_without_effect(run):
    own = run.scores[~run.scores["reported"].astype(bool)].iloc[0]
    on_own_words = corr(_text_of(run, own["passage_id"]), own["topic"], "speaker", "favor")
    quoted = run.scores[run.scores["reported"].astype(bool)].iloc[0]
    on_quote = corr(_text_of(run, quoted["passage_id"]), quoted["topic"], "speaker", "favor")
    with_head = _with_speaker_head(run)
    counts = apply_corrections(with_head, [on_own_words, on_quote]).counts
    assert (counts["applied"], counts["no_effect"]) == (1, 1)
    scores = apply_corrections(with_head, [on_own_words]).tables["scores"]
    assert scores.query("passage_id == @own.passage_id")["speaker_favor"].isna().all()


def test_a_quote_marked_relevant_is_added_with_its_quoted_voice_s_stance(run):
    run = _with_speaker_head(run)
    pid, text = _unscored_quote(run, "sanctions")
    labels = _marked_relevant(text, "sanctions", ("speaker", "against"), ("tone", "negative"))
    applied = apply_corrections(run, labels)
    assert applied.counts["added"] == 1 and applied.counts["applied"] == 3
    row = _score_row(applied.tables["scores"], pid, "sanctions")
    assert row["speaker_stance"] == -1.0 and row["corrected"] == "topic,tone,speaker"
    assert np.isnan(row["stance"])  # the author's reading of the quote: not given, not made up
    aid = row["article_id"]
    before = _position(run, "article", aid, "sanctions")
    after = _position(applied.tables, "article", aid, "sanctions")
    assert after["quoted_stance"] < 0
    assert after["stance"] == pytest.approx(before["stance"], nan_ok=True)  # the author's: as was
    # without a stance of either voice it waits, as an own-voice passage does
    waiting = apply_corrections(run, [labels[0], labels[2]]).counts
    assert (waiting["added"], waiting["pending"], waiting["waiting"]) == (0, 1, 2)


def test_predictions_of_a_quoted_voice_s_stance_come_from_the_speaker_head(run):
    run = _with_speaker_head(run)
    quoted = run.scores[run.scores["reported"].astype(bool)].iloc[0]
    label = corr(_text_of(run, quoted["passage_id"]), quoted["topic"], "speaker", "against")
    predictions = predictions_for(run, [label], "speaker")
    assert predictions.iloc[0]["predicted"] == "favor"
    assert predictions.iloc[0]["p_favor"] == pytest.approx(0.8)
    table = summary(run, [label])
    row = table[table["task"] == "speaker"].iloc[0]
    assert (row["corrections"], row["with_prediction"], row["accuracy"]) == (1, 1, 0.0)


def test_where_quotes_count_as_the_author_s_an_added_quote_needs_the_author_s_stance(run):
    run = _with_speaker_head(run)
    run.info = dataclasses.replace(
        run.info, aggregation=dataclasses.replace(run.info.aggregation, include_reported=True)
    )
    pid, text = _unscored_quote(run, "sanctions")
    quoted_only = _marked_relevant(text, "sanctions", ("speaker", "against"), ("tone", "negative"))
    waiting = apply_corrections(run, quoted_only).counts
    assert (waiting["added"], waiting["pending"]) == (0, 1)
    both = apply_corrections(run, [*quoted_only, corr(text, "sanctions", "stance", "favor")])
    assert both.counts["added"] == 1
    row = _score_row(both.tables["scores"], pid, "sanctions")
    assert (row["stance"], row["speaker_stance"]) == (1.0, -1.0)


def test_recomputing_a_corrected_run_starts_again_from_the_model_s_run(run, tmp_path, capsys):
    runs_dir = run.path.parent
    first = load_run(
        str(recompute(run, [corr(WIRE_TEXT, "arms_control", "stance", "favor")], runs_dir))
    )
    second_labels = [corr(WIRE_TEXT, "arms_control", "tone", "positive")]
    second = load_run(str(recompute(first, second_labels, runs_dir)))
    assert second.meta["source_run"]["run_id"] == run.run_id  # not the corrected run
    assert "corrections + corrections" not in second.meta["name"]
    assert _position(second, "article", WIRE, "arms_control")["stance"] == pytest.approx(
        _position(run, "article", WIRE, "arms_control")["stance"]
    )  # only the labels given this time
    folder = tmp_path / "corr"
    CorrectionStore(folder).append(second_labels)
    args = ["recompute", str(first.path), "--corrections-dir", str(folder)]
    # the same labels again: the run that holds them is named (its folder on stdout, as a new
    # run's would be), nothing written, and it is not an error
    before = sorted(p.name for p in runs_dir.iterdir())
    assert main([*args, "--runs-dir", str(runs_dir)]) == 0
    captured = capsys.readouterr()
    err = captured.err
    assert f"starting again from the model's run {run.run_id}" in err
    assert f"run {second.run_id} already holds these corrections" in err
    assert captured.out.strip() == str(second.path)
    assert sorted(p.name for p in runs_dir.iterdir()) == before
    # calibration asked for but fitting nothing (too few labels) makes the same run: said so
    assert main([*args, "--runs-dir", str(runs_dir), "--calibrate"]) == 0
    assert f"run {second.run_id} already holds these corrections" in capsys.readouterr().err
    assert main([*args, "--runs-dir", str(runs_dir), "--min-examples", "5"]) == 2
    assert "--min-examples: only with --calibrate" in capsys.readouterr().err
    CorrectionStore(folder).append([corr(WIRE_TEXT, "arms_control", "stance", "none")])
    assert main([*args, "--runs-dir", str(runs_dir)]) == 0  # other labels: a new run
    names = [m["name"] for m in list_runs(runs_dir) if "source_run" in m]
    # told apart by the time they were made too (to the second)
    assert len(names) == 3 and all(n.startswith(f"{run.run_id} + corrections 20") for n in names)
    # the model's run gone: said in one line; readers of its scores go on without them
    import shutil

    from analysis.corrections import source_run_if_kept, source_run_path

    assert source_run_if_kept(second) == Path(run.path) and source_run_if_kept(run) is None
    shutil.rmtree(run.path)
    assert main([*args, "--runs-dir", str(runs_dir)]) == 2
    assert "no longer at" in capsys.readouterr().err
    assert source_run_if_kept(second) is None
    with pytest.raises(ValueError, match="no longer at"):
        source_run_path(second)


def test_recompute_writes_nothing_when_no_correction_changes_the_run(run, tmp_path, capsys):
    runs_dir = run.path.parent
    before = sorted(p.name for p in runs_dir.iterdir())
    useless = [corr("Not in the run.", "sanctions", "tone", "neutral")]
    with pytest.raises(ValueError, match="no new run written"):
        recompute(run, useless, runs_dir)
    folder = tmp_path / "corr"
    CorrectionStore(folder).append(useless)
    args = ["recompute", str(run.path), "--corrections-dir", str(folder), "--runs-dir"]
    assert main([*args, str(runs_dir)]) == 2
    err = capsys.readouterr().err
    assert "(1 on text not in it)" in err and " 0 " not in err  # counts of nothing left out
    assert sorted(p.name for p in runs_dir.iterdir()) == before
    # every correction on another topic: said so, not "none of the 0 corrections in force"
    elsewhere = [corr(WIRE_TEXT, "nord_stream", "tone", "neutral")]
    with pytest.raises(ValueError) as info:
        recompute(run, elsewhere, runs_dir)
    said = str(info.value)
    assert said.startswith(
        "no correction in force is on this run's topics: 1 correction in force, on"
    )
    assert "nord_stream" in said and "none of the 0" not in said


def test_comparing_a_run_with_its_corrected_run_shows_the_quoted_voices_that_moved(run):
    from analysis.compare import compare_runs
    from analysis.terminal import format_comparison

    run = _with_speaker_head(run)
    positions = apply_corrections(run, []).tables["positions"]
    run.positions = positions  # the model's run, with its quoted voices measured
    quoted = run.scores[run.scores["reported"].astype(bool)].iloc[0]
    topic = quoted["topic"]
    label = corr(_text_of(run, quoted["passage_id"]), topic, "speaker", "against")
    corrected = copy.copy(run)
    corrected.scores = apply_corrections(run, [label]).tables["scores"]
    corrected.positions = apply_corrections(run, [label]).tables["positions"]
    report = compare_runs(run, corrected)
    section = report["topics"][topic]
    assert section["speaker"]["n"] >= 1 and section["speaker"]["agreement"] < 1
    moved = [e for e in section["author_changes"] if e["measure"] == "quoted"]
    assert moved and all(e["a"]["value"] > e["b"]["value"] for e in moved)
    # the passages behind a quoted voices' value are its quotes, not the author's own words
    authors = positions[(positions["level"] == "author") & (positions["topic"] == topic)]
    for e in moved:
        unit = authors[authors["author"] == e["author"]].iloc[0]
        assert e["a"]["n_passages"] == unit["n_reported"] >= 1
    assert section["disagreements"]["speaker"][0]["passage_id"] == quoted["passage_id"]
    text = format_comparison(report)
    assert "quoted voices" in text and "the quoted voice's stance" in text


def test_a_quote_whose_stance_failed_stays_unscored_when_recomputed(run):
    run = _with_speaker_head(run)
    scores = run.scores.copy()
    quote = scores.index[scores["reported"].astype(bool)][0]
    columns = ["stance_favor", "stance_against", "stance_none", "stance"]
    scores.loc[quote, columns] = np.nan  # a backend that failed to answer for it
    scores.loc[quote, ["speaker_favor", "speaker_against", "speaker_none", "speaker_stance"]] = (
        np.nan
    )
    run.scores = scores
    applied = apply_corrections(run, [])  # no ValueError from the positions' input check
    assert len(applied.tables["scores"]) == len(scores)


def test_a_quote_marked_relevant_with_the_author_s_stance_alone_waits(run):
    """Reported speech counts toward its quoted voice: the author's label alone does not say
    that stance, so the quote waits for it (where quotes are not the author's own)."""
    run = _with_speaker_head(run)
    _, text = _unscored_quote(run, "sanctions")
    labels = _marked_relevant(text, "sanctions", ("stance", "against"), ("tone", "negative"))
    counts = apply_corrections(run, labels).counts
    assert (counts["added"], counts["pending"], counts["waiting"]) == (0, 1, 3)


def test_a_corrected_run_finds_its_model_run_beside_it_wherever_recompute_ran(
    run, tmp_path, monkeypatch
):
    from analysis.corrections import model_run

    monkeypatch.chdir(run.path.parent.parent)
    relative = load_run(run.run_id, run.path.parent.name)  # a runs folder given relatively
    label = [corr(WIRE_TEXT, "arms_control", "stance", "favor")]
    corrected = load_run(str(recompute(relative, label, run.path.parent.name)))
    monkeypatch.chdir(tmp_path)  # elsewhere
    assert model_run(corrected).run_id == run.run_id
    corrected.meta["source_run"]["path"] = run.path.parent.name + "/" + run.run_id
    assert model_run(corrected).run_id == run.run_id  # recorded relative: found beside it
    corrected.meta["source_run"]["run_id"] = corrected.run_id  # names itself: no loop
    assert model_run(corrected) is corrected


def test_evaluate_cli_reads_the_quoted_voices_by_the_speaker_head(tmp_path, capsys):
    store = CorrectionStore(tmp_path / "c")
    store.append(
        [
            corr('"We must keep the treaty," Lavrov said.', "arms_control", "speaker", "favor"),
            corr('"The treaty is dead," Bolton said.', "arms_control", "speaker", "against"),
            corr("The treaty is dead.", "arms_control", "stance", "against"),
        ]
    )
    args = ["evaluate", "--task", "speaker", "--data", str(store.folder), "--json"]
    assert main([*args, "--model", "stance.minilm.v2"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["n"] == 2 and report["task"] == "speaker"  # the speaker labels only
    assert report["model"] == "stance.minilm.v2:speaker"
    assert "2 quoted voice's stance examples" in captured.err
    assert "no speaker head" not in captured.err
    # a model without a speaker head: its stance reading stands in, and it is said
    assert main([*args, "--model", "stance.minilm.v1"]) == 0
    assert "note: stance.minilm.v1 has no speaker head" in capsys.readouterr().err
    labelled = tmp_path / "plain.jsonl"
    labelled.write_text('{"text": "x", "target": "y", "label": "favor"}\n')
    assert main(["evaluate", "--task", "speaker", "--data", str(labelled)]) == 2
    assert "read from the analyst's corrections" in capsys.readouterr().err


def test_evaluating_a_task_the_corrections_lack_points_to_the_one_they_hold(tmp_path, capsys):
    store = CorrectionStore(tmp_path / "c")
    store.append([corr('"No deal," he said.', "arms_control", "speaker", "against")])
    args = ["evaluate", "--task", "stance", "--data", str(store.folder)]
    assert main(args) == 2
    assert "holds no stance corrections (it holds speaker corrections: --task speaker)" in (
        capsys.readouterr().err
    )
    # topic corrections, which no --task reads: where they are measured is said
    store.append([corr("Talks resumed.", "arms_control", "topic", "not relevant")])
    assert main(args) == 2
    assert "topic corrections are measured on the dashboard's Evaluation page" in (
        capsys.readouterr().err
    )
    # something there that is no file: not "no such file"
    assert main(["evaluate", "--task", "stance", "--data", "/dev/null"]) == 2
    assert "not a regular file or folder" in capsys.readouterr().err


def test_a_recomputation_made_before_the_intervals_widened_does_not_stand_for_a_new_one(run):
    runs_dir = run.path.parent
    labels = [corr(WIRE_TEXT, "arms_control", "stance", "favor")]
    old = load_run(str(recompute(run, labels, runs_dir)))
    with pytest.raises(ValueError, match=f"run {old.run_id} already holds these corrections"):
        recompute(run, labels, runs_dir)
    meta_path = old.path / "run.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    del meta["interval_method"]  # as a run recomputed before 2026-12-05 has it
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    new = load_run(str(recompute(run, labels, runs_dir)))
    assert new.run_id != old.run_id and new.meta["interval_method"] == INTERVAL_METHOD


# --- viewpoints correct: one passage labelled from the command line ----------------------------


def _correct(run, folder, *args):
    return main(
        [
            "correct",
            str(run.path),
            *args,
            "--corrections-dir",
            str(folder),
            "--runs-dir",
            str(run.path.parent),
        ]
    )


def _own_scored(run):
    """(passage id, topic) of an own-words passage scored on exactly one topic."""
    own = run.scores[~run.scores["reported"].astype(bool)]
    once = own.groupby("passage_id")["topic"].nunique()
    pid = once[once == 1].index[0]
    return pid, own.loc[own["passage_id"] == pid, "topic"].iloc[0]


def test_correct_saves_the_changed_label_and_a_recompute_applies_it(run, tmp_path, capsys):
    folder = tmp_path / "c"
    pid, topic = _own_scored(run)
    model = _score_row(run.scores, pid, topic)
    said = max(("favor", "against", "none"), key=lambda label: model[f"stance_{label}"])
    other = "against" if said != "against" else "favor"
    assert _correct(run, folder, pid, "--stance", other, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["topic"] == topic and report["in_force"] == {"stance": other}
    [saved] = report["saved"]
    assert (saved["task"], saved["label"], saved["model_label"]) == ("stance", other, said)
    assert saved["passage_id"] == pid and saved["run_id"] == run.run_id
    # the same label again: nothing new is written, and said whose label it is
    assert _correct(run, folder, pid, "--stance", other) == 0
    err = capsys.readouterr().err
    assert "nothing saved" in err and f"stance {other} (your earlier correction)" in err
    assert len(read_corrections(folder)) == 1
    # the model's own label: not recorded unless confirmed, which a review was not told
    assert _correct(run, tmp_path / "fresh", pid, "--stance", said) == 0
    assert f"stance {said} (the model's; --confirm records it)" in capsys.readouterr().err
    # the recomputed run carries the analyst's label
    new = load_run(str(recompute(run, read_corrections(folder), run.path.parent)))
    row = _score_row(new.scores, pid, topic)
    assert row[f"stance_{other}"] == 1.0 and row["corrected"] == "stance"


def test_correct_withdraw_takes_a_correction_back_and_the_model_s_reading_counts_again(
    run, tmp_path, capsys
):
    folder = tmp_path / "c"
    pid, topic = _own_scored(run)
    model = _score_row(run.scores, pid, topic)
    said = max(("favor", "against", "none"), key=lambda label: model[f"stance_{label}"])
    other = "against" if said != "against" else "favor"
    tone = min(("negative", "neutral", "positive"), key=lambda label: model[f"tone_{label}"])
    assert _correct(run, folder, pid, "--withdraw") == 0  # nothing of the analyst's yet
    assert "nothing to withdraw" in capsys.readouterr().err
    assert _correct(run, folder, pid, "--stance", other, "--tone", tone) == 0
    assert _correct(run, folder, pid, "--withdraw", "--stance", other) == 2  # alone only
    assert "give it alone" in capsys.readouterr().err
    assert _correct(run, folder, pid, "--withdraw") == 0
    err = capsys.readouterr().err
    assert f"passage {pid} on {topic}: stance {other}; tone {tone};" in err
    assert "the model's readings count again" in err and "nothing to recompute" in err
    history = read_corrections(folder)
    assert [c.label for c in history][-2:] == ["withdrawn", "withdrawn"]
    assert latest(history) == []  # nothing in force: the file only grew
    assert main(["corrections", "--corrections-dir", str(folder)]) == 0
    assert "0 corrections in force (4 saved, 2 of them withdrawing a label)" in (
        capsys.readouterr().out
    )
    recompute_args = ["recompute", str(run.path), "--corrections-dir", str(folder)]
    assert main([*recompute_args, "--runs-dir", str(run.path.parent)]) == 2
    assert f"your corrections were withdrawn: run {run.run_id}, the model's" in (
        capsys.readouterr().err
    )
    # a recomputed run of these corrections is the model's run again: nothing to apply
    applied = apply_corrections(run, history)
    assert applied.counts["in_force"] == 0
    row = _score_row(applied.tables["scores"], pid, topic)
    assert row["stance_favor"] == model["stance_favor"] and row["corrected"] == ""
    # and a label given after the withdrawal is in force again
    assert _correct(run, folder, pid, "--stance", other) == 0
    assert [c.label for c in latest(read_corrections(folder))] == [other]


def test_a_withdrawal_names_the_folders_its_recompute_needs(run, tmp_path, capsys):
    """A review typed the recompute a withdrawal suggested and it read ./corrections: the
    folder the corrections were in was left out of it (the other messages name it)."""
    folder = tmp_path / "c"
    own = run.scores[~run.scores["reported"].astype(bool)]
    once = own.groupby("passage_id")["topic"].nunique()
    first, second = once[once == 1].index[:2]
    assert _correct(run, folder, first, "--tone", "neutral", "--confirm") == 0
    assert _correct(run, folder, second, "--tone", "neutral", "--confirm") == 0
    capsys.readouterr()
    assert _correct(run, folder, first, "--withdraw") == 0  # the second stays in force
    err = capsys.readouterr().err
    assert f"viewpoints recompute {run.path} --runs-dir {run.path.parent}" in err
    assert f"--corrections-dir {folder}" in err


def test_correct_with_confirm_records_the_model_s_labels_as_right(run, tmp_path, capsys):
    pid, topic = _own_scored(run)
    assert _correct(run, tmp_path / "c", pid, "--confirm") == 0
    err = capsys.readouterr().err
    assert f"passage {pid} on {topic}" in err and "(the model's, confirmed)" in err
    # the hint reruns where this run lives, with these corrections
    assert f"viewpoints recompute {run.path} --runs-dir {run.path.parent} --corrections-dir" in err
    # confirming moves nothing: not said to change positions (a review)
    assert "confirmed: a recomputed run counts these labels as certain" in err
    assert "positions change in a recomputed run" not in err
    saved = read_corrections(tmp_path / "c")
    assert {c.task for c in saved} == {"topic", "stance", "tone"}
    assert not any(c.changed for c in saved)
    # a label given with --confirm: that one recorded, not the others too (a review's tone
    # moved from -0.35 to -1.00 when --stance none --confirm confirmed it unasked)
    model = _score_row(run.scores, pid, topic)
    said = max(("favor", "against", "none"), key=lambda label: model[f"stance_{label}"])
    assert _correct(run, tmp_path / "d", pid, "--stance", said, "--confirm") == 0
    # (and the passage's relevance, which a label given implies), not the tone
    assert sorted(c.task for c in read_corrections(tmp_path / "d")) == ["stance", "topic"]


def test_correct_on_an_unscored_passage_records_only_what_is_given(run, tmp_path, capsys):
    folder = tmp_path / "c"
    pid = run.passages.set_index("text").at[UNSCORED_TEXT, "passage_id"]
    assert _correct(run, folder, pid, "--topic", "ukraine", "--stance", "favor") == 0
    err = capsys.readouterr().err
    assert "it counts there once it also has --tone" in err
    assert {(c.task, c.label) for c in read_corrections(folder)} == {
        ("topic", RELEVANT),
        ("stance", "favor"),
    }  # no tone made up
    assert _correct(run, folder, pid, "--topic", "Ukraine", "--tone", "positive") == 0
    assert "once it also has" not in capsys.readouterr().err
    applied = apply_corrections(run, read_corrections(folder))
    assert applied.counts["added"] == 1


def test_correct_refuses_what_the_passage_does_not_count_toward(run, tmp_path, capsys):
    folder = tmp_path / "c"
    quote, _ = _unscored_quote(run, "ukraine")
    pid, _ = _own_scored(run)
    nowhere = next(p for p in run.passages["passage_id"] if p not in set(run.scores["passage_id"]))
    cases = [
        ([quote, "--topic", "ukraine", "--stance", "favor"], "give --quoted"),
        ([pid, "--quoted", "favor"], "give --stance"),
        ([pid, "--not-relevant", "--tone", "negative"], "takes no stance or tone"),
        ([pid], "nothing to save"),
        (["no-such:9", "--stance", "favor"], "has no passage 'no-such:9'"),
        ([pid, "--topic", "weather", "--stance", "favor"], "expected topics among"),
        ([nowhere, "--tone", "neutral"], "is scored on no topic: give --topic, one of"),
    ]
    for args, message in cases:
        assert _correct(run, folder, *args) == 2, args
        assert message in capsys.readouterr().err, args
    assert not folder.exists()  # nothing written by a refused command


def test_recompute_names_the_author_positions_it_moved(run, tmp_path, capsys):
    """An audit: the recompute line said only how many corrections applied, not that an
    author's stance flipped."""
    from analysis.compare import compare_runs

    store = CorrectionStore(tmp_path / "c")
    store.append([corr(WIRE_TEXT, "arms_control", "stance", "favor")])
    args = ["recompute", str(run.path), "--corrections-dir", str(store.folder)]
    assert main([*args, "--runs-dir", str(run.path.parent)]) == 0
    captured = capsys.readouterr()
    new = load_run(captured.out.strip())
    changes = compare_runs(run, new)["overall"]["author_changes"]
    assert changes
    err = captured.err
    assert f"{len(changes)} author position change(s)" in err
    assert f"viewpoints compare {run.run_id} {new.run_id} --changes 0 lists them all" in err
    listed = [line for line in err.splitlines() if line.startswith("  [")]
    assert 1 <= len(listed) <= 5
    assert any("Arms control" in line and "stance" in line for line in listed)


def test_correct_says_when_the_topic_head_left_the_passage_out(run, tmp_path, capsys):
    """A review: a passage the topic gate left out read as one the model never found."""
    from analysis.runs import GATED_OUT_TABLE

    pid = run.passages.set_index("text").at[UNSCORED_TEXT, "passage_id"]
    aid = run.passages.set_index("passage_id").at[pid, "article_id"]
    gated = pd.DataFrame(
        [
            {
                "passage_id": pid,
                "article_id": aid,
                "topic": "ukraine",
                "relevance": 0.64,
                "reported": False,
                "on_topic": 0.31,
            }
        ]
    )
    gated.to_parquet(run.path / GATED_OUT_TABLE)
    assert _correct(run, tmp_path / "c", pid, "--topic", "ukraine", "--relevant") == 0
    err = capsys.readouterr().err
    assert "relevance 0.64) but its topic head left it out (P(on topic) 0.31" in err
    assert _correct(run, tmp_path / "c", pid, "--topic", "sanctions", "--relevant") == 0
    assert "topic head left it out" not in capsys.readouterr().err  # not on that topic


def test_a_correction_on_a_topic_the_run_lacks_is_named_when_nothing_new_is_written(run, tmp_path):
    """A re-audit: a hand-written correction on "sanctoins" was accepted silently and recompute
    said only that the run already held the corrections."""
    from analysis.corrections import SameRecomputation

    runs_dir = run.path.parent
    good = corr(WIRE_TEXT, "arms_control", "stance", "favor")
    recompute(run, [good], runs_dir)
    with pytest.raises(SameRecomputation, match=r"topics this run does not have.*sanctoins"):
        recompute(run, [good, corr(WIRE_TEXT, "sanctoins", "stance", "against")], runs_dir)


def test_a_passage_taken_off_a_topic_reads_as_the_model_scored_it_on_the_recomputed_run(
    run, tmp_path, capsys
):
    """A review undid a "not relevant" on the recomputed run: it was told the model had not
    scored the passage, and the record said the model's label was "not relevant"."""
    folder = tmp_path / "c"
    pid, topic = _own_scored(run)
    model = _score_row(run.scores, pid, topic)
    assert _correct(run, folder, pid, "--topic", topic, "--not-relevant") == 0
    new = load_run(str(recompute(run, read_corrections(folder), run.path.parent)))
    assert not len(new.scores[(new.scores["passage_id"] == pid) & (new.scores["topic"] == topic)])
    capsys.readouterr()
    assert _correct(new, folder, pid, "--topic", topic, "--relevant", "--json") == 0
    out, err = capsys.readouterr()
    assert "did not score" not in err
    [saved] = json.loads(out)["saved"]
    assert (saved["task"], saved["label"], saved["model_label"]) == ("topic", RELEVANT, RELEVANT)
    assert saved["relevance"] == pytest.approx(float(model["relevance"]))
    assert not [c for c in latest(read_corrections(folder)) if c.changed]  # undone: as the model


def test_correct_says_what_it_replaces_and_what_it_did_not_save(run, tmp_path, capsys):
    """A review's `--stance none --tone neutral` printed only the tone (the model had said
    none), and a second `--stance` did not say it replaced the first."""
    folder = tmp_path / "c"
    pid, topic = _own_scored(run)
    model = _score_row(run.scores, pid, topic)
    said = max(("favor", "against", "none"), key=lambda label: model[f"stance_{label}"])
    tone = max(("negative", "neutral", "positive"), key=lambda label: model[f"tone_{label}"])
    other_tone = "positive" if tone != "positive" else "negative"
    assert _correct(run, folder, pid, "--stance", said, "--tone", other_tone) == 0
    err = capsys.readouterr().err
    assert f"already in force, not saved again: stance {said} (the model's" in err
    first, second = [x for x in ("favor", "against", "none") if x != said][:2]
    assert _correct(run, folder, pid, "--stance", first) == 0
    capsys.readouterr()
    assert _correct(run, folder, pid, "--stance", second) == 0
    assert f"stance {second} (model: {said}), replacing your earlier {first}" in (
        capsys.readouterr().err
    )


def test_show_marks_the_evidence_whose_numbers_are_the_analysts_labels(run, tmp_path, capsys):
    """A review found corrected passages unmarked in `show --evidence` of a recomputed run
    (the dashboard has badges, exports a `corrected` column)."""
    new = load_run(
        str(recompute(run, [corr(WIRE_TEXT, "arms_control", "stance", "favor")], tmp_path))
    )
    assert main(["show", str(new.path), "--evidence", "5", "--level", "article", "--wide"]) == 0
    out = capsys.readouterr().out
    marked = [line for line in out.splitlines() if "your label: stance" in line]
    assert len(marked) == 1 and "Arms control: S +1.00" in marked[0]
    assert main(["show", str(run.path), "--evidence", "5", "--level", "article"]) == 0
    assert "your label" not in capsys.readouterr().out  # the model's run: none


def test_evaluate_the_topic_check_of_a_run_on_topic_corrections(tmp_path, capsys):
    """The command beside the Evaluation page's topic check: the run's reading (scored on the
    topic, or left out) against the analyst's topic corrections."""
    runs = tmp_path / "runs"
    run = load_run(str(make_small_run(runs)))
    scored = run.scores.merge(run.passages[["passage_id", "text"]], on="passage_id")
    kept = scored.iloc[0]
    left_out = next(t for t in run.passages["text"] if t not in set(scored["text"]))
    store = CorrectionStore(tmp_path / "corrections")
    store.append(
        [
            Correction(text=kept["text"], target="t", topic=kept["topic"], task="topic",
                       label="not relevant"),  # the run counts it: disagree
            Correction(text=left_out, target="t", topic=kept["topic"], task="topic",
                       label="not relevant"),  # the run left it out: agree
            Correction(text="A passage of no run.", target="t", topic="ukraine", task="topic",
                       label="relevant"),
        ]
    )  # fmt: skip
    args = ["evaluate", "--task", "topic", "--data", str(store.folder), "--runs-dir", str(runs)]
    capsys.readouterr()
    assert main([*args, "--run", run.run_id, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["n"], report["not_in_run"], report["accuracy"]) == (2, 1, 0.5)
    assert report["confusion"] == [[0, 0], [1, 1]]  # rows: relevant, not relevant
    assert main([*args, "--run", run.run_id]) == 0
    out = capsys.readouterr().out
    assert "agreement 50.0%" in out and "(1 on passages the run does not have" in out
    assert main(args) == 2  # no run to judge: one line
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["viewpoints: error: --task topic: needs --run RUN, the run whose topic "
                   "reading is judged"]  # fmt: skip


@pytest.mark.parametrize("confirm", [[], ["--confirm"]])
def test_a_stance_given_after_not_relevant_makes_the_passage_relevant_again(run, tmp_path, confirm):
    """A review of this stop's own change: with --confirm narrowed to the labels given, the
    topic record that a stance implies was dropped, leaving "not relevant" in force."""
    folder = tmp_path / "c"
    pid, topic = _own_scored(run)
    model = _score_row(run.scores, pid, topic)
    said = max(("favor", "against", "none"), key=lambda label: model[f"stance_{label}"])
    assert _correct(run, folder, pid, "--not-relevant") == 0
    assert _correct(run, folder, pid, "--stance", said, *confirm) == 0
    in_force = {c.task: c.label for c in latest(read_corrections(folder))}
    assert in_force["topic"] == RELEVANT
    assert ("tone" in in_force) is False  # not confirmed unasked
