"""Static word-piece embeddings, and the relevance cascade they are the first stage of."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.embedding import Embedder
from analysis.static_embedding import SHIPPED_STATIC_DIR, StaticEmbedder
from analysis.topics import TopicMatcher, load_topics, with_previous


@pytest.fixture(scope="module")
def shipped() -> StaticEmbedder:
    return StaticEmbedder()


def test_embeddings_are_unit_length_and_order_free_within_a_text(shipped):
    rows = shipped.encode(["sanctions on Russia", "Russia sanctions on", "", "   "])
    assert rows.shape == (4, shipped.dim) and rows.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(rows[:2], axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(rows[0], rows[1], rtol=1e-5)  # a bag of word pieces
    assert not rows[2:].any()  # no pieces: a zero row, not NaN
    with pytest.raises(ValueError, match="single string"):
        shipped.encode("one text")


def test_the_shipped_table_says_what_it_was_fitted_to(shipped):
    from analysis.backbone import MINILM_SHA256

    identity = shipped.identity()
    assert identity["teacher_weights_sha256"] == MINILM_SHA256
    assert len(identity["weights_sha256"]) == 64
    config = json.loads((SHIPPED_STATIC_DIR / "config.json").read_text())
    assert config["recipe"] == "experiments/topic_relevance/fit_static.py"
    assert identity["max_pieces"] == config["max_pieces"] == 126  # as MiniLM reads a passage
    assert identity["projected_prototypes"] is True


def test_related_texts_are_closer_than_unrelated_ones(shipped):
    a, b, c = shipped.encode(
        [
            "The EU extended economic sanctions against Moscow.",
            "New sanctions target Russian banks and oligarchs.",
            "The recipe calls for two cups of flour and an egg.",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.1


def test_a_missing_table_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"fit_static\.py"):
        StaticEmbedder(tmp_path)


class CountingEmbedder(Embedder):
    """The pinned MiniLM, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def encode(self, texts, progress=False):
        self.seen.extend(texts)
        return super().encode(texts, progress)


def test_the_cascade_embeds_only_what_the_first_stage_passes(shipped):
    texts = [
        "Washington imposed new sanctions on Russian energy firms.",  # alias hit
        "The treaty limits deployed strategic warheads on both sides.",  # no alias, on topic
        "The bakery on the corner sells fresh bread every morning.",  # off topic
    ]
    previous = [None, "Talks on New START resumed in Geneva.", None]
    full = TopicMatcher(load_topics(), CountingEmbedder())
    cascade = TopicMatcher(load_topics(), CountingEmbedder(), first_stage=shipped)
    expected = full.relevance(texts, previous=previous)
    got = cascade.relevance(texts, previous=previous)
    passed = cascade.passes_first_stage(texts, previous)
    assert passed[0] and not passed[2]  # the alias hit always passes; the bakery does not
    np.testing.assert_allclose(got[passed], expected[passed], rtol=1e-5, atol=1e-6)
    assert not got[~passed].any()
    embedded = set(with_previous(texts, previous))
    by_cascade = [t for t in cascade.embedder.seen if t in embedded]  # not the prototypes
    assert len(by_cascade) == int(passed.sum()) == 2
    assert len([t for t in full.embedder.seen if t in embedded]) == 3
    assert cascade.identity()["first_stage"]["threshold"] == cascade.first_threshold
    assert "first_stage" not in full.identity()


def test_joined_texts_are_embedded_as_if_joined_tokenizing_each_passage_once(shipped):
    long = " ".join(["The sanctions on Russian banks were extended again."] * 30)  # > 126 pieces
    texts = ["Kyiv asked for more air defence.", "It was denied.", long, "Short.", "Alone."]
    previous = ["Talks on New START resumed.", long, "Short.", "", None]
    joined = shipped.encode_joined(texts, previous)
    np.testing.assert_allclose(joined, shipped.encode(with_previous(texts, previous)), atol=1e-6)
    np.testing.assert_array_equal(shipped.encode_joined(texts), shipped.encode(texts))
    with pytest.raises(ValueError, match="one previous passage per text"):
        shipped.encode_joined(texts, previous[:2])
