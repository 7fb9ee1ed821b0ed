"""Export the current view: tables as CSV and JSON, charts as PNG, as download buttons.

The byte producers (:func:`table_csv`, :func:`table_json`, :func:`report_json`,
:func:`chart_png`) are plain functions, testable without Streamlit. The buttons hand Streamlit a
callable instead of the bytes, so a file is only produced when someone clicks (a PNG takes about
half a second, a CSV of a corpus-sized table a few hundred milliseconds): an ordinary rerun costs
nothing. PNG rendering uses ``vl-convert-python`` (what ``altair.Chart.save(format="png")``
calls); without it the PNG button is shown disabled with the install hint.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from analysis.export import csv_text, with_run_id
from analysis.jsonable import json_ready

CSV_MIME = "text/csv"
JSON_MIME = "application/json"
PNG_MIME = "image/png"
PNG_SCALE = 2.0  # pixels per chart unit: sharp on high-density screens and in slides
PNG_HINT = "PNG export needs vl-convert-python: pip install vl-convert-python"


class ExportError(RuntimeError):
    """An export that cannot be produced here; the message says how to fix it."""


def file_stem(*parts: Any) -> str:
    """A safe file name stem: ``viewpoints-<parts>`` with anything but letters and digits (of
    any script), ``.``, ``_`` and ``-`` as ``_``, so that run ids, topic keys and author names
    stay readable (``Иван Петров`` stays Cyrillic; the download sends it UTF-8 encoded)."""
    words = ["viewpoints", *(str(p) for p in parts if p is not None and str(p) != "")]
    stem = "-".join(re.sub(r"[^\w.-]+", "_", w).strip("_") for w in words)
    return stem[:150]


def _check_frame(frame: Any) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    return frame


def table_csv(frame: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV, as ``viewpoints export`` writes it (``csv_text``)."""
    return csv_text(_check_frame(frame)).encode("utf-8")


def table_json(frame: pd.DataFrame) -> bytes:
    """The table as a UTF-8 JSON list of records (column -> value), NaN as ``null``."""
    frame = _check_frame(frame)
    columns = [str(c) for c in frame.columns]
    records = [
        {c: json_ready(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]
    return (json.dumps(records, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def report_json(report: Mapping[str, Any]) -> bytes:
    """A JSON-ready dict (such as a run comparison) as UTF-8 JSON."""
    if not isinstance(report, Mapping):
        raise ValueError(f"expected a mapping, got {type(report).__name__}")
    return (json.dumps(json_ready(report), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def png_available() -> bool:
    """Whether charts can be rendered to PNG here (vl-convert-python is installed)."""
    return importlib.util.find_spec("vl_convert") is not None


def chart_png(chart: Any, scale: float = PNG_SCALE) -> bytes:
    """An Altair chart rendered to PNG bytes by vl-convert (offline; no browser needed)."""
    if not hasattr(chart, "save"):
        raise ValueError(f"expected an Altair chart, got {type(chart).__name__}")
    if not isinstance(scale, int | float) or isinstance(scale, bool) or scale <= 0:
        raise ValueError(f"expected scale > 0, got {scale!r}")
    if not png_available():
        raise ExportError(PNG_HINT)
    buffer = io.BytesIO()
    chart.save(buffer, format="png", scale_factor=scale)
    return buffer.getvalue()


def _with_run_ids(frame: pd.DataFrame, provenance: Mapping[str, Any]) -> pd.DataFrame:
    """The rows with the run id they come from (``run_a``/``run_b`` for two compared runs)."""
    if provenance.get("run_id"):
        return with_run_id(frame, str(provenance["run_id"]))
    compared = provenance.get("compared_runs")
    if not isinstance(compared, Mapping):
        return frame
    out = frame.drop(columns=[f"run_{k}" for k in compared], errors="ignore")
    for i, (key, run) in enumerate(compared.items()):
        out.insert(i, f"run_{key}", str(run.get("run_id")))
    return out


def _button(
    where: Any,
    label: str,
    make: Callable[[], bytes],
    file_name: str,
    mime: str,
    key: str,
    help_text: str,
) -> None:
    where.download_button(
        label,
        data=make,
        file_name=file_name,
        mime=mime,
        key=key,
        help=help_text,
        on_click="ignore",
        icon=":material/download:",
    )


def download_buttons(
    stem: str,
    *,
    key: str,
    table: pd.DataFrame | None = None,
    chart: Any = None,
    report: Mapping[str, Any] | None = None,
    what: str = "this table",
    where: Any = st,
    provenance: Mapping[str, Any] | None = None,
) -> None:
    """One row of download buttons: CSV and JSON of ``table``, PNG of ``chart``, and the whole
    ``report`` as JSON, each given. With ``provenance`` (a run's, see
    :mod:`analysis.provenance`) every table row carries the run id and a provenance JSON file
    is offered beside them. Files are made when a button is clicked. Button keys are
    ``<key>_csv``, ``<key>_json``, ``<key>_png``, ``<key>_report`` and ``<key>_provenance``."""
    if table is None and chart is None and report is None:
        raise ValueError("expected a table, a chart or a report to download, got none")
    row = where.container(horizontal=True, gap="small")
    if table is not None:
        frame = _check_frame(table)
        frame = _with_run_ids(frame, provenance or {})
        rows = f"{len(frame):,} rows"
        _button(
            row,
            "CSV",
            lambda: table_csv(frame),
            f"{stem}.csv",
            CSV_MIME,
            f"{key}_csv",
            f"Download {what} as CSV ({rows})",
        )
        _button(
            row,
            "JSON",
            lambda: table_json(frame),
            f"{stem}.json",
            JSON_MIME,
            f"{key}_json",
            f"Download {what} as JSON records ({rows})",
        )
    if chart is not None:
        if png_available():
            _button(
                row,
                "PNG",
                lambda: chart_png(chart),
                f"{stem}.png",
                PNG_MIME,
                f"{key}_png",
                "Download the chart as a PNG image",
            )
        else:
            row.download_button(
                "PNG", b"", file_name=f"{stem}.png", key=f"{key}_png", disabled=True, help=PNG_HINT
            )
    if provenance:
        _button(
            row,
            "Provenance",
            lambda: report_json({**provenance, "download": {"what": what, "file": stem}}),
            f"{stem}.provenance.json",
            JSON_MIME,
            f"{key}_provenance",
            "Where these numbers come from: run id, models and their hashes, topics and "
            "their hash, the command that made the run, and the view (filters, units, "
            "topics) where the page records it",
        )
    if report is not None:
        _button(
            row,
            "Full report (JSON)",
            lambda: report_json(report),
            f"{stem}-report.json",
            JSON_MIME,
            f"{key}_report",
            "Download the whole comparison (every number on this page and more) as JSON",
        )
