"""A Hugging Face sequence classifier as a scorer: batches padded to a few shapes."""

from __future__ import annotations

import numpy as np

import analysis.scoring.hf_classifier as hf_classifier
from analysis.scoring.hf_classifier import HFClassifierScorer

TEXTS = [
    "Good news.",
    "Terrible news indeed, and the talks collapsed again after a long night in Geneva.",
    "The sanctions were tightened.",
]


def test_batches_are_padded_to_a_few_shapes_without_changing_scores(
    tiny_sentiment_dir, monkeypatch
):
    monkeypatch.setattr(hf_classifier, "INFERENCE_PAD_MULTIPLE", 1)  # no padding
    unpadded = HFClassifierScorer(str(tiny_sentiment_dir), "tone", batch_size=2).score(
        TEXTS, [None] * 3
    )
    monkeypatch.undo()
    scorer = HFClassifierScorer(str(tiny_sentiment_dir), "tone", batch_size=2)
    model = scorer.loaded[0]
    widths: list[int] = []
    model.register_forward_pre_hook(
        lambda _module, _args, kwargs: widths.append(kwargs["input_ids"].shape[1]),
        with_kwargs=True,
    )
    padded = scorer.score(TEXTS, [None] * 3)
    assert len(widths) == 2 and all(w % 32 == 0 for w in widths)
    np.testing.assert_allclose(padded, unpadded, atol=1e-5)
