"""Small-sample intervals: the widening, and that positions on few passages get honest ones."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import t

from analysis.aggregate import positions
from analysis.intervals import t_multiplier, widen
from tests.test_aggregate import TOPICS, article, score, tables


def test_the_multiplier_is_the_t_intervals_in_bootstrap_standard_deviations():
    k = np.array([2, 3, 5, 10, 50])
    expected = t.ppf(0.975, k - 1) * np.sqrt(k / (k - 1))
    assert t_multiplier(k, 0.95) == pytest.approx(expected)
    assert t_multiplier(2, 0.95) > 17 and t_multiplier(50, 0.95) < 2.05
    assert np.all(np.diff(t_multiplier(np.arange(2, 40), 0.95)) < 0)  # fades with k
    assert np.isnan(t_multiplier(np.array([0, 1]), 0.95)).all()  # one unit: no interval
    # a 90% interval reaches less far than a 95% one at the same k
    assert t_multiplier(3, 0.90) < t_multiplier(3, 0.95)


def test_the_percentile_interval_is_extended_to_at_least_the_t_interval_within_bounds():
    low, high = widen(
        np.array([0.2, 0.9, np.nan, 0.1, 0.0]),
        np.array([0.1, 0.8, 0.0, np.nan, -0.5]),
        np.array([0.4, 1.0, 0.5, 0.3, 0.5]),
        np.array([0.02, 0.05, 0.1, 0.1, 0.01]),
        np.array([3, 2, 3, 3, 100]),
        0.95,
        1.0,
    )
    m3, m2 = float(t_multiplier(3, 0.95)), float(t_multiplier(2, 0.95))
    assert low[0] == pytest.approx(0.2 - m3 * 0.02) and high[0] == 0.4  # the wider end kept
    assert low[1] == pytest.approx(0.9 - m2 * 0.05) and high[1] == 1.0  # clipped at the end
    assert (low[2], high[2]) == (0.0, 0.5)  # no point: left as it was
    assert np.isnan(low[3]) and high[3] == 0.3  # a missing end stays missing
    assert (low[4], high[4]) == (-0.5, 0.5)  # many units: the percentile interval as it is
    # a point outside the percentile interval ends up inside the extended one
    low, high = widen(np.array([0.5]), np.array([0.6]), np.array([0.7]), 0.01, 50, 0.95, 1.0)
    assert low[0] < 0.5 and high[0] == 0.7


def _articles_of(values: np.ndarray, prefix: str = "a"):
    """One article per row of ``values``, each row its passages' stances on sanctions."""
    arts, rows = [], []
    for j, stances in enumerate(values):
        aid = f"{prefix}{j}"
        arts.append(article(aid, f"Writer {prefix}{j}", n_passages=len(stances)))
        rows += [
            score(f"{aid}:{i}", "sanctions", 0.9, float(value), 0.0)
            for i, value in enumerate(stances)
        ]
    return tables(arts, rows)


def test_an_article_on_two_passages_is_not_as_sure_as_their_two_values():
    table = positions(*_articles_of(np.array([[0.5, 0.7]])), TOPICS)
    row = table.query("level == 'article' and topic == 'sanctions'").iloc[0]
    assert row["stance"] == pytest.approx(0.6)
    # a percentile interval would be [0.5, 0.7]; two passages say much less than that
    assert row["stance_low"] < 0.0 and row["stance_high"] == 1.0


def test_intervals_on_three_passages_hold_the_mean_they_estimate_about_as_often_as_they_say():
    rng = np.random.default_rng(3)
    true_mean = 0.2
    values = np.clip(rng.normal(true_mean, 0.2, size=(300, 3)), -1, 1)
    table = positions(*_articles_of(values), TOPICS)
    rows = table.query("level == 'article' and topic == 'sanctions'")
    held = ((rows["stance_low"] <= true_mean) & (true_mean <= rows["stance_high"])).mean()
    # a plain percentile interval over three normal draws held the mean 74% of the time here
    assert held >= 0.92


def test_two_stage_sums_draw_whole_articles_then_passages_in_bounded_blocks():
    from analysis.intervals import two_stage_sums

    # two articles of 1 and 5 passages; column 0 counts rows, column 1 names the article
    rows = np.array([[1.0, 0.0]] + [[1.0, 1.0]] * 5)
    sizes = np.array([1, 5])
    for max_rows in (3, 1 << 20):  # one replicate per block, or all in one
        sums = two_stage_sums(rows, sizes, np.random.default_rng(0), 400, max_rows=max_rows)
        assert sums.shape == (400, 2)
        # a replicate draws two articles whole in size: 1 + 1, 1 + 5 or 5 + 5 passages
        assert set(sums[:, 0]) == {2.0, 6.0, 10.0}
        # and its passages from the articles drawn: the second article's count is 0, 5 or 10
        assert set(sums[:, 1]) == {0.0, 5.0, 10.0}
    one = two_stage_sums(rows[1:], np.array([5]), np.random.default_rng(0), 50)
    assert set(one[:, 0]) == {5.0}  # one article: its passages are resampled


def test_a_mixed_stance_leans_only_where_its_whole_interval_is_on_one_side():
    from analysis.intervals import mixed_lean

    assert mixed_lean(0.03, 0.49) == "favor"
    assert mixed_lean(-0.4, -0.01) == "against"
    assert mixed_lean(-0.1, 0.3) is None
    assert mixed_lean(0.0, 0.3) is None  # reaching 0 is no lean
    assert mixed_lean(0.01, 0.04) is None  # practically 0: no side worth naming
    assert mixed_lean(None, 0.3) is None and mixed_lean(float("nan"), 0.2) is None
