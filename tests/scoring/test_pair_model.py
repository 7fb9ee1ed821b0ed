import numpy as np
import pytest
import torch

from analysis.scoring.pair_model import (
    PairModelConfig,
    load_pair_classifier,
    mark_target,
    predict_proba,
)


def test_mark_target_uses_span_or_first_case_insensitive_match():
    assert mark_target("Putin met Trump.", None, (10, 15)) == "Putin met « Trump »."
    assert mark_target("The INF treaty died.", "inf") == "The « INF » treaty died."
    assert mark_target("No mention here.", "sanctions") == "No mention here."
    assert mark_target("Text", None) == "Text"


def test_config_validation_says_what_was_expected():
    with pytest.raises(ValueError, match="expected pooling 'mean' or 'cls', got 'max'"):
        PairModelConfig(heads={"tone": ["a"]}, pooling="max")
    with pytest.raises(ValueError, match="expected format"):
        PairModelConfig.from_dict({"heads": {"tone": ["a"]}, "format": "other"})


def test_predictions_come_back_in_input_order_despite_length_sorting(tiny_pair_model_dir):
    model, tokenizer = load_pair_classifier(tiny_pair_model_dir)
    texts = [
        "A much longer sentence about sanctions and their many effects on trade.",
        "Short.",
        "Medium length text on Ukraine.",
    ]
    targets = ["sanctions", None, "Ukraine"]
    batched = predict_proba(model, tokenizer, texts, targets, batch_size=2)
    for i in range(len(texts)):
        single = predict_proba(model, tokenizer, [texts[i]], [targets[i]])
        for task in ("stance", "tone"):
            np.testing.assert_allclose(batched[task][i], single[task][0], atol=1e-5)
    assert batched["stance"].shape == (3, 3)
    np.testing.assert_allclose(batched["tone"].sum(1), 1.0, atol=1e-5)


def test_saved_weights_round_trip_and_load_in_bf16(tiny_pair_model_dir):
    fp32, tokenizer = load_pair_classifier(tiny_pair_model_dir)
    bf16, _ = load_pair_classifier(tiny_pair_model_dir, dtype=torch.bfloat16)
    assert next(bf16.parameters()).dtype == torch.bfloat16
    texts, targets = ["Sanctions hurt ordinary people."], ["sanctions"]
    a = predict_proba(fp32, tokenizer, texts, targets)["tone"]
    b = predict_proba(bf16, tokenizer, texts, targets)["tone"]
    np.testing.assert_allclose(a, b, atol=0.05)
