"""Corrections as labelled data, and joined to a run's predictions (for evaluation and
calibration)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.cache import text_sha256
from analysis.corrections.records import (
    NOT_RELEVANT,
    RELEVANT,
    SPEAKER,
    TASKS,
    Correction,
    labels_of,
    latest,
    scoring_model,
)
from analysis.labels import TASK_LABELS
from analysis.quoted_voice import quoted_values
from analysis.records import Example

# --- reading corrections as labelled data ------------------------------------------------------


def examples_from_corrections(corrections: Iterable[Correction], task: str) -> list[Example]:
    """The corrections in force for ``task`` ('stance', 'tone', or 'speaker': the quoted
    voice's stance of reported speech) as labelled examples.

    Each example's ``group`` is the topic key. Topic-relevance corrections are not examples of
    any of these tasks.
    """
    if task not in (*TASK_LABELS, SPEAKER):
        raise ValueError(f"expected task 'stance', 'tone' or 'speaker', got {task!r}")
    return [
        Example(text=c.text, target=c.target, label=c.label, group=c.topic)
        for c in latest(corrections)
        if c.task == task
    ]


# --- joining corrections to a run -------------------------------------------------------------


def passage_hashes(passages: pd.DataFrame) -> pd.Series:
    """sha256 of each passage's text, indexed like ``passages``."""
    return pd.Series([text_sha256(str(t)) for t in passages["text"]], index=passages.index)


def predicted_label(row: Mapping[str, Any], task: str) -> str | None:
    """The label a score row's probabilities favour for ``task`` (None when missing)."""
    probs = probabilities_of(row, task)
    return None if probs is None else max(probs, key=probs.__getitem__)


def probabilities_of(row: Mapping[str, Any], task: str) -> dict[str, float] | None:
    """A score row's probabilities for ``task`` as a dict (None when missing). ``speaker``
    reads a quote's ``speaker_*`` columns, or where a run has none for it (runs of the older
    format) its ``stance_*`` ones, which the quoted voices' measure then reads."""
    labels = labels_of(task)
    if task == SPEAKER:
        values = quoted_values(row, labels)
        if values is None:
            return None
    else:
        values = [row.get(f"{task}_{label}") for label in labels]
    if any(v is None or pd.isna(v) for v in values):
        return None
    return {label: float(v) for label, v in zip(labels, values, strict=True)}


def predictions_for(run: Any, corrections: Iterable[Correction], task: str) -> pd.DataFrame:
    """The run's model predictions on the corrections in force for ``task``.

    One row per correction with ``topic``, ``label`` (the analyst's), ``predicted``, the
    probabilities ``p_<label>`` and ``source``: ``"run"`` when the run scored that passage text on
    that topic (its stored probabilities), ``"stored"`` when it did not but the correction was made
    on a run of the same model (the probabilities saved with the correction), else ``"missing"``
    (no prediction; ``predicted`` is None). For the ``topic`` task ``predicted`` is whether the
    run scored the passage on the topic (relevant) or not, and there are no probabilities.
    """
    labels = labels_of(task)
    chosen = [c for c in latest(corrections) if c.task == task]
    columns = ["text", "target", "topic", "label", "predicted", "source", "time"]
    columns += [f"p_{label}" for label in labels] if task != "topic" else []
    if not chosen:
        return pd.DataFrame(columns=columns)
    scores = run.scores
    hashes = passage_hashes(run.passages)
    by_hash = pd.DataFrame({"passage_id": run.passages["passage_id"], "hash": hashes})
    scored = scores.merge(by_hash, on="passage_id", how="inner").drop_duplicates(["hash", "topic"])
    lookup = scored.set_index(["hash", "topic"])
    known = set(hashes)
    name = scoring_model(run.info, task)
    rows = []
    for c in chosen:
        row: dict[str, Any] = {
            "text": c.text,
            "target": c.target,
            "topic": c.topic,
            "label": c.label,
            "time": c.time,
        }
        hit = (c.text_sha256, c.topic) in lookup.index
        if task == "topic":
            in_run = c.text_sha256 in known
            row["predicted"] = (RELEVANT if hit else NOT_RELEVANT) if in_run else None
            row["source"] = "run" if in_run else "missing"
        else:
            probs = probabilities_of(lookup.loc[(c.text_sha256, c.topic)], task) if hit else None
            source = "run" if probs is not None else "missing"
            if probs is None and c.probs is not None and name is not None and c.model == name:
                probs, source = c.probs, "stored"
            row["source"] = source
            row["predicted"] = None if probs is None else max(labels, key=probs.__getitem__)
            for label in labels:
                row[f"p_{label}"] = np.nan if probs is None else probs[label]
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def topic_agreement(readings: pd.DataFrame) -> dict[str, Any] | None:
    """How often a run's topic reading agrees with the analyst's topic corrections, from
    :func:`predictions_for`'s ``topic`` rows: the classification report (accuracy, macro-F1,
    confusion over ``relevant`` / ``not relevant``), ``n`` corrections on the run's passages
    and ``not_in_run``, the others; None where none is on a passage of the run."""
    from analysis.metrics import classification_report

    read = readings[readings["predicted"].notna()]
    if read.empty:
        return None
    labels = list(labels_of("topic"))
    report = classification_report(read["label"].tolist(), read["predicted"].tolist(), labels)
    return {**report, "labels": labels, "n": len(read), "not_in_run": len(readings) - len(read)}


def summary(run: Any, corrections: Iterable[Correction]) -> pd.DataFrame:
    """Per topic × task: corrections in force, how many changed the model's label (when made),
    and the run's model accuracy on those it has a prediction for."""
    chosen = list(corrections)
    current = latest(chosen)
    rows = []
    for task in TASKS:
        predictions = predictions_for(run, chosen, task)
        for topic in sorted({c.topic for c in current if c.task == task}):
            mine = [c for c in current if c.task == task and c.topic == topic]
            pred = predictions[predictions["topic"] == topic]
            covered = pred[pred["predicted"].notna()]
            rows.append(
                {
                    "topic": topic,
                    "task": task,
                    "corrections": len(mine),
                    "changed": sum(c.changed for c in mine),
                    "with_prediction": len(covered),
                    "accuracy": float((covered["predicted"] == covered["label"]).mean())
                    if len(covered)
                    else np.nan,
                }
            )
    return pd.DataFrame(
        rows,
        columns=["topic", "task", "corrections", "changed", "with_prediction", "accuracy"],
    )
