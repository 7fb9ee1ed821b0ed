"""The cost estimate: counts extrapolated from the sample, seconds from a warm timing."""

from __future__ import annotations

import time

import numpy as np

from analysis.cache import CachedScorer, PredictionCache
from analysis.estimate import WARM_UP_PASSAGES, estimate_cost
from analysis.relevance_cache import CachedRelevance
from analysis.topics import load_topics
from tests.fakes import RuleScorer
from tests.test_relevance_cache import CountingEmbedder, CountingMatcher


class SlowLoadingScorer(RuleScorer):
    """A scorer whose first call loads weights for half a second."""

    def score(self, texts, targets):
        if not getattr(self, "loaded", False):
            time.sleep(0.5)
            self.loaded = True
        return super().score(texts, targets)


class SlowFirstCallMatcher:
    """Relevance 0.9 to the first topic for texts containing "sanctions"; the first call (new
    input shapes, in a real model) takes a second, later ones nothing."""

    def __init__(self, n_topics: int) -> None:
        self.n_topics, self.calls = n_topics, []

    def warm_up(self) -> None:
        pass

    def relevance(self, texts, previous=None):
        if not self.calls:
            time.sleep(1.0)
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.n_topics), dtype=np.float32)
        out[[i for i, t in enumerate(texts) if "sanctions" in t], 0] = 0.9
        return out


def test_counts_are_extrapolated_and_the_first_calls_are_not_timed():
    topics = load_topics(None)
    passages = [f"passage {i} on sanctions" if i % 10 == 0 else f"passage {i}" for i in range(600)]
    matcher = SlowFirstCallMatcher(len(topics))
    estimate = estimate_cost(
        passages * 20,  # 12,000 passages, one in ten on the first topic
        100,
        matcher,
        topics,
        0.61,
        RuleScorer("stance"),
        RuleScorer("tone"),
    )
    assert estimate.passages == 12_000
    assert abs(estimate.topic_passages - 1_200) <= 250 and estimate.scored_pairs == (
        estimate.topic_passages
    )
    assert matcher.calls[0] == WARM_UP_PASSAGES  # the untimed warm-up, then the sample
    # the slow first call timed would have counted as 12,000 / sample_size seconds or more
    assert estimate.seconds["relevance"] < 1.0


def test_loading_the_models_is_counted_once_in_the_total():
    topics = load_topics(None)
    passages = [f"passage {i} on sanctions" if i % 10 == 0 else f"passage {i}" for i in range(600)]
    estimate = estimate_cost(
        passages,
        10,
        SlowFirstCallMatcher(len(topics)),
        topics,
        0.61,
        SlowLoadingScorer("stance"),
        RuleScorer("tone"),
    )
    assert 0.5 <= estimate.seconds["loading models"] < 1.0
    assert estimate.seconds["stance"] < 0.5  # the loading call is not extrapolated
    parts = sum(v for k, v in estimate.seconds.items() if k != "total")
    assert abs(estimate.seconds["total"] - parts) < 0.2


def test_models_loaded_before_the_estimate_count_in_its_loading_time():
    from analysis.estimate import estimate_from_sample

    topics = load_topics(None)
    sample = [f"passage {i} on sanctions" for i in range(20)]
    estimate = estimate_from_sample(
        sample,
        None,
        1000,
        10,
        SlowFirstCallMatcher(len(topics)),
        topics,
        0.61,
        RuleScorer("stance"),
        RuleScorer("tone"),
        loaded_seconds=2.5,
    )
    assert estimate.seconds["loading models"] >= 2.5
    assert estimate.seconds["total"] >= 2.5 + estimate.seconds["relevance"]


class SlowEmbedder(CountingEmbedder):
    """A counting embedder that takes 2 ms a text, as a model would take its time."""

    def encode(self, texts, progress=False):
        time.sleep(0.002 * len(texts))
        return super().encode(texts, progress)


class WarmingMatcher(CountingMatcher):
    """The counting matcher with the warm-up a real matcher has (nothing to load here)."""

    def warm_up(self):
        pass


def test_what_the_cache_holds_is_not_counted_and_the_estimate_writes_nothing(tmp_path):
    topics = load_topics(None)[:2]
    passages = [f"passage {i} on sanctions" for i in range(300)]
    path = tmp_path / "cache.sqlite"
    matcher = WarmingMatcher(topics=[t.key for t in topics], embedder=SlowEmbedder())
    stance, tone = RuleScorer("stance"), RuleScorer("tone")

    def estimate():
        return estimate_cost(passages, 3, matcher, topics, 0.0, stance, tone, cache_path=str(path))

    before = estimate()  # no cache file yet: everything is computed, and no file is made
    assert before.cache_hits == {} and not path.exists()
    with PredictionCache(path) as cache:  # a run: relevance and both scorers' answers stored
        CachedRelevance(matcher, cache).relevance(passages)
        pairs = [(p, t.target) for p in passages for t in topics]
        for scorer in (stance, tone):
            CachedScorer(scorer, cache).score([p for p, _ in pairs], [t for _, t in pairs])
        entries = cache.stats()["entries"]
    empty_cache = tmp_path / "empty.sqlite"
    PredictionCache(empty_cache).close()
    embedded, calls = matcher.embedded, stance.calls
    after = estimate()
    assert matcher.embedded == embedded and stance.calls == calls  # all read from the cache
    assert after.cache_hits["relevance"] == [300, 300]
    assert after.cache_hits["stance"] == [64, 64] and after.cache_hits["tone"] == [64, 64]
    assert after.cache_hits["embedding"] == [0, 0]  # nothing left to embed
    assert after.model_calls == {"stance": 0, "tone": 0}
    assert before.model_calls == {"stance": 600, "tone": 600}
    assert any("cache holds 300 of 300 sampled passages' relevance" in n for n in after.notes)
    assert after.seconds["relevance"] < before.seconds["relevance"] / 4
    with PredictionCache(path) as cache:
        assert cache.stats()["entries"] == entries  # the warm-up stored nothing
    # a prediction cache that holds nothing of this corpus: all of it is counted
    none_held = estimate_cost(
        passages, 3, matcher, topics, 0.0, stance, tone, cache_path=str(empty_cache)
    )
    assert none_held.cache_hits["relevance"] == [0, 300]
    assert none_held.cache_hits["embedding"] == [0, 600]
    assert not any("cache holds" in n for n in none_held.notes)
    assert matcher.embedded > embedded
    # a topic dropped: no relevance row is the same, but every embedding beneath them is held
    fewer = WarmingMatcher(topics=[topics[0].key], embedder=SlowEmbedder())
    dropped = estimate_cost(passages, 3, fewer, topics[:1], 0.0, stance, tone, cache_path=str(path))
    assert dropped.cache_hits["relevance"] == [0, 300]
    assert dropped.cache_hits["embedding"] == [600, 600] and fewer.embedded == 0


def test_a_cache_file_that_cannot_be_read_is_estimated_without(tmp_path):
    broken = tmp_path / "cache.sqlite"
    broken.write_bytes(b"not a database" * 100)
    topics = load_topics(None)[:1]
    matcher = WarmingMatcher(topics=[topics[0].key])
    estimate = estimate_cost(
        ["a passage on sanctions"] * 10,
        1,
        matcher,
        topics,
        0.0,
        RuleScorer("stance"),
        RuleScorer("tone"),
        cache_path=str(broken),
    )
    assert estimate.cache_hits == {} and estimate.scored_pairs == 10
    assert broken.read_bytes() == b"not a database" * 100


class StallingMatcher(SlowFirstCallMatcher):
    """As :class:`SlowFirstCallMatcher`, and its second call (the first timed one, after the
    warm-up) stalls for a second, as another process taking the cores would make it."""

    def relevance(self, texts, previous=None):
        if len(self.calls) == 1:
            time.sleep(1.0)
        return super().relevance(texts, previous)


class StallingScorer(RuleScorer):
    """A scorer whose second call on a whole batch (the timed one, after the warm-up) stalls
    for a second."""

    def score(self, texts, targets):
        if len(texts) > 2:
            self.batches = getattr(self, "batches", 0) + 1
            if self.batches == 2:
                time.sleep(1.0)
        return super().score(texts, targets)


def test_a_stall_of_the_machine_while_timing_is_not_multiplied_by_the_corpus():
    """An audit saw the same dry run estimate 135 s, then 742 s: one stall during the one
    timed pass, times 138 for the whole corpus."""
    topics = load_topics(None)
    passages = [f"passage {i} on sanctions" if i % 10 == 0 else f"passage {i}" for i in range(600)]
    estimate = estimate_cost(
        passages * 20,
        100,
        StallingMatcher(len(topics)),
        topics,
        0.61,
        StallingScorer("stance"),
        RuleScorer("tone"),
    )
    # timed whole, the stall alone would have counted 12,000 / 2,048 s of relevance, and
    # 1,200 / 64 s of stance
    assert estimate.seconds["relevance"] < 1.0
    assert estimate.seconds["stance"] < 1.0
