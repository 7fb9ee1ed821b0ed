"""The per-topic coverage sweep: each topic gets the pair that covers its articles best."""

from __future__ import annotations

import pandas as pd

from experiments.article_level import per_topic_coverage as sweep


def _truth() -> pd.DataFrame:
    rows = [
        ("a1", "x", True),
        ("a2", "x", False),
        ("a1", "y", True),
        ("a2", "y", False),
    ]
    return pd.DataFrame(rows, columns=["article_id", "topic", "truth"])


def test_each_topic_gets_the_gate_that_separates_its_articles():
    # Topic x: the discussed article's passage has P(on topic) 0.6, the other's 0.4 (a low
    # gate is right); topic y: 0.97 against 0.92 (only the highest gate separates them).
    cands = pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a1", "a2"],
            "topic": ["x", "x", "y", "y"],
            "relevance": [0.7, 0.7, 0.7, 0.7],
            "on_topic": [0.6, 0.4, 0.97, 0.92],
        }
    )
    grid = sweep.sweep(cands, _truth())
    shared, per_topic = sweep.choose(grid, ["x", "y"])
    assert 0.4 < per_topic["x"][1] <= 0.6 and 0.92 < per_topic["y"][1] <= 0.97
    best = sweep.evaluate(grid, per_topic)
    assert best["all"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert sweep.evaluate(grid, dict.fromkeys(["x", "y"], shared))["all"]["f1"] < 1.0
    assert sweep.evaluate(grid, dict.fromkeys(["x", "y"], (0.55, 0.9)))["x"]["recall"] == 0.0
