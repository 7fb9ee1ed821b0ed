"""Bylines split into authors, cut at a scraped list of the site's writers; an article counts
toward each of its authors."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.aggregate import positions
from analysis.bylines import (
    article_authors,
    known_rosters,
    membership,
    not_names,
    roster_names,
    split_byline,
)
from dashboard import data, views
from tests.test_aggregate import TOPICS, article, score, tables


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Andrew Prokop, German Lopez, Li Zhou", ("Andrew Prokop", "German Lopez", "Li Zhou")),
        ("By Mark Landler and David M. Halbfinger", ("Mark Landler", "David M. Halbfinger")),
        ("Eric Tucker & Deb Riechmann", ("Eric Tucker", "Deb Riechmann")),
        ("Byron Tau, Byron.Tau Wsj.Com", ("Byron Tau",)),
        ("Martin Luther King, Jr.", ("Martin Luther King, Jr",)),
        ("Ivan Timofeev", ("Ivan Timofeev",)),
        ("Sandra Anderson", ("Sandra Anderson",)),  # "and" inside a name is not a separator
        ("Ann Lee, ann lee", ("Ann Lee",)),
        ("Analysis Stephen Collinson", ("Stephen Collinson",)),
        (
            "Story Stephen Collinson, Video Ashley Codianni",
            ("Stephen Collinson", "Ashley Codianni"),
        ),
        ("Analysis Chris Cillizza, Cnn Editor-At-Large", ("Chris Cillizza",)),
        ("Opinion by Ann Lee", ("Ann Lee",)),
        ("Chris Stirewalt, In July Of", ("Chris Stirewalt",)),
        ("Ann Lee, On Iran, For Cnn", ("Ann Lee",)),  # scraped fragments, not names
        ("Kevin To, To Lam, Chan Wing On", ("Kevin To", "To Lam", "Chan Wing On")),
        (
            "Jo Doe, Backgroundurl Avatar_Large, Story Count, Comment Count, Popular Tags",
            ("Jo Doe",),
        ),
        ("Story Musgrave", ("Story Musgrave",)),  # a label only before a name
        ("Moon Jae-in, Tom Ford", ("Moon Jae-in", "Tom Ford")),
        ("Ann Lee, ann.lee@example.net", ("Ann Lee",)),  # an e-mail address is not a name
        ("By @JaneDoe", ("@JaneDoe",)),  # a handle is
        ("Jane Doe @JaneDoe", ("Jane Doe",)),  # after a name, the name is the writer
        ("Jane Doe (@janedoe), Ann Lee", ("Jane Doe", "Ann Lee")),
        (None, ()),
        ("", ()),
    ],
)
def test_split_byline(byline, names):
    assert split_byline(byline) == names


def test_a_co_authored_article_counts_toward_each_author_and_keeps_its_byline():
    arts, passages, scores = tables(
        [
            article("a", "Ann Lee, Bob Roe", n_passages=3),
            article("b", "Ann Lee", n_passages=3),
            article("c", "The Outlet", n_passages=3, group_kind="outlet", author=None),
        ],
        [
            score("a:0", "sanctions", 0.9, 0.8, 0.0),
            score("b:0", "sanctions", 0.9, 0.4, 0.0),
            score("c:0", "sanctions", 0.9, -0.5, 0.0),
        ],
    )
    table = positions(arts, passages, scores, TOPICS)
    authors = table[(table["level"] == "author") & (table["topic"] == "sanctions")]
    by = authors.set_index("author")
    assert set(by.index) == {"Ann Lee", "Bob Roe", "The Outlet"}
    assert by.at["Ann Lee", "n_articles"] == 2 and by.at["Bob Roe", "n_articles"] == 1
    assert by.at["Bob Roe", "stance"] == pytest.approx(0.8)
    assert 0.4 < by.at["Ann Lee", "stance"] < 0.8
    article_a = table[(table["level"] == "article") & (table["article_id"] == "a")]
    assert set(article_a["author"]) == {"Ann Lee, Bob Roe"}  # the byline, for display
    members = membership(arts)
    assert sorted(members.loc[members["article_id"] == "a", "group"]) == ["Ann Lee", "Bob Roe"]


def test_dashboard_finds_an_authors_co_authored_articles():
    meta = pd.DataFrame(
        {
            "article_id": ["a", "b", "c"],
            "group": ["Ann Lee, Bob Roe", "Ann Lee", "The Outlet"],
            "group_kind": ["author", "author", "outlet"],
        }
    )
    meta["groups"] = [("Ann Lee", "Bob Roe"), ("Ann Lee",), ("The Outlet",)]
    assert list(views.in_groups(meta, ["Bob Roe"])) == [True, False, False]
    assert views.group_order(meta) == ["Ann Lee", "Bob Roe", "The Outlet"]
    assert views.group_kinds(meta)["The Outlet"] == "outlet"


ROSTER = "Hannah Brown, Lauren Katz, Theo Schleifer"
LEADS = [
    f"{first} Kim" for first in ["Ada", "Ben", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jo"]
]


def _roster_outlet() -> list[dict]:
    """Ten Vox articles by different writers, each byline followed by the site's list of
    writers (as scraped), one truly co-authored article, and one by a roster writer."""
    rows = [article(f"v{i}", f"{lead}, {ROSTER}", outlet="Vox") for i, lead in enumerate(LEADS)]
    rows.append(article("co", "Ann Lee, Bob Roe", outlet="Vox"))
    rows.append(article("hb", f"Hannah Brown, {ROSTER}", outlet="Vox"))
    return rows


def test_a_scraped_list_of_writers_is_cut_and_the_first_name_counts():
    arts = pd.DataFrame(_roster_outlet())
    assert roster_names(arts) == {
        "Vox": frozenset({"Hannah Brown", "Lauren Katz", "Theo Schleifer"})
    }
    authors = dict(zip(arts["article_id"], article_authors(arts), strict=True))
    assert authors["v3"] == (LEADS[3],)
    assert authors["co"] == ("Ann Lee", "Bob Roe")  # a co-author, not a roster name
    assert authors["hb"] == ("Hannah Brown",)  # the first name always counts
    members = membership(arts)
    assert set(members.loc[members["group"] == "Hannah Brown", "article_id"]) == {"hb"}


def test_a_byline_that_reaches_a_list_counts_for_its_first_name_only():
    rows = _roster_outlet()
    # less frequent writers of the same sidebar before the list's frequent names
    rows.append(article("side", f"Scott Kay, Ben Stein, Betsy Mac, {ROSTER}", outlet="Vox"))
    arts = pd.DataFrame(rows)
    authors = dict(zip(arts["article_id"], article_authors(arts), strict=True))
    assert authors["side"] == ("Scott Kay",)
    assert authors["co"] == ("Ann Lee", "Bob Roe")  # no list reached: both write it
    members = membership(arts)
    assert "side" not in set(members.loc[members["group"] == "Ben Stein", "article_id"])


def test_an_office_after_the_first_name_is_the_story_s_subject_not_a_co_author():
    from analysis.bylines import byline_names

    assert byline_names("Gregg Re, President Trump") == ("Gregg Re",)
    assert byline_names("Joseph Weber, Sen. John Kennedy") == ("Joseph Weber",)
    assert byline_names("Matt Hoye, Holly Yan, President Obama") == ("Matt Hoye", "Holly Yan")
    # the tags go on after the office: the names after it are subjects too
    assert byline_names("Gregg Re, President Trump, Marie Yovanovitch") == ("Gregg Re",)
    assert byline_names("David Rothkopf, Special To Cnn") == ("David Rothkopf",)  # a credit
    assert byline_names("Rep. Angie Craig") == ("Rep. Angie Craig",)  # an op-ed's writer
    assert byline_names("Amy Rep, Bob Gover") == ("Amy Rep", "Bob Gover")
    assert byline_names("Cond\u00e9 Nast, Tina Nguyen") == ("Tina Nguyen",)  # the publisher


def test_a_byline_of_more_names_than_a_team_is_a_list_and_counts_for_its_first():
    from analysis.bylines import MAX_BYLINE_NAMES

    names = ["Murray Waas", "Anna North", "Christina Thornell", "Sam Ellis", "Andrew Prokop"]
    team = article("team", ", ".join(names[:MAX_BYLINE_NAMES]), outlet="Politico")
    listed = article("list", ", ".join([*names, "Dylan Scott"]), outlet="Vox")
    arts = pd.DataFrame([team, listed], index=[0, 1])
    authors = dict(zip(arts["article_id"], article_authors(arts, known={}), strict=True))
    assert authors["team"] == tuple(names[:MAX_BYLINE_NAMES])  # five can write together
    assert authors["list"] == ("Murray Waas",)  # six names no roster caught: the site's list


def test_roster_names_are_per_outlet_and_ignore_duplicates_and_steady_pairs():
    rows = _roster_outlet()
    rows.append(article("other", "Zoe Zed, Hannah Brown", outlet="Elsewhere"))
    # two writers who always sign together: one first name, so a pair, not a roster
    rows += [article(f"d{i}", "Dana Doe, Eli Roe", outlet="Duo") for i in range(6)]
    arts = pd.DataFrame(rows)
    authors = dict(zip(arts["article_id"], article_authors(arts), strict=True))
    assert authors["other"] == ("Zoe Zed", "Hannah Brown")
    assert authors["d0"] == ("Dana Doe", "Eli Roe")
    # the same bylines as duplicates of one article are counted once
    copies = [article("x", "Pat Poe, Quin Qi", outlet="Copies")] + [
        article(f"x{i}", f"{lead}, Quin Qi", outlet="Copies", duplicate_of="x")
        for i, lead in enumerate(LEADS[:5])
    ]
    assert "Copies" not in roster_names(pd.DataFrame(copies))
    assert "Copies" in roster_names(pd.DataFrame(copies).assign(duplicate_of=None))


def test_another_outlets_list_of_writers_is_cut_but_one_shared_name_is_a_co_author():
    rows = _roster_outlet()
    # a columnist filed under their own name as the outlet, the paper's list scraped after them
    rows.append(article("col", f"Vic Han, {ROSTER}", outlet="Vic Han"))
    rows.append(article("pair", "Zoe Zed, Hannah Brown", outlet="Elsewhere"))
    arts = pd.DataFrame(rows)
    assert set(roster_names(arts)) == {"Vox"}  # one column is too few to find a roster
    authors = dict(zip(arts["article_id"], article_authors(arts), strict=True))
    assert authors["col"] == ("Vic Han",)
    assert authors["pair"] == ("Zoe Zed", "Hannah Brown")
    members = membership(arts)
    assert "col" not in set(members.loc[members["group"] == "Lauren Katz", "article_id"])


def test_author_positions_do_not_credit_roster_names():
    rows = _roster_outlet()
    arts, passages, scores = tables(
        rows, [score(f"{r['article_id']}:0", "sanctions", 0.9, 0.5, 0.0) for r in rows]
    )
    table = positions(arts, passages, scores, TOPICS)
    authors = table[(table["level"] == "author") & (table["topic"] == "sanctions")]
    by = authors.set_index("author")
    assert by.at["Hannah Brown", "n_articles"] == 1
    assert "Lauren Katz" not in by.index and "Theo Schleifer" not in by.index
    assert by.at[LEADS[0], "n_articles"] == 1 and by.at["Bob Roe", "n_articles"] == 1


def test_the_dashboard_groups_articles_under_the_same_authors(tmp_path):
    arts = pd.DataFrame(_roster_outlet())
    arts.to_parquet(tmp_path / "articles.parquet")
    meta = data.article_meta(str(tmp_path), 0.0)
    assert list(meta["groups"]) == article_authors(arts)
    assert list(views.in_groups(meta, ["Lauren Katz"])) == [False] * len(arts)


def test_a_small_run_cuts_the_rosters_shipped_with_the_package():
    # One Reason article: too few bylines to find a roster, so the shipped one is cut at.
    assert "Eric Boehm" in known_rosters()["Reason"]
    one = pd.DataFrame([article("r", "Jacob Sullum, Eric Boehm, Billy Binion", outlet="Reason")])
    assert roster_names(one) == {}
    assert article_authors(one) == [("Jacob Sullum",)]
    assert article_authors(one, known={}) == [("Jacob Sullum", "Eric Boehm", "Billy Binion")]
    # a roster given for another outlet leaves this one's byline whole, unless it carries two
    # of that roster's names (another outlet's list scraped after a columnist)
    elsewhere = {"Elsewhere": frozenset({"Eric Boehm"})}
    assert article_authors(one, known=elsewhere) == [("Jacob Sullum", "Eric Boehm", "Billy Binion")]
    two = {"Elsewhere": frozenset({"Eric Boehm", "Billy Binion"})}
    assert article_authors(one, known=two) == [("Jacob Sullum",)]
    members = membership(one, known={})
    assert members["group"].tolist() == ["Jacob Sullum", "Eric Boehm", "Billy Binion"]


def test_a_run_is_read_with_the_writers_lists_it_recorded(tmp_path):
    """Positions, shifts and comparisons of a run re-read its authors: with the lists its
    run.json records, and without shipped ones for a run from before they shipped."""
    from analysis.run_info import run_info

    one = pd.DataFrame([article("r", "Jacob Sullum, Eric Boehm, Billy Binion", outlet="Reason")])
    old = run_info({"run_id": "old"}, None)
    assert old.known_rosters == {}
    assert membership(one, old.known_rosters)["group"].tolist()[1] == "Eric Boehm"
    new = run_info({"known_rosters": {"Reason": ["Eric Boehm"], "Bad": "not a list"}}, None)
    assert new.known_rosters == {"Reason": frozenset({"Eric Boehm"})}
    assert membership(one, new.known_rosters)["group"].tolist() == ["Jacob Sullum"]
    byline = "Jacob Sullum, Eric Boehm"
    arts, passages, scores = tables(
        [article("r", byline, outlet="Reason")], [score("r:0", "sanctions", 0.9, 0.5, 0.0)]
    )
    for known, expected in (({}, {"Jacob Sullum", "Eric Boehm"}), (None, {"Jacob Sullum"})):
        table = positions(arts, passages, scores, TOPICS, known_rosters=known)
        assert set(table.loc[table["level"] == "author", "author"]) == expected


def test_a_group_is_found_ignoring_case_and_spacing_and_a_near_miss_names_the_closest():
    from analysis.bylines import match_group

    groups = ["Greg Botelho", "Greg Miller", "CNN", "Ann Lee"]
    assert match_group("Greg Botelho", groups, "r") == "Greg Botelho"
    assert match_group("greg  botelho", groups, "r") == "Greg Botelho"
    assert match_group("cnn", groups, "r") == "CNN"
    with pytest.raises(ValueError, match=r"no author 'Greg Botello' in run r; closest: \['Greg"):
        match_group("Greg Botello", groups, "r")
    with pytest.raises(ValueError, match=r"ambiguous in run r: \['ANN LEE', 'Ann Lee'\]"):
        match_group("ann lee", [*groups, "ANN LEE"], "r")
    # a writer listed inside a byline roster the run keeps whole is offered, commas aside
    roster = "Matthew Yglesias, German Lopez, Hannah Brown"
    with pytest.raises(ValueError, match=r"closest: \['Matthew Yglesias, German Lopez, Hannah"):
        match_group("German Lopez", [*groups, roster], "r")


def test_an_outlet_group_named_as_an_author_is_that_author():
    """A columnist filed as an outlet under their own name: their signed and unsigned pieces
    are one unit, not two units of one name (which the pages could not tell apart)."""
    import pandas as pd

    from analysis.bylines import membership

    articles = pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a3"],
            "author": ["Jonah Goldberg", None, None],
            "outlet": ["National Review", "Jonah Goldberg", "The Hill"],
            "group": ["Jonah Goldberg", "Jonah Goldberg", "The Hill"],
            "group_kind": ["author", "outlet", "outlet"],
        }
    )
    members = membership(articles, known={})
    assert members.drop_duplicates(["group_kind", "group"]).shape[0] == 2
    kinds = dict(zip(members["article_id"], members["group_kind"], strict=True))
    assert kinds == {"a1": "author", "a2": "author", "a3": "outlet"}


def test_an_author_spelt_as_an_outlet_but_for_case_is_one_unit_under_the_outlets_spelling():
    import pandas as pd

    from analysis.bylines import article_authors, membership

    articles = pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a3"],
            "author": ["Usa Today", None, "Jane Doe"],
            "outlet": ["USA TODAY", "USA TODAY", "USA TODAY"],
            "group": ["Usa Today", "USA TODAY", "Jane Doe"],
            "group_kind": ["author", "outlet", "author"],
        }
    )
    members = membership(articles, known={})
    units = set(zip(members["group_kind"], members["group"], strict=True))
    assert units == {("author", "USA TODAY"), ("author", "Jane Doe")}
    # the dashboard's article -> authors mapping spells it the same way
    assert article_authors(articles, known={}) == [("USA TODAY",), ("USA TODAY",), ("Jane Doe",)]
    # two outlets spelt alike are one, under one spelling whatever the row order
    twice = articles.assign(group_kind="outlet", author=None, group=["Usa Today", "USA TODAY", "X"])
    for order in (twice, twice.iloc[::-1]):
        assert set(membership(order, known={})["group"]) == {"USA TODAY", "X"}


def test_job_titles_and_desks_are_not_names():
    from analysis.bylines import byline_names

    assert byline_names("Nro Contributor") == ()
    assert byline_names("Cst Editorial Board") == ()
    assert byline_names("Newsmax Wires") == ()
    assert byline_names("Barbara Starr, Cnn Pentagon Correspondent") == ("Barbara Starr",)
    assert byline_names("Rich Lowry") == ("Rich Lowry",)


def test_beats_shows_and_roles_after_a_name_are_not_second_authors():
    from analysis.bylines import byline_names

    assert byline_names("Hollie Mckay, War Crimes") == ("Hollie Mckay",)
    assert byline_names("Catherine Herridge, Fox Files, War Stories") == ("Catherine Herridge",)
    assert byline_names("Bruce Klingner, Senior Research Fellow, Northeast Asia") == (
        "Bruce Klingner",
    )
    assert byline_names("Terry Frieden, Cnn Justice Producer") == ("Terry Frieden",)
    assert byline_names("Jane Doe, Cnn Congressional Producer, Military Issues") == ("Jane Doe",)
    # names that share a word with a region or a beat stay names
    assert byline_names("Asia Argento and Kanye West") == ("Asia Argento", "Kanye West")


def test_a_name_the_source_quoted_after_losing_its_apostrophe_reads_as_a_name():
    from analysis.bylines import byline_names

    byline = '"Cortney OBrien", Beth Baumann, "Michael DAntonio"'
    assert byline_names(byline) == ("Cortney O'Brien", "Beth Baumann", "Michael D'Antonio")
    assert byline_names("David ODonnell") == ("David ODonnell",)  # unquoted: left as written
    assert byline_names('"Readers Forum"') == ()  # quoted, and still not a name
    # a writers' list recorded with the quoted name (runs made before) still cuts the byline
    one = pd.DataFrame([article("t", 'Guy Benson, "Cortney OBrien"', outlet="Townhall")])
    recorded = {"Townhall": frozenset({'"Cortney OBrien"'})}
    assert article_authors(one, known=recorded) == [("Guy Benson",)]
    assert article_authors(one, known={}) == [("Guy Benson", "Cortney O'Brien")]


def test_a_typed_name_matches_apart_from_apostrophes_and_show_s_outlet_mark():
    from analysis.bylines import match_group

    groups = ["Ann", "Bret Stephens", "ABC News", "Cortney O'Brien", "The Hill"]
    assert match_group("Cortney OBrien", groups, "r") == "Cortney O'Brien"  # as sources spell it
    assert match_group("The Hill *", groups, "r") == "The Hill"  # copied from `show`
    with pytest.raises(ValueError, match=r"closest: \['Bret Stephens'\]"):
        match_group("Bret Stevens", groups, "r")  # misspelt: by spelling
    with pytest.raises(ValueError, match="no name is close to it"):
        match_group("Nobody X", groups, "r")  # not padded with unrelated names


def test_a_name_not_found_offers_up_to_five_close_ones():
    from analysis.bylines import match_group

    outlets = ["Fox News", "Fox News (Online)", "Fox News Opinion", "Fox Online News", "CNN"]
    with pytest.raises(ValueError) as found:
        match_group("Fox", outlets, "r1", "outlet")
    message = str(found.value)
    assert message.startswith("no outlet 'Fox' in run r1")
    assert "Fox Online News" in message and "CNN" not in message


def test_a_run_made_under_older_byline_rules_is_noted_where_its_authors_are_read(tmp_path, capsys):
    """An audit found only the Overview saying so; `show`, `compare-authors`, `compare` and
    `robustness` listed the older units without a word."""
    import copy

    from analysis.bylines import units_named_otherwise, units_note
    from analysis.cli import main
    from analysis.compare import compare_runs, robustness
    from analysis.runs import load_run, write_run
    from tests.dashboard.conftest import CONFIG_TOML, make_small_run

    run = load_run(str(make_small_run(tmp_path / "runs")))
    stored, otherwise = units_named_otherwise(run)
    assert stored > 0 and otherwise == 0 and units_note(run) is None
    # the same run, as if an older rule had made one author unit of a byline's second name
    older = copy.copy(run)
    author = run.positions[run.positions["level"] == "author"].iloc[:1]
    older.positions = pd.concat([run.positions, author.assign(author="Cond\u00e9 Nast")])
    assert units_named_otherwise(older) == (stored + 1, 1)
    tables = {name: getattr(older, name) for name in ("articles", "passages", "scores")}
    meta = {k: v for k, v in run.meta.items() if k not in ("run_id", "format_version")}
    path = write_run(
        tmp_path / "runs",
        "20190101-000000-older000",
        meta,
        CONFIG_TOML,
        {**tables, "positions": older.positions},
    )
    older = load_run(str(path))
    note = units_note(older)
    assert note.startswith(f"run {older.run_id}'s stored author positions hold {stored + 1:,}")
    assert "1 of them named otherwise today" in note
    said = f"run B: the stored author positions hold {stored + 1:,} units, 1 of them named"
    assert any(w.startswith(said) for w in compare_runs(run, older)["warnings"])
    labelled = robustness([run, older], labels=["new", "old"])["warnings"]
    assert any(w.startswith(said.replace("run B", "run old")) for w in labelled)
    assert not any(
        "named otherwise" in w for w in compare_runs(run, older, level="outlet")["warnings"]
    )
    runs = ["--runs-dir", str(tmp_path / "runs")]
    assert main(["show", str(path), *runs]) == 0
    assert f"note: {note}" in capsys.readouterr().err
    assert main(["show", str(path), "--level", "outlet", *runs]) == 0
    assert "named otherwise" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("byline", "left_out"),
    [
        (
            "Malia Zimmerman, Homeland Security, Illegal Immigration Crime",
            ("Homeland Security", "Illegal Immigration Crime"),
        ),
        ("Byron Tau, Byron.Tau Wsj.Com", ("Byron.Tau Wsj.Com",)),
        ("Martin Luther King, Jr.", ()),  # a suffix belongs to the name
        ("By Mark Landler and David M. Halbfinger", ()),
        ('"Cortney OBrien"', ()),  # quotes around a name are not a part left out
        (None, ()),
    ],
)
def test_the_parts_of_a_byline_not_read_as_names_are_named(byline, left_out):
    assert not_names(byline) == left_out
