"""The scoring stage: topic passages scored a chunk at a time, as if scored at once."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from analysis.config import AnalysisConfig
from analysis.scoring_stage import score_topic_passages, score_with_cache
from analysis.stages import TopicPassages
from analysis.topics import load_topics
from tests.fakes import RuleScorer


def _rule(text: str) -> list[float]:
    """Probabilities that differ from passage to passage (a hash of the text)."""
    a, b = (zlib.crc32(text.encode()) % 97 + 1, zlib.crc32(text[::-1].encode()) % 89 + 1)
    total = a + b + 10
    return [a / total, b / total, 10 / total]


class SizeRecordingScorer(RuleScorer):
    """A rule scorer that records how many texts each call is given."""

    def __init__(self, task: str) -> None:
        super().__init__(task, _rule)
        self.sizes: list[int] = []

    def _score(self, texts, targets, spans, progress) -> np.ndarray:
        self.sizes.append(len(texts))
        return super()._score(texts, targets, spans, progress)


@pytest.fixture
def found() -> TopicPassages:
    rng = np.random.default_rng(7)
    n = 23
    passages = pd.DataFrame(
        {
            "passage_id": [f"a{i // 4}:{i % 4}" for i in range(n)],
            "article_id": [f"a{i // 4}" for i in range(n)],
            "index": [i % 4 for i in range(n)],
            "start": [0] * n,
            "end": [10] * n,
            "text": [f"passage number {i} on sanctions and arms" for i in range(n)],
            "reported": [i % 3 == 0 for i in range(n)],
            "speaker": [("Lavrov" if i % 3 == 0 else None) for i in range(n)],
        }
    )
    relevance = rng.uniform(0.3, 1.0, size=(n, 3)).astype(np.float32)
    relevance[5] = 0.0  # a passage on no topic at all
    return TopicPassages(passages, relevance, int((relevance >= 0.6).sum()))


def test_chunks_give_the_table_one_call_gives(found, monkeypatch):
    topics = load_topics(None)
    config = AnalysisConfig().with_values(models={"cache": ""})
    whole = score_topic_passages(
        found.passages,
        found.relevance,
        topics,
        0.6,
        RuleScorer("stance", _rule),
        RuleScorer("tone", _rule),
        progress=False,
    )
    stance, tone = SizeRecordingScorer("stance"), SizeRecordingScorer("tone")
    monkeypatch.setattr("analysis.scoring_stage.SCORING_ROWS", 4)
    chunked, _ = score_with_cache(found, topics, 0.6, (stance, tone, stance, None), config, False)
    assert len(whole) == int((found.relevance >= 0.6).sum()) > 8
    pdt.assert_frame_equal(chunked, whole)
    # no call saw more pairs than four passages can make (one per topic each)
    assert max(stance.sizes) <= 4 * len(topics) and len(stance.sizes) >= 6


def test_topic_passages_spilled_to_a_file_score_as_those_in_memory(found, monkeypatch, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from analysis.stages import PASSAGE_SCHEMA

    topics = load_topics(None)
    config = AnalysisConfig().with_values(models={"cache": ""})
    path = tmp_path / "topic_passages.parquet"
    with pq.ParquetWriter(path, PASSAGE_SCHEMA) as writer:  # written in uneven row groups
        for start, stop in ((0, 3), (3, 13), (13, len(found))):
            part = found.passages.iloc[start:stop]
            writer.write_table(pa.Table.from_pandas(part, PASSAGE_SCHEMA, preserve_index=False))
    spilled = TopicPassages(None, found.relevance, found.n_pairs, path=path)
    monkeypatch.setattr("analysis.scoring_stage.SCORING_ROWS", 5)
    stance, tone = RuleScorer("stance", _rule), RuleScorer("tone", _rule)
    scorers = (stance, tone, stance, None)
    in_memory, _ = score_with_cache(found, topics, 0.6, scorers, config, False)
    from_file, _ = score_with_cache(spilled, topics, 0.6, scorers, config, False)
    pdt.assert_frame_equal(from_file, in_memory)
    # each chunk's relevance rows are its own passages' rows
    for passages, relevance in spilled.chunks(5):
        rows = found.passages["passage_id"].tolist().index(passages["passage_id"].iloc[0])
        np.testing.assert_array_equal(relevance, found.relevance[rows : rows + len(passages)])
    ids = spilled.read(["passage_id"])["passage_id"]
    assert ids.tolist() == found.passages["passage_id"].tolist()


def test_topic_passages_are_in_memory_or_in_a_file(found, tmp_path):
    with pytest.raises(ValueError, match="in memory or in a file"):
        TopicPassages(None, found.relevance, 0)
    with pytest.raises(ValueError, match="in memory or in a file"):
        TopicPassages(found.passages, found.relevance, 0, path=tmp_path / "x.parquet")


def test_no_topic_passages_give_an_empty_table_with_every_column(found):
    topics = load_topics(None)
    config = AnalysisConfig().with_values(models={"cache": ""})
    none = TopicPassages(found.passages.iloc[:0], found.relevance[:0], 0)
    stance, tone = RuleScorer("stance", _rule), RuleScorer("tone", _rule)
    scores, _ = score_with_cache(none, topics, 0.6, (stance, tone, stance, None), config, False)
    assert scores.empty and "stance_favor" in scores.columns and "speaker_stance" in scores.columns


class GateScorer(RuleScorer):
    """A topic gate ("off", "on") that calls every passage off topic: P(on) 0.1."""

    def __init__(self) -> None:
        super().__init__("stance")
        self.labels = ("off", "on")
        self.rule = lambda _: [0.9, 0.1]


def test_thresholds_per_topic_and_topics_the_gate_does_not_judge(found):
    from analysis.scoring_stage import split_gated_out

    topics = load_topics(None)
    cuts = np.array([0.55, 0.61, 0.55])  # the second topic's target is not the head's
    scores = score_topic_passages(
        found.passages,
        found.relevance,
        topics,
        cuts,
        RuleScorer("stance", _rule),
        RuleScorer("tone", _rule),
        progress=False,
        gate=GateScorer(),
        gate_threshold=0.7,
        keep_gated=True,
        ungated=[topics[1].key],
    )
    for t, topic in enumerate(topics):
        rows = scores[scores["topic"] == topic.key]
        assert len(rows) == int((found.relevance[:, t] >= cuts[t]).sum()) > 0
    second = scores["topic"] == topics[1].key
    assert scores.loc[second, "on_topic"].isna().all()  # the head's P(on) is not shown there
    assert not scores.loc[second, "gated_out"].any()  # nor does it gate them
    assert scores.loc[~second, "gated_out"].all()  # P(on) 0.1 everywhere else
    kept, left_out = split_gated_out(scores, coverage_gate=0.9)
    assert set(kept["topic"]) == {topics[1].key} and len(kept) == int(second.sum())
    assert len(left_out) == int((~second).sum())
