"""``viewpoints runs``, ``show`` and ``export``: the runs there are, and a run's positions
as a terminal table or a file."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from analysis.cli.common import CLIError, emit, note_older_units, topic_keys


def cmd_runs(args: argparse.Namespace) -> int:
    from analysis.runs import list_runs

    runs = list_runs(args.runs_dir)
    if not runs:
        missing = "" if Path(args.runs_dir).is_dir() else " (no such folder)"
        print(
            f"no runs in {args.runs_dir}{missing}: run `viewpoints analyze PATH` first",
            file=sys.stderr,
        )
        if args.json:
            print("[]")  # --json always prints one JSON value
        return 0
    if args.json:  # what the table marks in words, for a script that picks runs
        from analysis.runs import damaged_files, missing_files

        for meta in runs:
            folder = Path(str(meta["path"])) if meta.get("path") else None
            meta["folder"] = folder.name if folder else None
            meta["missing_files"] = missing_files(folder) if folder else []
            meta["damaged_files"] = damaged_files(folder, optional=True) if folder else []
    return emit(runs, args.json, "format_runs")


def cmd_show(args: argparse.Namespace) -> int:
    from analysis.report import positions_json
    from analysis.runs import load_run
    from analysis.terminal import format_positions

    if args.evidence < 0:
        raise CLIError(f"expected --evidence N >= 0, got {args.evidence}")
    if args.all and args.discussed:
        raise CLIError("--all and --discussed ask for opposite things; give one")
    run = load_run(args.run, args.runs_dir)
    from analysis.aggregate import position_rules_note

    period = _period_of(args)
    stored = period is None and args.level != "outlet"  # the others are made afresh, today
    if stored and (old := position_rules_note(run.meta)):  # as the pages say too
        print(f"note: {old}", file=sys.stderr)
    if period is not None:
        run = _with_period_positions(run, args.level, period)
    elif args.level == "outlet":
        run = _with_outlet_positions(run)
    elif args.level == "author":
        note_older_units(run)
    silent_left_out = 0
    if not (args.json or args.all or args.discussed or args.author):
        # a long table of units that discuss nothing buries the few that do
        silent_left_out = _silent_units_beyond(run, args.level, args.topic)
    if args.author or args.topic or args.discussed or silent_left_out:
        discussed = args.discussed or bool(silent_left_out)
        run = _selected_positions(run, args.level, args.author, args.topic, discussed)
        if run.positions.empty:
            print(
                "nothing to show: "
                + (
                    "none of them discusses these topics (leave out --discussed to see them)"
                    if args.discussed
                    else "no position matches these filters"
                ),
                file=sys.stderr,
            )
    if args.json:
        shown = positions_json(run, args.level, args.evidence)
        if period is not None:  # positions made again over it, not the stored ones
            shown["period"] = {
                "from": None if args.date_from is None else period.first.isoformat(),
                "to": None if args.date_to is None else period.last.isoformat(),
                "undated": False,
            }
        print(json.dumps(shown, ensure_ascii=False))
    else:
        width = None if args.wide else _terminal_columns()
        print(format_positions(run, level=args.level, evidence=args.evidence, width=width))
        if silent_left_out:
            noun = {"article": "articles", "outlet": "outlets"}.get(args.level, "authors")
            print(
                f"({silent_left_out:,} {noun} that discuss none of the topics shown left out; "
                "--all lists them)"
            )
    return 0


SHOW_ALL_UP_TO = 40  # units `show` lists whole; beyond, only those that discuss a topic


def _silent_units_beyond(run: Any, level: str, topics: list[str]) -> int:
    """How many units `show` leaves out by default: those that discuss none of the ``topics``
    (all where none are given), where the table would list more than :data:`SHOW_ALL_UP_TO`;
    0 where it lists them all."""
    from analysis.runs import GROUP_LEVELS

    table = run.positions[run.positions["level"] == level]
    if topics:
        table = table[table["topic"].isin(topic_keys(run, topics))]
    unit = "author" if level in GROUP_LEVELS else "article_id"
    units = table[unit].nunique()
    if units <= SHOW_ALL_UP_TO:
        return 0
    return units - table.loc[table["status"] == "discussed", unit].nunique()


def _period_of(args: argparse.Namespace) -> Any:
    """The period ``--from``/``--to`` give, or None (a bad day is one error line)."""
    from analysis.periods import period_from_days

    try:
        return period_from_days(args.date_from, args.date_to)
    except ValueError as error:
        raise CLIError(str(error)) from None


def _with_period_positions(run: Any, level: str, period: Any) -> Any:
    """A copy of ``run`` whose positions at ``level`` are those over ``period``
    (:func:`analysis.periods.positions_within`), said on stderr."""
    from analysis.periods import period_note, positions_within

    within = _with_positions(run, lambda: positions_within(run, level, period))
    print(f"note: {period_note(period)}", file=sys.stderr)
    return within


def _with_outlet_positions(run: Any) -> Any:
    """A copy of ``run`` whose positions are its outlets' (:mod:`analysis.outlets`)."""
    from analysis.outlets import run_outlet_positions

    return _with_positions(run, lambda: run_outlet_positions(run))


def _with_positions(run: Any, made: Any) -> Any:
    """A copy of ``run`` whose positions are the table ``made()`` makes from it (a run whose
    settings cannot be read: one error line)."""
    import copy

    try:
        table = made()
    except ValueError as error:
        raise CLIError(str(error)) from None
    copied = copy.copy(run)
    copied.positions = table.reset_index(drop=True)
    return copied


def _selected_positions(
    run: Any, level: str, authors: list[str], topics: list[str], discussed: bool
) -> Any:
    """A copy of ``run`` whose positions keep only the given authors (names matched as
    ``compare-authors`` matches them; at article level, their articles), the given topics (keys
    or labels), and with ``discussed`` only the units that discuss one of those topics."""
    import copy

    from analysis.bylines import match_group, membership
    from analysis.outlets import match_unit
    from analysis.runs import GROUP_LEVELS

    table = run.positions[run.positions["level"] == level]
    table = table[table["topic"].isin(topic_keys(run, topics))]
    if authors and level in GROUP_LEVELS:  # the names the run's positions carry
        names = table["author"].astype(str)
        chosen = {match_unit(run, name, set(names), level) for name in authors}
        table = table[names.isin(chosen)]
    elif authors:
        members = membership(run.articles, run.info.known_rosters)
        groups = members["group"].astype(str)
        chosen = {match_group(name, groups, run.run_id) for name in authors}
        articles = set(members.loc[groups.isin(chosen), "article_id"])
        table = table[table["article_id"].isin(articles)]
    if discussed:
        unit = "author" if level in GROUP_LEVELS else "article_id"
        speaking = set(table.loc[table["status"] == "discussed", unit])
        table = table[table[unit].isin(speaking)]
    selected = copy.copy(run)
    selected.positions = table
    return selected


def _terminal_columns() -> int | None:
    """The width ``show`` fits: the terminal's where stdout is one, else ``$COLUMNS`` where
    the environment sets it (a pipe or a file with no ``$COLUMNS`` gets the whole table)."""
    import shutil

    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else None


def _check_export_target(name: str) -> None:
    """Refuse an ``--out`` that cannot be written as a file, in words, before any work."""
    from analysis.runs import RUN_FILE_NAMES

    shown = name if len(name) <= 80 else f"{name[:60]}...{name[-15:]}"
    if not name.strip():
        raise CLIError("--out is empty; expected a file name")
    out = Path(name)
    try:
        if out.is_dir():
            raise CLIError(f"--out {shown} is a folder; expected a file name")
        if out.exists() and not out.is_file():
            raise CLIError(f"--out {shown} is not a regular file; expected a file name")
        if not out.parent.is_dir():
            raise CLIError(f"--out {shown}: no folder {out.parent}")
        if (out.parent / "run.json").is_file() and out.name in RUN_FILE_NAMES:
            # a run's own file overwritten would leave the run damaged; another file beside
            # them (an earlier export) is the user's
            raise CLIError(
                f"--out {shown} is a file of the run folder {out.parent}: writing it would "
                "damage the run; expected a file outside it, or a new name"
            )
    except OSError as err:  # a name too long for the file system, a folder not readable
        raise CLIError(f"--out {shown}: {err.strerror or err}") from None


def cmd_export(args: argparse.Namespace) -> int:
    from analysis.export import export_table, resolve_format
    from analysis.runs import load_run

    if args.out == "-":  # the usual name for standard output
        args.out = None
    try:
        fmt = resolve_format(args.format, args.out)
    except ValueError as error:
        raise CLIError(str(error)) from None
    if args.out is not None:  # checked before anything is written, the sidecar included
        _check_export_target(args.out)
    elif fmt == "parquet" and sys.stdout.isatty():
        raise CLIError("Parquet is binary: expected --out FILE, or a pipe, not a terminal")
    if args.outlets and args.what != "positions":
        raise CLIError(f"--outlets: only with --what positions, got --what {args.what}")
    period = _period_of(args)
    if period is not None and args.what != "positions":
        raise CLIError(f"--from/--to: only with --what positions, got --what {args.what}")
    run = load_run(args.run, args.runs_dir)
    if period is not None:
        from analysis.periods import period_note

        print(f"note: {period_note(period)}", file=sys.stderr)
    rows = export_table(run, args.what, fmt, args.out, outlets=args.outlets, period=period)
    if rows == 0:
        why = "no dated article falls in the period" if period is not None else "the table is empty"
        print(f"note: no rows to export: {why}", file=sys.stderr)
    if args.out:
        print(f"wrote {args.out} ({rows:,} rows)", file=sys.stderr)
    elif fmt != "parquet":  # Parquet keeps it in the file's metadata
        print(
            "note: written to standard output without its provenance (--out FILE writes it "
            "beside the file, FILE.provenance.json)",
            file=sys.stderr,
        )
    return 0
