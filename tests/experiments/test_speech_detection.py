"""The reported-speech check: the detector's calls scored against readers' speaker labels."""

from __future__ import annotations

from experiments.speech_detection import detected, scores


def _row(text: str, speaker_label: str | None, before: str = "") -> dict:
    return {"before": before, "text": text, "after": "", "speaker_label": speaker_label}


def test_the_detector_is_scored_against_the_readers_speaker_labels():
    rows = [
        _row("Critics say the sanctions are too weak.", "favor"),  # found
        _row("Lavrov warned that the treaty would collapse.", "favor"),  # found
        _row("The sanctions took effect in March.", None),  # rightly left alone
        _row("The treaty is dead, and good riddance.", "against"),  # missed
        _row("Officials said the meeting was on Tuesday.", None),  # extra
    ]
    assert [detected(r) for r in rows] == [True, True, False, False, True]
    result = scores(rows)
    assert result["n"] == 5 and result["reported"] == 3
    assert result["precision"] == round(2 / 3, 3) and result["recall"] == round(2 / 3, 3)


def test_a_passage_is_read_in_its_paragraph():
    # the middle sentence of a quotation opened before it and closed after it
    inside = {
        "before": 'Lavrov said: "The treaty is dead.',
        "text": "We will not go back to it under any conditions.",
        "after": 'We owe nothing to anyone."',
        "speaker_label": "against",
    }
    assert detected(inside)
    assert not detected({**inside, "before": "", "after": ""})
