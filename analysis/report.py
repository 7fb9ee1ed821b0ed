"""Terminal rendering of a run's positions: one row per author (or article), a column per topic."""

from __future__ import annotations

import pandas as pd

from analysis.runs import Run


def _cell(row: pd.Series) -> str:
    if row["status"] == "unscored":
        return "no prediction"
    if row["status"] != "discussed":
        return "not discussed"
    stance = row["stance"]
    if row.get("stance_status") == "no_stance" or pd.isna(stance):
        shown = "S none"  # no stance expressed: no side taken
    else:
        shown = f"S {stance:+.2f}"
    quoted = row.get("quoted_stance")
    quoted = "" if quoted is None or pd.isna(quoted) else f" Q {quoted:+.2f}"
    tone = "" if pd.isna(row["tone"]) else f" T {row['tone']:+.2f}"
    return f"{shown}{quoted}{tone} n={int(row['n_passages'])}"


def topic_labels(run: Run) -> dict[str, str]:
    """Topic key -> its label, from the run's metadata (the key itself if absent)."""
    return {t["key"]: t.get("label", t["key"]) for t in run.meta.get("topics", [])}


def format_positions(run: Run, level: str = "author", width: int = 24) -> str:
    """Authors (or articles) x topics: stance (S) and tone (T) in [-1, 1] and passage counts."""
    table = run.positions[run.positions["level"] == level]
    labels = topic_labels(run)
    topics = list(dict.fromkeys(table["topic"]))
    key = "author" if level == "author" else "article_id"
    rows_out = []
    for unit, rows in table.groupby(key, sort=True):
        first = rows.iloc[0]
        name = str(unit) if level == "author" else str(first["title"])
        if level == "author" and first.get("group_kind") in ("outlet", "article"):
            name += " *"
        by_topic = {r["topic"]: r for _, r in rows.iterrows()}
        rows_out.append((name, [_cell(by_topic[t]) if t in by_topic else "" for t in topics]))
    cell = max([width, *(len(c) + 2 for _, cells in rows_out for c in cells)])
    header = f"{'author' if level == 'author' else 'article':<{width}}" + "".join(
        f"{labels.get(t, t)[: cell - 1]:<{cell}}" for t in topics
    )
    lines = [
        f"run {run.run_id}: stance S (the author's own words; 'none': no side taken), quoted "
        "voices Q, tone T, in [-1, 1]",
        header,
        "-" * len(header),
    ]
    for name, cells in rows_out:
        lines.append(f"{name[: width - 1]:<{width}}" + "".join(f"{c:<{cell}}" for c in cells))
    if level == "author" and (table["group_kind"] != "author").any():
        lines.append("* no author named: grouped under the outlet (or the article itself)")
    if table.empty:
        lines.append("(no positions)")
    return "\n".join(lines)
