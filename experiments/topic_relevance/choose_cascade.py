"""Choose the first-stage threshold of the relevance cascade (static embeddings, then MiniLM).

The first stage passes a passage on to MiniLM when a topic's alias occurs in it or its static
embedding (``analysis.static_embedding``, with its previous passage, as MiniLM sees it) reaches
cosine ``t`` with one of a topic's prototypes. The threshold is chosen on evidence:

- on a sample of AllSides articles that are not reserved (``--limit``, seeded), the share of the
  full method's topic passages (relevance >= 0.55, the gated threshold, and >= the default
  threshold of models without a topic head, ``DEFAULT_THRESHOLD``) that the cascade keeps:
  the largest ``t`` keeping at least 99% of them at 0.55 is chosen; also the share kept of
  those the default stance model's topic head then lets through (P(on) >= ``topics.gate``),
  the topic passages a default run ends up scoring;
- on the hand-labelled relevance sets (``experiments/topic_relevance/labels.jsonl`` and the
  ``on_topic`` labels of the default topics in ``../shared/data/news_stance``), precision and
  recall of the full method and of the cascade at the chosen ``t``.

    .venv/bin/python -m experiments.topic_relevance.choose_cascade [--limit 1000]

writes ``experiments/topic_relevance/cascade.json`` and prints the table. The full method's
relevance on the sample is kept in ``experiments/output/`` so that a rerun skips MiniLM.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from analysis.config import TopicsSection
from analysis.topics import (
    CASCADE_THRESHOLD,
    DEFAULT_THRESHOLD,
    GATED_THRESHOLD,
    TopicMatcher,
    load_topics,
)
from experiments.reserved import reserved_ids

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ALLSIDES = ROOT.parent / "shared" / "data" / "allsides"
NEWS_STANCE = ROOT.parent / "shared" / "data" / "news_stance" / "passages.jsonl"
OUTPUT = ROOT / "experiments" / "output"
RESULTS = HERE / "cascade.json"
GRID = np.round(np.arange(0.0, 0.70001, 0.01), 2)
TARGET_RECALL = 0.99
THRESHOLDS = (GATED_THRESHOLD, DEFAULT_THRESHOLD)


def sample_articles(limit: int, seed: int) -> list[dict[str, Any]]:
    """``limit`` AllSides articles drawn at random (seeded) from those not reserved."""
    reserved = reserved_ids()
    with (ALLSIDES / "articles.jsonl").open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    usable = [r for r in records if str(r.get("ID")) not in reserved]
    return random.Random(seed).sample(usable, min(limit, len(usable)))


def sample_passages(records: list[dict[str, Any]]) -> tuple[list[str], list[str | None]]:
    """The passages of ``records`` as the pipeline cuts them, with each one's predecessor."""
    from analysis.corpus import load_corpus
    from analysis.pipeline import passages_table, previous_passages

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        passages = passages_table(load_corpus([path]))
    return passages["text"].tolist(), previous_passages(passages)


def full_relevance(
    matcher: TopicMatcher, texts: list[str], previous: list[str | None], key: str
) -> np.ndarray:
    """The full method's relevance, computed once per sample and kept on disk."""
    cached = OUTPUT / f"cascade_full_{key}.npy"
    if cached.is_file():
        return np.load(cached)
    relevance = matcher.relevance(texts, progress=True, previous=previous)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    np.save(cached, relevance)
    return relevance


def recall_grid(full: np.ndarray, alias: np.ndarray, static: np.ndarray) -> list[dict[str, Any]]:
    """Per first-stage threshold: the share of passages passed on, and the full method's topic
    passages kept (pooled and per topic) at each pipeline threshold."""
    rows = []
    for t in GRID:
        passed = (alias | (static >= t)).any(axis=1)
        row: dict[str, Any] = {"t": float(t), "passed_share": float(passed.mean())}
        for threshold in THRESHOLDS:
            positive = full >= threshold
            kept = positive & passed[:, None]
            row[f"recall@{threshold}"] = float(kept.sum() / max(positive.sum(), 1))
            row[f"per_topic@{threshold}"] = (
                (kept.sum(axis=0) / np.maximum(positive.sum(axis=0), 1)).round(4).tolist()
            )
        rows.append(row)
    return rows


def gated_pairs(full: np.ndarray, texts: list[str], topics: list[Any]) -> np.ndarray:
    """The (passage, topic) pairs at relevance >= 0.55 that stance.minilm.v2's topic head keeps
    (P(on) >= the default ``topics.gate``): what a default run scores."""
    from analysis.scoring import create_scorer
    from analysis.scoring.pair_scorer import topic_gate

    gate = topic_gate(create_scorer("stance.minilm.v2", "stance"))
    rows, cols = np.nonzero(full >= GATED_THRESHOLD)
    on = gate.score([texts[i] for i in rows], [topics[j].target for j in cols])[:, 1]
    kept = np.zeros(full.shape, dtype=bool)
    chosen = on >= TopicsSection().gate
    kept[rows[chosen], cols[chosen]] = True
    return kept


def labelled_sets(matcher: TopicMatcher, static_stage: Any, t: float) -> dict[str, Any]:
    """Precision and recall of the full method and of the cascade on the hand-labelled sets."""
    keys = matcher.keys
    sets: dict[str, tuple[list[str], list[str | None], np.ndarray]] = {}
    labelled = [json.loads(line) for line in (HERE / "labels.jsonl").open(encoding="utf-8")]
    sets["topic_relevance/labels.jsonl"] = (
        [r["text"] for r in labelled],
        [r.get("context") or None for r in labelled],
        np.array([[bool(r["labels"][k]) for k in keys] for r in labelled]),
    )
    news = [json.loads(line) for line in NEWS_STANCE.open(encoding="utf-8")]
    news = [r for r in news if r["topic"] in keys]
    gold = np.zeros((len(news), len(keys)), dtype=bool)
    known = np.zeros_like(gold)
    for i, r in enumerate(news):
        j = keys.index(r["topic"])
        gold[i, j], known[i, j] = bool(r["on_topic"]), True
    sets["news_stance on_topic"] = (
        [r["text"] for r in news],
        [r.get("before") or None for r in news],
        np.where(known, gold, False),
    )
    out: dict[str, Any] = {}
    for name, (texts, previous, truth) in sets.items():
        mask = known if name == "news_stance on_topic" else np.ones_like(truth)
        full = matcher.relevance(texts, previous=previous)
        passed = static_stage(texts, previous, t)
        cascade = np.where(passed[:, None], full, 0.0)
        out[name] = {
            str(threshold): {
                method: _prf(rel >= threshold, truth, mask)
                for method, rel in (("full", full), ("cascade", cascade))
            }
            for threshold in THRESHOLDS
        }
        out[name]["n"] = int(mask.sum())
    return out


def _prf(pred: np.ndarray, gold: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    tp = int((pred & gold & mask).sum())
    fp = int((pred & ~gold & mask).sum())
    fn = int((~pred & gold & mask).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "tp": tp}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from analysis.static_embedding import StaticEmbedder

    topics = load_topics(None)
    matcher = TopicMatcher(topics)  # the full method
    cascade = TopicMatcher(topics, matcher.embedder_, first_stage=StaticEmbedder())
    started = time.perf_counter()
    texts, previous = sample_passages(sample_articles(args.limit, args.seed))
    full = full_relevance(matcher, texts, previous, f"{args.limit}_{args.seed}_{len(texts)}")
    full_seconds = time.perf_counter() - started
    cascade.warm_up()  # MiniLM's prototypes, projected for the first stage
    clock = time.perf_counter()
    static = cascade.first_similarity(texts, previous)
    static_seconds = time.perf_counter() - clock
    alias = matcher.alias_hits(texts)
    grid = recall_grid(full, alias, static)
    gated = gated_pairs(full, texts, topics)
    for row in grid:
        passed = (alias | (static >= row["t"])).any(axis=1)
        row["recall_gated"] = float((gated & passed[:, None]).sum() / max(gated.sum(), 1))
    ok = [row for row in grid if row[f"recall@{GATED_THRESHOLD}"] >= TARGET_RECALL]
    chosen = max(ok, key=lambda row: row["t"])

    def stage(texts: list[str], previous: list[str | None], t: float) -> np.ndarray:
        sims = cascade.first_similarity(texts, previous)
        return (matcher.alias_hits(texts) | (sims >= t)).any(axis=1)

    result = {
        "sample": {
            "articles": args.limit,
            "seed": args.seed,
            "passages": len(texts),
            "topic_passages@0.55": int((full >= GATED_THRESHOLD).any(axis=1).sum()),
            "pairs@0.55": int((full >= GATED_THRESHOLD).sum()),
            "pairs_gated": int(gated.sum()),
            "topic_gate": TopicsSection().gate,  # the P(on topic) those pairs reach
        },
        "static_seconds": round(static_seconds, 2),
        "full_seconds_incl_loading": round(full_seconds, 1),
        "target_recall": TARGET_RECALL,
        "chosen": chosen,
        # what runs use (analysis.topics.CASCADE_THRESHOLD), which may differ from "chosen"
        # when the passages have changed since it was chosen (docs/topics.md)
        "shipped": next(row for row in grid if abs(row["t"] - CASCADE_THRESHOLD) < 1e-9),
        "labelled": labelled_sets(matcher, stage, chosen["t"]),
        "grid": grid,
    }
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"{len(texts)} passages; static stage {static_seconds:.1f} s")
    for row in grid[::5]:
        print(
            f"t={row['t']:.2f} passed {row['passed_share']:.3f} "
            + " ".join(f"recall@{t:g} {row[f'recall@{t:g}']:.4f}" for t in THRESHOLDS)
            + " "
            f"gated {row['recall_gated']:.4f}"
        )
    print("chosen:", json.dumps(chosen))
    print("shipped:", json.dumps(result["shipped"]))
    print(json.dumps(result["labelled"], indent=1))
    return result


if __name__ == "__main__":
    main()
