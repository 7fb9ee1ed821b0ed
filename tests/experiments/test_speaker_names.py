"""The speaker-name check: the detector's names scored against readers' names."""

from __future__ import annotations

import pytest

from experiments.speaker_names.measure import agreement, outcome, same_speaker, tally
from experiments.speaker_names.sample import ALLSIDES, stratum


def test_names_match_as_readers_write_them():
    assert same_speaker("Donald Trump", "Trump")
    assert same_speaker("the White House", "White House")
    assert same_speaker("Alexander Vindman", "Alex Vindman")
    assert same_speaker("Korean Central News Agency", "KCNA")
    assert same_speaker("O'Connell", "Ford O’Connell")
    assert same_speaker("UNNAMED", None)
    assert not same_speaker("Hunter Biden", "Joe Biden")
    assert not same_speaker("Mitch McConnell", "Trump")
    assert not same_speaker("AUTHOR", "Trump") and not same_speaker("UNNAMED", "Trump")


def test_each_passage_counts_once_and_precision_reads_only_the_names_given():
    rows = [
        ("Rex Tillerson", "Tillerson"),  # named right
        ("Rex Tillerson", "Exxon"),  # named wrong
        ("UNNAMED", None),  # rightly no name
        ("Fiona Hill", None),  # a name missed
        ("UNNAMED", "Trump"),  # named, though nobody is
        ("AUTHOR", "Trump"),  # not reported at all
    ]
    counts = tally(outcome(gold, predicted) for gold, predicted in rows)
    assert counts["n"] == 6 and counts["named_right"] == 1 and counts["named_wrong"] == 2
    assert counts["no_name_right"] == 1 and counts["no_name_missed"] == 1
    assert counts["author"] == 1 and counts["name_precision"] == round(1 / 3, 3)
    assert outcome("Rex Tillerson", "AUTHOR") == "not_reported"


def test_agreement_leaves_unclear_readings_out_of_its_second_share():
    first = {i: {"speaker": s} for i, s in (("a", "Trump"), ("b", "UNCLEAR"), ("c", "Putin"))}
    second = {i: {"speaker": s} for i, s in (("a", "Donald Trump"), ("b", "Pence"), ("c", "Xi"))}
    result = agreement(first, second)
    assert (result["items"], result["agree"]) == (3, 1)
    assert (result["both_clear"], result["agree_both_clear"]) == (2, 1)


def test_a_passage_is_drawn_by_whether_its_speaker_is_named_in_it():
    assert stratum("Lavrov said the talks failed.", "Sergei Lavrov") == "in_text"
    assert stratum("He said the talks failed.", "Sergei Lavrov") == "inferred"
    assert stratum("Officials said the talks failed.", None) == "unnamed"


@pytest.mark.skipif(not ALLSIDES.is_file(), reason="needs ../shared/data (allsides)")
def test_the_drawn_passages_are_found_again_and_scored(tmp_path):
    from experiments.speaker_names.measure import HERE, current_speakers, read_jsonl

    detector = read_jsonl(HERE / "detector.jsonl")[:12]
    speakers = current_speakers(detector)
    assert set(speakers) == {row["item"] for row in detector}
    # drawn as reported and read again by the same rules: most are named as they were
    same = [speakers[row["item"]] == row["speaker"] for row in detector]
    assert sum(same) >= len(detector) // 2
    result = outcome("Somebody Else", speakers[detector[0]["item"]])
    assert result in ("named_wrong", "no_name_missed", "not_reported")


@pytest.mark.skipif(not ALLSIDES.is_file(), reason="needs ../shared/data (allsides)")
def test_the_shipped_speaker_figures_are_what_the_measure_gives_today(tmp_path, monkeypatch):
    # speech rules changed without measuring again would show a stale figure in the notes
    import json

    from analysis.speech_accuracy import SPEECH_ACCURACY_FILE
    from experiments.speaker_names import measure

    shipped_results = measure.RESULTS
    written = tmp_path / "speech_accuracy.json"
    written.write_text(SPEECH_ACCURACY_FILE.read_text())
    monkeypatch.setattr(measure, "SPEECH_ACCURACY_FILE", written)
    monkeypatch.setattr(measure, "RESULTS", tmp_path / "results.json")
    assert measure.main(["--write"]) == 0
    fresh = json.loads(written.read_text())["speaker_names"]
    shipped = json.loads(SPEECH_ACCURACY_FILE.read_text())["speaker_names"]
    assert fresh == shipped
    assert json.loads((tmp_path / "results.json").read_text()) == json.loads(
        shipped_results.read_text()
    )
