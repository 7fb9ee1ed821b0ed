"""Write a stance model's ``news_accuracy.json``: its dev figures on labelled news, which the
dashboard shows beside every run made with the same weights (``analysis.news_accuracy``).

The article figures are those of ``viewpoints evaluate --level article`` on a run made with the
model over the labelled articles; the passage figures are the macro-F1 of the model's author and
speaker heads on the on-topic passages of the dev articles (pair classifiers with those heads).

    viewpoints analyze experiments/output/labelled_articles.jsonl --stance-model MODEL
    python -m experiments.news_accuracy --run RUN

Where ``experiments/negated_targets.py`` measured the model (``--reversed FILE``, its output),
the file also says how often the author head read the same dev passages as favor of each
topic's target and of its reverse: whether "favor" follows the target a user writes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from analysis.evaluate_articles import evaluate_run_articles, load_article_labels
from analysis.news_accuracy import FILE_NAME, NewsAccuracy, run_settings, write_news_accuracy
from analysis.runs import load_run

HERE = Path(__file__).resolve().parent
LABELS = HERE / "news_labels" / "articles.jsonl"
REVERSED = HERE / "article_level" / "negated_targets.json"


def reversed_target(path: Path, model_dir: Path) -> dict[str, int] | None:
    """The model's entry in ``experiments/negated_targets.py``'s output (keyed by the model
    folder as it was given, relative to the checkout or absolute), with the readers' labels of
    the same passages, as the counts :class:`NewsAccuracy` keeps; None where the file or the
    model's entry is missing."""
    if not path.is_file():
        return None
    from experiments.train_news_stance import NEW_LABELS, NEWS_STANCE, SPLITS, read_news

    rows = read_news([str(NEWS_STANCE), str(NEW_LABELS)], str(SPLITS))
    labels = [r["label"] for r in rows if r["split"] == "dev" and r["on_topic"]]
    results = json.loads(path.read_text(encoding="utf-8"))
    for name, entry in results.items():
        folder = Path(name) if Path(name).is_absolute() else HERE.parent / name
        if folder.resolve() == model_dir.resolve():
            plain, negated = entry["stance plain"], entry["stance negated"]
            if int(plain["n"]) != len(labels):
                raise SystemExit(
                    f"{path}: the model's entry read {plain['n']} passages, the dev labels "
                    f"hold {len(labels)} on-topic passages: rerun experiments/negated_targets.py"
                )
            return {
                "passages": int(plain["n"]),
                "favor_of_target": int(plain["predicted_favor"]),
                # read against the reverse, favor and against swapped back: "against" of the
                # target is favor of its reverse
                "favor_of_reverse": int(negated["predicted_against"]),
                "labelled_favor": labels.count("favor"),
                "labelled_against": labels.count("against"),
            }
    return None


def passage_f1(
    model_dir: Path,
) -> tuple[float | None, float | None, int | None, int | None]:
    """Macro-F1 of the author head (``stance``) and the speaker head on the on-topic passages
    of the dev articles, and how many passages each head read (None where the model is not a
    pair classifier or lacks the head)."""
    from analysis.scoring.pair_model import is_pair_classifier_dir, load_pair_classifier
    from experiments.train_minilm import evaluate_model
    from experiments.train_news_stance import (
        NEW_LABELS,
        NEWS_STANCE,
        SPLITS,
        news_examples,
        read_news,
    )

    if not is_pair_classifier_dir(model_dir):
        return None, None, None, None
    model, tokenizer = load_pair_classifier(model_dir)
    rows = read_news([str(NEWS_STANCE), str(NEW_LABELS)], str(SPLITS))
    rows = [r for r in rows if r["split"] == "dev"]
    heads = [h for h in ("stance", "speaker") if h in model.config.heads]
    data = {h: {"news": news_examples(rows, h, on_topic_only=True)} for h in heads}
    results = evaluate_model(model, tokenizer, data, "cpu")
    scores = {h: round(results[f"{h}/news"]["macro_f1"], 4) for h in heads}
    counts = {h: len(data[h]["news"]) for h in heads}
    return scores.get("stance"), scores.get("speaker"), counts.get("stance"), counts.get("speaker")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, required=True, help="a run of the labelled articles")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--out", type=Path, default=None, help=f"default: MODEL/{FILE_NAME}")
    parser.add_argument(
        "--reversed",
        type=Path,
        default=REVERSED,
        help="experiments/negated_targets.py's output (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    run = load_run(args.run)
    from analysis.aggregate import position_rules_note

    if note := position_rules_note(run.meta):  # its statuses are not today's: nor its figures
        raise SystemExit(f"{args.run}: {note}; the figures written would not be the shipped rules'")
    stance = json.loads((run.path / "run.json").read_text(encoding="utf-8"))["models"]["stance"]
    model_dir = Path(stance["path"])
    labels = load_article_labels(args.labels, args.split)
    try:
        shown = args.labels.resolve().relative_to(HERE.parent)
    except ValueError:
        shown = args.labels
    report = evaluate_run_articles(labels, run.positions)
    order = report["labels"]
    against = order.index("against")
    author, speaker, passages, speaker_passages = passage_f1(model_dir)
    accuracy = NewsAccuracy(
        model=stance["name"],
        weights_sha256=stance["weights_sha256"],
        data=f"the {args.split} split of {shown}"
        + (
            " (AllSides articles labelled by reading, outlet-balanced split; no reserved article)"
            if args.labels.resolve() == LABELS
            else ""
        ),
        command=f"viewpoints evaluate --level article --data {shown} --run RUN "
        f"--split {args.split}",
        run_id=run.path.name,
        pairs=int(report["n"]),
        articles=int(labels["article_id"].nunique()),
        coverage_precision=report["coverage"]["precision"],
        coverage_recall=report["coverage"]["recall"],
        coverage_f1=report["coverage"]["f1"],
        n_leaning=int(report["n_signed"]),
        n_called=int(report["n_called"]),
        sign_accuracy=report["sign_accuracy"],
        sign_accuracy_called=report["sign_accuracy_called"],
        n_against=int(report["label_counts"]["against"]),
        against_found=int(report["confusion"][against][against]),
        auc_favor_vs_none=report["auc_favor_vs_none"],
        passage_author_f1=author,
        passage_speaker_f1=speaker,
        passages=passages,
        speaker_passages=speaker_passages,
        n_given=int(report["n_given"]),
        given_right=int(report["given_right"]),
        given_no_side=int(report["given_no_side"]),
        coverage_gate=run.info.gate,
        reversed_target=reversed_target(args.reversed, model_dir),
        settings=run_settings(run.info),
        per_topic={
            topic: {k: row[k] for k in ("n_leaning", "n_called", "n_right", "coverage_f1")}
            for topic, row in report["per_topic"].items()
        },
    )
    out = args.out or model_dir / FILE_NAME
    write_news_accuracy(out, accuracy)
    print(f"wrote {out}")
    print(json.dumps(accuracy.__dict__, indent=1))


if __name__ == "__main__":
    main()
