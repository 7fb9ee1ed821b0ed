"""Any Hugging Face sequence-classification model as a stance or tone scorer.

Labels come from the model's ``id2label``, matched to the task's labels by name (``negative``,
``NEG``, ``pro``, ...) or given explicitly (``{"LABEL_0": "negative", ...}``). Stance models get
``(target, text)`` pairs; tone models get the text alone unless ``pair=True``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import warnings
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from analysis.backbone import sha256_of
from analysis.batching import INFERENCE_PAD_MULTIPLE, length_sorted_batches, pad_multiple
from analysis.labels import labels_for
from analysis.scoring.base import (
    BaseScorer,
    ModelLoadError,
    Spans,
    Targets,
    Texts,
)
from analysis.scoring.hub import resolve_model_source
from analysis.scoring.label_names import map_labels


class HFClassifierScorer(BaseScorer):
    """A local directory or hub id loaded with ``AutoModelForSequenceClassification``."""

    def __init__(
        self,
        model_id: str,
        task: str,
        label_map: Mapping[str, str] | None = None,
        pair: bool | None = None,
        max_length: int = 256,
        batch_size: int = 32,
        name: str | None = None,
        precision: str = "auto",
    ) -> None:
        self.model_id, self.task, self.label_map = model_id, task, dict(label_map or {})
        self.pair = task == "stance" if pair is None else pair
        self.max_length, self.batch_size = max_length, batch_size
        self.precision = precision
        self.labels = labels_for(task)
        self.name = name or f"{task}.hf-classifier.v1:{model_id}"

    @cached_property
    def loaded(self) -> tuple[Any, Any, list[tuple[int, ...]]]:
        model, tokenizer = load_hf_model(self.model_id, self.task, self.precision)
        columns = map_labels(model.config.id2label, self.task, self.label_map, self.model_id)
        absent = self.absent_labels(columns)
        if absent:
            warnings.warn(
                f"{self.task} model {self.model_id} has no {'/'.join(absent)} class: it never "
                f"answers {'/'.join(absent)} (probability 0), so its {self.task} is "
                "P(positive) - P(negative) alone",
                RuntimeWarning,
                stacklevel=2,
            )
        return model, tokenizer, columns

    def absent_labels(self, columns: Sequence[tuple[int, ...]] | None = None) -> list[str]:
        """The task's labels the model has no class for (it never answers them)."""
        columns = self.loaded[2] if columns is None else columns
        return [label for label, c in zip(self.labels, columns, strict=True) if not c]

    @cached_property
    def weights_sha256(self) -> str | None:
        return local_weights_sha256(self.model_id)

    @cached_property
    def tokenizer_sha256(self) -> str | None:
        return local_tokenizer_sha256(self.model_id)

    def identity(self) -> dict[str, Any]:
        """What the predictions depend on: the cache is keyed by it, so retrained weights or
        other options never reuse earlier predictions."""
        model = self.loaded[0]
        # another tokenizer reads the same weights otherwise: a folder given its tokenizer
        # after a run must not reuse that run's predictions (a hub id's revision names it)
        tokenizer = {"tokenizer_sha256": self.tokenizer_sha256} if self.tokenizer_sha256 else {}
        return {
            "name": self.name,
            "backend": "hf-classifier",
            "model": self.model_id,
            "revision": getattr(model.config, "_commit_hash", None),
            "weights_sha256": self.weights_sha256,
            **tokenizer,
            "label_map": self.label_map,
            "absent_labels": self.absent_labels(),
            "pair": self.pair,
            "max_length": self.max_length,
            "precision": model_precision(model),
        }

    def _score(self, texts: Texts, targets: Targets, spans: Spans, progress: bool) -> np.ndarray:
        import torch

        model, tokenizer, columns = self.loaded
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        lengths = [len(t) for t in texts]
        with torch.inference_mode():
            for idx in length_sorted_batches(lengths, self.batch_size, progress):
                batch_texts = [texts[i] for i in idx]
                if self.pair:
                    args = ([targets[i] or "" for i in idx], batch_texts)
                    truncation = "only_second"
                else:
                    args, truncation = (batch_texts,), True
                enc = tokenizer(
                    *args,
                    truncation=truncation,
                    max_length=self.max_length,
                    padding=True,
                    pad_to_multiple_of=pad_multiple(INFERENCE_PAD_MULTIPLE, self.max_length),
                    return_tensors="pt",
                )
                probs = torch.softmax(model(**enc).logits.float(), dim=-1).numpy()
                for j, classes in enumerate(columns):  # a label the model lacks stays 0
                    if classes:
                        out[idx, j] = probs[:, list(classes)].sum(axis=1)
        sums = out.sum(axis=1, keepdims=True)
        return out / np.where(sums > 0, sums, 1.0)


def local_weights_sha256(model_id: str) -> str | None:
    """SHA-256 of a local model folder's safetensors weights (of the shard digests if sharded);
    None for a hub id, whose revision names its weights."""
    local = Path(model_id).expanduser()
    files = sorted(local.glob("*.safetensors")) if local.is_dir() else []
    if not files:
        return None
    if len(files) == 1:
        return sha256_of(files[0])
    lines = "".join(f"{f.name} {sha256_of(f)}\n" for f in files)
    return hashlib.sha256(lines.encode()).hexdigest()


# The files a Hugging Face tokenizer is read from (any of them, by tokenizer kind).
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "vocab.json",
    "merges.txt",
    "spiece.model",
    "sentencepiece.bpe.model",
    "added_tokens.json",
)
# A tokenizer with fewer entries than this has only its special tokens: a model folder
# without its tokenizer's files loads one that reads every word as [UNK].
MIN_VOCABULARY = 100


def local_tokenizer_sha256(model_id: str) -> str | None:
    """SHA-256 over a local model folder's tokenizer files (names and digests); None for a hub
    id, whose revision names them."""
    local = Path(model_id).expanduser()
    files = [local / name for name in TOKENIZER_FILES] if local.is_dir() else []
    lines = "".join(f"{f.name} {sha256_of(f)}\n" for f in files if f.is_file())
    return hashlib.sha256(lines.encode()).hexdigest() if lines else None


def model_precision(model: Any) -> str | None:
    """The dtype a loaded model computes in, as a run records it ("bfloat16", "float32")."""
    try:
        return str(next(model.parameters()).dtype).removeprefix("torch.")
    except (AttributeError, StopIteration, TypeError):
        return None


def load_hf_model(model_id: str, kind: str, precision: str = "auto") -> tuple[Any, Any]:
    """Load model and tokenizer from a directory or hub id: safetensors only, no remote code,
    weights in the dtype ``precision`` resolves to (bf16 under ``auto`` where the CPU computes
    it natively, as for the shipped models).

    Any failure becomes a one-line :class:`ModelLoadError` that says what was tried.
    """
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from analysis.precision import resolve_dtype

    dtype = resolve_dtype(precision)
    source, local_only = resolve_model_source(model_id, kind)
    where = f"local directory {source}" if Path(source).is_dir() else f"hub id {model_id!r}"
    try:
        tokenizer = AutoTokenizer.from_pretrained(
            source, trust_remote_code=False, local_files_only=local_only
        )
        with quiet_load_report():
            model, info = AutoModelForSequenceClassification.from_pretrained(
                source,
                trust_remote_code=False,
                use_safetensors=True,
                local_files_only=local_only,
                dtype=dtype,
                output_loading_info=True,
            )
    except Exception as err:  # transformers raises OSError, ValueError, HTTP errors ...
        reason = " ".join(str(err).split())
        reason = reason if len(reason) <= 300 else reason[:297] + "..."
        raise ModelLoadError(f"could not load {kind} model from {where}: {reason}") from None
    missing = sorted(info.get("missing_keys") or ())
    if missing:
        raise ModelLoadError(untrained_weights_message(kind, where, missing))
    if len(tokenizer) < MIN_VOCABULARY:
        raise ModelLoadError(
            f"the {kind} model from {where} has no tokenizer vocabulary ({len(tokenizer)} "
            "entries): its folder lacks the tokenizer's files (tokenizer.json, or vocab.txt and "
            "tokenizer_config.json, ...), so every word would read as unknown; copy in the "
            "tokenizer the model was trained with"
        )
    return model.eval(), tokenizer


def untrained_weights_message(kind: str, where: str, missing: Sequence[str]) -> str:
    """Why a model whose files lack some of its classifier's weights is refused: transformers
    would fill them at random, anew on every load, and its scores would be noise that no
    warning catches (a random head's probabilities need not be flat)."""
    shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
    head = any(part in name for name in missing for part in HEAD_WEIGHTS)
    what = "has no trained classification head" if head else "lacks some of its weights"
    why = (
        " It is a base encoder (a sentence-embedding or pretrained model), not a classifier: "
        "give a model fine-tuned for the task"
        if head
        else " Give a complete model folder"
    )
    return (
        f"the {kind} model from {where} {what}: {shown} not in its files, so they would be "
        f"random on every load.{why}"
    )


# Names of classification heads' weights in transformers' models (BERT's ``classifier``,
# RoBERTa's ``classifier.out_proj``, GPT-style ``score``).
HEAD_WEIGHTS = ("classifier", "score.", "out_proj")


@contextlib.contextmanager
def quiet_load_report() -> Iterator[None]:
    """Hold back the load report transformers prints (missing or unexpected weights): the
    caller says what matters in one line of its own."""
    from transformers.utils import logging as hf_logging

    before = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        hf_logging.set_verbosity(before)
