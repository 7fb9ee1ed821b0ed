"""Two topic gates: a strict one for whether an article discusses a topic, a looser one for
which of its passages count toward its stance?

The topic head's gate at P(on topic) 0.9 was chosen for article coverage; on the labelled news
passages of the dev articles it keeps few of the passages readers found on topic, arms control
worst (recall 0.14 at 0.9 against 0.60 at 0.5, `passage_recall` below), so an outlet's stance on
arms control rests on a handful of passages. Here coverage stays as shipped (relevance 0.55,
gate 0.9, either voice) and the stance of a discussed article is read from its own-voice
passages at a looser gate, by the shipped rule (relevance-weighted mean of favor - against, "no
stance expressed" under a stance mass of 0.1). Judged on the article splits (dev chooses,
train checks).

Input: a run of the labelled articles made with a low threshold; its candidates left out by the
gate are re-scored with the model (their stance was never computed).

    viewpoints analyze experiments/output/labelled_articles.jsonl --threshold 0.45 \
        --relevance full --name labelled-t045-full --cache ""
    python -m experiments.article_level.two_gates --run RUN \
        --out experiments/article_level/two_gates.json

The passage gate that ships (``topics.passage_gate``) was chosen on the passages alone, every
topic and both splits (dev chooses, train checks; no run needed):

    python -m experiments.article_level.two_gates --passages-only \
        --out experiments/article_level/passage_gates.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.evaluate_articles import load_article_labels
from analysis.metrics import precision_recall_f1
from analysis.runs import load_run
from experiments.article_level.choose_aggregation import (
    LABELS,
    candidates,
    features,
    judge,
    labelled_features,
    rescore,
    rule_scores,
)
from experiments.train_news_stance import NEW_LABELS, NEWS_STANCE, SPLITS, read_news

SHIPPED_MODEL = Path(__file__).resolve().parents[2] / "analysis" / "shipped_models" / "minilm_v2"
THRESHOLD, COVERAGE_GATE, TAU = 0.55, 0.9, 0.1
STANCE_GATES = (0.9, 0.8, 0.7, 0.5, 0.3)
PASSAGE_GATES = (0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3)


def all_candidates(run_dir: str, model: str) -> pd.DataFrame:
    """The run's scored candidates and those the gate left out, all scored with ``model``."""
    run = load_run(run_dir)
    gated = pd.read_parquet(Path(run.path) / "gated_out.parquet")
    both = pd.concat([run.scores, gated], ignore_index=True)
    topics = {t["key"]: t["target"] for t in run.meta["topics"]}
    return rescore(both, run.passages, model, topics)


def labelled_on_topic(
    model: str, targets: dict[str, str], splits: tuple[str, ...] = ("dev", "train")
) -> tuple[list[dict], np.ndarray]:
    """The labelled news passages of ``splits`` on the topics of ``targets`` (key -> target),
    and the model's topic head's P(on topic) for each, read against its topic's target."""
    from analysis.scoring.pair_scorer import PairModel, PairModelScorer, topic_gate

    rows = [
        r
        for r in read_news([str(NEWS_STANCE), str(NEW_LABELS)], str(SPLITS))
        if r["topic"] in targets and r["split"] in splits
    ]
    gate = topic_gate(PairModelScorer("stance", "stance", PairModel(model)))
    p_on = gate.score([r["text"] for r in rows], [targets[r["topic"]] for r in rows])[:, 1]
    return rows, p_on


def passage_recall(
    model: str, splits: tuple[str, ...] = ("dev",), gates: tuple[float, ...] = STANCE_GATES
) -> dict:
    """Split -> precision and recall of "on topic" at each gate on the labelled passages of
    that split, per topic and over all topics together ("all"); the model reads every
    passage once."""
    from analysis.topics import load_topics

    targets = {t.key: t.target for t in load_topics()}
    rows, p_on = labelled_on_topic(model, targets, splits)
    out: dict = {}
    for split in splits:
        out[split] = {}
        for topic in [*sorted(targets), "all"]:
            idx = [
                i
                for i, r in enumerate(rows)
                if r["split"] == split and topic in ("all", r["topic"])
            ]
            truth = np.array([bool(rows[i]["on_topic"]) for i in idx])
            row: dict = {"on_topic": int(truth.sum()), "passages": len(idx)}
            for g in gates:
                pred = p_on[idx] >= g
                scores = precision_recall_f1(
                    int((pred & truth).sum()), int(pred.sum()), int(truth.sum())
                )
                row[str(g)] = {k: scores[k] for k in ("precision", "recall", "f1")}
            out[split][topic] = row
    return out


def judge_gates(scored: pd.DataFrame, gates: dict[str, float]) -> dict:
    """Coverage as shipped; stance from own-voice passages at each topic's gate in ``gates``."""
    covering = features(candidates(scored, THRESHOLD, COVERAGE_GATE))
    gate = scored["topic"].map(gates).astype(float)
    on = scored["on_topic"].astype(float).fillna(1.0)
    feat = features(scored[(scored["relevance"] >= THRESHOLD) & (on >= gate)])
    out = {}
    for split in ("dev", "train"):
        labels = load_article_labels(LABELS, split)
        covered = labelled_features(labels, covering)
        discussed = (covered["n_own"] + covered["n_rep"]) >= 1
        table = labelled_features(labels, feat)
        score = rule_scores(table, "mean+tau", TAU)
        result = judge(table, score, discussed)
        called = discussed & (score != 0)
        result["own_passages_per_discussed"] = round(float(table["n_own"][discussed].mean()), 2)
        result["called"] = int(called.sum())
        out[split] = {k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", help="a run of the labelled articles")
    parser.add_argument(
        "--passages-only",
        action="store_true",
        help="only the labelled passages at each gate, both splits (no run needed)",
    )
    parser.add_argument("--model", default=str(SHIPPED_MODEL))
    parser.add_argument("--out", help="write the results as JSON here")
    args = parser.parse_args(argv)
    if args.passages_only:
        results: dict = passage_recall(args.model, ("dev", "train"), PASSAGE_GATES)
        print(json.dumps(results, indent=1))
        if args.out:
            Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
        return 0
    if not args.run:
        parser.error("--run is required (or --passages-only)")
    scored = all_candidates(args.run, args.model)
    topics = sorted(scored["topic"].unique())
    results = {"run": args.run, "passage_recall_dev": passage_recall(args.model)["dev"]}
    for g in STANCE_GATES:
        results[f"every topic {g}"] = judge_gates(scored, dict.fromkeys(topics, g))
        arms = {**dict.fromkeys(topics, COVERAGE_GATE), "arms_control": g}
        results[f"arms control {g}, others 0.9"] = judge_gates(scored, arms)
    print(json.dumps(results, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
