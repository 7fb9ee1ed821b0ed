"""Counter-examples or the topic head: which should keep look-alikes out of a topic?

The default topics carry counter-examples (sanctions on Iran, the impeachment inquiry): an
alias hit counts toward relevance only where a passage is closer to the topic's prototypes
than to them. They were written before the news model had a topic head, which now judges every
candidate. Do they still earn their place, or do they keep out passages the head would take?

On the labelled news passages of the three default topics (``news_stance`` and this project's
labels, by article split), each passage's relevance (read after its previous passage, as the
pipeline reads it; the full method, no cascade) is computed with and without the
counter-examples, and the shipped model's topic head reads it. A passage is a topic passage at
relevance 0.55 (``topics.threshold`` with a topic head) and P(on topic) at a gate: 0.9 (an
article discusses the topic) and 0.7 (its passages count). Printed per split: precision and
recall against the readers' ``on_topic``. The labelled passages were drawn mostly from
candidates, so recall is within them; precision is what the change risks.

    python -m experiments.article_level.counter_examples [--out FILE]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from analysis.metrics import precision_recall_f1
from analysis.topics import GATED_THRESHOLD, TopicMatcher, load_topics
from experiments.article_level.two_gates import labelled_on_topic

GATES = (0.9, 0.7)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="analysis/shipped_models/minilm_v2")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    topics = load_topics()
    keys = [t.key for t in topics]
    rows, on_topic = labelled_on_topic(args.model, {t.key: t.target for t in topics})
    texts = [r["text"] for r in rows]
    previous = [r.get("before") or None for r in rows]
    column = np.array([keys.index(r["topic"]) for r in rows])
    with_counter = TopicMatcher(topics)
    without = TopicMatcher(topics, with_counter.embedder_, counter_examples=False)
    relevance = {
        "with counter-examples": with_counter.relevance(texts, previous=previous),
        "without": without.relevance(texts, previous=previous),
    }
    truth = np.array([bool(r["on_topic"]) for r in rows])
    results: dict = {"model": args.model, "threshold": GATED_THRESHOLD}
    for split in ("dev", "train"):
        mask = np.array([r["split"] == split for r in rows])
        for name, rel in relevance.items():
            candidate = rel[np.arange(len(rows)), column] >= GATED_THRESHOLD
            for g in GATES:
                picked = candidate & (on_topic >= g)
                t, k = truth[mask], picked[mask]
                key = f"{split} {name} gate {g}"
                results[key] = {
                    "passages": int(mask.sum()),
                    "on_topic": int(t.sum()),
                    "picked": int(k.sum()),
                    **precision_recall_f1(int((t & k).sum()), int(k.sum()), int(t.sum())),
                }
                print(key, json.dumps(results[key]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    return results


if __name__ == "__main__":
    main()
