"""The author-head refit experiment reads the shipped head and every refitted variant on every
dev set, with argument corpora read over favor/against."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from experiments.author_head_refit import GRID, macro_f1, main
from tests.conftest import NEEDS_NEWS_STANCE


def test_a_set_without_none_is_read_over_favor_and_against():
    # "none" has the largest logit everywhere; the two sides are right.
    logits = torch.tensor([[2.0, 1.0, 5.0], [1.0, 2.0, 5.0]])
    assert macro_f1(logits, ["favor", "against"]) == 1.0
    assert macro_f1(logits, ["favor", "none"]) < 1.0  # with "none" in the truth, argmax of three


@pytest.mark.slow
@NEEDS_NEWS_STANCE
def test_every_variant_is_read_on_every_dev_set(tmp_path):
    out = tmp_path / "refit.json"
    result = main(["--limit", "12", "--out", str(out)])
    assert json.loads(out.read_text()) == result
    dev = set(result["dev_rows"])
    assert {"news_author", "vast_dev", "perspectrum_test"} <= dev
    assert set(result["train_rows"]) >= {"news", "news_r3", "vast", "perspectrum"}
    variants = result["macro_f1"]
    assert len(variants) == 1 + 3 * len(GRID)
    for scores in variants.values():
        assert set(scores) == dev
        assert all(0.0 <= value <= 1.0 for value in scores.values())
    # The fits differ from the shipped head and from each other.
    rows = np.array([[scores[name] for name in sorted(dev)] for scores in variants.values()])
    assert len({tuple(row) for row in rows}) > 2
