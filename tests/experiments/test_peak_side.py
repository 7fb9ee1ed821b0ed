"""``experiments.article_level.peak_side``: a stance needs one own-voice passage that takes a
side with at least tau, whatever the sum."""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.article_level.peak_side import peak_side, with_peak_rule


def test_an_article_whose_passages_each_take_a_side_weakly_reads_no_stance():
    scores = pd.DataFrame(
        {
            "article_id": ["noise"] * 4 + ["clear"] * 2,
            "topic": "sanctions",
            "reported": [False, False, False, True, False, False],
            # four weak passages sum past 0.1; the quote's 0.9 is not the author's
            "stance_favor": [0.04, 0.03, 0.04, 0.85, 0.6, 0.02],
            "stance_against": [0.01, 0.0, 0.0, 0.05, 0.0, 0.01],
        }
    )
    peak = peak_side(scores)
    assert peak[("noise", "sanctions")] == 0.05 and peak[("clear", "sanctions")] == 0.6
    positions = pd.DataFrame(
        {
            "level": ["article", "article", "author"],
            "article_id": ["noise", "clear", "noise"],
            "topic": "sanctions",
            "stance_status": ["expressed", "expressed", "expressed"],
            "stance": [0.03, 0.3, 0.03],
            "stance_low": [0.0, 0.1, 0.0],
            "stance_high": [0.06, 0.5, 0.06],
        }
    )
    ruled = with_peak_rule(positions, peak, 0.2)
    assert list(ruled["stance_status"]) == ["no_stance", "expressed", "expressed"]
    assert np.isnan(ruled.loc[0, "stance"]) and ruled.loc[1, "stance"] == 0.3
    assert with_peak_rule(positions, peak, 0.0)["stance_status"].eq("expressed").all()
    assert positions.loc[0, "stance_status"] == "expressed"  # the run's table is not changed
