"""The ``viewpoints`` argument parser: every command's options, and each command's
handler."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

from analysis import __version__
from analysis.cli.analyze import cmd_analyze, cmd_run
from analysis.cli.comparisons import (
    DEFAULT_CHANGES_LISTED,
    cmd_compare,
    cmd_compare_authors,
    cmd_robustness,
    cmd_shift,
)
from analysis.cli.corrections import cmd_correct, cmd_corrections, cmd_recompute
from analysis.cli.dashboard import cmd_dashboard
from analysis.cli.evaluate import cmd_evaluate
from analysis.cli.tables import SHOW_ALL_UP_TO, cmd_export, cmd_runs, cmd_show
from analysis.labels import STANCE_LABELS, TONE_LABELS


def _add_period(parser: argparse.ArgumentParser) -> None:
    """``--from``/``--to``: positions over the dated articles of a period, as the dashboard's
    date range makes them."""
    parser.add_argument(
        "--from",
        dest="date_from",
        default=None,
        help="positions over the dated articles from this day (YYYY-MM-DD): authors' and "
        "outlets' made again over them, as the dashboard's date range does",
    )
    parser.add_argument(
        "--to", dest="date_to", default=None, help="...and up to this day (YYYY-MM-DD)"
    )


def _add_test_options(parser: argparse.ArgumentParser, handler: Callable[..., int]) -> None:
    """What the statistical commands (compare-authors, shift) share."""
    parser.add_argument("--topic", action="append", default=[], help="only this topic (repeatable)")
    parser.add_argument(
        "--outlets",
        action="store_true",
        help="the names are outlets, each over all the articles it published, signed or not "
        "(without it: authors, and outlet groups of unsigned articles)",
    )
    parser.add_argument("--seed", type=int, default=0, help="resampling seed")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    _add_runs_dir(parser)
    parser.set_defaults(handler=handler)


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    """--engine, --ray-address and --workers: where relevance and scoring run ([engine])."""
    parser.add_argument(
        "--engine",
        choices=["local", "ray"],
        default=None,
        help="local (default): this process; ray: relevance and scoring on Ray Data actors "
        "(needs Ray: pip install 'ray[data]>=2.50,<3')",
    )
    parser.add_argument(
        "--ray-address",
        default=None,
        help="with --engine ray: the cluster to join ('auto', 'HOST:6379'); "
        "default: start a local Ray instance with this machine's cores",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="with --engine ray: actors per model stage, one CPU each (default, or 0: every CPU)",
    )


def _add_run_outputs(parser: argparse.ArgumentParser) -> None:
    """--dry-run and --json, shared by analyze and run."""
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the cost estimate (a measured warm-up) and stop",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object on stdout (the run, or with --dry-run the estimate)",
    )


def _add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bars (shown only on a terminal) and no stage, cache, reading or "
        "estimate lines, nor the estimate's warm-up (a dry run still prints its estimate); "
        "warnings and notes stay",
    )


def _add_runs_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--runs-dir",
        default=os.environ.get("VIEWPOINTS_RUNS_DIR", "runs"),
        help="where runs live (default: ./runs, or $VIEWPOINTS_RUNS_DIR)",
    )


def _add_corrections_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corrections-dir",
        "--corrections",
        dest="corrections_dir",
        default=None,
        help="the corrections folder (default: ./corrections, or $VIEWPOINTS_CORRECTIONS_DIR)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="viewpoints", description="Compare authors' stance and tone on topics."
    )
    parser.add_argument("--version", action="version", version=f"viewpoints {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    ev = sub.add_parser(
        "evaluate",
        help="score a model on labelled passages, or a run on labelled articles (--level article)",
    )
    ev.add_argument(
        "--level",
        default="passage",
        choices=["passage", "article"],
        help="passage: a model on labelled passages (needs --task); article: a run's article "
        "positions on article labels (JSONL: article_id or title, topic, label)",
    )
    ev.add_argument(
        "--task",
        default=None,
        choices=["stance", "tone", "speaker", "topic"],
        help="stance (the author's), tone, or speaker: the quoted voice's stance of reported "
        "speech, on the analyst's corrections (a corrections file or folder), read by the "
        "stance model's speaker head; topic: a run's topic reading (--run) on the analyst's "
        "topic corrections",
    )
    ev.add_argument(
        "--run",
        default=None,
        help="--level article, or --task topic: the run to judge (id or path)",
    )
    ev.add_argument(
        "--runs-dir",
        default=os.environ.get("VIEWPOINTS_RUNS_DIR", "runs"),
        help="where --run is looked up, and --corpus's run kept (in its evaluate/ folder; "
        "default: ./runs, or $VIEWPOINTS_RUNS_DIR)",
    )
    ev.add_argument(
        "--corpus",
        nargs="+",
        default=None,
        help="--level article without --run: JSON Lines corpus whose labelled articles are "
        "analyzed afresh with the default models (or --model for stance), into a run kept "
        "in RUNS_DIR/evaluate (not among the runs 'latest' and the dashboard list)",
    )
    ev.add_argument(
        "--cache",
        default=None,
        help="--level article with --corpus: the analysis's prediction cache file ('' = none; "
        "default .viewpoints-cache/... where you run it, as analyze's)",
    )
    ev.add_argument(
        "--split", default=None, help="--level article: only labels with this split (e.g. dev)"
    )
    ev.add_argument(
        "--data",
        required=True,
        help="labelled file (JSONL, VAST CSV, NewsMTSC JSONL) or a corrections file or folder",
    )
    ev.add_argument(
        "--format", default="auto", choices=["auto", "jsonl", "vast", "newsmtsc", "corrections"]
    )
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
        help="weights' precision for the shipped, Hugging Face and NLI models (auto: bf16 "
        "where the CPU has native bf16, else fp32; default auto)",
    )
    ev.add_argument(
        "--label-map",
        default=None,
        help="for Hugging Face classifiers: LABEL_0=negative,LABEL_1=neutral,...",
    )
    ev.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    ev.set_defaults(handler=cmd_evaluate)

    an = sub.add_parser("analyze", help="analyze files or folders of articles into a run")
    an.add_argument(
        "paths",
        nargs="*",
        help="files or folders (default: the config's, or ./seeds, else the seed articles of "
        "the viewpoints checkout)",
    )
    an.add_argument("--config", default=None, help="an analysis/experiment TOML file")
    an.add_argument("--topics", default=None, help="a topics TOML file (default: built-in)")
    an.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="topic relevance threshold (default: the stance model's, 0.55 with a topic head "
        "as the default model has, else 0.66)",
    )
    an.add_argument(
        "--relevance",
        choices=["cascade", "full"],
        default=None,
        help="cascade (default): static embeddings choose the passages MiniLM scores; "
        "full: MiniLM on every passage",
    )
    an.add_argument("--stance-model", default=None, help="name, directory or Hugging Face id")
    an.add_argument("--tone-model", default=None, help="name, directory or Hugging Face id")
    an.add_argument(
        "--precision",
        default=None,
        choices=["auto", "bf16", "fp32"],
        help="weights' precision for the shipped, Hugging Face and NLI models (auto: bf16 "
        "where the CPU has native bf16, else fp32; default: the config's, auto)",
    )
    an.add_argument("--seed", type=int, default=None, help="bootstrap seed")
    an.add_argument(
        "--cache",
        default=None,
        help="prediction cache file ('' = none; default .viewpoints-cache/...)",
    )
    an.add_argument(
        "--include-reported",
        action="store_true",
        help="count reported speech toward the author's stance",
    )
    an.add_argument("--name", default=None, help="a label for the run")
    _add_quiet(an)
    an.add_argument(
        "--runs-dir",
        default=None,
        help="where to write the run (default: the config's, else $VIEWPOINTS_RUNS_DIR, "
        "else ./runs)",
    )
    _add_engine_options(an)
    _add_run_outputs(an)
    an.set_defaults(handler=cmd_analyze)

    rn = sub.add_parser("run", help="run an experiment TOML (corpus, topics, models) into a run")
    rn.add_argument("experiment", help="an experiment TOML file, e.g. experiments/defaults.toml")
    _add_run_outputs(rn)
    rn.add_argument("--cache", default=None, help="prediction cache file ('' = none)")
    _add_quiet(rn)
    rn.add_argument(
        "--runs-dir",
        default=None,
        help="override the experiment's runs_dir (default: the experiment's, else "
        "$VIEWPOINTS_RUNS_DIR, else ./runs; for a run's own config.toml, $VIEWPOINTS_RUNS_DIR, "
        "else the runs folder that run was written to)",
    )
    _add_engine_options(rn)
    rn.set_defaults(handler=cmd_run)

    cp = sub.add_parser("compare", help="what changed between two runs")
    cp.add_argument("run_a", help="run id, name, path or 'latest'")
    cp.add_argument("run_b", help="run id, name, path or 'latest'")
    cp.add_argument(
        "--top",
        type=int,
        default=10,
        help="passages listed where the runs disagree most, per topic and label (default 10)",
    )
    cp.add_argument(
        "--changes",
        type=int,
        default=DEFAULT_CHANGES_LISTED,
        help=f"changes listed of each kind, the rest counted (default {DEFAULT_CHANGES_LISTED}; "
        "0: every one; --json always has them all)",
    )
    cp.add_argument(
        "--outlets",
        action="store_true",
        help="the position changes of outlets, each over every article it published (by "
        "default those of authors, where an outlet's row holds only its unsigned pieces)",
    )
    cp.add_argument("--json", action="store_true", help="print one JSON object")
    _add_runs_dir(cp)
    cp.set_defaults(handler=cmd_compare)

    rb = sub.add_parser(
        "robustness", help="which author comparisons hold across runs (or template variants)"
    )
    rb.add_argument("runs", nargs="*", help="existing runs to compare")
    rb.add_argument(
        "--experiment",
        default=None,
        help="run this experiment once per --template (and once as is) first",
    )
    rb.add_argument(
        "--template",
        action="append",
        default=[],
        help="'FAVOR|AGAINST' hypothesis templates with {target}, for stance.nli.v1",
    )
    rb.add_argument(
        "--measure",
        choices=("stance", "tone"),
        default="stance",
        help="the author measure whose orders and signs are compared (default stance)",
    )
    rb.add_argument(
        "--cache",
        default=None,
        help="with --experiment: the prediction cache file of its runs ('' = none; default the "
        "experiment's, else .viewpoints-cache/... where you run it)",
    )
    rb.add_argument("--json", action="store_true", help="print one JSON object")
    _add_quiet(rb)
    _add_runs_dir(rb)
    rb.set_defaults(handler=cmd_robustness)

    ca = sub.add_parser(
        "compare-authors",
        help="is author A different from B? stance and tone differences with 95%% intervals, "
        "permutation p-values and (over many pairs) false-discovery-rate q-values",
    )
    ca.add_argument("run", help="run id, name, path or 'latest'")
    ca.add_argument("authors", nargs="+", help="two or more authors (or outlets) as shown")
    ca.add_argument(
        "--permutations",
        type=int,
        default=2000,
        help="random reassignments of the two authors' articles behind each p-value (default 2000)",
    )
    ca.add_argument(
        "--bootstrap",
        type=int,
        default=2000,
        help="resamples of the articles behind each interval (default 2000)",
    )
    ca.add_argument(
        "--measure", choices=["stance", "tone"], default=None, help="one measure (default: both)"
    )
    _add_test_options(ca, cmd_compare_authors)

    sf = sub.add_parser(
        "shift",
        help="did an author change? the shift in stance and tone before/after --date, or at "
        "the detected change point, with its interval, p-value and evidence",
    )
    sf.add_argument("run", help="run id, name, path or 'latest'")
    sf.add_argument("author", help="the author (or outlet group) as shown")
    sf.add_argument(
        "--measure", choices=["stance", "tone"], default=None, help="one measure (default: both)"
    )
    sf.add_argument("--date", default=None, help="split at this date (YYYY-MM-DD)")
    _add_test_options(sf, cmd_shift)

    ls = sub.add_parser("runs", help="list runs, newest first")
    _add_runs_dir(ls)
    ls.add_argument("--json", action="store_true", help="print one JSON list")
    ls.set_defaults(handler=cmd_runs)

    sh = sub.add_parser("show", help="a terminal table of authors x topics")
    sh.add_argument("run", nargs="?", default="latest", help="run id, name, path or 'latest'")
    sh.add_argument(
        "--level",
        choices=["author", "outlet", "article"],
        default="author",
        help="author (default): authors and outlet groups x topics (an outlet group: its "
        "unsigned articles); outlet: each outlet over all its articles, signed or not; "
        "article: each article x topic",
    )
    sh.add_argument(
        "--evidence",
        type=int,
        nargs="?",
        const=3,
        default=0,
        metavar="N",
        help="under each row, the top N evidence passages per topic (default N: 3)",
    )
    sh.add_argument(
        "--author",
        action="append",
        default=[],
        help="only this author or outlet group (repeatable; case and spacing aside); at "
        "--level outlet, this outlet; at --level article, their articles",
    )
    sh.add_argument(
        "--topic",
        action="append",
        default=[],
        help="only this topic, a key or a label (repeatable)",
    )
    sh.add_argument(
        "--discussed",
        action="store_true",
        help="only the authors (or articles) that discuss one of the topics shown (the "
        f"table's default beyond {SHOW_ALL_UP_TO} of them)",
    )
    sh.add_argument(
        "--all",
        action="store_true",
        help="every author (or article), also beyond "
        f"{SHOW_ALL_UP_TO} where the table leaves out those that discuss none of the topics",
    )
    _add_period(sh)
    sh.add_argument(
        "--wide",
        action="store_true",
        help="the table however wide (by default a terminal narrower than it gets one block "
        "per author, a topic a line)",
    )
    sh.add_argument("--json", action="store_true", help="print one JSON object")
    _add_runs_dir(sh)
    sh.set_defaults(handler=cmd_show)

    ex = sub.add_parser("export", help="write a run's table as JSONL, JSON, CSV or Parquet")
    ex.add_argument("run", help="run id, name, path or 'latest'")
    ex.add_argument(
        "--what",
        choices=["positions", "passages", "articles"],
        default="positions",
        help="which table (default: positions)",
    )
    ex.add_argument(
        "--outlets",
        action="store_true",
        help="--what positions: each outlet's over all its articles, signed or not (as show "
        "--level outlet), instead of the stored article and author positions",
    )
    _add_period(ex)
    ex.add_argument(
        "--format",
        choices=["jsonl", "json", "csv", "parquet"],
        default=None,
        help="default: the one --out's ending names (.jsonl, .ndjson, .json, .csv, .parquet; "
        "another ending is refused without --format), else jsonl",
    )
    ex.add_argument(
        "--out",
        default=None,
        help="output file (default, or '-': stdout), replaced if it exists; a CSV, JSON or "
        "JSONL file gets FILE.provenance.json beside it, Parquet carries it in its metadata",
    )
    _add_runs_dir(ex)
    ex.set_defaults(handler=cmd_export)

    rc = sub.add_parser(
        "recompute",
        help="a new run: a run's positions recomputed with the analyst's corrections",
    )
    rc.add_argument("run", help="run id, name, path or 'latest'")
    _add_corrections_dir(rc)
    rc.add_argument(
        "--calibrate",
        action="store_true",
        help="first temperature-scale each task's probabilities, fitted on the corrections",
    )
    rc.add_argument(
        "--min-examples",
        type=int,
        default=None,
        help="with --calibrate: fewest corrected examples a task needs to be calibrated "
        "(default 10)",
    )
    rc.add_argument("--name", default=None, help="a label for the new run")
    _add_runs_dir(rc)
    rc.set_defaults(handler=cmd_recompute)

    co = sub.add_parser("corrections", help="count the analyst's corrections per topic and task")
    _add_corrections_dir(co)
    co.add_argument(
        "--list",
        action="store_true",
        help="also list each correction in force, newest first (passage id, labels, text)",
    )
    co.add_argument("--json", action="store_true", help="print one JSON object")
    co.set_defaults(handler=cmd_corrections)

    cr = sub.add_parser(
        "correct",
        help="label one passage on one topic (as the dashboard's Correct does): its stance, "
        "quoted voice's stance, tone or relevance",
    )
    cr.add_argument("run", help="run id, name, path or 'latest'")
    cr.add_argument("passage_id", help="the id that ends an evidence line (ARTICLE:INDEX)")
    cr.add_argument(
        "--topic",
        default=None,
        help="topic key or label (needed where the passage is scored on several topics or none)",
    )
    cr.add_argument(
        "--stance",
        choices=STANCE_LABELS,
        default=None,
        help="the author's stance toward the topic's target (own words)",
    )
    cr.add_argument(
        "--quoted",
        choices=STANCE_LABELS,
        default=None,
        help="the stance of the voice a reported passage quotes",
    )
    cr.add_argument("--tone", choices=TONE_LABELS, default=None, help="the passage's tone")
    about = cr.add_mutually_exclusive_group()
    about.add_argument(
        "--relevant",
        dest="relevance",
        action="store_const",
        const="relevant",
        help="the passage is about the topic (one the model did not score there "
        "also needs its stance and tone)",
    )
    about.add_argument(
        "--not-relevant",
        dest="relevance",
        action="store_const",
        const="not relevant",
        help="the passage is not about the topic: it leaves the topic in a recomputed run",
    )
    cr.add_argument(
        "--confirm",
        action="store_true",
        help="record the model's labels as right: those given with it (--stance none "
        "--confirm), or every task's where none is given",
    )
    cr.add_argument(
        "--withdraw",
        action="store_true",
        help="withdraw your corrections in force on this passage and topic: the model's "
        "readings count again in a recomputed run (giving the model's label instead records "
        "it as yours, certain)",
    )
    cr.add_argument("--json", action="store_true", help="print one JSON object")
    _add_corrections_dir(cr)
    _add_runs_dir(cr)
    cr.set_defaults(handler=cmd_correct)

    db = sub.add_parser("dashboard", help="serve the Streamlit dashboard")
    _add_runs_dir(db)
    db.add_argument("--port", type=_port, default=8501, help="TCP port, 1-65535 (default 8501)")
    db.add_argument(
        "--corrections-dir",
        default=None,
        help="where corrections are stored (default: ./corrections, or "
        "$VIEWPOINTS_CORRECTIONS_DIR)",
    )
    db.add_argument(
        "--headless", action="store_true", help="accepted for compatibility: always headless"
    )
    db.set_defaults(handler=cmd_dashboard)
    return parser


def _port(text: str) -> int:
    """A TCP port number, for argparse (its message names the option)."""
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number in 1-65535, got {text!r}")
    return port


def subcommand_parser(
    parser: argparse.ArgumentParser, command: str | None
) -> argparse.ArgumentParser | None:
    """The parser of ``command`` (``viewpoints runs`` ...), None if there is none."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices.get(command)
    return None
