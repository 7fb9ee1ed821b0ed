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
