"""How well reported speech is found: ``analysis.corpus.speech`` against news passages labelled
by reading.

A passage is "reported" for the reader when it reports a speaker's statement about the target
(``speaker_label`` not null, `../shared/data/news_stance/GUIDE.md`); the detector sees the
passage with the sentences before and after it as one paragraph, as in an article. On-topic
passages only, per article split (rules are chosen on train; dev is the check). A reported
passage whose speaker states nothing about the target counts as a false positive here, so
precision is a lower bound.

    python -m experiments.speech_detection [--show train] [--write]

``--write`` keeps the figures in ``analysis/speech_accuracy.json``, which the dashboard's
"how far to trust these stances" and ``viewpoints show`` quote.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from typing import Any

from analysis.corpus.speech import detect_speech
from analysis.metrics import precision_recall_f1
from analysis.speech_accuracy import SPEECH_ACCURACY_FILE
from experiments.train_news_stance import NEW_LABELS, NEWS_STANCE, SPLITS, read_news


def detected(row: dict[str, Any]) -> bool:
    """Whether the detector marks the row's passage reported, read in its context."""
    parts = [row.get("before") or "", row["text"], row.get("after") or ""]
    text, spans = "", []
    for part in parts:
        text += " " if text else ""
        spans.append((len(text), len(text) + len(part)))
        text += part
    return detect_speech(text, [spans])[1][0]


def scores(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Precision, recall and F1 of ``detected`` against the readers' speaker labels."""
    truth = [r.get("speaker_label") is not None for r in rows]
    pred = [detected(r) for r in rows]
    tp = sum(t and p for t, p in zip(truth, pred, strict=True))
    return {
        "n": len(rows),
        "reported": sum(truth),
        **precision_recall_f1(tp, sum(pred), sum(truth)),
    }


def kept_speaker_names() -> dict[str, Any]:
    """The speaker-name figures the file holds (``experiments.speaker_names.measure``), kept
    when the detection figures are written again."""
    try:
        record = json.loads(SPEECH_ACCURACY_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    names = record.get("speaker_names") if isinstance(record, dict) else None
    return {"speaker_names": names} if names is not None else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", choices=("train", "dev"), help="print missed and extra rows")
    parser.add_argument(
        "--write", action="store_true", help=f"keep the figures in {SPEECH_ACCURACY_FILE.name}"
    )
    args = parser.parse_args(argv)
    rows = [
        r for r in read_news([str(NEWS_STANCE), str(NEW_LABELS)], str(SPLITS)) if r.get("on_topic")
    ]
    figures = {}
    for split in ("train", "dev"):
        figures[split] = scores([r for r in rows if r["split"] == split])
        print(split, figures[split])
    if args.write:
        record = {
            "what": "reported-speech detection against readers' speaker labels, on-topic "
            "news passages (news_stance and experiments/news_labels), by article split",
            "command": "python -m experiments.speech_detection",
            **figures,
            **kept_speaker_names(),
        }
        SPEECH_ACCURACY_FILE.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {SPEECH_ACCURACY_FILE}")
    if args.show:
        part = [r for r in rows if r["split"] == args.show]
        rng = random.Random(0)
        for name, keep in (("missed", True), ("extra", False)):
            wrong = [r for r in part if (r.get("speaker_label") is not None) == keep]
            wrong = [r for r in wrong if detected(r) != keep]
            print(f"{name} ({len(wrong)}):")
            for r in rng.sample(wrong, min(20, len(wrong))):
                print(" ", r["text"][:200])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
