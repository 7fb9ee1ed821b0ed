"""A scorer for tests: probabilities from a rule on the text, and a count of its calls."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from analysis.labels import labels_for
from analysis.scoring.base import BaseScorer


class RuleScorer(BaseScorer):
    """Scores each text with ``rule(text) -> probabilities`` (uniform by default)."""

    def __init__(
        self,
        task: str = "stance",
        rule: Callable[[str], Sequence[float]] | None = None,
        name: str | None = None,
    ) -> None:
        self.task, self.labels = task, labels_for(task)
        self.name = name or f"{task}.rule.v1"
        self.rule = rule or (lambda _: [1 / len(self.labels)] * len(self.labels))
        self.calls = 0

    def identity(self) -> dict:
        return {"name": self.name}

    def _score(self, texts, targets, spans, progress) -> np.ndarray:
        self.calls += 1
        return np.array([self.rule(t) for t in texts], dtype=float).reshape(len(texts), -1)
