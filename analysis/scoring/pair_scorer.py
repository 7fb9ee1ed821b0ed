"""Scorers backed by a viewpoints pair classifier: the shipped default or any retrained one."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from analysis.labels import labels_for
from analysis.scoring.base import (
    BaseScorer,
    ModelLoadError,
    Span,
    Spans,
    Targets,
    Texts,
    check_inputs,
)

SHIPPED_ROOT = Path(__file__).resolve().parent.parent / "shipped_models"
SHIPPED_DIR = SHIPPED_ROOT / "minilm_v1"  # stance.minilm.v1 / tone.minilm.v1 (VAST stance)
SHIPPED_V2_DIR = SHIPPED_ROOT / "minilm_v2"  # stance.minilm.v2 / tone.minilm.v2 (news stance)
SPEAKER_HEAD = "speaker"  # the head that scores the stance of quoted or reported speakers
TOPIC_HEAD = "topic"  # the head that says whether a passage is really about the target
TONE_V3_HEAD = "tone_v3"  # tone.minilm.v3: minilm_v2's tone refitted on all of NewsMTSC
TOPIC_LABELS = ("off", "on")


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

    @cached_property
    def head_layers(self) -> dict[str, list[int]]:
        """The layers each head reads where not the last alone (from the model's config file,
        without loading the weights): part of what a head's scores depend on."""
        from analysis.scoring.pair_model import read_model_info

        return dict(read_model_info(self.directory).get("head_layers") or {})

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


class PairModelScorer(BaseScorer):
    """One head's view of a :class:`PairModel`: by default the head named after the task; the
    ``speaker`` head of a news stance model is a stance view too (see :func:`quoted_voice`)."""

    def __init__(
        self,
        name: str,
        task: str,
        model: PairModel,
        head: str | None = None,
        labels: Sequence[str] | None = None,
    ) -> None:
        self.name, self.task, self.model = name, task, model
        self.head = head or task
        self.labels = tuple(labels) if labels is not None else labels_for(task)

    def identity(self) -> dict[str, Any]:
        from analysis.precision import resolve_dtype

        identity = {
            "name": self.name,
            "backend": "pair-classifier",
            "path": str(self.model.directory),
            "weights_sha256": self.model.weights_sha256,
            # the dtype "auto" resolves to here: cached predictions must not mix precisions
            "precision": str(resolve_dtype(self.model.precision)).removeprefix("torch."),
        }
        if self.head != self.task:
            identity["head"] = self.head
        layers = self.model.head_layers.get(self.head)
        if layers:  # the same weights over other layers score differently
            identity["layers"] = layers
        return identity

    def shares_pass_with(self, other: BaseScorer) -> bool:
        """Heads of one pair classifier come from one forward pass."""
        other = other.unwrapped()
        return isinstance(other, PairModelScorer) and other.model is self.model

    def _score(self, texts: Texts, targets: Targets, spans: Spans, progress: bool) -> np.ndarray:
        heads = self.model.heads
        if self.head not in heads:
            raise ModelLoadError(
                f"model {self.model.directory} has no {self.head} head (heads: {sorted(heads)})"
            )
        if tuple(heads[self.head]) != self.labels:
            raise ModelLoadError(
                f"model {self.model.directory} {self.head} labels "
                f"{heads[self.head]} differ from {list(self.labels)}"
            )
        return self.model.predict(texts, targets, spans, progress)[self.head]


def quoted_voice(stance: Any) -> Any:
    """The scorer of quoted voices' stance that goes with a stance scorer.

    A pair classifier with a ``speaker`` head (``stance.minilm.v2``) scores reported speech
    with that head, from the same forward pass as the author's stance. Any other stance
    backend is its own reader of quoted voices: what it says about a quoted passage is the
    stance the passage expresses, which for a quotation is the speaker's.
    """
    if isinstance(stance, PairModelScorer) and SPEAKER_HEAD in stance.model.heads:
        return PairModelScorer(
            f"{stance.name}:{SPEAKER_HEAD}", "stance", stance.model, SPEAKER_HEAD
        )
    return stance


def topic_head_targets(stance: Any) -> frozenset[str] | None:
    """The targets (folded: :func:`analysis.topics.folded`) the stance model's topic head
    learned to judge (empty: none), or None where the model does not record them (or has no
    topic head): then every target is trusted."""
    if not isinstance(stance, PairModelScorer) or TOPIC_HEAD not in stance.model.heads:
        return None
    from analysis.topics import folded

    recorded = stance.model.loaded[0].config.topic_targets
    return None if recorded is None else frozenset(folded(t) for t in recorded)


def topic_gate(stance: Any) -> PairModelScorer | None:
    """The topic head of a news stance model, as a scorer of P(off), P(on) toward a target:
    the second stage of topic relevance (None for models without one)."""
    if isinstance(stance, PairModelScorer) and TOPIC_HEAD in stance.model.heads:
        return PairModelScorer(
            f"{stance.name}:{TOPIC_HEAD}", TOPIC_HEAD, stance.model, TOPIC_HEAD, TOPIC_LABELS
        )
    return None
