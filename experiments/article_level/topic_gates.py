"""Coverage with a topic gate of its own per topic (the others at 0.9, the gate shipped then).

Reads a run of the labelled articles made with the gate off (every candidate passage at the
shipped relevance 0.55 kept with its P(on topic)) and prints coverage F1 / precision / recall on
dev and train for each topic's gate over a grid, and, at the shipped gate, how many "not
discussed" calls have near passages (candidates the gate left out):

    printf '[topics]\ngate = 0.0\n' > gate0.toml
    viewpoints analyze experiments/output/labelled_articles.jsonl --config gate0.toml
    python -m experiments.article_level.topic_gates --run RUN
"""

import argparse
import json
from pathlib import Path

import pandas as pd

LABELS = Path(__file__).resolve().parents[1] / "news_labels" / "articles.jsonl"
TOPICS = ["arms_control", "sanctions", "ukraine"]
GRID = [0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97]


def coverage(labels, best, split, gates):
    """Coverage F1, precision and recall: discussed = some passage reaches the topic's gate."""
    tp = fp = fn = 0
    for r in labels:
        if r["split"] != split:
            continue
        truth = r["label"] != "not_discussed"
        pred = best.get((r["article_id"], r["topic"]), -1) >= gates[r["topic"]]
        tp += truth and pred
        fp += pred and not truth
        fn += truth and not pred
    p = tp / max(tp + fp, 1)
    rc = tp / max(tp + fn, 1)
    return round(2 * p * rc / max(p + rc, 1e-9), 4), round(p, 3), round(rc, 3)


def near_passages(labels, best, split, gate) -> dict[str, int]:
    """Of the pairs the gate leaves "not discussed", how many have candidates it left out
    (what the dashboard lists as near passages), for pairs a reader found discussed (misses)
    and not discussed."""
    out = {"missed": 0, "missed_with_near": 0, "right": 0, "right_with_near": 0}
    for r in labels:
        key = (r["article_id"], r["topic"])
        if r["split"] != split or best.get(key, -1) >= gate:
            continue
        kind = "missed" if r["label"] != "not_discussed" else "right"
        out[kind] += 1
        out[f"{kind}_with_near"] += key in best
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, required=True)
    args = parser.parse_args()
    scores = pd.read_parquet(args.run / "scores.parquet")
    labels = [json.loads(line) for line in LABELS.open(encoding="utf-8")]
    best = scores.groupby(["article_id", "topic"])["on_topic"].max().to_dict()
    shipped = dict.fromkeys(TOPICS, 0.9)
    print("all at 0.9", *(coverage(labels, best, s, shipped) for s in ("dev", "train")))
    for split in ("dev", "train"):
        print(split, near_passages(labels, best, split, 0.9))
    for topic in TOPICS:
        for gate in GRID:
            gates = {**shipped, topic: gate}
            dev, train = (coverage(labels, best, s, gates) for s in ("dev", "train"))
            print(topic, gate, "dev", dev, "train", train)


if __name__ == "__main__":
    main()
