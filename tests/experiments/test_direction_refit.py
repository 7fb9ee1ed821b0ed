"""The direction experiment splits only the sided mass, reads sides where the head took one,
and reports every C of its grid."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from experiments.article_level.direction_refit import GRID, main, passage_figures, split_sides
from tests.conftest import NEEDS_NEWS_STANCE


def test_the_classifier_moves_mass_between_the_sides_and_never_touches_none():
    p_none = np.array([0.9, 0.2, 0.0])
    favor, against = split_sides(p_none, np.array([0.5, 1.0, 0.25]))
    np.testing.assert_allclose(favor + against + p_none, 1.0)
    np.testing.assert_allclose(against, [0.05, 0.8, 0.25])


def test_a_passage_the_head_reads_as_none_stays_none():
    # Head logits over (favor, against, none): the first reads none, the others a side.
    head = torch.tensor([[0.0, 0.0, 5.0], [5.0, 0.0, 0.0], [5.0, 0.0, 0.0]])
    truth = ["against", "against", "favor"]
    every_side_against = passage_figures(head, np.array([0.9, 0.9, 0.9]), truth)
    assert every_side_against["against_called"] == 3  # all three sided truths read "against"
    assert every_side_against["against_found"] == 2
    right = passage_figures(head, np.array([0.9, 0.9, 0.1]), truth)
    assert right["sided_macro_f1"] == 1.0
    # The first passage is a miss either way: the head called it none.
    assert right["macro_f1_three_labels"] < 1.0


@pytest.mark.slow
@NEEDS_NEWS_STANCE
def test_every_c_is_read_on_the_dev_passages(tmp_path):
    out = tmp_path / "direction.json"
    result = main(["--limit", "40", "--out", str(out)])
    assert json.loads(out.read_text()) == result
    assert result["rows"] == {"train_news": 40, "train_written": 40, "dev_on_topic": 40}
    assert set(result["passages"]) == {"shipped head", *(f"direction C={c}" for c in GRID)}
    assert "articles" not in result  # no --run, no article figures
    figures = {tuple(v.values()) for v in result["passages"].values()}
    assert len(figures) > 1  # the refits read differently from the shipped head
