"""The cost estimate: counts extrapolated from the sample, seconds from a warm timing."""

from __future__ import annotations

import time

import numpy as np

from analysis.estimate import WARM_UP_PASSAGES, estimate_cost
from analysis.topics import load_topics
from tests.fakes import RuleScorer


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
