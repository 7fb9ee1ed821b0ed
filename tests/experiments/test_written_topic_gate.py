"""The written passages' topic-gate shares (experiments/written_labels/topic_gate.py)."""

from __future__ import annotations

import numpy as np

from experiments.written_labels.topic_gate import gate_shares


def test_shares_count_each_topic_and_label_at_both_gates_and_over_all_topics():
    rows = [
        {"topic": "sanctions", "label": "against"},
        {"topic": "sanctions", "label": "against"},
        {"topic": "ukraine", "label": "against"},
        {"topic": "ukraine", "label": "favor"},
    ]
    table = gate_shares(np.array([0.95, 0.75, 0.2, 0.9]), rows)
    assert table["sanctions/against"] == {
        "n": 2,
        "at_least_0.9": 0.5,
        "at_least_0.7": 1.0,
        "median": 0.85,
    }
    assert table["all/against"]["n"] == 3 and table["all/against"]["at_least_0.7"] == 0.667
    assert table["ukraine/favor"]["at_least_0.9"] == 1.0  # the gate is "at least"
    assert "arms_control/favor" not in table  # no passage: no row
