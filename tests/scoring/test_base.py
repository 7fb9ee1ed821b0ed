"""The scorer contract: arguments validated once by the base, backends give their cost hint."""

from __future__ import annotations

import pytest

from analysis.scoring.base import BaseScorer
from analysis.scoring.hf_classifier import HFClassifierScorer
from analysis.scoring.nli import NLIStanceScorer
from analysis.scoring.pair_scorer import PairModelScorer
from analysis.scoring.vader import VaderToneScorer
from tests.fakes import RuleScorer


def test_the_base_validates_before_the_backend_runs():
    scorer = RuleScorer("tone")
    assert scorer.score(["a", "b"], [None, None]).shape == (2, 3) and scorer.calls == 1
    with pytest.raises(ValueError, match="expected one target per text"):
        scorer.score(["a", "b"], [None])
    assert scorer.calls == 1  # the backend never saw the bad call
    scorer.check()  # identity answers: loadable
    assert scorer.calls_per_pair() == 1


def test_local_backends_share_the_contract_and_nli_costs_two_passes():
    for cls in (VaderToneScorer, HFClassifierScorer, NLIStanceScorer, PairModelScorer):
        assert issubclass(cls, BaseScorer) and "_score" in cls.__dict__, cls
    assert NLIStanceScorer.calls_per_pair(object.__new__(NLIStanceScorer)) == 2
    with pytest.raises(NotImplementedError):
        BaseScorer().score(["a"], [None])
