"""The viewpoints-vs-pipeline benchmark runs both sides on the same model, passages and topics."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analysis.corpus import load_corpus
from analysis.scoring.hf_classifier import is_nli_head
from analysis.topics import load_topics
from experiments.benchmark_corpus import cpu_name
from experiments.benchmark_vs_pipeline import build_nli_model, main

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.mark.slow
def test_the_nli_model_has_minilm_dimensions_and_an_nli_head(tmp_path):
    folder = build_nli_model(tmp_path / "nli")
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert (config["num_hidden_layers"], config["hidden_size"]) == (6, 384)
    assert (config["num_attention_heads"], config["intermediate_size"]) == (12, 1536)
    assert config["vocab_size"] == 30522
    assert is_nli_head({int(k): v for k, v in config["id2label"].items()})
    assert (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file()


@pytest.mark.slow
def test_both_sides_see_the_same_items_and_the_ratio_is_their_wall_times(capsys):
    result = main(["--corpus", str(SEEDS), "--pipeline-sample", "10"])
    ours, stock = result["viewpoints"], result["pipeline"]
    topics = load_topics()
    passages = len(load_corpus([SEEDS]).passages)
    assert result["passages"] == ours["passages"] == stock["passages"] == passages > 10
    assert result["items"] == ours["items"] == stock["items"] == passages * len(topics)
    assert ours["articles"] == stock["articles"] == 3
    # the analyze side scored stance with the very model the pipeline ran
    assert ours["models"]["stance"]["backend"] == "nli"
    assert ours["models"]["stance"]["model"] == stock["model"]
    assert ours["wall_s"] > 0 and stock["sample_s"] > 0 and stock["load_s"] > 0
    assert stock["sample_passages"] == 10 and stock["sample_items"] == 10 * len(topics)
    assert stock["batch_size"] == 1 and stock["multi_label"] is True
    per_item = stock["sample_s"] / stock["sample_items"]
    assert stock["extrapolated_wall_s"] == pytest.approx(
        stock["load_s"] + result["items"] * per_item, abs=0.01
    )
    assert result["ratio"] == pytest.approx(stock["extrapolated_wall_s"] / ours["wall_s"])
    out = capsys.readouterr().out
    assert out.startswith(f"CPU: {cpu_name()}\n")
    assert "EXTRAPOLATED" in out
    printed = re.search(r"^viewpoints / pipeline throughput: ([\d.]+)x$", out, re.MULTILINE)
    assert printed and float(printed[1]) == round(result["ratio"], 1)
