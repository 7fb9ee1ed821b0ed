"""Benchmark ``viewpoints analyze`` against the stock ``transformers`` zero-shot pipeline.

Both sides get the same model, a MiniLM-sized NLI classifier (all-MiniLM-L6-v2's dimensions and
tokenizer, random weights with a fixed seed: any weights cost the same), the same articles and
the same topics:

    .venv/bin/python -m experiments.benchmark_vs_pipeline [--limit 1000] [--pipeline-sample 300]

- viewpoints: ``viewpoints analyze`` in a child process with the NLI folder as the stance model
  (``stance.nli.v1``), the default tone model, no prediction cache; its wall time includes
  loading the corpus and the models;
- pipeline: ``pipeline("zero-shot-classification")`` as a user calls it (default batch size,
  ``multi_label=True``, the topics' labels as candidate labels) on the project's own passages of
  the same articles. It has no relevance filter, so it classifies every passage against every
  topic; that takes hours, so it is timed on a seeded random sample of passages and its time for
  all of them is extrapolated (model load + items x seconds per item).

The corpus defaults to the AllSides file; ``--limit N`` takes its first N articles (a folder,
such as ``seeds``, is taken whole). Torch keeps its default threads on both sides. Prints the
CPU, one JSON line per side and the throughput ratio. Numbers are measured, never asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from experiments.benchmark_corpus import ALLSIDES, analyze_in_child, cpu_name, first_articles

HYPOTHESIS_TEMPLATE = "This text is about {}."
NLI_LABELS = {0: "entailment", 1: "neutral", 2: "contradiction"}
# all-MiniLM-L6-v2's encoder; the vocabulary comes from its tokenizer.
MINILM_DIMENSIONS = {
    "num_hidden_layers": 6,
    "hidden_size": 384,
    "num_attention_heads": 12,
    "intermediate_size": 1536,
    "max_position_embeddings": 512,
}


def build_nli_model(folder: Path, seed: int = 0) -> Path:
    """A random-init MiniLM-sized BERT NLI classifier with MiniLM's tokenizer, in ``folder``."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from analysis.backbone import minilm_path
    from analysis.scoring.hf_classifier import is_nli_head

    tokenizer = AutoTokenizer.from_pretrained(str(minilm_path()))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        num_labels=len(NLI_LABELS),
        id2label=dict(NLI_LABELS),
        label2id={label: index for index, label in NLI_LABELS.items()},
        **MINILM_DIMENSIONS,
    )
    assert is_nli_head(config.id2label)
    torch.manual_seed(seed)
    model = BertForSequenceClassification(config).eval()
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


def run_viewpoints(corpus: Path, model: Path, folder: Path) -> dict[str, Any]:
    """``viewpoints analyze`` with ``model`` as the stance model, in a child process, timed."""
    wall, peak_gib, summary = analyze_in_child(
        corpus, folder / "runs", "--stance-model", str(model)
    )
    counts = summary["counts"]
    return {
        "side": "viewpoints",
        "models": summary["models"],
        "wall_s": round(wall, 2),
        "peak_rss_gib": round(peak_gib, 2),
        "articles": counts["articles_read"],
        "passages": counts["passages"],
        "topic_passages": counts["topic_passages"],
        "stages_s": summary["timings"],
    }


def run_pipeline(
    passages: list[str], labels: list[str], model: Path, sample: int, seed: int
) -> dict[str, Any]:
    """The zero-shot pipeline on a seeded sample of ``passages`` x every label, timed."""
    import torch
    from transformers import pipeline

    started = time.perf_counter()
    classifier = pipeline("zero-shot-classification", model=str(model), device=-1)
    load_s = time.perf_counter() - started
    picked = random.Random(seed).sample(passages, min(sample, len(passages)))
    call = {"candidate_labels": labels, "hypothesis_template": HYPOTHESIS_TEMPLATE}
    classifier(picked[0], multi_label=True, **call)  # warm-up, not timed: favours the pipeline
    started = time.perf_counter()
    outputs = classifier(picked, multi_label=True, **call)
    sample_s = time.perf_counter() - started
    assert len(outputs) == len(picked) and all(len(o["labels"]) == len(labels) for o in outputs)
    items = len(picked) * len(labels)
    return {
        "side": "pipeline",
        "model": str(model),
        "batch_size": classifier._batch_size or 1,  # what __call__ uses when none is given
        "torch_threads": torch.get_num_threads(),
        "hypothesis_template": HYPOTHESIS_TEMPLATE,
        "multi_label": True,
        "load_s": round(load_s, 2),
        "sample_passages": len(picked),
        "sample_items": items,
        "sample_s": round(sample_s, 2),
        "items_per_s": round(items / sample_s, 1),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run both sides on the same articles; print and return what was measured."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ALLSIDES)
    parser.add_argument(
        "--limit", type=int, default=1000, help="the first N articles of a JSONL corpus"
    )
    parser.add_argument(
        "--pipeline-sample", type=int, default=300, help="passages the pipeline is timed on"
    )
    parser.add_argument("--seed", type=int, default=0, help="model init and passage sample")
    args = parser.parse_args(argv)

    from analysis.corpus import load_corpus
    from analysis.topics import load_topics

    print(f"CPU: {cpu_name()}", flush=True)
    topics = load_topics()
    labels = [topic.label for topic in topics]
    with tempfile.TemporaryDirectory(prefix="viewpoints-vs-pipeline-") as tmp:
        folder = Path(tmp)
        limit = args.limit if args.corpus.is_file() else None
        corpus = first_articles(args.corpus, limit, folder)
        model = build_nli_model(folder / "nli-minilm", args.seed)
        loaded = load_corpus([corpus], progress=False)
        passages = [p.text for p in loaded.passages]
        items = len(passages) * len(topics)

        ours = run_viewpoints(corpus, model, folder)
        if ours["passages"] != len(passages):
            raise SystemExit(
                f"analyze found {ours['passages']} passages, load_corpus {len(passages)}"
            )
        ours["items"] = items
        ours["articles_per_s"] = round(ours["articles"] / ours["wall_s"], 2)
        ours["items_per_s"] = round(items / ours["wall_s"], 1)

        stock = run_pipeline(passages, labels, model, args.pipeline_sample, args.seed)
        per_item = stock["sample_s"] / stock["sample_items"]
        stock["articles"] = len(loaded.articles)
        stock["passages"] = len(passages)
        stock["items"] = items
        stock["extrapolated_wall_s"] = round(stock["load_s"] + items * per_item, 2)
        stock["wall_s_extrapolated_from_sample"] = True
        stock["articles_per_s"] = round(stock["articles"] / stock["extrapolated_wall_s"], 4)

    ratio = stock["extrapolated_wall_s"] / ours["wall_s"]
    print(f"models: both sides' NLI model is {model.name} (MiniLM-sized, random weights)")
    print(
        f"viewpoints: stance {ours['models'].get('stance', {}).get('name')}, "
        f"tone {ours['models'].get('tone', {}).get('name')} (default: an NLI model cannot "
        "score tone); wall time measured, models and corpus loading included"
    )
    print(json.dumps(ours))
    print(
        f"pipeline: zero-shot-classification, batch_size {stock['batch_size']} (default), "
        f"{len(labels)} candidate labels x {len(passages)} passages = {items} items; timed on "
        f"a random sample of {stock['sample_passages']} passages ({stock['sample_items']} "
        f"items), the wall time for all {items} items EXTRAPOLATED from it (load + items x "
        "s/item; corpus loading not counted)"
    )
    print(json.dumps(stock))
    print(f"viewpoints / pipeline throughput: {ratio:.1f}x")
    return {
        "cpu": cpu_name(),
        "topics": labels,
        "articles": stock["articles"],
        "passages": len(passages),
        "items": items,
        "viewpoints": ours,
        "pipeline": stock,
        "ratio": ratio,
    }


if __name__ == "__main__":
    main()
