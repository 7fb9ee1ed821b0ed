"""Coverage rules over an article's candidate passages: counts and a fitted reader."""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.article_level import coverage_rules as rules


def _cands() -> pd.DataFrame:
    # a1: two strong passages; a2: one strong passage (a passing mention); a3: weak ones only
    rows = [
        ("a1", "x", 0.7, 0.95, False),
        ("a1", "x", 0.6, 0.92, True),
        ("a2", "x", 0.7, 0.97, False),
        ("a3", "x", 0.7, 0.40, False),
        ("a3", "x", 0.6, 0.50, False),
    ]
    return pd.DataFrame(rows, columns=["article_id", "topic", "relevance", "on_topic", "reported"])


def test_a_count_rule_needs_the_strong_passage_and_k_at_the_gate():
    cands = _cands()
    assert rules.count_rule(cands, 0.55, 1, 0.9) == {("a1", "x"), ("a2", "x")}
    assert rules.count_rule(cands, 0.55, 2, 0.9) == {("a1", "x")}  # one mention is not enough
    assert rules.count_rule(cands, 0.65, 2, 0.3) == set()  # relevance drops a1's second
    assert ("a3", "x") not in rules.count_rule(cands, 0.55, 1, 0.3)  # no strong passage


def test_features_and_the_reader_separate_discussed_pairs():
    cands = _cands()
    pairs = pd.DataFrame({"article_id": ["a1", "a2", "a3", "a4"], "topic": ["x"] * 4})
    sizes = pd.Series({"a1": 10, "a2": 40, "a3": 10, "a4": 5})
    x = rules.features(cands, sizes, pairs)
    assert x.shape == (4, 11)
    assert x[0, 0] == 0.95 and x[0, 1] == 0.92 and x[0, 2] == 2  # largest, second, count >= 0.9
    assert x[0, 5] == 0.95  # the largest own-voice P(on topic): the 0.92 one is reported
    assert (x[3, :9] == 0).all()  # no candidate at all
    y = np.array([True, False, False, False])
    p = rules.CoverageReader(l2=0.1).fit(x, y).proba(x)
    assert p[0] > 0.5 > max(p[1:])
    assert rules.scores(p >= 0.5, y) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
