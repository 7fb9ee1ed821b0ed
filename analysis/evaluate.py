"""Scoring a model on labelled examples: the numbers behind "which model"."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from analysis.datasets import Example
from analysis.metrics import classification_report, expected_calibration_error
from analysis.scoring.base import Scorer


def evaluate_scorer(
    scorer: Scorer, examples: Sequence[Example], progress: bool = False
) -> dict[str, Any]:
    """Macro-F1, accuracy, per-class scores, confusion, calibration and speed of ``scorer``."""
    if not examples:
        raise ValueError("expected at least one example, got none")
    started = time.perf_counter()
    probs = scorer.score(
        [e.text for e in examples],
        [e.target for e in examples],
        [e.span for e in examples],
        progress=progress,
    )
    seconds = time.perf_counter() - started
    labels = list(scorer.labels)
    predicted = [labels[i] for i in np.asarray(probs).argmax(axis=1)]
    truth = [e.label for e in examples]
    report = classification_report(truth, predicted, labels)
    index = np.array([labels.index(t) for t in truth])
    report["calibration"] = expected_calibration_error(np.asarray(probs), index)
    report["seconds"] = round(seconds, 3)
    report["task"] = scorer.task
    report["model"] = scorer.name
    return report
