"""The streaming stages give what the in-memory corpus gives, whatever the batch size."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.corpus import load_corpus
from analysis.pipeline import passages_table, previous_passages
from analysis.runs import ALL_COLUMNS, write_parquet
from analysis.stages import (
    find_topic_passages,
    passage_batches,
    read_corpus,
    sample_for_estimate,
)
from analysis.topics import load_topics

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture
def corpus_folder(tmp_path) -> Path:
    """The seeds, a duplicate of one of them and a file that cannot be read."""
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    first = sorted(p for p in folder.iterdir() if p.suffix in {".txt", ".md"})[0]
    (folder / "zz_copy.txt").write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    return folder


@pytest.mark.parametrize("batch_rows", [3, 10_000])
def test_read_corpus_writes_what_load_corpus_holds(corpus_folder, tmp_path, batch_rows):
    corpus = load_corpus([corpus_folder])
    out = tmp_path / f"staged-{batch_rows}"
    out.mkdir()
    summary = read_corpus([corpus_folder], out, batch_rows=batch_rows)
    passages = as_read(pq.read_table(out / "passages.parquet").to_pandas(), tmp_path)
    articles = as_read(pq.read_table(out / "articles.parquet").to_pandas(), tmp_path)
    # built here from the dataclasses, not by the code under test
    expected_passages = pd.DataFrame([dataclasses.asdict(p) for p in corpus.passages])
    counts = expected_passages.groupby("article_id").size()
    expected_articles = pd.DataFrame(
        [
            {
                **{k: v for k, v in dataclasses.asdict(a).items() if k != "duplicate_of"},
                "group": a.group,
                "group_kind": a.group_kind,
                "n_passages": int(counts.get(a.article_id, 0)),
                "duplicate_of": None,
            }
            for a in corpus.articles
        ]
    )[articles.columns]
    assert list(articles.columns) == list(ALL_COLUMNS["articles"])
    assert pq.read_schema(out / "passages.parquet").types == [
        pa.large_string(),
        pa.large_string(),
        pa.int64(),
        pa.int64(),
        pa.int64(),
        pa.large_string(),
        pa.bool_(),
        pa.large_string(),
    ]
    pd.testing.assert_frame_equal(passages, as_read(expected_passages, tmp_path))
    pd.testing.assert_frame_equal(articles, as_read(expected_articles, tmp_path))
    assert summary.n_passages == len(expected_passages) > 50
    assert summary.corpus_hash == corpus.hash()
    assert [(s.source, s.reason) for s in summary.skipped] == [
        (s.source, s.reason) for s in corpus.skipped
    ]
    assert any(s.reason.startswith("duplicate of") for s in summary.skipped)
    kept = as_read(expected_articles, tmp_path).drop(columns=["text"])
    pd.testing.assert_frame_equal(as_read(summary.read_articles(), tmp_path), kept)
    some = ["article_id", "group", "n_passages"]
    pd.testing.assert_frame_equal(as_read(summary.read_articles(some), tmp_path), kept[some])


def as_read(frame: pd.DataFrame, folder: Path) -> pd.DataFrame:
    """``frame``'s values as a reader gets them back from Parquet, missing ones as None (an
    all-missing text column is written as nulls by pandas, as strings by a streaming writer)."""
    path = folder / "roundtrip.parquet"
    write_parquet(frame, path)
    read = pq.read_table(path).to_pandas().astype(object)
    return read.where(read.notna(), None)


class RecordingMatcher:
    """Relevance from a rule on the text; records the predecessors it was given."""

    def __init__(self) -> None:
        self.topics = load_topics()
        self.previous: list[str | None] = []

    def relevance(self, texts, previous=None):
        self.previous.extend(previous)
        return np.array(
            [[("Russia" in t) * 0.9, ("sanction" in t) * 0.7, 0.0] for t in texts],
            dtype=np.float32,
        )


def test_relevance_runs_batch_by_batch_with_predecessors_across_batches(tmp_path):
    summary = read_corpus([SEEDS], tmp_path)
    path = tmp_path / "passages.parquet"
    whole = pq.read_table(path).to_pandas()
    matcher = RecordingMatcher()
    found = find_topic_passages(path, matcher, 0.6, summary.n_passages, batch_rows=7)
    assert matcher.previous == previous_passages(whole)  # batch edges changed nothing
    expected = matcher.relevance(whole["text"].tolist(), previous_passages(whole))
    on = (expected >= 0.6).any(axis=1)
    assert 0 < on.sum() < len(whole)
    assert found.passages["passage_id"].tolist() == whole.loc[on, "passage_id"].tolist()
    np.testing.assert_array_equal(found.relevance, expected[on])
    assert found.n_pairs == int((expected >= 0.6).sum())
    assert list(found.passages.columns) == list(whole.columns)
    # spilled to a file a batch at a time: the same rows, none of them held in memory
    spill = tmp_path / "topic_passages.parquet"
    spilled = find_topic_passages(path, RecordingMatcher(), 0.6, batch_rows=7, spill=spill)
    assert spilled.passages is None and spilled.path == spill
    pd.testing.assert_frame_equal(spilled.read(), found.passages)
    np.testing.assert_array_equal(spilled.relevance, found.relevance)
    assert spilled.n_pairs == found.n_pairs and len(spilled) == on.sum()


def test_batches_come_back_in_order_and_the_estimate_draws_as_before(tmp_path):
    summary = read_corpus([SEEDS], tmp_path)
    path = tmp_path / "passages.parquet"
    batches = list(passage_batches(path, columns=["passage_id"], batch_rows=10))
    whole = pq.read_table(path).to_pandas()
    assert len(batches) == -(-len(whole) // 10)
    assert pd.concat(batches)["passage_id"].tolist() == whole["passage_id"].tolist()
    texts, previous = sample_for_estimate(path, summary.n_passages, 20, seed=3)
    all_previous = previous_passages(whole)
    picks = random.Random(3).sample(range(len(whole)), 20)  # estimate_cost's draw
    assert texts == [whole["text"][i] for i in picks]
    assert previous == [all_previous[i] for i in picks]


def test_a_run_leaves_no_staging_folder_behind(tmp_path, capsys):
    from analysis.cli import main

    runs = tmp_path / "runs"
    args = [str(SEEDS), "--runs-dir", str(runs), "--quiet", "--cache", ""]
    assert main(["analyze", *args, "--dry-run", "--json"]) == 0
    assert not runs.exists()  # a dry run writes nothing where runs are kept
    capsys.readouterr()
    assert main(["analyze", *args, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert [p.name for p in runs.iterdir()] == [summary["run_id"]]
    written = as_read(
        pq.read_table(Path(summary["path"]) / "passages.parquet").to_pandas(), tmp_path
    )
    expected = as_read(passages_table(load_corpus([SEEDS])), tmp_path)
    pd.testing.assert_frame_equal(written, expected)


def test_a_killed_runs_staging_folder_is_removed_by_the_next_run(tmp_path):
    from analysis.runs import new_staging

    runs = tmp_path / "runs"
    runs.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    abandoned = runs / f".tmp-{int(dead.stdout)}-{'a' * 12}"
    abandoned.mkdir()
    (abandoned / "passages.parquet").write_bytes(b"x")
    live = runs / f".tmp-{os.getpid()}-{'b' * 12}"  # a run still going: left alone
    live.mkdir()
    staging = new_staging(runs)
    assert not abandoned.exists() and live.is_dir() and staging.is_dir()


def test_a_failed_run_leaves_no_staging_folder_behind(tmp_path, capsys):
    from analysis.cli import main

    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    runs = tmp_path / "runs"
    runs.mkdir()  # a runs folder that was there stays (one the run made goes: tests/test_cli.py)
    assert main(["analyze", str(folder), "--runs-dir", str(runs), "--quiet", "--cache", ""]) != 0
    assert "no articles could be read" in capsys.readouterr().err
    assert list(runs.iterdir()) == []  # the staging folder went with the failure


def test_read_corpus_keeps_the_ids_of_articles_not_in_english(corpus_folder, tmp_path):
    """The models read English: an article in French is named in the summary (and run.json),
    so that show and the pages can say its positions say little."""
    french = " ".join(
        ["Les sanctions contre la Russie sont renforcées par les pays européens cette semaine."] * 8
    )
    (corpus_folder / "zz_french.txt").write_text(f"Un titre\n\n{french}\n", encoding="utf-8")
    out = tmp_path / "staged"
    out.mkdir()
    summary = read_corpus([corpus_folder], out)
    assert summary.not_english == ["zz_french"]
