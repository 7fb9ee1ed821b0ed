"""`experiments.difference_widths`: no difference is surer than the positions it compares."""

from __future__ import annotations

from experiments.difference_widths import narrower_differences
from tests.test_differences import _split_articles_run


def test_no_difference_is_narrower_than_the_positions_it_compares(tmp_path):
    """Articles that each hold one passage for and one against average 0: a difference that
    resampled whole articles only came out exactly 0 with a zero-width interval, narrower than
    both authors' own intervals, and the count said so."""
    run = _split_articles_run(tmp_path)
    narrower, compared = narrower_differences(str(run.path), str(tmp_path), "sanctions", 5)
    assert compared == 2  # stance and tone of Ann − Bob
    assert narrower == 0
