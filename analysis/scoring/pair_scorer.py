"""Scorers backed by a viewpoints pair classifier: the shipped default or any retrained one."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from analysis.labels import labels_for
from analysis.scoring.base import ModelLoadError, Span, check_inputs

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "shipped_models" / "minilm_v1"


class PairModel:
    """A loaded pair classifier shared by the scorers of its heads (one forward pass for all)."""

    def __init__(
        self, directory: str | Path, precision: str = "auto", batch_size: int = 64
    ) -> None:
        self.directory = Path(directory)
        self.precision = precision
        self.batch_size = batch_size
        # The last call's inputs and outputs: the stance and tone scorers of one model ask for
        # the same pairs in turn, and the second ask is then free.
        self._last: tuple[int, dict[str, np.ndarray]] | None = None

    @cached_property
    def loaded(self) -> tuple[Any, Any]:
        import torch

        from analysis.precision import resolve_dtype
        from analysis.scoring.pair_model import is_pair_classifier_dir, load_pair_classifier

        if not is_pair_classifier_dir(self.directory):
            raise ModelLoadError(
                f"no viewpoints model in {self.directory} (expected viewpoints_model.json there)"
            )
        torch.set_num_threads(max(1, torch.get_num_threads()))
        return load_pair_classifier(self.directory, resolve_dtype(self.precision))

    @cached_property
    def weights_sha256(self) -> str:
        from analysis.scoring.pair_model import weights_sha256

        return weights_sha256(self.directory)

    @property
    def heads(self) -> dict[str, list[str]]:
        return self.loaded[0].config.heads

    def predict(
        self,
        texts: Sequence[str],
        targets: Sequence[str | None],
        spans: Sequence[Span] | None = None,
        progress: bool = False,
    ) -> dict[str, np.ndarray]:
        """Probabilities for every head from one pass over the pairs."""
        from analysis.scoring.pair_model import predict_proba

        check_inputs(texts, targets)
        key = hash((tuple(texts), tuple(targets), tuple(spans) if spans is not None else None))
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        model, tokenizer = self.loaded
        result = predict_proba(
            model,
            tokenizer,
            list(texts),
            list(targets),
            list(spans) if spans is not None else None,
            batch_size=self.batch_size,
            progress=progress,
        )
        self._last = (key, result)
        return result


class PairModelScorer:
    """One task's view of a :class:`PairModel`."""

    def __init__(self, name: str, task: str, model: PairModel) -> None:
        self.name, self.task, self.model = name, task, model
        self.labels = labels_for(task)

    def identity(self) -> dict[str, Any]:
        from analysis.precision import resolve_dtype

        return {
            "name": self.name,
            "backend": "pair-classifier",
            "path": str(self.model.directory),
            "weights_sha256": self.model.weights_sha256,
            # the dtype "auto" resolves to here: cached predictions must not mix precisions
            "precision": str(resolve_dtype(self.model.precision)).removeprefix("torch."),
        }

    def score(
        self,
        texts: Sequence[str],
        targets: Sequence[str | None],
        spans: Sequence[Span] | None = None,
        progress: bool = False,
    ) -> np.ndarray:
        heads = self.model.heads
        if self.task not in heads:
            raise ModelLoadError(
                f"model {self.model.directory} has no {self.task} head (heads: {sorted(heads)})"
            )
        if tuple(heads[self.task]) != self.labels:
            raise ModelLoadError(
                f"model {self.model.directory} {self.task} labels "
                f"{heads[self.task]} differ from {list(self.labels)}"
            )
        return self.model.predict(texts, targets, spans, progress)[self.task]
