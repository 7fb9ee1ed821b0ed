"""The speaker-head refit experiment: dev articles split into two disjoint halves, a variant
picked on one half only, every variant read on every dev set."""

from __future__ import annotations

import json

import pytest

from analysis.records import Example
from experiments.speaker_head_refit import GRID, halves, main
from tests.conftest import NEEDS_NEWS_STANCE


def test_the_halves_split_whole_articles_and_depend_on_the_seed():
    rows = [Example(f"t{i}", "x", "none", group=f"a{i % 10}") for i in range(40)]
    tuning, held_out = halves(rows, 42)
    assert len(tuning) + len(held_out) == 40
    assert not {e.group for e in tuning} & {e.group for e in held_out}
    assert len({e.group for e in tuning}) == 5
    assert halves(rows, 42) == (tuning, held_out)
    assert {e.group for e in halves(rows, 7)[0]} != {e.group for e in tuning}


@pytest.mark.slow
@NEEDS_NEWS_STANCE
def test_every_variant_is_read_on_every_dev_set_and_one_is_picked_on_the_tuning_half(tmp_path):
    out = tmp_path / "refit.json"
    result = main(["--limit", "12", "--out", str(out)])
    assert json.loads(out.read_text()) == result
    dev = set(result["dev_rows"])
    assert {"news_speaker", "tuning_half", "held_out_half", "perspectrum_dev"} <= dev
    variants = result["macro_f1"]
    assert len(variants) == 1 + 3 * len(GRID)
    for scores in variants.values():
        assert set(scores) == dev
        assert all(0.0 <= value <= 1.0 for value in scores.values())
    best = max(v["tuning_half"] for name, v in variants.items() if name != "shipped head")
    assert variants[result["picked_on_tuning_half"]]["tuning_half"] == best
