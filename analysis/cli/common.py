"""What every command shares: the usage error and its exit status, and small helpers
more than one command's module uses."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

EXIT_USAGE = 2


class CLIError(Exception):
    """An error to report in one line, without a traceback."""


def runs_named(name: str | None, runs_dir: str | Path) -> list[str]:
    """The ids of the runs in ``runs_dir`` named ``name`` (before a new one is written)."""
    if not name:
        return []
    from analysis.runs import list_runs

    return [str(m.get("run_id")) for m in list_runs(runs_dir) if m.get("name") == name]


def note_reused_name(name: str | None, runs_dir: str | Path, taken: list[str]) -> None:
    """Say, once a run is written, that its name was taken: it no longer picks one run."""
    if taken:
        shown = ", ".join(taken[:3]) + (f" and {len(taken) - 3} more" if len(taken) > 3 else "")
        print(
            f"note: {len(taken)} other run(s) in {runs_dir} are named {name!r} ({shown}); "
            "refer to the new run by its id (a name shared by runs picks none of them)",
            file=sys.stderr,
        )


def note_older_units(run: Any) -> None:
    """On stderr, where the run's stored author units differ from today's byline rules."""
    from analysis.bylines import units_note

    note = units_note(run)
    if note:
        print(f"note: {note}", file=sys.stderr)


def topic_keys(run: Any, given: list[str]) -> list[str]:
    """The run's topic keys for ``--topic`` values, each a key or a label (case and spacing
    aside): pages show labels, so a user may know only those. Nothing given: every topic."""
    from analysis.topics import folded

    known = list(dict.fromkeys(run.positions["topic"].astype(str)))
    labels = run.info.topic_labels()
    if not given:
        return known
    by_name: dict[str, set[str]] = {}
    for key in known:
        for name in (key, labels.get(key, key)):
            by_name.setdefault(folded(name), set()).add(key)
    keys, unknown = [], []
    for value in given:
        found = by_name.get(folded(value), set())
        if len(found) > 1:
            raise CLIError(f"--topic {value!r} names several topics ({sorted(found)}): give a key")
        if found:
            keys.append(next(iter(found)))
        else:
            unknown.append(value)
    if unknown:
        listed = ", ".join(f"{k} ({labels.get(k, k)})" for k in known)
        raise CLIError(f"expected topics among {listed} (a key or a label), got {unknown}")
    return list(dict.fromkeys(keys))


def emit(data: Any, as_json: bool, renderer: str) -> int:
    """Print ``data`` as one JSON object, or as text for people (``analysis.terminal``'s
    ``renderer``, imported only then)."""
    if as_json:
        print(json.dumps(data))
    else:
        from analysis import terminal

        print(getattr(terminal, renderer)(data))
    return 0


def check_seed(seed: int) -> None:
    """A negative ``--seed`` as a usage error (numpy's generators refuse it with a traceback)."""
    if seed < 0:
        raise CLIError(f"expected --seed to be an integer >= 0, got {seed}")
