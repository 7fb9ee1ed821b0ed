"""``viewpoints compare``, ``robustness``, ``compare-authors`` and ``shift``: runs against
runs, authors against authors, an author against their own past."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from analysis.cli.common import CLIError, check_seed, note_older_units, topic_keys


def cmd_compare(args: argparse.Namespace) -> int:
    from analysis.compare import compare_runs, load_for_comparison
    from analysis.terminal import format_comparison

    if args.top < 0:
        raise CLIError(f"expected --top to be 0 or more, got {args.top}")
    if args.changes < 0:
        raise CLIError(f"expected --changes to be 0 (every one) or more, got {args.changes}")
    a = load_for_comparison(args.run_a, args.runs_dir)
    b = load_for_comparison(args.run_b, args.runs_dir)
    if a.path.resolve() == b.path.resolve():
        print(f"note: run A and run B are the same run ({a.run_id})", file=sys.stderr)
    try:
        report = compare_runs(a, b, top_k=args.top, level="outlet" if args.outlets else "author")
    except ValueError as error:  # a run whose settings cannot make its outlets' positions
        raise CLIError(str(error)) from None
    if args.outlets:
        from analysis.outlets import sibling_groups_note

        counts = a.articles["outlet"].dropna().astype(str).value_counts().to_dict()
        moved = [e["author"] for e in report["overall"]["author_changes"]]
        if note := sibling_groups_note(moved, counts):
            print(f"note: {note}", file=sys.stderr)
    listed = args.changes or None
    print(
        json.dumps(report)
        if args.json
        else format_comparison(report, max_passages=args.top, max_changes=listed)
    )
    return 0


# Changes `compare` lists of each kind (sign flips, splits, status): a whole-corpus comparison
# printed over 1,000 status lines; the rest are counted, and --json keeps them all
DEFAULT_CHANGES_LISTED = 40


ROBUSTNESS_LABEL_CHARS = 24  # a run name longer than this is a letter in robustness' lines


def cmd_robustness(args: argparse.Namespace) -> int:
    from analysis.compare import robustness
    from analysis.config import AnalysisConfig
    from analysis.pipeline import analyze
    from analysis.runs import load_run
    from analysis.terminal import format_robustness

    runs = [load_run(spec, args.runs_dir) for spec in args.runs]
    if args.template and not args.experiment:
        raise CLIError("--template needs --experiment (the experiment to rerun per template)")
    variants: list[tuple[str, str]] = []  # the experiment as is, then each template
    if args.experiment:
        base = AnalysisConfig.from_toml(args.experiment)
        if args.template and base.models.stance != "stance.nli.v1":
            raise CLIError(
                f"--template sets NLI hypotheses: expected an experiment with stance = "
                f'"stance.nli.v1", got {base.models.stance!r} in {args.experiment}'
            )
        variants.append(("", ""))
        for text in args.template:
            favor, _, against = text.partition("|")
            if not favor.strip() or not against.strip():
                raise CLIError(
                    f"expected --template 'FAVOR TEMPLATE|AGAINST TEMPLATE', got {text!r}"
                )
            variants.append((favor.strip(), against.strip()))
    if len(runs) + len(variants) < 2:  # before any analysis, so that none is left behind
        raise CLIError("expected at least two runs (RUN ids, or --experiment with --template)")
    for favor, against in variants:
        # named as `viewpoints run` names an experiment's run: its own name, else the file's
        name = base.run.name or Path(args.experiment).stem
        config = base.with_values(
            run={"name": name, **({"runs_dir": args.runs_dir} if args.runs_dir else {})},
            models={"cache": args.cache} if args.cache is not None else {},
        )
        if favor:
            # The command line's templates win over the topics file's per-topic ones.
            config = config.with_values(
                models={
                    "stance_options": {
                        **config.models.stance_options,
                        "favor_template": favor,
                        "against_template": against,
                        "topic_templates": False,
                    }
                },
                run={"name": f"{name}: {favor} | {against}"},
            )
        result = analyze(config, progress=not args.quiet, quiet=args.quiet)
        runs.append(load_run(str(result.path), args.runs_dir))
    # runs named by their names where those tell them apart and are short (every pair line
    # repeats them: a recomputed run's "NAME + corrections DATE TIME" would fill the line);
    # else A, B, C..., each listed with its run in the header
    names = [str(run.meta.get("name") or run.run_id) for run in runs]
    if len(set(names)) == len(names) and all(len(n) <= ROBUSTNESS_LABEL_CHARS for n in names):
        labels = names
    else:
        labels = [chr(ord("A") + i) if i < 26 else f"R{i + 1}" for i in range(len(runs))]
    report = robustness(runs, labels, measure=args.measure)
    print(json.dumps(report) if args.json else format_robustness(report))
    return 0


def cmd_compare_authors(args: argparse.Namespace) -> int:
    from analysis.config import MAX_RESAMPLES
    from analysis.differences import author_differences
    from analysis.runs import load_run
    from analysis.terminal import format_differences

    for name, value in (("--permutations", args.permutations), ("--bootstrap", args.bootstrap)):
        if not 99 <= value <= MAX_RESAMPLES:
            raise CLIError(f"expected {name} from 99 to {MAX_RESAMPLES:,}, got {value}")
    check_seed(args.seed)
    run = load_run(args.run, args.runs_dir)
    diffs = author_differences(
        run,
        args.authors,
        topics=topic_keys(run, args.topic) if args.topic else None,
        n_boot=args.bootstrap,
        n_permutations=args.permutations,
        seed=args.seed,
        level="outlet" if args.outlets else "author",
        measures=[args.measure] if args.measure else ("stance", "tone"),
    )
    from analysis.intervals import INTERVAL_METHOD
    from analysis.news_accuracy import (
        accuracy_for_run,
        finds_no_against,
        no_against_lead,
        run_settings,
        trust_record,
    )

    if args.outlets:
        _sibling_notes(run, [u for d in diffs for u in (d.a, d.b)])
    else:
        note_older_units(run)
    shown = {d.topic for d in diffs}
    tested = [t for t in run.info.topics if t.key in shown]
    trust = trust_record(run.meta, tested, run_settings(run.info))
    if args.json:
        tests = [d.to_dict() for d in diffs]
        print(
            json.dumps(
                {
                    "run_id": run.run_id,
                    "level": "outlet" if args.outlets else "author",
                    "interval_method": INTERVAL_METHOD,
                    "tests": tests,
                    **trust,
                }
            )
        )
    else:
        level = "outlet" if args.outlets else "author"
        from analysis.terminal import models_note

        print(f"run {run.run_id}; {models_note(run.info)}")
        print(format_differences(diffs, run.info.topic_labels(), level))
        # the stance model's caveats where a stance difference is read ("not comparable"
        # on every line, as where neither discusses a topic, reads none)
        labels = run.info.topic_labels()
        compared = {
            labels.get(d.topic, d.topic)
            for d in diffs
            if d.measure == "stance" and d.difference is not None
        }
        unmeasured = [t for t in trust["topics_not_measured"] if t in compared]
        if not trust["stance_model_measured_on_news"] and compared:
            print(
                "note: this run's stance model was not measured on labelled news: a difference "
                "may be one the model makes, not the authors (read the evidence)"
            )
        elif unmeasured:
            print(
                f"note: the stance model was not measured on {', '.join(unmeasured)}: a "
                "difference there may be one the model makes, not the authors (read the "
                "evidence)"
            )
        accuracy = accuracy_for_run(run.meta.get("models"))
        if accuracy is not None and finds_no_against(accuracy) and compared:
            print(
                f"note: {no_against_lead(accuracy, 'x')}: a stance difference may be the "
                "model's, not the authors' (read the evidence)"
            )
        if other := trust["measured_with_other_settings"]:
            print(
                "note: the stance model's figures on labelled news were measured with other "
                f"settings than this run's ({'; '.join(other)}): they may not hold for it"
            )
    return 0


def _sibling_notes(run: Any, outlets: list[str]) -> None:
    """A note on stderr for each outlet compared that the corpus also files under other names
    (Fox News, Fox Online News, Fox News Opinion...): its numbers are that section's only."""
    from analysis.outlets import members, newsroom_notes

    counts = members(run.articles)["group"].astype(str).value_counts().to_dict()
    for note in newsroom_notes(outlets, counts):
        print(f"note: {note}", file=sys.stderr)


def cmd_shift(args: argparse.Namespace) -> int:
    from analysis.bylines import membership
    from analysis.runs import load_run
    from analysis.shifts import author_shift, with_q_values
    from analysis.terminal import format_shift

    check_seed(args.seed)
    run = load_run(args.run, args.runs_dir)
    topics = topic_keys(run, args.topic or [])
    measures = [args.measure] if args.measure else ["stance", "tone"]
    level = "outlet" if args.outlets else "author"
    if args.outlets:
        from analysis import outlets

        members = outlets.members(run.articles)
    else:
        members = membership(run.articles, run.info.known_rosters)
    shifts = with_q_values(
        [
            author_shift(
                run,
                args.author,
                t,
                m,
                split_date=args.date,
                seed=args.seed,
                members=members,
                level=level,
            )
            for t in topics
            for m in measures
        ]
    )
    if args.outlets:
        _sibling_notes(run, [s.author for s in shifts])
    if args.json:
        from analysis.intervals import INTERVAL_METHOD

        shown = [s.to_dict() for s in shifts]
        print(
            json.dumps(
                {
                    "run_id": run.run_id,
                    "level": level,
                    "interval_method": INTERVAL_METHOD,
                    "shifts": shown,
                }
            )
        )
    else:
        from analysis.terminal import models_note

        labels = run.info.topic_labels()
        print(f"run {run.run_id}; {models_note(run.info)}")
        print("\n".join(format_shift(s, labels.get(s.topic)) for s in shifts))
    return 0
