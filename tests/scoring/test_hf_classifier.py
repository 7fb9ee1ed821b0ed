"""A Hugging Face sequence classifier as a scorer: batches padded to a few shapes."""

from __future__ import annotations

import numpy as np

import analysis.scoring.hf_classifier as hf_classifier
from analysis.scoring.hf_classifier import HFClassifierScorer

TEXTS = [
    "Good news.",
    "Terrible news indeed, and the talks collapsed again after a long night in Geneva.",
    "The sanctions were tightened.",
]


def test_batches_are_padded_to_a_few_shapes_without_changing_scores(
    tiny_sentiment_dir, monkeypatch
):
    monkeypatch.setattr(hf_classifier, "INFERENCE_PAD_MULTIPLE", 1)  # no padding
    unpadded = HFClassifierScorer(
        str(tiny_sentiment_dir), "tone", batch_size=2, precision="fp32"
    ).score(TEXTS, [None] * 3)
    monkeypatch.undo()
    scorer = HFClassifierScorer(str(tiny_sentiment_dir), "tone", batch_size=2, precision="fp32")
    model = scorer.loaded[0]
    widths: list[int] = []
    model.register_forward_pre_hook(
        lambda _module, _args, kwargs: widths.append(kwargs["input_ids"].shape[1]),
        with_kwargs=True,
    )
    padded = scorer.score(TEXTS, [None] * 3)
    assert len(widths) == 2 and all(w % 32 == 0 for w in widths)
    np.testing.assert_allclose(padded, unpadded, atol=1e-5)


def test_retrained_weights_and_other_options_are_another_model_for_the_cache(
    tiny_sentiment_dir, tmp_path
):
    import shutil

    import torch
    from transformers import AutoModelForSequenceClassification

    from analysis.cache import model_key

    folder = tmp_path / "mine"
    shutil.copytree(tiny_sentiment_dir, folder)
    first = HFClassifierScorer(str(folder), "tone", precision="fp32").identity()
    assert first["weights_sha256"] and first["pair"] is False and first["max_length"] == 256
    model = AutoModelForSequenceClassification.from_pretrained(folder)
    with torch.no_grad():
        model.classifier.bias.add_(1.0)
    model.save_pretrained(folder)  # retrained in place: same folder, same name
    retrained = HFClassifierScorer(str(folder), "tone", precision="fp32").identity()
    assert retrained["name"] == first["name"]
    assert retrained["weights_sha256"] != first["weights_sha256"]
    keys = {
        model_key(first),
        model_key(retrained),
        model_key(HFClassifierScorer(str(folder), "tone", pair=True, precision="fp32").identity()),
        model_key(
            HFClassifierScorer(str(folder), "tone", max_length=16, precision="fp32").identity()
        ),
    }
    assert len(keys) == 4


def test_precision_is_honoured_and_recorded(tiny_sentiment_dir):
    import torch

    for precision, dtype in (("bf16", torch.bfloat16), ("fp32", torch.float32)):
        scorer = HFClassifierScorer(str(tiny_sentiment_dir), "tone", precision=precision)
        assert next(scorer.loaded[0].parameters()).dtype == dtype
        assert scorer.identity()["precision"] == str(dtype).removeprefix("torch.")
        probs = scorer.score(TEXTS, [None] * 3)
        assert probs.dtype == np.float32 and np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_a_two_class_sentiment_model_scores_tone_without_neutral(tmp_path, minilm_tokenizer):
    import pytest
    import torch
    from transformers import BertForSequenceClassification

    from tests.conftest import tiny_bert_config

    torch.manual_seed(0)
    labels = {0: "NEGATIVE", 1: "POSITIVE"}
    config = tiny_bert_config(
        num_labels=2, id2label=labels, label2id={v: k for k, v in labels.items()}
    )
    BertForSequenceClassification(config).save_pretrained(tmp_path)
    minilm_tokenizer.save_pretrained(tmp_path)
    scorer = HFClassifierScorer(str(tmp_path), "tone", precision="fp32")
    with pytest.warns(RuntimeWarning, match="has no neutral class"):
        probs = scorer.score(TEXTS, [None] * 3)
    assert probs.shape == (3, 3) and (probs[:, 1] == 0).all()  # never neutral
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert scorer.identity()["absent_labels"] == ["neutral"]


def test_a_base_encoder_without_a_classification_head_is_refused(
    tiny_encoder_dir, tiny_sentiment_dir, capsys
):
    """An encoder saved without a classifier would get a random head, drawn anew on every load:
    its tone would be noise that the flat-model warning need not catch. Refused, in one line
    that names the missing weights; a model that has its head loads as before."""
    import pytest

    from analysis.scoring.base import ModelLoadError

    scorer = HFClassifierScorer(str(tiny_encoder_dir), "tone", precision="fp32")
    with pytest.raises(ModelLoadError) as err:
        scorer.score(TEXTS, [None] * 3)
    message = str(err.value)
    assert "no trained classification head" in message and "classifier.weight" in message
    assert "\n" not in message
    assert "MISSING" not in capsys.readouterr().out  # transformers' own load report held back
    assert HFClassifierScorer(str(tiny_sentiment_dir), "tone").score(TEXTS, [None] * 3).shape == (
        3,
        3,
    )


def test_a_model_missing_other_weights_than_its_head_is_refused_for_what_it_lacks():
    from analysis.scoring.hf_classifier import untrained_weights_message

    head = untrained_weights_message("tone", "here", ["classifier.bias", "classifier.weight"])
    assert "no trained classification head" in head and "base encoder" in head
    pooler = untrained_weights_message("tone", "here", ["bert.pooler.dense.weight"])
    assert "lacks some of its weights: bert.pooler.dense.weight" in pooler
    assert "classification head" not in pooler
