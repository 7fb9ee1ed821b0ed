"""A run's positions as data: the evidence passages behind each cell, looked up once
(:class:`EvidenceLookup`), and everything ``viewpoints show --json`` prints. The terminal table
of the same content is :func:`analysis.terminal.format_positions`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd

from analysis.jsonable import json_ready
from analysis.news_accuracy import accuracy_for_run, run_settings, trust_record
from analysis.quoted_voice import fill_quoted_readings, with_speaker_columns
from analysis.runs import Run


class EvidenceLookup:
    """Passage texts and per-topic scores indexed once, for the evidence of many cells."""

    def __init__(self, run: Run) -> None:
        self.texts = run.passages.set_index("passage_id")["text"]
        self.articles = run.passages.set_index("passage_id")["article_id"]
        # the article's title beside its passage: "Transcript: ...", "REP. X: ..." say whose
        self.titles = run.articles.drop_duplicates("article_id").set_index("article_id")["title"]
        columns = ["stance", "tone", "speaker_stance"]
        # a quote's quoted-voice stance as the positions read it (analysis.quoted_voice)
        scores = fill_quoted_readings(with_speaker_columns(run.scores))
        # a run recomputed with corrections: the tasks whose numbers are the analyst's labels
        columns += ["corrected"] if "corrected" in scores.columns else []
        self.scores = scores.set_index(["passage_id", "topic"])[columns]

    def top(self, row: pd.Series, top: int, column: str = "evidence") -> list[dict[str, Any]]:
        """The cell's first ``top`` evidence passages (strongest first) with their scores:
        the author's own (``evidence``), or the quotes behind the quoted voices' stance
        (``quoted_evidence``: their ``stance`` is the quoted voice's)."""
        evidence = row.get(column)
        ids = [str(i) for i in list(evidence if evidence is not None else [])]
        quoted = column == "quoted_evidence"
        out = []
        for pid in ids[: max(top, 0)]:
            if pid not in self.texts.index:
                continue
            key = (pid, row["topic"])
            score = self.scores.loc[key] if key in self.scores.index else None
            stance = None if score is None else score["speaker_stance" if quoted else "stance"]
            article = self.articles[pid]
            title = self.titles.get(article) if article in self.titles.index else None
            out.append(
                {
                    "passage_id": pid,
                    "title": None if title is None or title != title else str(title),
                    "text": str(self.texts[pid]),
                    "stance": None if stance is None else json_ready(stance),
                    "tone": None if score is None else json_ready(score["tone"]),
                    "corrected": _corrected(score),
                }
            )
        return out


def _corrected(score: pd.Series | None) -> str | None:
    """The tasks a score row carries the analyst's labels for ("stance,tone"), else None."""
    value = None if score is None else score.get("corrected")
    return str(value) if isinstance(value, str) and value else None


def positions_json(run: Run, level: str = "author", evidence: int = 0) -> dict[str, Any]:
    """The same content as :func:`format_positions`, as one JSON-ready object."""
    table = run.positions[run.positions["level"] == level]
    shown = set(table["topic"])
    lookup = EvidenceLookup(run) if evidence else None
    rows = []
    for _, row in table.iterrows():
        record = {k: json_ready(v) for k, v in row.items()}
        if evidence and row["status"] == "discussed":
            record["evidence_passages"] = lookup.top(row, evidence)
            record["quoted_evidence_passages"] = lookup.top(row, evidence, "quoted_evidence")
        rows.append(record)
    return {
        "run_id": run.run_id,
        "level": level,
        # the run's topics, or those a selection kept (`show --topic`)
        "topics": {k: v for k, v in run.info.topic_labels().items() if k in shown}
        if len(table)
        else run.info.topic_labels(),
        # what a positive stance means on each topic: favoring its target (None: not recorded)
        "targets": {t.key: t.target for t in run.info.topics if t.key in shown or not len(table)},
        "positions": rows,
        # how the positions' intervals were made (analysis.intervals)
        "interval_method": run.info.interval_method,
        # how far the stance model's numbers held on labelled news; None: not measured
        "news_accuracy": _news_accuracy(run),
        # what that trust rests on: the topics those figures do not cover (of those shown),
        # those the topic head did not judge, a model that said the same of every passage
        **trust_record(
            run.meta,
            [t for t in run.info.topics if t.key in shown or not len(table)],
            run_settings(run.info),
        ),
    }


def _news_accuracy(run: Run) -> dict[str, Any] | None:
    accuracy = accuracy_for_run(run.meta.get("models"))
    return None if accuracy is None else asdict(accuracy)
