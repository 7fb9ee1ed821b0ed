"""The training recipe end to end on a tiny slice, and the properties of the VAST dev split."""

import csv
import json
import random

import pytest

from analysis.datasets import load_examples
from analysis.scoring import create_scorer
from experiments.train_minilm import RecipeConfig, parse_args, train
from experiments.vast_split import read_rows, split_rows, write_split
from tests.conftest import SHARED_DATA

VAST_FIELDS = ["post", "new_topic", "label", "ori_topic", "topic_str", "type_idx", "arc_id"]


def make_vast(path, n_debates=8, posts_per_debate=4, seed=0):
    rng = random.Random(seed)
    rows = []
    for d in range(n_debates):
        for p in range(posts_per_debate):
            post = f"Comment {d}-{p}: I think policy {d} is {'good' if p % 2 else 'bad'}."
            arc = f"{d}{p}"
            rows.append(
                [post, f"policy {d}", str(p % 2), f"debate {d}", f"lemma:policy{d}", "1", arc]
            )
            other = (d + 1 + rng.randrange(n_debates - 1)) % n_debates
            rows.append([post, f"policy {d}", "2", f"debate {d}", f"lemma:policy{other}", "4", arc])
            idea = rng.randint(0, 99)
            rows.append([post, f"idea {idea}", "2", f"debate {d}", f"lemma:idea{idea}", "3", arc])
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(VAST_FIELDS)
        writer.writerows(rows)
    return path


def make_newsmtsc(directory):
    directory.mkdir()
    sentences = [
        ("Smith praised the deal.", 6.0),
        ("Smith attacked the deal.", 2.0),
        ("Smith signed the deal.", 4.0),
    ]
    for name in ("train", "dev_rw", "dev_mt"):
        with open(directory / f"{name}.jsonl", "w") as handle:
            for i in range(6):
                text, polarity = sentences[i % 3]
                handle.write(
                    json.dumps(
                        {
                            "primary_gid": f"{name}{i}",
                            "sentence_normalized": text,
                            "targets": [
                                {"from": 0, "to": 5, "mention": "Smith", "polarity": polarity}
                            ],
                        }
                    )
                    + "\n"
                )
    return directory


def test_split_keeps_debates_and_articles_apart(tmp_path):
    _, rows = read_rows(make_vast(tmp_path / "vast.csv"))
    train_rows, dev_rows = split_rows(rows, dev_fraction=0.25, seed=1)
    assert train_rows and dev_rows
    assert not {r["ori_topic"] for r in train_rows} & {r["ori_topic"] for r in dev_rows}
    assert not {r["arc_id"] for r in train_rows} & {r["arc_id"] for r in dev_rows}
    dev_topics = {r["topic_str"] for r in dev_rows if r["type_idx"] != "4"}
    assert not {r["topic_str"] for r in train_rows} & dev_topics


def test_none_rows_are_read_with_the_topic_vast_paired_them_with(tmp_path):
    train_csv, dev_csv = write_split(make_vast(tmp_path / "vast.csv"), tmp_path / "out")
    examples = load_examples(train_csv, "stance", "vast") + load_examples(dev_csv, "stance", "vast")
    labelled = {(e.text, e.target) for e in examples if e.label != "none"}
    nones = [e for e in examples if e.label == "none"]
    assert nones
    # no "none" example repeats a (comment, topic) pair that is labelled pro or con
    assert not [e for e in nones if (e.text, e.target) in labelled]
    # the borrowed topic appears in its surface form ("policy 3"), not VAST's lemma ("policy3")
    assert all(not e.target.startswith("lemma:") for e in nones)


@pytest.mark.skipif(not (SHARED_DATA / "vast").is_dir(), reason="shared VAST data not present")
def test_real_vast_split_is_zero_shot():
    _, rows = read_rows(SHARED_DATA / "vast" / "vast_train.csv")
    train_rows, dev_rows = split_rows(rows)
    assert 1500 < len(dev_rows) < 2600
    assert not {r["arc_id"] for r in train_rows} & {r["arc_id"] for r in dev_rows}
    dev_topics = {r["topic_str"] for r in dev_rows if r["type_idx"] != "4"}
    assert not {r["topic_str"] for r in train_rows} & dev_topics


def test_recipe_trains_saves_and_reloads_a_model_with_a_card(tmp_path, tiny_encoder_dir):
    cfg, args = parse_args(
        [
            "--out",
            str(tmp_path / "model"),
            "--base",
            str(tiny_encoder_dir),
            "--vast",
            str(make_vast(tmp_path / "vast.csv")),
            "--newsmtsc-dir",
            str(make_newsmtsc(tmp_path / "newsmtsc")),
            "--epochs",
            "1",
            "--limit",
            "24",
            "--max-length",
            "48",
            "--seed",
            "3",
        ]
    )
    result = train(cfg, args.out, device="cpu", log=lambda _: None)
    out = args.out
    card = (out / "MODEL_CARD.md").read_text()
    assert "seed=3" in card and "stance/dev" in card and "tone/dev_rw" in card
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["seed"] == 3 and len(metrics["history"]) == 1
    assert set(result["dev"]) == {"stance/dev", "tone/dev_rw", "tone/dev_mt"}
    for task in ("stance", "tone"):
        scorer = create_scorer(str(out), task)
        assert scorer.score(["Smith praised the deal."], ["Smith"]).shape == (1, 3)
    examples = load_examples(tmp_path / "newsmtsc" / "dev_rw.jsonl", "tone")
    assert len(examples) == 6


def test_recipe_config_rejects_unknown_tasks():
    with pytest.raises(ValueError, match="expected tasks from stance, tone"):
        RecipeConfig(tasks=["sentiment"])


def test_lora_recipe_ships_only_the_adapter_and_loads_it_over_the_base(tmp_path, tiny_encoder_dir):
    pytest.importorskip("peft")
    import torch
    from safetensors.torch import load_file

    from analysis.scoring.pair_model import ADAPTER_FILE, load_pair_classifier, predict_proba

    cfg, args = parse_args(
        [
            "--out",
            str(tmp_path / "model"),
            "--base",
            str(tiny_encoder_dir),
            "--vast",
            str(make_vast(tmp_path / "vast.csv")),
            "--newsmtsc-dir",
            str(make_newsmtsc(tmp_path / "newsmtsc")),
            "--epochs",
            "1",
            "--limit",
            "24",
            "--max-length",
            "48",
            "--adapter",
            "lora",
            "--lora-rank",
            "2",
            "--lora-targets",
            "query,value",
            "--lr",
            "0.05",
            "--save-dtype",
            "float32",
        ]
    )
    result = train(cfg, args.out, device="cpu", log=lambda _: None)
    out = args.out
    assert not (out / "model.safetensors").exists()  # no full weights: the base is reused
    adapter = load_file(str(out / ADAPTER_FILE))
    lora = [k for k in adapter if "lora_" in k]
    # rank-2 matrices for query and value of both tiny layers, plus the two heads
    assert len(lora) == 2 * 2 * 2 and {a.shape[0] for k, a in adapter.items() if "lora_A" in k} == {
        2
    }
    assert {k for k in adapter if k.startswith("heads.")} == {
        "heads.stance.weight",
        "heads.stance.bias",
        "heads.tone.weight",
        "heads.tone.bias",
    }
    assert result["adapter_bytes"] == (out / ADAPTER_FILE).stat().st_size
    card = (out / "MODEL_CARD.md").read_text()
    assert "lora_rank=2" in card
    # the command that trains it again: a flag for each setting off the recipe's default
    command = next(line for line in card.splitlines() if line.startswith("- Command:"))
    assert "python -m experiments.train_minilm --out DIR" in command
    assert "--lora-rank 2" in command and "--adapter lora" in command and "--seed" not in command
    # Loaded: the base's weights plus the adapter's update, which training made non-zero.
    model, tokenizer = load_pair_classifier(out)
    base = load_file(str(tiny_encoder_dir / "model.safetensors"))
    name = next(k for k in base if k.endswith("layer.0.attention.self.query.weight"))
    merged = model.encoder.state_dict()[name.removeprefix("bert.")]
    assert not torch.allclose(merged, base[name])
    key = next(k for k in adapter if k.endswith("layer.0.attention.self.query.lora_A"))
    up = adapter[key.replace("lora_A", "lora_B")]
    expected = base[name] + up @ adapter[key] * (cfg.lora_alpha / cfg.lora_rank)
    assert torch.allclose(merged, expected, atol=1e-6)
    probs = predict_proba(model, tokenizer, ["Smith praised the deal."], ["Smith"])
    assert probs["stance"].shape == (1, 3) and probs["tone"].shape == (1, 3)
    scorer = create_scorer(str(out), "tone")
    assert len(scorer.identity()["weights_sha256"]) == 64
    # An adapter over other base weights than it was trained on is refused, not silently wrong.
    config_path = out / "viewpoints_model.json"
    config = json.loads(config_path.read_text())
    config["adapter"]["base_sha256"] = "0" * 64
    config_path.write_text(json.dumps(config))
    with pytest.raises(ValueError, match="was trained over weights with SHA-256 0000"):
        load_pair_classifier(out)


def test_recipe_config_rejects_unknown_adapters():
    with pytest.raises(ValueError, match="expected adapter none"):
        RecipeConfig(adapter="prefix")


def test_a_saved_adapter_predicts_what_the_peft_model_predicted(tmp_path, tiny_encoder_dir):
    """The merge at load time is checked against peft's own forward pass, not its formula."""
    pytest.importorskip("peft")
    import numpy as np
    import torch
    from transformers import AutoTokenizer

    from analysis.scoring.pair_model import (
        PairModelConfig,
        build_from_encoder,
        load_pair_classifier,
        predict_proba,
        save_pair_adapter,
    )
    from experiments.train_minilm import add_lora

    cfg = RecipeConfig(adapter="lora", lora_rank=4, lora_alpha=8)
    torch.manual_seed(0)
    model = build_from_encoder(tiny_encoder_dir, PairModelConfig(heads={"stance": ["a", "b"]}))
    add_lora(model, cfg)
    with torch.no_grad():  # peft starts B at zero; give every adapter a non-zero update
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(0.0, 0.5)
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_encoder_dir))
    texts, targets = (
        ["Smith praised the deal.", "Critics attacked the treaty at length."],
        [
            "Smith",
            "treaty",
        ],
    )
    before = predict_proba(model, tokenizer, texts, targets)["stance"]
    (tmp_path / "model.safetensors").write_bytes(b"full weights of an earlier run")
    save_pair_adapter(model, tokenizer, tmp_path, torch.float32, str(tiny_encoder_dir), 8)
    assert not (tmp_path / "model.safetensors").exists()  # a stale file would be hashed wrongly
    loaded, _ = load_pair_classifier(tmp_path)
    after = predict_proba(loaded, tokenizer, texts, targets)["stance"]
    plain = build_from_encoder(tiny_encoder_dir, PairModelConfig(heads={"stance": ["a", "b"]}))
    plain.heads.load_state_dict(loaded.heads.state_dict())
    base_only = predict_proba(plain.eval(), tokenizer, texts, targets)["stance"]
    assert not np.allclose(before, base_only, atol=1e-3)  # the adapter changes predictions
    np.testing.assert_allclose(after, before, atol=1e-5)
