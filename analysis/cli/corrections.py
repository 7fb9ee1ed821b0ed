"""``viewpoints correct``, ``corrections`` and ``recompute``: the analyst's labels of
passages, and a run's positions recomputed with them."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analysis.cli.common import CLIError, emit, note_reused_name, runs_named, topic_keys


def _model_scores(run: Any) -> Any:
    """For a run recomputed with corrections, the scores of the model's run it came from
    (None for a model's run, or where that run is gone)."""
    from analysis.corrections.apply import source_run_if_kept
    from analysis.runs import load_run

    path = source_run_if_kept(run)
    return None if path is None else load_run(str(path)).scores


def cmd_recompute(args: argparse.Namespace) -> int:
    from analysis.corrections import (
        SameRecomputation,
        corrections_dir,
        model_run,
        read_corrections,
        recompute,
    )
    from analysis.runs import load_run, resolve_run

    if args.min_examples is not None and not args.calibrate:
        raise CLIError("--min-examples: only with --calibrate")
    given = load_run(args.run, args.runs_dir)
    run = model_run(given)
    if run is not given:
        print(
            f"run {given.run_id} is itself recomputed with corrections: starting again from "
            f"the model's run {run.run_id}",
            file=sys.stderr,
        )
    folder = corrections_dir(args.corrections_dir)
    if not folder.exists():
        raise CLIError(f"no corrections at {folder} (set --corrections-dir)")
    corrections = read_corrections(folder, strict=False)  # a line edited by hand: skipped, said
    if not corrections:
        raise CLIError(
            f"no corrections in {folder}: save some on the dashboard or with `viewpoints "
            "correct` first (nothing to recompute)"
        )
    taken = runs_named(args.name, args.runs_dir)
    try:
        path = recompute(
            run,
            corrections,
            args.runs_dir,
            calibrate=args.calibrate,
            min_examples=10 if args.min_examples is None else args.min_examples,
            name=args.name,
            corrections_source=str(folder),
        )
    except SameRecomputation as same:
        # done already: the run that holds these corrections is the answer (as a script that
        # recomputes after every batch of corrections expects), not an error
        print(str(same), file=sys.stderr)
        print(resolve_run(same.run_id, args.runs_dir))
        return 0
    # in place: a Ctrl-C while what moved is told (it reads both runs) leaves it complete
    written = getattr(args, "written_runs", None)
    if written is not None:
        written.append(path)
    note_reused_name(args.name, args.runs_dir, taken)
    meta = json.loads((path / "run.json").read_text(encoding="utf-8"))
    counts = meta["corrections"]
    others = counts.get("other_topics") or 0
    elsewhere = counts.get("other_topic_keys") or []
    details = [
        (counts["removed"], "passage(s) taken off a topic"),
        (counts["added"], "passage(s) added to a topic"),
        (
            counts.get("pending", 0),
            "passage(s) marked relevant pending: each counts once it also has the stance it "
            f"counts toward and a tone ({counts.get('waiting', 0)} corrections wait on that)",
        ),
        (counts["unmatched"], "on text not in this run"),
        (
            counts.get("no_effect", 0),
            "without effect (on passages this run does not count for that topic, on the "
            "author's stance of a quote, or on a quoted voice's stance of the author's words)",
        ),
        (others, f"more on topics this run does not have ({', '.join(elsewhere)})"),
        (
            counts.get("shared_text", 0),
            "applied to more than one passage, as their text is in several places of the run "
            f"({counts.get('shared_passages', 0)} passages in all, perhaps other authors': a "
            "correction goes by the passage's text)",
        ),
    ]
    said = "; ".join(f"{n} {what}" for n, what in details if n)
    print(
        f"applied {counts['applied']} of {counts['in_force']} corrections in force on this run's "
        f"topics" + (f": {said}" if said else ""),
        file=sys.stderr,
    )
    _moved_positions(run, path)
    for task, info in meta.get("calibration", {}).items():
        if info.get("temperature") is None:
            print(
                f"{task}: not calibrated ({info['reason']}; have {info['n']}): the new run "
                "applies the corrections, with the model's probabilities as they were",
                file=sys.stderr,
            )
        else:
            print(
                f"{task}: temperature {info['temperature']:.3f} on {info['n']} examples "
                f"(NLL {info['nll_before']:.3f} -> {info['nll_after']:.3f})"
                + (f"; warning: {info['warning']}" if info.get("warning") else ""),
                file=sys.stderr,
            )
    print(path)
    return 0


MOVED_SHOWN = 5  # author changes a recompute names; `compare` lists 40 of each kind


def _moved_positions(run: Any, path: Path) -> None:
    """On stderr: how many author positions a recompute moved (sign, interval, discussed, kind
    of stance or by MOVE_MIN or more, as `compare` finds them), the first named
    (:func:`analysis.compare.moved_positions`); regrouped authors' changes counted apart."""
    from analysis.bylines import units_note
    from analysis.compare import DEFAULT_ZERO_BAND as band
    from analysis.compare import MOVE_MIN, load_for_comparison, moved_positions
    from analysis.terminal import change_line

    new = load_for_comparison(path)
    moved, regrouped = moved_positions(run, new)  # the model's run, already read
    compare = f"viewpoints compare {run.run_id} {new.run_id} --changes 0"
    if regrouped:
        note = units_note(run) or f"run {run.run_id} groups some authors otherwise"
        print(
            f"note: {note}; recompute reads bylines by today's rules, so {regrouped} author "
            f"position change(s) come from authors regrouped, not from the corrections "
            f"({compare} lists them)",
            file=sys.stderr,
        )
    if not moved:
        # a value moving within overlapping intervals is not one (a review read it so)
        print(
            f"no author position changes sign (from above +{band:g} to below -{band:g} or "
            "back; a move out of or into that band around 0 is not counted), moves to an "
            "interval that no longer overlaps its old one, changes status or kind of stance, "
            f"or moves by {MOVE_MIN:g} or more (smaller moves are not counted: `viewpoints "
            "show` of each run gives the values)",
            file=sys.stderr,
        )
        return
    print(
        f"{len(moved)} author position change(s) (sign, interval, discussed, kind of stance "
        f"or a move of {MOVE_MIN:g} or more; {compare} lists them all), e.g.:",
        file=sys.stderr,
    )
    labels = run.info.topic_labels()
    for e in moved[:MOVED_SHOWN]:
        print(f"  {change_line(e, labels)}", file=sys.stderr)


def _gated_out(run: Any, passage_id: str, topic: str) -> str | None:
    """Where the run's topic head left a passage out of ``topic``: what it said, in words."""
    from analysis.runs import read_gated_out

    table = read_gated_out(run.path, ["passage_id", "topic", "relevance", "on_topic"])
    if table is None:
        return None
    hit = table[(table["passage_id"].astype(str) == passage_id) & (table["topic"] == topic)]
    if not len(hit):
        return None
    row = hit.iloc[0]
    return (
        f"the model found passage {passage_id} near {topic} (relevance {row['relevance']:.2f}) "
        f"but its topic head left it out (P(on topic) {row['on_topic']:.2f}, under the gate)"
    )


def cmd_corrections(args: argparse.Namespace) -> int:
    from analysis.corrections import WITHDRAWN, CorrectionStore, corrections_dir, latest

    folder = corrections_dir(args.corrections_dir)
    if folder.exists() and not folder.is_dir():
        raise CLIError(f"--corrections-dir {folder} is a file; expected a folder")
    if not folder.exists():
        print(f"no corrections folder at {folder} (yet)", file=sys.stderr)
    store = CorrectionStore(folder)
    history = store.history()
    current = latest(history)
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for c in current:
        cell = counts.setdefault(c.topic, {}).setdefault(c.task, {"n": 0, "changed": 0})
        cell["n"] += 1
        cell["changed"] += int(c.changed)
    report = {
        "folder": str(store.folder),
        "saved": len(history),
        # of those saved, the records that took a label back (correct --withdraw, Withdraw)
        "withdrawals": sum(c.label == WITHDRAWN for c in history),
        "in_force": len(current),
        "by_topic": counts,
        "skipped_lines": store.skipped_lines(),
    }
    if args.list:  # each one, to review what was said (and withdraw with `correct`)
        keep = ("time", "topic", "task", "label", "model_label", "passage_id", "run_id", "text")
        report["corrections"] = [
            {k: c.to_dict()[k] for k in keep}
            for c in current[::-1]  # latest(): time order
        ]
    return emit(report, args.json, "format_corrections")


def _withdraw(
    args: argparse.Namespace,
    run: Any,
    pid: str,
    topic: str,
    existing: Mapping[str, Any],
    store: Any,
) -> int:
    """``correct --withdraw``: the analyst's corrections in force on the passage and topic
    withdrawn (records appended; nothing is rewritten)."""
    from analysis.corrections.build import withdrawals
    from analysis.labels import TASK_WORDS

    records = withdrawals(existing, run.run_id)
    path = store.append(records) if records else None
    if args.json:
        print(
            json.dumps(
                {
                    "run_id": run.run_id,
                    "passage_id": pid,
                    "topic": topic,
                    "file": None if path is None else str(path),
                    "withdrawn": {t: c.label for t, c in sorted(existing.items())},
                }
            )
        )
        return 0
    if not records:
        print(
            f"nothing to withdraw: passage {pid} on {topic} has no correction of yours in "
            f"force (in {store.folder})",
            file=sys.stderr,
        )
        return 0
    from analysis.corrections import latest

    said = "; ".join(f"{TASK_WORDS[t]} {c.label}" for t, c in sorted(existing.items()))
    left = latest(store.history())
    print(
        f"withdrew in {path}: passage {pid} on {topic}: {said}; the model's readings count "
        + (
            f"again in a recomputed run: viewpoints recompute {args.run}"
            + _recompute_options(args, store.folder)
            if left
            else "again: no correction of yours is left in force, so the model's run reads "
            "every passage as the model does (nothing to recompute)"
        ),
        file=sys.stderr,
    )
    return 0


def cmd_correct(args: argparse.Namespace) -> int:
    from analysis.corrections import SPEAKER, CorrectionStore, corrections_dir, latest
    from analysis.corrections.build import (
        counted_stance,
        existing_for,
        index_of,
        labelled_corrections,
        passage_row,
    )
    from analysis.labels import TASK_WORDS
    from analysis.records import is_missing
    from analysis.runs import load_run

    given = {
        task: label
        for task, label in (("stance", args.stance), (SPEAKER, args.quoted), ("tone", args.tone))
        if label is not None
    }
    if args.relevance is not None:
        given["topic"] = args.relevance
    if args.withdraw and (given or args.confirm):
        raise CLIError(
            "--withdraw takes back your corrections on the passage and topic: give it alone, "
            "not with labels or --confirm"
        )
    if not given and not args.confirm and not args.withdraw:
        raise CLIError(
            "nothing to save: give --stance, --quoted, --tone, --relevant or --not-relevant "
            "(or --confirm to record the model's labels as right)"
        )
    run = load_run(args.run, args.runs_dir)
    pid = str(args.passage_id)
    if not (run.passages["passage_id"].astype(str) == pid).any():
        raise CLIError(
            f"run {run.run_id} has no passage {pid!r}: evidence lines end with passage ids "
            f"(viewpoints show {args.run} --evidence 3)"
        )
    scored = run.scores.loc[run.scores["passage_id"].astype(str) == pid, "topic"].astype(str)
    if args.topic is not None:
        topic = topic_keys(run, [args.topic])[0]
    elif scored.nunique() == 1:
        topic = scored.iloc[0]
    else:
        labels = run.info.topic_labels()
        on = sorted(set(scored)) or list(labels)
        listed = ", ".join(f"{k} ({labels.get(k, k)})" for k in on)
        said = "is scored on several topics" if len(scored) else "is scored on no topic"
        raise CLIError(f"passage {pid} {said}: give --topic, one of {listed}")
    row = passage_row(run.passages, run.scores, pid, topic)
    if is_missing(row.get("relevance")):  # taken off the topic by a correction? (read if so)
        row = passage_row(run.passages, run.scores, pid, topic, _model_scores(run))
    folder = corrections_dir(args.corrections_dir)
    if folder.exists() and not folder.is_dir():
        raise CLIError(f"--corrections-dir {folder} is a file; expected a folder")
    store = CorrectionStore(folder)
    existing = existing_for(row, index_of(latest(store.history())))
    if args.withdraw:
        return _withdraw(args, run, pid, topic, existing, store)
    try:
        records = labelled_corrections(
            row, given, run.info, run.run_id, existing, confirm=args.confirm
        )
    except ValueError as err:
        raise CLIError(f"passage {pid} on {topic}: {err}") from None
    path = store.append(records) if records else None
    in_force = {**{t: c.label for t, c in existing.items()}, **{r.task: r.label for r in records}}
    counts_toward = counted_stance(row, run.info.aggregation.include_reported)
    waiting = [task for task in (counts_toward, "tone") if task not in in_force]
    unscored = is_missing(row.get("relevance"))
    pending = unscored and in_force.get("topic") == "relevant" and waiting
    report = {
        "run_id": run.run_id,
        "passage_id": pid,
        "topic": topic,
        "file": None if path is None else str(path),
        "saved": [r.to_dict() for r in records],
        "in_force": in_force,
        "pending": bool(pending),
    }
    if args.json:
        print(json.dumps(report))
        return 0
    if not records:
        whose = [  # a label the model gave is recorded only when confirmed: say so
            f"{TASK_WORDS[t]} {label} ("
            + ("your earlier correction" if t in existing else "the model's; --confirm records it")
            + ")"
            for t, label in given.items()
        ] or [f"{TASK_WORDS[t]} {c.label} (yours)" for t, c in sorted(existing.items())]
        print(
            f"nothing saved: passage {pid} on {topic} already has these labels: "
            + "; ".join(whose),
            file=sys.stderr,
        )
        return 0
    if unscored and (gated := _gated_out(run, pid, topic)):
        print(f"note: {gated}", file=sys.stderr)
    unknown = (  # a recomputed run's label whose correction is in another folder
        "not scored" if unscored else "unknown: this run holds a correction not in this folder"
    )
    said = [
        f"{TASK_WORDS[r.task]} {r.label} "
        + ("(the model's, confirmed)" if not r.changed else f"(model: {r.model_label or unknown})")
        + (  # a new answer supersedes the earlier one: say which
            f", replacing your earlier {existing[r.task].label}"
            if r.task in existing and existing[r.task].label != r.label
            else ""
        )
        for r in records
    ]
    print(f"saved to {path}: passage {pid} on {topic}: {'; '.join(said)}", file=sys.stderr)
    saved_tasks = {r.task for r in records}
    kept = [  # given, but already the label in force: nothing written for them
        f"{TASK_WORDS[t]} {label} ("
        + ("your earlier correction" if t in existing else "the model's; --confirm records it")
        + ")"
        for t, label in given.items()
        if t not in saved_tasks
    ]
    if kept:
        print(f"already in force, not saved again: {'; '.join(kept)}", file=sys.stderr)
    if pending:
        flags = {"stance": "--stance", SPEAKER: "--quoted", "tone": "--tone"}
        print(
            f"the model did not score this passage on {topic}: it counts there once it also "
            f"has {' and '.join(flags[t] for t in waiting)}",
            file=sys.stderr,
        )
    moves = any(r.changed for r in records)
    print(
        (
            "positions change in a recomputed run"
            if moves  # a confirmation is applied as certain: P(favor) 0.55 counts as 1
            else "confirmed: a recomputed run counts these labels as certain, so its values "
            "move toward them (a label the model gave at P(none) 0.6 counts as 1)"
        )
        + f": viewpoints recompute {args.run}"
        + _recompute_options(args, folder),
        file=sys.stderr,
    )
    return 0


def _recompute_options(args: argparse.Namespace, folder: Path | str) -> str:
    """The options a suggested ``viewpoints recompute`` needs to find what this command used:
    the runs folder and the corrections folder where they are not the defaults."""
    default_runs = os.environ.get("VIEWPOINTS_RUNS_DIR", "runs")
    return (f" --runs-dir {args.runs_dir}" if args.runs_dir != default_runs else "") + (
        f" --corrections-dir {folder}" if args.corrections_dir else ""
    )
