"""The analysis as stages over batches of Arrow rows, so that what a run holds in memory is its
models, one batch and the topic passages, not every passage or article (what still grows with
the corpus is measured in docs/scale_history.md).

1. :func:`read_corpus`: articles in, ``articles.parquet`` and ``passages.parquet`` written to the
   run's staging folder batch by batch; what stays in memory is the counts (the articles'
   metadata is read back when positions are made).
2. :func:`find_topic_passages`: the passages read back in batches, each batch's topic relevance
   computed (with every passage's predecessor, carried across batch boundaries); only the rows
   on some topic are kept, about one passage in fifty, written to ``topic_passages.parquet``.
3. Scoring (:mod:`analysis.scoring_stage`) then works on those rows alone, a chunk at a time,
   and positions (:func:`analysis.aggregate.position_batches`) are written a batch of articles
   at a time.

Each stage is a plain function over batches with its model state passed in (the matcher), so
another engine can run the same functions over the same batches.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.corpus import FieldMap, Skipped, iter_corpus
from analysis.corpus.documents import Article, Passage
from analysis.memory import release_freed_memory
from analysis.progress import stage_bar

if TYPE_CHECKING:
    from analysis.config import AnalysisConfig

BATCH_ROWS = 16_384  # passages a batch holds when written and read
# Passages whose relevance is computed at once: large enough that MiniLM's length-sorted batches
# of the few passages the first stage passes pad little, small enough that the progress bar
# moves (and an interrupt keeps what was done) every several seconds: 16,384 took 20 s a batch
# on 2 idle cores and over 77 s on busy ones, past the 30 s a log waits for a line. Smaller
# batches cost little: relevance of 28,138 passages took 34.5 s at 16,384 rows and 36.4 s at
# 4,096, with the same passages on topic and relevance within 2e-7.
RELEVANCE_ROWS = 8_192

_TEXT = pa.large_string()
ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", _TEXT),
        ("title", _TEXT),
        ("author", _TEXT),
        ("outlet", _TEXT),
        ("date", _TEXT),
        ("url", _TEXT),
        ("source", _TEXT),
        ("group", _TEXT),
        ("group_kind", _TEXT),
        ("text", _TEXT),
        ("n_passages", pa.int64()),
        ("duplicate_of", _TEXT),
    ]
)
PASSAGE_SCHEMA = pa.schema(
    [
        ("passage_id", _TEXT),
        ("article_id", _TEXT),
        ("index", pa.int64()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("text", _TEXT),
        ("reported", pa.bool_()),
        ("speaker", _TEXT),
    ]
)


@dataclass
class CorpusSummary:
    """What :func:`read_corpus` keeps in memory: the counts, the inputs skipped and the corpus
    hash (as :meth:`analysis.corpus.Corpus.hash`); the articles stay in ``folder``."""

    folder: Path
    n_articles: int = 0
    n_passages: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    corpus_hash: str = ""
    # articles whose text does not look like English: the models read English, so their
    # topics likely read not discussed; kept in run.json so that show and the pages say so
    not_english: list[str] = field(default_factory=list)

    def read_articles(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The articles' metadata (``columns``, by default every column but the text), read
        back from the folder: held through relevance and scoring, it would grow with the corpus."""
        if columns is None:
            columns = [name for name in ARTICLE_SCHEMA.names if name != "text"]
        table = pq.read_table(self.folder / "articles.parquet", columns=list(columns))
        frame = table.to_pandas()
        return frame.astype({"n_passages": "int64"}) if "n_passages" in frame else frame


def article_row(article: Article, n_passages: int) -> dict[str, Any]:
    return {
        "article_id": article.article_id,
        "title": article.title,
        "author": article.author,
        "outlet": article.outlet,
        "date": article.date,
        "url": article.url,
        "source": article.source,
        "group": article.group,
        "group_kind": article.group_kind,
        "text": article.text,
        "n_passages": n_passages,
        "duplicate_of": article.duplicate_of,
    }


def passage_row(passage: Passage) -> dict[str, Any]:
    return {
        "passage_id": passage.passage_id,
        "article_id": passage.article_id,
        "index": passage.index,
        "start": passage.start,
        "end": passage.end,
        "text": passage.text,
        "reported": passage.reported,
        "speaker": passage.speaker,
    }


class _BatchWriter:
    """Rows buffered and written to one Parquet file ``batch_rows`` at a time."""

    def __init__(self, path: Path, schema: pa.Schema, batch_rows: int) -> None:
        self.schema = schema
        self.writer = pq.ParquetWriter(path, schema)
        self.rows: list[dict[str, Any]] = []
        self.batch_rows = batch_rows

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []
            release_freed_memory()

    def close(self) -> None:
        self.flush()
        self.writer.close()


def read_corpus(
    paths: Sequence[str | Path],
    folder: Path,
    progress: bool = False,
    batch_rows: int = BATCH_ROWS,
    fields: FieldMap | None = None,
) -> CorpusSummary:
    """Read the corpus into ``folder/articles.parquet`` and ``folder/passages.parquet``
    (``fields``: the record fields to read, where not the defaults)."""
    folder = Path(folder)
    summary = CorpusSummary(folder)
    digest = hashlib.sha256()
    with ExitStack() as closing:  # each writer closed, even when another's close fails
        articles = _BatchWriter(
            folder / "articles.parquet", ARTICLE_SCHEMA, max(1, batch_rows // 64)
        )
        closing.callback(articles.close)
        passages = _BatchWriter(folder / "passages.parquet", PASSAGE_SCHEMA, batch_rows)
        closing.callback(passages.close)
        for item in iter_corpus(paths, fields=fields, progress=progress):
            if isinstance(item, Skipped):
                summary.skipped.append(item)
                continue
            if item.article.duplicate_of is not None:
                continue  # its Skipped ("duplicate of ...") follows
            a = item.article
            row = article_row(a, len(item.passages))
            articles.add([row])
            summary.n_articles += 1
            passages.add([passage_row(p) for p in item.passages])
            summary.n_passages += len(item.passages)
            if not item.english:
                summary.not_english.append(a.article_id)
            line = [a.article_id, a.title, a.author, a.outlet, a.date, a.url, a.text]
            digest.update(json.dumps(line, ensure_ascii=False).encode("utf-8"))
            digest.update(b"\n")
    summary.corpus_hash = digest.hexdigest()
    return summary


def passage_batches(
    path: Path, columns: Sequence[str] | None = None, batch_rows: int = BATCH_ROWS
) -> Iterator[pd.DataFrame]:
    """The rows of a passages table, ``batch_rows`` at a time, in order.

    Read without pre-buffering: with it (pyarrow's default) the reader keeps every row group's
    bytes until the file is read through, so memory grew with the corpus (about 1.6 MB per
    16,384 passages read).
    """
    source = pq.ParquetFile(path, pre_buffer=False)
    for batch in source.iter_batches(batch_size=batch_rows, columns=columns):
        yield batch.to_pandas()


def previous_in_batch(
    batch: pd.DataFrame, carry: tuple[str, str] | None
) -> tuple[list[str | None], tuple[str, str] | None]:
    """Each passage's predecessor in its article (None for an article's first), given the last
    (article id, text) of the batch before; returns this batch's last for the next."""
    texts = batch["text"].tolist()
    articles = batch["article_id"].tolist()
    previous: list[str | None] = []
    for i, (article, _) in enumerate(zip(articles, texts, strict=True)):
        if i > 0:
            previous.append(texts[i - 1] if articles[i - 1] == article else None)
        else:
            previous.append(carry[1] if carry is not None and carry[0] == article else None)
    last = (articles[-1], texts[-1]) if texts else carry
    return previous, last


@dataclass
class TopicPassages:
    """The passages on at least one topic (all passage columns) and their relevance rows.

    The rows are in memory (``passages``) or spilled to a Parquet file (``path``, ``passages``
    None) that the scoring stage reads a chunk at a time: a run keeps them on disk, so that
    neither relevance nor scoring holds every topic passage's text.
    """

    passages: pd.DataFrame | None
    relevance: np.ndarray
    n_pairs: int  # (passage, topic) pairs at or above the threshold
    path: Path | None = None

    def __post_init__(self) -> None:
        if (self.passages is None) == (self.path is None):
            raise ValueError("expected the topic passages in memory or in a file (one of the two)")

    def __len__(self) -> int:
        return len(self.relevance)

    def read(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Every topic passage at once (``columns``, by default all)."""
        if self.passages is not None:
            return self.passages if columns is None else self.passages[list(columns)]
        table = pq.read_table(self.path, columns=None if columns is None else list(columns))
        return table.to_pandas()

    def chunks(self, rows: int) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
        """The topic passages ``rows`` at a time, in order, each with its relevance rows."""
        if self.passages is not None:
            parts: Iterator[pd.DataFrame] = (
                self.passages.iloc[start : start + rows].reset_index(drop=True)
                for start in range(0, len(self.passages), rows)
            )
        else:
            parts = passage_batches(self.path, batch_rows=rows)
        start = 0
        for part in parts:
            yield part, self.relevance[start : start + len(part)]
            start += len(part)


def relevance_of_batch(batch: pd.DataFrame, previous: list[str | None], matcher: Any) -> np.ndarray:
    """Stage 2 on one batch: each passage's relevance to each topic."""
    return matcher.relevance(batch["text"].tolist(), previous=previous)


def find_topic_passages(
    path: Path,
    matcher: Any,
    threshold: float | np.ndarray,
    n_passages: int | None = None,
    progress: bool = False,
    batch_rows: int = RELEVANCE_ROWS,
    spill: Path | None = None,
) -> TopicPassages:
    """Relevance of every passage in ``path``, batch by batch; the rows on a topic are kept, in
    memory or, given ``spill``, written to that Parquet file a batch at a time."""
    # In memory, the rows kept are copied into Arrow buffers at once: as pandas rows their
    # strings would stay scattered through the memory each batch frees and pin it.
    kept: list[pa.Table] = []
    rows: list[np.ndarray] = []
    carry: tuple[str, str] | None = None
    pairs = 0
    with ExitStack() as closing:
        writer = None
        if spill is not None:
            writer = pq.ParquetWriter(spill, PASSAGE_SCHEMA)
            closing.callback(writer.close)
        bar = closing.enter_context(stage_bar(n_passages, "relevance", " passages", progress))
        for batch in passage_batches(path, batch_rows=batch_rows):
            previous, carry = previous_in_batch(batch, carry)
            relevance = relevance_of_batch(batch, previous, matcher)
            hits = relevance >= threshold
            on = hits.any(axis=1)
            pairs += int(hits.sum())
            table = pa.Table.from_pandas(batch[on], schema=PASSAGE_SCHEMA, preserve_index=False)
            if writer is not None:
                if table.num_rows:
                    writer.write_table(table)
            else:
                kept.append(table)
            rows.append(relevance[on])
            bar.update(len(batch))
            del batch, previous, relevance, table
            release_freed_memory()  # else the rows kept pin the memory each batch freed
    width = len(matcher.topics)
    relevance = np.concatenate(rows) if rows else np.zeros((0, width), dtype=np.float32)
    if spill is not None:
        return TopicPassages(None, relevance, pairs, path=spill)
    frame = pa.concat_tables(kept).to_pandas() if kept else PASSAGE_SCHEMA.empty_table().to_pandas()
    return TopicPassages(frame.reset_index(drop=True), relevance, pairs)


def sample_for_estimate(
    path: Path, n_passages: int, size: int, seed: int
) -> tuple[list[str], list[str | None]]:
    """A seeded sample of ``size`` passages and their predecessors, read from ``path`` in one
    pass (the cost estimate's warm-up); the same draw as :func:`analysis.estimate.estimate_cost`."""
    from analysis.estimate import sample_indices

    picks = sample_indices(n_passages, seed, size)
    wanted = set(picks) | {i - 1 for i in picks if i > 0}
    found: dict[int, tuple[str, str]] = {}
    start = 0
    for batch in passage_batches(path, columns=["article_id", "text"]):
        for offset, (article, text) in enumerate(
            zip(batch["article_id"].tolist(), batch["text"].tolist(), strict=True)
        ):
            if start + offset in wanted:
                found[start + offset] = (article, text)
        start += len(batch)
        del batch
        release_freed_memory()
    texts = [found[i][1] for i in picks]
    previous = [
        found[i - 1][1] if i > 0 and found[i - 1][0] == found[i][0] else None for i in picks
    ]
    return texts, previous


def build_matcher(
    config: AnalysisConfig,
    topics: list[Any],
    threshold: float | np.ndarray,
    counter_examples: bool | Collection[str] = True,
) -> Any:
    """The topic matcher of relevance's stage: MiniLM, behind the static first stage when the
    config's relevance is a cascade; ``counter_examples`` says whose counter-examples veto alias
    hits: all topics', none, or these keys' (``TopicsSection.counter_example_topics``)."""
    from analysis.embedding import Embedder
    from analysis.static_embedding import StaticEmbedder
    from analysis.topics import TopicMatcher

    return TopicMatcher(
        topics,
        Embedder(precision=config.models.precision),
        threshold=float(np.min(threshold)),  # per-topic thresholds: the matcher's is the lowest
        first_stage=StaticEmbedder() if config.topics.relevance == "cascade" else None,
        counter_examples=counter_examples,
    )
