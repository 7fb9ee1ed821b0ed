"""Positions over a date range: the run's own rules over the articles the range keeps."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis.aggregate import positions
from analysis.periods import Period, period_positions
from analysis.runs import load_run, write_run
from tests.test_aggregate import TOPICS, article, score, tables

D = dt.date


def _run(tmp_path):
    arts, passages, scores = tables(
        [
            article("a1", "Ann Lee", date="2018-01-10"),
            article("a2", "Ann Lee", date="2019-05-01"),
            article("a3", "Bob Roe", date="2019-06-01"),
            article("a4", "Ann Lee", date=None),
        ],
        [
            score("a1:0", "sanctions", 0.9, 0.8, -0.5),
            score("a1:1", "sanctions", 0.8, 0.6, -0.4),
            score("a2:0", "sanctions", 0.9, -0.7, 0.2),
            score("a2:1", "sanctions", 0.7, -0.5, 0.1),
            score("a3:0", "sanctions", 0.9, 0.3, 0.0),
            score("a4:0", "sanctions", 0.9, 0.5, 0.0),
        ],
    )
    stored = positions(arts, passages, scores, TOPICS)
    meta = {"created": "2026-01-01", "seed": 0, "topics": [{"key": t} for t in TOPICS]}
    tabs = {"articles": arts, "passages": passages, "scores": scores, "positions": stored}
    config = '[topics]\nfile = ""\n[aggregate]\nseed = 0\n'
    return load_run(write_run(tmp_path, "r1", meta, config, tabs))


def _row(table: pd.DataFrame, unit: str, topic: str = "sanctions") -> pd.Series:
    rows = table[(table["author"] == unit) & (table["topic"] == topic)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_a_range_that_keeps_every_article_gives_the_stored_author_positions(tmp_path):
    run = _run(tmp_path)
    whole = period_positions(run, "author", Period(D(2000, 1, 1), D(2030, 1, 1), undated=True))
    stored = run.positions[run.positions["level"] == "author"].reset_index(drop=True)
    numbers = ["stance", "stance_low", "stance_high", "tone", "tone_low", "tone_high"]
    numbers += ["n_articles", "n_passages", "coverage", "stance_mass"]
    for column in ["author", "topic", "status", *numbers]:
        pd.testing.assert_series_equal(whole[column], stored[column], check_dtype=False)
    assert [list(e) for e in whole["evidence"]] == [list(e) for e in stored["evidence"]]


def test_a_range_counts_only_its_articles_and_undated_ones_when_asked(tmp_path):
    run = _run(tmp_path)
    early = period_positions(run, "author", Period(D(2018, 1, 1), D(2018, 12, 31), undated=False))
    ann = _row(early, "Ann Lee")
    assert ann["n_articles"] == 1 and ann["stance"] > 0  # her 2018 piece favors, 2019 opposes
    assert "Bob Roe" not in set(early["author"])  # no article in the range
    late = period_positions(run, "author", Period(D(2019, 1, 1), D(2019, 12, 31), undated=False))
    assert _row(late, "Ann Lee")["stance"] < 0
    with_undated = period_positions(run, "author", Period(D(2019, 1, 1), D(2019, 12, 31)))
    assert _row(with_undated, "Ann Lee")["n_articles"] == 2
    outlets = period_positions(run, "outlet", Period(D(2019, 1, 1), D(2019, 12, 31), False))
    assert _row(outlets, "Outlet")["n_articles"] == 2  # a2 and a3, whoever signed them


def test_a_period_checks_its_days_and_level():
    with pytest.raises(ValueError, match="first day before the last"):
        Period(D(2019, 1, 2), D(2019, 1, 1))
    keeps = Period(D(2019, 1, 1), D(2019, 1, 31), undated=False).keeps(
        pd.Series(["2019-01-31", "2019-02-01", None, "not a day"])
    )
    assert keeps.tolist() == [True, False, False, False]
    assert Period(D(2019, 1, 1), D(2019, 1, 31)).words() == (
        "2019-01-01 to 2019-01-31, undated articles included"
    )


def test_a_commands_from_and_to_make_an_open_or_closed_period():
    from analysis.periods import period_from_days, period_note

    assert period_from_days(None, None) is None
    late = period_from_days("2019-01-01", None)
    assert late.first == D(2019, 1, 1) and late.last == D.max and not late.undated
    assert period_note(late).startswith("positions over the dated articles from 2019-01-01 (")
    early = period_from_days(None, "2018-12-31")
    assert period_note(early).startswith("positions over the dated articles to 2018-12-31 (")
    dates = pd.Series(["2019-05-01", "2018-01-01", None])
    assert late.keeps(dates).tolist() == [True, False, False]  # open ends read as open
    assert early.keeps(dates).tolist() == [False, True, False]
    with pytest.raises(ValueError, match="expected --to as a day YYYY-MM-DD, got '31/12'"):
        period_from_days(None, "31/12")
    with pytest.raises(ValueError, match="--from on or before --to"):
        period_from_days("2019-02-01", "2019-01-01")


def test_yearly_positions_are_each_years_period_positions(tmp_path, monkeypatch):
    import copy

    import tests.dashboard.conftest as conftest
    from analysis.periods import yearly_positions

    specs = copy.deepcopy(conftest.SMALL_ARTICLES)
    dated = [spec for spec in specs if spec.get("date")]
    dated[0]["date"] = "2017-05-01"  # a second year
    monkeypatch.setattr(conftest, "SMALL_ARTICLES", specs)
    run = load_run(str(conftest.make_small_run(tmp_path)))
    years = yearly_positions(run, "author")
    assert sorted(years["year"].unique()) == [2017, 2018]
    for year in (2017, 2018):
        alone = period_positions(
            run, "author", Period(dt.date(year, 1, 1), dt.date(year, 12, 31), False)
        )
        pd.testing.assert_frame_equal(
            years[years["year"] == year].drop(columns="year").reset_index(drop=True),
            alone.reset_index(drop=True),
        )
    outlets = yearly_positions(run, "outlet")
    assert set(outlets["level"]) == {"outlet"} and set(outlets["year"]) == {2017, 2018}
