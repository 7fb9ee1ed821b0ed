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
    assert map_labels({0: "NEG", 1: "NEU", 2: "POS"}, "tone") == [(0,), (1,), (2,)]
    assert map_labels({0: "POS", 1: "NEG", 2: "NEU"}, "tone") == [(1,), (2,), (0,)]
    mapping = {"LABEL_0": "negative", "LABEL_1": "neutral", "LABEL_2": "positive"}
    labels = {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}
    assert map_labels(labels, "tone", mapping) == [(0,), (1,), (2,)]
    with pytest.raises(ValueError, match="LABEL_0=negative"):
        map_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, "tone")
    # the example is the task's own labels, and the error names the model
    with pytest.raises(ValueError, match=r"of stance model m/x .*LABEL_0=favor, LABEL_1=against"):
        map_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, "stance", model="m/x")
    # a key that is not one of the model's labels is refused, not ignored
    with pytest.raises(ValueError, match=r"key\(s\) \['LABEL_9'\] are not labels of .*'NEG'"):
        map_labels({0: "NEG", 1: "NEU", 2: "POS"}, "tone", {"LABEL_9": "positive"})
    # two-class sentiment: no neutral (column None, probability 0); a third class is not optional
    assert map_labels({0: "NEGATIVE", 1: "POSITIVE"}, "tone") == [(0,), (), (1,)]
    binary = {0: "LABEL_0", 1: "LABEL_1"}
    mapping = {"LABEL_0": "negative", "LABEL_1": "positive"}
    assert map_labels(binary, "tone", mapping) == [(0,), (), (1,)]
    with pytest.raises(ValueError, match="LABEL_0=negative, LABEL_1=positive"):
        map_labels(binary, "tone")
    with pytest.raises(ValueError, match="cannot add any"):
        map_labels({0: "favor", 1: "against"}, "stance")
    with pytest.raises(ValueError, match="no match for \\['neutral'\\]"):
        map_labels({0: "NEG", 1: "POS", 2: "OTHER"}, "tone")


STARS = {0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars"}


def test_a_label_map_may_send_several_classes_to_one_label_but_none_to_nowhere():
    """A review mapped a five-star model's 1-2 stars to negative and 4-5 to positive: only the
    last of each pair was kept, and the map suggested for it dropped two classes unsaid."""
    whole = {"1 star": "negative", "2 stars": "negative", "3 stars": "neutral"}
    whole |= {"4 stars": "positive", "5 stars": "positive"}
    assert map_labels(STARS, "tone", whole) == [(0, 1), (2,), (3, 4)]
    # the suggestion maps every class, as a rating scale
    with pytest.raises(ValueError, match="1 star=negative, 2 stars=negative, 3 stars=neutral, "):
        map_labels(STARS, "tone")
    partial = {"1 star": "negative", "2 stars": "neutral", "3 stars": "positive"}
    with pytest.raises(ValueError, match=r"class\(es\) \['4 stars', '5 stars'\] .* no tone label"):
        map_labels(STARS, "tone", partial)
    # by name too: an extra class is not dropped without a word
    with pytest.raises(ValueError, match=r"\['MIXED'\] .* MIXED=<one of negative/neutral/pos"):
        map_labels({0: "NEG", 1: "NEU", 2: "POS", 3: "MIXED"}, "tone")


def test_classes_mapped_to_one_label_add_up(tmp_path, minilm_tokenizer):
    import torch
    from transformers import BertForSequenceClassification

    from tests.conftest import tiny_bert_config

    torch.manual_seed(0)
    config = tiny_bert_config(
        num_labels=5, id2label=STARS, label2id={v: k for k, v in STARS.items()}
    )
    model = BertForSequenceClassification(config)
    model.save_pretrained(tmp_path)
    minilm_tokenizer.save_pretrained(tmp_path)
    whole = {"1 star": "negative", "2 stars": "negative", "3 stars": "neutral"}
    whole |= {"4 stars": "positive", "5 stars": "positive"}
    texts = ["Good news.", "Terrible news indeed."]
    probs = create_scorer(str(tmp_path), "tone", label_map=whole).score(texts, [None, None])
    enc = minilm_tokenizer(texts, padding=True, return_tensors="pt")
    with torch.inference_mode():
        stars = torch.softmax(model.eval()(**enc).logits, dim=-1).numpy()
    expected = np.stack([stars[:, :2].sum(1), stars[:, 2], stars[:, 3:].sum(1)], axis=1)
    np.testing.assert_allclose(probs, expected, atol=1e-4)


def test_a_folder_without_its_tokenizer_is_refused_and_the_tokenizer_keys_the_cache(
    tmp_path, tiny_sentiment_dir
):
    """A review ran a classifier folder without its tokenizer files: every word read as [UNK],
    and once the files were copied in, the cache kept the [UNK] predictions."""
    import shutil

    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("config.json", "model.safetensors"):
        shutil.copy(tiny_sentiment_dir / name, bare / name)
    with pytest.raises(ModelLoadError, match=r"no tokenizer vocabulary .* copy in the tokenizer"):
        create_scorer(str(bare), "tone").score(["Good news."], [None])
    whole = tmp_path / "whole"
    shutil.copytree(tiny_sentiment_dir, whole)
    before = create_scorer(str(whole), "tone").identity()["tokenizer_sha256"]
    (whole / "tokenizer_config.json").write_text(
        (whole / "tokenizer_config.json").read_text().replace("}", ', "model_max_length": 77}', 1)
    )
    assert before and create_scorer(str(whole), "tone").identity()["tokenizer_sha256"] != before


def test_a_label_map_given_with_a_folder_is_used(tmp_path, minilm_tokenizer):
    """`viewpoints evaluate --model FOLDER --label-map ...` asked for the very map it was given."""
    import torch
    from transformers import BertForSequenceClassification

    from tests.conftest import tiny_bert_config

    torch.manual_seed(0)
    generic = {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}
    BertForSequenceClassification(tiny_bert_config(num_labels=3, id2label=generic)).save_pretrained(
        tmp_path
    )
    minilm_tokenizer.save_pretrained(tmp_path)
    mapping = {"LABEL_0": "negative", "LABEL_1": "neutral", "LABEL_2": "positive"}
    probs = create_scorer(str(tmp_path), "tone", label_map=mapping).score(["x y"], [None])
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    with pytest.raises(UnknownScorerError, match="LABEL_0=negative"):
        create_scorer(str(tmp_path), "tone")  # without it: asked for, at once


def test_a_model_without_a_classification_head_is_said_so_before_its_labels(tmp_path):
    from transformers import BertModel

    from tests.conftest import tiny_bert_config

    BertModel(tiny_bert_config()).save_pretrained(tmp_path)  # its config lists LABEL_0, LABEL_1
    with pytest.raises(UnknownScorerError, match="holds a BertModel, not a classifier") as info:
        create_scorer(str(tmp_path), "stance")
    assert "label map" not in str(info.value)


def test_a_mistyped_folder_under_a_folder_of_models_says_it_is_not_there(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    (tmp_path / "models").mkdir()
    scorer = create_scorer("models/tone33", "tone")
    with pytest.raises(ModelLoadError, match=r"models/tone33 does not exist \(its parent "):
        scorer.score(["x"], [None])


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
    assert map_labels({0: "negative", 1: "neutral", 2: "positive"}, "stance", mapping) == [
        (2,),
        (0,),
        (1,),
    ]


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
