"""Dev numbers of a news stance model as shipped (decision offsets included), per data set.

Scores the model's heads on the dev splits the recipe reports: news passages (on-topic
passages of the dev articles, author and quoted-speaker stance), every stance_extra source's
dev and test splits (at most 500 rows each, the recipe's sample; argument corpora have no
"none" and are read over favor/against), VAST zero-shot dev (all of it), NewsMTSC dev_rw and
dev_mt (the ``tone`` head and, where the model has it, ``tone_v3``), and the topic head.
Writes JSON (``--out``) and prints a markdown table.

    python -m experiments.evaluate_news_model [--model analysis/shipped_models/minilm_v2]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import torch

from analysis.datasets import load_examples
from analysis.scoring.pair_model import load_pair_classifier
from analysis.scoring.pair_scorer import TONE_V3_HEAD
from experiments.train_minilm import evaluate_model
from experiments.train_news_stance import DATA, NewsRecipeConfig, load_data
from experiments.vast_split import write_split

SHIPPED = Path(__file__).resolve().parent.parent / "analysis" / "shipped_models" / "minilm_v2"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=SHIPPED)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--title-context",
        action="store_true",
        help="the article's title in front of each news passage (a model trained so)",
    )
    parser.add_argument(
        "--side-definitions",
        action="store_true",
        help="each news target followed by what either side means (a model trained so)",
    )
    args = parser.parse_args()
    torch.manual_seed(0)
    cfg = NewsRecipeConfig(
        stage=2,
        dev_limit=500,
        title_context=args.title_context,
        side_definitions=args.side_definitions,
    )
    with tempfile.TemporaryDirectory() as tmp:
        data = load_data(cfg, Path(tmp))
        _, dev_csv = write_split(
            str(DATA / "vast" / "vast_train.csv"),
            Path(tmp) / "s",
        )
        data["stance"]["vast_dev"] = load_examples(dev_csv, "stance", "vast")  # all of it
    model, tokenizer = load_pair_classifier(args.model)
    if TONE_V3_HEAD in model.config.heads:  # the default tone (tone.minilm.v3), on tone's data
        data[TONE_V3_HEAD] = data["tone"]
    data = {task: splits for task, splits in data.items() if task in model.config.heads}
    results = evaluate_model(model, tokenizer, data, "cpu")
    table = {k: {"n": v["n"], "macro_f1": round(v["macro_f1"], 4)} for k, v in results.items()}
    if args.out:
        args.out.write_text(json.dumps(table, indent=1) + "\n")
    print("| head / data set | n | macro-F1 |\n|---|---|---|")
    for name, v in table.items():
        print(f"| {name} | {v['n']} | {v['macro_f1']:.3f} |")


if __name__ == "__main__":
    main()
