"""Topic relevance behind the prediction cache: computed once per passage and matcher."""

from __future__ import annotations

import copy

import numpy as np

from analysis.cache import PredictionCache
from analysis.relevance_cache import CachedEmbedder, CachedRelevance


class CountingEmbedder:
    """A stand-in embedder: a 2-d vector from the text's length, and how many texts it
    embedded."""

    dim = 2

    def __init__(self, name="counting"):
        self.name = name
        self.embedded = 0

    def identity(self):
        return {"name": self.name}

    def encode(self, texts, progress=False):
        self.embedded += len(texts)
        return np.array([[len(t) / 100, 1.0] for t in texts], dtype=np.float32).reshape(-1, 2)


class CountingMatcher:
    """A stand-in matcher: relevance from its embedder's vectors of the text (after the
    previous passage, for the second topic)."""

    def __init__(self, topics=("a", "b"), threshold=0.5, embedder=None):
        self.topics = list(topics)
        self.threshold = threshold
        self.embedder_ = embedder or CountingEmbedder()

    @property
    def embedded(self):
        return self.embedder_.embedded

    def identity(self):
        return {
            "method": "test",
            "topics": self.topics,
            "threshold": self.threshold,
            "embedder": self.embedder_.identity(),
        }

    def with_embedder(self, embedder):
        twin = copy.copy(self)
        twin.embedder_ = embedder
        return twin

    def relevance(self, texts, progress=False, previous=None):
        before = previous or [None] * len(texts)
        own = self.embedder_.encode(texts)[:, 0]
        joined = self.embedder_.encode(
            [f"{p or ''}|{t}" for t, p in zip(texts, before, strict=True)]
        )
        return np.stack([own, joined[:, 0]], axis=1)[:, : len(self.topics)].astype(np.float32)


def test_a_passage_is_read_from_the_cache_the_second_time(tmp_path):
    texts, previous = ["one passage", "another one", "third"], [None, "one passage", "x"]
    with PredictionCache(tmp_path / "c.sqlite") as cache:
        matcher = CountingMatcher()
        first = CachedRelevance(matcher, cache).relevance(texts, previous=previous)
        again = CachedRelevance(matcher, cache)
        second = again.relevance(texts, previous=previous)
        assert matcher.embedded == 6  # each text and each text after its previous, once
        np.testing.assert_array_equal(first, second)
        np.testing.assert_array_equal(first, matcher.relevance(texts, previous=previous))
        assert again.stats()["relevance"] == {"hits": 3, "misses": 0}
        assert again.stats()["embedding"] == {"hits": 0, "misses": 0}  # nothing to embed
        # the same text after another passage is another reading: computed, and only the
        # text it had not embedded before is embedded
        embedded = matcher.embedded
        again.relevance(["third"], previous=["something else"])
        assert again.stats()["relevance"] == {"hits": 3, "misses": 1}
        assert again.stats()["embedding"] == {"hits": 1, "misses": 1}
        assert matcher.embedded == embedded + 1


def test_rows_are_never_shared_across_matchers_but_are_across_thresholds(tmp_path):
    with PredictionCache(tmp_path / "c.sqlite") as cache:
        CachedRelevance(CountingMatcher(), cache).relevance(["a text"])
        other_topics = CountingMatcher(topics=("a", "c"))
        cached = CachedRelevance(other_topics, cache)
        cached.relevance(["a text"])
        # other topics: other relevance keys, but the same embedder's embeddings
        assert cached.stats()["relevance"] == {"hits": 0, "misses": 1}
        assert cached.stats()["embedding"] == {"hits": 2, "misses": 0}
        assert other_topics.embedded == 0
        other_model = CountingMatcher(embedder=CountingEmbedder(name="another model"))
        CachedRelevance(other_model, cache).relevance(["a text"])
        assert other_model.embedded == 2  # another embedder: nothing shared
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


def test_cached_embeddings_are_the_embedders_own(tmp_path):
    texts = ["a", "bb", "a", "ccc"]  # a repeated text too
    with PredictionCache(tmp_path / "c.sqlite") as cache:
        embedder = CountingEmbedder()
        cached = CachedEmbedder(embedder, cache, embedder.identity())
        first = cached.encode(texts)
        np.testing.assert_array_equal(first, CountingEmbedder().encode(texts))
        again = CachedEmbedder(embedder, cache, embedder.identity())
        np.testing.assert_array_equal(again.encode(list(reversed(texts))), first[::-1])
        assert again.stats() == {"hits": 4, "misses": 0}
        assert first.dtype == np.float32 and again.encode([]).shape == (0, 2)


def test_a_topic_added_to_real_topics_embeds_no_passage_again(tmp_path):
    """The pinned MiniLM, every passage embedded (no first stage): a matcher with one topic
    more reads every passage's embedding from the cache and gives the relevance it would give
    without one."""
    from analysis.embedding import Embedder
    from analysis.topics import Topic, TopicMatcher, load_topics

    topics = load_topics(None)[:2]
    extra = Topic(
        key="energy",
        label="Energy",
        description="Russian gas exports to Europe and the Nord Stream pipelines.",
        target="Russian gas",
        aliases=("Nord Stream",),
    )
    texts = [
        "Washington imposed new sanctions on Russian banks.",
        "The INF treaty collapsed last year.",
        "Germany finished the Nord Stream pipeline.",
    ]
    previous = [None, texts[0], texts[1]]
    embedder = Embedder(precision="fp32")
    with PredictionCache(tmp_path / "c.sqlite") as cache:
        first = CachedRelevance(TopicMatcher(topics, embedder), cache)
        first.relevance(texts, previous=previous)
        assert first.stats()["embedding"] == {"hits": 0, "misses": 3}
        added = CachedRelevance(TopicMatcher([*topics, extra], embedder), cache)
        read = added.relevance(texts, previous=previous)
        assert added.stats() == {
            "relevance": {"hits": 0, "misses": 3},
            "embedding": {"hits": 3, "misses": 0},
        }
    # the cached reading went through a copy: the matcher keeps its own embedder and shares
    # its prototypes with the copy
    assert added.matcher.embedder_ is embedder
    assert added._computing.prototypes_ is added.matcher.prototypes_
    uncached = TopicMatcher([*topics, extra], Embedder(precision="fp32"))
    np.testing.assert_allclose(read, uncached.relevance(texts, previous=previous), atol=1e-6)
    assert read[2, 2] > read[2, 0]  # the pipeline passage reads as the added topic
