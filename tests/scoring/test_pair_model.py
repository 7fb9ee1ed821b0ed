import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from analysis.scoring.pair_model import (
    INFERENCE_PAD_MULTIPLE,
    PairModelConfig,
    build_inputs,
    encode_pairs,
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
    with pytest.raises(ValueError, match="expected topic_targets a list of target strings"):
        PairModelConfig(heads={"topic": ["off", "on"]}, topic_targets=["NATO", " "])
    with pytest.raises(ValueError, match=r"expected head_layers only for the heads \['tone'\]"):
        PairModelConfig(heads={"tone": ["a"]}, head_layers={"stance": [1]})
    with pytest.raises(ValueError, match="distinct layer numbers >= 0, got \\[2, 2\\]"):
        PairModelConfig(heads={"tone": ["a"]}, head_layers={"tone": [2, 2]})


def test_a_head_reads_the_layers_its_config_names_side_by_side(tiny_encoder_dir, tmp_path):
    from analysis.scoring.pair_model import build_from_encoder, save_pair_classifier

    with pytest.raises(ValueError, match="within 0-2 \\(the encoder's layers\\), got \\[1, 3\\]"):
        build_from_encoder(
            tiny_encoder_dir,
            PairModelConfig(heads={"tone": ["a", "b"]}, head_layers={"tone": [1, 3]}),
        )
    torch.manual_seed(0)
    config = PairModelConfig(
        heads={"stance": ["f", "a", "n"], "tone": ["n", "u", "p"]},
        head_layers={"tone": [1, 2]},
        max_length=32,
    )
    model = build_from_encoder(tiny_encoder_dir, config).eval()
    assert model.heads["tone"].in_features == 2 * model.heads["stance"].in_features
    save_pair_classifier(model, _tokenizer(tiny_encoder_dir), tmp_path, torch.float32)
    loaded, tokenizer = load_pair_classifier(tmp_path)
    assert loaded.config.head_layers == {"tone": [1, 2]}
    enc = encode_pairs(tokenizer, ["sanctions"], ["Sanctions hurt trade."], 32)
    with torch.no_grad():
        logits = loaded(**enc)
        hidden = loaded.encoder(**enc, output_hidden_states=True).hidden_states
        mask = enc["attention_mask"]
        tone_in = torch.cat([loaded.pool(hidden[1], mask), loaded.pool(hidden[2], mask)], -1)
        stance_in = loaded.pool(hidden[2], mask)  # not listed: the last layer alone
    assert torch.allclose(logits["tone"], loaded.heads["tone"](tone_in), atol=1e-5)
    assert torch.allclose(logits["stance"], loaded.heads["stance"](stance_in), atol=1e-5)
    probs = predict_proba(loaded, tokenizer, ["Sanctions hurt trade."], ["sanctions"])
    assert probs["tone"].shape == (1, 3)


def _tokenizer(directory):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(directory))


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


def test_inference_pads_batches_to_a_few_shapes_without_changing_predictions(
    tiny_pair_model_dir,
):
    model, tokenizer = load_pair_classifier(tiny_pair_model_dir)
    texts = ["Short.", "Sanctions on Russia were tightened again after the summit failed."]
    targets = ["sanctions", "sanctions on Russia"]
    firsts, seconds = build_inputs(texts, targets, None, model.config)
    plain = encode_pairs(tokenizer, firsts, seconds, model.config.max_length)
    padded = encode_pairs(
        tokenizer, firsts, seconds, model.config.max_length, INFERENCE_PAD_MULTIPLE
    )
    width = padded["input_ids"].shape[1]
    assert width % INFERENCE_PAD_MULTIPLE == 0 and width > plain["input_ids"].shape[1]
    with torch.inference_mode():
        unpadded = model(**plain)
    widths = []
    model.register_forward_pre_hook(
        lambda _module, _args, kwargs: widths.append(kwargs["input_ids"].shape[1]),
        with_kwargs=True,
    )
    batched = predict_proba(model, tokenizer, texts, targets, batch_size=2)
    assert widths == [width]  # what the model was given: the padded batch
    for task, logits in unpadded.items():
        expected = torch.softmax(logits.float(), dim=-1).numpy()
        np.testing.assert_allclose(batched[task], expected, atol=1e-5)


def test_bf16_batches_are_filled_to_one_row_count_and_fp32_ones_are_not(tiny_pair_model_dir):
    texts = ["Short.", "Sanctions on Russia.", "Talks on arms control resumed.", "Ukraine."]
    targets = ["sanctions", "sanctions", "arms control", "Ukraine"]
    for dtype, expected_rows in ((torch.bfloat16, [3, 3]), (torch.float32, [3, 1])):
        model, tokenizer = load_pair_classifier(tiny_pair_model_dir, dtype=dtype)
        rows = []
        model.register_forward_pre_hook(
            lambda _module, _args, kwargs, rows=rows: rows.append(kwargs["input_ids"].shape[0]),
            with_kwargs=True,
        )
        batched = predict_proba(model, tokenizer, texts, targets, batch_size=3)
        assert rows == expected_rows
        assert batched["stance"].shape == (4, 3)
        for i in range(len(texts)):  # the filler rows' outputs are dropped, not mixed in
            alone = predict_proba(model, tokenizer, [texts[i]], [targets[i]], batch_size=1)
            for task in ("stance", "tone"):
                np.testing.assert_allclose(batched[task][i], alone[task][0], atol=0.02)


def test_a_head_s_layers_are_part_of_its_scorer_s_identity(tiny_pair_model_dir, tmp_path):
    """Cached scores are keyed by identity: the same weights read over other layers must not
    reuse them."""
    import json

    from analysis.scoring.pair_scorer import PairModel, PairModelScorer

    plain = PairModelScorer("tone", "tone", PairModel(tiny_pair_model_dir)).identity()
    assert "layers" not in plain
    moved = tmp_path / "moved"
    shutil.copytree(tiny_pair_model_dir, moved)
    config = json.loads((moved / "viewpoints_model.json").read_text())
    config["head_layers"] = {"tone": [1]}  # same shapes, another layer
    (moved / "viewpoints_model.json").write_text(json.dumps(config))
    tone = PairModelScorer("tone", "tone", PairModel(moved)).identity()
    stance = PairModelScorer("stance", "stance", PairModel(moved)).identity()
    assert tone["layers"] == [1] and tone["weights_sha256"] == plain["weights_sha256"]
    assert tone != {**plain, "path": str(moved)} and "layers" not in stance


def test_a_model_config_from_a_newer_version_or_not_fitting_its_heads_is_named(tmp_path):
    import json

    with pytest.raises(ValueError, match=r"unknown fields \['head_pools'\].*newer viewpoints"):
        PairModelConfig.from_dict(
            {"heads": {"tone": ["a"]}, "format": "viewpoints-pair-classifier", "head_pools": {}}
        )
    shipped = Path(__file__).resolve().parents[2] / "analysis" / "shipped_models" / "minilm_v2"
    copy = tmp_path / "v2"
    shutil.copytree(shipped, copy)
    config = json.loads((copy / "viewpoints_model.json").read_text())
    del config["head_layers"]  # the tone_v3 weights read three layers; the config now says one
    (copy / "viewpoints_model.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match=r"heads in .*v2 do not fit its config: .*tone_v3"):
        load_pair_classifier(copy)


def test_a_broken_model_info_file_is_named_with_what_is_wrong(tiny_pair_model_dir, tmp_path):
    from analysis.scoring.pair_model import weights_sha256

    broken = Path(shutil.copytree(tiny_pair_model_dir, tmp_path / "model"))
    info = broken / "viewpoints_model.json"
    info.write_text('{\n  "heads": \n')  # cut short in a copy
    with pytest.raises(ValueError, match=r"viewpoints_model\.json is not valid JSON \(line 3"):
        load_pair_classifier(broken)
    info.write_text("[1, 2]")
    with pytest.raises(ValueError, match=r"viewpoints_model\.json: expected a JSON object"):
        weights_sha256(broken)
