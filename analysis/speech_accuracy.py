"""How well quotes are told from the author's own words: the measured figures of the rules in
``analysis.corpus.speech``, shown beside the stance numbers.

A quote the rules miss counts as the author's own words and moves the author's stance; an
analyst reading a position should know how often that happens. ``python -m
experiments.speech_detection --write`` measures the rules against news passages labelled by
reading and writes ``speech_accuracy.json`` here; ``python -m experiments.speaker_names.measure
--write`` adds how often the speaker they name is the one a reader names. The figures hold for
the rules of the commit that wrote them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

SPEECH_ACCURACY_FILE = Path(__file__).resolve().parent / "speech_accuracy.json"


@dataclass(frozen=True)
class SpeechAccuracy:
    """Precision and recall of reported-speech detection on one split of labelled passages."""

    split: str
    precision: float
    recall: float
    reported: int  # passages the readers marked as reporting a speaker's statement
    passages: int
    command: str
    # of the reported passages the rules name a speaker for, the share named as a reader does
    speaker_precision: float | None = None
    speaker_command: str | None = None
    # of all reported passages, the share left without a speaker although readers name one
    speaker_missed: float | None = None


def read_speech_accuracy(path: Path = SPEECH_ACCURACY_FILE) -> SpeechAccuracy | None:
    """The dev figures, or None when the file is missing or not what the experiment writes
    (a note without figures is better than a page that fails)."""
    try:
        record: Any = json.loads(path.read_text(encoding="utf-8"))
        dev = record["dev"]
        accuracy = SpeechAccuracy(
            split="dev",
            precision=float(dev["precision"]),
            recall=float(dev["recall"]),
            reported=int(dev["reported"]),
            passages=int(dev["n"]),
            command=str(record["command"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:  # optional: the speaker names, measured apart
        names = record["speaker_names"]
        precision = float(names["dev"]["name_precision"])
        accuracy = replace(
            accuracy, speaker_precision=precision, speaker_command=str(names["command"])
        )
    except (KeyError, TypeError, ValueError):
        return accuracy
    try:  # added later: what the rules leave unnamed
        return replace(accuracy, speaker_missed=float(names["dev"]["no_name_missed_share"]))
    except (KeyError, TypeError, ValueError):
        return accuracy


def speech_sentence(accuracy: SpeechAccuracy) -> str:
    """The figures as a sentence for the dashboard's note (Markdown)."""
    return (
        f"**Own words or quotes.** Of {accuracy.reported} dev passages that readers found "
        f"reporting someone's statement, the rules that tell quotes from the author's words "
        f"find {accuracy.recall:.0%} (and {accuracy.precision:.0%} of what they mark is a quote): "
        "a quote they miss, such as a position reported without a speech verb, counts as the "
        "author's own words. Each evidence passage says whether it was read as quoted. "
        f"*`{accuracy.command}`*" + _speakers_sentence(accuracy)
    )


def _speakers_sentence(accuracy: SpeechAccuracy) -> str:
    if accuracy.speaker_precision is None:
        return ""
    return (
        f" **Who speaks.** Of the quotes they name a speaker for, "
        f"{accuracy.speaker_precision:.0%} name the speaker a reader names (dev articles); the "
        'others name someone nearby, such as the last speaker before a "he said".'
        + (
            f" {accuracy.speaker_missed:.0%} of quotes are left with no speaker though a reader "
            "names one (the name is in an earlier sentence that quotes no one, or the rules do "
            "not parse it)."
            if accuracy.speaker_missed is not None
            else ""
        )
        + f" *`{accuracy.speaker_command}`*"
    )


def speech_line(accuracy: SpeechAccuracy) -> str:
    """The figures in one plain line for a terminal."""
    return (
        f"quotes told from own words: {accuracy.recall:.0%} of the quotes in labelled dev "
        "passages are found; a quote missed counts as the author's words"
        + (
            f"; {accuracy.speaker_precision:.0%} of the speakers named are right"
            if accuracy.speaker_precision is not None
            else ""
        )
        + (
            f", and {accuracy.speaker_missed:.0%} of quotes have no speaker named though a "
            "reader finds one"
            if accuracy.speaker_missed is not None
            else ""
        )
    )
