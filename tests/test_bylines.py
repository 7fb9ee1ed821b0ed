"""Bylines split into authors; an article counts toward each of its authors."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.aggregate import positions
from analysis.bylines import membership, split_byline
from dashboard import views
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
