"""``viewpoints evaluate``: a model on labelled passages, a run (or a fresh analysis) on
labelled articles, the topic check on labelled topic passages."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from analysis.cli.common import CLIError


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


def cmd_evaluate(args: argparse.Namespace) -> int:
    from analysis.datasets import detect_format, load_examples, news_file_note, untargeted_note
    from analysis.evaluate import evaluate_scorer
    from analysis.scoring import create_scorer

    if args.level == "article":
        return evaluate_articles(args)
    if args.task == "topic":
        return evaluate_topic_check(args)
    stray = [
        f"--{name}"
        for name in ("run", "corpus", "split", "cache")
        if getattr(args, name) is not None
    ]
    if stray:
        also = " (--run: also with --task topic)" if "--run" in stray else ""
        raise CLIError(f"{', '.join(stray)}: only with --level article{also}")
    if args.task is None:
        raise ValueError(
            "--task stance|tone|speaker|topic is needed to evaluate passages (or --level article)"
        )
    examples = load_examples(args.data, args.task, args.format)
    if args.task == "speaker":  # the stance model's reader of quoted voices (its speaker head)
        from analysis.scoring.pair_scorer import quoted_voice

        stance = create_scorer(
            args.model,
            "stance",
            precision=args.precision,
            label_map=parse_label_map(args.label_map),
        )
        scorer = quoted_voice(stance)
        if scorer is stance:
            print(
                f"note: {stance.name} has no speaker head: its stance reading of each quote is "
                "what stands for the quoted voice (as in a run with it)",
                file=sys.stderr,
            )
    else:
        scorer = create_scorer(
            args.model,
            args.task,
            precision=args.precision,
            label_map=parse_label_map(args.label_map),
        )
    what = "quoted voice's stance" if args.task == "speaker" else args.task
    try:  # named: bf16 and fp32 move the third decimal (the dashboard uses the run's)
        precision = scorer.identity().get("precision")
    except Exception:
        precision = None
    print(
        f"evaluating {scorer.name} on {len(examples)} {what} examples from {args.data}"
        + (f" ({precision})" if precision else ""),
        file=sys.stderr,
    )
    if args.task == "stance" and (note := news_file_note(args.data)):
        print(note, file=sys.stderr)
    fmt = args.format if args.format not in (None, "auto") else detect_format(Path(args.data))
    if fmt == "corrections":
        print(
            "note: every correction is scored afresh by the model; the dashboard's Evaluation "
            "page reads a run's own predictions instead, leaving out passages the run did not "
            "score, so its figures on the same folder can differ",
            file=sys.stderr,
        )
    if untargeted := untargeted_note(examples, args.task):
        print(untargeted, file=sys.stderr)
    report = evaluate_scorer(scorer, examples, progress=True)
    report["data"] = str(args.data)
    report["task"] = args.task
    report["precision"] = precision
    if args.json:  # undefined per-class scores as null, as the text prints n/a
        from analysis.metrics import defined_per_class

        print(json.dumps({**report, "per_class": defined_per_class(report)}))
    else:
        from analysis.terminal import format_evaluation

        print(format_evaluation(report))
    return 0


def evaluate_topic_check(args: argparse.Namespace) -> int:
    """``evaluate --task topic``: how often a run's topic reading (a passage scored on a topic,
    or left out) agrees with the analyst's topic corrections, as the Evaluation page shows."""
    from analysis.corrections import latest, predictions_for, read_corrections, topic_agreement
    from analysis.runs import load_run

    if args.run is None:
        raise CLIError("--task topic: needs --run RUN, the run whose topic reading is judged")
    stray = [f"--{n}" for n in ("corpus", "split", "cache", "model") if getattr(args, n)]
    if stray or args.label_map or args.precision != "auto":
        raise CLIError(
            f"{', '.join(stray) or '--label-map, --precision'}: not used with --task topic "
            "(the run's reading is judged, no model is run)"
        )
    run = load_run(args.run, args.runs_dir)
    readings = predictions_for(run, latest(read_corrections(args.data)), "topic")
    report = topic_agreement(readings)
    if report is None:
        raise ValueError(
            f"no topic correction in {args.data} is on a passage of run {run.run_id}"
            + ("" if len(readings) else " (it holds no topic corrections)")
        )
    report.update(run_id=run.run_id, data=str(args.data), task="topic")
    labels = report["labels"]
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"topic check of run {run.run_id} on {report['n']} topic correction(s) from {args.data}"
        + (
            f" ({report['not_in_run']} on passages the run does not have: left out)"
            if report["not_in_run"]
            else ""
        )
    )
    print(f"agreement {report['accuracy']:.1%}   macro-F1 {report['macro_f1']:.3f}")
    print("confusion (rows: the analyst, columns: the run)")
    print(" " * 14 + "".join(f"{x:>14}" for x in labels))
    for name, row in zip(labels, report["confusion"], strict=True):
        print(f"{name:<14}" + "".join(f"{v:>14d}" for v in row))
    return 0


def evaluate_articles(args: argparse.Namespace) -> int:
    """``evaluate --level article``: a run's article positions (or a fresh analysis of the
    labelled articles in ``--corpus``) against article labels."""
    from analysis.evaluate_articles import (
        check_label_topics,
        evaluate_run_articles,
        load_article_labels,
    )
    from analysis.runs import load_run
    from analysis.terminal import format_article_report

    unused = [
        name
        for name, given in (
            ("--task", args.task),
            ("--format", args.format != "auto"),
            ("--label-map", args.label_map),
        )
        if given
    ]
    if unused:
        raise CLIError(f"{', '.join(unused)}: not used with --level article")
    if args.run and (args.model or args.precision != "auto" or args.cache is not None):
        raise CLIError(
            "--model, --precision, --cache: only with --corpus (a --run is already scored)"
        )
    labels = load_article_labels(args.data, args.split)
    if args.run and args.corpus:
        raise ValueError("--level article takes --run RUN or --corpus FILE, not both")
    if args.run:
        run = _load_run_or_kept(args.run, args.runs_dir)
        check_label_topics(labels, [str(t) for t in dict.fromkeys(run.positions["topic"])])
    else:
        if not args.corpus:
            raise ValueError("--level article needs --run RUN, or --corpus FILE to analyze afresh")
        from analysis.topics import load_topics

        check_label_topics(labels, [t.key for t in load_topics()])
        run = load_run(_analyze_labelled(args, labels, Path(args.runs_dir) / EVALUATE_RUNS))
    from analysis.aggregate import position_rules_note

    report = evaluate_run_articles(labels, run.positions)
    report.update({"data": str(args.data), "split": args.split, "run": str(run.path)})
    # a run of older rules keeps its old statuses: its confusion is not today's defaults'
    if note := position_rules_note(run.meta):
        report["position_rules_note"] = note
    if args.json:
        print(json.dumps(report))
    else:  # which run, file and split: a saved report can be traced back
        split = f", split {args.split}" if args.split else ""
        print(f"run {run.run_id} judged against {args.data}{split}")
        print(format_article_report(report))
        if note:
            print(f"note: {note}", file=sys.stderr)
    return 0


def _load_run_or_kept(spec: str, runs_dir: str) -> Any:
    """A run of ``runs_dir``, else one an earlier ``evaluate --corpus`` kept in its
    ``evaluate/`` folder (the id it printed)."""
    from analysis.runs import RunError, load_run

    try:
        return load_run(spec, runs_dir)
    except RunError:
        kept = Path(runs_dir) / EVALUATE_RUNS
        if spec == "latest" or not kept.is_dir():
            raise
        try:
            return load_run(spec, kept)
        except RunError:
            raise RunError(
                f"no run {spec!r} in {runs_dir} or in {kept} (where evaluate --corpus keeps its "
                "runs)"
            ) from None


def _corpus_records(path: str) -> Iterator[tuple[dict[str, Any], str]]:
    """The JSON objects of a JSON Lines file with their lines (other lines skipped)."""
    source = Path(path)
    if source.is_dir():
        raise ValueError(f"--corpus expects JSON Lines files; {path} is a folder")
    if not source.is_file():
        raise ValueError(f"--corpus {path}: no such file")
    if source.suffix.lower() not in (".jsonl", ".ndjson", ".json"):
        raise ValueError(
            f"--corpus expects JSON Lines files (the AllSides file, one article a line); "
            f"{path} ends in {source.suffix or 'nothing'}"
        )
    try:
        with source.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict):
                    yield record, line
    except UnicodeDecodeError as err:
        raise ValueError(f"--corpus {path} is not UTF-8 text ({err.reason})") from None


# Where ``evaluate --corpus`` keeps its runs, inside --runs-dir: out of the runs listed there,
# so that "latest" and the dashboard stay on the user's own runs.
EVALUATE_RUNS = "evaluate"


def _analyze_labelled(args: argparse.Namespace, labels: Any, runs_dir: Path) -> Path:
    """Analyze only the labelled articles of ``--corpus`` (JSON Lines) into a run of
    ``runs_dir``, kept (to open in the dashboard, or judge again with ``--run PATH``); the
    labelled articles' lines go to ``runs_dir/inputs/``, which the run's config names, so that
    it can be rerun."""
    import hashlib

    from analysis.config import AnalysisConfig
    from analysis.evaluate_articles import labelled_ids
    from analysis.pipeline import analyze

    wanted = set(labelled_ids(labels))
    titles = {str(t) for t in labels["title"].dropna()}
    lines = [
        line if line.endswith("\n") else line + "\n"
        for path in args.corpus
        for record, line in _corpus_records(path)
        if str(record.get("ID", record.get("id", ""))) in wanted or record.get("title") in titles
    ]
    if not lines:
        raise ValueError(f"none of the labelled articles is in {', '.join(args.corpus)}")
    digest = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()[:12]
    subset = runs_dir / "inputs" / f"{Path(args.data).stem}-{digest}.jsonl"
    subset.parent.mkdir(parents=True, exist_ok=True)
    written_here = not subset.exists()  # the same articles' file, kept for an earlier run
    subset.write_text("".join(lines), encoding="utf-8")
    config = AnalysisConfig().with_values(
        corpus={"paths": [str(subset)]},
        run={"runs_dir": str(runs_dir), "name": f"evaluate {Path(args.data).name}"},
        models={
            "precision": args.precision,
            **({"stance": args.model} if args.model else {}),
            **({"cache": args.cache} if args.cache is not None else {}),
        },
    )
    try:
        result = analyze(config, progress=True)
    except BaseException:
        if written_here:  # no run names it: nothing should be left behind
            subset.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # the folder too, unless it keeps other inputs
                subset.parent.rmdir()
        raise
    return Path(result.path)
