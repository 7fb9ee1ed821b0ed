import numpy as np
import pytest

from analysis.scoring import ModelLoadError, UnknownScorerError, available, create_scorer
from analysis.scoring.label_names import map_labels
from analysis.scoring.vader import VaderToneScorer, compound_to_probabilities


def test_unknown_registered_name_lists_the_available_ones():
    with pytest.raises(UnknownScorerError) as info:
        create_scorer("tone.vadr.v1", "tone")
    for name in available("tone"):
        assert name in str(info.value)


def test_a_stance_name_is_refused_for_tone():
    with pytest.raises(UnknownScorerError, match="expected a tone model"):
        create_scorer("stance.minilm.v1", "tone")


def test_defaults_are_the_shipped_models():
    assert create_scorer(None, "stance").name == "stance.minilm.v2"
    assert create_scorer(None, "tone").name == "tone.minilm.v3"


def test_the_default_tone_is_a_second_head_read_in_the_stance_models_pass():
    from analysis.scoring.registry import create_scorers

    stance, tone = create_scorers(None, None)
    assert tone.shares_pass_with(stance) and tone.head == "tone_v3"
    assert tone.identity()["head"] == "tone_v3"
    assert tone.identity()["weights_sha256"] == stance.identity()["weights_sha256"]
    _, older = create_scorers(None, "tone.minilm.v2")
    texts, targets = ["Sanctions have failed miserably, a disgrace."], ["sanctions on Russia"]
    v3, v2 = tone.score(texts, targets), older.score(texts, targets)
    assert v3.shape == v2.shape == (1, 3) and not np.allclose(v3, v2, atol=1e-3)


def test_pair_model_directory_resolves_to_its_heads(tiny_pair_model_dir):
    scorer = create_scorer(str(tiny_pair_model_dir), "stance")
    probs = scorer.score(["We must keep the treaty."], ["arms control"])
    assert probs.shape == (1, 3)
    assert scorer.identity()["weights_sha256"]


def test_hf_classifier_reads_labels_from_id2label(tiny_sentiment_dir):
    scorer = create_scorer(str(tiny_sentiment_dir), "tone")
    probs = scorer.score(["Good news.", "Terrible news indeed."], [None, None])
    assert probs.shape == (2, 3)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)


def test_label_mapping_by_name_override_and_failure():
    assert map_labels({0: "NEG", 1: "NEU", 2: "POS"}, "tone") == [0, 1, 2]
    assert map_labels({0: "POS", 1: "NEG", 2: "NEU"}, "tone") == [1, 2, 0]
    mapping = {"LABEL_0": "negative", "LABEL_1": "neutral", "LABEL_2": "positive"}
    assert map_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, "tone", mapping) == [0, 1, 2]
    with pytest.raises(ValueError, match="LABEL_0=negative"):
        map_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, "tone")
    # the example is the task's own labels, and the error names the model
    with pytest.raises(ValueError, match=r"of stance model m/x .*LABEL_0=favor, LABEL_1=against"):
        map_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, "stance", model="m/x")
    # a key that is not one of the model's labels is refused, not ignored
    with pytest.raises(ValueError, match=r"key\(s\) \['LABEL_9'\] are not labels of .*'NEG'"):
        map_labels({0: "NEG", 1: "NEU", 2: "POS"}, "tone", {"LABEL_9": "positive"})
    # two-class sentiment: no neutral (column None, probability 0); a third class is not optional
    assert map_labels({0: "NEGATIVE", 1: "POSITIVE"}, "tone") == [0, None, 1]
    binary = {0: "LABEL_0", 1: "LABEL_1"}
    assert map_labels(binary, "tone", {"LABEL_0": "negative", "LABEL_1": "positive"}) == [
        0,
        None,
        1,
    ]
    with pytest.raises(ValueError, match="LABEL_0=negative, LABEL_1=positive"):
        map_labels(binary, "tone")
    with pytest.raises(ValueError, match="cannot add any"):
        map_labels({0: "favor", 1: "against"}, "stance")
    with pytest.raises(ValueError, match="no match for \\['neutral'\\]"):
        map_labels({0: "NEG", 1: "POS", 2: "OTHER"}, "tone")


def test_a_model_of_the_other_task_is_refused_as_such_not_offered_a_label_map():
    """A review gave a stance model as the tone model and was offered "give a label map such as
    FAVOR=negative, AGAINST=neutral, NONE=positive": numbers that mean nothing."""
    with pytest.raises(ValueError, match="are stance labels, not tone labels: give it as the "):
        map_labels({0: "FAVOR", 1: "AGAINST", 2: "NONE"}, "tone", model="m/stance")
    with pytest.raises(ValueError, match="are tone labels, not stance labels") as info:
        map_labels({0: "negative", 1: "neutral", 2: "positive"}, "stance")
    assert "label map such as" not in str(info.value)
    with pytest.raises(ValueError, match="are tone labels"):
        map_labels({0: "NEGATIVE", 1: "POSITIVE"}, "stance")
    # a label map given on purpose is the user's reading of the labels, and is kept
    mapping = {"negative": "against", "neutral": "none", "positive": "favor"}
    assert map_labels({0: "negative", 1: "neutral", 2: "positive"}, "stance", mapping) == [2, 0, 1]


def test_missing_model_is_one_line_naming_what_was_tried(tmp_path):
    scorer = create_scorer("nobody/no-such-model", "tone")
    with pytest.raises(ModelLoadError) as info:
        scorer.score(["x"], [None])
    message = str(info.value)
    assert "\n" not in message
    assert "nobody/no-such-model" in message
    assert "--local-dir" in message
    empty = tmp_path / "empty_model"
    empty.mkdir()
    with pytest.raises(UnknownScorerError, match=r"has no config\.json"):
        create_scorer(str(empty), "tone")  # said when the model is chosen, before any work


def test_vader_probabilities_follow_vaders_thresholds():
    assert compound_to_probabilities(0.6).argmax() == 2
    assert compound_to_probabilities(-0.6).argmax() == 0
    assert compound_to_probabilities(0.01).argmax() == 1
    assert compound_to_probabilities(0.05).argmax() == 2
    scorer = VaderToneScorer()
    probs = scorer.score(
        ["What a wonderful, great success!", "A horrible, disastrous failure."], [None, None]
    )
    assert probs[0].argmax() == 2 and probs[1].argmax() == 0
    np.testing.assert_allclose(probs.sum(1), 1.0)


def test_scorers_check_their_inputs():
    with pytest.raises(ValueError, match="one target per text"):
        VaderToneScorer().score(["a", "b"], [None])


def test_a_label_map_for_a_model_with_labels_of_its_own_is_refused_not_ignored():
    with pytest.raises(ValueError, match=r"stance\.minilm\.v2 gives favor/against/none itself"):
        create_scorer("stance.minilm.v2", "stance", label_map={"LABEL_0": "favor"})
    with pytest.raises(ValueError, match=r"tone\.vader\.v1 gives negative/neutral/positive itself"):
        create_scorer("tone.vader.v1", "tone", label_map={"LABEL_0": "negative"})
    assert create_scorer("stance.minilm.v2", "stance", label_map={}).name == "stance.minilm.v2"
