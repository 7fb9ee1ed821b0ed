"""Would the author stance head do better refitted over the frozen encoder? (measured, not shipped)

The default tone head (``tone_v3``) is a class-balanced logistic regression over the news
model's frozen pooled features. This asks the same of the author head (``stance``): fitted on
the same features of

- ``news``: the labelled news passages of the train articles (off-topic ones are "none");
- ``news+r3``: those and the round-3 labels (train articles too);
- ``all``: those, 1,000 train rows of each stance_extra source and 3,000 of VAST's zero-shot
  train split,

each data set of a mix weighing the same (``balanced_logistic_head``'s ``groups``), and
with L2 strength C from a grid, each read on the dev sets the recipe reports (news author
passages of the dev articles, on topic; each stance_extra source's dev and test splits, 500 rows,
argument corpora over favor/against; all of VAST's zero-shot dev) beside the shipped head.
Prints a table of macro-F1 and writes JSON (``--out``). Nothing here is chosen on held-out test
data: the stance_extra "test" rows are the sources' own public test splits, read as the model
card reads them.

    python -m experiments.author_head_refit [--model analysis/shipped_models/minilm_v2] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path
from typing import Any

from analysis.datasets import Example, load_examples
from analysis.metrics import classification_report
from experiments.train_minilm import predict_over_gold_classes
from experiments.train_news_stance import (
    DATA,
    EXTRA_SOURCES,
    HEADS,
    NEW_LABELS,
    NEW_LABELS_R3,
    NEWS_STANCE,
    SPLITS,
    balanced_logistic_head,
    extra_dev_sets,
    extra_examples,
    news_examples,
    pooled_features,
    read_news,
    sample,
)
from experiments.vast_split import write_split

SHIPPED = Path(__file__).resolve().parent.parent / "analysis" / "shipped_models" / "minilm_v2"
LABELS = HEADS["stance"]
GRID = (0.01, 0.03, 0.1)
EXTRA_TRAIN_ROWS = 1000
VAST_TRAIN_ROWS = 3000
DEV_ROWS = 500  # per stance_extra split, as the recipe samples them


def data_sets(workdir: Path, seed: int = 42) -> tuple[dict[str, list[Example]], dict]:
    """Training sets by name, and dev sets by name."""
    rng = random.Random(seed)
    news = read_news([str(NEWS_STANCE), str(NEW_LABELS)], str(SPLITS))
    round3 = [r for r in read_news([str(NEW_LABELS_R3)], str(SPLITS)) if r["split"] == "train"]
    train = {
        "news": news_examples([r for r in news if r["split"] == "train"], "stance"),
        "news_r3": news_examples(round3, "stance"),
    }
    dev = {
        "news_author": news_examples(
            [r for r in news if r["split"] == "dev"], "stance", on_topic_only=True
        )
    }
    for source in EXTRA_SOURCES:
        rows = extra_examples(str(DATA / "stance_extra"), source, "train")
        rng.shuffle(rows)
        train[source] = rows[:EXTRA_TRAIN_ROWS]
    dev.update(extra_dev_sets(str(DATA / "stance_extra"), DEV_ROWS, seed))
    train_csv, dev_csv = write_split(str(DATA / "vast" / "vast_train.csv"), workdir / "splits")
    train["vast"] = sample(load_examples(train_csv, "stance", "vast"), VAST_TRAIN_ROWS, rng)
    dev["vast_dev"] = load_examples(dev_csv, "stance", "vast")
    return train, dev


def macro_f1(logits: Any, truth: list[str]) -> float:
    """Macro-F1 of the argmax; a set with no "none" (argument corpora) is read over
    favor/against, as the model card reads it."""
    pred = predict_over_gold_classes(logits.detach().numpy(), LABELS, truth)
    return classification_report(truth, pred, LABELS)["macro_f1"]


def read_features(
    model_dir: Path, sets: dict[str, list[Example]]
) -> tuple[dict[str, Any], dict[str, list[str]], Any]:
    """The frozen model's pooled features and the gold labels of every set, and the model."""
    from analysis.scoring.pair_model import load_pair_classifier

    loaded = load_pair_classifier(model_dir)
    features, model = {}, loaded[0]
    for name, rows in sets.items():
        features[name], model = pooled_features(model_dir, rows, loaded=loaded)
        print(json.dumps({"features": name, "rows": len(rows)}), flush=True)
    labels = {name: [e.label for e in rows] for name, rows in sets.items()}
    return features, labels, model


def refit_variants(
    features: dict[str, Any],
    labels: dict[str, list[str]],
    dev: list[str],
    shipped_head: Any,
    mixes: dict[str, list[str]],
    grid: tuple[float, ...],
) -> dict[str, dict[str, float]]:
    """Macro-F1 on each ``dev`` set of the shipped head and of a class-balanced logistic
    head fitted on each mix of training sets (each set weighing the same) at each C."""
    import torch

    def scores(weight: Any, bias: Any) -> dict[str, float]:
        return {
            name: round(macro_f1(features[name] @ weight.T + bias, labels[name]), 4) for name in dev
        }

    weight, bias = shipped_head.weight.detach().float(), shipped_head.bias.detach().float()
    results = {"shipped head": scores(weight, bias)}
    for mix, names in mixes.items():
        names = [n for n in names if labels[n]]
        x = torch.cat([features[n] for n in names])
        y = torch.tensor([LABELS.index(label) for n in names for label in labels[n]])
        groups = torch.tensor([i for i, n in enumerate(names) for _ in labels[n]])
        for c in grid:
            weight, bias = balanced_logistic_head(x, y, len(LABELS), c, groups=groups)
            results[f"{mix}, C={c}"] = scores(weight, bias)
            print(json.dumps({"variant": f"{mix}, C={c}", **results[f"{mix}, C={c}"]}), flush=True)
    return results


def print_table(results: dict[str, dict[str, float]], dev: list[str]) -> None:
    """The results as a Markdown table, a variant a row."""
    print("\n| variant | " + " | ".join(dev) + " |")
    print("|---" * (len(dev) + 1) + "|")
    for variant, row in results.items():
        print(f"| {variant} | " + " | ".join(f"{row[name]:.3f}" for name in dev) + " |")


def write_record(
    out: Path | None,
    model: Path,
    train: dict[str, list[Example]],
    dev: dict[str, list[Example]],
    results: dict[str, dict[str, float]],
    **extra: Any,
) -> dict[str, Any]:
    """The refit's JSON record (with ``extra`` fields at its end), written to ``out`` if
    given."""
    record = {
        "model": str(model),
        "train_rows": {name: len(rows) for name, rows in train.items()},
        "dev_rows": {name: len(rows) for name, rows in dev.items()},
        "macro_f1": results,
        **extra,
    }
    if out:
        out.write_text(json.dumps(record, indent=2) + "\n")
    return record


def main(argv: list[str] | None = None) -> dict[str, Any]:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=SHIPPED)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=0, help="rows per set (0: all; for tests)")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        train, dev = data_sets(Path(tmp))
    if args.limit:
        train = {k: v[: args.limit] for k, v in train.items()}
        dev = {k: v[: args.limit] for k, v in dev.items()}
    features, labels, model = read_features(args.model, {**train, **dev})
    mixes = {"news": ["news"], "news+r3": ["news", "news_r3"], "all": list(train)}
    results = refit_variants(features, labels, list(dev), model.heads["stance"], mixes, GRID)
    print_table(results, list(dev))
    return write_record(args.out, args.model, train, dev, results)


if __name__ == "__main__":
    main()
