"""Sentence embeddings from MiniLM: mean-pooled, L2-normalised, batched by length.

Topic relevance compares every passage of a corpus (hundreds of thousands of sentences) with a
few topic prototypes, so the encoder is the cost that matters: texts are sorted by length so that
each batch pads little, truncated at ``max_length`` tokens, and run under ``inference_mode`` in
bf16 where the CPU computes it natively (see :mod:`analysis.precision`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from analysis.backbone import MINILM_HUB_ID, MINILM_REVISION, MINILM_SHA256, sha256_of
from analysis.batching import fill_rows, length_sorted_batches, pad_multiple
from analysis.precision import PRECISIONS

MAX_LENGTH = 128  # all-MiniLM-L6-v2 was trained on 128 word pieces; longer input adds little
# Passages joined to their predecessors, on the 2-core bf16 machine (3,000 of them, nothing else
# running): 32, 64, 128 and 256 a batch embedded 137, 129, 126 and 134 texts/s, and raised peak
# memory by 158, 186, 291 and 472 MB (the attention scores grow with the batch).
BATCH_SIZE = 32
# Batches are padded to a multiple of this many tokens (:func:`analysis.batching.pad_multiple`).
# On the whole AllSides corpus (``viewpoints analyze``, docs/scale_history.md): peak 0.92 GiB
# against 1.10 GiB; on its first 1,000 articles relevance took about 9% longer.
PAD_MULTIPLE = 16


class Embedder:
    """MiniLM sentence embeddings, loaded on first use.

    ``model`` is a local directory with ``model.safetensors`` and a tokenizer; ``None`` means the
    pinned all-MiniLM-L6-v2 (verified against its official SHA-256 by
    :func:`analysis.backbone.minilm_path`).
    """

    def __init__(
        self,
        model: str | Path | None = None,
        batch_size: int = BATCH_SIZE,
        precision: str = "auto",
        max_length: int = MAX_LENGTH,
    ) -> None:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"expected batch_size a positive integer, got {batch_size!r}")
        if precision not in PRECISIONS:
            raise ValueError(f"expected precision one of {PRECISIONS}, got {precision!r}")
        if not isinstance(max_length, int) or max_length < 8:
            raise ValueError(f"expected max_length an integer >= 8, got {max_length!r}")
        self.model = model
        self.batch_size = batch_size
        self.precision = precision
        self.max_length = max_length

    @cached_property
    def path(self) -> Path:
        """The weights directory (the pinned MiniLM, verified, when ``model`` is None)."""
        if self.model is None:
            from analysis.backbone import minilm_path

            return minilm_path(verify=True)
        path = Path(self.model)
        if not (path / "model.safetensors").is_file():
            raise FileNotFoundError(
                f"expected a sentence encoder directory with model.safetensors at {path}; "
                "pass model=None for the pinned all-MiniLM-L6-v2"
            )
        return path

    @cached_property
    def weights_sha256(self) -> str:
        if self.model is None:
            self.path  # noqa: B018 - resolving the path verifies the pinned hash
            return MINILM_SHA256
        return sha256_of(self.path / "model.safetensors")

    @cached_property
    def loaded(self) -> tuple[Any, Any]:
        """(model, tokenizer), loaded once from safetensors in the resolved dtype."""
        from transformers import AutoModel, AutoTokenizer

        from analysis.precision import resolve_dtype

        model = AutoModel.from_pretrained(str(self.path), use_safetensors=True)
        model = model.to(resolve_dtype(self.precision)).eval()
        tokenizer = AutoTokenizer.from_pretrained(str(self.path))
        return model, tokenizer

    @property
    def dim(self) -> int:
        return int(self.loaded[0].config.hidden_size)

    def identity(self) -> dict[str, Any]:
        """What makes the embeddings reproducible: model, weights hash, precision, truncation."""
        from analysis.precision import resolve_dtype

        name = MINILM_HUB_ID if self.model is None else str(self.model)
        out: dict[str, Any] = {
            "name": name,
            "path": str(self.path),
            "weights_sha256": self.weights_sha256,
            "pooling": "mean",
            "normalize": True,
            "max_length": self.max_length,
            "batch_size": self.batch_size,  # bf16 results depend a little on batch-mates
            "precision": self.precision,
            "dtype": str(resolve_dtype(self.precision)).removeprefix("torch."),
        }
        if self.model is None:
            out["revision"] = MINILM_REVISION
        return out

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text, in input order."""
        import torch

        texts = text_list(texts)
        model, tokenizer = self.loaded
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        lengths = [len(t) for t in texts]
        fill = next(model.parameters()).dtype != torch.float32  # bf16: see fill_rows
        with torch.inference_mode():
            for idx in length_sorted_batches(lengths, self.batch_size, progress, "embedding"):
                enc = tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    pad_to_multiple_of=pad_multiple(PAD_MULTIPLE, self.max_length),
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                if fill:
                    enc = fill_rows(enc, self.batch_size)
                hidden = model(**enc).last_hidden_state[: len(idx)].float()
                mask = enc["attention_mask"][: len(idx)].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
                out[idx] = pooled.numpy()
        return out


def text_list(texts: Sequence[str]) -> list[str]:
    """``texts`` as a list, refusing a single string (a common slip) and non-strings."""
    if isinstance(texts, str):
        raise ValueError("expected a sequence of strings, got a single string")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise ValueError(f"expected text {i} to be a string, got {type(text).__name__}")
    return texts
