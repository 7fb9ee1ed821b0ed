"""Shared fixtures: tiny models built once per session, never downloaded."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
if "PYTEST_XDIST_WORKER_COUNT" in os.environ:
    # Under pytest-xdist each worker gets its share of the cores for torch's threads (set before
    # torch loads; subprocesses inherit it), so that two workers do not fight over two cores.
    _cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    _share = (_cores or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"])
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, _share)))

# `show` fits a terminal's width ($COLUMNS where stdout is no terminal): the tests read its
# table, whatever the shell that runs them exports.
os.environ.pop("COLUMNS", None)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
# Tests that read the labelled news passages of ../shared/data
NEEDS_NEWS_STANCE = pytest.mark.skipif(
    not (SHARED_DATA / "news_stance").is_dir(), reason="needs ../shared/data (news_stance)"
)


def tiny_bert_config(**extra):
    from transformers import BertConfig

    return BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        **extra,
    )


@pytest.fixture(scope="session")
def minilm_tokenizer():
    from transformers import AutoTokenizer

    from analysis.backbone import minilm_path

    return AutoTokenizer.from_pretrained(str(minilm_path(verify=False)))


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory, minilm_tokenizer) -> Path:
    """A random-init tiny BERT encoder with MiniLM's tokenizer, saved as safetensors."""
    import torch
    from transformers import BertModel

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("tiny_encoder")
    BertModel(tiny_bert_config()).save_pretrained(path)
    minilm_tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def tiny_pair_model_dir(tmp_path_factory, tiny_encoder_dir, minilm_tokenizer) -> Path:
    """A tiny untrained viewpoints pair classifier with stance and tone heads."""
    import torch

    from analysis.labels import STANCE_LABELS, TONE_LABELS
    from analysis.scoring.pair_model import (
        PairModelConfig,
        build_from_encoder,
        save_pair_classifier,
    )

    torch.manual_seed(0)
    config = PairModelConfig(
        heads={"stance": list(STANCE_LABELS), "tone": list(TONE_LABELS)}, max_length=64
    )
    model = build_from_encoder(tiny_encoder_dir, config)
    path = tmp_path_factory.mktemp("tiny_pair")
    save_pair_classifier(model.eval(), minilm_tokenizer, path, torch.float32)
    return path


def _tiny_heads_model(tmp_path_factory, encoder_dir, tokenizer, heads: dict, name: str) -> Path:
    import torch

    from analysis.scoring.pair_model import (
        PairModelConfig,
        build_from_encoder,
        save_pair_classifier,
    )

    torch.manual_seed(1)
    config = PairModelConfig(heads={k: list(v) for k, v in heads.items()}, max_length=64)
    model = build_from_encoder(encoder_dir, config)
    path = tmp_path_factory.mktemp(name)
    save_pair_classifier(model.eval(), tokenizer, path, torch.float32)
    return path


@pytest.fixture(scope="session")
def tiny_news_model_dir(tmp_path_factory, tiny_encoder_dir, minilm_tokenizer) -> Path:
    """A tiny untrained pair classifier with heads for the author's stance, the quoted
    speaker's stance and tone."""
    from analysis.labels import STANCE_LABELS, TONE_LABELS

    heads = {"stance": STANCE_LABELS, "speaker": STANCE_LABELS, "tone": TONE_LABELS}
    return _tiny_heads_model(tmp_path_factory, tiny_encoder_dir, minilm_tokenizer, heads, "news")


@pytest.fixture(scope="session")
def tiny_gated_model_dir(tmp_path_factory, tiny_encoder_dir, minilm_tokenizer) -> Path:
    """The news model's four heads: the two voices' stance, tone and the topic gate."""
    from analysis.labels import STANCE_LABELS, TONE_LABELS

    heads = {
        "stance": STANCE_LABELS,
        "speaker": STANCE_LABELS,
        "tone": TONE_LABELS,
        "topic": ("off", "on"),
    }
    return _tiny_heads_model(tmp_path_factory, tiny_encoder_dir, minilm_tokenizer, heads, "gated")


@pytest.fixture(scope="session")
def tiny_sentiment_dir(tmp_path_factory, minilm_tokenizer) -> Path:
    """A tiny random sequence classifier whose id2label uses sentiment names."""
    import torch
    from transformers import BertForSequenceClassification

    torch.manual_seed(0)
    config = tiny_bert_config(
        num_labels=3,
        id2label={0: "NEG", 1: "NEU", 2: "POS"},
        label2id={"NEG": 0, "NEU": 1, "POS": 2},
    )
    path = tmp_path_factory.mktemp("tiny_sentiment")
    BertForSequenceClassification(config).save_pretrained(path)
    minilm_tokenizer.save_pretrained(path)
    return path


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path
