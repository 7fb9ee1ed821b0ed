"""The news stance recipe: three heads, stages that continue from each other, a model card."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from analysis.datasets import Example
from analysis.scoring import create_scorer
from analysis.scoring.pair_scorer import (
    TONE_V3_HEAD,
    PairModel,
    PairModelScorer,
    quoted_voice,
    topic_head_targets,
)
from experiments.train_minilm import add_lora, judged_targets, load_adapter_into
from experiments.train_news_stance import (
    HEADS,
    NEGATED_TARGETS,
    NewsRecipeConfig,
    balanced_logistic_head,
    calibrate_offsets,
    fit_tone_v3,
    last_layers,
    negated_examples,
    news_examples,
    pooled_features,
    refit_head,
    replace_section,
    run_stage,
    side_targets,
    written_examples,
)
from tests.conftest import NEEDS_NEWS_STANCE


def test_news_rows_give_author_and_speaker_examples():
    rows = [
        {
            "text": "t1",
            "target": "x",
            "label": "favor",
            "speaker_label": None,
            "on_topic": True,
            "article_id": "a",
        },
        {
            "text": "t2",
            "target": "x",
            "label": "none",
            "speaker_label": "against",
            "on_topic": True,
            "article_id": "a",
        },
        {
            "text": "t3",
            "target": "x",
            "label": "favor",
            "speaker_label": "favor",
            "on_topic": False,
            "article_id": "b",
        },
    ]
    author = news_examples(rows, "stance")
    # An off-topic passage takes no side on the target, whatever was written for it.
    assert [e.label for e in author] == ["favor", "none", "none"]
    speaker = news_examples(rows, "speaker")
    assert [(e.text, e.label) for e in speaker] == [("t2", "against"), ("t3", "favor")]
    assert [e.text for e in news_examples(rows, "stance", on_topic_only=True)] == ["t1", "t2"]


def test_the_title_context_experiment_puts_the_articles_title_before_its_passages():
    rows = [
        {"text": "t1", "target": "x", "label": "favor", "on_topic": True, "article_id": "a"},
        {"text": "t2", "target": "x", "label": "none", "on_topic": True, "article_id": "b"},
    ]
    rows[0]["title"] = "  Keep the treaty "
    rows[1]["title"] = " "
    titled_rows = news_examples(rows, "stance", title=True)
    assert [e.text for e in titled_rows] == ["[Keep the treaty] t1", "t2"]
    assert [e.text for e in news_examples(rows, "stance")] == ["t1", "t2"]


def test_the_side_definitions_experiment_puts_what_either_side_means_after_the_target():
    sides = {"favor": "keeps the treaties", "against": "favours a build-up"}
    rows = [
        {"text": "t1", "target": "arms control", "label": "against", "on_topic": True},
        {"text": "t2", "target": "arms control", "label": "none", "on_topic": False},
    ]
    rows = [dict(r, article_id="a", topic="arms_control", **sides) for r in rows]
    sided = news_examples(rows, "stance", sides=True)
    expected = "arms control (for: keeps the treaties; against: favours a build-up)"
    assert [(e.text, e.target, e.label) for e in sided] == [
        ("t1", expected, "against"),
        ("t2", expected, "none"),
    ]
    assert side_targets(rows) == {"arms_control": expected}  # as a run's topics get it
    assert {e.target for e in news_examples(rows, "stance")} == {"arms control"}


def test_the_negated_targets_experiment_swaps_sides_against_the_reversed_target():
    rows = [
        {"text": "t1", "label": "favor", "speaker_label": "against", "on_topic": True},
        {"text": "t2", "label": "none", "speaker_label": None, "on_topic": True},
        {"text": "t3", "label": "favor", "speaker_label": "favor", "on_topic": False},
    ]
    rows = [dict(r, article_id="a", topic="sanctions", target="sanctions on Russia") for r in rows]
    reverse = NEGATED_TARGETS["sanctions"]
    author = negated_examples(rows, "stance")
    # Off-topic passages stay out: their "none" says nothing about either target.
    assert [(e.text, e.target, e.label) for e in author] == [
        ("t1", reverse, "against"),
        ("t2", reverse, "none"),
    ]
    assert [(e.text, e.label) for e in negated_examples(rows, "speaker")] == [("t1", "favor")]
    unknown = [dict(rows[0], topic="my_topic")]
    assert negated_examples(unknown, "stance") == []  # no reverse written for it


def test_written_passages_train_both_stance_heads_with_the_topic_target(tmp_path):
    path = tmp_path / "written.jsonl"
    rows = [
        {"id": "a1", "topic": "sanctions", "text": "Lift them.", "label": "against"},
        {
            "id": "a2",
            "topic": "ukraine",
            "text": "Kyiv said it will fight.",
            "label": "none",
            "speaker_label": "favor",
        },
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    author, speaker = written_examples(path)
    assert [(e.target, e.label) for e in author] == [
        ("sanctions on Russia", "against"),
        ("Ukraine against Russia", "none"),
    ]
    # Only a passage that reports a speaker teaches the speaker head.
    assert [(e.text, e.label) for e in speaker] == [("Kyiv said it will fight.", "favor")]
    path.write_text(json.dumps({**rows[0], "topic": "iran"}) + "\n")
    with pytest.raises(ValueError, match=r"written\.jsonl:1: expected a topic of"):
        written_examples(path)


def test_a_topic_head_judges_the_targets_it_saw_enough_of_each_label_for():
    rows = [Example("t", "NATO", "on")] * 60 + [Example("t", "NATO", "off")] * 8
    rows += [Example("t", "sanctions", "on")] * 50 + [Example("t", "sanctions", "off")] * 51
    assert judged_targets(rows, ["off", "on"]) == ["sanctions"]
    assert judged_targets(rows, ["off", "on"], minimum=8) == ["NATO", "sanctions"]


def test_config_rejects_unknown_heads_and_stages():
    with pytest.raises(ValueError, match="expected tasks from"):
        NewsRecipeConfig(tasks=["opinion"])
    with pytest.raises(ValueError, match="expected stage 1, 2 or 3"):
        NewsRecipeConfig(stage=4)


@NEEDS_NEWS_STANCE
def test_two_stages_train_three_heads_and_the_speaker_head_reads_quotes(tmp_path, tiny_encoder_dir):
    common = {"base": str(tiny_encoder_dir), "limit": 16, "max_length": 64, "seed": 5}
    first = run_stage(NewsRecipeConfig(stage=1, **common), tmp_path / "s1", None, "cpu")
    assert set(first["train_examples"]) == {"stance", "speaker", "tone"}
    assert "stance/news_author" in first["dev"] and "speaker/news_speaker" in first["dev"]
    second = run_stage(NewsRecipeConfig(stage=2, **common), tmp_path / "s2", tmp_path / "s1", "cpu")
    # Stage 2 adds the topic head to what stage 1 learned.
    assert set(second["train_examples"]) == set(HEADS)
    assert "topic/news_topic" in second["dev"]
    card = (tmp_path / "s2" / "MODEL_CARD.md").read_text()
    assert "Stage 2" in card and "| speaker | news_speaker |" in card and "`topic`" in card
    # the command that trains it again, with the flags of its settings (seed 5, 16 rows)
    command = "python -m experiments.train_news_stance --out DIR --stage {} --seed 5 --limit 16"
    assert f"- Command: `{command.format('all')}`" in card
    assert f"this stage alone: `{command.format(2)}` with `--init-from` the previous" in card
    assert f"(Base encoder {common['base']}: no flag of this command.)" in card
    metrics = json.loads((tmp_path / "s2" / "metrics.json").read_text())
    assert metrics["config"]["stage"] == 2 and second["dev"]
    # the targets its topic head judges are recorded (none from 16 rows: too few of each label),
    # so no target is trusted to it: every topic keeps its counter-examples
    saved = json.loads((tmp_path / "s2" / "viewpoints_model.json").read_text())
    assert saved["topic_targets"] == []
    assert topic_head_targets(create_scorer(str(tmp_path / "s2"), "stance")) == frozenset()
    stance = create_scorer(str(tmp_path / "s2"), "stance")
    quoted = quoted_voice(stance)
    assert quoted is not stance and quoted.head == "speaker"
    assert quoted.identity()["head"] == "speaker" and "head" not in stance.identity()
    texts, targets = ['"Sanctions must stay," Smith said.'], ["sanctions on Russia"]
    a, b = stance.score(texts, targets), quoted.score(texts, targets)
    assert a.shape == b.shape == (1, 3) and not torch.allclose(torch.tensor(a), torch.tensor(b))
    # Stage 4 refits the tone head alone: tone moves, the author's stance does not.
    tone_before = create_scorer(str(tmp_path / "s2"), "tone").score(texts, targets)
    refit = refit_head(tmp_path / "s2", "tone", seed=5, steps=30, log=lambda _: None, limit=32)
    assert set(refit["dev"]) == {
        f"tone/{split}/{when}" for split in ("dev_rw", "dev_mt") for when in ("before", "after")
    }
    assert (tmp_path / "s2" / "refit.json").is_file()
    assert "Stage 4: the tone head refitted" in (tmp_path / "s2" / "MODEL_CARD.md").read_text()
    tone_after = create_scorer(str(tmp_path / "s2"), "tone").score(texts, targets)
    stance_after = create_scorer(str(tmp_path / "s2"), "stance").score(texts, targets)
    assert not torch.allclose(torch.tensor(tone_before), torch.tensor(tone_after))
    assert torch.allclose(torch.tensor(a), torch.tensor(stance_after), atol=1e-3)
    # The decision offsets go into the stance heads' biases and are reported on held-out data.
    from safetensors.torch import load_file

    adapter = tmp_path / "s2" / "adapter.safetensors"
    before = {h: load_file(str(adapter))[f"heads.{h}.bias"].float() for h in ("stance", "speaker")}
    calibration = calibrate_offsets(tmp_path / "s2", log=lambda _: None)
    after = {h: load_file(str(adapter))[f"heads.{h}.bias"].float() for h in ("stance", "speaker")}
    offsets = calibration["speaker"]
    shift = torch.tensor([offsets["favor_offset"], offsets["against_offset"], 0.0])
    assert offsets["applied"] and torch.allclose(
        after["speaker"], before["speaker"] + shift, atol=1e-2
    )
    # The author head's offsets are measured and reported, not applied.
    assert not calibration["stance"]["applied"]
    assert torch.equal(after["stance"], before["stance"])
    assert offsets["tune_after"] >= offsets["tune_before"]
    assert {"check_before", "check_after", "dev_after"} <= set(offsets)
    card = (tmp_path / "s2" / "MODEL_CARD.md").read_text()
    assert "Decision offsets of the stance heads" in card
    # Stage 5 adds a second tone head (tone.minilm.v3) and moves no other head.
    heads_before = {
        h: create_scorer(str(tmp_path / "s2"), "stance").model.predict(texts, targets)[h]
        for h in ("stance", "speaker", "tone", "topic")
    }
    config_path = tmp_path / "s2" / "viewpoints_model.json"
    last = json.loads(config_path.read_text())["encoder"]["num_hidden_layers"]
    fitted = fit_tone_v3(
        tmp_path / "s2", seed=5, log=lambda _: None, limit=32, grid=(0.1, 1.0), depths=(0, 1)
    )
    assert fitted["c"] in (0.1, 1.0) and set(fitted["dev"]) == {"dev_rw", "dev_mt"}
    assert {(tuple(t["layers"]), t["c"]) for t in fitted["tried"]} == {
        (layers, c) for layers in ((last,), (last - 1, last)) for c in (0.1, 1.0)
    }
    assert fitted["train"] == 64
    assert (
        json.loads(config_path.read_text()).get("head_layers", {}).get(TONE_V3_HEAD, [last])
        == fitted["layers"]
    )
    model = create_scorer(str(tmp_path / "s2"), "stance").model
    assert model.heads[TONE_V3_HEAD] == HEADS["tone"]
    after_v3 = model.predict(texts, targets)
    for head, probs in heads_before.items():
        assert np.allclose(probs, after_v3[head], atol=1e-3), head
    assert not np.allclose(after_v3[TONE_V3_HEAD], after_v3["tone"], atol=1e-3)
    assert "Stage 5: a second tone head" in (tmp_path / "s2" / "MODEL_CARD.md").read_text()
    assert json.loads((tmp_path / "s2" / "tone_v3.json").read_text())["c"] == fitted["c"]
    # Fitted again on two layers side by side: the model says which layers the head reads,
    # loads and predicts with it, and the card keeps one stage-5 section, rewritten.
    again = fit_tone_v3(
        tmp_path / "s2", seed=5, log=lambda _: None, limit=32, grid=(1.0,), depths=(1,)
    )
    assert again["layers"] == [last - 1, last]
    assert json.loads(config_path.read_text())["head_layers"] == {TONE_V3_HEAD: [last - 1, last]}
    two_layers = create_scorer(str(tmp_path / "s2"), "stance").model.predict(texts, targets)
    for head, probs in heads_before.items():
        assert np.allclose(probs, two_layers[head], atol=1e-3), head
    assert np.allclose(two_layers[TONE_V3_HEAD].sum(-1), 1.0, atol=1e-4)
    card = (tmp_path / "s2" / "MODEL_CARD.md").read_text()
    assert card.count("## Stage 5: a second tone head") == 1
    # The head reads, in the model, the features it was fitted on: the saved weights over the
    # pooled layers it names give the model's own logits, and the fit's slice of the last
    # layers is those layers.
    from safetensors.torch import load_file

    from analysis.scoring.pair_model import build_inputs, encode_pairs, load_pair_classifier

    rows = [Example(t, g, "neutral") for t, g in zip(texts * 2, [*targets, None], strict=True)]
    loaded = load_pair_classifier(tmp_path / "s2")
    both = pooled_features(tmp_path / "s2", rows, loaded=loaded, layers=[last - 1, last])
    alone = pooled_features(tmp_path / "s2", rows, loaded=loaded, layers=[last])
    width = both[0].shape[1] // 2
    assert torch.allclose(last_layers(both[0], 0, width), alone[0])
    assert torch.equal(last_layers(both[0], 1, width), both[0])
    state = load_file(str(tmp_path / "s2" / "adapter.safetensors"))
    weight, bias = (state[f"heads.{TONE_V3_HEAD}.{k}"].float() for k in ("weight", "bias"))
    firsts, seconds = build_inputs(
        [r.text for r in rows], [r.target for r in rows], None, loaded[0].config
    )
    with torch.no_grad():
        logits = loaded[0](**encode_pairs(loaded[1], firsts, seconds, 32))[TONE_V3_HEAD]
    assert torch.allclose(logits, both[0] @ weight.T + bias, atol=1e-4)
    assert f"layers [{last - 1}, {last}]" in card


def test_a_stage_run_again_rewrites_its_model_card_section():
    card = "# Model\n\n## Stage 4\n\nold four\n\n## Stage 5\n\nold five\n\n## Targets\n\nt\n"
    again = replace_section(card, ["## Stage 5", "", "new five"])
    assert (
        again == "# Model\n\n## Stage 4\n\nold four\n\n## Stage 5\n\nnew five\n\n## Targets\n\nt\n"
    )
    added = replace_section(card, ["## Stage 6", "", "six"])
    assert added == card + "\n## Stage 6\n\nsix\n"
    last = replace_section("# M\n\n## Stage 5\n\nold\n", ["## Stage 5", "", "new"])
    assert last == "# M\n\n## Stage 5\n\nnew\n"


def test_the_balanced_logistic_head_fits_separable_data_and_weighs_rare_classes_up():
    generator = torch.Generator().manual_seed(0)
    centres = torch.tensor([[3.0, 0.0], [0.0, 3.0], [-3.0, -3.0]])
    y = torch.tensor([0] * 200 + [1] * 200 + [2] * 10)
    x = centres[y] + torch.randn(len(y), 2, generator=generator)
    weight, bias = balanced_logistic_head(x, y, 3, c=1.0)
    assert weight.shape == (3, 2) and bias.shape == (3,)
    assert ((x @ weight.T + bias).argmax(1) == y).float().mean() > 0.97
    # Balanced weighting is the same fit as repeating the rare class to the others' size (with
    # the penalty scaled to the same total weight: 410 balanced rows against 600 repeated).
    repeated_w, repeated_b = balanced_logistic_head(
        torch.cat([x, x[y == 2].repeat(19, 1)]),
        torch.cat([y, y[y == 2].repeat(19)]),
        3,
        c=410 / 600,
    )
    probe = torch.tensor([[1.5, 0.0], [0.0, 0.0], [-1.5, -1.5]])
    assert torch.allclose(probe @ weight.T + bias, probe @ repeated_w.T + repeated_b, atol=2e-2)
    # A stronger penalty (smaller c) gives smaller weights.
    small, _ = balanced_logistic_head(x, y, 3, c=0.001)
    assert small.norm() < weight.norm()


def test_grouped_balancing_makes_a_small_data_set_count_as_much_as_a_large_one():
    generator = torch.Generator().manual_seed(0)
    # Two data sets that disagree on the same region: 1,000 rows of class 0 and 20 of class 1.
    x = torch.randn(1020, 2, generator=generator) * 0.1 + torch.tensor([1.0, 0.0])
    y = torch.tensor([0] * 1000 + [1] * 20)
    groups = torch.tensor([0] * 1000 + [1] * 20)
    probe = torch.tensor([[1.0, 0.0]])

    def p_small(weight, bias):
        return torch.softmax(probe @ weight.T + bias, dim=1)[0, 1].item()

    # Grouped, the two data sets weigh the same: where they disagree it is a coin toss.
    grouped = balanced_logistic_head(x, y, 2, c=1.0, groups=groups)
    assert 0.4 < p_small(*grouped) < 0.6
    # One group is the ungrouped fit.
    one = balanced_logistic_head(x, y, 2, c=1.0, groups=torch.zeros(1020, dtype=torch.long))
    plain = balanced_logistic_head(x, y, 2, c=1.0)
    assert torch.allclose(one[0], plain[0]) and torch.allclose(one[1], plain[1])
    # Where the large data set has both classes and the small one only one, grouping lets the
    # small one pull its region toward its class far more than pooling does.
    y_mixed = torch.tensor([0] * 900 + [1] * 100 + [1] * 20)
    pooled = balanced_logistic_head(x, y_mixed, 2, c=1.0)
    grouped = balanced_logistic_head(x, y_mixed, 2, c=1.0, groups=groups)
    assert p_small(*grouped) > p_small(*pooled) + 0.1


def test_a_stage_starts_from_the_saved_adapter(tmp_path, tiny_encoder_dir, minilm_tokenizer):
    pytest.importorskip("peft")
    from analysis.scoring.pair_model import PairModelConfig, build_from_encoder, save_pair_adapter

    cfg = NewsRecipeConfig(base=str(tiny_encoder_dir), lora_rank=4)
    config = PairModelConfig(heads=dict(HEADS), max_length=32)
    torch.manual_seed(1)
    trained = build_from_encoder(tiny_encoder_dir, config)
    add_lora(trained, cfg)
    with torch.no_grad():
        for value in trained.parameters():
            if value.requires_grad:
                value.add_(torch.randn_like(value) * 0.05)
    save_pair_adapter(trained, minilm_tokenizer, tmp_path, torch.float32, cfg.base, 32)
    fresh = build_from_encoder(tiny_encoder_dir, PairModelConfig(heads=dict(HEADS), max_length=32))
    add_lora(fresh, cfg)
    assert load_adapter_into(fresh, tmp_path) == []
    before = dict(trained.named_parameters())
    for name, value in fresh.named_parameters():
        if value.requires_grad:
            assert torch.allclose(value, before[name]), name
    # A model without some of the trained heads cannot take the adapter.
    other = build_from_encoder(tiny_encoder_dir, PairModelConfig(heads={"tone": HEADS["tone"]}))
    add_lora(other, cfg)
    with pytest.raises(ValueError, match="fits no parameter"):
        load_adapter_into(other, tmp_path)
    # A post-training head (tone_v3, fitted over the frozen encoder) is left out and named:
    # the next stage trains the encoder on, and the head is fitted again afterwards.
    with_v3 = build_from_encoder(
        tiny_encoder_dir,
        PairModelConfig(heads={**HEADS, TONE_V3_HEAD: HEADS["tone"]}, max_length=32),
    )
    add_lora(with_v3, cfg)
    with torch.no_grad():
        for name, value in with_v3.named_parameters():
            if value.requires_grad and name in before:
                value.copy_(before[name])
    save_pair_adapter(with_v3, minilm_tokenizer, tmp_path / "v3", torch.float32, cfg.base, 32)
    later = build_from_encoder(tiny_encoder_dir, PairModelConfig(heads=dict(HEADS), max_length=32))
    add_lora(later, cfg)
    assert load_adapter_into(later, tmp_path / "v3") == [TONE_V3_HEAD]
    for name, value in later.named_parameters():
        if value.requires_grad:
            assert torch.allclose(value, before[name]), name
    # A head of the same name with other labels does not fit.
    wrong = build_from_encoder(
        tiny_encoder_dir,
        PairModelConfig(heads={**HEADS, "tone": ["negative", "positive"]}, max_length=32),
    )
    add_lora(wrong, cfg)
    with pytest.raises(ValueError, match=r"heads\.tone\.(weight|bias) fits no parameter"):
        load_adapter_into(wrong, tmp_path)


def test_a_pair_model_without_a_speaker_head_reads_quotes_with_its_stance_head(tiny_pair_model_dir):
    stance = PairModelScorer("stance", "stance", PairModel(tiny_pair_model_dir))
    assert quoted_voice(stance) is stance


@NEEDS_NEWS_STANCE
def test_extra_news_labels_join_the_training_rows_and_never_dev_articles(tmp_path):
    from experiments.train_news_stance import NEW_LABELS_R3, SPLITS, load_data

    splits = json.loads(SPLITS.read_text())["articles"]
    dev_article = next(a for a, s in splits.items() if s == "dev")
    row = {
        "text": "Sanctions on Moscow must stay until it leaves Ukraine.",
        "target": "sanctions on Russia",
        "label": "favor",
        "speaker_label": None,
        "on_topic": True,
        "article_id": "not-in-any-split",
    }
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps(row) + "\n")
    base = load_data(NewsRecipeConfig(stage=3, limit=0), tmp_path)
    more = load_data(NewsRecipeConfig(stage=3, extra_news=[str(extra)], tone_rows=7), tmp_path)
    assert len(more["stance"]["train"]) == len(base["stance"]["train"]) + 2  # sided: repeated
    assert len(more["tone"]["train"]) == 7
    assert more["stance"]["news_author"] == base["stance"]["news_author"]  # dev unchanged
    extra.write_text(json.dumps({**row, "article_id": dev_article}) + "\n")
    with pytest.raises(ValueError, match="train articles only"):
        load_data(NewsRecipeConfig(stage=3, extra_news=[str(extra)]), tmp_path)
    assert NEW_LABELS_R3.is_file()
