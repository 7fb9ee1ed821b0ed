"""The shipped default model: offline, small, safetensors only, and sensible on clear cases."""

from pathlib import Path

import numpy as np
import pytest

from analysis.scoring import create_scorer
from analysis.scoring.pair_scorer import SHIPPED_DIR


def test_shipped_files_are_safetensors_under_50_mb_with_a_model_card():
    files = list(Path(SHIPPED_DIR).iterdir())
    total = sum(f.stat().st_size for f in files)
    assert total < 50 * 1024 * 1024
    names = {f.name for f in files}
    assert {"adapter.safetensors", "viewpoints_model.json", "MODEL_CARD.md"} <= names
    assert not any(f.suffix in {".bin", ".pt", ".pkl", ".pickle"} for f in files)
    card = (Path(SHIPPED_DIR) / "MODEL_CARD.md").read_text()
    assert "seed=" in card and "macro-F1" in card


def test_the_topic_head_judges_the_default_topics_targets_and_no_other(shipped):
    from analysis.scoring.pair_scorer import topic_head_targets
    from analysis.topics import folded, load_topics

    stance, _ = shipped
    assert topic_head_targets(stance) == {folded(t.target) for t in load_topics()}
    assert topic_head_targets(create_scorer("stance.minilm.v1", "stance")) is None  # no head


@pytest.fixture(scope="module")
def shipped():
    return create_scorer(None, "stance"), create_scorer(None, "tone")


CLEAR_CASES = [
    "Ukraine deserves our full support in defending its sovereignty.",
    "Arms control treaties are a naive illusion that only tie America's hands.",
    "The recipe calls for two eggs and a cup of flour.",
]
CLEAR_TARGETS = ["Ukraine", "arms control treaties", "sanctions on Russia"]


def test_the_earlier_vast_model_reads_clear_stance_cases():
    stance = create_scorer("stance.minilm.v1", "stance")
    labels = list(stance.labels)
    probs = stance.score(CLEAR_CASES, CLEAR_TARGETS)
    assert [labels[i] for i in probs.argmax(1)] == ["favor", "against", "none"]


@pytest.mark.xfail(
    strict=True,
    reason="known weakness of stance.minilm.v2 (docs/models.md, where it fails): it reads the "
    "dismissive 'naive illusion' sentence as favoring arms control treaties",
)
def test_clear_stance_cases(shipped):
    stance, _ = shipped
    labels = list(stance.labels)
    probs = stance.score(
        [
            "Ukraine deserves our full support in defending its sovereignty.",
            "Arms control treaties are a naive illusion that only tie America's hands.",
            "The recipe calls for two eggs and a cup of flour.",
        ],
        ["Ukraine", "arms control treaties", "sanctions on Russia"],
    )
    assert [labels[i] for i in probs.argmax(1)] == ["favor", "against", "none"]


def test_clear_tone_cases_with_and_without_target(shipped):
    _, tone = shipped
    labels = list(tone.labels)
    probs = tone.score(
        [
            "The talks were a great success and brought hope.",
            "What a terrible, shameful betrayal by the government.",
            "The recipe calls for two eggs and a cup of flour.",
            "Critics savaged Smith for his reckless and dishonest campaign.",
        ],
        [None, None, None, "Smith"],
    )
    assert [labels[i] for i in probs.argmax(1)] == ["positive", "negative", "neutral", "negative"]
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
