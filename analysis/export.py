"""A run's tables out as JSONL, JSON, CSV or Parquet, to a file or stdout.

Every exported row carries the run id (first column). The provenance (models and their hashes,
the topics and their hash, the commands that made the run and the export) goes into Parquet's
schema metadata (key ``viewpoints.provenance``) and, for a CSV, JSON or JSONL file, into a
sidecar ``<file>.provenance.json``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.jsonable import json_ready
from analysis.periods import Period
from analysis.provenance import PARQUET_KEY, export_provenance
from analysis.runs import Run, write_parquet

WHAT = ("positions", "passages", "articles")
FORMATS = ("jsonl", "json", "csv", "parquet")


def table_for(
    run: Run, what: str, outlets: bool = False, period: Period | None = None
) -> pd.DataFrame:
    """The exported table: positions as stored (or, with ``outlets``, each outlet's over all
    its articles: :mod:`analysis.outlets`; over ``period``, the articles' in it and the authors'
    or outlets' made again over them: :mod:`analysis.periods`); passages as scored topic
    passages with their text and article metadata (one row per passage and topic); articles
    with their metadata."""
    if what not in WHAT:
        raise ValueError(f"expected --what one of {', '.join(WHAT)}, got {what!r}")
    if (outlets or period is not None) and what != "positions":
        raise ValueError(f"--outlets, --from, --to: only with --what positions, got {what}")
    if period is not None:
        from analysis.periods import positions_within

        levels = ["outlet"] if outlets else ["article", "author"]
        table = pd.concat([positions_within(run, level, period) for level in levels])
        return with_topic_labels(table.reset_index(drop=True), run)
    if outlets:
        from analysis.outlets import run_outlet_positions

        return with_topic_labels(run_outlet_positions(run), run)
    if what == "positions":
        return with_topic_labels(run.positions, run)
    if what == "articles":
        return run.articles
    meta = run.articles[["article_id", "title", "author", "outlet", "date", "group"]]
    text = run.passages[["passage_id", "index", "start", "end", "text"]]
    scored = run.scores.merge(text, on="passage_id", how="left").merge(
        meta, on="article_id", how="left"
    )
    return with_topic_labels(scored, run)


def with_topic_labels(table: pd.DataFrame, run: Run) -> pd.DataFrame:
    """``table`` with a ``topic_label`` column after ``topic``: the name the pages show."""
    return labelled_topics(table, run.info.topic_labels())


def labelled_topics(table: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """``table`` with a ``topic_label`` column after ``topic`` (key -> label: ``labels``), as
    exports and the dashboard's downloads write it."""
    if "topic" not in table.columns or "topic_label" in table.columns:
        return table
    out = table.copy()
    out.insert(
        out.columns.get_loc("topic") + 1,
        "topic_label",
        [labels.get(str(t), str(t)) for t in out["topic"]],
    )
    return out


def with_run_id(table: pd.DataFrame, run_id: str) -> pd.DataFrame:
    """``table`` with the run id as its first column."""
    out = table.drop(columns=["run_id"], errors="ignore")
    out.insert(0, "run_id", run_id)
    return out


# File name endings that name an export format.
EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".parquet": "parquet",
}


def resolve_format(fmt: str | None, out: str | Path | None) -> str:
    """The export format: ``fmt`` when given, else the one ``out``'s ending names, else JSONL
    (no ``out``, or one without an ending). A ``fmt`` that contradicts the ending is refused,
    so that ``x.parquet`` never holds JSONL, and so is an ending that names no format
    without a ``fmt`` (``x.xlsx`` would hold JSON Lines)."""
    suffix = Path(out).suffix.lower() if out is not None else ""
    named = EXTENSIONS.get(suffix)
    if fmt is None:
        if suffix and named is None:
            raise ValueError(
                f"--out {out}: no export format ends in {suffix!r}; expected one of "
                f"{', '.join(EXTENSIONS)} (or name the format with --format)"
            )
        return named or "jsonl"
    if fmt not in FORMATS:
        raise ValueError(f"expected --format one of {', '.join(FORMATS)}, got {fmt!r}")
    if named is not None and named != fmt:
        raise ValueError(
            f"--out {out} names the {named} format but --format is {fmt}; "
            "expected the two to agree (or leave out --format)"
        )
    return fmt


def sidecar_path(out: str | Path) -> Path:
    return Path(f"{out}.provenance.json")


def export_table(
    run: Run,
    what: str,
    fmt: str,
    out: str | Path | None = None,
    outlets: bool = False,
    period: Period | None = None,
) -> int:
    """Write ``what`` of ``run`` in ``fmt`` to ``out`` (stdout when None), with the run id on
    every row and the provenance in the Parquet metadata or a sidecar file; the number of rows
    written. A file and its sidecar appear together or not at all (written aside, then moved
    into place)."""
    if fmt not in FORMATS:
        raise ValueError(f"expected --format one of {', '.join(FORMATS)}, got {fmt!r}")
    table = with_run_id(table_for(run, what, outlets, period), run.run_id)
    shown = "outlet positions" if outlets else what
    if period is not None:
        from analysis.periods import period_note

        shown += f": {period_note(period)}"
    provenance = export_provenance(run.meta, run.config, shown, fmt, len(table))
    if fmt == "parquet":
        metadata = {PARQUET_KEY: json.dumps(provenance, default=str).encode("utf-8")}
        buffer = io.BytesIO()
        write_parquet(table, buffer, metadata)
        if out is None:
            sys.stdout.buffer.write(buffer.getvalue())
            sys.stdout.flush()
        else:
            publish([(Path(out), buffer.getvalue())])
        return len(table)
    if fmt == "csv":
        text = csv_text(table)
    else:
        records = [{k: json_ready(v) for k, v in r.items()} for r in table.to_dict("records")]
        if fmt == "json":  # one array, for tools that read a JSON document rather than lines
            text = json.dumps(records, ensure_ascii=False, indent=1) + "\n"
        else:
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return len(table)
    sidecar = json.dumps(provenance, indent=1, default=str) + "\n"
    publish([(Path(out), text.encode("utf-8")), (sidecar_path(out), sidecar.encode("utf-8"))])
    return len(table)


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's list); article
# text, titles and author names come from the corpus, so such a cell is written with a leading
# apostrophe: it opens as text, never as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# The pages' own cells that open with a sign, kept as they are: a signed value, then its
# interval, "(one passage)" and words ("+0.12 [+0.02, +0.22] mixed, leaning favor"); nothing in
# them can compute, call a function or reach another program.
_NUMBER = r"[+\-\u2212]?\d+(?:\.\d+)?"
_OWN_CELL = re.compile(
    rf"[+-]\d+(?:\.\d+)?(?: \[{_NUMBER}, {_NUMBER}\])?(?: \(one passage\))?(?: [a-z][a-z ,]*)?"
)


def spreadsheet_safe(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, made plain text; others, and the
    pages' own signed values with their intervals and words, as given."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _OWN_CELL.fullmatch(value):
        return value
    return "'" + value


def _csv_cell(value: object) -> object:
    """List cells (evidence ids) as ``a b c``; text cells spreadsheet-safe."""
    if isinstance(value, list | tuple | np.ndarray):
        value = " ".join(map(str, json_ready(value) or []))
    return spreadsheet_safe(value)


def csv_text(table: pd.DataFrame) -> str:
    """The table as CSV (header row, no index, missing values empty), as both ``viewpoints
    export`` and the dashboard's download buttons write it."""
    flat = table.copy()
    for column in flat.columns:
        dtype = flat[column].dtype
        # Arrow-backed list columns (the outlets' evidence) read as lists too, not as their
        # printed form ("['a' 'b'\n 'c']")
        if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype | pd.ArrowDtype):
            flat[column] = flat[column].astype(object).map(_csv_cell)
    return flat.to_csv(index=False)


def publish(files: list[tuple[Path, bytes]]) -> None:
    """Write each (path, bytes) beside its path first, then move them all into place: a
    failed write (a full disk, a read-only folder) leaves neither a part nor a stray sidecar.
    An existing file is replaced; a symbolic link is written through (its target replaced)."""
    written: list[tuple[Path, Path]] = []
    try:
        for asked, data in files:
            path = asked.resolve() if asked.is_symlink() else asked  # written through a link
            aside = path.with_name(f".{path.name}.{os.getpid()}.part")
            written.append((aside, path))
            try:
                aside.write_bytes(data)
            except OSError as err:  # name the file asked for, not the part written first
                raise OSError(f"cannot write {asked}: {err.strerror or err}") from None
        for aside, path in written:
            os.replace(aside, path)
    finally:
        for aside, _ in written:
            # a read-only file system refuses even a missing name's removal
            with contextlib.suppress(OSError):
                aside.unlink(missing_ok=True)
