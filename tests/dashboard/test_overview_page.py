"""The Overview page, driven through Streamlit's AppTest on the small seed-like run."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.views import STANCE_HEADER, TONE_HEADER
from tests.dashboard.conftest import (
    NHAN_DAN,
    TIMOFEEV,
    TOPIC_LABELS,
    VALDAI,
    WIRE_TITLE,
    make_large_run,
    make_small_run,
)

GROUPS = {TIMOFEEV, VALDAI, NHAN_DAN, WIRE_TITLE}


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _table(at):
    assert not at.exception, [e.value for e in at.exception]
    return at.dataframe[0].value


def _row(table, unit: str, topic_label: str, unit_column: str = "Author / outlet"):
    rows = table[(table[unit_column] == unit) & (table["Topic"] == topic_label)]
    assert len(rows) == 1, (unit, topic_label, table)
    return rows.iloc[0]


def _click(at, row: int, column: str = STANCE_HEADER):
    """Simulate a click on a table cell (AppTest accepts dataframe selections as state)."""
    key = at.dataframe[0].key
    at.session_state[key] = {"selection": {"rows": [], "columns": [], "cells": [[row, column]]}}
    return at.run()


@pytest.fixture
def overview(app, small_runs_dir):
    return app(small_runs_dir).run()


def test_lists_every_group_and_topic_in_words(overview):
    table = _table(overview)
    assert set(table["Author / outlet"]) == GROUPS
    assert set(table["Topic"]) == set(TOPIC_LABELS.values())  # labels, never keys
    assert len(table) == len(GROUPS) * len(TOPIC_LABELS)
    assert not table.isin(list(TOPIC_LABELS)).any().any()


def test_stance_and_tone_side_by_side_with_intervals_n_and_coverage(overview):
    row = _row(_table(overview), TIMOFEEV, "Sanctions")
    assert row[STANCE_HEADER] == "−0.68 [−1.00, −0.19]"
    assert row[TONE_HEADER].startswith("−0.60 [")
    assert row["n · coverage"] == "2 · 40%"
    assert row["Articles"] == "2"


def test_not_discussed_is_shown_in_words_never_as_zero(overview):
    row = _row(_table(overview), NHAN_DAN, "Sanctions")
    assert row[STANCE_HEADER] == "not discussed"
    assert row[TONE_HEADER] == "not discussed"
    assert row["n · coverage"] == "not discussed"
    reported_only = _row(_table(overview), NHAN_DAN, "Ukraine")
    assert reported_only[STANCE_HEADER] == "not discussed"
    assert reported_only["n · coverage"] == "not discussed (+1 reported)"


def test_rows_without_author_say_what_they_are_grouped_under(overview):
    table = _table(overview)
    assert _row(table, NHAN_DAN, "Ukraine")["Grouped under"] == "outlet (unsigned pieces)"
    assert _row(table, WIRE_TITLE, "Ukraine")["Grouped under"] == "the article itself"
    assert _row(table, TIMOFEEV, "Ukraine")["Grouped under"] == ""


def test_outlet_filter(overview):
    overview.multiselect(key="ov_outlets_20181110-120000-seeds000").set_value([NHAN_DAN]).run()
    assert set(_table(overview)["Author / outlet"]) == {NHAN_DAN}


def test_author_filter(overview):
    overview.multiselect(key="ov_authors_20181110-120000-seeds000").set_value([TIMOFEEV]).run()
    assert set(_table(overview)["Author / outlet"]) == {TIMOFEEV}


def test_topic_filter(overview):
    overview.multiselect(key="ov_topics_20181110-120000-seeds000").set_value(["sanctions"]).run()
    table = _table(overview)
    assert set(table["Topic"]) == {"Sanctions"}
    assert set(table["Author / outlet"]) == GROUPS  # a run of a few: everyone, by default
    overview.checkbox(key="ov_discussing_author").check().run()  # those on the topic only
    table = _table(overview)
    discussing = set(table.loc[table[STANCE_HEADER] != "not discussed", "Author / outlet"])
    assert discussing and set(table["Author / outlet"]) == discussing < GROUPS


def test_date_range_and_undated_filters(overview):
    dates = overview.date_input(key="ov_dates_20181110-120000-seeds000")
    dates.set_value((dt.date(2018, 6, 27), dt.date(2018, 9, 30))).run()
    # authors over a period: their dated articles in it (an undated one is in no period)
    assert set(_table(overview)["Author / outlet"]) == {TIMOFEEV, VALDAI}
    overview.radio(key="ov_view").set_value("Articles").run()
    undated = set(_table(overview)["Author / outlet"])
    assert WIRE_TITLE in undated  # listed, as the box asks
    header = next(c.value for c in overview.caption if c.value.startswith("Run `"))
    # and counted apart: a count that read as the range's misled a review
    assert "(1 of them undated: listed, not in the period's positions)" in header
    overview.checkbox(key="ov_undated_20181110-120000-seeds000").uncheck().run()
    assert set(_table(overview)["Author / outlet"]) == undated - {WIRE_TITLE}
    # the header says what the filters leave of the run's articles
    header = next(c.value for c in overview.caption if c.value.startswith("Run `"))
    n = _table(overview)["Title"].nunique()  # the Articles view: a row per article and topic
    assert n == 3 and "5 articles" in header and "The filters keep 3 articles of them." in header


def test_the_header_says_nothing_of_filters_that_keep_every_article(overview):
    header = next(c.value for c in overview.caption if c.value.startswith("Run `"))
    assert "The filters keep" not in header


def test_clicking_a_cell_opens_its_evidence_strongest_first(overview):
    table = _table(overview)
    row = int(
        table.index[(table["Author / outlet"] == TIMOFEEV) & (table["Topic"] == "Sanctions")][0]
    )
    _click(overview, row)
    text = _markdown(overview)
    assert "**Ivan Timofeev** on **Sanctions**" in text
    strongest = text.index("The sanctions machine in Washington")
    weaker = text.index("Sanctions against Russia have become a permanent instrument")
    assert strongest < weaker
    assert "favor 5% · against 88% · none 7%" in text
    assert overview.query_params["author"] == TIMOFEEV
    assert overview.query_params["topic"] == "sanctions"


def test_evidence_pickers_and_not_discussed_message(overview):
    overview.selectbox(key="w_author").set_value(NHAN_DAN).run()
    overview.selectbox(key="w_topic").set_value("sanctions").run()
    assert any("Not discussed" in i.value and NHAN_DAN in i.value for i in overview.info)
    assert not any("left out" in i.value for i in overview.info)  # the run kept no rejects
    assert "The sanctions machine" not in _markdown(overview)


def test_choosing_another_author_keeps_the_topic_only_where_they_discuss_it(overview):
    """A review: the evidence kept the last author's topic, so choosing an author who never
    discusses it opened on "Not discussed"."""
    table = _table(overview)
    row = int(
        table.index[(table["Author / outlet"] == TIMOFEEV) & (table["Topic"] == "Sanctions")][0]
    )
    _click(overview, row)
    assert overview.selectbox(key="w_topic").value == "sanctions"
    overview.selectbox(key="w_author").set_value(NHAN_DAN).run()
    assert overview.selectbox(key="w_topic").value == "arms_control"  # the one he discusses
    assert not any("Not discussed" in i.value for i in overview.info)
    overview.selectbox(key="w_author").set_value(TIMOFEEV).run()  # he discusses it: kept
    assert overview.selectbox(key="w_topic").value == "arms_control"


def test_not_discussed_says_when_the_topic_check_left_passages_out(app, tmp_path):
    import pandas as pd

    from analysis.runs import GATED_OUT_TABLE, write_parquet
    from tests.dashboard.conftest import make_small_run

    run = make_small_run(tmp_path / "runs")
    passages = pd.read_parquet(run / "passages.parquet")
    nhan_dan = passages[passages["article_id"] == "004_874e9fd0087b4233"].head(2)
    left_out = nhan_dan[["passage_id", "article_id"]].assign(
        topic="sanctions", relevance=0.7, reported=False, on_topic=0.4
    )
    write_parquet(left_out, run / GATED_OUT_TABLE)
    at = app(tmp_path / "runs").run()
    at.selectbox(key="w_author").set_value(NHAN_DAN).run()
    at.selectbox(key="w_topic").set_value("sanctions").run()
    (note,) = [i.value for i in at.info if "Not discussed" in i.value]
    assert "The topic check left out 2 passage(s) that come near it" in note
    at.selectbox(key="w_topic").set_value("ukraine").run()  # none left out on this topic
    (note,) = [i.value for i in at.info if "Not discussed" in i.value]
    assert "left out" not in note
    at.radio(key="ov_view").set_value("Articles").run()
    at.selectbox(key="w_article").set_value("004_874e9fd0087b4233").run()
    at.selectbox(key="w_topic").set_value("sanctions").run()
    (note,) = [i.value for i in at.info if "Not discussed" in i.value]
    assert "left out 2 passage(s)" in note


def test_quoted_voices_are_listed_apart_with_their_speaker(overview):
    overview.selectbox(key="w_author").set_value(VALDAI).run()
    overview.selectbox(key="w_topic").set_value("arms_control").run()
    expander = next(e for e in overview.expander if "Quoted voices" in e.label)
    assert "1 passage(s), the second measure" in expander.label
    reported = "\n".join(m.value for m in expander.markdown)
    assert "reported: Sergey Lavrov" in reported
    assert "ready for a professional dialogue" in reported


def test_link_parameters_restore_the_evidence_view(app, small_runs_dir):
    at = app(small_runs_dir, author=TIMOFEEV, topic="ukraine").run()
    assert "**Ivan Timofeev** on **Ukraine**" in _markdown(at)
    assert "Western arms deliveries to Ukraine" in _markdown(at)


def test_article_level_view_and_opening_an_article(overview):
    overview.radio(key="ov_view").set_value("Articles").run()
    table = _table(overview)
    assert "Sanctions Are Here to Stay" in set(table["Title"])
    row = int(
        table.index[
            (table["Title"] == "Sanctions Are Here to Stay") & (table["Topic"] == "Ukraine")
        ][0]
    )
    _click(overview, row, TONE_HEADER)
    assert "Western arms deliveries to Ukraine" in _markdown(overview)
    overview.button[0].click().run()
    assert not overview.exception
    assert overview.title[0].value == "Article"
    assert overview.query_params["article"] == "002_timofeev_sanctions"
    assert overview.radio(key="art_colour_topic").value == "ukraine"  # the evidence's topic


def test_an_article_opened_here_is_shown_whatever_the_article_pages_search(app, small_runs_dir):
    """A review: with a search on the Article page, opening another article from here showed
    the search's article instead, and rewrote the address to it."""
    at = app(small_runs_dir).run()
    at.switch_page("app_pages/article.py").run()
    at.text_input(key="art_query").input("positive sign").run()
    assert at.header[0].value.startswith("A positive sign")
    at.switch_page("app_pages/overview.py").run()
    at.radio(key="ov_view").set_value("Articles").run()
    table = _table(at)
    row = int(
        table.index[
            (table["Title"] == "Sanctions Are Here to Stay") & (table["Topic"] == "Ukraine")
        ][0]
    )
    _click(at, row, TONE_HEADER)
    next(b for b in at.button if "Open this article" in b.label).click().run()
    assert not at.exception
    assert at.title[0].value == "Article"
    assert at.header[0].value == "Sanctions Are Here to Stay"
    assert at.query_params["article"] == "002_timofeev_sanctions"


def test_the_silent_ones_box_lives_in_the_url_and_names_chosen_are_all_shown(app, small_runs_dir):
    at = app(small_runs_dir, topics="sanctions").run()
    box = at.checkbox(key="ov_discussing_author")
    assert not box.value and "silent" not in at.query_params  # a run of a few: off
    box.check().run()
    assert at.query_params["silent"] == "0"
    again = app(small_runs_dir, topics="sanctions", silent="0").run()  # a shared link
    assert again.checkbox(key="ov_discussing_author").value
    assert set(_table(again)["Author / outlet"]) < GROUPS
    again.checkbox(key="ov_discussing_author").uncheck().run()
    assert "silent" not in again.query_params  # back to the default
    assert set(_table(again)["Author / outlet"]) == GROUPS
    # authors chosen by name are shown whatever they discuss: no box
    chosen = app(small_runs_dir, topics="sanctions", groups=[NHAN_DAN]).run()
    assert set(_table(chosen)["Author / outlet"]) == {NHAN_DAN}
    assert not [c for c in chosen.checkbox if c.key == "ov_discussing_author"]


def test_each_run_gets_its_own_default_for_the_silent_ones_box(app, tmp_path):
    """A run of a few articles lists everyone, a run of many those that discuss a topic;
    switching runs without touching the box must not carry one run's default to the other."""
    small = make_small_run(tmp_path).name
    large = make_large_run(tmp_path, n_articles=300, run_id="20200101-000000-medium00").name
    at = app(tmp_path, run=small, topics="sanctions").run()
    assert not at.checkbox(key="ov_discussing_author").value
    at.sidebar.selectbox(key="w_run").set_value(large).run()
    assert not at.exception
    assert at.checkbox(key="ov_discussing_author").value  # many: only those that discuss
    assert "silent" not in at.query_params
    at.sidebar.selectbox(key="w_run").set_value(small).run()
    assert not at.checkbox(key="ov_discussing_author").value  # a few: everyone
    assert "silent" not in at.query_params
    # a choice the user made stays with them across runs, there and back
    at.sidebar.selectbox(key="w_run").set_value(large).run()
    at.checkbox(key="ov_discussing_author").uncheck().run()  # everyone, on the large run
    at.sidebar.selectbox(key="w_run").set_value(small).run()
    assert not at.checkbox(key="ov_discussing_author").value
    at.sidebar.selectbox(key="w_run").set_value(large).run()
    assert not at.checkbox(key="ov_discussing_author").value
    assert at.query_params["silent"] == "1"


def test_evidence_opens_on_a_topic_the_chosen_article_discusses(app, small_runs_dir):
    at = app(small_runs_dir, view="Articles", article="002_timofeev_sanctions").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="w_article").value == "002_timofeev_sanctions"
    assert at.selectbox(key="w_topic").value == "sanctions"  # not arms control, not discussed
    assert not any("Not discussed" in i.value for i in at.info)


def test_evidence_offers_only_the_articles_the_table_keeps(app, small_runs_dir):
    at = app(small_runs_dir, view="Articles", topics="ukraine").run()
    at.selectbox(key="w_article").set_value("000_75f37cc66b80f13e").run()
    at.checkbox(key="ov_discussing_article").check().run()  # only those on Ukraine
    assert not at.exception, [e.value for e in at.exception]
    assert set(_table(at)["Title"]) == {"Sanctions Are Here to Stay"}
    assert at.selectbox(key="w_article").options == ["Sanctions Are Here to Stay"]
    assert at.selectbox(key="w_article").value == "002_timofeev_sanctions"


def test_long_names_and_titles_get_a_width_so_the_measures_stay_on_screen(overview):
    import json

    columns = json.loads(overview.dataframe[0].proto.columns)
    assert columns["Author / outlet"]["width"] == 200
    # each measure as wide as its longest cell (the grid sized them by their first rows and
    # cut "−0.04 [−1.00, +1.00] mixed" and "(+3 reporte")
    table = _table(overview)
    for name in ("Stance [interval]", "Quoted voices' stance", "Tone [interval]", "n · coverage"):
        longest = max(len(str(v)) for v in [*table[name], name])
        assert columns[name]["width"] == max(110, min(300, round(5.8 * longest + 18))), name
    assert columns["Author / outlet"].get("pinned") and columns["Topic"].get("pinned")
    order = list(_table(overview).columns)
    assert order.index("Tone [interval]") < order.index("Grouped under")  # measures first
    overview.radio(key="ov_view").set_value("Articles").run()
    columns = json.loads(overview.dataframe[0].proto.columns)
    assert columns["Title"]["width"] == 220 and "help" in columns["n · coverage"]
    order = list(_table(overview).columns)
    assert order.index("Tone [interval]") < order.index("Author / outlet")


def test_sorting_by_a_topic_puts_its_row_first_in_each_units_rows(overview):
    before = _table(overview)
    assert before["Topic"].iloc[0] == TOPIC_LABELS["arms_control"]  # the run's topic order
    overview.selectbox(key="ov_sort_author").set_value(
        "Ukraine: stance, clearest favor first"
    ).run()
    table = _table(overview)
    per_unit = table.groupby("Author / outlet", sort=False)["Topic"].first()
    assert set(per_unit) == {TOPIC_LABELS["ukraine"]}
    assert len(table) == len(before)  # the same rows, reordered


def test_the_evidence_opens_on_the_topic_the_table_is_sorted_by(app, small_runs_dir):
    at = app(small_runs_dir, author=TIMOFEEV).run()
    assert at.selectbox(key="w_topic").value == "arms_control"  # its first discussed topic
    sort = f"{TOPIC_LABELS['sanctions']}: stance, clearest favor first"
    fresh = app(small_runs_dir, author=TIMOFEEV, sort_authors=sort).run()
    assert not fresh.exception, [e.value for e in fresh.exception]
    assert fresh.selectbox(key="ov_sort_author").value == sort
    assert fresh.selectbox(key="w_topic").value == "sanctions"
    # a unit that does not discuss the sorted-by topic opens on one it discusses
    silent = app(small_runs_dir, author=NHAN_DAN, sort_authors=sort).run()
    assert silent.selectbox(key="w_topic").value == "arms_control"


def test_with_nothing_chosen_the_evidence_opens_on_a_position_that_takes_a_side(
    app, small_runs_dir, tmp_path
):
    from analysis.runs import load_run, resolve_run
    from tests.dashboard.conftest import copy_with_positions, take_sides

    first = app(small_runs_dir).run().selectbox(key="w_author").value  # the table's first
    source = resolve_run("latest", small_runs_dir)
    positions = load_run(str(source)).positions
    discussed = positions["status"] == "discussed"
    # every discussed position takes no side but one author's on one topic, not the first's
    sided = positions[discussed & (positions["level"] == "author")]
    sided = sided[sided["author"] != first].iloc[0]

    def at_sided(table):
        return (table["author"] == sided["author"]) & (table["topic"] == sided["topic"])

    copy_with_positions(source, tmp_path, lambda table: take_sides(table, at_sided(table)))
    at = app(tmp_path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="w_author").value == sided["author"]
    assert at.selectbox(key="w_topic").value == sided["topic"]
    # a unit chosen stays, whether or not it takes a side
    assert app(tmp_path, author=first).run().selectbox(key="w_author").value == first

    # where the first unit's side is weak (its interval across 0) and another's is clear,
    # the clear one is shown first
    def weak_first(table):
        table = take_sides(table, at_sided(table) | (table["author"] == first))
        table.loc[table["author"] == first, ["stance_low", "stance_high"]] = [-0.2, 0.3]
        table.loc[at_sided(table), ["stance_low", "stance_high"]] = [0.1, 0.5]
        return table

    clear = tmp_path / "clear"
    copy_with_positions(source, clear, weak_first)
    at = app(clear).run()
    assert (at.selectbox(key="w_author").value, at.selectbox(key="w_topic").value) == (
        sided["author"],
        sided["topic"],
    )


def test_after_switching_to_articles_the_evidence_opens_on_a_topic_the_article_discusses(
    app, small_runs_dir
):
    at = app(small_runs_dir, author=TIMOFEEV, topic="ukraine").run()
    assert at.selectbox(key="w_topic").value == "ukraine"  # chosen for the author: kept
    at.radio(key="ov_view").set_value("Articles").run()
    assert not at.exception, [e.value for e in at.exception]
    article = at.selectbox(key="w_article").value
    topic = at.selectbox(key="w_topic").value
    assert topic != "ukraine"
    assert not any("Not discussed" in i.value for i in at.info), (article, topic)
    # a topic chosen after the switch stays, discussed or not
    at.selectbox(key="w_topic").set_value("ukraine").run()
    assert at.selectbox(key="w_topic").value == "ukraine"


def test_outlets_view_holds_every_article_an_outlet_published(overview):
    """Under Authors, Valdai is its one unsigned article (Timofeev's signed two are his);
    under Outlets, Valdai is all three, with the evidence of all three."""
    authors = _table(overview)
    assert str(_row(authors, VALDAI, "Sanctions")["Articles"]) == "1"
    overview.radio(key="ov_view").set_value("Outlets").run()
    outlets = _table(overview)
    assert set(outlets["Outlet"]) == {VALDAI, NHAN_DAN}  # the wire report has no outlet
    valdai = _row(outlets, VALDAI, "Sanctions", unit_column="Outlet")
    assert str(valdai["Articles"]) == "3"
    assert valdai["n · coverage"].startswith("3 in 3 articles")
    assert "every article it published, signed or not" in " ".join(
        c.value for c in overview.caption
    )
    overview.selectbox(key="w_outlet").set_value(VALDAI).run()
    overview.selectbox(key="w_topic").set_value("sanctions").run()
    text = _markdown(overview)
    assert "**Valdai Discussion Club** on **Sanctions**" in text
    assert "its authors' own words, in any of its articles" in text
    # Timofeev's signed sentence is evidence for his outlet too, and says whose it is
    assert "sanctions machine in Washington runs on autopilot" in text
    assert "the outlet: all its articles, signed or not" in text
    assert "grouped under the outlet: its unsigned pieces" not in text
    assert f"by {TIMOFEEV}" in text
    # Compare opens on outlets too
    overview.switch_page("app_pages/compare.py").run()
    assert overview.radio(key="cmp_units").value == "Outlets"
    assert overview.query_params["view"] == "Outlets"  # a link reopens this view
    assert overview.query_params["outlet"] == VALDAI


def test_outlets_over_a_date_range_without_articles_say_so(overview):
    overview.radio(key="ov_view").set_value("Outlets").run()
    dates = overview.date_input(key="ov_dates_20181110-120000-seeds000")
    dates.set_value((dt.date(2018, 7, 1), dt.date(2018, 8, 31))).run()
    info = " ".join(i.value for i in overview.info)
    # not "no article names an outlet": every article of the run names one
    assert "No dated article of this run falls in 2018-07-01 to 2018-08-31" in info
    assert "names an outlet" not in info


def test_a_link_names_the_view_in_any_case(app, small_runs_dir):
    at = app(small_runs_dir, view="outlets").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="ov_view").value == "Outlets"
    assert "Outlet" in _table(at).columns


def test_a_date_range_makes_the_authors_positions_over_its_articles(overview):
    before = _row(_table(overview), TIMOFEEV, "Sanctions")
    assert before["Articles"] == "2"  # his June and September pieces
    dates = overview.date_input(key="ov_dates_20181110-120000-seeds000")
    dates.set_value((dt.date(2018, 6, 27), dt.date(2018, 6, 30))).run()
    table = _table(overview)
    after = _row(table, TIMOFEEV, "Sanctions")
    assert after["Articles"] == "1"
    # his June article alone: its own position, not the two articles' together
    overview.radio(key="ov_view").set_value("Articles").run()
    title = "John Bolton in Moscow: Can One Expect a Turnabout in the US-Russia Relations?"
    june = _row(_table(overview), title, "Sanctions", "Title")[STANCE_HEADER]
    assert after[STANCE_HEADER] != before[STANCE_HEADER]
    assert after[STANCE_HEADER].split(" ")[0] == june.split(" ")[0]  # the same number
    captions = [c.value for c in overview.sidebar.caption]
    period = "computed over their dated articles in the date range (2018-06-27 to 2018-06-30"
    assert any(period in c for c in captions)


def test_the_author_filter_lists_the_authors_chosen_not_their_co_authors(app, tmp_path):
    import copy

    from analysis.aggregate import positions
    from analysis.runs import write_run
    from tests.dashboard.conftest import CONFIG_TOML, SMALL_ARTICLES, _meta, _tables_from_specs

    specs = copy.deepcopy(SMALL_ARTICLES)
    shared = next(s for s in specs if s["author"] == TIMOFEEV)
    shared["author"] = f"{TIMOFEEV} and Jane Roe"  # one of his articles, written with her
    run = "20181110-120000-coauth00"
    meta = _meta(len(specs), "2018-11-10T12:00:00")
    tables = _tables_from_specs(specs)
    keys = list(dict.fromkeys(tables["positions"]["topic"]))  # positions that split bylines
    tables["positions"] = positions(tables["articles"], tables["passages"], tables["scores"], keys)
    write_run(tmp_path, run, meta, CONFIG_TOML, tables)
    at = app(tmp_path).run()
    assert "Jane Roe" in set(_table(at)["Author / outlet"])
    at.multiselect(key=f"ov_authors_{run}").set_value([TIMOFEEV]).run()
    assert set(_table(at)["Author / outlet"]) == {TIMOFEEV}


def test_a_run_whose_stored_authors_differ_from_todays_byline_reading_says_so(app, tmp_path):
    import copy

    from analysis.runs import write_run
    from tests.dashboard.conftest import CONFIG_TOML, SMALL_ARTICLES, _meta, _tables_from_specs

    specs = copy.deepcopy(SMALL_ARTICLES)
    next(s for s in specs if s["author"] == TIMOFEEV)["author"] = f"{TIMOFEEV} and Jane Roe"
    meta = _meta(len(specs), "2018-11-10T12:00:00")
    # positions stored by the whole byline, as an older run's rules may have left them
    write_run(tmp_path, "20181110-120000-oldrules", meta, CONFIG_TOML, _tables_from_specs(specs))
    at = app(tmp_path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("stored author positions hold" in c.value for c in at.caption)


def test_a_run_read_as_it_was_made_has_no_byline_note(overview):
    assert not any("stored author positions hold" in c.value for c in overview.caption)


def test_an_outlet_chosen_that_the_corpus_files_under_another_name_says_so(app, tmp_path):
    import copy

    from analysis.runs import write_run
    from tests.dashboard.conftest import CONFIG_TOML, SMALL_ARTICLES, _meta, _tables_from_specs

    specs = copy.deepcopy(SMALL_ARTICLES)
    opinion = next(s for s in specs if s["outlet"] == VALDAI and s["author"] is None)
    opinion["outlet"] = f"{VALDAI} (Opinion)"
    run = "20181110-120000-sibling0"
    write_run(
        tmp_path,
        run,
        _meta(len(specs), "2018-11-10T12:00:00"),
        CONFIG_TOML,
        _tables_from_specs(specs),
    )
    at = app(tmp_path).run()
    at.radio(key="ov_view").set_value("Outlets").run()
    at.multiselect(key=f"ov_outlets_{run}").set_value([VALDAI]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"is filed apart from {VALDAI} (Opinion)" in c.value for c in at.caption)


def test_the_tables_page_lives_in_the_address(app, large_runs_dir):
    """A review: a shared link reopened the table on its first page."""
    first = _table(app(large_runs_dir).run())
    at = app(large_runs_dir, page_author="3").run()
    third = _table(at)
    assert at.query_params["page_author"] == "3"
    assert set(third["Author / outlet"]).isdisjoint(set(first["Author / outlet"]))
    beyond = app(large_runs_dir, page_author="9999").run()  # no such page: the first
    assert list(_table(beyond)["Author / outlet"]) == list(first["Author / outlet"])
    assert "page_author" not in beyond.query_params


def test_a_mixed_position_on_one_passage_is_not_said_to_take_both_sides():
    """A review: "Mixed: these passages take both sides" under a single ambiguous passage."""
    from streamlit.testing.v1 import AppTest

    def script():
        from dashboard.app_pages.overview import _no_stance_note

        _no_stance_note({"stance_status": "mixed", "n_passages": 1}, "Arms control")
        _no_stance_note({"stance_status": "mixed", "n_passages": 3}, "Arms control")

    at = AppTest.from_function(script).run()
    assert not at.exception
    one, several = (i.value for i in at.info)
    assert one.startswith("Mixed: its one passage on Arms control is read as leaning both ways")
    assert one.endswith("an ambiguous passage rather than two sides taken.")
    assert several == "Mixed: these passages take both sides on Arms control."


def test_clicking_a_quoted_voices_cell_opens_their_passages(overview):
    """A review: clicking the quoted voices' cell showed the author's own evidence, and the
    quoted passages behind the clicked number stayed folded below."""
    from dashboard.views import QUOTED_HEADER

    table = _table(overview)
    row = int(
        table.index[(table["Author / outlet"] == VALDAI) & (table["Topic"] == "Arms control")][0]
    )

    def quoted_open(at) -> bool:
        return next(e for e in at.expander if e.label.startswith("Quoted voices on")).proto.expanded

    _click(overview, row, QUOTED_HEADER)
    assert "**Valdai Discussion Club** on **Arms control**" in _markdown(overview)
    assert quoted_open(overview)
    _click(overview, row, STANCE_HEADER)  # the author's own stance: the quotes stay folded
    assert not quoted_open(overview)


def test_no_stance_expressed_says_why_where_the_sides_balance_through_split_passages(
    app, small_runs_dir, tmp_path
):
    """A review: "the passages report or describe without taking a side" was said of a
    passage read 51% favor and 39% against. Where the expected count of sides taken reaches
    min_stance_mass, the note says the sides balance instead."""
    from tests.dashboard.conftest import copy_with_positions

    def edit(positions):
        at = (positions["author"] == TIMOFEEV) & (positions["topic"] == "sanctions")
        positions.loc[at, "stance_status"] = "no_stance"
        positions.loc[at, ["stance", "stance_low", "stance_high"]] = float("nan")
        positions.loc[at, "stance_mass"] = 0.9
        return positions

    copy_with_positions(small_runs_dir / "20181110-120000-seeds000", tmp_path, edit)
    at = app(tmp_path, author=TIMOFEEV, topic="sanctions").run()
    notes = [i.value for i in at.info if i.value.startswith("No stance expressed")]
    assert len(notes) == 1 and "lean to both sides about equally" in notes[0]
    assert "report or describe" not in notes[0]
