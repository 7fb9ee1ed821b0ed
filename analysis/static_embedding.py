"""Static word-piece embeddings: a text's vector is the normalised mean of its pieces' rows.

The rows are distilled from the pinned MiniLM (``experiments/topic_relevance/distill_static.py``)
and shipped in ``analysis/shipped_models/minilm_static``; with MiniLM's own tokenizer they need no
network at inference, so a corpus of hundreds of thousands of passages is embedded in seconds.
Topic relevance uses them as its first, recall-oriented stage
(``TopicMatcher(first_stage=StaticEmbedder())`` in :mod:`analysis.topics`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from analysis.backbone import sha256_of
from analysis.embedding import text_list

SHIPPED_STATIC_DIR = Path(__file__).resolve().parent / "shipped_models" / "minilm_static"
MAX_PIECES = 256  # a passage longer than this many word pieces is embedded from its start
CHUNK = 4096  # texts per step: bounds the gathered piece vectors (~25 MB a step, not per corpus)


class StaticEmbedder:
    """Embeds texts with a static table (``embeddings.safetensors``) over MiniLM's tokenizer."""

    def __init__(self, directory: str | Path | None = None, max_pieces: int = MAX_PIECES) -> None:
        self.directory = Path(directory) if directory is not None else SHIPPED_STATIC_DIR
        if not (self.directory / "embeddings.safetensors").is_file():
            raise FileNotFoundError(
                f"expected static embeddings at {self.directory / 'embeddings.safetensors'} "
                "(made by experiments/topic_relevance/distill_static.py)"
            )
        self.max_pieces = max_pieces

    @cached_property
    def table(self) -> np.ndarray:
        from safetensors.numpy import load_file

        return load_file(str(self.directory / "embeddings.safetensors"))["embeddings"].astype(
            np.float32
        )

    @cached_property
    def tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        from analysis.backbone import minilm_path

        tokenizer = Tokenizer.from_file(str(minilm_path(verify=False) / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(self.max_pieces)
        return tokenizer

    @cached_property
    def weights_sha256(self) -> str:
        """Hashed once per embedder: the table is 15 MB."""
        return sha256_of(self.directory / "embeddings.safetensors")

    @property
    def dim(self) -> int:
        return int(self.table.shape[1])

    def identity(self) -> dict[str, Any]:
        config = json.loads((self.directory / "config.json").read_text(encoding="utf-8"))
        return {
            "name": "minilm-static",
            "path": str(self.directory),
            "weights_sha256": self.weights_sha256,
            "dim": self.dim,
            "max_pieces": self.max_pieces,
            "teacher_weights_sha256": config.get("teacher_weights_sha256"),
        }

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text (zeros for a text with no pieces);
        texts are taken :data:`CHUNK` at a time so that memory does not grow with their number."""
        texts = text_list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), CHUNK):
            out[start : start + CHUNK] = self._encode_chunk(texts[start : start + CHUNK])
        return out

    def _encode_chunk(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        lengths = np.array([len(e.ids) for e in encodings])
        ids = np.fromiter((i for e in encodings for i in e.ids), dtype=np.int64)
        if not len(ids):
            return out
        has = lengths > 0
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[has]
        sums = np.add.reduceat(self.table[ids], starts, axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        out[has] = sums / np.where(norms > 0, norms, 1.0)
        return out
