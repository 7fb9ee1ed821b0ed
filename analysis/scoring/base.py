"""The one interface every stance or tone backend implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

Span = tuple[int, int] | None


class ModelLoadError(RuntimeError):
    """A model that cannot be loaded; the message is one line naming what was tried."""


@runtime_checkable
class Scorer(Protocol):
    """Scores passages toward targets for one task.

    ``score`` returns an array of shape ``(len(texts), len(labels))`` whose rows are
    probabilities in the order of ``labels`` (see :mod:`analysis.labels`).
    """

    name: str
    task: str
    labels: tuple[str, ...]

    def identity(self) -> dict[str, Any]:
        """What makes this scorer's predictions reproducible: name, version, weights hash."""
        ...

    def score(
        self,
        texts: Sequence[str],
        targets: Sequence[str | None],
        spans: Sequence[Span] | None = None,
        progress: bool = False,
    ) -> np.ndarray: ...


Texts = Sequence[str]
Targets = Sequence[str | None]
Spans = Sequence[Span] | None


class BaseScorer:
    """The contract the local backends share: ``score`` validates its arguments once and calls
    the backend's ``_score``; ``check`` loads (or reaches) the model now, so a wrong id fails
    before any work; ``calls_per_pair`` is the cost hint the estimate uses. Subclasses set
    ``name``, ``task``, ``labels`` and implement ``identity`` and ``_score``."""

    name: str
    task: str
    labels: tuple[str, ...]

    def identity(self) -> dict[str, Any]:
        raise NotImplementedError

    def check(self) -> None:
        self.identity()  # every backend's identity loads what it names

    def calls_per_pair(self) -> int:
        """Forward passes or requests one (passage, topic) costs."""
        return 1

    def score(
        self, texts: Texts, targets: Targets, spans: Spans = None, progress: bool = False
    ) -> np.ndarray:
        check_inputs(texts, targets)
        return self._score(texts, targets, spans, progress)

    def _score(self, texts: Texts, targets: Targets, spans: Spans, progress: bool) -> np.ndarray:
        raise NotImplementedError


def check_inputs(texts: Sequence[str], targets: Sequence[str | None]) -> None:
    """Validate the shared arguments of :meth:`Scorer.score` once, at the public entry."""
    if len(texts) != len(targets):
        raise ValueError(f"expected one target per text, got {len(targets)} for {len(texts)}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise ValueError(f"expected text {i} to be a string, got {type(text).__name__}")
