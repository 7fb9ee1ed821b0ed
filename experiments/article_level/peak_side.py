"""Should a stance need one passage that clearly takes a side?

An audit of the first 1,000 AllSides articles (non-reserved, read by a helper) found "expressed"
stances made of noise: a long straight-news article whose passages each take a side with
P(favor) + P(against) of 0.03-0.2 passes ``min_stance_mass`` (0.1) by their sum. The rule
tried here: an article × topic whose own-voice topic passages all take a side with less than
``tau`` reads "no stance expressed" (its stance and interval dropped) whatever their sum.
Judged on the labelled articles' splits (dev chooses, train checks), from the stored passage
scores of a run of them made with the shipped defaults:

    python -m experiments.article_level.labelled_articles --out LABELLED
    viewpoints analyze LABELLED --precision fp32 --cache ""
    python -m experiments.article_level.peak_side --run RUN \
        --out experiments/article_level/peak_side.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.evaluate_articles import evaluate_run_articles, load_article_labels
from analysis.runs import load_run

HERE = Path(__file__).resolve().parent
LABELS = HERE.parent / "news_labels" / "articles.jsonl"
CUTS = (0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)


def peak_side(scores: pd.DataFrame) -> pd.Series:
    """Per (article, topic): the largest P(favor) + P(against) among its own-voice topic
    passages."""
    own = scores[~scores["reported"].astype(bool)]
    side = own["stance_favor"].astype(float) + own["stance_against"].astype(float)
    return side.groupby([own["article_id"], own["topic"]]).max()


def with_peak_rule(positions: pd.DataFrame, peak: pd.Series, tau: float) -> pd.DataFrame:
    """The article rows' stances read "no stance expressed" where no own-voice passage takes
    a side with ``tau`` or more (author rows left as they are: the figures are per article)."""
    out = positions.copy()
    keys = pd.MultiIndex.from_arrays([out["article_id"], out["topic"]])
    reached = peak.reindex(keys).to_numpy(dtype=float) >= tau
    weak = (
        (out["level"] == "article").to_numpy()
        & out["stance_status"].isin(["expressed", "mixed"]).to_numpy()
        & ~reached
    )
    out.loc[weak, "stance_status"] = "no_stance"
    out.loc[weak, ["stance", "stance_low", "stance_high"]] = np.nan
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, help="a run of the labelled articles")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    run = load_run(args.run)
    peak = peak_side(run.scores)
    results: dict[str, list[dict]] = {}
    for split in ("dev", "train"):
        labels = load_article_labels(args.labels, split)
        rows = []
        for tau in CUTS:
            positions = with_peak_rule(run.positions, peak, tau)
            report = evaluate_run_articles(labels, positions)
            rows.append(
                {
                    "tau": tau,
                    "sign_accuracy": report["sign_accuracy"],
                    "n_called": report["n_called"],
                    "auc_favor_vs_none": report["auc_favor_vs_none"],
                    "macro_f1": report["macro_f1"],
                }
            )
            print(
                f"{split} tau {tau:.2f}: sign accuracy {report['sign_accuracy']:.3f} "
                f"(given a stance {report['n_called']}), AUC favor vs none "
                f"{report['auc_favor_vs_none']:.3f}, 4-label macro-F1 {report['macro_f1']:.3f}"
            )
        results[split] = rows
    if args.out:
        args.out.write_text(
            json.dumps({"run": run.run_id, "results": results}, indent=1) + "\n",
            encoding="utf-8",
        )
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
