"""The Compare page, driven through Streamlit's AppTest on the small seed-like run."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from dashboard.charts import chart_frame
from tests.dashboard.conftest import NHAN_DAN, TIMOFEEV, TOPIC_LABELS, VALDAI


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _chart_specs(at) -> list[dict]:
    """The chart of each measure, in the page's order."""
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def _chart_spec(at) -> dict:
    return _chart_specs(at)[0]


@pytest.fixture
def compare(app, small_runs_dir):
    at = app(small_runs_dir).run()
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_starts_with_the_groups_that_wrote_most(compare):
    chosen = compare.multiselect(key="w_authors").value
    assert chosen == [TIMOFEEV, NHAN_DAN, VALDAI]  # most articles; then authors before outlets
    assert compare.query_params["authors"] == chosen


def test_it_starts_with_groups_whose_own_words_take_a_side_where_two_do(
    app, small_runs_dir, tmp_path
):
    from analysis.runs import resolve_run
    from tests.dashboard.conftest import copy_with_positions, take_sides

    # Valdai (fewest articles of the three) and the wire report take a side; the others none
    sided = [VALDAI, "INF Treaty: a wire report"]
    copy_with_positions(
        resolve_run("latest", small_runs_dir),
        tmp_path,
        lambda table: take_sides(table, table["author"].isin(sided)),
    )
    at = app(tmp_path).run()
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    chosen = at.multiselect(key="w_authors").value
    assert set(chosen[:2]) == set(sided)  # then the most prolific


def test_chart_has_point_and_interval_per_author_and_topic(compare):
    # a chart per measure, each a row of panels per topic: they sit side by side as the
    # page's width allows (one under another on a narrow screen), never wider than the page
    specs = _chart_specs(compare)
    assert [s["title"]["text"] for s in specs] == ["Stance", "Quoted voices", "Tone"]
    for spec in specs:
        assert spec["facet"]["row"]["field"] == "Topic" and "column" not in spec["facet"]
        assert spec["spec"]["transform"] == [
            {"filter": f"(datum.Measure === '{spec['title']['text']}')"}
        ]
        marks = [layer["mark"]["type"] for layer in spec["spec"]["layer"]]
        assert marks == ["rule", "rule", "point", "text"]
        # no mark left to Streamlit's default tooltip, which shows raw fields (low -0.0148...)
        for layer in spec["spec"]["layer"]:
            tip = layer["encoding"]["tooltip"]
            assert tip == {"value": None} or "shown" in {t["field"] for t in tip}


def test_the_chart_names_outlets_as_outlets_and_coverage_as_the_tables_do(compare):
    compare.radio(key="cmp_units").set_value("Outlets").run()
    assert not compare.exception, [e.value for e in compare.exception]
    spec = _chart_spec(compare)
    point = next(x for x in spec["spec"]["layer"] if x["mark"]["type"] == "point")
    titles = {t["field"]: t.get("title") for t in point["encoding"]["tooltip"]}
    assert titles["Author"] == "Outlet" and titles["coverage_shown"] == "coverage"


def _evidence_on(at, topic: str):
    at.radio(key="w_topic").set_value(topic).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_selected_authors_show_their_evidence_and_others_do_not(compare):
    compare.multiselect(key="w_authors").set_value([TIMOFEEV, NHAN_DAN]).run()
    text = _markdown(compare)
    assert "**Ivan Timofeev**" in text
    assert "**Nhan Dan**" in text
    assert "**Valdai Discussion Club**" not in text
    assert "threatens the whole architecture" in text  # Nhan Dan's evidence on arms control
    assert "Extending New START" not in text  # Valdai's, not selected
    text = _markdown(_evidence_on(compare, "sanctions"))
    assert "The sanctions machine in Washington" in text  # Timofeev's evidence on sanctions
    assert "threatens the whole architecture" not in text  # arms control's, not shown now


def test_evidence_is_of_one_topic_chosen_among_all(compare):
    choice = compare.radio(key="w_topic")
    assert choice.options == list(TOPIC_LABELS.values())
    assert [s.value for s in compare.subheader] == [next(iter(TOPIC_LABELS.values()))]
    for key, label in TOPIC_LABELS.items():
        _evidence_on(compare, key)
        assert [s.value for s in compare.subheader] == [label]
        assert compare.query_params["topic"] == key  # a link keeps the topic
    # what "strongest" means is said: a review read a tone-strong, sideless passage first
    # under a stance and took it for the passage behind the stance
    assert any("strongest first: relevance ×" in c.value for c in compare.caption)


def test_a_link_with_a_topic_opens_its_evidence(app, small_runs_dir):
    at = app(small_runs_dir, authors=[TIMOFEEV, NHAN_DAN], topic="sanctions").run()
    at.switch_page("app_pages/compare.py").run()
    assert [s.value for s in at.subheader] == [TOPIC_LABELS["sanctions"]]
    assert "The sanctions machine in Washington" in _markdown(at)


def test_quoted_voices_are_shown_apart_with_speakers(compare):
    compare.multiselect(key="w_authors").set_value([TIMOFEEV, NHAN_DAN]).run()
    reported = [c for c in compare.main.children.values() if "Quoted voices on" in _text_of(c)]
    assert len(reported) == 1  # of the topic whose evidence is shown: arms control, the first
    arms = _text_of(reported[0])
    assert "reported: Dmitry Peskov" in arms
    assert "Russia will respond in kind" in arms
    assert "Nhan Dan: 1 quoted or reported passage(s)" in arms
    # Reported passages never appear among the evidence cards of the own-voice sections.
    assert _markdown(compare).count("Russia will respond in kind") == 1


def test_not_discussed_is_said_in_words(compare):
    captions = [c.value for c in _evidence_on(compare, "sanctions").caption]
    assert "not discussed: no own-voice passage about Sanctions." in captions


def test_one_author_asks_for_more(compare):
    compare.multiselect(key="w_authors").set_value([TIMOFEEV]).run()
    assert any("at least two" in i.value for i in compare.info)


def test_outlets_only_choice_offers_outlet_groups(compare):
    compare.multiselect(key="w_authors").set_value([]).run()
    compare.radio(key="cmp_kinds").set_value("Outlet groups (unsigned pieces)").run()
    options = compare.multiselect(key="w_authors").options
    assert options == [f"{NHAN_DAN} (unsigned pieces)", f"{VALDAI} (unsigned pieces)"]


def test_the_chart_tags_an_outlet_group_as_its_unsigned_pieces(compare):
    """Under Authors an outlet group is the outlet's unsigned articles: its chart row says so,
    so that it is not read as the outlet over all its articles (the Outlets choice)."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    chart = compare.get("vega_lite_chart")[0]  # each measure's chart holds every row
    rows = pd.concat(convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets)
    assert set(rows["Author"]) == {
        TIMOFEEV,
        f"{NHAN_DAN} (unsigned pieces)",
        f"{VALDAI} (unsigned pieces)",
    }


def test_chart_frame_leaves_not_discussed_without_a_value():
    positions = pd.DataFrame(
        [
            {
                "author": "A",
                "topic": "t",
                "status": "discussed",
                "stance": 0.5,
                "stance_low": 0.2,
                "stance_high": 0.8,
                "tone": -0.1,
                "tone_low": -0.3,
                "tone_high": 0.1,
                "n_passages": 3,
                "coverage": 0.1,
            },
            {
                "author": "B",
                "topic": "t",
                "status": "not_discussed",
                "stance": 0.0,
                "stance_low": None,
                "stance_high": None,
                "tone": 0.0,
                "tone_low": None,
                "tone_high": None,
                "n_passages": 0,
                "coverage": 0.0,
            },
        ]
    )
    frame = chart_frame(positions, ["A", "B"], [("t", "Topic T")])
    b = frame[frame["Author"] == "B"]
    assert b["value"].isna().all() and set(b["shown"]) == {"not discussed"}
    a = frame[(frame["Author"] == "A") & (frame["Measure"] == "Stance")].iloc[0]
    assert a["value"] == 0.5 and a["shown"] == "+0.50 [+0.20, +0.80]" and a["Topic"] == "Topic T"
    assert not math.isnan(a["low"])
    # the point's colour: in full where the interval keeps off 0, pale where it crosses it
    assert a["tint"] == 0.5
    tone = frame[(frame["Author"] == "A") & (frame["Measure"] == "Tone")].iloc[0]
    assert abs(tone["tint"]) < abs(tone["value"])
    assert b["tint"].isna().all()
    assert a["coverage_shown"] == "10%"
    tiny = positions.assign(coverage=[0.003, 0.0])
    assert chart_frame(tiny, ["A"], [("t", "Topic T")])["coverage_shown"].iloc[0] == "<1%"


def _text_of(node) -> str:
    """All markdown and caption text inside an AppTest block, depth first."""
    out = []
    value = getattr(node, "value", None)
    if isinstance(value, str):
        out.append(value)
    for child in getattr(node, "children", {}).values():
        out.append(_text_of(child))
    return "\n".join(out)


def test_a_shared_link_restores_the_comparison(app, small_runs_dir):
    at = app(small_runs_dir, authors=[NHAN_DAN, VALDAI]).run()
    at.switch_page("app_pages/compare.py").run()
    assert at.multiselect(key="w_authors").value == [NHAN_DAN, VALDAI]
    assert "**Ivan Timofeev**" not in _markdown(at)


def test_differences_between_the_chosen_authors_have_intervals_and_q_values(compare):
    compare.multiselect(key="w_authors").set_value([TIMOFEEV, NHAN_DAN]).run()
    assert not compare.exception
    assert not [d for d in compare.dataframe if "Measure" in d.value.columns]  # closed: not made
    compare.session_state["cmp_differences_open"] = True  # opened, as a click would
    compare.run()
    (table,) = [d.value for d in compare.dataframe if "Measure" in d.value.columns]
    # named as the cards name them: Nhan Dan's unsigned pieces are tagged so
    assert set(table["A"]) == {TIMOFEEV} and set(table["B"]) == {f"{NHAN_DAN} (unsigned pieces)"}
    assert set(table["Measure"]) == {"Stance", "Tone"}
    assert set(table["Topic"]) <= set(TOPIC_LABELS.values())
    compared = table[table["A − B"] != "not comparable"]
    assert len(compared)
    tested = compared[compared["p"] != ""]
    assert tested["95% interval"].str.startswith("[").all()
    assert tested["q"].map(float).between(0, 1).all()
    untested = compared[compared["p"] == ""]
    assert untested["Note"].str.contains("too few articles").all()  # one article: no test
    assert (table.loc[table["A − B"] == "not comparable", "Note"] != "").all()


def test_a_run_with_two_units_of_one_name_shows_the_author_s_without_failing(app, tmp_path):
    """Runs made before an outlet group named as an author was merged into that author can
    hold both; the evidence shows the author's unit instead of failing."""
    from tests.dashboard.conftest import make_small_run

    run = make_small_run(tmp_path)
    table = pd.read_parquet(run / "positions.parquet")
    twin = table[(table["level"] == "author") & (table["author"] == TIMOFEEV)].copy()
    twin["group_kind"], twin["n_passages"] = "outlet", 99
    pd.concat([twin, table], ignore_index=True).to_parquet(run / "positions.parquet")
    at = app(tmp_path, authors=[TIMOFEEV, NHAN_DAN], topic="sanctions").run()
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    text = _markdown(at)
    assert "n = 2 own-voice passages" in text and "n = 99" not in text


def test_the_first_choice_passes_over_groups_that_discuss_no_topic(app, tmp_path):
    """The page opened on the groups that wrote most; in a news corpus those often discuss
    none of the topics, and the page showed only "not discussed"."""
    from tests.dashboard.conftest import make_small_run

    path = make_small_run(tmp_path)
    positions = pd.read_parquet(path / "positions.parquet")
    silent = (positions["author"] == TIMOFEEV) & (positions["level"] == "author")
    positions.loc[silent, "status"] = "not_discussed"
    positions.to_parquet(path / "positions.parquet")
    at = app(tmp_path).run()
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    chosen = at.multiselect(key="w_authors").value
    assert chosen[:2] == [NHAN_DAN, VALDAI] and TIMOFEEV not in chosen  # he wrote most


def test_evidence_cut_to_the_strongest_says_how_many_there_are(app, tmp_path):
    from tests.dashboard.conftest import make_small_run

    path = make_small_run(tmp_path)
    positions = pd.read_parquet(path / "positions.parquet")
    many = (positions["author"] == TIMOFEEV) & (positions["topic"] == "sanctions")
    many &= positions["level"] == "author"
    positions.loc[many, "n_passages"] = 7  # more than the page lists
    (row,) = positions.index[many]
    stored = list(positions.at[row, "evidence"])
    positions.at[row, "evidence"] = [*stored, "elsewhere:1", "elsewhere:2"]  # kept, not shown
    positions.to_parquet(path / "positions.parquet")
    at = app(tmp_path).run()
    at.switch_page("app_pages/compare.py").run()
    at = _evidence_on(at, "sanctions")
    captions = [c.value for c in at.caption]
    assert f"The {len(stored)} strongest of 7 passages; the Overview lists more." in captions
    at = _evidence_on(at, "arms_control")  # every stored passage shown: nothing to say
    assert not any("strongest of" in c for c in (c.value for c in at.caption))


def test_outlets_are_compared_over_all_their_articles(compare):
    compare.radio(key="cmp_units").set_value("Outlets").run()
    assert not compare.exception, [e.value for e in compare.exception]
    chosen = compare.multiselect(key="w_compared_outlets")
    assert chosen.value == [VALDAI, NHAN_DAN]  # most articles first
    assert "(3)" in chosen.format_func(VALDAI)
    assert "every article it published, signed or not" in " ".join(c.value for c in compare.caption)
    compare.session_state["cmp_differences_open"] = True
    compare.run()
    (table,) = [d.value for d in compare.dataframe if "Measure" in d.value.columns]
    assert set(table["A"]) == {VALDAI} and set(table["B"]) == {NHAN_DAN}
    # the tests' explanation names outlets
    tests_said = next(c.value for c in compare.caption if "bootstrap" in c.value)
    assert "bootstrap over each outlet's articles" in tests_said and "author's" not in tests_said
    # Valdai's sanctions passages come from all three of its articles, two of them signed
    sanctions = table[table["Topic"] == TOPIC_LABELS["sanctions"]]
    assert set(sanctions["Articles"].str.split(" / ").str[0]) == {"3"}
    compare.radio(key="w_topic").set_value("sanctions").run()
    cards = "\n".join(m.value for m in compare.markdown)
    assert "sanctions machine in Washington runs on autopilot" in cards  # Timofeev's, signed
    assert "outlet&#x27;s stance" in cards  # the position's chip (a card's passage keeps its
    # author's stance: the passage is its writer's)
    assert "whose views each outlet quotes" in cards


def test_an_author_on_one_article_is_pale_but_the_voices_it_quotes_are_not_judged_by_it():
    """The author's own stance on one article says little of the author; the quoted voices'
    stance is not made from the author's own articles, so their count does not pale it."""
    from dashboard.views import UNSETTLED_SHADE

    record = {
        "author": "A",
        "topic": "t",
        "status": "discussed",
        "stance": 0.5,
        "stance_low": 0.2,
        "stance_high": 0.8,
        "quoted_stance": 0.6,
        "quoted_low": 0.3,
        "quoted_high": 0.8,
        "tone": -0.4,
        "tone_low": -0.6,
        "tone_high": -0.2,
        "n_passages": 3,
        "n_reported": 4,
        "n_articles_discussing": 1,
        "coverage": 0.1,
    }
    frame = chart_frame(pd.DataFrame([record]), ["A"], [("t", "T")]).set_index("Measure")
    assert frame.loc["Stance", "tint"] == pytest.approx(0.5 * UNSETTLED_SHADE)
    assert frame.loc["Tone", "tint"] == pytest.approx(-0.4 * UNSETTLED_SHADE)
    assert frame.loc["Quoted voices", "tint"] == pytest.approx(0.6)
    two = chart_frame(pd.DataFrame([{**record, "n_articles_discussing": 2}]), ["A"], [("t", "T")])
    assert two.set_index("Measure").loc["Stance", "tint"] == pytest.approx(0.5)


def test_an_outlet_the_corpus_also_files_under_another_name_says_so(app, tmp_path):
    import copy

    from analysis.runs import write_run
    from tests.dashboard.conftest import CONFIG_TOML, SMALL_ARTICLES, _meta, _tables_from_specs

    specs = copy.deepcopy(SMALL_ARTICLES)
    opinion = next(s for s in specs if s["outlet"] == VALDAI and s["author"] is None)
    opinion["outlet"] = f"{VALDAI} (Opinion)"  # its opinion pages filed as an outlet
    meta = _meta(len(specs), "2018-11-10T12:00:00")
    write_run(tmp_path, "20181110-120000-sibling0", meta, CONFIG_TOML, _tables_from_specs(specs))
    at = app(tmp_path).run()
    at.switch_page("app_pages/compare.py").run()
    at.radio(key="cmp_units").set_value("Outlets").run()
    at.multiselect(key="w_compared_outlets").set_value([VALDAI, NHAN_DAN]).run()
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(c.value for c in at.caption)
    assert f"{VALDAI} (2 articles) is filed apart from {VALDAI} (Opinion) (1 article)" in captions
    assert captions.count("is filed apart from") == 1  # Nhan Dan has one name: no note


def test_the_overviews_date_range_is_said_not_to_apply_here(app, small_runs_dir):
    at = app(small_runs_dir, **{"from": "2018-06-27", "to": "2018-06-30"}).run()
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("does not apply here" in c.value for c in at.caption)
    plain = app(small_runs_dir).run()
    plain.switch_page("app_pages/compare.py").run()
    assert not any("does not apply here" in c.value for c in plain.caption)


def test_the_differences_expander_lives_in_the_address(app, small_runs_dir, compare):
    """A review: a copied link reopened every choice but the tests, which had to be opened
    again."""
    compare.multiselect(key="w_authors").set_value([TIMOFEEV, NHAN_DAN]).run()
    compare.session_state["cmp_differences_open"] = True  # opened, as a click would
    compare.run()
    assert compare.query_params["tests"] == "1"
    linked = app(small_runs_dir, authors=[TIMOFEEV, NHAN_DAN], tests="1").run()
    linked.switch_page("app_pages/compare.py").run()
    assert not linked.exception
    assert [d for d in linked.dataframe if "Measure" in d.value.columns]  # open: the table
