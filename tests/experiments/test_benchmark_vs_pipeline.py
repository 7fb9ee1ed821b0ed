"""The viewpoints-vs-pipeline benchmark runs both sides on the same model, passages and topics."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analysis.corpus import load_corpus
from analysis.scoring.label_names import is_nli_head
from analysis.scoring.nli import DEFAULT_AGAINST_TEMPLATE, DEFAULT_FAVOR_TEMPLATE
from analysis.topics import load_topics
from experiments.benchmark_corpus import cpu_name
from experiments.benchmark_vs_pipeline import build_nli_model, main, pipeline_calls

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


def test_the_stance_and_tone_task_asks_five_hypotheses_per_topic_and_topics_one(tmp_path):
    topics = load_topics()
    calls = pipeline_calls("stance+tone", topics, tmp_path)
    assert len(calls) == 2 * len(topics)
    for topic, stance, tone in zip(topics, calls[::2], calls[1::2], strict=True):
        # the templates of the topics file, with the target in them
        assert stance["candidate_labels"] == [
            (topic.favor_template or DEFAULT_FAVOR_TEMPLATE).replace("{target}", topic.target),
            (topic.against_template or DEFAULT_AGAINST_TEMPLATE).replace("{target}", topic.target),
        ]
        assert stance["multi_label"] is True and stance["hypothesis_template"] == "{}"
        assert tone["candidate_labels"] == ["negative", "neutral", "positive"]
        assert tone["hypothesis_template"].format("neutral") == (
            f"The tone toward {topic.target} is neutral."
        )
    (only,) = pipeline_calls("topics", topics, tmp_path)
    assert only["candidate_labels"] == [topic.label for topic in topics]
    with pytest.raises(ValueError, match="expected a pipeline task in"):
        pipeline_calls("sentiment", topics, tmp_path)


@pytest.mark.slow
def test_both_sides_see_the_same_items_and_the_ratios_are_their_wall_times(capsys):
    result = main(["--corpus", str(SEEDS), "--pipeline-sample", "10"])
    ours = result["viewpoints"]
    topics = load_topics()
    passages = len(load_corpus([SEEDS]).passages)
    assert result["passages"] == ours["passages"] == passages > 10
    assert result["items"] == ours["items"] == passages * len(topics)
    assert ours["articles"] == 3
    assert ours["wall_s"] > 0
    # the analyze side scored stance with the very model the pipeline ran
    assert ours["models"]["stance"]["backend"] == "nli"
    assert set(result["pipeline"]) == {"stance+tone", "topics"}
    out = capsys.readouterr().out
    assert out.startswith(f"CPU: {cpu_name()}\n")
    for task, stock in result["pipeline"].items():
        assert ours["models"]["stance"]["model"] == stock["model"]
        assert stock["passages"] == passages and stock["items"] == result["items"]
        assert stock["articles"] == 3 and stock["task"] == task
        assert stock["sample_s"] > 0 and stock["load_s"] > 0
        assert stock["sample_passages"] == 10 and stock["sample_items"] == 10 * len(topics)
        assert stock["batch_size"] == 1
        assert stock["pairs_per_item"] == (5 if task == "stance+tone" else 1)
        per_item = stock["sample_s"] / stock["sample_items"]
        assert stock["extrapolated_wall_s"] == pytest.approx(
            stock["load_s"] + result["items"] * per_item, abs=0.01
        )
        ratio = result["ratios"][task]
        assert ratio == pytest.approx(stock["extrapolated_wall_s"] / ours["wall_s"])
        line = rf"^viewpoints / pipeline \({re.escape(task)}\) throughput: ([\d.]+)x$"
        printed = re.search(line, out, re.MULTILINE)
        assert printed and float(printed[1]) == round(ratio, 1)
    assert "EXTRAPOLATED" in out
