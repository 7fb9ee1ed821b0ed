"""The one interface every stance or tone backend implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

Span = tuple[int, int] | None


class ModelLoadError(RuntimeError):
    """A model that cannot be loaded; the message is one line naming what was tried."""


Texts = Sequence[str]
Targets = Sequence[str | None]
Spans = Sequence[Span] | None


Details = list[dict[str, Any] | None]


class BaseScorer:
    """The whole contract of a stance or tone backend, and of wrappers around one (the
    prediction cache). Callers use only these methods; nothing probes for attributes.

    - ``score`` gives probabilities; ``score_detailed`` gives them with per-row details where a
      backend has them (a chat backend's raw answer or error), else details None. Both validate
      their arguments once here and call the backend's ``_score_detailed`` (by default its
      ``_score`` with no details).
    - ``spans`` locate each passage in its article (character offsets); a backend that reads
      the passage in context uses them, the others ignore them.
    - ``identity`` names what makes predictions reproducible (cache key, run record);
      ``check`` loads or reaches the model now so that a wrong id fails before any work.
    - ``calls_per_pair`` (forward passes or requests one passage-topic pair costs) and
      ``shares_pass_with`` (two heads answered by one forward pass) are the estimate's hints.
    - ``unwrapped`` is the backend behind any wrapper; ``cache_counts`` the cache hits and
      misses of a cached scorer (None for a bare backend).

    Subclasses set ``name``, ``task``, ``labels`` and implement ``identity`` and ``_score``
    (or ``_score_detailed``)."""

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

    def shares_pass_with(self, other: BaseScorer) -> bool:
        """Whether ``other``'s predictions come from this scorer's forward pass (free)."""
        return False

    def unwrapped(self) -> BaseScorer:
        return self

    def cache_counts(self) -> dict[str, int] | None:
        return None

    def score(
        self, texts: Texts, targets: Targets, spans: Spans = None, progress: bool = False
    ) -> np.ndarray:
        return self.score_detailed(texts, targets, spans, progress)[0]

    def score_detailed(
        self, texts: Texts, targets: Targets, spans: Spans = None, progress: bool = False
    ) -> tuple[np.ndarray, Details | None]:
        check_inputs(texts, targets, spans)
        return self._score_detailed(texts, targets, spans, progress)

    def _score_detailed(
        self, texts: Texts, targets: Targets, spans: Spans, progress: bool
    ) -> tuple[np.ndarray, Details | None]:
        return self._score(texts, targets, spans, progress), None

    def _score(self, texts: Texts, targets: Targets, spans: Spans, progress: bool) -> np.ndarray:
        raise NotImplementedError


def check_inputs(texts: Texts, targets: Targets, spans: Spans = None) -> None:
    """Validate the shared arguments of :meth:`BaseScorer.score` once, at the public entry."""
    if len(texts) != len(targets):
        raise ValueError(f"expected one target per text, got {len(targets)} for {len(texts)}")
    if spans is not None and len(spans) != len(texts):
        raise ValueError(f"expected one span per text, got {len(spans)} for {len(texts)}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise ValueError(f"expected text {i} to be a string, got {type(text).__name__}")


# The name callers use for "any stance or tone scorer".
Scorer = BaseScorer
