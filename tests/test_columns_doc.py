"""docs/columns.md lists every column of a run's tables and exports, in the written order."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.export import table_for, with_run_id
from analysis.runs import ALL_COLUMNS, GATED_OUT_COLUMNS, load_run, write_run

DOC = Path(__file__).resolve().parents[1] / "docs" / "columns.md"


def _documented() -> dict[str, list[str]]:
    """Table name -> the column names in its section's table, in order."""
    tables: dict[str, list[str]] = {}
    current = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"## `(\w+)`", line)
        if heading:
            current = tables.setdefault(heading.group(1), [])
        elif line.startswith("## "):
            current = None
        elif current is not None and (cell := re.match(r"\| `(\w+)` \|", line)):
            current.append(cell.group(1))
    return tables


def _exports() -> dict[str, list[str]]:
    """Export kind -> its columns, as the doc's bullet list spells them."""
    text = DOC.read_text(encoding="utf-8").split("## What `viewpoints export` writes")[1]
    documented = _documented()
    out = {}
    for what in ("articles", "positions", "passages"):
        item = re.search(rf"- `--what {what}`.*?(?=\n- |\Z)", text, re.S).group(0)
        columns = ["run_id"]
        if what == "passages":
            columns += documented["scores"]
            columns += ["index", "start", "end", "text", "title", "author", "outlet", "date"]
            columns += ["group"]
            assert all(f"`{c}`" in item for c in columns[len(documented["scores"]) + 1 :])
        else:
            columns += documented[what]
        if "topic" in columns:
            columns.insert(columns.index("topic") + 1, "topic_label")
        out[what] = columns
    return out


def test_every_table_is_documented_column_for_column():
    documented = _documented()
    assert documented.pop("gated_out") == list(GATED_OUT_COLUMNS)
    assert documented == {name: list(columns) for name, columns in ALL_COLUMNS.items()}


def test_the_exports_have_the_documented_columns(tmp_path):
    tables = {name: pd.DataFrame({c: [] for c in cols}) for name, cols in ALL_COLUMNS.items()}
    tables["articles"] = pd.DataFrame([{c: None for c in ALL_COLUMNS["articles"]}])
    run = load_run(write_run(tmp_path, "r1", {"created": "2026-01-01"}, "", tables))
    for what, columns in _exports().items():
        assert list(with_run_id(table_for(run, what), "r1").columns) == columns, what
