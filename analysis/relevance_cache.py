"""Topic relevance behind the prediction cache, so that a rerun does not embed the corpus again.

Relevance is most of a whole-corpus run (on the AllSides corpus about three of its four
minutes), and an experiment that changes only the stance or tone model needs the same relevance
again. Each passage's row (one value per topic) is stored under a key made of the matcher's
identity (topics and their hash, embedder and first stage, constants; not the threshold, which
only reads the rows) and the passage with the passage before it, which relevance reads too.
A matcher with other topics or another embedder has other keys, so a row is never reused
across them.

Beneath those rows, the passages' MiniLM embeddings are kept too (:class:`CachedEmbedder`),
keyed by the embedder's identity and the text it embeds (the passage joined to the one before
it): a topic added or reworded changes every relevance row, but MiniLM then embeds only the
passages no earlier run embedded (on the first 1,000 AllSides articles, two topics added to the
defaults: 169 passages embedded instead of 3,171, docs/experiments.md). An embedding is 384
float32 values, 1.5 KiB a passage MiniLM reads (behind the cascade, about one passage in
fifteen).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from analysis.cache import PredictionCache


def matcher_key(identity: dict[str, Any]) -> bytes:
    """The part of every key that names the matcher: its identity without the threshold, and
    of a model's the dtype it ran in rather than the precision asked for ("auto" locally, the
    resolved "bf16" on Ray workers: the same numbers)."""
    named = {k: v for k, v in identity.items() if k != "threshold"}
    return hashlib.sha256(
        json.dumps(_resolved(named), sort_keys=True, default=str).encode()
    ).digest()


def _resolved(value: Any) -> Any:
    """``value`` with every ``precision`` dropped from a dict that also names its ``dtype``."""
    if isinstance(value, dict):
        return {
            k: _resolved(v) for k, v in value.items() if not (k == "precision" and "dtype" in value)
        }
    if isinstance(value, list | tuple):
        return [_resolved(v) for v in value]
    return value


def passage_keys(prefix: bytes, texts: Sequence[str], previous: Sequence[str | None] | None):
    """One key per passage: the matcher's prefix, the passage and the one before it."""
    before = previous if previous is not None else [None] * len(texts)
    return [  # each part hashed apart, so that no text can run into the next
        hashlib.sha256(
            prefix
            + hashlib.sha256((p or "").encode()).digest()
            + hashlib.sha256(t.encode()).digest()
        ).digest()
        for t, p in zip(texts, before, strict=True)
    ]


def cached_rows(
    cache: PredictionCache,
    keys: Sequence[bytes],
    width: int,
    compute: Callable[[list[int]], np.ndarray],
) -> tuple[np.ndarray, int]:
    """The row the cache holds for each key (``width`` values), the others computed by
    ``compute`` (given their indices, a row each) and stored; and how many were computed."""
    stored = cache.get_relevance(keys)
    out = np.zeros((len(keys), width), dtype=np.float32)
    missing = []
    for i, key in enumerate(keys):
        row = stored.get(key)
        if row is not None and row.shape == (width,):
            out[i] = row
        else:
            missing.append(i)
    if missing:
        computed = compute(missing)
        out[missing] = computed
        cache.put_relevance([keys[i] for i in missing], computed)
    return out, len(missing)


EMBEDDING_KIND = b"minilm-embedding.v1"  # sets embedding keys apart from relevance keys


def embedder_key(identity: dict[str, Any]) -> bytes:
    """The part of every embedding key that names the embedder (``Embedder.identity()``)."""
    return hashlib.sha256(EMBEDDING_KIND + matcher_key(identity)).digest()


def text_keys(prefix: bytes, texts: Sequence[str]) -> list[bytes]:
    """One key per embedded text: the embedder's prefix and the text."""
    return [hashlib.sha256(prefix + hashlib.sha256(t.encode()).digest()).digest() for t in texts]


class CachedEmbedder:
    """An embedder (:class:`analysis.embedding.Embedder`) whose :meth:`encode` reads the
    embeddings the cache holds and computes, then stores, only the others; every other
    attribute is the embedder's. ``hits`` and ``misses`` count texts."""

    def __init__(self, embedder: Any, cache: PredictionCache, identity: dict[str, Any]) -> None:
        self.embedder = embedder
        self.cache = cache
        self.prefix = embedder_key(identity)
        self.hits = 0
        self.misses = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.embedder, name)

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        texts = list(texts)
        out, computed = cached_rows(
            self.cache,
            text_keys(self.prefix, texts),
            self.embedder.dim,
            lambda missing: self.embedder.encode([texts[i] for i in missing], progress=progress),
        )
        self.hits += len(texts) - computed
        self.misses += computed
        return out

    def stats(self) -> dict[str, int]:
        """Texts whose embedding the cache held, and those computed."""
        return {"hits": self.hits, "misses": self.misses}


class CachedRelevance:
    """A topic matcher (:class:`analysis.topics.TopicMatcher`) whose :meth:`relevance` reads
    the rows the cache holds and computes, then stores, only the others; every other attribute
    is the matcher's. ``hits`` and ``misses`` count passages."""

    def __init__(self, matcher: Any, cache: PredictionCache) -> None:
        self.matcher = matcher
        self.cache = cache
        identity = matcher.identity()
        self.prefix = matcher_key(identity)
        self.embedder = CachedEmbedder(matcher.embedder_, cache, identity["embedder"])
        self._computing: Any = None  # the matcher behind the cached embedder, made when needed
        self.hits = 0
        self.misses = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.matcher, name)

    def relevance(
        self,
        texts: Sequence[str],
        progress: bool = False,
        previous: Sequence[str | None] | None = None,
    ) -> np.ndarray:
        texts = list(texts)

        def compute(missing: list[int]) -> np.ndarray:
            if self._computing is None:
                self._computing = self.matcher.with_embedder(self.embedder)
            before = None if previous is None else [previous[i] for i in missing]
            return self._computing.relevance(
                [texts[i] for i in missing], progress=progress, previous=before
            )

        out, computed = cached_rows(
            self.cache,
            passage_keys(self.prefix, texts, previous),
            len(self.matcher.topics),
            compute,
        )
        self.hits += len(texts) - computed
        self.misses += computed
        return out

    def stats(self) -> dict[str, dict[str, int]]:
        """Passages whose relevance the cache held and those computed, and of the passages
        MiniLM read for those, the embeddings it held and those computed."""
        return {
            "relevance": {"hits": self.hits, "misses": self.misses},
            "embedding": self.embedder.stats(),
        }
