"""Positions over the articles of a date range: what an analyst who picks dates reads.

A run stores each author's positions over all of the author's articles. An analyst who narrows
the dates asks how authors and outlets wrote in that period, so these positions are made again
from the run's tables over the articles the range keeps, with the run's own aggregation
settings and writers' lists (about a second for a whole-corpus run): the same statistics,
intervals and evidence as the stored ones, which they equal when the range keeps everything
(for a run made before small-sample intervals or today's byline rules, the period's are made
the current way).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.aggregate import position_batches, unusable_scores
from analysis.outlets import run_outlet_positions, run_settings, run_tables
from analysis.runs import Run

LEVELS = ("author", "outlet")


@dataclass(frozen=True)
class Period:
    """The days ``first`` to ``last`` (both included), and whether undated articles count."""

    first: dt.date
    last: dt.date
    undated: bool = True

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"expected the first day before the last, got {self}")

    def keeps(self, dates: pd.Series) -> np.ndarray:
        """Which of the articles' ``dates`` (ISO strings or None) fall in the period."""
        days = article_days(dates)
        within = days.between(pd.Timestamp(self.first), pd.Timestamp(self.last))
        return (within | (days.isna() & self.undated)).to_numpy()

    def words(self) -> str:
        """The period in words, for captions and file notes."""
        undated = "undated articles included" if self.undated else "undated articles left out"
        return f"{self.first.isoformat()} to {self.last.isoformat()}, {undated}"


def article_days(dates: pd.Series) -> pd.Series:
    """Articles' ``date`` strings as days (NaT where none or not ISO), read as the dashboard
    reads them: ISO 8601 with or without a time zone, whatever the mix."""
    days = pd.to_datetime(pd.Series(dates), errors="coerce", utc=True, format="ISO8601")
    return days.dt.tz_localize(None).dt.normalize()


def period_positions(run: Run, level: str, period: Period) -> pd.DataFrame:
    """Positions at ``level`` ("author" or "outlet") over the articles ``period`` keeps, evidence
    lists included, made as the run made its own (see the module docstring)."""
    if level not in LEVELS:
        raise ValueError(f"expected level one of {', '.join(LEVELS)}, got {level!r}")
    articles = run.articles[period.keeps(run.articles["date"])]
    if level == "outlet":
        return run_outlet_positions(run, articles)
    agg = run_settings(run, "positions over a period")
    articles, passages, scores = run_tables(run, articles)
    failed = unusable_scores(scores, agg.include_reported)
    *_, authors = position_batches(
        articles,
        passages,
        scores[~failed],
        run.info.topic_keys(),
        agg,
        scores[failed],
        known_rosters=run.info.known_rosters,
    )
    return authors.reset_index(drop=True)


def period_from_days(first: str | None, last: str | None) -> Period | None:
    """The period a command's ``--from``/``--to`` give (YYYY-MM-DD, either open), or None when
    neither is given; undated articles are in no period. Raises ValueError naming the bad one."""
    if first is None and last is None:
        return None
    days = []
    for flag, value, open_end in (("--from", first, dt.date.min), ("--to", last, dt.date.max)):
        if value is None:
            days.append(open_end)
            continue
        try:
            days.append(dt.date.fromisoformat(value))
        except ValueError:
            raise ValueError(f"expected {flag} as a day YYYY-MM-DD, got {value!r}") from None
    if days[1] < days[0]:
        raise ValueError(f"expected --from on or before --to, got {first} and {last}")
    return Period(days[0], days[1], undated=False)


def positions_within(run: Run, level: str, period: Period) -> pd.DataFrame:
    """The run's positions at ``level`` over ``period``: authors' and outlets' made again over
    their dated articles in it (:func:`period_positions`), articles' as stored, those in it."""
    if level in LEVELS:
        return period_positions(run, level, period)
    kept = set(run.articles["article_id"][period.keeps(run.articles["date"])].astype(str))
    table = run.positions
    return table[(table["level"] == level) & table["article_id"].astype(str).isin(kept)]


def period_note(period: Period) -> str:
    """How a command's output over ``period`` was made, in one line."""
    first = "" if period.first == dt.date.min else period.first.isoformat()
    last = "" if period.last == dt.date.max else period.last.isoformat()
    span = f"from {first} " if first else ""
    span += f"to {last}" if last else ""
    return (
        f"positions over the dated articles {span.strip()} (authors' and outlets' made again "
        "over them; undated articles left out)"
    )


def yearly_positions(run: Run, level: str) -> pd.DataFrame:
    """Positions at ``level`` ("author" or "outlet") per calendar year, each made over the
    year's dated articles (:func:`period_positions`), with a ``year`` column: how an author or
    outlet wrote year by year, with intervals, where one point per article says little alone.
    Undated articles are in no year."""
    days = article_days(run.articles["date"])
    years = sorted({int(day.year) for day in days.dropna()})
    parts = [
        period_positions(run, level, Period(dt.date(y, 1, 1), dt.date(y, 12, 31), False)).assign(
            year=y
        )
        for y in years
    ]
    if not parts:
        return period_positions(run, level, Period(dt.date.min, dt.date.min, False)).assign(
            year=pd.Series(dtype=int)
        )
    return pd.concat(parts, ignore_index=True)
