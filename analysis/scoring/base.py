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


def check_inputs(texts: Sequence[str], targets: Sequence[str | None]) -> None:
    """Validate the shared arguments of :meth:`Scorer.score` once, at the public entry."""
    if len(texts) != len(targets):
        raise ValueError(f"expected one target per text, got {len(targets)} for {len(texts)}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise ValueError(f"expected text {i} to be a string, got {type(text).__name__}")
