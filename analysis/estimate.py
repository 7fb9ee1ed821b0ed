"""What a run will cost before it starts: passages, topic passages, model calls and time.

The time comes from a short measured warm-up on a seeded sample of the corpus's own passages:
embedding for topic relevance, then each scorer on sample topic passages. Where the run has a
prediction cache, the warm-up reads it (read-only) as the run will, so the seconds count only
what is left to compute: a rerun, or a topic added after a run, is estimated at what it costs.
"""

from __future__ import annotations

import random
import re
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from analysis.scoring.base import BaseScorer

# Passages the relevance warm-up times. A model's first calls on new input shapes are slow, and
# the cascade hands MiniLM only the few passages its first stage passes, so a small sample
# overstated relevance: on the whole AllSides corpus, 256 passages predicted two to three
# times the seconds 2,048 did (docs/scale_history.md); 2,048 also count the topic passages closer.
SAMPLE_PASSAGES = 2_048
WARM_UP_PASSAGES = 256  # relevance computed on these first, untimed
SAMPLE_PAIRS = 64  # the batch a run scores at a time
# the reason a scorer's failure warning gives for its first failed answer
_FIRST_REASON = re.compile(r"\(first: (.*)\)\s*$")


@dataclass
class CostEstimate:
    """The counts and seconds a run is expected to take, extrapolated from a sample.

    ``topic_passages`` and ``scored_pairs`` count what relevance passes on to scoring; a stance
    model with a topic gate leaves some of them out while scoring. ``model_calls`` and
    ``seconds`` count what the prediction cache is not expected to answer (its share of the
    sample, ``cache_hits``)."""

    articles: int
    passages: int
    topic_passages: int
    scored_pairs: int
    model_calls: dict[str, int]
    seconds: dict[str, float]
    notes: list[str] = field(default_factory=list)  # what the warm-up did besides timing
    # task -> [answers that failed, answers asked] in the warm-up (a chat endpoint's replies)
    failed_answers: dict[str, list[int]] = field(default_factory=dict)
    # what the prediction cache held of the timed sample: task -> [held, asked] ({}: no cache)
    cache_hits: dict[str, list[int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _identity_field(scorer: BaseScorer, key: str) -> Any:
    try:
        return scorer.identity().get(key)
    except Exception:
        return None


def is_remote(scorer: BaseScorer) -> bool:
    """Whether ``scorer`` asks a chat endpoint: its answers cost money and may fail."""
    return _identity_field(scorer, "backend") == "openai-chat"


def worth_estimating(
    n_passages: int, dry_run: bool, *scorers: BaseScorer, shown: bool = True
) -> bool:
    """Whether a run measures its cost first. A dry run always does (the estimate is its
    answer), and so does a run asking a chat endpoint (its warm-up refuses a run whose every
    answer fails); any other run only when the estimate is ``shown`` (not ``--quiet``: the
    warm-up's work is not kept, and took half of a quiet run of one long article) and its
    corpus is larger than the warm-up's sample: below that the warm-up would read every
    passage, as long as the run itself takes."""
    if dry_run or any(is_remote(s) for s in scorers):
        return True
    return shown and n_passages > SAMPLE_PASSAGES


def estimate_cost(
    passages: list[str],
    n_articles: int,
    matcher: Any,
    topics: list[Any],
    threshold: float,
    stance: BaseScorer,
    tone: BaseScorer,
    seed: int = 0,
    previous: list[str | None] | None = None,
    cache_path: str = "",
) -> CostEstimate:
    """Measure a warm-up on a sample of ``passages`` and extrapolate to all of them.

    ``previous`` (each passage's predecessor) is passed on to relevance as the run will;
    ``cache_path``: the run's prediction cache ("" = none).
    """
    n = len(passages)
    picks = sample_indices(n, seed)
    sample = [passages[i] for i in picks]
    context = [previous[i] for i in picks] if previous is not None else None
    with cache_view(cache_path) as cache:
        return estimate_from_sample(
            sample, context, n, n_articles, matcher, topics, threshold, stance, tone, cache=cache
        )


@contextmanager
def cache_view(path: str) -> Iterator[Any]:
    """The prediction cache at ``path`` opened read-only, or None where there is none yet: the
    warm-up finds what the run will find there, and writes nothing (a dry run changes no file,
    and the timed pass does not read what the untimed one computed)."""
    if not path or not Path(path).expanduser().is_file():
        yield None
        return
    import sqlite3

    from analysis.cache import PredictionCache

    try:
        cache = PredictionCache(path, read_only=True)
    except (sqlite3.Error, ValueError):  # unreadable: the run itself says why, when it opens it
        yield None
        return
    with cache:
        yield cache


def _held_note(held: dict[str, list[int]]) -> str | None:
    """What the cache held of the sample, in words (None where it held nothing)."""
    if not any(hits for hits, _ in held.values()):
        return None
    unit = {"relevance": "passages' relevance", "embedding": "passages' embeddings"}
    parts = [
        f"{hits:,} of {asked:,} sampled {unit.get(task, task + ' answers')}"
        for task, (hits, asked) in held.items()
        if asked
    ]
    return "the prediction cache holds " + ", ".join(parts) + "; the seconds count the rest"


def sample_indices(n: int, seed: int, size: int = SAMPLE_PASSAGES) -> list[int]:
    """Which of ``n`` passages the warm-up measures: a seeded draw of ``size`` of them."""
    return random.Random(seed).sample(range(n), min(size, n)) if n else []


def _left(held: dict[str, list[int]], task: str, calls: int) -> int:
    """Of a task's ``calls``, those the cache is not expected to answer (its share of the
    sample)."""
    hits, asked = held.get(task, (0, 0))
    return round(calls * (asked - hits) / asked) if asked else calls


def estimate_from_sample(
    sample: list[str],
    context: list[str | None] | None,
    n: int,
    n_articles: int,
    matcher: Any,
    topics: list[Any],
    threshold: float,
    stance: BaseScorer,
    tone: BaseScorer,
    loaded_seconds: float = 0.0,
    cache: Any = None,
) -> CostEstimate:
    """:func:`estimate_cost` from a sample already drawn (``context``: the sample's
    predecessors) for a corpus of ``n`` passages: a streaming run draws it from its files.
    ``loaded_seconds``: what loading models took before (a run checks its models first);
    ``cache``: the run's prediction cache opened read-only (:func:`cache_view`), read as the
    run will read it, or None."""
    if cache is not None:
        from analysis.cache import CachedScorer
        from analysis.relevance_cache import CachedRelevance

        matcher = CachedRelevance(matcher, cache)
        stance, tone = CachedScorer(stance, cache), CachedScorer(tone, cache)
    seconds: dict[str, float] = {}
    held: dict[str, list[int]] = {}  # task -> [held by the cache, asked] in the timed sample
    loading = loaded_seconds  # loading models: a run pays it once, whatever the corpus's size

    if sample:
        started = time.perf_counter()
        matcher.warm_up()  # load the embedders outside the relevance timing
        loading += time.perf_counter() - started
        warm = slice(0, WARM_UP_PASSAGES)  # and meet the first input shapes
        matcher.relevance(sample[warm], previous=context[warm] if context is not None else None)
        if cache is not None:
            before, embedded = matcher.hits, (matcher.embedder.hits, matcher.embedder.misses)
        started = time.perf_counter()
        relevance = matcher.relevance(sample, previous=context)
        took = time.perf_counter() - started
        if cache is not None:
            held["relevance"] = [matcher.hits - before, len(sample)]
            embedder = matcher.embedder  # what MiniLM reads of the rows not held
            held["embedding"] = [
                embedder.hits - embedded[0],
                embedder.hits + embedder.misses - sum(embedded),
            ]
        # the quicker of two passes (the cache is read-only here: the second computes what
        # the first did): a stall of the machine in one, another process or the page cache,
        # would be multiplied by n / 2,048 (the same dry run said 135 s, then 742 s); parts
        # of the sample timed apart read 2.4x the run's time, each call's overhead counted
        started = time.perf_counter()
        matcher.relevance(sample, previous=context)
        seconds["relevance"] = min(took, time.perf_counter() - started) / len(sample) * n
        hits = relevance >= threshold
        share = float(hits.sum()) / len(sample)
        topic_share = float(hits.any(axis=1).mean())
    else:
        seconds["relevance"], share, topic_share, hits = 0.0, 0.0, 0.0, np.zeros((0, 0))
    pairs = round(share * n)
    picked = [(i, t) for i, t in zip(*np.nonzero(hits), strict=True)][:SAMPLE_PAIRS]
    if not picked and sample:  # no topic passage in the sample: time the scorers on any text
        picked = [(i, 0) for i in range(min(SAMPLE_PAIRS, len(sample)))]
    texts = [sample[i] for i, _ in picked]
    targets = [topics[t].target for _, t in picked]
    shared = stance.shares_pass_with(tone)
    notes: list[str] = []
    failed_answers: dict[str, list[int]] = {}  # task -> [failed, asked] in the warm-up
    for task, scorer in (("stance", stance), ("tone", tone)):
        if not texts:
            seconds[task] = 0.0
            continue
        if task == "tone" and shared:
            seconds[task] = 0.0  # the stance pass already computed tone
            continue
        # an endpoint's answers cost as much as any: they are not asked twice
        chat = is_remote(scorer)
        missed = getattr(scorer, "misses", None)  # behind the cache: what it sends
        # A scorer's warnings (failed chat answers) become notes of the estimate, not raw lines.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            started = time.perf_counter()
            first = scorer.score(texts[:2], targets[:2])  # load weights outside the timing
            loading += time.perf_counter() - started
            started = time.perf_counter()
            if not chat:  # and meet the batch's shapes: a model's first call on them is slow
                # (in another order: a pair classifier keeps its last batch's answers)
                scorer.score(texts[::-1], targets[::-1])
            warm_up = time.perf_counter() - started
            before = scorer.hits if cache is not None else 0  # type: ignore[attr-defined]
            started = time.perf_counter()
            timed = scorer.score(texts, targets)
            took = time.perf_counter() - started
            # the quicker of the two passes over the same batch: a stall of the machine in
            # one (another process, the page cache) would be multiplied by pairs / 64
            seconds[task] = (min(took, warm_up) if not chat else took) / len(texts) * pairs
            if cache is not None:
                held[task] = [scorer.hits - before, len(texts)]  # type: ignore[attr-defined]
        sent = len(texts) + 2 if missed is None else scorer.misses - missed  # type: ignore[attr-defined]
        if chat and sent:
            notes.append(
                f"the {task} warm-up sent {sent} real requests to the chat endpoint "
                "(not from the cache: they cost as much as any, also with --dry-run)"
            )
        answers = np.vstack([np.asarray(first, dtype=float), np.asarray(timed, dtype=float)])
        n_failed = int(np.isnan(answers).any(axis=1).sum())
        failed_answers[task] = [n_failed, len(answers)]
        reported = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
        if n_failed:
            # the scorer's own warnings count one call each: only the first reason is kept
            reason = next((m for r in reported if (m := _FIRST_REASON.search(r))), None)
            notes.append(
                f"{task} warm-up: {n_failed} of {len(answers)} answers failed"
                + (f" (the first: {reason.group(1)})" if reason else "")
            )
        elif reported:
            notes.append(f"{task} warm-up: {reported[0]}")
    if (note := _held_note(held)) is not None:
        notes.append(note)
    seconds["loading models"] = loading
    seconds["total"] = sum(seconds.values())
    calls = {
        "stance": _left(held, "stance", pairs * stance.calls_per_pair()),
        "tone": 0 if shared else _left(held, "tone", pairs),
    }
    if shared:
        calls["stance+tone (one pass)"] = calls.pop("stance")
        calls.pop("tone")
    return CostEstimate(
        articles=n_articles,
        passages=n,
        topic_passages=round(topic_share * n),
        scored_pairs=pairs,
        model_calls=calls,
        seconds={k: round(v, 1) for k, v in seconds.items()},
        notes=notes,
        failed_answers=failed_answers,
        cache_hits=held,
    )
