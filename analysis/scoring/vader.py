"""Lexicon baseline: VADER's compound score turned into tone probabilities."""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.labels import TONE_LABELS
from analysis.scoring.base import BaseScorer, Spans, Targets, Texts

THRESHOLD = 0.05  # VADER's documented neutral band: |compound| < 0.05


def compound_to_probabilities(compound: float) -> np.ndarray:
    """Map VADER's compound score in [-1, 1] to (negative, neutral, positive).

    The argmax reproduces VADER's standard rule (>= 0.05 positive, <= -0.05 negative, else
    neutral); the winning probability grows with |compound|.
    """
    c = float(np.clip(compound, -1.0, 1.0))
    if c >= THRESHOLD:
        pos = (1.0 + c) / 2.0
        return np.array([0.0, 1.0 - pos, pos])
    if c <= -THRESHOLD:
        neg = (1.0 - c) / 2.0
        return np.array([neg, 1.0 - neg, 0.0])
    return np.array([max(-c, 0.0), 1.0 - abs(c), max(c, 0.0)])


class VaderToneScorer(BaseScorer):
    """``tone.vader.v1``: passage-level VADER; the target is ignored (the lexicon has no notion)."""

    task = "tone"
    labels = TONE_LABELS

    def __init__(self, name: str = "tone.vader.v1") -> None:
        self.name = name

    def identity(self) -> dict[str, Any]:
        from importlib.metadata import version

        return {
            "name": self.name,
            "backend": "vaderSentiment",
            "version": version("vaderSentiment"),
        }

    def _score(self, texts: Texts, targets: Targets, spans: Spans, progress: bool) -> np.ndarray:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        analyzer = SentimentIntensityAnalyzer()
        rows = [compound_to_probabilities(analyzer.polarity_scores(t)["compound"]) for t in texts]
        return np.array(rows, dtype=np.float32).reshape(len(texts), len(self.labels))
