"""Static word-piece embeddings: a text's vector is the normalised sum of its pieces' rows.

The rows are fitted so that a passage's vector points where the pinned MiniLM's embedding of it
points, projected on 256 axes (``experiments/topic_relevance/fit_static.py``), and shipped in
``analysis/shipped_models/minilm_static`` with that projection; with MiniLM's own tokenizer they
need no network at inference, so a corpus of hundreds of thousands of passages is embedded in
seconds. Topic relevance uses them as its first, recall-oriented stage
(``TopicMatcher(first_stage=StaticEmbedder())`` in :mod:`analysis.topics`): passages embedded
here are compared with topic prototypes embedded by MiniLM and projected (:meth:`project`).
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
MAX_PIECES = 126  # as MiniLM reads a passage: 128 tokens with [CLS] and [SEP]
CHUNK = 8192  # texts per step: bounds the tokenizer's output held at once


class StaticEmbedder:
    """Embeds texts with a static table (``embeddings.safetensors``) over MiniLM's tokenizer."""

    def __init__(self, directory: str | Path | None = None, max_pieces: int | None = None) -> None:
        self.directory = Path(directory) if directory is not None else SHIPPED_STATIC_DIR
        if not (self.directory / "embeddings.safetensors").is_file():
            raise FileNotFoundError(
                f"expected static embeddings at {self.directory / 'embeddings.safetensors'} "
                "(made by experiments/topic_relevance/fit_static.py)"
            )
        self.config = json.loads((self.directory / "config.json").read_text(encoding="utf-8"))
        self.max_pieces = int(max_pieces or self.config.get("max_pieces", MAX_PIECES))

    @cached_property
    def tensors(self) -> dict[str, np.ndarray]:
        from safetensors.numpy import load_file

        loaded = load_file(str(self.directory / "embeddings.safetensors"))
        return {name: value.astype(np.float32) for name, value in loaded.items()}

    @property
    def table(self) -> np.ndarray:
        """One row per word piece of MiniLM's vocabulary."""
        return self.tensors["embeddings"]

    @property
    def projection(self) -> np.ndarray | None:
        """The map from MiniLM's embedding space onto the table's, ``(384, dim)``, if fitted."""
        return self.tensors.get("projection")

    def project(self, teacher_embeddings: np.ndarray) -> np.ndarray:
        """MiniLM embeddings (e.g. of topic prototypes) in this table's space, unit length."""
        if self.projection is None:
            raise ValueError(f"the static table at {self.directory} has no projection")
        projected = np.asarray(teacher_embeddings, dtype=np.float32) @ self.projection
        norms = np.linalg.norm(projected, axis=1, keepdims=True)
        return projected / np.where(norms > 0, norms, 1.0)

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
        config = self.config
        return {
            "name": "minilm-static",
            "path": str(self.directory),
            "weights_sha256": self.weights_sha256,
            "dim": self.dim,
            "max_pieces": self.max_pieces,
            "teacher_weights_sha256": config.get("teacher_weights_sha256"),
            "projected_prototypes": self.projection is not None,
        }

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text (zeros for a text with no pieces);
        texts are taken :data:`CHUNK` at a time so that memory does not grow with their number."""
        texts = text_list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), CHUNK):
            out[start : start + CHUNK] = self._encode_chunk(texts[start : start + CHUNK])
        return out

    def encode_joined(
        self, texts: Sequence[str], previous: Sequence[str | None] | None = None
    ) -> np.ndarray:
        """:meth:`encode` of each text joined to its previous passage (``f"{previous} {text}"``,
        the text alone where there is none), tokenizing each distinct passage once: word pieces
        do not cross the space that joins them, so the pieces of the joined text are the
        previous passage's followed by the text's (cut at ``max_pieces``)."""
        texts = text_list(texts)
        if previous is None:
            return self.encode(texts)
        if len(previous) != len(texts):
            raise ValueError(
                f"expected one previous passage per text, got {len(previous)} for {len(texts)}"
            )
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), CHUNK):
            chunk = texts[start : start + CHUNK]
            before = list(previous[start : start + CHUNK])
            distinct = list(dict.fromkeys([*chunk, *(p for p in before if p)]))
            encodings = self.tokenizer.encode_batch(distinct, add_special_tokens=False)
            ids = {t: e.ids for t, e in zip(distinct, encodings, strict=True)}
            # the tokenizer truncates each passage to max_pieces, so a joined pair is cut
            # the same way the joined text would be
            pieces = [
                np.asarray(((ids[p] + ids[t]) if p else ids[t])[: self.max_pieces], np.int64)
                for t, p in zip(chunk, before, strict=True)
            ]
            out[start : start + len(chunk)] = self._pool(pieces)
        return out

    def _encode_chunk(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        return self._pool([np.asarray(e.ids, dtype=np.int64) for e in encodings])

    def _pool(self, pieces: list[np.ndarray]) -> np.ndarray:
        """The normalised sum of each text's piece rows (zeros for a text without pieces)."""
        import torch

        if not pieces:
            return np.zeros((0, self.dim), dtype=np.float32)
        lengths = np.array([len(p) for p in pieces], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        with torch.inference_mode():
            sums = torch.nn.functional.embedding_bag(
                torch.from_numpy(np.concatenate(pieces)),
                self.table_tensor,
                torch.from_numpy(offsets),
                mode="sum",
            )
            return torch.nn.functional.normalize(sums, dim=-1).numpy()

    @cached_property
    def table_tensor(self) -> Any:
        import torch

        return torch.from_numpy(self.table)
