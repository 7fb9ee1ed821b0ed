"""The dashboard's pure helpers: formats, colours, topic labels, evidence ids, highlighting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.data import as_id_list
from dashboard.highlight import Span, highlight_html
from dashboard.style import (
    NEGATIVE_COLOR,
    NOT_DISCUSSED_BG,
    POSITIVE_COLOR,
    cell_css,
    diverging_color,
    legend_html,
    md_escape,
    signed,
    with_interval,
)
from dashboard.views import group_kinds, group_order, matrix, page_of, sort_wide, wide_positions


def test_diverging_scale_is_red_for_against_blue_for_favor():
    assert diverging_color(-1) == NEGATIVE_COLOR
    assert diverging_color(1) == POSITIVE_COLOR
    assert diverging_color(0) == "#f7f7f7"
    assert diverging_color(5) == POSITIVE_COLOR  # clipped
    red, _, blue = (int(diverging_color(-0.6)[i : i + 2], 16) for i in (1, 3, 5))
    assert red > blue


def test_tone_has_a_scale_of_its_own_so_negative_wording_is_not_read_as_against():
    """Tone runs purple to green: no tone colour is a stance colour, in tables, chips, the
    Compare chart's points and the legend."""
    from dashboard.charts import chart_frame
    from dashboard.style import TONE_NEGATIVE_COLOR, TONE_POSITIVE_COLOR, cell_css, legend_html

    assert diverging_color(-1, "tone") == TONE_NEGATIVE_COLOR
    assert diverging_color(1, "tone") == TONE_POSITIVE_COLOR
    assert diverging_color(0, "tone") == diverging_color(0)  # zero is near-white on both
    for v in (-1, -0.5, 0.5, 1):
        assert diverging_color(v, "tone") != diverging_color(v)
    red, green, _ = (int(diverging_color(-0.6, "tone")[i : i + 2], 16) for i in (1, 3, 5))
    assert red > green  # purple: no green in negative tone
    assert TONE_NEGATIVE_COLOR in cell_css(-1, "tone") and NEGATIVE_COLOR in cell_css(-1)
    legend = legend_html()
    assert TONE_NEGATIVE_COLOR in legend and NEGATIVE_COLOR in legend
    # a chart coloured by unit (Over time) shows no score keys beside its unit colours
    bare = legend_html(points="hollow", keys=False)
    assert TONE_NEGATIVE_COLOR not in bare and NEGATIVE_COLOR not in bare
    assert "hollow" in bare
    row = {"author": "A", "topic": "t", "status": "discussed", "stance": 0.8, "tone": -0.8}
    row |= {"stance_low": 0.6, "stance_high": 0.9, "tone_low": -0.9, "tone_high": -0.6}
    frame = chart_frame(pd.DataFrame([row]), ["A"], [("t", "T")]).set_index("Measure")
    assert frame.loc["Stance", "fill"] == diverging_color(0.8)
    assert frame.loc["Tone", "fill"] == diverging_color(-0.8, "tone")


def test_missing_scores_are_grey_and_in_words():
    assert NOT_DISCUSSED_BG in cell_css(np.nan)
    assert NOT_DISCUSSED_BG not in cell_css(0.0)
    assert with_interval(None, None, None) == "not discussed"
    assert with_interval(0.42, -0.1, 0.7) == "+0.42 [−0.10, +0.70]"
    # no interval (one passage) says so: its pale colour alone read as a settled small value
    assert with_interval(0.84, None, float("nan")) == "+0.84 (one passage)"
    assert signed(0.0) == "0.00"


def test_evidence_ids_from_any_stored_shape():
    assert as_id_list(np.array(["a:1", "a:2"])) == ["a:1", "a:2"]
    assert as_id_list('["a:1", "b:2"]') == ["a:1", "b:2"]
    assert as_id_list("a:1, b:2") == ["a:1", "b:2"]
    assert as_id_list(None) == [] and as_id_list(float("nan")) == []


def test_highlight_escapes_text_and_tooltips():
    text = 'Intro <script>alert(1)</script>\n\nThey said "no" & left.'
    start = text.index("They")
    html = highlight_html(
        text, [Span(start, len(text), -0.8, 'tip "quoted" <b>', True, "A <Speaker>")]
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&quot;no&quot; &amp; left." in html
    assert 'title="tip &quot;quoted&quot; &lt;b&gt;"' in html
    assert "reported: A &lt;Speaker&gt;" in html
    assert "\n" not in html  # one raw HTML block for st.markdown
    assert f"background:{diverging_color(-0.8)}" in html


def test_highlight_clips_overlaps_and_out_of_range_spans():
    html = highlight_html("abcdef", [Span(0, 4, 0.5, "x"), Span(2, 99, -0.5, "y")])
    assert html.count('class="vp-passage"') == 2
    assert ">abcd</span>" in html and ">ef</span>" in html


def test_md_escape_neutralises_markdown_and_html():
    assert md_escape("*bold* <i>x</i> $5") == "\\*bold\\* &lt;i&gt;x&lt;/i&gt; \\$5"


def _positions() -> pd.DataFrame:
    rows = []
    for author, kind, values in (("B", "author", (0.5, None)), ("A", "outlet", (-0.5, 0.2))):
        for topic, value in zip(("t1", "t2"), values, strict=True):
            rows.append(
                {
                    "level": "author",
                    "author": author,
                    "group_kind": kind,
                    "outlet": "O",
                    "n_articles": 2 if author == "B" else 1,
                    "topic": topic,
                    "status": "discussed" if value is not None else "not_discussed",
                    "stance": value if value is not None else 0.0,
                    "stance_low": None if value is None else value - 0.1,
                    "stance_high": None if value is None else value + 0.1,
                    "tone": 0.0,
                    "tone_low": -0.1,
                    "tone_high": 0.1,
                    "n_passages": 0 if value is None else 3,
                    "n_reported": 1,
                    "coverage": 0.25,
                }
            )
    return pd.DataFrame(rows)


def test_matrix_rows_per_unit_and_topic_with_not_discussed_in_words():
    wide = wide_positions(_positions(), "author")
    table = matrix(wide, [("t1", "Topic one"), ("t2", "Topic two")], [("__name__", "Who")])
    assert list(table.display["Who"]) == ["B", "B", "A", "A"]
    assert table.units == ["B", "B", "A", "A"] and table.topics == ["t1", "t2", "t1", "t2"]
    b2 = table.display.iloc[1]
    assert b2["Stance [interval]"] == "not discussed"  # stored 0.0 is not shown as a score
    assert b2["n · coverage"] == "not discussed (+1 reported)"
    assert np.isnan(table.colour["Stance [interval]"].iloc[1])
    assert table.display.iloc[0]["n · coverage"] == "3 · 25% (+1 reported)"


def test_sorting_by_a_score_ranks_by_the_cautious_end_of_its_interval():
    # "Strong": one strongly worded passage, no interval; "Clear": three passages, all against;
    # "Wide": a stronger point than "Clear" on an interval that reaches past zero.
    wide = pd.DataFrame(
        {
            "t|stance": [-0.9, -0.5, -0.6, np.nan, 0.4],
            "t|stance_low": [np.nan, -0.7, -0.95, np.nan, 0.1],
            "t|stance_high": [np.nan, -0.3, 0.05, np.nan, 0.6],
        },
        index=["Strong", "Clear", "Wide", "Silent", "Favor"],
    )
    assert list(sort_wide(wide, "t|stance", True).index) == [
        "Clear",
        "Wide",
        "Favor",
        "Strong",
        "Silent",
    ]
    # Most favor first ranks by the lower end: the clearly against unit's is the higher.
    assert list(sort_wide(wide, "t|stance", False).index) == [
        "Favor",
        "Clear",
        "Wide",
        "Strong",
        "Silent",
    ]
    # Without interval columns the score itself decides, as before.
    plain = sort_wide(wide[["t|stance"]], "t|stance", True)
    assert list(plain.index) == ["Strong", "Wide", "Clear", "Favor", "Silent"]
    # an interval over two passages (narrow where the two happen to agree) ranks with those
    # without one
    counted = wide.assign(**{"t|n_passages": [1, 2, 5, 0, 4]})
    assert list(sort_wide(counted, "t|stance", True).index) == [
        "Wide",
        "Favor",
        "Strong",
        "Clear",
        "Silent",
    ]
    # an author whose position rests on one article ranks with those without an interval
    # (its interval is that article's), at author level only
    articles = counted.assign(**{"t|n_articles_discussing": [1, 1, 1, 0, 3]})
    assert list(sort_wide(articles, "t|stance", False).index) == [
        "Favor",  # the only one ranked by its interval: then the rest by their score
        "Clear",
        "Wide",
        "Strong",
        "Silent",
    ]
    assert list(sort_wide(articles, "t|stance", False, level="article").index) == list(
        sort_wide(counted, "t|stance", False).index
    )


def test_articles_sort_by_date_and_title_as_text_undated_last():
    """A review: Newest first, Oldest first and Title left the Articles view in stored order
    (their columns were read as numbers, every one NaN)."""
    wide = pd.DataFrame(
        {"date": ["2018-04-16", None, "2014-09-04", "2019-01-02"], "title": ["b", "C", "a", None]},
        index=["x", "y", "z", "w"],
    )
    assert list(sort_wide(wide, "date", False, level="article").index) == ["w", "x", "z", "y"]
    assert list(sort_wide(wide, "date", True, level="article").index) == ["z", "x", "w", "y"]
    assert list(sort_wide(wide, "title", True, level="article").index) == ["z", "x", "y", "w"]


def test_sorting_puts_not_discussed_last_and_pages_clip():
    wide = wide_positions(_positions(), "author")
    assert list(sort_wide(wide, "t2|stance", True).index) == ["A", "B"]
    assert list(sort_wide(wide, "t1|stance", False).index) == ["B", "A"]
    assert list(sort_wide(wide, "__name__", True).index) == ["A", "B"]
    assert list(page_of(wide, 99, 1).index) == ["A"]  # the last page
    with pytest.raises(ValueError, match="expected page_size >= 1"):
        page_of(wide, 1, 0)


def test_rows_that_discuss_a_topic_without_a_stance_come_before_those_that_do_not():
    # An audit sorted by Sanctions, every row listed: authors who discuss sanctions with no
    # stance expressed were mixed in among the not-discussed rows, on a later page.
    wide = pd.DataFrame(
        {
            "s|stance": [None, None, 0.4, None, -0.3],
            "s|status": ["not_discussed", "discussed", "discussed", "not_discussed", "discussed"],
        },
        index=["Silent1", "NoStance", "Favor", "Silent2", "Against"],
    )
    for ascending, first in ((True, ["Against", "Favor"]), (False, ["Favor", "Against"])):
        order = list(sort_wide(wide, "s|stance", ascending).index)
        assert order == [*first, "NoStance", "Silent1", "Silent2"]


def test_group_order_most_articles_then_authors_before_outlets():
    articles = pd.DataFrame(
        {
            "group": ["Out", "Zed", "Zed", "Amy", "Art"],
            "group_kind": ["outlet", "author", "author", "author", "article"],
        }
    )
    assert group_order(articles) == ["Zed", "Amy", "Out", "Art"]


def test_an_outlet_a_byline_names_as_an_author_is_that_author_as_in_the_positions():
    # "USA TODAY": 2 unsigned pieces (its outlet group), credited once in a Sun-Times byline
    articles = pd.DataFrame(
        {
            "article_id": ["u1", "u2", "s1"],
            "group": ["USA TODAY", "USA TODAY", "USA TODAY, Ann"],
            "groups": [["USA TODAY"], ["USA TODAY"], ["USA TODAY", "Ann"]],
            "group_kind": ["outlet", "outlet", "author"],
        }
    )
    assert group_kinds(articles) == {"USA TODAY": "author", "Ann": "author"}
    lone = articles.iloc[:2].drop(columns="groups")
    assert group_kinds(lone) == {"USA TODAY": "outlet"}  # named by no byline: an outlet


def test_the_legend_says_how_the_runs_stance_rule_makes_a_stance():
    assert "pull it toward 0" in legend_html("mean")
    assert "passages that take a side" in legend_html("balance")
    assert "pull it toward 0" not in legend_html("balance")
    assert legend_html() == legend_html("mean")
    assert "wide where it rests on few passages" in legend_html()
    assert "plain percentile" in legend_html(extended_intervals=False)
    # each topic's target says what favor means; a chart of points says how they are drawn
    targets = legend_html(targets=[("Sanctions", "sanctions on Russia"), ("Mine", None)])
    assert "favor means for: Sanctions: “sanctions on Russia”" in targets
    assert "Mine" not in targets  # a topic without a target is not listed as if it had one
    assert "favor means for" not in legend_html()
    hollow = legend_html(points="hollow")
    assert "a point is hollow" in hollow and "a cell is pale" not in hollow
    assert "one article" not in hollow  # one article's points: the author's count does not apply
    assert "a point is pale where" in legend_html(points="pale")
    assert "a cell is pale" in legend_html() and "one article" in legend_html()


def test_shift_table_says_how_the_split_was_found_only_when_there_is_one():
    from dashboard.views import shift_table

    common = {"topic": "t", "measure": "stance", "n_before": 3, "n_after": 1}
    measured = {
        **common,
        "author": "A",
        "split_date": "2019-02-01",
        "detected": True,
        "before": -0.25,
        "after": 0.5,
        "shift": 0.75,
        "low": -0.1,
        "high": 1.2,
        "p_value": 0.2,
    }
    unsplit = {**common, "author": "B", "split_date": None, "shift": None, "note": "one article"}
    table = shift_table([measured, unsplit], {"t": "Topic T"})
    assert table["How"].tolist() == ["detected", ""]
    assert table.loc[0, "Before"] == "−0.25" and table.loc[0, "95% interval"] == "[−0.10, +1.20]"
    assert table.loc[1, "Shift"] == "" and table.loc[1, "Note"] == "one article"
    # a detected split's uncorrected interval is said once, in the caption, not on every row;
    # where its interval and p disagree about 0, that is said on its row
    assert table.loc[0, "Note"] == ""
    odd = {**measured, "p_value": 0.01, "note": "p under 0.05 but the interval includes 0"}
    assert shift_table([odd], {"t": "Topic T"}).loc[0, "Note"] == odd["note"]
    assert table.loc[0, "q"] == ""  # no q-value given (a caller that computes none)
    both = shift_table([{**measured, "q_value": 0.4}, unsplit], {"t": "Topic T"})
    assert both["q"].tolist() == ["0.400", ""]
    chosen = shift_table([{**measured, "detected": False}], {"t": "Topic T"})
    assert chosen.loc[0, "Note"] == ""  # the user's own date: nothing was searched
    # before / after only where there is a split: else the articles there are, not "4 / 0"
    assert table["Articles"].tolist() == ["3 / 1", "4"]
    # a detected change fell in the gap before its first date: both ends, as `shift` says
    gap = shift_table([{**measured, "last_before": "2015-03-01"}], {"t": "Topic T"})
    assert gap.loc[0, "Split"] == "between 2015-03-01 and 2019-02-01"
    assert table.loc[0, "Split"] == "2019-02-01"  # no earlier date recorded
    mine = shift_table([{**measured, "detected": False, "last_before": "2015-03-01"}], {})
    assert mine.loc[0, "Split"] == "2019-02-01"  # the user's own date
    # the shifts measured come first, whatever the order given
    assert shift_table([unsplit, measured], {"t": "Topic T"})["Author"].tolist() == ["A", "B"]


def test_difference_table_writes_minus_signs_and_marks_what_cannot_be_compared():
    from dashboard.views import difference_table

    tests = pd.DataFrame(
        {
            "topic": ["t", "t"],
            "measure": ["stance", "tone"],
            "a": ["A", "A"],
            "b": ["B", "B"],
            "difference": [-0.3, np.nan],
            "low": [-0.5, np.nan],
            "high": [-0.1, np.nan],
            "p_value": [0.04, np.nan],
            "q_value": [0.08, np.nan],
            "note": ["", "B has no passages"],
            "n_articles_a": [5, 5],
            "n_articles_b": [2, 0],
        }
    )
    table = difference_table(tests, {"t": "Topic T"})
    assert table["A − B"].tolist() == ["−0.30", "not comparable"]
    assert table["Articles"].tolist() == ["5 / 2", "5 / 0"]
    assert table.loc[0, "95% interval"] == "[−0.50, −0.10]" and table.loc[0, "p"] == "0.040"
    # what can be compared comes first, whatever the order of the tests
    flipped = difference_table(tests.iloc[::-1], {"t": "Topic T"})
    assert flipped["A − B"].tolist() == ["−0.30", "not comparable"]
    assert flipped["Note"].tolist() == ["", "B has no passages"]
    # a unit named as the cards name it (a review: "The Hill" where they said "(unsigned pieces)")
    tagged = difference_table(tests, {"t": "Topic T"}, lambda u: f"{u} (unsigned pieces)")
    assert tagged.loc[0, "B"] == "B (unsigned pieces)"


def test_a_small_share_reads_under_one_percent_not_zero():
    from dashboard.style import percent

    assert percent(0.123) == "12%"
    assert percent(0.003) == "<1%"  # one passage of hundreds is not none
    assert percent(0.0) == "0%" and percent(1.0) == "100%"
    assert percent(0.996) == ">99%"  # a probability short of certain is not shown as certain
    assert percent(None) == "–"


def test_counts_are_written_in_the_right_number():
    from analysis.labels import counted

    assert counted(1, "article") == "1 article"
    assert counted(2000, "article") == "2,000 articles"
    assert counted(0, "passage") == "0 passages"
    assert counted(1, "author or outlet group", "authors and outlet groups") == (
        "1 author or outlet group"
    )
    assert counted(3, "author or outlet group", "authors and outlet groups") == (
        "3 authors and outlet groups"
    )


def test_a_position_without_quoted_voices_is_not_labelled_quoted_voices_twice():
    from dashboard.evidence import position_html

    row = {
        "status": "discussed",
        "stance": 0.4,
        "stance_low": 0.1,
        "stance_high": 0.6,
        "stance_status": "expressed",
        "tone": -0.2,
        "n_passages": 1,
        "n_reported": 0,
        "stance_mass": 0.7,
        "coverage": 0.003,
    }
    shown = position_html(row)
    assert "quoted voices no quoted voices" not in shown and ">no quoted voices<" in shown
    assert (
        "n = 1 own-voice passage · 0.70 of 1 expected to take a side "
        "(each passage&#x27;s P(favor) + P(against), summed)" in shown
    )
    assert "coverage &lt;1% of all its passages" in shown  # a unit's, over all its articles
    article = position_html({**row, "level": "article"})
    assert "coverage &lt;1% of this article&#x27;s passages" in article
    # an author's summary says how many of their articles the numbers rest on
    both = position_html({**row, "n_articles": 6, "n_articles_discussing": 1})
    assert "own words in 1 of its 6 articles" in both
    assert "own words in" not in position_html({**row, "n_articles": 1, "n_articles_discussing": 1})


def test_quoted_voices_that_take_both_sides_read_mixed_as_the_author_s_stance_does():
    from dashboard.charts import chart_frame
    from dashboard.evidence import position_html

    row = {
        "author": "A",
        "topic": "t",
        "status": "discussed",
        "stance": 0.4,
        "stance_status": "expressed",
        "quoted_stance": -0.04,
        "quoted_low": -0.19,
        "quoted_high": 0.12,
        "quoted_status": "mixed",
        "tone": -0.2,
        "n_passages": 2,
        "n_reported": 3,
    }
    assert "quoted voices (mixed) −0.04" in position_html(row).replace("-", "−")
    frame = chart_frame(pd.DataFrame([row]), ["A"], [("t", "Topic T")])
    quoted = frame[frame["Measure"] == "Quoted voices"].iloc[0]
    assert quoted["value"] == -0.04 and "mixed" in quoted["shown"]
    row["quoted_status"] = "expressed"
    assert "(mixed)" not in position_html(row)


def test_a_stored_negative_zero_reads_zero_percent():
    from dashboard.style import percent

    assert percent(-0.0) == "0%" and percent(-0.001) == "0%"


def test_a_unit_that_speaks_only_through_quotes_reads_only_quoted_voices():
    from dashboard.style import NO_STANCE, ONLY_QUOTED, stance_words

    assert stance_words("discussed", "no_stance", None, n_own=0) == ONLY_QUOTED
    assert stance_words("discussed", "no_stance", None, n_own=2) == NO_STANCE
    assert stance_words("not_discussed", None, None, n_own=0) != ONLY_QUOTED


def test_the_compare_chart_counts_quotes_for_the_quoted_voices_and_says_what_n_is():
    from dashboard.charts import chart_frame

    row = {"author": "A", "topic": "t", "status": "discussed", "stance": 0.4}
    row |= {"stance_status": "expressed", "quoted_stance": -0.3, "quoted_status": "expressed"}
    row |= {"tone": -0.2, "n_passages": 2, "n_reported": 1}
    frame = chart_frame(pd.DataFrame([row]), ["A"], [("t", "Topic T")]).set_index("Measure")
    assert frame.loc["Quoted voices", "n"] == 1
    assert frame.loc["Quoted voices", "passages"] == "1 quote"
    assert frame.loc["Stance", "n"] == 2 and frame.loc["Stance", "passages"] == "2 own-voice"
    with_quotes = chart_frame(pd.DataFrame([row]), ["A"], [("t", "Topic T")], True)
    assert "quotes counted as the author's" in with_quotes.iloc[0]["passages"]


def test_the_legend_says_n_includes_quotes_where_the_run_counts_them():
    assert "n: own-voice passages" in legend_html("mean")
    counted = legend_html("mean", counts_reported=True)
    assert "n: own-voice" not in counted and "quotes included" in counted


def test_quotes_without_a_speaker_reading_rank_by_their_stance_as_the_measure_reads_them():
    from dashboard.data import TextStore
    from dashboard.evidence import reported_frame

    def quote(pid, favor, against, speaker_favor, speaker_against, relevance=0.8):
        return {"passage_id": pid, "article_id": "a", "topic": "t", "reported": True}, {
            "relevance": relevance,
            "stance_favor": favor,
            "stance_against": against,
            "stance": favor - against,
            "speaker_favor": speaker_favor,
            "speaker_against": speaker_against,
            "speaker_stance": speaker_favor - speaker_against,
        }

    rows = [quote("a:0", 0.1, 0.1, 0.2, 0.1), quote("a:1", 0.9, 0.05, np.nan, np.nan)]
    reported = pd.DataFrame([key | values for key, values in rows])
    passages = pd.DataFrame(
        {"passage_id": ["a:0", "a:1"], "article_id": "a", "text": ["x", "y"], "start": 0}
    ).assign(end=1)
    scores = reported.set_index(["passage_id", "topic"], drop=False)
    store = TextStore(passages.set_index("passage_id", drop=False), scores, reported, pd.Series())
    frame, total = reported_frame(store, ["a"], "t", 2)
    assert total == 2
    assert list(frame["passage_id"]) == ["a:1", "a:0"]  # its stance takes a side, clearly


def test_a_cell_whose_predictions_all_failed_reads_no_prediction_not_not_discussed():
    from dashboard.evidence import position_html
    from dashboard.style import quoted_words, stance_words

    row = {"status": "unscored", "stance": np.nan, "n_reported": 0, "n_passages": 0}
    assert stance_words("unscored", None, np.nan) == "no prediction"
    assert stance_words("not_discussed", None, np.nan) == "not discussed"
    assert quoted_words(row) == "no prediction"
    assert "no prediction" in position_html(row) and "not discussed" not in position_html(row)
    positions = _positions()
    positions.loc[positions["status"] == "not_discussed", "status"] = "unscored"
    table = matrix(wide_positions(positions, "author"), [("t2", "Topic two")], [])
    assert table.display.iloc[0]["Stance [interval]"] == "no prediction"
    assert table.display.iloc[0]["n · coverage"].startswith("no prediction")


def test_a_sort_for_a_side_no_row_takes_says_so():
    from dashboard.views import one_sided_note

    wide = pd.DataFrame({"t|stance": [0.03, 0.2, np.nan], "t|tone": [-0.2, 0.1, np.nan]})
    note = one_sided_note(wide, "t|stance", True)
    assert note == (
        "No score ranked by its interval is on the against side of 0: the first rows are those "
        "whose intervals reach least far toward favor, none of them against (a score on one or "
        "two passages, or an author's on one article, follows them)."
    )
    assert one_sided_note(wide, "t|stance", False) is None  # there are favor scores
    assert one_sided_note(wide, "t|tone", True) is None  # and a negative tone
    assert one_sided_note(wide, "__name__", True) is None
    # the only negative scores rest on one article: they follow the ranked rows, which are
    # all on the favor side, so the note still says none of the first rows is against
    ranked = pd.DataFrame(
        {
            "t|stance": [0.03, 0.2, -0.4],
            "t|stance_low": [0.01, 0.1, -0.6],
            "t|stance_high": [0.05, 0.3, -0.2],
            "t|n_passages": [9, 9, 9],
            "t|n_articles_discussing": [5, 4, 1],
        }
    )
    assert one_sided_note(ranked, "t|stance", True, "author") is not None
    assert one_sided_note(ranked, "t|stance", True, "article") is None  # no article rule


def test_an_authors_n_says_how_many_articles_its_interval_rests_on():
    from dashboard.views import UNSETTLED_SHADE

    positions = _positions().assign(n_articles_discussing=2)
    table = matrix(wide_positions(positions, "author"), [("t1", "Topic one")], [])
    assert table.display.iloc[0]["n · coverage"] == "3 in 2 articles · 25% (+1 reported)"
    single = matrix(
        wide_positions(positions.assign(n_articles_discussing=1), "author"), [("t1", "T")], []
    )
    assert single.display.iloc[0]["n · coverage"] == "3 in 1 article · 25% (+1 reported)"
    # an author's score on one article is pale whatever its interval; at article level the
    # count of articles is not shown and does not pale it
    settled = positions.assign(stance_low=0.1, stance_high=0.9, stance=0.5, tone_low=0.1)
    settled = settled.assign(tone_high=0.9, tone=0.5)
    two = matrix(wide_positions(settled, "author"), [("t1", "T")], [])
    one = matrix(
        wide_positions(settled.assign(n_articles_discussing=1), "author"), [("t1", "T")], []
    )
    for header in ("Stance [interval]", "Tone [interval]"):
        assert two.colour[header].iloc[0] == pytest.approx(0.5)
        assert one.colour[header].iloc[0] == pytest.approx(0.5 * UNSETTLED_SHADE)
    article_level = matrix(
        wide_positions(settled.assign(n_articles_discussing=1), "author"),
        [("t1", "T")],
        [],
        level="article",
    )
    assert article_level.colour["Stance [interval]"].iloc[0] == pytest.approx(0.5)
    assert article_level.display.iloc[0]["n · coverage"] == "3 · 25% (+1 reported)"
    # the quoted voices on one article are pale too (runs that record the articles quoted);
    # a run without the count leaves them as they were
    quoted = settled.assign(quoted_stance=0.6, quoted_low=0.3, quoted_high=0.9)
    quoted = quoted.assign(quoted_status="expressed")
    header = "Quoted voices' stance"
    older = matrix(wide_positions(quoted, "author"), [("t1", "T")], [])
    assert older.colour[header].iloc[0] == pytest.approx(0.6)
    many = matrix(wide_positions(quoted.assign(n_articles_quoting=3), "author"), [("t1", "T")], [])
    assert many.colour[header].iloc[0] == pytest.approx(0.6)
    once = matrix(wide_positions(quoted.assign(n_articles_quoting=1), "author"), [("t1", "T")], [])
    assert once.colour[header].iloc[0] == pytest.approx(0.6 * UNSETTLED_SHADE)


def test_a_cell_is_coloured_in_full_only_where_its_interval_keeps_to_one_side_of_zero():
    from dashboard.views import UNSETTLED_SHADE, shade

    assert shade(0.6, 0.2, 0.9) == 0.6  # clearly favor: full colour
    assert shade(-0.6, -1.0, 0.3) == pytest.approx(-0.6 * UNSETTLED_SHADE)  # across 0: pale
    assert shade(-0.9, None, None) == pytest.approx(-0.9 * UNSETTLED_SHADE)  # one passage
    assert np.isnan(shade(None, None, None))  # no score: grey
    # in the table: a score whose interval reaches across 0 is paler than its number
    positions = _positions().assign(stance_low=-0.5, stance_high=0.5)
    table = matrix(wide_positions(positions, "author"), [("t1", "Topic one")], [])
    shown = table.colour["Stance [interval]"].dropna()
    assert len(shown) and all(abs(v) < 0.5 * UNSETTLED_SHADE + 1e-9 for v in shown)


def test_a_summary_chip_is_pale_where_the_table_cell_is():
    """The chips above the evidence colour a score as the tables do: in full where it is
    settled, pale where an author's rests on one article or its interval reaches across 0 (an
    audit found a one-article, one-passage +0.89 as the darkest chip on the page)."""
    from dashboard.evidence import position_html
    from dashboard.style import diverging_color
    from dashboard.views import UNSETTLED_SHADE

    row = {
        "level": "author",
        "status": "discussed",
        "stance": 0.8,
        "stance_low": 0.6,
        "stance_high": 0.95,
        "stance_status": "expressed",
        "tone": -0.7,
        "tone_low": -0.9,
        "tone_high": -0.5,
        "n_passages": 9,
        "n_reported": 0,
        "n_articles": 5,
        "n_articles_discussing": 4,
    }
    full, pale = diverging_color(0.8), diverging_color(0.8 * UNSETTLED_SHADE)
    assert full != pale
    settled = position_html(row)
    tone = diverging_color(-0.7, "tone")  # tone on its own scale, not the stance's red
    assert f"background:{full}" in settled and f"background:{tone}" in settled
    assert f"background:{diverging_color(-0.7)}" not in settled
    one = position_html({**row, "n_articles_discussing": 1})
    assert f"background:{pale}" in one and f"background:{full}" not in one
    assert f"background:{diverging_color(-0.7 * UNSETTLED_SHADE, 'tone')}" in one  # tone too
    across = position_html({**row, "stance_low": -0.1})
    assert f"background:{pale}" in across
    # an article's own row: one article is what it is, not a reason to pale it
    article = position_html({**row, "level": "article", "n_articles_discussing": 1})
    assert f"background:{full}" in article


def test_a_link_made_when_sorts_were_named_most_first_still_opens_its_sort():
    from dashboard.views import sort_named, sort_options

    sorts = sort_options([("ukraine", "Ukraine")], "author")
    assert sort_named("Ukraine: stance, clearest favor first", sorts) in sorts
    assert sort_named("Ukraine: stance, most favor first", sorts) == (
        "Ukraine: stance, clearest favor first"
    )
    assert sort_named("Ukraine: stance, most loved first", sorts) is None


def test_a_stance_sure_to_be_near_0_says_so_and_one_that_may_be_larger_does_not():
    """+0.02 [+0.01, +0.04] is a sure reading of almost nothing (an audit found such a
    stance read as an outlet favoring sanctions): it says "near 0"; a wide interval around a
    small value says nothing of the kind, nor does a large stance."""
    from dashboard.style import stance_words

    assert stance_words("discussed", "expressed", 0.02, 0.01, 0.04) == "+0.02 [+0.01, +0.04] near 0"
    assert "near 0" not in stance_words("discussed", "expressed", 0.02, -0.2, 0.3)
    assert "near 0" not in stance_words("discussed", "expressed", 0.3, 0.1, 0.5)
    assert "near 0" not in stance_words("discussed", "expressed", 0.02)  # no interval
    mixed = stance_words("discussed", "mixed", 0.01, -0.03, 0.04)
    assert mixed == "+0.01 [−0.03, +0.04] mixed"  # both sides taken: not "no side"


def test_clearest_favor_first_does_not_start_with_a_stance_sure_to_be_near_0():
    """A cautious end within ±0.05 is no clearer than 0: the sure +0.02 ties at 0 with a
    wider +0.30 and ranks after it by its score, under the clearly favoring one."""
    wide = pd.DataFrame(
        {
            "t|stance": [0.02, 0.30, 0.40],
            "t|stance_low": [0.01, -0.02, 0.10],
            "t|stance_high": [0.04, 0.62, 0.70],
        },
        index=["Near", "Wide", "Clear"],
    )
    assert list(sort_wide(wide, "t|stance", False).index) == ["Clear", "Wide", "Near"]


def test_a_highlighted_tone_is_coloured_on_tone_s_scale():
    text = "Sanctions were tightened."
    stance = highlight_html(text, [Span(0, len(text), -0.7, "tip")])
    tone = highlight_html(text, [Span(0, len(text), -0.7, "tip", scale="tone")])
    assert diverging_color(-0.7) in stance and diverging_color(-0.7, "tone") in tone
    assert diverging_color(-0.7) not in tone


def test_chips_and_chart_points_say_near_0_as_the_table_does():
    from dashboard.charts import chart_frame
    from dashboard.evidence import position_html

    row = {"author": "A", "topic": "t", "status": "discussed", "stance": 0.02, "tone": -0.1}
    row |= {"stance_low": 0.01, "stance_high": 0.04, "stance_status": "expressed"}
    row |= {"tone_low": -0.2, "tone_high": 0.0, "n_passages": 9, "n_reported": 0}
    assert "stance (near 0) +0.02" in position_html(row)
    frame = chart_frame(pd.DataFrame([row]), ["A"], [("t", "T")]).set_index("Measure")
    assert frame.loc["Stance", "shown"].endswith("near 0")
    assert "near 0" not in frame.loc["Tone", "shown"]


def test_a_shift_holds_on_its_q_value_not_on_p_alone():
    from dashboard.views import shift_holds

    tested = {"shift": -0.3, "p_value": 0.048, "q_value": 0.35, "low": -0.6, "high": -0.1}
    assert not shift_holds(tested)  # p under 0.05, but not over the table's tests
    assert shift_holds({**tested, "q_value": 0.03})
    assert shift_holds({**tested, "q_value": None})  # no q given: p
    assert not shift_holds({**tested, "q_value": 0.03, "low": None, "high": None})  # no interval
    assert not shift_holds({"shift": None, "p_value": None, "q_value": None})
    # at a date the analyst chose, a test and an interval that disagree are not settled
    at_date = {"shift": 0.3, "p_value": 0.01, "q_value": 0.02, "detected": False}
    assert shift_holds({**at_date, "low": 0.05, "high": 0.6})
    assert not shift_holds({**at_date, "low": -0.05, "high": 0.6})
    # at a detected change point too (its p passes a change in spread too often)
    assert not shift_holds({**at_date, "detected": True, "low": -0.05, "high": 0.6})
    assert shift_holds({**at_date, "detected": True, "low": 0.05, "high": 0.6})


def test_text_on_a_score_colour_is_whichever_of_white_or_dark_reads_better():
    """Mid-green tone cells had white text at 2.4:1; the text colour is now the one of higher
    contrast on each scale's colour."""
    from dashboard.style import text_color

    assert text_color(0.56, "tone") == "#1f1f1f"  # mid-green: dark text
    assert text_color(-1, "tone") == "#ffffff" and text_color(1) == "#ffffff"  # deep ends
    assert text_color(0) == "#1f1f1f" and text_color(0, "tone") == "#1f1f1f"  # near-white


def test_the_legend_keeps_keys_targets_and_pale_in_view_and_the_rest_in_its_detail():
    from dashboard.style import legend_html

    targets = [("Sanctions", "sanctions on Russia")]
    short = legend_html(targets=targets, part="short")
    detail = legend_html(targets=targets, part="detail")
    assert NEGATIVE_COLOR in short and "sanctions on Russia" in short and "pale" in short
    assert "pull it toward 0" not in short and "near 0" not in short
    assert "pull it toward 0" in detail and "near 0" in detail and "coverage:" in detail
    assert NEGATIVE_COLOR not in detail
    full = legend_html(targets=targets)
    assert all(words in full for words in ("pull it toward 0", "sanctions on Russia", "pale"))
    with pytest.raises(ValueError, match="expected part"):
        legend_html(part="middle")


def test_unit_colours_are_none_of_the_score_colours():
    """A unit's colour on a chart must not read as a side or a tone: far from the ends of
    both diverging scales."""
    from dashboard.style import CATEGORY_COLORS

    def rgb(hex_colour):
        return [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]

    ends = [diverging_color(v, s) for s in ("stance", "tone") for v in (-1, -0.6, 0.6, 1)]
    for colour in CATEGORY_COLORS:
        nearest = min(
            sum((a - b) ** 2 for a, b in zip(rgb(colour), rgb(e), strict=True)) ** 0.5 for e in ends
        )
        assert nearest > 60, (colour, nearest)
    assert len(set(CATEGORY_COLORS)) == len(CATEGORY_COLORS) >= 10


def test_near_0_is_judged_on_the_interval_as_shown_and_the_sort_note_on_clear_ends():
    from analysis.intervals import settled_near_zero
    from dashboard.views import one_sided_note

    # +0.02 [−0.02, +0.05] is shown so whether its end is 0.048 or 0.052: judged alike
    assert settled_near_zero(-0.02, 0.052) and settled_near_zero(-0.02, 0.048)
    assert not settled_near_zero(-0.02, 0.056)  # shown +0.06
    # favor scores exist, but no ranked interval's lower end is beyond +0.05: said so
    wide = pd.DataFrame(
        {
            "t|stance": [0.05, 0.03],
            "t|stance_low": [-0.02, 0.01],
            "t|stance_high": [0.12, 0.05],
            "t|n_passages": [9, 9],
        }
    )
    note = one_sided_note(wide, "t|stance", False, "article")
    assert note is not None and note.startswith("No score ranked by its interval is clearly favor")
    clear = wide.assign(**{"t|stance_low": [0.08, 0.01]})
    assert one_sided_note(clear, "t|stance", False, "article") is None


def test_the_short_legend_says_tone_is_not_a_side_and_a_unit_chart_gets_no_grey_chip():
    from dashboard.style import NOT_DISCUSSED, legend_html

    short = legend_html(part="short")
    assert "tone: the wording, not a side" in short and "or outlet's rests" in short
    bare = legend_html(points="hollow", keys=False, part="short")
    assert NOT_DISCUSSED not in bare and NEGATIVE_COLOR not in bare


def test_a_quoted_voices_chip_says_near_0_as_its_cell_does():
    from dashboard.evidence import position_html

    row = {"level": "author", "status": "discussed", "stance": 0.4, "stance_low": 0.2}
    row |= {"stance_high": 0.6, "stance_status": "expressed", "n_passages": 5, "n_reported": 9}
    row |= {"quoted_stance": 0.02, "quoted_low": 0.0, "quoted_high": 0.04}
    row |= {"quoted_status": "expressed"}
    assert "quoted voices (near 0) +0.02" in position_html(row)


def test_a_listed_shift_s_heading_says_what_it_rests_on():
    from dashboard.views import shift_heading

    item = {"author": "CNN", "measure": "tone", "before": -0.1, "after": -0.4, "shift": -0.3}
    item |= {"split_date": "2016-06-01", "low": -0.5, "high": -0.1, "p_value": 0.004}
    item |= {"q_value": 0.02, "n_before": 12, "n_after": 30}
    heading = shift_heading(item, "Ukraine")
    assert heading.startswith("**CNN, Ukraine (tone)**: −0.10 → −0.40 at 2016-06-01")
    assert "shift −0.30 [−0.50, −0.10], p 0.004, q 0.020, articles 12 / 30" in heading
    found = shift_heading({**item, "detected": True, "last_before": "2016-05-12"}, "Ukraine")
    assert "−0.40 between 2016-05-12 and 2016-06-01: shift" in found  # when in the gap: unsaid
    assert "p <0.001" in shift_heading({**item, "p_value": 0.0002}, "Ukraine")


def test_each_topics_tone_is_pooled_over_its_articles_and_set_beside_the_outlets():
    from dashboard.views import (
        TONE_BASELINE_MIN_ARTICLES,
        outlet_tone_ranges,
        tone_baseline_note,
        topic_tone_means,
    )

    n = TONE_BASELINE_MIN_ARTICLES
    rows = [{"topic": "sanctions", "status": "discussed", "tone": -0.8, "n_passages": 3}]
    rows += [{"topic": "sanctions", "status": "discussed", "tone": -0.2, "n_passages": 1}] * (n - 1)
    rows += [{"topic": "sanctions", "status": "not_discussed", "tone": np.nan, "n_passages": 0}]
    rows += [{"topic": "ukraine", "status": "discussed", "tone": 0.4, "n_passages": 2}] * (n - 1)
    means = topic_tone_means(pd.DataFrame(rows), ["sanctions", "ukraine", "arms"])
    assert list(means) == ["sanctions"]  # Ukraine: too few articles to set a baseline
    mean, count = means["sanctions"]
    # pooled as an outlet's tone is: the three-passage article weighs three times
    assert count == n and mean == pytest.approx((-0.8 * 3 - 0.2 * (n - 1)) / (3 + n - 1))
    outlets = pd.DataFrame(
        [
            {
                "topic": "sanctions",
                "status": "discussed",
                "tone": -0.47,
                "n_articles_discussing": 9,
            },
            {
                "topic": "sanctions",
                "status": "discussed",
                "tone": -0.73,
                "n_articles_discussing": 4,
            },
            {"topic": "sanctions", "status": "discussed", "tone": 0.9, "n_articles_discussing": 1},
        ]
    )
    ranges = outlet_tone_ranges(outlets, ["sanctions"])
    assert ranges == {"sanctions": (-0.73, -0.47, 2)}  # the one-article outlet left out
    note = tone_baseline_note(means, lambda key: key.title(), ranges)
    assert note.startswith("Tone over all the articles that discuss each topic, whatever the")
    # the range names the outlets it covers: the pooled tone may lie outside it
    assert f"({n} articles, the 2 outlets with 3 or more of them −0.73 to −0.47)" in note
    assert "not with 0" in note
    assert tone_baseline_note({}, str) is None
    # a topic shown without a baseline (too few articles in a date range) is named, not dropped
    named = tone_baseline_note(
        means, lambda key: key.title(), ranges, ["arms_control", "sanctions"]
    )
    assert "; Arms_Control: none, fewer than 5 articles discuss it with a tone." in named


def test_a_mixed_stance_says_its_lean_where_its_interval_keeps_to_one_side():
    from dashboard.style import stance_words

    clear = stance_words("discussed", "mixed", 0.26, 0.03, 0.49)
    assert clear == "+0.26 [+0.03, +0.49] mixed, leaning favor"
    assert stance_words("discussed", "mixed", 0.05, -0.2, 0.3).endswith("] mixed")


def test_a_topic_column_is_wide_enough_for_its_longest_label_within_bounds():
    from dashboard.ui import label_width

    for marked in (
        "Election interference (not measured)",
        "Nord Stream 2 pipeline project (not measured)",  # an audit's topic, cut at 260 px
    ):
        assert label_width(["Sanctions", marked]) >= 7 * len(marked)  # the mark is not cut off
    assert label_width(["Ukraine"]) == 100  # short labels keep the usual width
    assert label_width(["x" * 200]) == 420  # a very long label is cut (whole on hover)


def test_an_outlet_group_is_named_its_unsigned_pieces_everywhere():
    """A review found one unit under four names ("The Hill (unsigned pieces)", "outlet (no
    author)", ...): the notes now say what every list tags it with."""
    from dashboard.evidence import group_note_html

    assert "unsigned pieces" in group_note_html("outlet")
    assert "outlet (unsigned pieces)" in group_note_html("outlet", short=True)
    assert group_note_html("author") == ""


def test_the_differences_table_fits_a_1280_px_page_beside_the_sidebar():
    """A review: its columns summed to 895 px, so the Note, which its caption says to read,
    was cut off on a laptop's 820 px page; at 816 it still was, inside the expander that
    holds it (about 785 px), and "Sanctions" broke inside the word at 70."""
    from dashboard.views import NOTE_TABLE_WIDTHS

    assert sum(NOTE_TABLE_WIDTHS.values()) <= 785
    assert NOTE_TABLE_WIDTHS["Topic"] >= 80


def test_the_evidence_opens_on_the_topic_the_chosen_take_a_side_on_most():
    """Compare's evidence opened on the first topic, which two of the three outlets chosen did
    not discuss: it opens where most of them take a side, then where most discuss it."""
    from dashboard.views import busiest_topic

    def row(author, topic, status, stance_status=None):
        return {"author": author, "topic": topic, "status": status, "stance_status": stance_status}

    rows = pd.DataFrame(
        [
            row("A", "arms_control", "discussed", "expressed"),
            row("B", "arms_control", "not_discussed"),
            row("A", "ukraine", "discussed", "expressed"),
            row("B", "ukraine", "discussed", "expressed"),
            row("A", "sanctions", "discussed", "no_stance"),
            row("B", "sanctions", "discussed", "no_stance"),
        ]
    )
    topics = ["arms_control", "sanctions", "ukraine"]
    assert busiest_topic(rows, topics) == "ukraine"
    # no side taken anywhere: the topic most of them discuss; ties keep the topics' order
    quiet = rows.assign(stance_status="no_stance")
    assert busiest_topic(quiet, topics) == "sanctions"
    assert busiest_topic(quiet.assign(status="discussed"), topics) == "arms_control"
    assert busiest_topic(rows, []) is None


def test_an_interval_end_near_0_shows_which_side_of_0_it_is_on_the_pages():
    from dashboard.style import MINUS, with_interval

    assert with_interval(0.14, 0.004, 0.27) == "+0.14 [+0.004, +0.27]"
    assert with_interval(-0.14, -0.27, -0.003) == f"{MINUS}0.14 [{MINUS}0.27, {MINUS}0.003]"
    assert with_interval(0.14, 0.0, 0.27) == "+0.14 [0.00, +0.27]"


def test_an_expected_count_under_the_cut_does_not_round_up_to_it():
    """A review: "no stance expressed ... 0.1 of 2 expected to take a side", where 0.1 is the
    least that takes a side and the count was 0.065."""
    from dashboard.evidence import expected_count

    assert expected_count(0.065) == "0.07" and expected_count(0.085) == "0.09"
    assert expected_count(3.24) == "3.2"
