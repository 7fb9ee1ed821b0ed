"""Classification metrics: macro-F1, accuracy, per-class scores, confusion, calibration."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np


def classification_report(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """Macro-F1, accuracy, per-class precision/recall/F1/support and confusion.

    Macro-F1 averages over the labels that occur in ``y_true`` or ``y_pred`` (as scikit-learn
    does by default): a label absent from both says nothing about the model.

    ``confusion[i][j]`` counts examples of true label ``labels[i]`` predicted as ``labels[j]``.
    """
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"expected as many predictions as labels, got {len(y_pred)} and {len(y_true)}"
        )
    index = {label: i for i, label in enumerate(labels)}
    confusion = np.zeros((len(labels), len(labels)), dtype=int)
    for truth, pred in zip(y_true, y_pred, strict=True):
        confusion[index[truth], index[pred]] += 1
    per_class: dict[str, dict[str, float]] = {}
    for i, label in enumerate(labels):
        tp = confusion[i, i]
        predicted, actual = confusion[:, i].sum(), confusion[i, :].sum()
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {
            "precision": float(precision),
            "recall": float(recall),
            "f1": float(f1),
            "support": int(actual),
        }
    n = int(confusion.sum())
    present = [
        label for i, label in enumerate(labels) if confusion[i, :].sum() or confusion[:, i].sum()
    ]
    return {
        "n": n,
        "macro_f1": float(np.mean([per_class[label]["f1"] for label in present])),
        "accuracy": float(np.trace(confusion) / n) if n else 0.0,
        "per_class": per_class,
        "labels": list(labels),
        "confusion": confusion.tolist(),
    }


def expected_calibration_error(
    probabilities: np.ndarray, y_true_index: np.ndarray, bins: int = 10
) -> dict[str, Any]:
    """ECE of the top-class confidence, with the per-bin table for a reliability diagram."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == y_true_index
    edges = np.linspace(0.0, 1.0, bins + 1)
    table, ece = [], 0.0
    for low, high in pairwise(edges):
        inside = (confidence > low) & (confidence <= high)
        if not inside.any():
            continue
        acc, conf = float(correct[inside].mean()), float(confidence[inside].mean())
        ece += inside.mean() * abs(acc - conf)
        table.append(
            {
                "low": float(low),
                "high": float(high),
                "n": int(inside.sum()),
                "accuracy": acc,
                "confidence": conf,
            }
        )
    return {"ece": float(ece), "bins": table}


def roc_auc(positive: Sequence[float], negative: Sequence[float]) -> float | None:
    """Area under the ROC curve: the chance that a positive scores above a negative (ties
    count half). None when either side is empty."""
    pos, neg = np.asarray(positive, dtype=float), np.asarray(negative, dtype=float)
    if not len(pos) or not len(neg):
        return None
    ranks = _average_ranks(np.concatenate([pos, neg]))
    u = ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2
    return float(u / (len(pos) * len(neg)))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks with ties given their average rank."""
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values), dtype=float)
    sorted_values = values[order]
    start = 0
    for end in range(1, len(values) + 1):
        if end == len(values) or sorted_values[end] != sorted_values[start]:
            ranks[order[start:end]] = (start + end + 1) / 2
            start = end
    return ranks


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values) controlling the false discovery rate."""
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return []
    if np.any((p < 0) | (p > 1)) or np.any(np.isnan(p)):
        raise ValueError(f"expected p-values in [0, 1], got {p_values!r}")
    m = p.size
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1].clip(0, 1)
    out = np.empty(m)
    out[order] = adjusted
    return out.tolist()
