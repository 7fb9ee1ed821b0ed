"""Terminal rendering of a run's positions: one row per author (or article), a column per topic,
with intervals, and on request the evidence passages behind each cell (or all of it as JSON)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from analysis.jsonable import json_ready
from analysis.runs import Run

EVIDENCE_CHARS = 160


def signed(value: Any, digits: int = 2) -> str:
    """``+0.31`` / ``-0.12``; a value that rounds to zero is ``+0.00`` (never ``-0.00``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "-"
    rounded = round(float(value), digits)
    return f"{rounded + 0.0:+.{digits}f}"  # + 0.0 turns -0.0 into 0.0


def _interval(row: pd.Series, low: str, high: str) -> str:
    lo, hi = row.get(low), row.get(high)
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return ""
    return f" [{signed(lo)}, {signed(hi)}]"


def _cell(row: pd.Series) -> str:
    if row["status"] == "unscored":
        return "no prediction"
    if row["status"] != "discussed":
        return "not discussed"
    stance = row["stance"]
    if row.get("stance_status") == "no_stance" or pd.isna(stance):
        shown = "S none"  # no stance expressed: no side taken
    else:
        shown = f"S {signed(stance)}{_interval(row, 'stance_low', 'stance_high')}"
    quoted = row.get("quoted_stance")
    quoted = "" if quoted is None or pd.isna(quoted) else f" Q {signed(quoted)}"
    tone = row["tone"]
    tone = "" if pd.isna(tone) else f" T {signed(tone)}{_interval(row, 'tone_low', 'tone_high')}"
    return f"{shown}{quoted}{tone} n={int(row['n_passages'])}"


def _units(run: Run, level: str) -> list[tuple[str, pd.DataFrame]]:
    """(display name, that unit's rows) in name order."""
    table = run.positions[run.positions["level"] == level]
    key = "author" if level == "author" else "article_id"
    out = []
    for unit, rows in table.groupby(key, sort=True):
        first = rows.iloc[0]
        name = str(unit) if level == "author" else str(first["title"])
        if level == "author" and first.get("group_kind") in ("outlet", "article"):
            name += " *"
        out.append((name, rows))
    return out


class EvidenceLookup:
    """Passage texts and per-topic scores indexed once, for the evidence of many cells."""

    def __init__(self, run: Run) -> None:
        self.texts = run.passages.set_index("passage_id")["text"]
        self.scores = run.scores.set_index(["passage_id", "topic"])[["stance", "tone"]]

    def top(self, row: pd.Series, top: int) -> list[dict[str, Any]]:
        """The cell's first ``top`` evidence passages (strongest first) with their scores."""
        evidence = row.get("evidence")
        ids = [str(i) for i in list(evidence if evidence is not None else [])]
        out = []
        for pid in ids[: max(top, 0)]:
            if pid not in self.texts.index:
                continue
            key = (pid, row["topic"])
            score = self.scores.loc[key] if key in self.scores.index else None
            out.append(
                {
                    "passage_id": pid,
                    "text": str(self.texts[pid]),
                    "stance": None if score is None else json_ready(score["stance"]),
                    "tone": None if score is None else json_ready(score["tone"]),
                }
            )
        return out


def format_positions(run: Run, level: str = "author", evidence: int = 0) -> str:
    """Authors (or articles) x topics: stance (S) with its 95% interval, quoted voices (Q) and
    tone (T) in [-1, 1] and passage counts; with ``evidence`` > 0 the top passages of each
    discussed cell under its row. Names are never cut."""
    labels = run.info.topic_labels()
    units = _units(run, level)
    table = run.positions[run.positions["level"] == level]
    topics = list(dict.fromkeys(table["topic"]))
    cells = [(name, rows, {r["topic"]: r for _, r in rows.iterrows()}) for name, rows in units]
    texts = [[_cell(by[t]) if t in by else "" for t in topics] for _, _, by in cells]
    lookup = EvidenceLookup(run) if evidence else None
    width = max([len("author"), *(len(name) for name, _, _ in cells)]) + 2
    cell = max([24, *(len(c) + 2 for row in texts for c in row)])
    header = f"{'author' if level == 'author' else 'article':<{width}}" + "".join(
        f"{labels.get(t, t)[: cell - 1]:<{cell}}" for t in topics
    )
    lines = [
        f"run {run.run_id}: stance S (the author's own words; 'none': no side taken) with its "
        "95% interval, quoted voices Q, tone T, in [-1, 1]",
        header,
        "-" * len(header),
    ]
    for (name, _, by_topic), row_texts in zip(cells, texts, strict=True):
        lines.append(f"{name:<{width}}" + "".join(f"{c:<{cell}}" for c in row_texts))
        for topic in topics if evidence else ():
            row = by_topic.get(topic)
            if row is None or row["status"] != "discussed":
                continue
            for item in lookup.top(row, evidence):
                text = " ".join(item["text"].split())
                if len(text) > EVIDENCE_CHARS:
                    text = text[: EVIDENCE_CHARS - 1] + "…"
                lines.append(
                    f"    {labels.get(topic, topic)}: S {signed(item['stance'])} "
                    f"T {signed(item['tone'])}  {text}  [{item['passage_id']}]"
                )
    if level == "author" and (table["group_kind"] != "author").any():
        lines.append("* no author named: grouped under the outlet (or the article itself)")
    if table.empty:
        lines.append("(no positions)")
    return "\n".join(lines)


def positions_json(run: Run, level: str = "author", evidence: int = 0) -> dict[str, Any]:
    """The same content as :func:`format_positions`, as one JSON-ready object."""
    table = run.positions[run.positions["level"] == level]
    lookup = EvidenceLookup(run) if evidence else None
    rows = []
    for _, row in table.iterrows():
        record = {k: json_ready(v) for k, v in row.items()}
        if evidence and row["status"] == "discussed":
            record["evidence_passages"] = lookup.top(row, evidence)
        rows.append(record)
    return {
        "run_id": run.run_id,
        "level": level,
        "topics": run.info.topic_labels(),
        "positions": rows,
    }
