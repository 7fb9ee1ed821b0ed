"""Benchmark ``viewpoints analyze`` against the stock ``transformers`` zero-shot pipeline.

Both sides get the same model, a MiniLM-sized NLI classifier (all-MiniLM-L6-v2's dimensions and
tokenizer, random weights with a fixed seed: any weights cost the same), the same articles and
the same topics:

    .venv/bin/python -m experiments.benchmark_vs_pipeline [--limit 1000] [--pipeline-sample 300]

- viewpoints: ``viewpoints analyze`` in a child process with the NLI folder as the stance model
  (``stance.nli.v1``), the default tone model, no prediction cache; its wall time includes
  loading the corpus and the models. It gives a stance and a tone for every (passage, topic)
  pair it finds on topic.
- pipeline: ``pipeline("zero-shot-classification")`` as a user calls it (default batch size) on
  the project's own passages of the same articles, with no relevance filter: every passage
  against every topic, the (passage, topic) *items*. Two tasks, each timed:

  - ``stance+tone``, the same outputs as ``analyze`` (the ratio the bar reads): for each topic,
    the stance from the two hypotheses ``stance.nli.v1`` reads (the topic's favor and against
    templates, ``multi_label=True``: each is entailed or not on its own, as there), and the tone
    from three candidate labels ("The tone toward {target} is negative / neutral / positive.");
    five (passage, hypothesis) pairs per item;
  - ``topics``, a cheaper task than ``analyze`` does: the three topic labels as candidate labels
    of each passage (``multi_label=True``), one pair per item, with no stance and no tone.

  That takes hours, so each task is timed on a seeded random sample of passages and its time for
  all of them is extrapolated (model load + items x seconds per item).

The corpus defaults to the AllSides file; ``--limit N`` takes its first N articles (a folder,
such as ``seeds``, is taken whole). Torch keeps its default threads on both sides. Prints the
CPU, one JSON line per side and task, and the throughput ratio against each task. Numbers are
measured, never asserted.
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
TONE_LABELS = ("negative", "neutral", "positive")
TONE_TEMPLATE = "The tone toward {target} is {{}}."
# The pipeline's tasks: the outputs of ``analyze`` (the bar's ratio), and topic labels alone.
TASKS = ("stance+tone", "topics")
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
    from analysis.scoring.label_names import is_nli_head

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


def pipeline_calls(task: str, topics: list[Any], model: Path) -> list[dict[str, Any]]:
    """The zero-shot pipeline's keyword arguments, one call per entry, that make ``task``'s
    outputs for a passage; together they cover every topic once. The stance hypotheses are the
    ones ``stance.nli.v1`` with ``model`` reads in ``analyze`` (the topics' own templates)."""
    from analysis.scoring.nli import NLIStanceScorer

    if task == "topics":
        labels = [topic.label for topic in topics]
        return [
            {
                "candidate_labels": labels,
                "hypothesis_template": HYPOTHESIS_TEMPLATE,
                "multi_label": True,
            }
        ]
    if task != "stance+tone":
        raise ValueError(f"expected a pipeline task in {TASKS}, got {task!r}")
    stance = NLIStanceScorer(
        str(model),
        templates={
            topic.target: (topic.favor_template, topic.against_template)
            for topic in topics
            if topic.favor_template and topic.against_template
        },
    )
    calls = []
    for topic in topics:
        hypotheses = list(stance.hypotheses(topic.target))
        calls.append(
            {"candidate_labels": hypotheses, "hypothesis_template": "{}", "multi_label": True}
        )
        calls.append(
            {
                "candidate_labels": list(TONE_LABELS),
                "hypothesis_template": TONE_TEMPLATE.format(target=topic.target),
                "multi_label": False,
            }
        )
    return calls


def run_pipeline(
    passages: list[str], topics: list[Any], model: Path, sample: int, seed: int, task: str
) -> dict[str, Any]:
    """The zero-shot pipeline doing ``task`` on a seeded sample of ``passages``, timed."""
    import torch
    from transformers import pipeline

    calls = pipeline_calls(task, topics, model)
    started = time.perf_counter()
    classifier = pipeline("zero-shot-classification", model=str(model), device=-1)
    load_s = time.perf_counter() - started
    picked = random.Random(seed).sample(passages, min(sample, len(passages)))
    for call in calls:  # warm-up, not timed: favours the pipeline
        classifier(picked[0], **call)
    started = time.perf_counter()
    for call in calls:
        outputs = classifier(picked, **call)
        assert len(outputs) == len(picked)
        assert all(len(o["labels"]) == len(call["candidate_labels"]) for o in outputs)
    sample_s = time.perf_counter() - started
    items = len(picked) * len(topics)
    pairs = sum(len(call["candidate_labels"]) for call in calls)
    return {
        "side": "pipeline",
        "task": task,
        "model": str(model),
        "batch_size": classifier._batch_size or 1,  # what __call__ uses when none is given
        "torch_threads": torch.get_num_threads(),
        "calls": calls,
        "pairs_per_item": pairs / len(topics),
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

        stock = {}
        for task in TASKS:
            side = run_pipeline(passages, topics, model, args.pipeline_sample, args.seed, task)
            per_item = side["sample_s"] / side["sample_items"]
            side["articles"] = len(loaded.articles)
            side["passages"] = len(passages)
            side["items"] = items
            side["extrapolated_wall_s"] = round(side["load_s"] + items * per_item, 2)
            side["wall_s_extrapolated_from_sample"] = True
            side["articles_per_s"] = round(side["articles"] / side["extrapolated_wall_s"], 4)
            stock[task] = side

    ratios = {task: side["extrapolated_wall_s"] / ours["wall_s"] for task, side in stock.items()}
    print(f"models: both sides' NLI model is {model.name} (MiniLM-sized, random weights)")
    print(
        f"viewpoints: stance {ours['models'].get('stance', {}).get('name')}, "
        f"tone {ours['models'].get('tone', {}).get('name')} (default), a stance and a tone for "
        "each (passage, topic) pair on topic; wall time measured, models and corpus loading "
        "included"
    )
    print(json.dumps(ours))
    for task, side in stock.items():
        what = (
            "a stance (the two hypotheses stance.nli.v1 reads) and a tone (three labels) for "
            "each item, as analyze gives"
            if task == "stance+tone"
            else "the topic labels as candidate labels, no stance, no tone"
        )
        print(
            f"pipeline, task {task}: {what}; zero-shot-classification, batch_size "
            f"{side['batch_size']} (default), {side['pairs_per_item']:g} (passage, hypothesis) "
            f"pairs per item, {len(passages)} passages x {len(topics)} topics = {items} items; "
            f"timed on a random sample of {side['sample_passages']} passages "
            f"({side['sample_items']} items), the wall time for all {items} items EXTRAPOLATED "
            "from it (load + items x s/item; corpus loading not counted)"
        )
        print(json.dumps({k: v for k, v in side.items() if k != "calls"}))
    for task, ratio in ratios.items():
        print(f"viewpoints / pipeline ({task}) throughput: {ratio:.1f}x")
    return {
        "cpu": cpu_name(),
        "topics": [topic.label for topic in topics],
        "articles": len(loaded.articles),
        "passages": len(passages),
        "items": items,
        "viewpoints": ours,
        "pipeline": stock,
        "ratios": ratios,
    }


if __name__ == "__main__":
    main()
