"""The ``viewpoints`` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from analysis import __version__

EXIT_USAGE = 2


class CLIError(Exception):
    """An error to report in one line, without a traceback."""


def parse_label_map(text: str | None) -> dict[str, str]:
    """``LABEL_0=negative,LABEL_1=neutral`` -> a dict; malformed input is a CLIError."""
    if not text:
        return {}
    pairs = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise CLIError(
                f"expected --label-map like LABEL_0=negative,LABEL_1=neutral; got {text!r}"
            )
        pairs[key.strip()] = value.strip().lower()
    return pairs


def format_report(report: dict[str, Any]) -> str:
    """A terminal rendering of an evaluation report."""
    labels = report["labels"]
    lines = [
        f"task: {report['task']}   model: {report['model']}   n: {report['n']}",
        f"macro-F1: {report['macro_f1']:.4f}   accuracy: {report['accuracy']:.4f}   "
        f"ECE: {report['calibration']['ece']:.4f}",
        "",
        f"{'class':<10}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}",
    ]
    for label in labels:
        c = report["per_class"][label]
        lines.append(
            f"{label:<10}{c['precision']:>10.4f}{c['recall']:>10.4f}"
            f"{c['f1']:>10.4f}{c['support']:>10d}"
        )
    width = max(10, *(len(label) + 2 for label in labels))
    lines += [
        "",
        "confusion (rows: true label, columns: predicted)",
        " " * 10 + "".join(f"{label:>{width}}" for label in labels),
    ]
    for label, row in zip(labels, report["confusion"], strict=True):
        lines.append(f"{label:<10}" + "".join(f"{v:>{width}d}" for v in row))
    return "\n".join(lines)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from analysis.datasets import load_examples
    from analysis.evaluate import evaluate_scorer
    from analysis.scoring import create_scorer

    examples = load_examples(args.data, args.task, args.format)
    scorer = create_scorer(
        args.model, args.task, precision=args.precision, label_map=parse_label_map(args.label_map)
    )
    print(
        f"evaluating {scorer.name} on {len(examples)} {args.task} examples from {args.data}",
        file=sys.stderr,
    )
    report = evaluate_scorer(scorer, examples, progress=True)
    report["data"] = str(args.data)
    if args.json:
        print(json.dumps(report))
    else:
        print(format_report(report))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="viewpoints", description="Compare authors' stance and tone on topics."
    )
    parser.add_argument("--version", action="version", version=f"viewpoints {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    ev = sub.add_parser("evaluate", help="score a model on a labelled file")
    ev.add_argument("--task", required=True, choices=["stance", "tone"])
    ev.add_argument("--data", required=True, help="labelled file (JSONL, VAST CSV, NewsMTSC JSONL)")
    ev.add_argument("--format", default="auto", choices=["auto", "jsonl", "vast", "newsmtsc"])
    ev.add_argument(
        "--model",
        default=None,
        help="registered name, model directory or Hugging Face id "
        "(default: the shipped model for the task)",
    )
    ev.add_argument(
        "--precision",
        default="auto",
        choices=["auto", "bf16", "fp32"],
        help="inference precision for the shipped models (auto: bf16 where the CPU "
        "has native bf16, else fp32)",
    )
    ev.add_argument(
        "--label-map",
        default=None,
        help="for Hugging Face classifiers: LABEL_0=negative,LABEL_1=neutral,...",
    )
    ev.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    ev.set_defaults(handler=cmd_evaluate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    from analysis.datasets import DataError
    from analysis.scoring import ModelLoadError, UnknownScorerError

    try:
        return handler(args)
    except (CLIError, DataError, ModelLoadError, UnknownScorerError, ValueError) as err:
        print(f"viewpoints: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("viewpoints: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
