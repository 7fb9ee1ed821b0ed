"""Page helpers called directly: a page module imports without drawing (its render() does)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.app_pages.evaluation import per_class_frame, per_class_shown
from dashboard.app_pages.time import time_frame


def test_time_frame_counts_a_coauthored_article_toward_each_author_in_date_order():
    meta = pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a3"],
            "day": pd.to_datetime(["2024-03-02", "2024-01-05", None]),
            "group": ["Ann Lee and Bo Li", "Ann Lee", "Ann Lee"],
            "groups": [["Ann Lee", "Bo Li"], ["Ann Lee"], ["Ann Lee"]],
            "group_kind": ["author"] * 3,
        }
    )
    positions = pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a3", "a2"],
            "topic": ["sanctions", "sanctions", "sanctions", "ukraine"],
            "status": ["discussed", "discussed", "discussed", "not_discussed"],
            "stance": [0.5, -0.2, 0.9, None],
            "stance_low": [0.1, None, None, None],
            "stance_high": [0.8, None, None, None],
            "tone": [None, 0.3, 0.1, None],
            "n_passages": [3, 1, 1, 0],
            "group_kind": ["author"] * 4,
        }
    )
    frame = time_frame(positions, meta, ["Ann Lee", "Bo Li"], [("sanctions", "Sanctions")])
    # a3 is undated, the ukraine row is not discussed, a1 has no tone: four points remain
    assert list(zip(frame["Author"], frame["article_id"], frame["Measure"], strict=True)) == [
        ("Ann Lee", "a2", "Stance"),
        ("Ann Lee", "a2", "Tone"),
        ("Ann Lee", "a1", "Stance"),
        ("Bo Li", "a1", "Stance"),
    ]
    first = frame.iloc[2]
    assert (first["low"], first["high"], first["Topic"]) == (0.1, 0.8, "Sanctions")
    assert first["shown"].startswith("+0.50")


def test_per_class_frame_keeps_the_label_order_and_leaves_undefined_scores_empty():
    from analysis.metrics import classification_report

    labels = ["favor", "against", "none"]
    # "none" never occurs and is never predicted; "against" occurs but is never predicted
    report = classification_report(
        ["favor", "favor", "against"], ["favor", "favor", "favor"], labels
    )
    frame = per_class_frame(report)
    assert list(frame["class"]) == labels
    assert frame["f1"].iloc[0] == pytest.approx(0.8)
    assert frame["precision"].isna().tolist() == [False, True, True]
    assert frame["recall"].isna().tolist() == [False, False, True]
    assert frame["f1"].isna().tolist() == [False, False, True]
    shown = per_class_shown(report)  # as the page shows it: n/a, never "None" or an empty cell
    assert shown["precision"].tolist() == ["0.667", "n/a", "n/a"]
    assert shown["recall"].tolist() == ["1.000", "0.000", "n/a"]


def test_a_passage_the_topic_head_did_not_judge_reads_not_judged():
    import numpy as np
    import pandas as pd

    from dashboard.app_pages.article import styled_scores

    table = pd.DataFrame({"Relevance": [0.7, 0.62], "About it": [0.93, np.nan]})
    html = styled_scores(table).to_html()
    assert "93%" in html and "not judged" in html and "nan" not in html


def test_the_evaluation_summary_says_which_topics_the_run_lacks():
    from types import SimpleNamespace

    import pandas as pd

    from dashboard.app_pages.evaluation import topic_summary

    labels = {"sanctions": "Sanctions"}
    ctx = SimpleNamespace(labels=labels, label=lambda t: labels.get(t, t))
    table = pd.DataFrame(
        {
            "topic": ["sanctions", "nato_expansion"],
            "task": ["stance", "stance"],
            "corrections": [2, 1],
            "changed": [1, 1],
            "with_prediction": [2, 1],
            "accuracy": [0.5, 0.0],
        }
    )
    topics = list(topic_summary(ctx, table)["Topic"])
    assert topics == ["Sanctions", "nato_expansion (not a topic of this run)"]
