"""analysis.speech_accuracy: the speech rules' measured figures, read for the stance notes."""

import json

import pytest

from analysis.speech_accuracy import (
    SPEECH_ACCURACY_FILE,
    read_speech_accuracy,
    speech_line,
    speech_sentence,
)
from experiments.speech_detection import main as measure
from experiments.train_news_stance import NEW_LABELS, NEWS_STANCE


@pytest.mark.skipif(
    not (NEWS_STANCE.is_file() and NEW_LABELS.is_file()), reason="labelled news passages absent"
)
def test_the_shipped_figures_are_what_the_experiment_measures_today(tmp_path, monkeypatch, capsys):
    # Rules changed without measuring again would show stale figures beside every position.
    written = tmp_path / "speech_accuracy.json"
    monkeypatch.setattr("experiments.speech_detection.SPEECH_ACCURACY_FILE", written)
    assert measure(["--write"]) == 0
    fresh, shipped = json.loads(written.read_text()), json.loads(SPEECH_ACCURACY_FILE.read_text())
    assert fresh["dev"] == shipped["dev"] and fresh["train"] == shipped["train"]
    figures = read_speech_accuracy(written)
    assert figures is not None and 0 < figures.recall < 1 and figures.reported > 0
    assert f"find {figures.recall:.0%}" in speech_sentence(figures)
    assert f"{figures.recall:.0%} of the quotes" in speech_line(figures)


def test_a_missing_or_malformed_file_gives_no_figures(tmp_path):
    assert read_speech_accuracy(tmp_path / "absent.json") is None
    broken = tmp_path / "broken.json"
    for text in ("{", "[]", '{"command": "x", "dev": {"precision": "high"}}'):
        broken.write_text(text)
        assert read_speech_accuracy(broken) is None


def test_the_speaker_names_figure_is_shown_where_the_file_has_it(tmp_path):
    record = json.loads(SPEECH_ACCURACY_FILE.read_text())
    with_names = tmp_path / "with.json"
    with_names.write_text(json.dumps(record))
    figures = read_speech_accuracy(with_names)
    assert figures is not None and figures.speaker_precision is not None
    shown = f"{figures.speaker_precision:.0%}"
    assert f"{shown} name the speaker a reader names" in speech_sentence(figures)
    assert f"{shown} of the speakers named are right" in speech_line(figures)
    # and how many quotes it leaves unnamed, where the file says (older files do not)
    missed = record["speaker_names"]["dev"]["no_name_missed_share"]
    assert f"{missed:.0%} of quotes have no speaker named" in speech_line(figures)
    assert f"{missed:.0%} of quotes are left with no speaker" in speech_sentence(figures)
    del record["speaker_names"]["dev"]["no_name_missed_share"]
    with_names.write_text(json.dumps(record))
    older = read_speech_accuracy(with_names)
    assert older is not None and older.speaker_precision == figures.speaker_precision
    assert "no speaker named" not in speech_line(older)
    record = json.loads(SPEECH_ACCURACY_FILE.read_text())
    # without them (or with them malformed) the detection figures stand alone
    for names in (None, {"command": "x", "dev": {"name_precision": "high"}}):
        without = {k: v for k, v in record.items() if k != "speaker_names"}
        if names is not None:
            without["speaker_names"] = names
        path = tmp_path / "without.json"
        path.write_text(json.dumps(without))
        alone = read_speech_accuracy(path)
        assert alone is not None and alone.speaker_precision is None
        assert "Who speaks" not in speech_sentence(alone)


@pytest.mark.skipif(
    not (NEWS_STANCE.is_file() and NEW_LABELS.is_file()), reason="labelled news passages absent"
)
def test_writing_the_detection_figures_keeps_the_speaker_names(tmp_path, monkeypatch):
    written = tmp_path / "speech_accuracy.json"
    written.write_text(SPEECH_ACCURACY_FILE.read_text())
    monkeypatch.setattr("experiments.speech_detection.SPEECH_ACCURACY_FILE", written)
    assert measure(["--write"]) == 0
    kept = json.loads(written.read_text())
    assert kept["speaker_names"] == json.loads(SPEECH_ACCURACY_FILE.read_text())["speaker_names"]
