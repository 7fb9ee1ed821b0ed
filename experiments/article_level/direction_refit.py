"""Which side, decided apart: does a favor-vs-against classifier fix "no opposition found"?
(measured, not shipped)

The shipped author head tells a passage that takes a side from one that does not far better
than it tells the two sides apart: on the sided news passages of the dev articles it calls 5
of 87 "against" (29 are). Here the head keeps the first decision (P(none)) and a class-balanced
logistic regression over the same frozen features (``balanced_logistic_head``) makes the
second: favor or against, trained on the sided passages of the train articles (all rounds)
and the written passages that take a side (``experiments/written_labels``), each source
weighing the same. Read on

- the dev articles' labelled news passages: favor vs against on those that take a side, and
  the three-label macro-F1 on all on-topic ones (the head's "none" kept);
- with ``--run`` (a run of the labelled articles), the article splits end to end: each scored
  passage's sided mass (1 - P(none)) split by the classifier, positions recomputed by the run's
  own [aggregate] settings, judged by ``analysis.evaluate_articles``.

    python -m experiments.article_level.direction_refit --run RUN \\
        --out experiments/article_level/direction_refit.json

Every C of the grid is reported; none is chosen.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.datasets import Example
from analysis.metrics import classification_report
from experiments.train_news_stance import (
    NEW_LABELS,
    NEW_LABELS_R3,
    NEWS_STANCE,
    SPLITS,
    WRITTEN_TARGETS,
    balanced_logistic_head,
    pooled_features,
    read_news,
)

SHIPPED = Path(__file__).resolve().parents[2] / "analysis" / "shipped_models" / "minilm_v2"
WRITTEN = Path(__file__).resolve().parents[1] / "written_labels" / "written.jsonl"
LABELS = ("favor", "against", "none")
SIDES = ("favor", "against")
GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
ARTICLE_FIGURES = ("sign_accuracy", "auc_favor_vs_none", "auc_against_vs_none", "macro_f1")


def passage_sets(limit: int = 0) -> dict[str, list[Example]]:
    """``train_news`` and ``train_written`` (sided passages only), ``dev_on_topic`` (the dev
    articles' on-topic passages of news_stance and the first-round labels, as the model card
    reads them); ``limit`` rows each (0: all)."""
    rows = read_news([str(NEWS_STANCE), str(NEW_LABELS), str(NEW_LABELS_R3)], str(SPLITS))
    train_news = [
        Example(r["text"], r["target"], r["label"], group=r["article_id"])
        for r in rows
        if r["split"] == "train" and r["on_topic"] and r["label"] in SIDES
    ]
    written = [json.loads(line) for line in WRITTEN.read_text(encoding="utf-8").splitlines()]
    train_written = [
        Example(w["text"], WRITTEN_TARGETS[w["topic"]], w["label"], group=w["id"])
        for w in written
        if w["label"] in SIDES
    ]
    dev = [
        Example(r["text"], r["target"], r["label"], group=r["article_id"])
        for r in read_news([str(NEWS_STANCE), str(NEW_LABELS)], str(SPLITS))
        if r["split"] == "dev" and r["on_topic"]
    ]
    sets = {"train_news": train_news, "train_written": train_written, "dev_on_topic": dev}
    return {k: v[:limit] for k, v in sets.items()} if limit else sets


def fit_direction(features: dict[str, Any], labels: dict[str, list[str]], c: float):
    """Weights and bias of P(against) over P(favor), on the two training sets alike."""
    import torch

    names = ["train_news", "train_written"]
    x = torch.cat([features[n] for n in names]).float()
    y = torch.tensor([SIDES.index(label) for n in names for label in labels[n]])
    groups = torch.tensor([i for i, n in enumerate(names) for _ in labels[n]])
    return balanced_logistic_head(x, y, len(SIDES), c, groups=groups)


def p_against(features: Any, weight: Any, bias: Any) -> np.ndarray:
    """The classifier's P(against) of each row of ``features``."""
    import torch

    return torch.softmax(features.float() @ weight.T + bias, dim=1)[:, 1].numpy()


def split_sides(p_none: np.ndarray, against: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(favor) and P(against): the head's sided mass ``1 - p_none`` split by ``against``."""
    sided = 1.0 - np.asarray(p_none, dtype=float)
    return sided * (1.0 - against), sided * against


def passage_figures(head_logits: Any, against: np.ndarray, truth: list[str]) -> dict[str, Any]:
    """Three-label macro-F1 (the head's argmax, its favor/against replaced by the classifier's
    side) and favor-vs-against figures on the passages that take a side."""
    base = [LABELS[i] for i in head_logits.argmax(1).tolist()]
    pred = [p if p == "none" else SIDES[int(a >= 0.5)] for p, a in zip(base, against, strict=True)]
    sided = [i for i, t in enumerate(truth) if t in SIDES]
    side_pred = [SIDES[int(against[i] >= 0.5)] for i in sided]
    side_truth = [truth[i] for i in sided]
    report = classification_report(side_truth, side_pred, list(SIDES))
    return {
        "macro_f1_three_labels": round(
            classification_report(truth, pred, list(LABELS))["macro_f1"], 4
        ),
        "sided_macro_f1": round(report["macro_f1"], 4),
        "against_found": sum(
            p == t == "against" for p, t in zip(side_pred, side_truth, strict=True)
        ),
        "against_called": side_pred.count("against"),
    }


def article_figures(run: Any, scores: pd.DataFrame, labels: dict[str, pd.DataFrame]):
    """The article splits' figures (``labels`` by split) of the run's positions recomputed
    from ``scores`` by the run's own [aggregate] settings."""
    from analysis.aggregate import AggregateConfig, positions
    from analysis.evaluate_articles import evaluate_run_articles

    table = positions(
        run.articles,
        run.passages,
        scores,
        list(run.config["topic_definitions"]),
        AggregateConfig.from_dict(run.config["aggregate"]),
    )
    out = {}
    for split, split_labels in labels.items():
        metrics = evaluate_run_articles(split_labels, table)
        out[split] = {k: metrics[k] for k in ARTICLE_FIGURES} | {
            "coverage_f1": metrics["coverage"]["f1"]
        }
    return out


def with_sides(scores: pd.DataFrame, features: Any, weight: Any, bias: Any) -> pd.DataFrame:
    """``scores`` with each pair's sided mass split by the classifier."""
    favor, against = split_sides(
        scores["stance_none"].to_numpy(), p_against(features, weight, bias)
    )
    return scores.assign(stance_favor=favor, stance_against=against, stance=favor - against)


def run_examples(run: Any) -> list[Example]:
    """The run's scored (passage, topic) pairs as examples against their topic's target."""
    targets = {k: v["target"] for k, v in run.config["topic_definitions"].items()}
    text = run.scores[["passage_id"]].merge(
        run.passages[["passage_id", "text"]], on="passage_id", how="left"
    )["text"]
    return [Example(t, targets[k], "none") for t, k in zip(text, run.scores["topic"], strict=True)]


def _shown(path: Path) -> str:
    """``path`` relative to the repository where it lies inside it (a record to commit)."""
    root = Path(__file__).resolve().parents[2]
    resolved = path.resolve()
    return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(path)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    import torch

    from analysis.scoring.pair_model import load_pair_classifier

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=SHIPPED)
    parser.add_argument("--run", type=Path, default=None, help="a run of the labelled articles")
    parser.add_argument(
        "--labels",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "news_labels" / "articles.jsonl",
    )
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=0, help="rows per set (0: all; for tests)")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    sets = passage_sets(args.limit)
    loaded = load_pair_classifier(args.model)
    model = loaded[0]
    layers = model.layers_of("stance")
    features = {
        name: pooled_features(args.model, rows, loaded=loaded, layers=layers)[0]
        for name, rows in sets.items()
    }
    labels_of = {name: [e.label for e in rows] for name, rows in sets.items()}
    with torch.inference_mode():
        head = model.heads["stance"](
            features["dev_on_topic"].to(model.heads["stance"].weight.dtype)
        )
    head = head.float()
    shipped_against = torch.softmax(head[:, :2], dim=1)[:, 1].numpy()
    result: dict[str, Any] = {
        "model": _shown(args.model),
        "rows": {name: len(rows) for name, rows in sets.items()},
        "against_rows": {name: labels_of[name].count("against") for name in sets},
        "passages": {
            "shipped head": passage_figures(head, shipped_against, labels_of["dev_on_topic"])
        },
    }
    if args.run:
        from analysis.evaluate_articles import load_article_labels
        from analysis.runs import load_run

        run = load_run(str(args.run))
        article_labels = {s: load_article_labels(args.labels, s) for s in ("dev", "train")}
        run_features = pooled_features(args.model, run_examples(run), loaded=loaded, layers=layers)[
            0
        ]
        result["run"] = args.run.name
        result["articles"] = {"shipped head": article_figures(run, run.scores, article_labels)}
    for c in GRID:
        weight, bias = fit_direction(features, labels_of, c)
        name = f"direction C={c}"
        against = p_against(features["dev_on_topic"], weight, bias)
        result["passages"][name] = passage_figures(head, against, labels_of["dev_on_topic"])
        if args.run:
            scores = with_sides(run.scores, run_features, weight, bias)
            result["articles"][name] = article_figures(run, scores, article_labels)
        print(json.dumps({name: result["passages"][name]}), flush=True)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
