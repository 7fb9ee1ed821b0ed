"""The scoring stage: the stance and tone scorers built from a config, and the scores of topic
passages (stance, quoted voices, tone, topic gate) behind the prediction cache.

A plain function over a table of topic passages with the scorers passed in
(:func:`score_with_cache`): the local engine calls it once on every topic passage, a Ray worker
on each block (:mod:`analysis.ray_engine`); either way it scores :data:`SCORING_ROWS` passages at
a time.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.config import AnalysisConfig
from analysis.memory import release_freed_memory
from analysis.progress import stage_bar
from analysis.runs import ALL_COLUMNS, GATED_OUT_COLUMNS
from analysis.scoring.base import Scorer

if TYPE_CHECKING:
    from analysis.stages import TopicPassages

# Topic passages scored at once: what scoring holds beyond them (the marked texts, each pair's
# tokens and probabilities) stays that of one chunk, not of every topic passage. MiniLM's
# length-sorted batches of 64 pad little within 2,048 passages.
SCORING_ROWS = 2_048
# With ``keep_gated``: the column marking the candidate pairs the topic gate leaves out (a run
# keeps their GATED_OUT_COLUMNS: an analyst can read what was left out).
GATED_OUT = "gated_out"


def build_scorers(config: AnalysisConfig, topics: list[Any]) -> tuple[Scorer, Scorer]:
    """The stance and tone scorers, sharing one model when both name the same pair classifier.

    Per-topic hypothesis templates from the topics file reach backends that use them (NLI).
    """
    from analysis.scoring.registry import create_scorers

    templates = {
        t.target: (t.favor_template, t.against_template)
        for t in topics
        if t.favor_template and t.against_template
    }
    return create_scorers(
        config.models.stance,
        config.models.tone,
        config.models.precision,
        stance_options=config.models.stance_options,
        tone_options=config.models.tone_options,
        templates=templates,
    )


def score_topic_passages(
    passages: pd.DataFrame,
    relevance: np.ndarray,
    topics: list[Any],
    threshold: float | np.ndarray,
    stance: Scorer,
    tone: Scorer,
    progress: bool = True,
    quoted: Scorer | None = None,
    gate: Scorer | None = None,
    gate_threshold: float = 0.5,
    keep_gated: bool = False,
    ungated: Collection[str] = (),
) -> pd.DataFrame:
    """One row per (topic passage, topic) with relevance and both tasks' probabilities.

    Reported-speech rows also get the stance of the quoted voices (``speaker_*``, NaN on
    own-voice rows) from ``quoted``: a speaker head, or the stance scorer itself (None).
    With a ``gate`` (a topic head: P(off), P(on) toward the target) a candidate passage whose
    P(on) is under ``gate_threshold`` is not a topic passage and is left out (with
    ``keep_gated``, kept and marked in a :data:`GATED_OUT` column instead; see
    :func:`split_gated_out`); ``on_topic`` keeps P(on) (NaN without a gate). The topics keyed
    in ``ungated`` (targets the head was not trained on, where its P(on) says little) pass
    the gate and get NaN ``on_topic``. ``threshold`` is one relevance threshold or one per
    topic.
    """
    cut = np.broadcast_to(np.asarray(threshold, dtype=float), (len(topics),))
    rows = []
    for t, topic in enumerate(topics):
        hit = np.flatnonzero(relevance[:, t] >= cut[t])
        for i in hit:
            rows.append((i, topic.key, topic.target, float(relevance[i, t])))
    columns = list(ALL_COLUMNS["scores"])
    if not rows:
        return pd.DataFrame(columns=columns)
    index = [r[0] for r in rows]
    texts = passages["text"].to_numpy()[index].tolist()
    targets = [r[2] for r in rows]
    stance_probs, stance_details = _score(stance, texts, targets, progress)
    tone_probs, tone_details = _score(tone, texts, targets, progress)
    picked = passages.iloc[index]
    frame = pd.DataFrame(
        {
            "passage_id": picked["passage_id"].to_numpy(),
            "article_id": picked["article_id"].to_numpy(),
            "topic": [r[1] for r in rows],
            "relevance": [r[3] for r in rows],
            "reported": picked["reported"].to_numpy(),
            "speaker": picked["speaker"].to_numpy(),
        }
    )
    for j, label in enumerate(stance.labels):
        frame[f"stance_{label}"] = stance_probs[:, j].astype(float)
    for j, label in enumerate(tone.labels):
        frame[f"tone_{label}"] = tone_probs[:, j].astype(float)
    frame["stance"] = frame["stance_favor"] - frame["stance_against"]
    frame["tone"] = frame["tone_positive"] - frame["tone_negative"]
    reported = frame["reported"].astype(bool).to_numpy()
    if quoted is None or quoted is stance:
        speaker_probs = stance_probs
    else:  # a speaker head: the same pairs as stance and tone, so the same forward pass
        speaker_probs, _ = _score(quoted, texts, targets, progress)
    for j, label in enumerate(stance.labels):
        frame[f"speaker_{label}"] = np.where(reported, speaker_probs[:, j], np.nan).astype(float)
    frame["speaker_stance"] = frame["speaker_favor"] - frame["speaker_against"]
    frame["on_topic"] = np.nan
    if gate is not None:  # the same pairs again: the same forward pass for a pair classifier
        gate_probs, _ = _score(gate, texts, targets, progress)
        frame["on_topic"] = gate_probs[:, list(gate.labels).index("on")].astype(float)
        frame.loc[frame["topic"].isin(list(ungated)), "on_topic"] = np.nan
    # Backends that answer in text (chat endpoints) keep each raw answer and failure reason.
    for task, details in (("stance", stance_details), ("tone", tone_details)):
        if details is not None:
            frame[f"{task}_raw"] = [(d or {}).get("raw") for d in details]
            frame[f"{task}_error"] = [(d or {}).get("error") for d in details]
            columns += [f"{task}_raw", f"{task}_error"]
    if gate is not None:
        below = (frame["on_topic"] < gate_threshold).to_numpy()  # NaN: an ungated topic
        if keep_gated:
            frame[GATED_OUT] = below
            columns.append(GATED_OUT)
        else:
            frame = frame[~below].reset_index(drop=True)
    return frame[columns]


def split_gated_out(
    scores: pd.DataFrame, coverage_gate: float | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scores made with ``keep_gated`` -> the topic passages' scores (as without it) and the
    candidate pairs the topic gate left out (:data:`analysis.runs.GATED_OUT_COLUMNS`).

    With ``coverage_gate`` (``topics.gate``), an article's passages kept at the passage gate
    count for a topic only when one of them, in either voice, reaches ``coverage_gate``: the
    strict gate decides whether the article discusses the topic, the looser one which of its
    passages make its position. The others join the left-out pairs."""
    if GATED_OUT not in scores.columns:
        return scores, pd.DataFrame(columns=list(GATED_OUT_COLUMNS))
    out = scores[GATED_OUT].astype(bool).to_numpy()
    if coverage_gate is not None and len(scores):
        on_topic = scores["on_topic"].astype(float).to_numpy()
        strict = (on_topic >= coverage_gate) | np.isnan(on_topic)  # NaN: an ungated topic
        reached = (
            pd.Series(strict & ~out)
            .groupby([scores["article_id"].to_numpy(), scores["topic"].to_numpy()])
            .transform("any")
            .to_numpy()
        )
        out = out | ~reached
    kept = scores[~out].drop(columns=GATED_OUT).reset_index(drop=True)
    return kept, scores.loc[out, list(GATED_OUT_COLUMNS)].reset_index(drop=True)


def _score(
    scorer: Scorer, texts: list[str], targets: list[str], progress: bool
) -> tuple[np.ndarray, list[dict] | None]:
    """Probabilities, and per-row details from scorers that give them (raw answers, errors)."""
    probs, details = scorer.score_detailed(texts, targets, progress=progress)
    return np.asarray(probs, dtype=float), list(details) if details is not None else None


def with_cache(scorers: tuple[Scorer, ...], path: str) -> tuple[tuple[Scorer, ...], list[Any]]:
    """Wrap the scorers in the prediction cache at ``path`` ("" = no cache); a scorer given
    twice (the stance scorer as its own reader of quoted voices) is wrapped once."""
    if not path:
        return scorers, []
    from analysis.cache import CachedScorer, PredictionCache

    cache = PredictionCache(path)
    wrapped: dict[int, Scorer] = {}
    for scorer in scorers:
        wrapped.setdefault(id(scorer), CachedScorer(scorer, cache))
    return tuple(wrapped[id(s)] for s in scorers), [cache]


def score_with_cache(
    found: TopicPassages,
    topics: list[Any],
    threshold: float | np.ndarray,
    scorers: tuple[Scorer, Scorer, Scorer, Scorer | None],
    config: AnalysisConfig,
    progress: bool,
    keep_gated: bool = False,
    ungated: Collection[str] = (),
) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
    """Scoring stage on the topic passages ``found``: :func:`score_topic_passages` with the
    scorers (stance, tone, quoted voices, topic gate or None) behind the prediction cache the
    config names; returns the scores (with ``keep_gated``, the gate's rejects marked) and the
    cache's hits and misses per task."""
    stance, tone, quoted, gate = scorers
    wrapped, caches = with_cache(
        (stance, tone, quoted) if gate is None else (stance, tone, quoted, gate),
        config.models.cache,
    )
    stance, tone, quoted = wrapped[:3]
    gate = wrapped[3] if gate is not None else None
    try:
        scores = _score_in_chunks(
            found,
            topics,
            threshold,
            (stance, tone, quoted, gate),
            config.topics.passage_gate,  # the article-level gate is the driver's (split_gated_out)
            progress,
            keep_gated,
            ungated,
        )
    finally:
        for cache in caches:
            cache.close()
    stats = {
        task: counts
        for task, scorer in (("stance", stance), ("tone", tone), ("quoted", quoted), ("gate", gate))
        if scorer is not None
        and (counts := scorer.cache_counts()) is not None
        and (task != "quoted" or quoted is not stance)
    }
    return scores, stats


def _score_in_chunks(
    found: TopicPassages,
    topics: list[Any],
    threshold: float | np.ndarray,
    scorers: tuple[Scorer, Scorer, Scorer, Scorer | None],
    gate_threshold: float,
    progress: bool,
    keep_gated: bool = False,
    ungated: Collection[str] = (),
) -> pd.DataFrame:
    """:func:`score_topic_passages` on :data:`SCORING_ROWS` topic passages at a time, the rows
    in the order one call on all of them gives (by topic, then passage)."""

    from analysis.stages import PASSAGE_SCHEMA

    stance, tone, quoted, gate = scorers
    parts = []
    with stage_bar(len(found), "scoring", " passages", progress) as bar:
        for passages, relevance in found.chunks(SCORING_ROWS):
            part = score_topic_passages(
                passages,
                relevance,
                topics,
                threshold,
                stance,
                tone,
                progress,
                quoted,
                gate,
                gate_threshold,
                keep_gated,
                ungated,
            )
            if len(part):
                parts.append(part)
            bar.update(len(passages))
            del passages, relevance
            release_freed_memory()
    if not parts:  # the empty table, with the columns a call on no rows gives
        return score_topic_passages(
            PASSAGE_SCHEMA.empty_table().to_pandas(),
            found.relevance[:0],
            topics,
            threshold,
            stance,
            tone,
        )
    # within a chunk, rows come by topic then passage; across chunks, by topic first again
    position = {t.key: i for i, t in enumerate(topics)}
    chunk = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    scores = pd.concat(parts, ignore_index=True)
    del parts
    order = np.lexsort((chunk, scores["topic"].map(position).to_numpy()))
    return scores.take(order).reset_index(drop=True)
