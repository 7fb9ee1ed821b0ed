"""Runs on disk: one folder per analysis, written atomically, read back as tables.

A run folder holds

- ``config.toml``: the fully resolved configuration that produced it;
- ``run.json``: run id, creation time, models (with weights hashes), package versions, seed,
  corpus hash, timings, counts and the inputs that were skipped with their reasons;
- ``articles.parquet``, ``passages.parquet``, ``scores.parquet``, ``positions.parquet``
  (columns in :data:`TABLE_COLUMNS`);
- ``gated_out.parquet`` (runs since it was added): the candidate (passage, topic) pairs that
  the stance model's topic head left out, with their relevance and P(on topic); they count
  toward nothing, and are kept so that an analyst can read what was left out.

A run is written into a hidden temporary folder beside its final place and renamed into place
only when every file is complete, so an interrupted run never leaves a folder that a reader
would list.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import signal
import threading
import tomllib
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.run_info import RunInfo, run_info

RUN_FORMAT_VERSION = 1
TABLES = ("articles", "passages", "scores", "positions")
# Tables a run may hold beside TABLES: the candidate pairs the topic gate left out (older runs
# lack it; a run without a gate has it empty).
OPTIONAL_TABLES = ("gated_out",)
GATED_OUT_TABLE = "gated_out.parquet"
GATED_OUT_COLUMNS = ("passage_id", "article_id", "topic", "relevance", "reported", "on_topic")
# Levels whose units are groups of articles, named in the positions' ``author`` column: the
# stored author level, and outlets (``analysis.outlets``, computed when asked).
GROUP_LEVELS = ("author", "outlet")
# A position's numbers: points in [-1, 1] and their bootstrap interval (NaN where none).
INTERVAL_COLUMNS = ("stance", "stance_low", "stance_high", "tone", "tone_low", "tone_high")

# The columns every run table has (more may follow); readers rely on these.
TABLE_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "articles": (
        "article_id",  # stable id: the source's own id, or derived from the file name
        "title",
        "author",  # None when the source names no author
        "outlet",
        "date",  # ISO date string or None
        "url",
        "source",  # where it was read from: "path" or "path:line"
        "group",  # who the article is grouped under: author, else outlet, else the title
        "group_kind",  # "author", "outlet" or "article"
        "text",  # the cleaned text that passage spans index into
        "n_passages",
        "duplicate_of",  # article_id of an earlier identical article, else None
    ),
    "passages": (
        "passage_id",  # "<article_id>:<index>"
        "article_id",
        "index",
        "start",  # character span in the article's cleaned text
        "end",
        "text",
        "reported",  # inside quotation marks or attributed to a speaker
        "speaker",  # the speaker when found, else None
    ),
    "scores": (
        "passage_id",
        "article_id",
        "topic",
        "relevance",  # topic relevance in [0, 1]; only passages over the threshold are here
        "reported",
        "speaker",
        "stance_favor",
        "stance_against",
        "stance_none",
        "tone_negative",
        "tone_neutral",
        "tone_positive",
        "stance",  # favor minus against, in [-1, 1]
        "tone",  # positive minus negative, in [-1, 1]
    ),
    "positions": (
        "level",  # "article" or "author"
        "article_id",  # None at author level
        "title",
        "author",  # the group label (author, else outlet, else title)
        "group_kind",
        "outlet",
        "date",
        "topic",
        "status",  # "discussed", "not_discussed", or "unscored" (written about, no prediction)
        "coverage",  # share of the unit's passages that are own-voice topic passages
        "n_passages",  # own-voice topic passages behind the numbers
        "n_reported",  # reported-speech topic passages, shown apart and not counted
        "n_articles",
        *INTERVAL_COLUMNS,
        "evidence",  # passage ids, strongest first
    ),
}
# Columns that runs written since the news stance model have too (readers of older runs must
# do without them): the quoted voices' stance and the status of the author's stance.
NEWER_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "articles": (),
    "passages": (),
    "scores": (
        "speaker_favor",  # the quoted voice's stance on reported-speech rows, NaN on own voice
        "speaker_against",
        "speaker_none",
        "speaker_stance",  # speaker_favor minus speaker_against
        "on_topic",  # P(on topic) from the stance model's topic head (NaN without one)
    ),
    "positions": (
        "n_articles_discussing",  # articles with at least one counted topic passage
        "stance_status",  # "expressed", "mixed" or "no_stance" (then stance is NaN); None where
        # not discussed. A unit that discusses the topic only through quotes reads "no_stance"
        # with n_passages 0 (shown as "only quoted voices")
        "stance_mass",  # expected number of own-voice passages that take a side
        "favor_mass",
        "against_mass",
        "quoted_stance",  # the same measure over the quoted voices (reported speech)
        "quoted_low",
        "quoted_high",
        "quoted_status",
        "quoted_mass",
        "quoted_evidence",  # reported passages whose speaker takes a side most clearly
        "n_articles_quoting",  # articles with at least one counted quote (runs since
        # 2026-12-06: a quoted-voices score on one article is pale, as an author's is)
    ),
}


def _written_order(name: str) -> tuple[str, ...]:
    columns = [*TABLE_COLUMNS[name], *NEWER_COLUMNS[name]]
    if name == "positions":  # written beside the count it qualifies
        columns.remove("n_articles_discussing")
        columns.insert(columns.index("n_articles") + 1, "n_articles_discussing")
    return tuple(columns)


# Every column a run written now has, in the order it is written.
ALL_COLUMNS: Mapping[str, tuple[str, ...]] = {name: _written_order(name) for name in TABLES}


class RunError(ValueError):
    """A run that cannot be found or read; the message says which and why."""


@dataclass
class Run:
    """A run read back from disk: its metadata, resolved config and tables."""

    path: Path
    meta: dict[str, Any]
    config: dict[str, Any]
    articles: pd.DataFrame
    passages: pd.DataFrame
    scores: pd.DataFrame
    positions: pd.DataFrame

    @property
    def run_id(self) -> str:
        return str(self.meta["run_id"])

    @cached_property
    def info(self) -> RunInfo:
        """Topics, models, threshold and aggregation, typed (analysis.run_info)."""
        keys = self.positions["topic"].dropna().astype(str).unique().tolist()
        return run_info(self.meta, self.config, keys)


def new_run_id(corpus_hash: str, now: datetime | None = None) -> str:
    """A sortable, readable id: creation time (UTC) plus the start of the corpus hash."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%d-%H%M%S}-{corpus_hash[:8]}"


def write_run(
    runs_dir: str | Path,
    run_id: str,
    meta: dict[str, Any],
    config_toml: str,
    tables: Mapping[str, pd.DataFrame],
) -> Path:
    """Write a complete run to ``runs_dir/run_id`` atomically and return its path.

    If ``run_id`` is taken (by an earlier run, or a concurrent one that finished first), the run
    is written as ``<run_id>~2`` (``~3`` ...): the path returned names the id it got."""
    missing = [name for name in TABLES if name not in tables]
    if missing:
        raise ValueError(f"expected tables {list(TABLES)}, missing {missing}")
    staging = new_staging(runs_dir)
    try:
        return finish_run(staging, runs_dir, run_id, meta, config_toml, tables)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def new_staging(runs_dir: str | Path) -> Path:
    """A fresh hidden folder in ``runs_dir`` where a run is written before it is claimed
    (:func:`list_runs` never lists it; :func:`finish_run` renames it to the run's id)."""
    runs_dir = Path(runs_dir)
    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
        remove_abandoned_staging(runs_dir)
        staging = runs_dir / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        staging.mkdir()
    except OSError as err:  # a read-only or full disk: the runs folder named, not a temp name
        raise OSError(
            f"cannot write a run in {runs_dir}: {err.strerror or err} (choose a folder you can "
            "write with --runs-dir)"
        ) from None
    return staging


_STAGING = re.compile(r"^\.tmp-(\d+)-[0-9a-f]{12}$")


def remove_abandoned_staging(runs_dir: Path) -> list[Path]:
    """Remove the staging folders of runs whose process is gone (killed, out of memory): a
    streaming run stages the whole corpus there, which nothing else would ever clean up."""
    removed = []
    for child in runs_dir.iterdir():
        match = _STAGING.match(child.name)
        if match and child.is_dir() and not process_alive(int(match.group(1))):
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child)
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process of this id exists (another user's counts): a run's staging folder or
    an upload job is abandoned only when its process is gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def finish_run(
    staging: Path,
    runs_dir: str | Path,
    run_id: str,
    meta: dict[str, Any],
    config_toml: str,
    tables: Mapping[str, pd.DataFrame],
    on_claimed: Callable[[Path], None] | None = None,
) -> Path:
    """Write ``tables`` into ``staging`` beside those a streaming run already wrote there, check
    that every table is there with its columns, and claim the run's folder (atomically);
    ``on_claimed`` is told the folder before an interrupt can come between (see
    :func:`_claim`)."""
    import pyarrow.parquet as pq

    unknown = sorted(set(tables) - set(TABLES) - set(OPTIONAL_TABLES))
    if unknown:
        known = [*TABLES, *OPTIONAL_TABLES]
        raise ValueError(f"expected tables among {known}, got unknown {unknown}")
    for name in TABLES:
        if name in tables:
            absent = [c for c in TABLE_COLUMNS[name] if c not in tables[name].columns]
        elif (staging / f"{name}.parquet").is_file():
            names = set(pq.read_schema(staging / f"{name}.parquet").names)
            absent = [c for c in TABLE_COLUMNS[name] if c not in names]
        else:
            raise ValueError(f"expected table {name!r}, neither given nor in {staging}")
        if absent:
            raise ValueError(f"table {name!r} lacks columns {absent}")
    for name, table in tables.items():
        write_parquet(table, staging / f"{name}.parquet")
    (staging / "config.toml").write_text(config_toml, encoding="utf-8")
    return _claim(staging, Path(runs_dir), run_id, meta, on_claimed)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM held back until the block ends, then handled as they would have
    been: so that a run renamed into place is also known to be. Python's handlers run on the
    main thread whichever thread the signal reaches (a mask on one thread would not hold a
    signal another thread takes), so it is they that are swapped, there only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda signum, frame: pending.append(signum)) for s in held}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if pending:
            _deliver(pending[0], previous[pending[0]])


def _deliver(signum: int, handler: Any) -> None:
    """A signal held back, handled now as ``handler`` (the one it would have met) says."""
    if callable(handler):
        handler(signum, None)
    elif handler == signal.SIG_DFL:  # Python's own default for SIGINT is a callable
        signal.raise_signal(signum)


def _claim(
    staging: Path,
    runs_dir: Path,
    run_id: str,
    meta: dict[str, Any],
    on_claimed: Callable[[Path], None] | None = None,
) -> Path:
    """Rename ``staging`` to the run's folder; when another run took the id first (runs started
    in the same second), take ``<id>~2``, ``<id>~3`` ... so that finished work is never lost.
    ``on_claimed`` is told the folder with interrupts held, so that a Ctrl-C just after the
    rename cannot leave the caller saying that no run was written."""
    base, n = run_id, 1
    while True:
        full_meta = {"run_id": run_id, "format_version": RUN_FORMAT_VERSION, **meta}
        (staging / "run.json").write_text(
            json.dumps(full_meta, indent=2, default=str) + "\n", encoding="utf-8"
        )
        final = runs_dir / run_id
        if not final.exists():
            try:
                # A rename onto a folder with files fails, so two writers never share one.
                with _interrupts_held():
                    os.rename(staging, final)
                    if on_claimed is not None:
                        on_claimed(final)
                return final
            except OSError as err:
                if err.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
        n += 1
        run_id = f"{base}~{n}"


# run.json fields that lists of runs and every reader rely on, and the JSON types they hold.
META_TYPES: Mapping[str, tuple[type, ...]] = {
    "run_id": (str,),
    "created": (str,),
    "name": (str, type(None)),
    "counts": (dict,),
    "models": (dict,),
    "topics": (list,),
    "skipped": (list,),
}


def meta_problem(meta: Any) -> str | None:
    """What is wrong with a run's parsed run.json, in words; None when it is what runs write."""
    if not isinstance(meta, dict):
        return f"is not a JSON object (found {type(meta).__name__})"
    for key, kinds in META_TYPES.items():
        if key in meta and not isinstance(meta[key], kinds):
            expected = " or ".join("null" if k is type(None) else _JSON_TYPE[k] for k in kinds)
            return f"has {key} = {json.dumps(meta[key])[:60]}, expected {expected}"
    return None


_JSON_TYPE = {str: "a string", dict: "an object", list: "a list"}


def list_runs(
    runs_dir: str | Path, on_left_out: Callable[[Path, str], None] | None = None
) -> list[dict[str, Any]]:
    """Metadata of the complete runs in ``runs_dir``, newest first (``path`` added). A folder
    whose run.json cannot be read is left out: ``on_left_out(folder, why)`` hears of it, by
    default a warning."""
    runs_dir = Path(runs_dir)
    if not runs_dir.is_dir():
        return []
    found = []
    for child in runs_dir.iterdir():
        if child.name.startswith("."):
            continue
        if not (child / "run.json").is_file():
            if _holds_run_tables(child):  # a copy cut short: said, not passed over
                why = NO_RUN_JSON
                if on_left_out is None:
                    warnings.warn(f"left out {child}: it {why}", stacklevel=2)
                else:
                    on_left_out(child, f"it {why}")
            continue
        try:
            meta = json.loads((child / "run.json").read_text(encoding="utf-8"))
            problem = meta_problem(meta)
        except (OSError, json.JSONDecodeError) as err:
            problem = f"is unreadable ({err})"
        if problem:
            if on_left_out is None:
                warnings.warn(f"left out {child}: its run.json {problem}", stacklevel=2)
            else:
                on_left_out(child, f"its run.json {problem}")
            continue
        meta["path"] = str(child)
        found.append(meta)
    found.sort(key=lambda m: (str(m.get("created", "")), str(m.get("run_id", ""))), reverse=True)
    return found


NO_RUN_JSON = (
    "holds a run's tables but no run.json (copied in part? a run is written whole: copy the "
    "folder again from where it was made)"
)


def _holds_run_tables(folder: Path) -> bool:
    """Whether a folder without run.json holds tables of a run (a copy cut short)."""
    try:
        return folder.is_dir() and any((folder / f"{name}.parquet").is_file() for name in TABLES)
    except OSError:
        return False


# The files of a run folder that are the run's own: overwriting one damages the run.
RUN_FILE_NAMES: frozenset[str] = frozenset(
    {f"{t}.parquet" for t in (*TABLES, *OPTIONAL_TABLES)} | {"run.json", "config.toml"}
)


def read_gated_out(path: str | Path, columns: Sequence[str]) -> pd.DataFrame | None:
    """``columns`` of the run folder's ``gated_out`` table, or None where the run has none
    (made before it, or without a topic head) or it cannot be read (an optional table:
    ``viewpoints runs`` says when it is damaged)."""
    file = Path(path) / GATED_OUT_TABLE
    if not file.is_file():
        return None
    try:
        return pd.read_parquet(file, columns=list(columns))
    except (OSError, ValueError, KeyError):  # pyarrow's ArrowInvalid is a ValueError
        return None


def missing_files(path: Path) -> list[str]:
    """The files a run folder needs and lacks (a run is written whole: none, unless a folder
    was copied in part or edited by hand)."""
    missing = [f"{name}.parquet" for name in TABLES if not (path / f"{name}.parquet").is_file()]
    return missing + ([] if (path / "config.toml").is_file() else ["config.toml"])


# The columns no reader can do without, checked where a run is listed or opened: a table
# without them is another file, or one edited by hand (runs of every version have them: the
# TABLE_COLUMNS are those of the first run format).
ESSENTIAL_COLUMNS: Mapping[str, tuple[str, ...]] = {
    **TABLE_COLUMNS,
    "gated_out": ("passage_id", "topic"),
}


def damaged_files(path: Path, optional: bool = False) -> list[str]:
    """The tables of a run folder that are there but cannot be read as its tables, each with
    why ("positions.parquet (cannot be read: ...)"): a file copied in part, truncated, or
    replaced; with ``optional``, the optional tables too (which no reader needs: a damaged one
    is said where runs are listed, and read as absent). Only the files' footers are read, so
    listing runs stays quick."""
    import pyarrow.parquet as pq

    damaged = []
    for name in (*TABLES, *(OPTIONAL_TABLES if optional else ())):
        file = path / f"{name}.parquet"
        if not file.is_file():
            continue  # missing_files says so (an optional table may be absent)
        try:
            names = set(pq.read_schema(file).names)
        except (OSError, ValueError) as err:  # pyarrow's ArrowInvalid is a ValueError
            damaged.append(f"{file.name} (cannot be read: {' '.join(str(err).split())})")
            continue
        lacking = [c for c in ESSENTIAL_COLUMNS.get(name, ()) if c not in names]
        if lacking:
            damaged.append(f"{file.name} (no column {', '.join(lacking)})")
            continue
        if (wrong := _rows_unlike_recorded(path, name)) is not None:
            damaged.append(f"{file.name} ({wrong})")
    return damaged


# Tables whose rows run.json counts (``counts``), the same in a model's run and a run
# recomputed with corrections (which rewrites scores, so that count is the model's)
COUNTED_ROWS = {"passages": "passages", "positions": "positions"}


def _rows_unlike_recorded(path: Path, name: str) -> str | None:
    """How a table's rows differ from what run.json recorded (a file replaced by another, or
    by a valid but shorter one), or None (as recorded, or nothing recorded)."""
    import pyarrow.parquet as pq

    key = COUNTED_ROWS.get(name)
    if key is None:
        return None
    try:
        counts = json.loads((path / "run.json").read_text(encoding="utf-8")).get("counts")
        recorded = counts.get(key) if isinstance(counts, dict) else None
        found = pq.read_metadata(path / f"{name}.parquet").num_rows
    except (OSError, ValueError, AttributeError):  # run.json is judged where runs are listed
        return None
    if not isinstance(recorded, int) or recorded == found:
        return None
    return f"{found:,} rows where run.json records {recorded:,}: replaced or edited?"


def run_problems(path: Path) -> str | None:
    """Why a run folder cannot be opened (files missing or damaged), in words; None when whole."""
    missing, damaged = missing_files(path), damaged_files(path)
    parts = ([f"no {', '.join(missing)}"] if missing else []) + damaged
    return "; ".join(parts) or None


def resolve_run(spec: str, runs_dir: str | Path = "runs") -> Path:
    """A run id, a run folder path, a run's name (``--name``, where one run has it) or
    ``latest`` (the newest complete run) -> the run folder.

    A run id is a folder name in ``runs_dir`` or, for a folder copied or renamed there, the id
    its ``run.json`` records: the one ``viewpoints runs`` lists."""
    runs_dir = Path(runs_dir)
    if spec == "latest":
        runs = list_runs(runs_dir)
        if not runs:
            missing = "" if runs_dir.is_dir() else " (no such folder: check --runs-dir)"
            raise RunError(f"no runs in {runs_dir}{missing}: run `viewpoints analyze PATH` first")
        whole = [m for m in runs if not run_problems(Path(m["path"]))]
        if whole and whole[0] is not runs[0]:  # a folder copied in part, or edited by hand
            warnings.warn(
                f"the newest run, {runs[0].get('run_id')}, is incomplete or damaged "
                f"({run_problems(Path(runs[0]['path']))}): latest is {whole[0].get('run_id')}",
                stacklevel=2,
            )
        return Path((whole or runs)[0]["path"])
    as_path = Path(spec).expanduser()
    if (as_path / "run.json").is_file():
        return as_path
    if (runs_dir / spec / "run.json").is_file():
        return runs_dir / spec
    for folder in (as_path, runs_dir / spec):
        if spec and _holds_run_tables(folder):
            raise RunError(f"run folder {folder} {NO_RUN_JSON}")
    runs = list_runs(runs_dir)
    recorded = [Path(m["path"]) for m in runs if m.get("run_id") == spec]
    if len(recorded) == 1:
        return recorded[0]
    if recorded:
        folders = ", ".join(sorted(path.name for path in recorded))
        raise RunError(
            f"run {spec!r} is ambiguous: the folders {folders} in {runs_dir} all record it as "
            "their id; give a folder's path instead"
        )
    named = [m for m in runs if spec and m.get("name") == spec]
    if len(named) == 1:
        return Path(named[0]["path"])
    if named:
        ids = [str(m.get("run_id")) for m in named]
        if len(set(ids)) < len(ids):  # copies of one run: its id names them all too
            folders = ", ".join(Path(str(m["path"])).name for m in named)
            raise RunError(
                f"{len(named)} runs are named {spec!r}, copies of one run among them (folders "
                f"{folders} in {runs_dir}): give a folder's path"
            )
        raise RunError(
            f"{len(named)} runs are named {spec!r} ({', '.join(ids)}, newest first): give an id"
        )
    known = [
        f"{m.get('run_id')} ({m['name']})" if m.get("name") else str(m.get("run_id")) for m in runs
    ][:5]
    hint = f"; recent runs: {', '.join(known)}" if known else ""
    if as_path.is_dir() and (os.sep in spec or spec.startswith(".")):  # a path, not a name
        raise RunError(f"{spec} is a folder but not a run (it has no run.json){hint}")
    raise RunError(f"no run {spec!r} (looked for a folder, an id and a name in {runs_dir}){hint}")


def write_parquet(
    table: pd.DataFrame, where: Any, metadata: Mapping[bytes, bytes] | None = None
) -> None:
    """Write ``table`` as Parquet that plain pandas, pyarrow, polars and DuckDB all read.

    Arrow extension dtypes (the evidence lists) are written as ordinary Arrow lists without
    pandas' dtype note, which ``pd.read_parquet`` cannot parse back ("data type 'list<item:
    string>[pyarrow]' not understood").
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    extension = [c for c in table.columns if isinstance(table[c].dtype, pd.ArrowDtype)]
    plain = table.astype(dict.fromkeys(extension, object)) if extension else table
    arrow = pa.Table.from_pandas(plain, preserve_index=False)
    for column in extension:
        i = arrow.schema.get_field_index(column)
        wanted = table[column].dtype.pyarrow_dtype
        if arrow.schema.field(i).type != wanted:
            arrow = arrow.set_column(i, column, arrow.column(i).cast(wanted))
    if metadata:
        arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), **metadata})
    with naming_the_file(where):
        pq.write_table(arrow, where)


# errno values that mean the disk (or a quota, or a file size limit) has no room
NO_ROOM = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


@contextlib.contextmanager
def naming_the_file(where: Any) -> Iterator[None]:
    """An OSError while writing ``where`` (a path) re-raised naming the file, and saying where
    the disk has no room (pyarrow says "Error writing bytes to file" and names none)."""
    try:
        yield
    except OSError as err:
        if not isinstance(where, str | Path):
            raise
        room = (
            " (no room left: free some space, or write elsewhere)" if err.errno in NO_ROOM else ""
        )
        named = OSError(f"cannot write {where}: {err}{room}")
        named.errno = err.errno
        raise named from err


def write_parquet_batches(frames: Iterable[pd.DataFrame], where: Any, schema: Any) -> int:
    """Write ``frames`` one after another into one Parquet file of the Arrow ``schema`` (a
    table too large to hold at once, made in batches); returns the rows written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = 0
    with naming_the_file(where), pq.ParquetWriter(where, schema) as writer:
        for frame in frames:
            batch = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
            writer.write_table(batch.replace_schema_metadata(None))
            rows += len(frame)
    return rows


def load_table(path: str | Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """One table of the run folder ``path``, optionally only some columns.

    Read through pyarrow without the pandas metadata: list columns (evidence) then come back
    as plain Python lists whatever extension dtype wrote them.
    """
    import pyarrow.parquet as pq

    if name not in TABLES:
        raise ValueError(f"expected a table from {list(TABLES)}, got {name!r}")
    table = pq.read_table(Path(path) / f"{name}.parquet", columns=columns)
    frame = table.to_pandas(ignore_metadata=True)
    count = frame.get("n_articles_quoting") if name == "positions" else None
    if count is not None and count.dtype.kind == "f" and count.notna().all():
        frame["n_articles_quoting"] = count.astype("int64")  # runs of 2026-12-06/07 wrote floats
    return frame


def load_run(
    spec: str | Path,
    runs_dir: str | Path = "runs",
    columns: Mapping[str, Sequence[str]] | None = None,
) -> Run:
    """Read a run's metadata, config and tables; ``columns`` names the only columns to read of
    some tables (a whole-corpus run's passage and article texts are most of its size)."""
    path = resolve_run(str(spec), runs_dir)
    columns = columns or {}
    missing = missing_files(path)
    if missing:  # a folder edited by hand, or copied in part: say what is not there
        raise RunError(
            f"run {path} is incomplete: it has no {', '.join(missing)} (a run is written whole, "
            "so a file was removed or not copied)"
        )
    damaged = damaged_files(path)
    if damaged:
        raise RunError(
            f"run {path} is damaged: {'; '.join(damaged)} (copied in part or replaced: copy the "
            "run folder again, or analyze its articles again)"
        )
    try:
        meta = json.loads((path / "run.json").read_text(encoding="utf-8"))
        if problem := meta_problem(meta):
            raise RunError(f"run {path} is unreadable: its run.json {problem}")
        config = tomllib.loads((path / "config.toml").read_text(encoding="utf-8"))
        tables = {
            name: load_table(path, name, list(columns[name]) if name in columns else None)
            for name in TABLES
        }
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise RunError(f"run {path} is unreadable: {err}") from None
    except ValueError as err:  # JSON or Parquet (RunError is one too: passed on as it is)
        if isinstance(err, RunError):
            raise
        raise RunError(f"run {path} is unreadable: {err}") from None
    return Run(path=path, meta=meta, config=config, **tables)
