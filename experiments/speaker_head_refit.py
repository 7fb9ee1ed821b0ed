"""Would the quoted-speaker head do better refitted over the frozen encoder? (measured)

The default tone head (``tone_v3``) is a class-balanced logistic regression over the news
model's frozen pooled features; ``author_head_refit`` asked the same of the author head (no
gain). This asks it of the ``speaker`` head, whose dev macro-F1 (0.517) is under issue 11's bar
of 0.60. Fitted on the same features of

- ``news``: the speaker labels of the labelled news passages of the train articles;
- ``news+r3``: those and the round-3 labels (train articles too);
- ``news+r3+args``: those and 1,000 train rows of each argument source of stance_extra
  (Perspectrum, IBM ArgKP, IBM Claim Stance, Touché; an argument is a voice taking a side),

each data set of a mix weighing the same, with L2 strength C from a grid. Chosen without
looking at the held-out half: the dev articles are split in two halves by a seeded shuffle of
their ids; the variant with the best macro-F1 on the tuning half is the pick, and the held-out
half and the whole dev set are reported for every variant beside the shipped head. The
argument corpora's dev splits (500 rows, read over favor/against) show what a refit costs there.

    python -m experiments.speaker_head_refit [--model analysis/shipped_models/minilm_v2] \\
        [--out experiments/speaker_head_refit.json]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

from analysis.datasets import Example
from experiments.author_head_refit import (
    print_table,
    read_features,
    refit_variants,
    write_record,
)
from experiments.train_news_stance import (
    DATA,
    NEW_LABELS,
    NEW_LABELS_R3,
    NEWS_STANCE,
    SPLITS,
    extra_examples,
    news_examples,
    read_news,
)

SHIPPED = Path(__file__).resolve().parent.parent / "analysis" / "shipped_models" / "minilm_v2"
GRID = (0.01, 0.03, 0.1, 0.3)
ARGUMENT_SOURCES = ("perspectrum", "ibm_argkp2021", "ibm_claim_stance", "touche23")
ARGUMENT_ROWS = 1000
DEV_ROWS = 500


def halves(examples: list[Example], seed: int) -> tuple[list[Example], list[Example]]:
    """The examples of a seeded half of their articles (``group``), and of the other half."""
    articles = sorted({e.group for e in examples})
    random.Random(seed).shuffle(articles)
    tuning = set(articles[: len(articles) // 2])
    chosen = [e for e in examples if e.group in tuning]
    return chosen, [e for e in examples if e.group not in tuning]


def data_sets(seed: int = 42) -> tuple[dict[str, list[Example]], dict[str, list[Example]]]:
    """Training sets by name, and dev sets by name."""
    rng = random.Random(seed)
    news = read_news([str(NEWS_STANCE), str(NEW_LABELS)], str(SPLITS))
    round3 = [r for r in read_news([str(NEW_LABELS_R3)], str(SPLITS)) if r["split"] == "train"]
    train = {
        "news": news_examples([r for r in news if r["split"] == "train"], "speaker"),
        "news_r3": news_examples(round3, "speaker"),
    }
    for source in ARGUMENT_SOURCES:
        rows = extra_examples(str(DATA / "stance_extra"), source, "train")
        rng.shuffle(rows)
        train[source] = rows[:ARGUMENT_ROWS]
    speaker_dev = news_examples(
        [r for r in news if r["split"] == "dev"], "speaker", on_topic_only=True
    )
    tuning, held_out = halves(speaker_dev, seed)
    dev = {"news_speaker": speaker_dev, "tuning_half": tuning, "held_out_half": held_out}
    for source in ARGUMENT_SOURCES:
        rows = extra_examples(str(DATA / "stance_extra"), source, "dev")
        if rows:  # IBM Claim Stance has no dev split
            dev[f"{source}_dev"] = random.Random(seed).sample(rows, min(DEV_ROWS, len(rows)))
    return train, dev


def main(argv: list[str] | None = None) -> dict[str, Any]:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=SHIPPED)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--limit", type=int, default=0, help="rows per set (0: all; for tests)")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    train, dev = data_sets(args.seed)
    if args.limit:
        train = {k: v[: args.limit] for k, v in train.items()}
        dev = {k: v[: args.limit] for k, v in dev.items()}
    features, labels, model = read_features(args.model, {**train, **dev})
    mixes = {
        "news": ["news"],
        "news+r3": ["news", "news_r3"],
        "news+r3+args": ["news", "news_r3", *ARGUMENT_SOURCES],
    }
    results = refit_variants(features, labels, list(dev), model.heads["speaker"], mixes, GRID)
    pick = max((v for v in results if v != "shipped head"), key=lambda v: results[v]["tuning_half"])
    print_table(results, list(dev))
    print(f"\npicked on the tuning half: {pick}")
    extra = {"seed": args.seed, "picked_on_tuning_half": pick}
    return write_record(args.out, args.model, train, dev, results, **extra)


if __name__ == "__main__":
    main()
