"""Topic relevance behind the prediction cache, so that a rerun does not embed the corpus again.

Relevance is most of a whole-corpus run (on the AllSides corpus about three of its four
minutes), and an experiment that changes only the stance or tone model needs the same relevance
again. Each passage's row (one value per topic) is stored under a key made of the matcher's
identity (topics and their hash, embedder and first stage, constants; not the threshold, which
only reads the rows) and the passage with the passage before it, which relevance reads too.
A matcher with other topics or another embedder has other keys, so a row is never reused
across them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
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


class CachedRelevance:
    """A topic matcher (:class:`analysis.topics.TopicMatcher`) whose :meth:`relevance` reads
    the rows the cache holds and computes, then stores, only the others; every other attribute
    is the matcher's. ``hits`` and ``misses`` count passages."""

    def __init__(self, matcher: Any, cache: PredictionCache) -> None:
        self.matcher = matcher
        self.cache = cache
        self.prefix = matcher_key(matcher.identity())
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
        keys = passage_keys(self.prefix, texts, previous)
        stored = self.cache.get_relevance(keys)
        n_topics = len(self.matcher.topics)
        out = np.zeros((len(texts), n_topics), dtype=np.float32)
        missing = []
        for i, key in enumerate(keys):
            row = stored.get(key)
            if row is not None and row.shape == (n_topics,):
                out[i] = row
            else:
                missing.append(i)
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            before = None if previous is None else [previous[i] for i in missing]
            computed = self.matcher.relevance(
                [texts[i] for i in missing], progress=progress, previous=before
            )
            out[missing] = computed
            self.cache.put_relevance([keys[i] for i in missing], computed)
        return out

    def stats(self) -> dict[str, int]:
        """Passages whose relevance the cache held, and those computed."""
        return {"hits": self.hits, "misses": self.misses}
