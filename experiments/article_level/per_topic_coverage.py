"""Would a relevance threshold and topic gate per topic cover articles better than one for all?

The shipped defaults use one pair for every topic (relevance 0.55, P(on topic) 0.8; 0.9 until
2026-12-07, when this sweep chose 0.8 again on dev), chosen on
the article dev set. A reading of the dashboard found obvious arms-control passages left out
by the gate, so this sweeps each topic's pair on its own and compares coverage F1 with the
shared pair. Choose on one split, report the other: the choice is made on dev (as the issue
asks) and, as a check that it is not a dev accident, on train with dev as the check.

Input: a run of the labelled articles made with a low threshold, so that every threshold of
the grid can be tried; the candidates the gate left out are in its ``gated_out.parquet``.

    viewpoints analyze experiments/output/labelled_articles.jsonl --threshold 0.45 \
        --relevance full --name labelled-t045-full --cache ""
    python -m experiments.article_level.per_topic_coverage --run RUN \
        --out experiments/article_level/per_topic_coverage.json

"Discussed" is what ``analysis.aggregate`` says: at least one topic passage, own or quoted.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import pandas as pd

from analysis.config import TopicsSection
from analysis.metrics import precision_recall_f1
from analysis.runs import load_run
from analysis.topics import GATED_THRESHOLD

HERE = Path(__file__).resolve().parent
LABELS = HERE.parent / "news_labels" / "articles.jsonl"
THRESHOLDS = (0.45, 0.5, 0.55, 0.61, 0.65)
GATES = (0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95)
SHIPPED = (GATED_THRESHOLD, TopicsSection().gate)  # what runs use by default


CANDIDATE_COLUMNS = ["article_id", "topic", "relevance", "on_topic", "reported"]


def candidates(run_dir: str | Path) -> pd.DataFrame:
    """Every (article, topic, relevance, P(on topic), reported) candidate of the run, kept or
    gated out."""
    run = load_run(run_dir)
    gated = pd.read_parquet(Path(run.path) / "gated_out.parquet")
    return pd.concat([run.scores[CANDIDATE_COLUMNS], gated[CANDIDATE_COLUMNS]], ignore_index=True)


def labels(path: Path = LABELS) -> pd.DataFrame:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    frame = pd.DataFrame(rows)[["article_id", "topic", "label", "split"]]
    frame["truth"] = frame["label"] != "not_discussed"
    return frame


def discussed(cands: pd.DataFrame, threshold: float, gate: float) -> set[tuple[str, str]]:
    on = cands["on_topic"].astype(float).fillna(1.0)
    hit = cands[(cands["relevance"] >= threshold) & (on >= gate)]
    return set(zip(hit["article_id"], hit["topic"], strict=True))


def counts(truth: pd.DataFrame, found: set[tuple[str, str]]) -> tuple[int, int, int]:
    """True positives, predicted positives and real positives of ``truth``'s rows."""
    pred = [(a, t) in found for a, t in zip(truth["article_id"], truth["topic"], strict=True)]
    pred_s = pd.Series(pred, index=truth.index)
    return int((pred_s & truth["truth"]).sum()), int(pred_s.sum()), int(truth["truth"].sum())


def sweep(cands: pd.DataFrame, truth: pd.DataFrame) -> dict[tuple[float, float], dict]:
    """Per topic, the (tp, pred, real) of every (threshold, gate) pair."""
    grid = {}
    for t, g in itertools.product(THRESHOLDS, GATES):
        found = discussed(cands, t, g)
        grid[(t, g)] = {
            topic: counts(part, found) for topic, part in truth.groupby("topic", sort=True)
        }
    return grid


def total(per_topic: dict[str, tuple[int, int, int]]) -> dict[str, float]:
    tp, pred, real = (sum(v[i] for v in per_topic.values()) for i in range(3))
    return precision_recall_f1(tp, pred, real)


def choose(grid: dict, topics: list[str]) -> tuple[tuple[float, float], dict[str, tuple]]:
    """The best shared pair and the best pair per topic (coverage F1; ties: the higher gate
    and threshold, fewer passages)."""
    shared = max(grid, key=lambda k: (total(grid[k])["f1"], k[1], k[0]))
    per_topic = {
        topic: max(
            grid,
            key=lambda k, topic=topic: (precision_recall_f1(*grid[k][topic])["f1"], k[1], k[0]),
        )
        for topic in topics
    }
    return shared, per_topic


def evaluate(grid: dict, pairs: dict[str, tuple]) -> dict:
    chosen = {topic: grid[pair][topic] for topic, pair in pairs.items()}
    return {"all": total(chosen), **{t: precision_recall_f1(*v) for t, v in chosen.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", required=True, help="a run of the labelled articles")
    parser.add_argument("--out", help="write the results as JSON here")
    args = parser.parse_args(argv)
    cands = candidates(args.run)
    truth = labels()
    topics = sorted(truth["topic"].unique())
    grids = {split: sweep(cands, truth[truth["split"] == split]) for split in ("dev", "train")}
    results: dict = {"run": Path(args.run).name, "shipped": list(SHIPPED)}  # the id, not a path
    for choose_on, check_on in (("dev", "train"), ("train", "dev")):
        shared, per_topic = choose(grids[choose_on], topics)
        entry = {"shared_pair": list(shared), "per_topic_pairs": {}}
        for name, pairs in (
            ("shipped", dict.fromkeys(topics, SHIPPED)),
            ("shared", dict.fromkeys(topics, shared)),
            ("per_topic", per_topic),
        ):
            entry[name] = {split: evaluate(grids[split], pairs) for split in ("dev", "train")}
        entry["per_topic_pairs"] = {t: list(p) for t, p in per_topic.items()}
        results[f"chosen_on_{choose_on}"] = entry
        print(f"chosen on {choose_on} (check on {check_on}):")
        for name in ("shipped", "shared", "per_topic"):
            scores = entry[name]
            print(
                f"  {name:9s} {choose_on} {scores[choose_on]['all']}  "
                f"{check_on} {scores[check_on]['all']}"
            )
        print(f"  pairs: shared {shared}, per topic {per_topic}")
        for topic in topics:
            print(
                f"    {topic:13s} shipped {entry['shipped'][check_on][topic]}  "
                f"per-topic {entry['per_topic'][check_on][topic]} ({check_on})"
            )
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
