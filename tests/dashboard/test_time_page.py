"""The Over time page through AppTest: the small run (four of five articles dated) and the same
articles without dates."""

from __future__ import annotations

import json

import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from tests.dashboard.conftest import NHAN_DAN, TIMOFEEV, VALDAI
from tests.dashboard.two_runs import UNDATED_ID, make_undated_run


@pytest.fixture(scope="module")
def undated_runs_dir(tmp_path_factory):
    runs_dir = tmp_path_factory.mktemp("runs_undated")
    make_undated_run(runs_dir)
    return runs_dir


def _open(app, runs_dir, **params):
    at = app(runs_dir, **params).run()
    at.switch_page("app_pages/time.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _chart(at, last: bool = False) -> tuple[dict, list[dict]]:
    """The stance chart's spec (``last``: the tone chart's, which carries the key) and its
    data rows, every measure's (Streamlit ships the data as Arrow datasets)."""
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2  # stance and tone, side by side as the page's width allows
    proto = charts[-1 if last else 0].proto
    spec = json.loads(proto.spec)
    rows = []
    for dataset in proto.datasets:
        frame = convert_arrow_bytes_to_pandas_df(dataset.data.data)
        frame["Date"] = frame["Date"].astype(str)
        rows.extend(frame.to_dict("records"))
    return spec, rows


def test_dated_run_draws_each_authors_articles_over_time(app, small_runs_dir):
    at = _open(app, small_runs_dir)
    spec, rows = _chart(at)
    assert spec["facet"]["row"]["field"] == "Topic" and "column" not in spec["facet"]
    assert spec["title"]["text"] == "Stance" and _chart(at, last=True)[0]["title"]["text"] == "Tone"
    assert [layer["mark"]["type"] for layer in spec["spec"]["layer"]] == [
        "rule",
        "rule",
        "line",
        "point",
        "point",
        "text",  # the note of a panel without points
    ]
    # one time axis for both measures, its labels naming the year; a unit's shape the same in
    # every panel (the shapes' domain is the units, as the colours')
    tone = _chart(at, last=True)[0]
    for measure in (spec, tone):
        points = [layer for layer in measure["spec"]["layer"] if layer["mark"]["type"] == "point"]
        x = points[0]["encoding"]["x"]
        assert x["axis"]["format"] == "%b %Y"  # June to November 2018
        dates = sorted(r["Date"][:10] for r in rows)
        domain = [f"{d['year']}-{d['month']:02d}-{d['date']:02d}" for d in x["scale"]["domain"]]
        assert domain == [dates[0], dates[-1]]
        encoding = points[0]["encoding"]
        assert encoding["shape"]["scale"]["domain"] == encoding["color"]["scale"]["domain"]
        assert set(encoding["shape"]["scale"]["domain"]) == {TIMOFEEV, VALDAI, NHAN_DAN}
    assert {r["Author"] for r in rows} == {TIMOFEEV, VALDAI, NHAN_DAN}
    timofeev = {
        (r["Date"][:10], r["topic"], r["Measure"]): r["value"]
        for r in rows
        if r["Author"] == TIMOFEEV
    }
    # His two articles, each on its own date: sanctions in both, Ukraine in the second only.
    assert timofeev[("2018-06-27", "sanctions", "Stance")] == pytest.approx(0.05 - 0.88)
    assert timofeev[("2018-09-10", "sanctions", "Stance")] == pytest.approx(0.1 - 0.62)
    assert timofeev[("2018-09-10", "ukraine", "Tone")] == pytest.approx(0.04 - 0.6)
    assert ("2018-06-27", "ukraine", "Stance") not in timofeev  # not discussed: no point
    # The undated wire report is left out, and the page says so.
    assert any("1 of 5 articles have no date" in c.value for c in at.caption)


def test_filters_narrow_the_chart_and_live_in_the_url(app, small_runs_dir):
    at = _open(app, small_runs_dir)
    at.multiselect(key="w_time_authors").set_value([TIMOFEEV]).run()
    at.multiselect(key="w_topics").set_value(["sanctions"]).run()
    _, rows = _chart(at)
    assert {r["Author"] for r in rows} == {TIMOFEEV}
    assert {r["topic"] for r in rows} == {"sanctions"}
    assert at.query_params["time_authors"] == TIMOFEEV
    assert at.query_params["topics"] == "sanctions"


def test_a_link_reopens_the_same_selection(app, small_runs_dir):
    at = _open(app, small_runs_dir, time_authors=[NHAN_DAN, VALDAI], topics="arms_control")
    assert at.multiselect(key="w_time_authors").value == [NHAN_DAN, VALDAI]
    assert at.multiselect(key="w_topics").value == ["arms_control"]
    _, rows = _chart(at)
    assert {r["Author"] for r in rows} == {NHAN_DAN, VALDAI}


def test_a_link_to_a_unit_with_no_dated_point_says_why_it_is_left_out(app, small_runs_dir):
    wire = "INF Treaty: a wire report"  # in the run, its one article undated or silent
    at = _open(app, small_runs_dir, time_authors=[TIMOFEEV, wire])
    assert at.multiselect(key="w_time_authors").value == [TIMOFEEV]
    (said,) = [w.value for w in at.warning if wire in w.value]
    assert "has no dated article that discusses a topic in its own words: left out" in said
    # a name the run does not have is "not here"
    at = _open(app, small_runs_dir, time_authors=[TIMOFEEV, "Nobody At All"])
    (said,) = [w.value for w in at.warning if "Nobody At All" in w.value]
    assert "which is not here: left out" in said


def test_undated_run_says_there_is_nothing_to_draw(app, undated_runs_dir):
    at = _open(app, undated_runs_dir)
    assert not at.get("vega_lite_chart")
    assert any("None of the 5 articles" in i.value and "has a date" in i.value for i in at.info)
    assert at.query_params["run"] == UNDATED_ID  # the address is written all the same


def test_downloads_for_the_points_and_the_chart(app, small_runs_dir):
    at = _open(app, small_runs_dir)
    assert {b.key for b in at.download_button} == {
        "time_csv",
        "time_json",
        "time_png",
        "time_provenance",
    }


def test_shifts_are_tested_at_a_chosen_date(app, small_runs_dir):
    import datetime

    at = _open(app, small_runs_dir, time_authors=TIMOFEEV)
    assert not [d for d in at.dataframe if "Shift" in d.value.columns]  # closed: not computed
    at.session_state["time_changes_open"] = True  # opened, as a click would
    at.run()
    (table,) = [d.value for d in at.dataframe if "Shift" in d.value.columns]
    assert set(table["Author"]) == {TIMOFEEV}
    # two dated articles: too few for a change point, said in words, and above the table
    assert table["Note"].str.contains("needs at least").all() and (table["Shift"] == "").all()
    assert any(i.value.startswith("No shift can be measured") for i in at.info)
    at.date_input(key="time_split_date").set_value(datetime.date(2018, 8, 1)).run()
    assert not at.exception
    assert not any(i.value.startswith("No shift can be measured") for i in at.info)
    (table,) = [d.value for d in at.dataframe if "Shift" in d.value.columns]
    sanctions = table[(table["Topic"] == "Sanctions") & (table["Measure"] == "Stance")].iloc[0]
    assert sanctions["Split"] == "2018-08-01" and sanctions["How"] == "your date"
    expected = (0.1 - 0.62) - (0.05 - 0.88)
    assert float(sanctions["Shift"]) == pytest.approx(expected, abs=0.01)
    assert sanctions["Articles"] == "1 / 1"
    # the shifts download with their tests, beside the chart's
    keys = {b.key for b in at.download_button}
    assert {"time_shifts_csv", "time_shifts_json", "time_shifts_provenance"} <= keys


def test_an_article_by_two_chosen_authors_is_listed_under_each():
    import pandas as pd

    from dashboard.app_pages.time import COLUMNS, articles_behind

    def point(author: str, measure: str, value: float) -> dict:
        return {
            "Date": pd.Timestamp("2024-03-01"),
            "Author": author,
            "group_kind": "author",
            "topic": "sanctions",
            "Topic": "Sanctions",
            "Measure": measure,
            "value": value,
            "low": None,
            "high": None,
            "shown": "",
            "n": 2,
            "article_id": "a1",
            "Title": "Co-written",
            "outlet": "Outlet",
        }

    # one co-written article: the same article × topic under both authors (a whole-corpus run
    # has such bylines; the listing once failed on them)
    frame = pd.DataFrame(
        [
            point("Ann", "Stance", 0.5),
            point("Ann", "Tone", -0.25),
            point("Bob", "Stance", 0.75),
            point("Bob", "Tone", 0.125),
        ],
        columns=COLUMNS,
    )
    listed = articles_behind(frame)
    assert listed["Author"].tolist() == ["Ann", "Bob"]
    assert listed["Stance"].tolist() == ["+0.50", "+0.75"]
    assert listed["Tone"].tolist() == ["−0.25", "+0.12"]
    assert listed["Date"].tolist() == ["2024-03-01", "2024-03-01"]


def test_units_with_the_same_points_are_named_as_drawn_on_top_of_each_other():
    """Co-authors of the same articles plot on top of each other: only the last one drawn
    shows, so the page names them."""
    import pandas as pd

    from dashboard.app_pages.time import COLUMNS, same_points

    def point(author: str, article: str, value: float) -> dict:
        row = dict.fromkeys(COLUMNS)
        day = pd.Timestamp("2024-03-01") + pd.Timedelta(days=len(article))
        row.update(Date=day, Author=author, topic="ukraine", Measure="Stance", value=value)
        return {**row, "article_id": article}

    rows = [
        point("Greg", "a1", 0.1),
        point("Nic", "a1", 0.1),
        point("Greg", "a22", 0.3),
        point("Nic", "a22", 0.3),
        point("Ann", "a1", 0.1),  # one point the same, one missing: not the same points
    ]
    assert same_points(pd.DataFrame(rows, columns=COLUMNS)) == [["Greg", "Nic"]]
    rows[3] = point("Nic", "a22", 0.35)
    assert same_points(pd.DataFrame(rows, columns=COLUMNS)) == []


def test_an_article_with_a_tone_point_only_is_listed_as_no_stance():
    """Every article drawn is listed, also one that takes no side (a tone point only)."""
    import pandas as pd

    from dashboard.app_pages.time import COLUMNS, articles_behind
    from dashboard.style import NO_STANCE

    def point(article: str, measure: str, value: float) -> dict:
        return dict(
            zip(
                COLUMNS,
                [
                    *(pd.Timestamp("2024-03-0" + article[-1]), "Ann", "author", "sanctions"),
                    *("Sanctions", measure, value, None, None, "", False, False, 2, article),
                    article,
                    "Outlet",
                ],
                strict=True,
            )
        )

    frame = pd.DataFrame(
        [point("a1", "Stance", 0.5), point("a1", "Tone", -0.25), point("a2", "Tone", 0.5)],
        columns=COLUMNS,
    )
    listed = articles_behind(frame)
    assert len(listed) == frame["article_id"].nunique() == 2
    assert listed["Stance"].tolist() == ["+0.50", NO_STANCE]
    assert listed["Tone"].tolist() == ["−0.25", "+0.50"]


def test_only_dated_articles_with_a_point_count_toward_an_author():
    import numpy as np
    import pandas as pd

    from dashboard.app_pages.time import articles_with_points

    positions = pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a3", "a4", "a5"],
            "topic": ["sanctions"] * 5,
            "status": ["discussed", "discussed", "discussed", "not_discussed", "discussed"],
            "stance": [0.5, np.nan, np.nan, np.nan, 0.2],
            "tone": [0.1, -0.3, np.nan, np.nan, 0.0],
        }
    )
    dated = pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a3", "a4"],  # a5 has no date
            "group": ["Ann", "Ann", "Bob", "Cy"],
            "group_kind": ["author"] * 4,
        }
    )
    counts = articles_with_points(positions, dated)
    # Ann: a stance and a tone-only article; Bob: quoted voices only; Cy: not discussed
    assert counts.to_dict() == {"Ann": 2}


def test_the_date_shifts_are_measured_at_lives_in_the_url(app, small_runs_dir):
    import datetime

    at = _open(app, small_runs_dir, time_authors=TIMOFEEV)
    at.session_state["time_changes_open"] = True
    at.run()
    at.date_input(key="time_split_date").set_value(datetime.date(2018, 8, 1)).run()
    assert at.query_params["split"] == "2018-08-01"
    # a link with the date opens the shifts there, in a fresh session
    again = _open(app, small_runs_dir, time_authors=TIMOFEEV, split="2018-08-01")
    assert not again.exception and not again.warning
    assert again.date_input(key="time_split_date").value == datetime.date(2018, 8, 1)
    (table,) = [d.value for d in again.dataframe if "Shift" in d.value.columns]
    assert set(table["Split"]) == {"2018-08-01"}
    # a date outside the run's is left out, not an error
    far = _open(app, small_runs_dir, time_authors=TIMOFEEV, split="1990-01-01")
    assert not far.exception and far.date_input(key="time_split_date").value is None


def test_a_point_whose_interval_reaches_across_zero_or_is_missing_is_drawn_hollow():
    """A one-passage point (no interval) or one whose interval spans 0 must not look as well
    measured as one whose interval keeps off 0: only the latter is filled."""
    import pandas as pd

    from analysis.intervals import settled_near_zero
    from dashboard.app_pages.time import COLUMNS, time_chart

    def point(
        article: str, value: float, low: float | None, high: float | None, one: bool = False
    ) -> dict:
        near = settled_near_zero(low, high)
        return dict(
            zip(
                COLUMNS,
                [
                    *(pd.Timestamp("2024-03-0" + article[-1]), "Ann", "author", "sanctions"),
                    *("Sanctions", "Stance", value, low, high, "", near, one, 2, article),
                    *(article, "O"),
                ],
                strict=True,
            )
        )

    frame = pd.DataFrame(
        [
            point("a1", 0.6, 0.2, 0.9),  # keeps off 0: filled
            point("a2", 0.6, None, None),  # one passage: hollow
            point("a3", -0.3, -0.8, 0.1),  # reaches across 0: hollow
            point("a4", -0.5, -0.9, -0.1),  # filled
            point("a5", 0.02, 0.001, 0.03),  # off 0 but within ±0.05: near 0, hollow
            point("a6", 0.6, 0.2, 0.9, one=True),  # a year on one article: hollow
        ],
        columns=COLUMNS,
    )
    spec = time_chart(frame, ["Ann"], ["Sanctions"]).to_dict()
    rows = next(iter(spec["datasets"].values()))
    settled = {r["article_id"]: r["settled"] for r in rows if not r["empty_note"]}
    assert settled == {
        "a1": True,
        "a2": False,
        "a3": False,
        "a4": True,
        "a5": False,
        "a6": False,
    }
    # no tone point at all: the tone panel is there, and says why it is empty
    assert [(r["Measure"], r["empty_note"]) for r in rows if r["empty_note"]] == [
        ("Tone", "no tone point here")
    ]
    points = [layer for layer in spec["spec"]["layer"] if layer["mark"]["type"] == "point"]
    by_filter = {layer["transform"][0]["filter"]: layer["mark"]["filled"] for layer in points}
    assert by_filter == {"datum.settled": True, "!datum.settled": False}
    # the topic names sit above their rows and two panels fit a 1280 px screen's page beside
    # the sidebar (about 820 px): a page wider than the screen hides the tone panel
    assert spec["facet"]["row"]["header"]["labelOrient"] == "top"
    assert 2 * spec["spec"]["width"] + 100 <= 820
    # Streamlit's theme gives a mark without a tooltip one of its raw fields ("low
    # -0.0148608637662"): every mark says what it shows, or nothing (the lines, the 0 rule)
    for layer in spec["spec"]["layer"]:
        tip = layer["encoding"]["tooltip"]
        assert tip == {"value": None} or "shown" in {t["field"] for t in tip}, layer["mark"]


def test_outlets_are_drawn_over_all_their_dated_articles(app, small_runs_dir):
    at = _open(app, small_runs_dir)
    at.radio(key="time_units").set_value("Outlets").run()
    assert not at.exception, [e.value for e in at.exception]
    chosen = at.multiselect(key="w_time_outlets")
    assert VALDAI in chosen.value and TIMOFEEV not in chosen.options
    _, rows = _chart(at)
    valdai = {r["article_id"] for r in rows if r["Author"] == VALDAI}
    # Timofeev's two signed articles are his outlet's too, beside its unsigned one
    assert {"001_6c28832786d132a7", "002_timofeev_sanctions"} <= valdai
    assert "000_75f37cc66b80f13e" in valdai
    assert at.query_params["units"] == "Outlets"
    spec, _ = _chart(at, last=True)  # the key under the last chart only
    assert spec["spec"]["layer"][2]["encoding"]["color"]["legend"]["title"] == "Outlet"
    assert _chart(at)[0]["spec"]["layer"][2]["encoding"]["color"]["legend"] is None


def test_an_authors_line_breaks_across_a_long_silence():
    """A line across two years of silence draws a trend the articles do not show."""
    import pandas as pd

    from dashboard.app_pages.time import COLUMNS, stretches

    def point(day: str, author: str = "Ann", measure: str = "Stance") -> dict:
        return dict(
            zip(
                COLUMNS,
                [
                    *(pd.Timestamp(day), author, "author", "sanctions", "Sanctions", measure),
                    *(0.1, None, None, "", False, False, 2, day, day, "O"),
                ],
                strict=True,
            )
        )

    frame = pd.DataFrame(
        [
            point("2014-03-01"),
            point("2014-05-01"),
            point("2016-09-01"),  # after more than 180 days: a new stretch
            point("2016-10-01"),
            point("2014-04-01", author="Bob"),
            point("2014-04-01", measure="Tone"),
        ],
        columns=COLUMNS,
    )
    found = stretches(frame)
    assert found[0] == found[1] != found[2] == found[3]
    assert len({found[0], found[4], found[5]}) == 3  # each author and measure its own line


def test_a_stance_sure_to_be_near_zero_is_said_so_in_the_frame():
    """An audit: Over time drew +0.02 [+0.00, +0.03] as a filled point, a side, where the
    Article page calls it near 0."""
    import pandas as pd

    from dashboard.app_pages.time import time_frame

    positions = pd.DataFrame(
        [
            {
                "article_id": "a1",
                "topic": "sanctions",
                "status": "discussed",
                "stance": 0.02,
                "stance_low": 0.001,
                "stance_high": 0.03,
                "tone": 0.02,
                "tone_low": 0.001,
                "tone_high": 0.03,
                "n_passages": 3,
                "title": "T",
                "outlet": "O",
                "group_kind": "author",
            }
        ]
    )
    meta = pd.DataFrame(
        [
            {
                "article_id": "a1",
                "day": pd.Timestamp("2020-01-01"),
                "groups": ("Ann",),
                "group_kind": "author",
                "group": "Ann",
            }
        ]
    )
    frame = time_frame(positions, meta, ["Ann"], [("sanctions", "Sanctions")]).set_index("Measure")
    assert frame.loc["Stance", "near_zero"] and frame.loc["Stance", "shown"].endswith(" near 0")
    assert not frame.loc["Tone", "near_zero"]  # tone has no "near 0": it is not a side


def test_an_article_behind_the_points_opens_on_the_article_page(app, small_runs_dir):
    """An audit could not get from a point to its article: a row of the articles behind the
    points now opens it."""
    at = _open(app, small_runs_dir)
    behind = next(d for d in at.dataframe if "Title" in d.value.columns)
    first = behind.value.iloc[0]
    # the expander counts the articles, and the rows where an article is on several topics
    (label,) = [e.label for e in at.expander if " behind these points" in e.label]
    n, rows = behind.value["article_id"].nunique(), len(behind.value)
    assert label.startswith(f"The {n} articles behind these points")
    assert rows > n and label.endswith(f"(a row per article and topic: {rows})")
    at.session_state["time_behind"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    opener = next(b for b in at.button if b.key == "time_open_article")
    assert first["Title"] in opener.label
    opener.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["article"] == str(first["article_id"])
    assert at.query_params["topic"] == str(first["topic"])
    # coloured by the point's topic, not by each passage's most relevant one
    assert at.radio(key="art_colour_topic").value == str(first["topic"])
    shown = [e.value for kind in (at.title, at.header, at.subheader, at.markdown) for e in kind]
    assert any(first["Title"] in str(text) for text in shown)  # the Article page, on it


def test_outlets_filed_under_several_names_are_said_to_be_one_newsroom(app, tmp_path, monkeypatch):
    """An audit: Over time drew "Fox Online News" without a word that Fox files three more
    outlets apart, as Compare and the Overview say."""
    import copy

    import tests.dashboard.conftest as conftest

    specs = copy.deepcopy(conftest.SMALL_ARTICLES)
    for spec in specs:
        if spec["outlet"] == NHAN_DAN:
            spec["outlet"] = f"{VALDAI} (Opinion)"  # the same newsroom, filed apart
    monkeypatch.setattr(conftest, "SMALL_ARTICLES", specs)
    conftest.make_small_run(tmp_path)
    at = _open(app, tmp_path)
    at.radio(key="time_units").set_value("Outlets").run()
    at.multiselect(key="w_time_outlets").set_value([VALDAI]).run()
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(c.value for c in at.caption)
    assert f"{VALDAI} / {VALDAI} (Opinion)" in captions


def test_per_year_draws_each_units_position_over_the_years_articles(app, small_runs_dir):
    """An audit wanted an outlet's sanctions stance year by year, with intervals, not eight
    date ranges on the Overview."""
    from analysis.periods import yearly_positions
    from analysis.runs import load_run

    at = _open(app, small_runs_dir, time_authors=TIMOFEEV)
    at.radio(key="w_time_points").set_value("Per year").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["time_points"] == "Per year"
    _, rows = _chart(at)
    yearly = yearly_positions(load_run("latest", small_runs_dir), "author")
    mine = yearly[(yearly["author"] == TIMOFEEV) & (yearly["status"] == "discussed")]
    expected = {
        (f"{int(r.year)}-07-01", r.topic, "Stance"): r.stance
        for r in mine.itertuples()
        if r.stance == r.stance
    }
    drawn = {
        (r["Date"][:10], r["topic"], r["Measure"]): r["value"]
        for r in rows
        if r["Measure"] == "Stance"
    }
    assert drawn == pytest.approx(expected)
    # his two 2018 articles on sanctions make one point, over both
    assert ("2018-07-01", "sanctions", "Stance") in drawn
    assert not [d for d in at.dataframe if "Title" in d.value.columns]  # no per-article list


def test_the_time_axis_names_the_year_over_any_span():
    import pandas as pd

    from dashboard.app_pages.time import date_axis

    def fmt(*days: str) -> str:
        return date_axis(pd.DataFrame({"Date": pd.to_datetime(list(days))}))[1]

    assert fmt("2018-09-01", "2018-09-20") == "%d %b %Y"
    assert fmt("2018-07-01", "2019-08-26") == "%b %Y"
    assert fmt("2014-01-05", "2020-02-01") == "%Y"
    domain, _ = date_axis(pd.DataFrame({"Date": pd.to_datetime(["2018-09-10"])}))
    assert [(d["month"], d["date"]) for d in domain] == [(9, 3), (9, 17)]  # a day: a week aside


def test_authors_none_of_whom_are_in_the_run_give_way_to_the_default(app, small_runs_dir):
    """Authors chosen on another run (or in a link) that this run lacks: the run's default
    authors are drawn, not an empty page that looks as if the user had cleared the choice."""
    at = _open(app, small_runs_dir, time_authors=["Someone Elsewhere"])
    assert set(at.multiselect(key="w_time_authors").value) == {NHAN_DAN, TIMOFEEV, VALDAI}
    _, rows = _chart(at)
    assert {r["Author"] for r in rows} == {TIMOFEEV, VALDAI, NHAN_DAN}
    # the link's name said, and what is drawn instead
    assert any(
        "asked for authors or outlet groups “Someone Elsewhere”" in w.value
        and "showing the default ones instead" in w.value
        for w in at.warning
    )


def test_an_article_with_an_unlikely_date_is_named_and_left_out_unless_kept(
    app, tmp_path, monkeypatch
):
    """A review: one article dated 1899 (a typo) squeezed every real point into one column
    of an axis from 1900, and the page did not say why."""
    import copy

    import tests.dashboard.conftest as conftest

    specs = copy.deepcopy(conftest.SMALL_ARTICLES)
    typo = next(s for s in specs if s["author"] == TIMOFEEV)
    typo["date"] = "1899-12-31"
    monkeypatch.setattr(conftest, "SMALL_ARTICLES", specs)
    conftest.make_small_run(tmp_path)
    at = _open(app, tmp_path)
    (warning,) = [w.value for w in at.warning if "unlikely for news" in w.value]
    assert f"{typo['title']} (1899-12-31, before 1900)" in warning
    _, rows = _chart(at)
    assert min(r["Date"][:4] for r in rows) == "2018"  # left out: the axis keeps to 2018
    at.checkbox(key="time_keep_odd_dates").check().run()
    assert not at.exception, [e.value for e in at.exception]
    _, rows = _chart(at)
    assert min(r["Date"][:4] for r in rows) == "1899"  # drawn where its date says
    assert at.query_params["odd_dates"] == "1"  # and a link keeps the choice
    linked = _open(app, tmp_path, odd_dates="1")
    assert linked.checkbox(key="time_keep_odd_dates").value
    _, rows = _chart(linked)
    assert min(r["Date"][:4] for r in rows) == "1899"


def test_a_units_colour_does_not_depend_on_the_order_it_was_picked_in(app, small_runs_dir):
    """A review: a unit's colour went by the order it was picked in, and adding one ranked
    higher repainted the others."""

    def colours(picked: list[str]) -> dict[str, tuple[str, str]]:
        spec, _ = _chart(_open(app, small_runs_dir, time_authors=picked))
        point = next(la for la in spec["spec"]["layer"] if la["mark"]["type"] == "point")
        colour, shape = point["encoding"]["color"]["scale"], point["encoding"]["shape"]["scale"]
        return {
            unit: (c, s)
            for unit, c, s in zip(colour["domain"], colour["range"], shape["range"], strict=True)
        }

    two = colours([VALDAI, TIMOFEEV])
    assert two == colours([TIMOFEEV, VALDAI]) and len({c for c, _ in two.values()}) == 2
    three = colours([VALDAI, TIMOFEEV, NHAN_DAN])
    assert {unit: three[unit] for unit in two} == two  # one more picked: the others keep theirs
    assert len({c for c, _ in three.values()}) == 3


def test_a_unit_without_dated_articles_on_a_topic_is_named_not_given_empty_shift_rows(
    app, small_runs_dir
):
    """A review: five authors on three topics made a table of 30 rows, most of them "does
    not discuss it"."""
    at = _open(app, small_runs_dir, time_authors=[VALDAI, NHAN_DAN])
    at.session_state["time_changes_open"] = True
    at.run()
    (table,) = [d.value for d in at.dataframe if "Shift" in d.value.columns]
    assert set(zip(table["Author"], table["Topic"], strict=True)) == {
        (VALDAI, "Arms control"),
        (VALDAI, "Sanctions"),
        (NHAN_DAN, "Arms control"),
    }
    assert any(
        "nothing dated to compare: Valdai Discussion Club on Ukraine (does not discuss it); "
        "Nhan Dan on Sanctions (does not discuss it); Nhan Dan on Ukraine (does not discuss "
        "it)." in c.value
        for c in at.caption
    )


def test_unit_slots_keep_a_units_place_and_never_share_one():
    from dashboard.app_pages.time import unit_slots

    ranked = [f"u{i}" for i in range(12)]
    assert unit_slots(["u3", "u1"], ranked) == [3, 1]
    assert unit_slots(["u0", "u10"], ranked) == [0, 1]  # u10's place (0 of 10 colours) taken
    assert unit_slots(["gone"], ranked) == [2]  # not in the list: after it, wrapped


def test_per_year_with_unlikely_dates_and_nothing_to_draw_says_so(app, tmp_path, monkeypatch):
    """A review: per year, a run with an unlikely date and units without a point raised an
    exception where the page should say there is nothing to draw."""
    import copy

    import tests.dashboard.conftest as conftest

    specs = copy.deepcopy(conftest.SMALL_ARTICLES)
    next(s for s in specs if s["author"] == TIMOFEEV)["date"] = "1899-12-31"
    monkeypatch.setattr(conftest, "SMALL_ARTICLES", specs)
    conftest.make_small_run(tmp_path)
    at = _open(app, tmp_path, time_authors=[NHAN_DAN], topics="ukraine", time_points="Per year")
    assert any("have no dated article that discusses Ukraine" in i.value for i in at.info)


def test_a_year_on_one_article_is_marked_and_a_mixed_stance_says_so():
    """A review: 67 author-year points resting on one article were drawn filled (the Overview
    pales such a score), and a "mixed" year read as a plain number."""
    import pandas as pd

    from dashboard.app_pages.time import yearly_frame

    def year(y: int, n: int, status: str) -> dict:
        return {
            "author": "Ann",
            "topic": "sanctions",
            "status": "discussed",
            "year": y,
            "n_articles_discussing": n,
            "stance": 0.05,
            "stance_low": 0.01,
            "stance_high": 0.3,
            "stance_status": status,
            "tone": -0.4,
            "tone_low": -0.6,
            "tone_high": -0.2,
            "n_passages": 6,
            "group_kind": "author",
            "outlet": "O",
        }

    yearly = pd.DataFrame([year(2014, 1, "expressed"), year(2015, 3, "mixed")])
    frame = yearly_frame(yearly, ["Ann"], [("sanctions", "Sanctions")])
    stance = frame[frame["Measure"] == "Stance"].set_index("article_id")
    assert stance.loc["2014", "one_article"] and not stance.loc["2015", "one_article"]
    assert stance.loc["2015", "shown"].endswith(" mixed, leaning favor")  # as Overview words it
    assert "mixed" not in stance.loc["2014", "shown"]
