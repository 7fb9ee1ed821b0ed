"""Scoring a model on labelled examples, in one call or batch by batch with progress."""

from __future__ import annotations

import pytest

from analysis import evaluate
from analysis.evaluate import evaluate_scorer, probability_report
from analysis.records import Example
from tests.fakes import RuleScorer


def Lengthy() -> RuleScorer:
    """Favor for short texts, against for long ones."""
    return RuleScorer(
        rule=lambda t: [0.7, 0.2, 0.1] if len(t) < 5 else [0.2, 0.7, 0.1],
        name="stance.lengthy.v1",
    )


def test_batches_report_progress_and_give_the_same_report(monkeypatch):
    monkeypatch.setattr(evaluate, "BATCH", 2)
    examples = [Example("ab" * (i % 3 + 1), "t", ("favor", "against")[i % 2]) for i in range(5)]
    seen: list[tuple[int, int]] = []
    scorer = Lengthy()
    batched = evaluate_scorer(scorer, examples, on_batch=lambda done, n: seen.append((done, n)))
    assert seen == [(2, 5), (4, 5), (5, 5)] and scorer.calls == 3
    whole = evaluate_scorer(Lengthy(), examples)
    for key in ("macro_f1", "accuracy", "confusion", "per_class", "calibration"):
        assert batched[key] == whole[key]
    probs = Lengthy().score([e.text for e in examples], [e.target for e in examples])
    assert (
        whole["confusion"]
        == probability_report(probs, [e.label for e in examples], "stance")["confusion"]
    )
    assert whole["model"] == "stance.lengthy.v1" and whole["task"] == "stance"


def test_no_examples_is_an_error():
    with pytest.raises(ValueError, match="at least one example"):
        evaluate_scorer(Lengthy(), [])
