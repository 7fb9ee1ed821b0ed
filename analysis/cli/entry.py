"""The ``viewpoints`` entry point: a command's errors as one line and an exit status,
Ctrl-C and SIGTERM handled at any point."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from analysis.cli.analyze import cmd_analyze, cmd_run
from analysis.cli.common import EXIT_USAGE, CLIError
from analysis.cli.parser import build_parser, subcommand_parser


def _show_warning(message: Warning | str, *_: Any, **__: Any) -> None:
    """Warnings for people: one line on stderr, without the source line that raised them."""
    print(f"viewpoints: warning: {message}", file=sys.stderr)


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill PID``, ``timeout``, a scheduler stopping the job), handled as Ctrl-C is:
    staging folders removed, what the cache finished kept, one line said; exit 143."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    """The ``viewpoints`` command; Ctrl-C and SIGTERM at any point give one line, not a
    traceback."""
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if on_main_thread else None
    try:
        return _main(argv)
    except KeyboardInterrupt as err:  # before a command started (its own are handled there)
        print(f"viewpoints: {_stopped(err)}", file=sys.stderr)
        return _interrupt_status(err)
    finally:
        if on_main_thread:
            signal.signal(signal.SIGTERM, previous)
            if argv is None:  # the command itself: its status stands through the exit (a
                # Ctrl-C while the interpreter shut down turned a written run's 0 into 130)
                signal.signal(signal.SIGINT, signal.SIG_IGN)


def _file_above(path: Path) -> Path | None:
    """The first of ``path``'s parents that exists as something other than a folder."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return None


def _interrupt_in(err: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C (or SIGTERM) an exception was raised while handling, if any: a module
    initialised while the signal arrived ("ImportError: initialization failed") wraps it."""
    seen: set[int] = set()
    cause: BaseException | None = err
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


def _stopped(err: BaseException) -> str:
    return "terminated" if isinstance(err, Terminated) else "interrupted"


def _interrupt_status(err: BaseException) -> int:
    """128 + the signal's number, as shells report a command a signal stopped."""
    return 128 + (signal.SIGTERM if isinstance(err, Terminated) else signal.SIGINT)


def _main(argv: Sequence[str] | None) -> int:
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said with the command's own usage, not the list of every command
        command = subcommand_parser(parser, args.command)
        (command or parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    try:  # weight-loading bars say nothing a user needs; real progress bars stay on
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:
        pass
    handler: Callable[[argparse.Namespace], int] = args.handler
    args.written_runs = []  # the run analyze, run or recompute wrote, once it is in place
    import sqlite3

    from analysis.cache import CacheVersionError
    from analysis.datasets import DataError
    from analysis.scoring import ModelLoadError, UnknownScorerError

    runs_dir = getattr(args, "runs_dir", None)
    if runs_dir and Path(runs_dir).exists() and not Path(runs_dir).is_dir():
        print(
            f"viewpoints: error: --runs-dir {runs_dir} is a file; expected a folder",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if runs_dir and (blocked := _file_above(Path(runs_dir))) is not None:
        print(  # "[Errno 20] Not a directory" named neither the option nor the file
            f"viewpoints: error: --runs-dir {runs_dir}: {blocked} is a file, so no folder can "
            "be made under it",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        with warnings.catch_warnings():  # restores Python's own display on the way out
            warnings.showwarning = _show_warning
            try:
                return handler(args)
            except ImportError as err:  # a Ctrl-C inside a lazy import arrives wrapped in one
                stop = _interrupt_in(err)
                if stop is None:
                    raise
                raise stop from None
    except BrokenPipeError:
        sys.stderr.close()  # `viewpoints export ... | head`: the reader left; nothing to report
        return 0
    except (
        CLIError,
        DataError,
        ModelLoadError,
        UnknownScorerError,
        ValueError,
        OSError,
        sqlite3.DatabaseError,  # the prediction cache's file
        CacheVersionError,
    ) as err:
        print(f"viewpoints: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except RuntimeError as err:
        from analysis.ray_engine import EngineError

        if not isinstance(err, EngineError):
            raise
        print(f"viewpoints: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as err:
        if args.written_runs:  # stopped once the run was in place: the work is done
            path = args.written_runs[-1]
            print(
                f"viewpoints: {_stopped(err)} after run {path.name} was written: it is complete",
                file=sys.stderr,
            )
            as_json = getattr(args, "json", False)
            print(json.dumps({"run_id": path.name, "path": str(path)}) if as_json else path)
            return 0
        print(f"viewpoints: {_stopped(err)}", file=sys.stderr)
        if args.handler in (cmd_analyze, cmd_run):  # robustness may have written some
            from analysis.scoring_stage import SCORING_ROWS
            from analysis.stages import RELEVANCE_ROWS

            if getattr(args, "cache", None) == "":
                kept = "the prediction cache was off (--cache ''), so nothing computed is kept"
            elif getattr(args, "engine", None) == "ray":
                kept = (
                    "with the prediction cache on (the default), what the Ray blocks that "
                    "finished computed is kept, and the same command again starts from it"
                )
            else:
                kept = (
                    "with the prediction cache on (the default), what finished batches computed "
                    f"is kept (topic relevance in batches of {RELEVANCE_ROWS:,} passages, scores "
                    f"in batches of {SCORING_ROWS:,}), and the same command again starts from "
                    "it: an interrupt within a stage's first batch keeps nothing of it"
                )
            print(f"no run was written; {kept}", file=sys.stderr)
        return _interrupt_status(err)
