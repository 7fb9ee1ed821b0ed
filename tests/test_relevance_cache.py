"""Topic relevance behind the prediction cache: computed once per passage and matcher."""

from __future__ import annotations

import numpy as np

from analysis.cache import PredictionCache
from analysis.relevance_cache import CachedRelevance


class CountingMatcher:
    """A stand-in matcher: relevance from the text's length, and how many texts it embedded."""

    def __init__(self, topics=("a", "b"), threshold=0.5):
        self.topics = list(topics)
        self.threshold = threshold
        self.embedded = 0

    def identity(self):
        return {"method": "test", "topics": self.topics, "threshold": self.threshold}

    def relevance(self, texts, progress=False, previous=None):
        self.embedded += len(texts)
        before = previous or [None] * len(texts)
        return np.array(
            [[len(t) / 100, len(p or "") / 100] for t, p in zip(texts, before, strict=True)],
            dtype=np.float32,
        )[:, : len(self.topics)]


def test_a_passage_is_read_from_the_cache_the_second_time(tmp_path):
    texts, previous = ["one passage", "another one", "third"], [None, "one passage", "x"]
    with PredictionCache(tmp_path / "c.sqlite") as cache:
        matcher = CountingMatcher()
        first = CachedRelevance(matcher, cache).relevance(texts, previous=previous)
        again = CachedRelevance(matcher, cache)
        second = again.relevance(texts, previous=previous)
        assert matcher.embedded == 3  # not again
        np.testing.assert_array_equal(first, second)
        np.testing.assert_array_equal(first, matcher.relevance(texts, previous=previous))
        assert again.stats() == {"hits": 3, "misses": 0}
        # the same text after another passage is another reading: computed
        again.relevance(["third"], previous=["something else"])
        assert again.stats() == {"hits": 3, "misses": 1}


def test_rows_are_never_shared_across_matchers_but_are_across_thresholds(tmp_path):
    with PredictionCache(tmp_path / "c.sqlite") as cache:
        CachedRelevance(CountingMatcher(), cache).relevance(["a text"])
        other_topics = CountingMatcher(topics=("a", "c"))
        CachedRelevance(other_topics, cache).relevance(["a text"])
        assert other_topics.embedded == 1  # other topics: other keys
        stricter = CountingMatcher(threshold=0.9)  # the threshold only reads the rows
        CachedRelevance(stricter, cache).relevance(["a text"])
        assert stricter.embedded == 0
    # kept on disk for the next process
    with PredictionCache(tmp_path / "c.sqlite") as cache:
        later = CountingMatcher()
        CachedRelevance(later, cache).relevance(["a text"])
        assert later.embedded == 0


def test_the_wrapper_is_the_matcher_for_everything_else(tmp_path):
    with PredictionCache(tmp_path / "c.sqlite") as cache:
        matcher = CountingMatcher(threshold=0.7)
        cached = CachedRelevance(matcher, cache)
        assert cached.threshold == 0.7 and cached.identity() == matcher.identity()


def test_a_precision_asked_for_and_the_same_one_resolved_share_their_rows():
    """A docs audit: a Ray run (its workers get the driver's resolved "bf16") recomputed the
    relevance a local run ("auto", resolved to the same bf16) had cached."""
    from analysis.relevance_cache import matcher_key

    def identity(precision: str, dtype: str) -> dict:
        embedder = {"name": "m", "precision": precision, "dtype": dtype}
        return {"topics": ["a"], "threshold": 0.5, "embedder": embedder}

    assert matcher_key(identity("auto", "bfloat16")) == matcher_key(identity("bf16", "bfloat16"))
    assert matcher_key(identity("auto", "bfloat16")) != matcher_key(identity("fp32", "float32"))
    # where no dtype is named, the precision still tells models apart
    assert matcher_key({"embedder": {"precision": "a"}}) != matcher_key(
        {"embedder": {"precision": "b"}}
    )
