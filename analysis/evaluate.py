"""Scoring a model on labelled examples: the numbers behind "which model"."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from analysis.labels import TASK_LABELS, labels_for
from analysis.metrics import classification_report, expected_calibration_error, macro_f1_interval
from analysis.records import Example
from analysis.scoring.base import Scorer

BATCH = 256  # examples per call when progress is reported per batch


def probability_report(
    probabilities: np.ndarray,
    truth: Sequence[str],
    task: str,
    bins: int = 10,
    labels: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Macro-F1, accuracy, per-class scores, confusion and calibration (ECE with its bins) of
    probability rows (columns in ``labels``, by default the task's) against true labels."""
    if labels is None:
        labels = TASK_LABELS[task] if task in TASK_LABELS else labels_for(task)
    labels = list(labels)
    probs = np.asarray(probabilities, dtype=float)
    if len(probs) != len(truth) or len(truth) == 0:
        raise ValueError(
            f"expected as many probability rows as labels (at least one), got {len(probs)} and "
            f"{len(truth)}"
        )
    predicted = [labels[i] for i in probs.argmax(axis=1)]
    report = classification_report(list(truth), predicted, labels)
    index = np.array([labels.index(t) for t in truth])
    interval = macro_f1_interval(index, probs.argmax(axis=1), len(labels))
    interval = None if interval is None else [round(v, 4) for v in interval]
    # every resample gave one figure: the examples are alike (all right, or all one way), and
    # "[0.33, 0.33]" over two examples would read as a sure figure (as at article level)
    report["macro_f1_interval_alike"] = bool(interval) and interval[0] == interval[1]
    report["macro_f1_interval"] = None if report["macro_f1_interval_alike"] else interval
    report["calibration"] = expected_calibration_error(probs, index, bins=bins)
    report["task"] = task
    return report


FEW_EXAMPLES = 50  # under this, an evaluation says its figure rests on few examples


def interval_words(report: dict[str, Any]) -> str | None:
    """The macro-F1's interval of a :func:`probability_report` in words, with a warning under
    :data:`FEW_EXAMPLES` examples; None where it has none."""
    interval = report.get("macro_f1_interval")
    n = report["n"]
    few = (
        "; so few that one label moves it by a lot: read the interval, not the figure"
        if n < FEW_EXAMPLES
        else ""
    )
    if report.get("macro_f1_interval_alike"):
        return (
            f"no interval: every resample of the {n:,} examples gives the same macro-F1, which "
            "says they are alike (all read alike, right or wrong), not that the figure is sure"
            + few.replace(": read the interval, not the figure", "")
        )
    if not interval:
        return (
            "one example: no interval, and no figure to read as the model's accuracy"
            if n == 1
            else None
        )
    return (
        f"macro-F1's 95% interval: {interval[0]:.2f} to {interval[1]:.2f}, a percentile "
        f"bootstrap over the {n:,} examples" + few
    )


def evaluate_scorer(
    scorer: Scorer,
    examples: Sequence[Example],
    progress: bool = False,
    on_batch: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """:func:`probability_report` of ``scorer`` on ``examples``, with its name and the seconds
    it took. ``on_batch(done, total)`` (a dashboard progress bar) is called after each batch of
    :data:`BATCH` examples; ``progress`` shows the scorer's own terminal bar."""
    if not examples:
        raise ValueError("expected at least one example, got none")
    started = time.perf_counter()
    step = BATCH if on_batch is not None else len(examples)
    rows = []
    for start in range(0, len(examples), step):
        chunk = examples[start : start + step]
        rows.append(
            np.asarray(
                scorer.score(
                    [e.text for e in chunk],
                    [e.target for e in chunk],
                    [e.span for e in chunk],
                    progress=progress,
                ),
                dtype=float,
            )
        )
        if on_batch is not None:
            on_batch(min(start + step, len(examples)), len(examples))
    seconds = time.perf_counter() - started
    report = probability_report(
        np.concatenate(rows), [e.label for e in examples], scorer.task, labels=scorer.labels
    )
    report["seconds"] = round(seconds, 3)
    report["model"] = scorer.name
    return report
