"""Does reading a passage against its target's opposite as well make the stance heads read
sides better? (the ``--negated-targets`` experiment of ``train_news_stance``).

For the on-topic news passages of the dev articles, each stance head (author, quoted speaker)
is read twice: against the topic's target T and against its reversed target ¬T
(``NEGATED_TARGETS``, "lifting sanctions on Russia" for "sanctions on Russia"). Printed,
macro-F1 over favor/against/none and the F1 of "against":

- ``plain``: the reading against T alone (what the product does);
- ``negated``: the reading against ¬T with favor and against swapped;
- ``contrast``: the two averaged, P(favor) = (P_T(favor) + P_¬T(against)) / 2 and so on, which
  cancels a head's habit of calling any side-taking passage "favor" whatever the target.

    python -m experiments.negated_targets --model DIR [--model DIR2 ...] [--out FILE]

Dev articles only (``splits.json``); nothing here is chosen on them yet: the numbers decide
whether the contrast is worth building into the product.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from analysis.metrics import classification_report
from experiments.train_news_stance import (
    NEGATED_TARGETS,
    NEW_LABELS,
    NEWS_STANCE,
    SPLITS,
    read_news,
)

LABELS = ("favor", "against", "none")


def readings(model: Any, rows: list[dict], head: str) -> dict[str, np.ndarray]:
    """Probabilities (favor, against, none) of ``head`` of a loaded ``PairModel`` against T,
    against ¬T (swapped back to T's sides) and their average."""
    from analysis.scoring.pair_scorer import PairModelScorer, quoted_voice

    scorer = PairModelScorer("stance", "stance", model)
    if head == "speaker":
        scorer = quoted_voice(scorer)
    texts = [r["text"] for r in rows]
    plain = scorer.score(texts, [r["target"] for r in rows])
    negated = scorer.score(texts, [NEGATED_TARGETS[r["topic"]] for r in rows])[:, [1, 0, 2]]
    return {"plain": plain, "negated": negated, "contrast": (plain + negated) / 2}


def report(truth: list[str], probs: np.ndarray) -> dict[str, float]:
    pred = [LABELS[i] for i in probs.argmax(axis=1)]
    rep = classification_report(truth, pred, list(LABELS))
    return {
        "n": len(truth),
        "macro_f1": round(rep["macro_f1"], 4),
        "against_f1": round(rep["per_class"]["against"]["f1"], 4),
        "favor_f1": round(rep["per_class"]["favor"]["f1"], 4),
        "predicted_against": pred.count("against"),
        "predicted_favor": pred.count("favor"),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", required=True)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    rows = [
        r
        for r in read_news([str(NEWS_STANCE), str(NEW_LABELS)], str(SPLITS))
        if r["split"] == "dev" and r["on_topic"] and r["topic"] in NEGATED_TARGETS
    ]
    results: dict = {}
    from analysis.scoring.pair_scorer import PairModel

    for model in args.model:
        loaded = PairModel(model)  # one load for both heads
        results[model] = {}
        for head, key in (("stance", "label"), ("speaker", "speaker_label")):
            picked = [r for r in rows if r.get(key) is not None]
            truth = [r[key] for r in picked]
            for name, probs in readings(loaded, picked, head).items():
                results[model][f"{head} {name}"] = report(truth, probs)
                print(model, head, name, json.dumps(results[model][f"{head} {name}"]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    return results


if __name__ == "__main__":
    main()
