"""Outlets as units: every article an outlet published, signed or not (`analysis.outlets`)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.aggregate import positions
from analysis.cli import main
from analysis.differences import author_differences
from analysis.outlets import run_outlet_positions
from analysis.runs import load_run, write_run
from analysis.shifts import author_shift
from tests.test_aggregate import TOPICS, article, score, tables


def unsigned(article_id: str, outlet: str, day: str) -> dict:
    """An article without a byline: grouped under its outlet at author level."""
    return article(article_id, outlet, outlet=outlet, group_kind="outlet", author=None, date=day)


def make_run(tmp_path):
    """The Daily: two signed articles (Ann, Bob) that favor sanctions and one unsigned piece
    that opposes them; The Weekly: two unsigned pieces against, one by Ann for; one article
    without an outlet."""
    arts = [
        article("d1", "Ann", outlet="The Daily", date="2018-01-10"),
        article("d2", "Bob", outlet="The Daily", date="2018-02-10"),
        unsigned("d3", "The Daily", "2018-03-10"),
        unsigned("w1", "The Weekly", "2018-01-12"),
        unsigned("w2", "The Weekly", "2018-02-12"),
        article("w3", "Ann", outlet="The Weekly", date="2018-03-12"),
        article("x1", "Cid", outlet=None, date="2018-03-15"),
    ]
    rows = []
    for aid, stance in (("d1", 0.7), ("d2", 0.6), ("d3", -0.5), ("w1", -0.6), ("w2", -0.7)):
        rows += [score(f"{aid}:{i}", "sanctions", 0.9, stance, -0.3) for i in range(3)]
    rows += [score(f"w3:{i}", "sanctions", 0.9, 0.8, 0.1) for i in range(3)]
    rows += [score(f"x1:{i}", "sanctions", 0.9, 0.9, 0.1) for i in range(3)]
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    return load_run(write_run(tmp_path, "r1", {}, "[aggregate]\nstance_rule = 'mean'\n", data))


def test_an_outlet_holds_every_article_it_published_signed_or_not(tmp_path):
    run = make_run(tmp_path)
    table = run_outlet_positions(run)
    assert set(table["level"]) == {"outlet"}
    assert set(table["author"]) == {"The Daily", "The Weekly"}  # no outlet: counted nowhere
    daily = table[(table["author"] == "The Daily") & (table["topic"] == "sanctions")].iloc[0]
    assert daily["n_articles"] == 3 and daily["n_passages"] == 9
    assert daily["stance"] == pytest.approx((0.7 + 0.6 - 0.5) / 3, abs=1e-6)
    assert daily["stance_low"] < daily["stance"] < daily["stance_high"]
    assert len(daily["evidence"]) > 0
    # the author level keeps filing signed articles under their authors, and the outlet group
    # holds the unsigned piece only
    stored = run.positions.query("level == 'author' and topic == 'sanctions'")
    group = stored[stored["author"] == "The Daily"].iloc[0]
    assert group["n_articles"] == 1 and group["stance"] == pytest.approx(-0.5, abs=1e-6)
    # the same call gives the same numbers (seeded)
    again = run_outlet_positions(run)
    assert np.allclose(
        again[["stance_low", "stance_high"]].to_numpy(float),
        table[["stance_low", "stance_high"]].to_numpy(float),
        equal_nan=True,
    )


def test_outlets_are_compared_and_followed_over_time_as_authors_are(tmp_path):
    run = make_run(tmp_path)
    diffs = author_differences(
        run, ["the daily", "THE WEEKLY"], topics=["sanctions"], level="outlet"
    )
    stance = next(d for d in diffs if d.measure == "stance")
    assert (stance.a, stance.b) == ("The Daily", "The Weekly")
    assert (stance.n_articles_a, stance.n_articles_b) == (3, 3)
    expected = (0.7 + 0.6 - 0.5) / 3 - (-0.6 - 0.7 + 0.8) / 3
    assert stance.difference == pytest.approx(expected, abs=1e-6)
    given = run_outlet_positions(run)  # the dashboard passes the positions it already has
    pair = ["The Daily", "The Weekly"]
    assert author_differences(run, pair, level="outlet", outlet_positions=given) == (
        author_differences(run, pair, level="outlet")
    )
    with pytest.raises(ValueError, match=r"no outlet 'The Dialy'.*The Daily"):
        author_differences(run, ["The Dialy", "The Weekly"], level="outlet")
    shift = author_shift(run, "The Weekly", "sanctions", split_date="2018-03-01", level="outlet")
    assert (shift.n_before, shift.n_after) == (2, 1)
    assert shift.after == pytest.approx(0.8, abs=1e-6)  # Ann's signed piece counts


def test_cli_shows_and_compares_outlets(tmp_path, capsys):
    make_run(tmp_path)
    runs = ["--runs-dir", str(tmp_path)]
    assert main(["show", "r1", "--level", "outlet", *runs]) == 0
    out = capsys.readouterr().out
    assert "every article each outlet published, signed or not" in out
    assert "The Daily" in out and "The Weekly" in out and "Cid" not in out
    assert main(["show", "r1", "--level", "outlet", "--author", "the weekly", "--json", *runs]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["level"] == "outlet"
    assert {p["author"] for p in shown["positions"]} == {"The Weekly"}
    assert main(["compare-authors", "r1", "The Daily", "The Weekly", "--outlets", *runs]) == 0
    assert "articles 3 / 3" in capsys.readouterr().out
    pair = ["The Daily", "The Weekly", "--outlets", "--json"]
    assert main(["compare-authors", "r1", *pair, *runs]) == 0
    assert json.loads(capsys.readouterr().out)["level"] == "outlet"  # told apart from authors
    assert main(["shift", "r1", "The Weekly", "--outlets", "--json", *runs]) == 0
    assert json.loads(capsys.readouterr().out)["level"] == "outlet"
    assert main(["compare-authors", "r1", "The Dialy", "The Weekly", "--outlets", *runs]) == 2
    assert "no outlet 'The Dialy'" in capsys.readouterr().err


def test_a_run_whose_articles_name_no_outlet_has_no_outlets_and_says_so(tmp_path, capsys):
    arts = [article("a1", "Ann", outlet=None), article("a2", "Bob", outlet=" ")]
    rows = [score("a1:0", "sanctions", 0.9, 0.5, 0.1), score("a2:0", "sanctions", 0.9, 0.4, 0.1)]
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    run = load_run(write_run(tmp_path, "r1", {}, "", data))
    assert run_outlet_positions(run).empty
    runs = ["--runs-dir", str(tmp_path)]
    assert main(["show", "r1", "--level", "outlet", *runs]) == 0
    assert "(no positions)" in capsys.readouterr().out
    assert main(["compare-authors", "r1", "Ann", "Bob", "--outlets", *runs]) == 2
    assert "no outlet 'Ann'" in capsys.readouterr().err
    assert main(["shift", "r1", "Ann", "--outlets", *runs]) == 2
    assert "no outlet 'Ann'" in capsys.readouterr().err


def test_an_outlet_spelt_with_spaces_is_one_outlet_under_one_name(tmp_path):
    arts = [article("a1", "Ann", outlet="The Daily"), article("a2", "Bob", outlet=" The Daily ")]
    rows = [score("a1:0", "sanctions", 0.9, 0.5, 0.1), score("a2:0", "sanctions", 0.9, 0.3, 0.1)]
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    table = run_outlet_positions(load_run(write_run(tmp_path, "r1", {}, "", data)))
    assert set(table["author"]) == {"The Daily"} and set(table["outlet"]) == {"The Daily"}
    assert set(table["n_articles"]) == {2}


def test_an_outlet_that_only_quotes_people_on_a_topic_says_so_when_no_shift_is_measured(
    tmp_path,
):
    arts = [article("a1", "Ann", outlet="The Daily", date="2018-01-01")]
    quote = score("a1:0", "sanctions", 0.9, 0.5, 0.1, reported=True, speaker="Someone")
    a, p, s = tables(arts, [quote, score("a1:1", "ukraine", 0.9, 0.2, 0.1)])
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    run = load_run(write_run(tmp_path, "r1", {}, "", data))
    quoted = author_shift(run, "The Daily", "sanctions", split_date="2018-06-01", level="outlet")
    assert quoted.shift is None and quoted.note.startswith("discussed only through quoted voices")
    silent = author_shift(run, "The Daily", "arms_control", split_date="2018-06-01", level="outlet")
    assert silent.note == "does not discuss it"


def test_the_terminal_says_which_units_it_compares_and_when_one_rests_on_one_article(
    tmp_path, capsys
):
    make_run(tmp_path)
    runs = ["--runs-dir", str(tmp_path)]

    def heading(out: str) -> str:  # the line under the run's models
        models, heading, *_ = out.splitlines()
        assert models.startswith("run r1; models: stance not recorded, tone not recorded")
        assert "(the defaults)" not in models  # unrecorded models are not called defaults
        return heading

    assert main(["compare-authors", "r1", "Ann", "Bob", *runs]) == 0
    out = capsys.readouterr().out
    assert heading(out).startswith("authors (an outlet group: the outlet's unsigned")
    assert main(["compare-authors", "r1", "The Daily", "The Weekly", "--outlets", *runs]) == 0
    out = capsys.readouterr().out
    assert heading(out).startswith("outlets, each over every article it published")
    assert main(["show", "r1", *runs]) == 0
    shown = capsys.readouterr().out
    bob = next(line for line in shown.splitlines() if line.startswith("Bob"))
    assert "n=3 in 1 article" in bob  # Bob's one article: his interval is that article's
    ann = next(line for line in shown.splitlines() if line.startswith("Ann"))
    assert "n=6 in 2 articles" in ann
    assert main(["show", "r1", "--level", "article", *runs]) == 0
    assert "1 article" not in capsys.readouterr().out


def test_a_shift_at_a_date_says_when_its_test_cannot_settle_anything(tmp_path):
    run = make_run(tmp_path)
    shift = author_shift(run, "The Daily", "sanctions", split_date="2018-02-01", level="outlet")
    assert (shift.n_before, shift.n_after) == (1, 2)  # one article: no test at all
    assert "too few articles" in shift.note
    arts = [article(f"a{i}", "Ann", outlet="O", date=f"2018-0{i}-01") for i in range(1, 5)]
    rows = [
        score(f"a{i}:{j}", "sanctions", 0.9, stance, 0.1)
        for i, stance in zip(range(1, 5), (0.6, 0.5, -0.5, -0.6), strict=True)
        for j in range(2)
    ]
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    two_two = load_run(write_run(tmp_path, "r2", {}, "", data))
    split = author_shift(two_two, "Ann", "sanctions", split_date="2018-03-01")
    assert split.p_value is not None
    assert split.note == "with 2 + 2 articles no p can be below 0.33: untestable here"


def test_a_name_asked_at_the_wrong_level_is_named_as_the_other_kind_of_unit(tmp_path, capsys):
    """An outlet typed as an author (or an author as an outlet) is not a misspelling: the error
    says what the name is in the run and how to ask at its level."""
    arts = [
        article("a1", "Ann", outlet="The Daily", date="2018-01-10"),
        article("a2", "Bob", outlet="The Weekly", date="2018-02-10"),
    ]
    rows = [score("a1:0", "sanctions", 0.9, 0.5, 0.1), score("a2:0", "sanctions", 0.9, 0.3, 0.1)]
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    write_run(tmp_path, "r1", {}, "", data)
    runs = ["--runs-dir", str(tmp_path)]
    assert main(["compare-authors", "r1", "The Daily", "Bob", *runs]) == 2
    err = capsys.readouterr().err
    assert "no author 'The Daily'" in err and "it is an outlet there" in err and "--outlets" in err
    assert main(["shift", "r1", "the weekly", *runs]) == 2
    assert "it is an outlet there" in capsys.readouterr().err
    assert main(["show", "r1", "--level", "outlet", "--author", "Ann", *runs]) == 2
    assert "it is an author there" in capsys.readouterr().err
    assert main(["compare-authors", "r1", "The Daly", "Bob", *runs]) == 2  # misspelt: no hint
    assert "there" not in capsys.readouterr().err


def test_sections_of_one_newsroom_filed_apart_are_named_together():
    from analysis.outlets import newsroom_notes, outlet_stem, sibling_outlets, siblings_note

    counts = {
        "Fox Online News": 506,
        "Fox News": 77,
        "Fox News Opinion": 16,
        "Fox News (Online)": 12,
        "CNN (Web News)": 488,
        "CNN - Editorial": 18,
        "New York Times - News": 175,
        "New York Post": 18,
        "The Hill": 30,
    }
    assert outlet_stem("CNN (Web News)") == outlet_stem("CNN - Editorial") == "cnn"
    assert sibling_outlets("Fox News", counts) == [
        ("Fox Online News", 506),
        ("Fox News Opinion", 16),
        ("Fox News (Online)", 12),
    ]
    assert sibling_outlets("New York Times - News", counts) == []  # not the Post
    assert siblings_note("The Hill", counts) is None
    assert siblings_note("Fox News", {**counts, "Fox News": 1}).startswith("Fox News (1 article) ")
    # Fox's four sections and CNN chosen together: one note per newsroom, not one per outlet
    fox = ["Fox News", "Fox Online News", "Fox News Opinion", "Fox News (Online)"]
    notes = newsroom_notes([*fox, "CNN (Web News)", "The Hill"], counts)
    assert notes == [siblings_note("Fox News", counts), siblings_note("CNN (Web News)", counts)]
    # a web address filed as a name: its words run together
    web = {"NBCNews.com": 2, "NBC News (Online)": 1, "TheBlaze.com": 22, "The Blaze": 3}
    assert sibling_outlets("NBC News (Online)", web) == [("NBCNews.com", 2)]
    assert sibling_outlets("The Blaze", web) == [("TheBlaze.com", 22)]
    assert sibling_outlets("NBC News (Online)", {"NBCUniversal": 5, "CNBC": 4}) == []
    # many outlets listed (those that moved between two runs): each newsroom named once
    from analysis.outlets import sibling_groups_note

    note = sibling_groups_note(
        ["Fox News", "Fox Online News", "The Hill", "CNN - Editorial"], counts
    )
    assert note.endswith(
        "its own articles: CNN (Web News) / CNN - Editorial; "
        "Fox News / Fox News (Online) / Fox News Opinion / Fox Online News"
    )
    assert sibling_groups_note(["The Hill"], counts) is None
    note = siblings_note("CNN - Editorial", counts)
    assert note.startswith("CNN - Editorial (18 articles) is filed apart from CNN (Web News)")


def test_comparing_an_outlet_filed_under_several_names_says_so(tmp_path, capsys):
    from analysis.cli import main

    run = make_run(tmp_path)
    runs = ["--runs-dir", str(tmp_path)]
    assert main(["compare-authors", "r1", "The Daily", "The Weekly", "--outlets", *runs]) == 0
    assert "is filed apart from" not in capsys.readouterr().err  # distinct newsrooms
    # The Weekly's opinion pages filed as an outlet of their own
    arts = run.articles.copy()
    arts.loc[arts["article_id"] == "w3", "outlet"] = "The Weekly (Opinion)"
    tabs = {"articles": arts, "passages": run.passages, "scores": run.scores}
    tabs["positions"] = positions(arts, run.passages, run.scores, TOPICS)
    write_run(tmp_path, "r2", {"created": "2030-01-01"}, "", tabs)
    assert main(["compare-authors", "r2", "The Daily", "The Weekly", "--outlets", *runs]) == 0
    err = capsys.readouterr().err
    assert (
        "note: The Weekly (2 articles) is filed apart from The Weekly (Opinion) (1 article)" in err
    )
    assert main(["shift", "r2", "The Weekly", "--outlets", *runs]) == 0
    assert "is filed apart from The Weekly (Opinion)" in capsys.readouterr().err


def test_a_writer_cut_from_a_staff_list_byline_is_named_with_whose_articles_hold_them(
    tmp_path, capsys
):
    # A byline listing eight of the site's staff counts for its first name only; asked for
    # the fourth, the run said "no name is close to it", as for a misspelling.
    staff = "Ann, Zed One, Yan Two, Vic Five, Xi Three, Wu Four, Uma Six, Tom Seven"
    arts = [article("d1", "Ann", outlet="The Daily", author=staff), article("d2", "Bob")]
    rows = [score(f"{aid}:{i}", "sanctions", 0.9, 0.5, 0.1) for aid in ("d1", "d2") for i in (0, 1)]
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    write_run(tmp_path, "r1", {}, "[aggregate]\nstance_rule = 'mean'\n", data)
    assert main(["show", "r1", "--runs-dir", str(tmp_path), "--author", "vic five"]) == 2
    error = capsys.readouterr().err
    assert "no author 'vic five' in run r1: the name is in the byline of 1 of its articles" in error
    assert "ask for 'Ann'" in error
    assert main(["show", "r1", "--runs-dir", str(tmp_path), "--author", "Vic Fiver"]) == 2
    assert "byline" not in capsys.readouterr().err  # a name in no byline: the usual hint
