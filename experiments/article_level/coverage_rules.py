"""Can a rule over an article's candidate passages tell "discussed" better? (measured, not shipped)

Coverage F1 on the article dev set is 0.833 against the bar's 0.85. Read afterwards, most of the
discussed-by-the-run, not-discussed-by-the-reader pairs rest on one passing mention (a list of
topics, a biographical aside), so two kinds of rule are tried against the shipped one (one
candidate at relevance 0.55 with P(on topic) >= 0.9, the gate shipped then; 0.8 since
2026-12-07):

- ``count``: at least ``k`` candidates at relevance ``t`` whose P(on topic) reaches ``g``,
  besides one at 0.9 (a passing mention has one passage);
- ``reader``: a class-balanced logistic regression (numpy) over each article x topic's
  candidates (the largest and second P(on topic), how many reach 0.9 and 0.7, the sum, the
  largest own-voice P(on topic), the largest relevance, the share of the article's passages,
  the article's length, the topic), fitted on the train articles and read on dev; and the other
  way round, as a check that a gain is not a split's accident.

Input: a run of the labelled articles with ``--threshold 0.45 --relevance full`` (so that every
candidate down to 0.45 is there, kept or gated out)::

    viewpoints analyze experiments/output/labelled_articles.jsonl --threshold 0.45 \
        --relevance full --cache ""
    python -m experiments.article_level.coverage_rules --run RUN \
        --out experiments/article_level/coverage_rules.json
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.metrics import precision_recall_f1
from analysis.runs import load_run
from experiments.article_level import per_topic_coverage
from experiments.article_level.per_topic_coverage import LABELS, labels

STRONG_GATE = 0.9
COUNT_GRID = {"t": (0.45, 0.5, 0.55), "k": (1, 2, 3), "g": (0.3, 0.5, 0.7, 0.9)}
L2_GRID = (0.1, 1.0, 10.0)


def candidates(run_dir: str | Path) -> tuple[pd.DataFrame, pd.Series]:
    """Every candidate of the run (kept or gated out, :func:`per_topic_coverage.candidates`)
    with P(on topic) 1 where the model has no topic head, and each article's passage count."""
    cands = per_topic_coverage.candidates(run_dir)
    cands["on_topic"] = cands["on_topic"].astype(float).fillna(1.0)
    sizes = load_run(run_dir).articles.set_index("article_id")["n_passages"]
    return cands, sizes


def count_rule(cands: pd.DataFrame, t: float, k: int, g: float) -> set[tuple[str, str]]:
    """Pairs with a candidate at 0.9 and at least ``k`` at ``g``, all at relevance ``t``."""
    c = cands[cands["relevance"] >= t]
    grouped = c.groupby(["article_id", "topic"])["on_topic"]
    strong = grouped.apply(lambda on: (on >= STRONG_GATE).sum() >= 1)
    enough = grouped.apply(lambda on, g=g: (on >= g).sum() >= k)
    found = strong & enough
    return set(found[found].index)


def features(cands: pd.DataFrame, sizes: pd.Series, pairs: pd.DataFrame) -> np.ndarray:
    """One row of candidate features per (article, topic) of ``pairs``, topic one-hot last."""
    c = cands[cands["relevance"] >= 0.5]
    by_pair = {key: part for key, part in c.groupby(["article_id", "topic"])}
    topics = sorted(pairs["topic"].unique())
    rows = []
    for article, topic in zip(pairs["article_id"], pairs["topic"], strict=True):
        part = by_pair.get((article, topic))
        size = float(max(sizes.get(article, 1), 1))
        onehot = [float(topic == t) for t in topics]
        if part is None:
            rows.append([0.0] * 9 + [np.log1p(size), *onehot])
            continue
        on = np.sort(part["on_topic"].to_numpy())[::-1]
        own = part.loc[~part["reported"].astype(bool), "on_topic"]
        rows.append(
            [
                on[0],
                on[1] if len(on) > 1 else 0.0,
                float((on >= 0.9).sum()),
                float((on >= 0.7).sum()),
                np.log1p(on.sum()),
                float(own.max()) if len(own) else 0.0,
                float(part["relevance"].max()),
                on.sum() / size,
                np.log1p(float((on * part["relevance"].to_numpy()).sum())),
                np.log1p(size),
                *onehot,
            ]
        )
    return np.asarray(rows, dtype=float)


class CoverageReader:
    """Binary logistic regression, class-balanced, L2 on the weights (numpy, gradient descent
    on standardised features)."""

    def __init__(self, l2: float = 1.0, steps: int = 4000, lr: float = 0.2) -> None:
        self.l2, self.steps, self.lr = l2, steps, lr

    def fit(self, x: np.ndarray, y: np.ndarray) -> CoverageReader:
        self.mean_, self.scale_ = x.mean(axis=0), x.std(axis=0) + 1e-9
        z = np.column_stack([np.ones(len(x)), (x - self.mean_) / self.scale_])
        pos = max(int(y.sum()), 1)
        weight = np.where(y, len(y) / (2 * pos), len(y) / (2 * max(len(y) - pos, 1)))
        self.w_ = np.zeros(z.shape[1])
        for _ in range(self.steps):
            p = 1 / (1 + np.exp(-(z @ self.w_)))
            grad = z.T @ ((p - y) * weight) / len(y)
            grad[1:] += self.l2 * self.w_[1:] / len(y)
            self.w_ -= self.lr * grad
        return self

    def proba(self, x: np.ndarray) -> np.ndarray:
        z = np.column_stack([np.ones(len(x)), (x - self.mean_) / self.scale_])
        return 1 / (1 + np.exp(-(z @ self.w_)))


def scores(pred: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Coverage precision, recall and F1 of ``pred`` against ``truth`` (both bool)."""
    return precision_recall_f1(int((pred & truth).sum()), int(pred.sum()), int(truth.sum()))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--run", required=True, help="a run of the labelled articles, threshold 0.45"
    )
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--out", help="write the results as JSON here")
    args = parser.parse_args(argv)

    cands, sizes = candidates(args.run)
    truth = labels(args.labels)
    split = {name: (truth["split"] == name).to_numpy() for name in ("dev", "train")}
    real = truth["truth"].to_numpy()
    keys = list(zip(truth["article_id"], truth["topic"], strict=True))

    def judged(found: set[tuple[str, str]]) -> dict[str, dict[str, float]]:
        pred = np.array([key in found for key in keys])
        return {name: scores(pred[m], real[m]) for name, m in split.items()}

    results: dict[str, Any] = {"run": Path(args.run).name, "count": [], "reader": []}
    results["shipped"] = judged(count_rule(cands, 0.55, 1, STRONG_GATE))
    for t, k, g in itertools.product(*COUNT_GRID.values()):
        results["count"].append({"t": t, "k": k, "g": g, **judged(count_rule(cands, t, k, g))})
    x = features(cands, sizes, truth)
    for l2, (fit_on, read_on) in itertools.product(L2_GRID, (("train", "dev"), ("dev", "train"))):
        model = CoverageReader(l2).fit(x[split[fit_on]], real[split[fit_on]])
        p = model.proba(x)
        row: dict[str, Any] = {"l2": l2, "fitted_on": fit_on}
        for cut in (0.3, 0.4, 0.5, 0.6):
            row[f"{read_on}@{cut}"] = scores(p[split[read_on]] >= cut, real[split[read_on]])
        results["reader"].append(row)

    ship = results["shipped"]
    print(f"shipped: dev F1 {ship['dev']['f1']:.3f}, train {ship['train']['f1']:.3f}")
    best = sorted(results["count"], key=lambda r: -r["dev"]["f1"])[:5]
    for r in best:
        rule = f"count t={r['t']} k={r['k']} g={r['g']}"
        print(f"{rule}: dev {r['dev']['f1']:.3f}, train {r['train']['f1']:.3f}")
    for r in results["reader"]:
        cells = ", ".join(f"{k} {v['f1']:.3f}" for k, v in r.items() if "@" in k)
        print(f"reader l2={r['l2']} fitted on {r['fitted_on']}: {cells}")
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
