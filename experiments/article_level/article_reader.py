"""Does reading an article's topic passages together beat averaging them one by one?

The passage model sees one passage at a time, so framing spread over an article (whose views
are quoted, loaded wording across paragraphs) never reaches it. This experiment joins an
article's topic passages into one input (the target, then the passages in a chosen order, up
to ``--max-length`` tokens) and reads the author head of the news model on it once per
article × topic. It compares, on the article splits of ``experiments/news_labels``:

- ``mean``: the shipped rule (relevance-weighted favor − against of the own-voice passages);
- ``joined own``/``joined all``: favor − against of the joined own-voice (or all) passages,
  in article order or strongest-first (``rel``);
- ``blend``: the average of ``mean`` and a joined reading;
- ``trained own``/``trained all`` (with ``--epochs N``): a copy of the model whose author
  head, read on joined texts, was fine-tuned on the article labels of the train split only.

Each under "cuts": a |stance| under the cut reads "no stance expressed".

Coverage is the run's (an own-voice topic passage at relevance 0.55 through the topic gate
0.9), so only the stance of discussed articles changes. Never run on reserved articles.

    python -m experiments.article_level.article_reader --run RUN [--epochs 3] [--out FILE]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.evaluate_articles import article_metrics, load_article_labels
from analysis.runs import load_run
from analysis.scoring.pair_model import load_pair_classifier, predict_proba
from experiments.article_level.choose_aggregation import (
    LABELS,
    candidates,
    features,
    labelled_features,
    write_results,
)

CUTS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5)  # |stance| under a cut reads "no stance expressed"
KEEP = ("auc_favor_vs_none", "sign_accuracy", "sign_accuracy_called", "macro_f1")

SHIPPED = Path(__file__).resolve().parents[2] / "analysis" / "shipped_models" / "minilm_v2"


def joined_texts(
    chosen: pd.DataFrame, passages: pd.DataFrame, voice: str, order: str
) -> pd.DataFrame:
    """One row per article × topic: its topic passages joined into one text."""
    rows = chosen.merge(passages[["passage_id", "index", "text"]], on="passage_id")
    if voice == "own":
        rows = rows[~rows["reported"].astype(bool)]
    key = ["index"] if order == "article" else ["relevance"]
    rows = rows.sort_values(key, ascending=order == "article")
    joined = rows.groupby(["article_id", "topic"], sort=False)["text"].agg(" ".join)
    return joined.reset_index()


def read_joined(
    model, tokenizer, joined: pd.DataFrame, targets: dict[str, str], head: str
) -> pd.DataFrame:
    """favor − against of ``head`` on each joined text (article id, topic, score)."""
    keys = joined[["article_id", "topic"]]
    if joined.empty:
        return keys.assign(score=[])
    probs = predict_proba(
        model,
        tokenizer,
        joined["text"].tolist(),
        [targets[t] for t in joined["topic"]],
        batch_size=16,
        progress=True,
    )[head]
    return keys.assign(score=probs[:, 0] - probs[:, 1])


ARTICLE_CLASSES = ("favor", "against", "none")  # the author head's label order


def fine_tune(
    model,
    tokenizer,
    joined: pd.DataFrame,
    targets: dict[str, str],
    epochs: int,
    lr: float,
    seed: int,
):
    """A copy of ``model`` (encoder and author head) trained on joined texts with article
    labels (favor / against / none, class-balanced); ``model`` itself is left unchanged."""
    import copy

    import torch

    from analysis.scoring.pair_model import build_inputs, encode_pairs

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    tuned = copy.deepcopy(model).train()
    y = torch.tensor([ARTICLE_CLASSES.index(v) for v in joined["label"]])
    counts = torch.bincount(y, minlength=3).clamp(min=1).float()
    loss_fn = torch.nn.CrossEntropyLoss(weight=len(y) / (3 * counts))
    firsts, seconds = build_inputs(
        joined["text"].tolist(), [targets[t] for t in joined["topic"]], None, tuned.config
    )
    optimizer = torch.optim.AdamW(tuned.parameters(), lr=lr, weight_decay=0.01)
    for epoch in range(epochs):
        order = rng.permutation(len(y))
        total = 0.0
        for start in range(0, len(order), 8):
            idx = order[start : start + 8].tolist()
            enc = encode_pairs(
                tokenizer,
                [firsts[i] for i in idx],
                [seconds[i] for i in idx],
                tuned.config.max_length,
            )
            loss = loss_fn(tuned(**enc)["stance"], y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1}: loss {total / len(y):.3f}")
    return tuned.eval()


def metrics(table: pd.DataFrame, score: pd.Series, cut: float) -> dict:
    """The evaluator's article metrics of ``score`` with "no stance expressed" under ``cut``."""
    matched = pd.DataFrame(
        {
            "topic": table["topic"],
            "label": table["label"],
            "status": np.where(table["n_own"] >= 1, "discussed", "not_discussed"),
            "stance_status": np.where(score.abs() < cut, "no_stance", "stance"),
            "stance": score.where(score.abs() >= cut, 0.0),
        }
    )
    report = article_metrics(matched)
    return {k: report[k] for k in KEEP}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True)
    parser.add_argument("--runs-dir", default="runs")
    parser.add_argument("--model", default=str(SHIPPED))
    parser.add_argument("--threshold", type=float, default=0.55)
    parser.add_argument("--gate", type=float, default=0.9)
    parser.add_argument("--max-length", type=int, default=512)
    parser.add_argument("--out", default=None)
    parser.add_argument("--epochs", type=int, default=0, help="train a reader on train articles")
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    run = load_run(args.run, args.runs_dir)
    targets = {t["key"]: t["target"] for t in run.meta["topics"]}
    chosen = candidates(run.scores, args.threshold, args.gate)
    feat = features(chosen)
    model, tokenizer = load_pair_classifier(args.model)
    model.config.max_length = args.max_length
    labels = {split: load_article_labels(LABELS, split) for split in ("train", "dev")}
    joined = {
        (voice, order): joined_texts(chosen, run.passages, voice, order)
        for voice in ("own", "all")
        for order in ("article", "rel")
    }
    readings: dict[str, pd.DataFrame] = {
        f"joined {voice} {order}": read_joined(model, tokenizer, texts, targets, "stance")
        for (voice, order), texts in joined.items()
    }
    if args.epochs:
        train = labels["train"][labels["train"]["label"].isin(ARTICLE_CLASSES)]
        for voice in ("own", "all"):
            texts = joined[(voice, "article")]
            labelled = texts.merge(
                train[["article_id", "topic", "label"]], on=["article_id", "topic"]
            )
            print(f"training a reader on {len(labelled)} train articles ({voice} voices)")
            tuned = fine_tune(model, tokenizer, labelled, targets, args.epochs, args.lr, args.seed)
            readings[f"trained {voice}"] = read_joined(tuned, tokenizer, texts, targets, "stance")
    results: dict = {
        "run": str(run.path),
        "model": args.model,
        "max_length": args.max_length,
        "epochs": args.epochs,
        "lr": args.lr,
        "seed": args.seed,
    }
    for split, lab in labels.items():
        table = labelled_features(lab, feat)
        scores = {
            "mean": table["mean"],
            "mean (shipped: mass >= 0.1)": table["mean"].where(table["mass"] >= 0.1, 0.0),
        }
        for name, reading in readings.items():
            score = (
                table[["article_id", "topic"]]
                .merge(reading, on=["article_id", "topic"], how="left")["score"]
                .fillna(0.0)
            )
            score.index = table.index
            scores[name] = score
            scores[f"blend {name}"] = (score + table["mean"]) / 2
        results[split] = {
            f"{name} cut={cut}": metrics(table, score, cut)
            for name, score in scores.items()
            for cut in CUTS
        }
    write_results(results, args.out)


if __name__ == "__main__":
    main()
