"""The correction widgets: saving from a passage card or the Article page writes the JSONL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.corrections import CorrectionStore
from dashboard.corrections_ui import corrections_dir_from
from tests.dashboard.conftest import TIMOFEEV, make_small_run

SANCTIONS_TEXT = (
    "The sanctions machine in Washington runs on autopilot and new restrictions are all but "
    "certain, a destructive spiral that hurts everyone."
)
UNSCORED = "000_75f37cc66b80f13e:0"


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "corrections"
    monkeypatch.setenv("VIEWPOINTS_CORRECTIONS_DIR", str(path))
    return path


def _records(folder: Path) -> list[dict]:
    lines = []
    for path in sorted(folder.glob("*.jsonl")):
        lines += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return lines


def _form(at, index: int = 0) -> dict:
    """The selectboxes and Save button of the ``index``-th correction form on the page."""
    forms = list(dict.fromkeys(b.form_id for b in at.selectbox if b.form_id.startswith("corr_")))
    form_id = forms[index]
    boxes = {b.key.rsplit("_", 1)[1]: b for b in at.selectbox if b.form_id == form_id}
    save = next(b for b in at.get("form_submit_button") if b.form_id == form_id)
    return {**boxes, "save": save}


def _open_popover(at, index: int):
    """Open the ``index``-th "Correct" popover as a click would (its state is in Session State)."""
    block = at.get("popover")[index]
    key = block.proto.popover.id.split("-", 2)[-1]  # "$$ID-<hash>-<user key>"
    at.session_state[key] = True
    return at.run()


def _save_stance(at, label: str, card: int = 0):
    """The ``card``-th evidence card's correction form opened, its stance set to ``label``
    and saved; the page after the save."""
    form = _form(_open_popover(at, card))
    form["stance"].set_value(label)
    form["save"].click()
    return at.run()


def _overview(app, runs_dir):
    at = app(runs_dir, author=TIMOFEEV, topic="sanctions")
    at.run()
    assert not at.exception
    return at


def test_every_evidence_card_has_a_correct_popover_built_when_opened(app, small_runs_dir, folder):
    at = _overview(app, small_runs_dir)
    cards = [m for m in at.markdown if "border-left:6px" in m.value]
    popovers = at.get("popover")
    assert len(cards) == len(popovers) >= 2
    assert not [b for b in at.selectbox if b.form_id.startswith("corr_")]  # closed: not built
    _open_popover(at, 0)
    first = _form(at)
    assert first["stance"].options == ["favor", "against (model)", "none"]
    assert first["stance"].value == "against"  # preset to the model's label
    assert not folder.exists()  # nothing is written by looking


def test_saving_a_correction_appends_labelled_records(app, small_runs_dir, folder):
    at = _save_stance(_overview(app, small_runs_dir), "favor")
    assert not at.exception
    assert not [b for b in at.selectbox if b.form_id.startswith("corr_")]  # closed after Save
    (toast,) = [t.value for t in at.toast if "Saved 1 label(s)" in t.value]
    assert "The numbers change in a corrected run" in toast  # not on this run, as saved
    records = _records(folder)
    assert [r["task"] for r in records] == ["stance"]  # only what the analyst changed
    stance = records[0]
    assert stance["text"] == SANCTIONS_TEXT
    assert stance["label"] == "favor" and stance["model_label"] == "against"
    assert (
        stance["topic"] == "sanctions" and stance["target"] == "economic sanctions against Russia"
    )
    assert stance["model"] == "stance.finetuned-minilm.v1"
    assert stance["run_id"] == "20181110-120000-seeds000"
    assert stance["passage_id"] == "001_6c28832786d132a7:1"
    assert stance["probs"]["against"] == pytest.approx(0.88)
    # The card now says what the analyst decided, and the form starts from it.
    assert any("corrected" in m.value and "favor" in m.value for m in at.markdown)
    form = _form(_open_popover(at, 0))
    assert form["stance"].value == "favor"
    # Saving with nothing changed writes nothing and says how to confirm.
    form["save"].click()
    at.run()
    assert len(_records(folder)) == 1
    assert any("Nothing changed" in t.value for t in at.toast)
    # Ticking "confirm" records the labels left as they are, once.
    _open_popover(at, 0)
    at.checkbox(key=f"{_form(at)['save'].form_id}_confirm").check()
    _form(at)["save"].click()
    at.run()
    records = _records(folder)
    assert [r["task"] for r in records] == ["stance", "topic", "tone"]
    assert records[2]["label"] == records[2]["model_label"] == "negative"  # confirmed
    _open_popover(at, 0)
    at.checkbox(key=f"{_form(at)['save'].form_id}_confirm").check()
    _form(at)["save"].click()
    at.run()
    assert len(_records(folder)) == 3  # already in force: nothing new


def test_the_model_s_label_chosen_again_is_said_to_be_no_undo(app, small_runs_dir, folder):
    at = _save_stance(_overview(app, small_runs_dir), "favor")
    _save_stance(at, "against")  # the model's label, back over the correction
    assert not at.exception
    (toast,) = [t.value for t in at.toast if "Saved 1 label(s)" in t.value]
    assert "The stance set back to the model's label now counts as your label, certain" in toast
    assert [r["label"] for r in _records(folder)] == ["favor", "against"]


def test_withdrawing_takes_the_labels_back_and_the_card_shows_the_model_s_again(
    app, small_runs_dir, folder
):
    at = _overview(app, small_runs_dir)
    form = _form(_open_popover(at, 0))
    withdraw = [b for b in at.get("form_submit_button") if b.form_id == form["save"].form_id]
    assert len(withdraw) == 1  # nothing of the analyst's yet: Save alone
    _save_stance(at, "favor")
    assert any("corrected" in m.value and "favor" in m.value for m in at.markdown)
    _open_popover(at, 0)
    form_id = _form(at)["save"].form_id
    (button,) = [
        b
        for b in at.get("form_submit_button")
        if b.form_id == form_id and b.label == "Withdraw my labels"
    ]
    button.click()
    at.run()
    assert not at.exception
    (toast,) = [t.value for t in at.toast if t.value.startswith("Withdrew your stance favor")]
    assert "the model's labels count again" in toast
    assert [r["label"] for r in _records(folder)] == ["favor", "withdrawn"]
    assert not any("corrected" in m.value and "favor" in m.value for m in at.markdown)
    assert _form(_open_popover(at, 0))["stance"].value == "against"  # the model's, again


def test_a_folder_the_dashboard_cannot_write_is_an_error_not_a_traceback(
    app, small_runs_dir, folder
):
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the folder should be")
    at = _save_stance(_overview(app, small_runs_dir), "favor")
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert error.startswith(f"cannot save corrections in {folder}") and "nothing was saved" in error


def test_not_relevant_saves_only_the_topic_label(app, small_runs_dir, folder):
    at = _overview(app, small_runs_dir)
    form = _form(_open_popover(at, 1))
    form["topic"].set_value("not relevant")
    form["stance"].set_value("none")
    form["save"].click()
    at.run()
    records = _records(folder)
    assert [(r["task"], r["label"], r["model_label"]) for r in records] == [
        ("topic", "not relevant", "relevant")
    ]


def test_corrections_show_on_a_rerun_of_the_same_articles(app, tmp_path, folder):
    runs_dir = tmp_path / "runs"
    make_small_run(runs_dir)
    at = _overview(app, runs_dir)
    form = _form(_open_popover(at, 0))
    form["stance"].set_value("none")
    form["save"].click()
    at.run()
    make_small_run(runs_dir, run_id="20181111-120000-rerun000", created="2018-11-11T12:00:00")
    again = _overview(app, runs_dir)  # a new session: the newest run is selected
    assert "20181111-120000-rerun000" in again.selectbox(key="w_run").value
    assert any("corrected" in m.value and "<b>none</b>" in m.value for m in again.markdown)
    assert _form(_open_popover(again, 0))["stance"].value == "none"


def test_article_page_adds_a_passage_the_model_missed(app, small_runs_dir, folder):
    at = app(small_runs_dir, article="000_75f37cc66b80f13e").run()
    at.switch_page("app_pages/article.py").run()
    assert not at.exception
    at.selectbox(key="corr_art_pid_20181110-120000-seeds000").set_value(UNSCORED)
    at.run()
    at.selectbox(key=f"corr_art_topic_20181110-120000-seeds000_{UNSCORED}").set_value("ukraine")
    at.run()
    assert any("did not find this passage" in c.value for c in at.caption)
    form = _form(at)
    assert form["topic"].value == "not relevant"
    form["topic"].set_value("relevant")
    form["stance"].set_value("against")
    form["tone"].set_value("negative")
    form["save"].click()
    at.run()
    assert not at.exception
    records = _records(folder)
    assert [(r["task"], r["label"], r["model_label"]) for r in records] == [
        ("topic", "relevant", "not relevant"),
        ("stance", "against", None),
        ("tone", "negative", None),
    ]
    assert all(r["passage_id"] == UNSCORED and r["probs"] is None for r in records)
    assert any("Your corrections in this article: ¶1 (Ukraine)" in c.value for c in at.caption)
    assert len(CorrectionStore(folder).latest()) == 3


def test_a_new_passage_opens_on_its_own_topic_not_the_last_one_chosen(app, small_runs_dir):
    """Choosing a topic for one passage must not carry over to the next passage picked."""
    run = "20181110-120000-seeds000"
    scored = "000_75f37cc66b80f13e:1"  # scored on arms control only
    at = app(small_runs_dir, article="000_75f37cc66b80f13e").run()
    at.switch_page("app_pages/article.py").run()
    at.selectbox(key=f"corr_art_pid_{run}").set_value(UNSCORED).run()
    at.selectbox(key=f"corr_art_topic_{run}_{UNSCORED}").set_value("sanctions").run()
    at.selectbox(key=f"corr_art_pid_{run}").set_value(scored).run()
    assert not at.exception
    assert at.selectbox(key=f"corr_art_topic_{run}_{scored}").value == "arms_control"
    assert not any("did not find this passage" in c.value for c in at.caption)


def test_compare_page_cards_are_correctable_too(app, small_runs_dir, folder):
    at = app(small_runs_dir)
    at.switch_page("app_pages/compare.py")
    at.run()
    assert not at.exception
    cards = [m for m in at.markdown if "border-left:6px" in m.value]
    assert len(cards) > 0 and len(at.get("popover")) == len(cards)


def test_corrections_dir_from_argv_then_environment(tmp_path):
    assert corrections_dir_from(["--corrections-dir", str(tmp_path)], {}) == tmp_path
    env = {"VIEWPOINTS_CORRECTIONS_DIR": str(tmp_path / "e")}
    assert corrections_dir_from(["--runs-dir", "x"], env) == tmp_path / "e"
    assert corrections_dir_from([], {}) == Path("corrections")


def test_a_passage_the_model_missed_keeps_the_tone_shown_when_saved(app, small_runs_dir, folder):
    """The model gave no tone for it: the one the form shows is the analyst's, and is saved
    with the others, so the passage does not wait for a tone nobody can see missing."""
    at = app(small_runs_dir, article="000_75f37cc66b80f13e").run()
    at.switch_page("app_pages/article.py").run()
    at.selectbox(key="corr_art_pid_20181110-120000-seeds000").set_value(UNSCORED).run()
    at.selectbox(key=f"corr_art_topic_20181110-120000-seeds000_{UNSCORED}").set_value("sanctions")
    at.run()
    form = _form(at)
    form["topic"].set_value("relevant")
    form["stance"].set_value("against")  # tone left at the "neutral" shown
    form["save"].click()
    at.run()
    assert not at.exception
    assert [(r["task"], r["label"]) for r in _records(folder)] == [
        ("topic", "relevant"),
        ("stance", "against"),
        ("tone", "neutral"),
    ]


def test_on_a_corrected_run_the_model_s_label_is_the_one_its_correction_recorded(
    app, tmp_path, folder
):
    from analysis.corrections import recompute
    from analysis.runs import load_run

    runs_dir = tmp_path / "runs"
    make_small_run(runs_dir)
    at = _overview(app, runs_dir)
    form = _form(_open_popover(at, 0))
    form["stance"].set_value("favor")  # the model said against
    form["save"].click()
    at.run()
    recompute(load_run("latest", runs_dir), CorrectionStore(folder).history(), runs_dir)
    again = _overview(app, runs_dir)  # the corrected run is the newest
    assert again.selectbox(key="w_run").value.endswith("-corrected")
    badges = "\n".join(m.value for m in again.markdown if "vp-corrected" in m.value)
    assert "stance <b>favor</b> (model: against)" in badges
    form = _form(_open_popover(again, 0))
    assert form["stance"].options == ["favor", "against (model)", "none"]


def test_in_a_run_of_the_older_format_a_quote_s_form_starts_at_the_stance_it_counts(
    app, small_runs_dir, folder
):
    """The small run has no speaker_* columns: its quoted voices' measure reads the quotes'
    stance columns, so the quoted voice's box starts there, and changing the tone alone saves
    the tone alone."""
    run, peskov = "20181110-120000-seeds000", "004_874e9fd0087b4233:2"
    at = app(small_runs_dir, article="004_874e9fd0087b4233").run()
    at.switch_page("app_pages/article.py").run()
    at.selectbox(key=f"corr_art_pid_{run}").set_value(peskov).run()
    form = _form(at)
    assert form["speaker"].value == "against"  # the quote's stance columns: against
    assert "against (model)" in form["speaker"].options
    form["tone"].set_value("positive")
    form["save"].click()
    at.run()
    assert not at.exception
    assert [r["task"] for r in _records(folder)] == ["tone"]
