"""One analysis end to end: corpus -> topic passages -> stance and tone -> positions -> a run.

Stance and tone are scored only for topic passages (a passage whose relevance to a topic reaches
the threshold), once per (passage, topic), toward the topic's stance target.
"""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.config import AnalysisConfig
from analysis.scoring.base import Scorer

Log = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class AnalysisResult:
    """Where the run went and what it counted."""

    path: Path
    meta: dict[str, Any]


def package_versions() -> dict[str, str]:
    """Versions of the packages that shape the numbers."""
    versions = {"python": platform.python_version()}
    for name in ("viewpoints", "torch", "transformers", "tokenizers", "numpy", "pandas"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def build_scorers(config: AnalysisConfig) -> tuple[Scorer, Scorer]:
    """The stance and tone scorers, sharing one model when both name the same pair classifier."""
    from analysis.scoring.registry import create_scorers

    return create_scorers(config.models.stance, config.models.tone, config.models.precision)


def articles_table(corpus: Any, passage_counts: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "article_id": a.article_id,
                "title": a.title,
                "author": a.author,
                "outlet": a.outlet,
                "date": a.date,
                "url": a.url,
                "source": a.source,
                "group": a.group,
                "group_kind": a.group_kind,
                "text": a.text,
                "n_passages": passage_counts.get(a.article_id, 0),
                "duplicate_of": a.duplicate_of,
            }
            for a in corpus.articles
        ],
        columns=[
            "article_id",
            "title",
            "author",
            "outlet",
            "date",
            "url",
            "source",
            "group",
            "group_kind",
            "text",
            "n_passages",
            "duplicate_of",
        ],
    )


def passages_table(corpus: Any) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "passage_id": p.passage_id,
                "article_id": p.article_id,
                "index": p.index,
                "start": p.start,
                "end": p.end,
                "text": p.text,
                "reported": p.reported,
                "speaker": p.speaker,
            }
            for p in corpus.passages
        ],
        columns=[
            "passage_id",
            "article_id",
            "index",
            "start",
            "end",
            "text",
            "reported",
            "speaker",
        ],
    )


def score_topic_passages(
    passages: pd.DataFrame,
    relevance: np.ndarray,
    topics: list[Any],
    threshold: float,
    stance: Scorer,
    tone: Scorer,
    progress: bool = True,
) -> pd.DataFrame:
    """One row per (topic passage, topic) with relevance and both tasks' probabilities."""
    rows = []
    for t, topic in enumerate(topics):
        hit = np.flatnonzero(relevance[:, t] >= threshold)
        for i in hit:
            rows.append((i, topic.key, topic.target, float(relevance[i, t])))
    columns = [
        "passage_id",
        "article_id",
        "topic",
        "relevance",
        "reported",
        "speaker",
        "stance_favor",
        "stance_against",
        "stance_none",
        "tone_negative",
        "tone_neutral",
        "tone_positive",
        "stance",
        "tone",
    ]
    if not rows:
        return pd.DataFrame(columns=columns)
    index = [r[0] for r in rows]
    texts = passages["text"].to_numpy()[index].tolist()
    targets = [r[2] for r in rows]
    stance_probs = np.asarray(stance.score(texts, targets, progress=progress))
    tone_probs = np.asarray(tone.score(texts, targets, progress=progress))
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
    return frame[columns]


def analyze(config: AnalysisConfig, progress: bool = True, log: Log = _stderr) -> AnalysisResult:
    """Run the analysis ``config`` describes and write it as a run; return its path and meta."""
    from analysis.aggregate import AggregateConfig, positions
    from analysis.corpus import load_corpus
    from analysis.embedding import Embedder
    from analysis.runs import new_run_id, write_run
    from analysis.topics import DEFAULT_THRESHOLD, TopicMatcher, load_topics

    timings: dict[str, float] = {}
    started = time.perf_counter()
    # Everything that can fail on a name or a path fails here, before any work starts.
    topics = load_topics(config.topics.file or None)
    threshold = config.topics.threshold or DEFAULT_THRESHOLD
    stance, tone = build_scorers(config)
    for path in config.corpus.paths:
        if not Path(path).exists():
            raise ValueError(f"no such file or folder: {path}")

    clock = time.perf_counter()
    corpus = load_corpus(config.corpus.paths, progress=progress)
    timings["load"] = time.perf_counter() - clock
    for skipped in corpus.skipped:
        log(f"skipped {skipped.source}: {skipped.reason}")
    log(
        f"read {len(corpus.articles)} articles ({len(corpus.passages)} passages), "
        f"skipped {len(corpus.skipped)}"
    )
    if not corpus.articles:
        raise ValueError(
            f"no articles could be read from {', '.join(config.corpus.paths)} "
            f"({len(corpus.skipped)} skipped)"
        )

    passages = passages_table(corpus)
    counts = passages.groupby("article_id").size().to_dict()
    articles = articles_table(corpus, counts)

    clock = time.perf_counter()
    matcher = TopicMatcher(topics, Embedder(precision=config.models.precision), threshold=threshold)
    if progress:
        log("finding topic passages")
    relevance = matcher.relevance(passages["text"].tolist(), progress=progress)
    timings["relevance"] = time.perf_counter() - clock

    clock = time.perf_counter()
    n_topic = int((relevance >= threshold).sum())
    if progress:
        log(f"scoring stance and tone of {n_topic} topic passages")
    scores = score_topic_passages(passages, relevance, topics, threshold, stance, tone, progress)
    timings["scoring"] = time.perf_counter() - clock

    clock = time.perf_counter()
    agg = config.aggregate
    table = positions(
        articles,
        passages,
        scores,
        [t.key for t in topics],
        AggregateConfig(
            seed=agg.seed,
            n_bootstrap=agg.n_bootstrap,
            include_reported=agg.include_reported,
            max_evidence=agg.max_evidence,
        ),
    )
    timings["aggregate"] = time.perf_counter() - clock
    timings["total"] = time.perf_counter() - started

    corpus_hash = corpus.hash()
    created = datetime.now(UTC)
    run_id = new_run_id(corpus_hash, created)
    resolved = config.to_dict()
    resolved["topics"]["threshold"] = threshold
    resolved_toml = AnalysisConfig.from_dict(resolved).to_toml() + _topics_toml(topics)
    meta = {
        "name": config.run.name,
        "created": created.isoformat(timespec="seconds"),
        "models": {"stance": stance.identity(), "tone": tone.identity()},
        "topic_matcher": matcher.identity(),
        "topics": [t.to_dict() for t in topics],
        "versions": package_versions(),
        "seed": agg.seed,
        "corpus_hash": corpus_hash,
        "corpus_paths": list(config.corpus.paths),
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "counts": {
            "articles_read": len(corpus.articles),
            "articles_skipped": len(corpus.skipped),
            "passages": len(passages),
            "topic_passages": int(scores["passage_id"].nunique()) if len(scores) else 0,
            "scored_pairs": len(scores),
            "authors": int(articles["group"].nunique()),
        },
        "skipped": [{"source": s.source, "reason": s.reason} for s in corpus.skipped],
    }
    path = write_run(
        config.run.runs_dir,
        run_id,
        meta,
        resolved_toml,
        {"articles": articles, "passages": passages, "scores": scores, "positions": table},
    )
    log(f"wrote run {run_id} to {path} in {timings['total']:.1f} s")
    return AnalysisResult(path=path, meta={"run_id": run_id, **meta})


def _topics_toml(topics: list[Any]) -> str:
    """The topics used, appended to the resolved config so a run names exactly what it scored."""
    from analysis.config import dumps_toml

    return "\n" + dumps_toml({"topic_definitions": {t.key: t.to_dict() for t in topics}})
