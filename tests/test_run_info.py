"""What a run records about itself, typed and read in one place."""

from __future__ import annotations

import pytest

from analysis.config import AggregateSection
from analysis.run_info import TopicInfo, label_from_key, run_info, run_topics


def test_topics_in_several_recorded_shapes():
    listed = {"topics": [{"key": "arms_control", "label": "Arms control", "target": "t"}]}
    assert run_topics({}, listed) == [TopicInfo("arms_control", "Arms control", "t")]
    keyed = {"topics": {"sanctions": {"label": "Sanctions on Russia"}}}
    assert run_topics({}, keyed)[0].label == "Sanctions on Russia"
    assert run_topics({}, {"topics": ["ukraine"]})[0].label == "Ukraine"
    assert run_topics({}, {}, ["arms_control"]) == [TopicInfo("arms_control", "Arms control")]
    assert label_from_key("new-start_treaty") == "New start treaty"


def test_topics_as_the_pipeline_writes_them_then_those_only_in_the_tables():
    config = {
        "topics": {"file": "", "threshold": 0.5},  # settings, not topics
        "topic_definitions": {
            "sanctions": {"key": "sanctions", "label": "Sanctions", "target": "sanctions"},
            "arms_control": {"key": "arms_control", "label": "Arms control"},
        },
    }
    info = run_info({}, config, ["arms_control", "sanctions", "cyber"])
    assert info.topic_keys() == ["sanctions", "arms_control", "cyber"]
    assert list(info.topic_labels().values()) == ["Sanctions", "Arms control", "Cyber"]
    meta = {"topics": [{"key": "ukraine", "label": "War in Ukraine"}]}
    assert run_topics(meta, {"topics": {"file": ""}}) == [TopicInfo("ukraine", "War in Ukraine")]


def test_models_threshold_and_aggregation_of_a_run():
    meta = {
        "run_id": "r1",
        "seed": 3,
        "models": {"stance": {"name": "stance.minilm.v2", "weights_sha256": "ab"}, "tone": "vader"},
    }
    config = {
        "topics": {"threshold": 0.55, "file": "my_topics.toml"},
        "aggregate": {"seed": 3, "n_bootstrap": 100, "stance_rule": "balance"},
    }
    info = run_info(meta, config)
    assert (info.run_id, info.seed, info.threshold) == ("r1", 3, 0.55)
    assert info.model_name("stance") == "stance.minilm.v2"
    assert info.model_name("tone") == "vader"  # an older run recorded a bare name
    assert info.model_name("quoted") is None
    assert info.topics_file == "my_topics.toml"
    assert info.aggregation == AggregateSection(seed=3, n_bootstrap=100, stance_rule="balance")
    assert info.aggregation_error is None


def test_an_empty_or_odd_record_reads_as_unknowns_not_errors():
    info = run_info(None, {"topics": "x", "models": 3})
    assert info.topics == () and info.models == {} and info.threshold is None
    assert info.topics_file is None and info.aggregation == AggregateSection()
    odd = run_info({}, {"aggregate": {"seed": -1}})
    assert odd.aggregation == AggregateSection()
    assert "aggregate.seed: expected an integer >= 0" in (odd.aggregation_error or "")
    assert run_info({}, {"topics": {"threshold": True}}).threshold is None


@pytest.mark.parametrize("threshold", [0, 0.0, 1])
def test_a_zero_or_whole_threshold_is_a_threshold(threshold):
    assert run_info({}, {"topics": {"threshold": threshold}}).threshold == float(threshold)


def test_how_topic_passages_were_found_is_read_from_the_recorded_matcher():
    cascade = {"topic_matcher": {"method": "m", "first_stage": {"name": "minilm-static"}}}
    assert run_info(cascade, {}).relevance == "cascade"
    assert run_info({"topic_matcher": {"method": "m"}}, {}).relevance == "full"  # older runs
    assert run_info({}, {}).relevance is None


def test_the_topic_gate_is_read_only_for_a_run_that_had_one():
    config = {"topics": {"threshold": 0.55, "gate": 0.9}}
    gated = {"models": {"stance": {"name": "s"}, "topic_gate": {"name": "s:topic"}}}
    assert run_info(gated, config).gate == 0.9
    # Every config records a gate; a run whose stance model has no topic head never used it.
    assert run_info({"models": {"stance": {"name": "s"}}}, config).gate is None
    assert run_info(gated, {"topics": {"gate": "high"}}).gate is None
