"""Positions from passage scores: weighted means, silence, reported speech, intervals, evidence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.aggregate import (
    POSITIONS_SCHEMA,
    AggregateConfig,
    position_batches,
    positions,
    side_statuses,
)
from analysis.runs import TABLE_COLUMNS, write_parquet_batches

TOPICS = ["sanctions", "ukraine"]


def article(article_id: str, group: str, n_passages: int = 10, **extra) -> dict:
    row = {
        "article_id": article_id,
        "title": f"Title {article_id}",
        "author": group,
        "outlet": "Outlet",
        "date": "2024-01-01",
        "url": None,
        "source": "test",
        "group": group,
        "group_kind": "author",
        "text": "",
        "n_passages": n_passages,
        "duplicate_of": None,
    }
    row.update(extra)
    return row


def score(passage_id: str, topic: str, relevance: float, stance: float, tone: float, **extra):
    """A score row whose probabilities agree with the given stance and tone."""
    favor, against = max(stance, 0.0), max(-stance, 0.0)
    positive, negative = max(tone, 0.0), max(-tone, 0.0)
    row = {
        "passage_id": passage_id,
        "article_id": passage_id.rsplit(":", 1)[0],
        "topic": topic,
        "relevance": relevance,
        "reported": False,
        "speaker": None,
        "stance_favor": favor,
        "stance_against": against,
        "stance_none": 1.0 - favor - against,
        "tone_negative": negative,
        "tone_neutral": 1.0 - positive - negative,
        "tone_positive": positive,
        "stance": stance,
        "tone": tone,
    }
    row.update(extra)
    return row


def tables(articles: list[dict], scores: list[dict]):
    arts = pd.DataFrame(articles)
    passages = pd.DataFrame(
        [
            {
                "passage_id": f"{a['article_id']}:{i}",
                "article_id": a["article_id"],
                "index": i,
                "start": 0,
                "end": 0,
                "text": "",
                "reported": False,
                "speaker": None,
            }
            for a in articles
            for i in range(a["n_passages"])
        ],
        columns=list(TABLE_COLUMNS["passages"]),
    )
    columns = list(TABLE_COLUMNS["scores"])
    return arts, passages, pd.DataFrame(scores, columns=columns)


def row(out: pd.DataFrame, level: str, topic: str, **key) -> pd.Series:
    mask = (out["level"] == level) & (out["topic"] == topic)
    for column, value in key.items():
        mask &= out[column] == value
    assert mask.sum() == 1, f"expected one row for {level} {topic} {key}, got {mask.sum()}"
    return out[mask].iloc[0]


def weighted(relevances, values) -> float:
    r, v = np.asarray(relevances, float), np.asarray(values, float)
    return float((r * v).sum() / r.sum())


def balance(relevances, values) -> float:
    """The stance of passages whose P(favor) / P(against) is max(±value, 0): the balance of
    the sides taken, sum r (f - a) / sum r (f + a)."""
    r, v = np.asarray(relevances, float), np.asarray(values, float)
    return float((r * v).sum() / (r * np.abs(v)).sum())


def sort_rows(out: pd.DataFrame) -> pd.DataFrame:
    keys = ["level", "group_kind", "author", "article_id", "topic"]
    return out.sort_values(keys, na_position="first").reset_index(drop=True)


# -- config -----------------------------------------------------------------------------------


def test_config_validates_and_round_trips():
    with pytest.raises(ValueError, match=r"n_bootstrap: expected an integer from 100 to 100,000"):
        AggregateConfig(n_bootstrap=0)
    with pytest.raises(ValueError, match=r"aggregate\.max_evidence: expected an integer >= 0"):
        AggregateConfig(max_evidence=-1)
    with pytest.raises(ValueError, match="confidence"):
        AggregateConfig(confidence=1.0)
    config = AggregateConfig(seed=7, n_bootstrap=100, include_reported=True, max_evidence=3)
    assert AggregateConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="unknown"):
        AggregateConfig.from_dict({"seed": 1, "bootstraps": 5})


# -- point estimates, silence, coverage -------------------------------------------------------


def test_stance_and_tone_are_relevance_weighted_means():
    arts, passages, scores = tables(
        [article("a", "Ann", n_passages=8)],
        [
            score("a:0", "sanctions", relevance=0.9, stance=0.8, tone=-0.6),
            score("a:1", "sanctions", relevance=0.3, stance=-0.4, tone=0.2),
        ],
    )
    out = positions(arts, passages, scores, TOPICS)
    got = row(out, "article", "sanctions", article_id="a")
    assert got["status"] == "discussed"
    assert got["stance"] == pytest.approx(weighted([0.9, 0.3], [0.8, -0.4]))
    assert got["tone"] == pytest.approx(weighted([0.9, 0.3], [-0.6, 0.2]))
    assert got["stance_mass"] == pytest.approx(1.2)
    assert (got["favor_mass"], got["against_mass"]) == pytest.approx((0.8, 0.4))
    assert got["stance_status"] == "expressed"
    assert got["n_passages"] == 2
    assert got["coverage"] == pytest.approx(2 / 8)
    assert got["n_articles"] == 1
    assert got["author"] == "Ann"
    assert got["title"] == "Title a"


def test_the_balance_rule_counts_only_the_sides_taken():
    arts, passages, scores = tables(
        [article("a", "Ann", n_passages=8)],
        [
            score("a:0", "sanctions", relevance=0.9, stance=0.8, tone=-0.6),
            score("a:1", "sanctions", relevance=0.3, stance=-0.4, tone=0.2),
            score("a:2", "sanctions", relevance=0.8, stance=0.0, tone=0.0),  # takes no side
        ],
    )
    balanced = positions(arts, passages, scores, TOPICS, AggregateConfig(stance_rule="balance"))
    got = row(balanced, "article", "sanctions", article_id="a")
    assert got["stance"] == pytest.approx(balance([0.9, 0.3], [0.8, -0.4]))
    mean = row(positions(arts, passages, scores, TOPICS), "article", "sanctions", article_id="a")
    assert mean["stance"] == pytest.approx(weighted([0.9, 0.3, 0.8], [0.8, -0.4, 0.0]))
    with pytest.raises(ValueError, match=r"aggregate\.stance_rule: expected mean or balance"):
        AggregateConfig(stance_rule="median")


def test_no_stance_expressed_and_mixed_are_said_apart_from_a_number():
    arts, passages, scores = tables(
        [article("a", "Ann"), article("b", "Bob"), article("c", "Cy")],
        [
            score("a:0", "sanctions", 0.9, 0.1, -0.5),  # mass 0.2 + 0.2 < 0.5: no side taken
            score("a:1", "sanctions", 0.9, -0.1, 0.0),
            score("b:0", "sanctions", 0.9, 0.6, 0.0),  # both sides, about equally
            score("b:1", "sanctions", 0.9, -0.5, 0.0),
            score("c:0", "sanctions", 0.9, 0.7, 0.0),
        ],
    )
    out = positions(arts, passages, scores, TOPICS, AggregateConfig(min_stance_mass=0.5))
    a = row(out, "article", "sanctions", article_id="a")
    assert a["status"] == "discussed" and a["stance_status"] == "no_stance"
    assert np.isnan(a["stance"]) and np.isnan(a["stance_low"]) and a["tone"] == pytest.approx(-0.25)
    assert a["stance_mass"] == pytest.approx(0.2)
    b = row(out, "article", "sanctions", article_id="b")
    assert b["stance_status"] == "mixed" and b["stance"] == pytest.approx(0.05)
    c = row(out, "article", "sanctions", article_id="c")
    assert c["stance_status"] == "expressed" and c["stance"] == pytest.approx(0.7)
    stricter = positions(arts, passages, scores, TOPICS, AggregateConfig(min_stance_mass=1.0))
    assert row(stricter, "article", "sanctions", article_id="c")["stance_status"] == "no_stance"
    # The default asks for less: one passage's worth of a tenth of a side.
    default = positions(arts, passages, scores, TOPICS)
    assert row(default, "article", "sanctions", article_id="a")["stance_status"] == "mixed"


def test_sides_that_balance_without_either_being_taken_read_no_stance_not_mixed():
    """0.3 expected passages on each side, under the 0.5 a side needs: nothing is taken, so
    the article reads "no stance expressed" (with no number), not "mixed"; 0.6 for and 0.35
    against balance too, but the 0.6 is a side taken: a weak stance, not none."""
    arts, passages, scores = tables(
        [article("a", "Ann"), article("b", "Bob"), article("c", "Cy")],
        [
            score("a:0", "sanctions", 0.9, 0.3, 0.0),
            score("a:1", "sanctions", 0.9, -0.3, 0.0),
            score("b:0", "sanctions", 0.9, 0.6, 0.0),
            score("b:1", "sanctions", 0.9, -0.5, 0.0),
            score("c:0", "sanctions", 0.9, 0.6, 0.0),
            score("c:1", "sanctions", 0.9, -0.35, 0.0),
        ],
    )
    out = positions(arts, passages, scores, TOPICS, AggregateConfig(min_stance_mass=0.5))
    a = row(out, "article", "sanctions", article_id="a")
    assert a["stance_mass"] == pytest.approx(0.6)
    assert a["stance_status"] == "no_stance" and np.isnan(a["stance"])
    assert np.isnan(a["stance_low"]) and np.isnan(a["stance_high"])
    assert row(out, "article", "sanctions", article_id="b")["stance_status"] == "mixed"
    c = row(out, "article", "sanctions", article_id="c")
    assert c["stance_status"] == "expressed" and c["stance"] == pytest.approx(0.125)


def test_a_side_much_weaker_than_the_other_does_not_make_a_stance_mixed():
    """Both sides taken, but one four times the other: a weak stance, not a mix."""
    arts, passages, scores = tables(
        [article("a", "Ann"), article("b", "Bob")],
        [
            score("a:0", "sanctions", 0.9, 0.8, 0.0),
            score("a:1", "sanctions", 0.9, -0.2, 0.0),
            score("a:2", "sanctions", 0.9, 0.0, 0.0),
            score("b:0", "sanctions", 0.9, 0.4, 0.0),
            score("b:1", "sanctions", 0.9, -0.3, 0.0),
        ],
    )
    out = positions(arts, passages, scores, TOPICS)
    a = row(out, "article", "sanctions", article_id="a")
    assert a["stance"] == pytest.approx(0.2) and a["against_mass"] == pytest.approx(0.2)
    assert a["stance_status"] == "expressed"
    assert row(out, "article", "sanctions", article_id="b")["stance_status"] == "mixed"


def torn(passage_id: str, favor: float, against: float, **extra) -> dict:
    """A sanctions passage the model splits between the sides."""
    return score(
        passage_id,
        "sanctions",
        0.9,
        favor - against,
        0.0,
        stance_favor=favor,
        stance_against=against,
        stance_none=1.0 - favor - against,
        **extra,
    )


def test_a_passage_torn_between_the_sides_takes_neither_and_makes_no_mix():
    """P(favor) 0.45 and P(against) 0.40 on one passage is the model unsure which side that
    passage takes: no side clearly taken ("no stance expressed"), not both sides taken.
    "mixed" needs each side taken by passages of its own, in the author's voice and in the
    quoted voices alike; where the sides balance only through passages the model splits, no
    side is clearly taken either (readers label 5 of 6 such dev pairs none)."""
    speaker = {"reported": True, "speaker": "Lavrov"}
    arts, passages, scores = tables(
        [article(k, k.upper()) for k in "abcdefg"],
        [
            torn("a:0", 0.45, 0.40),  # one torn passage
            torn("b:0", 0.45, 0.40),  # two, torn the opposite ways
            torn("b:1", 0.40, 0.45),
            torn("c:0", 0.60, 0.10),  # two leaning opposite ways, each clearly
            torn("c:1", 0.10, 0.55),
            torn("d:0", 0.45, 0.40, speaker_favor=0.45, speaker_against=0.40, **speaker),
            torn("e:0", 0.50, 0.00),  # a side, and torn passages leaning the other way:
            torn("e:1", 0.30, 0.35),  # the masses balance (1.1 for, 0.68 against), the
            torn("e:2", 0.30, 0.33),  # leads do not (0.5 and 0.08): no side clearly taken
            torn("f:0", 0.60, 0.00),  # a side, and a weaker one under min_stance_mass
            torn("f:1", 0.00, 0.35),
            torn("g:0", 0.12, 0.07),  # weaker still, as torn: a lead of 0.05 is no side
        ],
    )
    out = positions(arts, passages, scores, TOPICS)
    a = row(out, "article", "sanctions", article_id="a")
    assert a["status"] == "discussed" and a["stance_status"] == "no_stance"
    assert np.isnan(a["stance"]) and a["favor_mass"] == pytest.approx(0.45)
    assert row(out, "article", "sanctions", article_id="b")["stance_status"] == "no_stance"
    assert row(out, "article", "sanctions", article_id="c")["stance_status"] == "mixed"
    d = row(out, "article", "sanctions", article_id="d")
    assert d["quoted_status"] == "no_stance" and np.isnan(d["quoted_stance"])
    e = row(out, "article", "sanctions", article_id="e")
    assert (e["favor_mass"], e["against_mass"]) == pytest.approx((1.1, 0.68))
    assert e["stance_status"] == "no_stance" and np.isnan(e["stance"])
    strict = positions(arts, passages, scores, TOPICS, AggregateConfig(min_stance_mass=0.5))
    f = row(strict, "article", "sanctions", article_id="f")  # a weak side, as before
    assert f["stance_status"] == "expressed" and f["stance"] == pytest.approx(0.125)
    g = row(out, "article", "sanctions", article_id="g")  # as the passage at 0.45 and 0.40
    assert g["stance_status"] == "no_stance" and np.isnan(g["stance"])
    # A's group pools her one article: still one torn passage, not a side
    assert row(out, "author", "sanctions", author="A")["stance_status"] == "no_stance"


def test_every_unit_and_topic_gets_a_row_and_silence_is_nan_not_zero():
    arts, passages, scores = tables(
        [article("a", "Ann"), article("b", "Bob")],
        [score("a:0", "sanctions", 0.7, 0.5, 0.1)],
    )
    out = positions(arts, passages, scores, TOPICS)
    assert len(out) == 2 * 2 + 2 * 2  # articles × topics + groups × topics
    assert set(TABLE_COLUMNS["positions"]) <= set(out.columns)
    silent = [
        row(out, "article", "ukraine", article_id="a"),
        row(out, "article", "sanctions", article_id="b"),
        row(out, "author", "ukraine", author="Bob"),
    ]
    for unit in silent:
        assert unit["status"] == "not_discussed"
        for column in ("stance", "tone", "stance_low", "stance_high", "tone_low", "tone_high"):
            assert np.isnan(unit[column]), column
        assert unit["n_passages"] == 0
        assert list(unit["evidence"]) == []
        assert unit["coverage"] == 0.0


def test_all_zero_relevance_falls_back_to_equal_weights():
    arts, passages, scores = tables(
        [article("a", "Ann")],
        [score("a:0", "sanctions", 0.0, 0.6, 0.0), score("a:1", "sanctions", 0.0, -0.2, 0.0)],
    )
    got = row(positions(arts, passages, scores, TOPICS), "article", "sanctions", article_id="a")
    assert got["stance"] == pytest.approx(0.2)


# -- reported speech --------------------------------------------------------------------------


def test_reported_speech_is_excluded_by_default_and_counted_apart():
    arts, passages, scores = tables(
        [article("a", "Ann", n_passages=4), article("b", "Bob", n_passages=4)],
        [
            score("a:0", "sanctions", 0.8, 0.5, 0.3),
            score("a:1", "sanctions", 0.6, -1.0, -1.0, reported=True, speaker="Lavrov"),
            score("b:0", "sanctions", 0.9, -0.9, -0.5, reported=True, speaker="Peskov"),
        ],
    )
    out = positions(arts, passages, scores, TOPICS)
    a = row(out, "article", "sanctions", article_id="a")
    assert a["stance"] == pytest.approx(0.5)
    assert a["tone"] == pytest.approx(0.3)
    assert (a["n_passages"], a["n_reported"]) == (1, 1)
    assert list(a["evidence"]) == ["a:0"]
    assert a["coverage"] == pytest.approx(1 / 4)
    # The quoted voices are a measure of their own (here the stance scorer's reading of them).
    assert a["quoted_stance"] == pytest.approx(-1.0)
    assert a["quoted_status"] == "expressed"
    assert list(a["quoted_evidence"]) == ["a:1"]
    # An article that only quotes people on a topic discusses it; its author takes no side.
    b = row(out, "article", "sanctions", article_id="b")
    assert b["status"] == "discussed" and b["stance_status"] == "no_stance"
    assert np.isnan(b["stance"]) and np.isnan(b["tone"])
    assert (b["n_passages"], b["n_reported"]) == (0, 1)
    assert b["quoted_stance"] == pytest.approx(-0.9)
    bob = row(out, "author", "sanctions", author="Bob")
    assert bob["quoted_stance"] == pytest.approx(-0.9) and bob["quoted_mass"] == pytest.approx(0.9)
    silent = row(out, "article", "ukraine", article_id="b")
    assert silent["status"] == "not_discussed" and silent["quoted_status"] is None


def test_a_unit_records_how_many_of_its_articles_its_quotes_come_from():
    """An author's quoted voices on one article are that article's: the count lets the
    dashboard pale them as it pales an author's own stance on one article."""
    arts, passages, scores = tables(
        [article("a", "Ann"), article("b", "Ann"), article("c", "Cy")],
        [
            score("a:0", "sanctions", 0.8, 0.5, 0.3),
            score("a:1", "sanctions", 0.6, -1.0, -1.0, reported=True),
            score("b:1", "sanctions", 0.7, -0.8, -0.2, reported=True),
            score("c:0", "sanctions", 0.9, 0.4, 0.1),
            score("c:1", "sanctions", 0.9, 0.6, 0.1, reported=True),
            score("c:2", "sanctions", 0.9, 0.7, 0.1, reported=True),
        ],
    )
    out = positions(arts, passages, scores, TOPICS)
    ann = row(out, "author", "sanctions", author="Ann")
    assert (ann["n_articles_discussing"], ann["n_articles_quoting"]) == (1, 2)
    cy = row(out, "author", "sanctions", author="Cy")
    assert (cy["n_reported"], cy["n_articles_quoting"]) == (2, 1)
    assert row(out, "author", "ukraine", author="Cy")["n_articles_quoting"] == 0


def test_include_reported_counts_reported_speech():
    arts, passages, scores = tables(
        [article("a", "Ann", n_passages=4), article("b", "Bob", n_passages=4)],
        [
            score("a:0", "sanctions", 0.8, 0.5, 0.3),
            score("a:1", "sanctions", 0.6, -1.0, -1.0, reported=True),
            score("b:0", "sanctions", 0.9, -0.9, -0.5, reported=True),
        ],
    )
    out = positions(arts, passages, scores, TOPICS, AggregateConfig(include_reported=True))
    a = row(out, "article", "sanctions", article_id="a")
    assert a["stance"] == pytest.approx(weighted([0.8, 0.6], [0.5, -1.0]))
    assert (a["n_passages"], a["n_reported"]) == (2, 1)
    b = row(out, "article", "sanctions", article_id="b")
    assert b["status"] == "discussed"
    assert b["stance"] == pytest.approx(-0.9)


# -- author level -----------------------------------------------------------------------------


def test_author_level_pools_passages_over_articles():
    arts, passages, scores = tables(
        [
            article("a1", "Ann", n_passages=5, outlet="Daily", date="2023-05-01"),
            article("a2", "Ann", n_passages=3, outlet="Weekly", date="2024-02-10"),
            article("a3", "Ann", n_passages=2, outlet="Daily", date=None),
        ],
        [
            score("a1:0", "sanctions", 0.9, 0.8, -0.2),
            score("a1:1", "sanctions", 0.5, 0.6, 0.0),
            score("a2:0", "sanctions", 0.4, -0.7, -0.9),
        ],
    )
    out = positions(arts, passages, scores, TOPICS)
    ann = row(out, "author", "sanctions", author="Ann")
    # Pooled over the three passages, not the mean of the two article means.
    pooled = weighted([0.9, 0.5, 0.4], [0.8, 0.6, -0.7])
    per_article = (weighted([0.9, 0.5], [0.8, 0.6]) + (-0.7)) / 2
    assert ann["stance"] == pytest.approx(pooled)
    assert ann["stance"] != pytest.approx(per_article)
    assert ann["tone"] == pytest.approx(weighted([0.9, 0.5, 0.4], [-0.2, 0.0, -0.9]))
    assert (ann["n_passages"], ann["n_articles"], ann["n_articles_discussing"]) == (3, 3, 2)
    assert ann["coverage"] == pytest.approx(3 / (5 + 3 + 2))
    assert ann["title"] == "3 articles"
    assert ann["outlet"] == "Daily; Weekly"
    assert ann["date"] == "2024-02-10"
    assert pd.isna(ann["article_id"])
    assert ann["group_kind"] == "author"


def test_an_outlet_group_with_an_author_s_name_is_that_author():
    """Signed and unsigned pieces filed under one name (a columnist filed as an outlet, wire
    copy signed "Reuters" or not) are one unit: two units of one name could not be told apart
    on the pages, which pick authors by name."""
    arts, passages, scores = tables(
        [
            article("a", "Reuters", group_kind="author"),
            article("b", "Reuters", group_kind="outlet"),
            article("c", "Title only", group_kind="article"),
        ],
        [
            score("a:0", "sanctions", 1.0, 0.5, 0.0),
            score("b:0", "sanctions", 1.0, 0.3, 0.0),
            score("c:0", "sanctions", 1.0, -0.5, 0.0),
        ],
    )
    out = positions(arts, passages, scores, TOPICS)
    units = out[(out["level"] == "author") & (out["topic"] == "sanctions")]
    assert sorted(zip(units["author"], units["group_kind"], strict=True)) == [
        ("Reuters", "author"),
        ("Title only", "article"),
    ]
    reuters = row(out, "author", "sanctions", author="Reuters")
    assert reuters["n_articles"] == 2 and reuters["stance"] == pytest.approx(0.4, abs=0.05)


def test_duplicates_are_excluded_at_both_levels():
    arts, passages, scores = tables(
        [article("a", "Ann"), article("a-copy", "Ann", duplicate_of="a")],
        [
            score("a:0", "sanctions", 0.5, 0.6, 0.0),
            score("a-copy:0", "sanctions", 1.0, -1.0, -1.0),
            score("a-copy:1", "ukraine", 1.0, -1.0, -1.0),
        ],
    )
    out = positions(arts, passages, scores, TOPICS)
    assert "a-copy" not in set(out["article_id"].dropna())
    ann = row(out, "author", "sanctions", author="Ann")
    assert ann["stance"] == pytest.approx(0.6)
    assert (ann["n_articles"], ann["n_passages"], ann["title"]) == (1, 1, "1 article")
    assert row(out, "author", "ukraine", author="Ann")["status"] == "not_discussed"


# -- intervals and randomness -----------------------------------------------------------------


def agreeing(n: int, article_id: str = "a") -> list[dict]:
    values = [0.6, -0.2, 0.5]
    return [
        score(f"{article_id}:{i}", "sanctions", 0.8, values[i % 3], -values[i % 3])
        for i in range(n)
    ]


def test_interval_contains_the_point_and_narrows_with_more_agreeing_passages():
    few_tables = tables([article("a", "Ann", n_passages=40)], agreeing(3))
    many_tables = tables([article("a", "Ann", n_passages=40)], agreeing(30))
    few = row(positions(*few_tables, TOPICS), "article", "sanctions", article_id="a")
    many = row(positions(*many_tables, TOPICS), "article", "sanctions", article_id="a")
    for got in (few, many):
        for name in ("stance", "tone"):
            assert got[f"{name}_low"] <= got[name] <= got[f"{name}_high"]
            assert got[f"{name}_low"] < got[f"{name}_high"]
    assert many["stance_high"] - many["stance_low"] < few["stance_high"] - few["stance_low"]
    assert many["tone_high"] - many["tone_low"] < few["tone_high"] - few["tone_low"]


def test_one_passage_gives_the_point_and_no_interval():
    arts, passages, scores = tables(
        [article("a", "Ann")], [score("a:0", "ukraine", 0.7, -0.7, 0.2)]
    )
    got = row(positions(arts, passages, scores, TOPICS), "article", "ukraine", article_id="a")
    assert got["stance"] == pytest.approx(-0.7)
    assert got["n_passages"] == 1
    assert np.isnan(got["stance_low"]) and np.isnan(got["stance_high"])


def test_author_interval_keeps_disagreement_between_articles():
    # Two articles that each agree internally but disagree with each other: resampling
    # articles must show that the author's position could be either.
    scores = [score(f"a1:{i}", "sanctions", 1.0, 0.8, 0.0) for i in range(20)]
    scores += [score(f"a2:{i}", "sanctions", 1.0, -0.8, 0.0) for i in range(20)]
    arts, passages, scores = tables(
        [article("a1", "Ann", n_passages=20), article("a2", "Ann", n_passages=20)], scores
    )
    ann = row(positions(arts, passages, scores, TOPICS), "author", "sanctions", author="Ann")
    assert ann["stance"] == pytest.approx(0.0)
    # Pooled passage resampling would give about ±0.25 here; article resampling spans ±0.8.
    assert ann["stance_low"] < -0.6 and ann["stance_high"] > 0.6


def test_one_article_author_has_the_article_interval():
    arts, passages, scores = tables(
        [article("a", "Ann", n_passages=12)],
        [score(f"a:{i}", "sanctions", 0.3 + 0.05 * i, np.sin(i), np.cos(i)) for i in range(8)],
    )
    out = positions(arts, passages, scores, TOPICS)
    art, ann = row(out, "article", "sanctions"), row(out, "author", "sanctions")
    for column in ("stance", "stance_low", "stance_high", "tone", "tone_low", "tone_high"):
        assert art[column] == ann[column]


def random_tables(seed: int = 3, n_articles: int = 12):
    rng = np.random.default_rng(seed)
    arts = [
        article(f"a{i}", f"g{i % 4}", n_passages=8, date=f"2024-01-{i + 1:02d}")
        for i in range(n_articles)
    ]
    scores = [
        score(
            f"a{i}:{j}",
            topic,
            float(rng.uniform(0.2, 1.0)),
            float(rng.uniform(-1, 1)),
            float(rng.uniform(-1, 1)),
            reported=bool(rng.random() < 0.2),
        )
        for i in range(n_articles)
        for j in range(8)
        for topic in TOPICS
        if rng.random() < 0.5
    ]
    return tables(arts, scores)


def test_same_inputs_give_identical_outputs_whatever_the_row_order():
    arts, passages, scores = random_tables()
    config = AggregateConfig(seed=11, n_bootstrap=200)
    first = positions(arts, passages, scores, TOPICS, config)
    again = positions(arts, passages, scores, TOPICS, config)
    pd.testing.assert_frame_equal(first, again)
    shuffled = positions(
        arts.sample(frac=1, random_state=1),
        passages.sample(frac=1, random_state=2),
        scores.sample(frac=1, random_state=3),
        TOPICS,
        config,
    )
    pd.testing.assert_frame_equal(sort_rows(first), sort_rows(shuffled))
    assert first["stance_low"].notna().sum() > 10  # the comparison covered real intervals


def test_a_units_numbers_do_not_depend_on_other_units():
    arts, passages, scores = random_tables()
    config = AggregateConfig(seed=5, n_bootstrap=200)
    full = positions(arts, passages, scores, TOPICS, config)
    keep = arts["article_id"].isin(["a0", "a4", "a8", "a1"])  # all of g0, one article of g1
    part = positions(
        arts[keep],
        passages,
        scores[scores["article_id"].isin(arts.loc[keep, "article_id"])],
        TOPICS,
        config,
    )
    part_articles = part[part["level"] == "article"].reset_index(drop=True)
    full_articles = full[full["article_id"].isin(part_articles["article_id"])]
    pd.testing.assert_frame_equal(part_articles, full_articles.reset_index(drop=True))

    def g0(out: pd.DataFrame) -> pd.DataFrame:
        return out[(out["level"] == "author") & (out["author"] == "g0")].reset_index(drop=True)

    pd.testing.assert_frame_equal(g0(part), g0(full))
    assert g0(full)["stance_low"].notna().any()


def test_the_seed_changes_intervals_but_not_points():
    arts, passages, scores = random_tables()
    a = positions(arts, passages, scores, TOPICS, AggregateConfig(seed=1, n_bootstrap=100))
    b = positions(arts, passages, scores, TOPICS, AggregateConfig(seed=2, n_bootstrap=100))
    pd.testing.assert_series_equal(a["stance"], b["stance"])
    has = a["stance_low"].notna()
    assert (a.loc[has, "stance_low"] != b.loc[has, "stance_low"]).any()


def test_a_unit_with_many_draws_draws_its_replicates_in_blocks(monkeypatch):
    import analysis.aggregate as aggregate

    # 12 articles of 8 passages split between two authors: with blocks of 2,000 draws and 200
    # replicates, the authors (about 24 passages a topic) draw in blocks while the articles
    # (at most 8: 1,600 draws) are still drawn whole, batched with each other
    arts, passages, scores = random_tables(seed=7, n_articles=12)
    arts["group"] = ["big" if i % 2 else "g0" for i in range(len(arts))]
    config = AggregateConfig(seed=3, n_bootstrap=200)
    whole = positions(arts, passages, scores, TOPICS, config)
    monkeypatch.setattr(aggregate, "_BLOCK_DRAWS", 2000)
    blocked = positions(arts, passages, scores, TOPICS, config)
    again = positions(arts, passages, scores, TOPICS, config)
    pd.testing.assert_frame_equal(blocked, again)  # blocks are seeded: the same every time
    pd.testing.assert_series_equal(blocked["stance"], whole["stance"])
    articles = blocked["level"] == "article"
    pd.testing.assert_frame_equal(blocked[articles], whole[articles])  # drawn whole: unchanged
    big = (blocked["level"] == "author") & (blocked["author"] == "big")
    assert big.sum() == len(TOPICS) and blocked.loc[big, "stance_low"].notna().all()
    for name in ("stance", "tone"):
        got, ref = blocked.loc[big], whole.loc[big]
        assert (got[f"{name}_low"] <= got[name]).all() and (got[name] <= got[f"{name}_high"]).all()
        # other draws of the same bootstrap: the bounds agree to within Monte Carlo error
        np.testing.assert_allclose(got[f"{name}_low"], ref[f"{name}_low"], atol=0.1)
        np.testing.assert_allclose(got[f"{name}_high"], ref[f"{name}_high"], atol=0.1)
        assert not np.array_equal(got[f"{name}_low"], ref[f"{name}_low"])


def test_batching_units_for_memory_does_not_change_any_number(monkeypatch):
    import analysis.aggregate as aggregate

    arts, passages, scores = random_tables(seed=5)
    config = AggregateConfig(seed=2, n_bootstrap=150)
    whole = positions(arts, passages, scores, TOPICS, config)
    monkeypatch.setattr(aggregate, "_CHUNK_ELEMENTS", 64)  # a batch per unit or two
    pd.testing.assert_frame_equal(positions(arts, passages, scores, TOPICS, config), whole)


def test_rows_made_a_few_articles_at_a_time_equal_the_whole_table(tmp_path):
    arts, passages, scores = random_tables(seed=7)
    config = AggregateConfig(seed=3, n_bootstrap=120)
    whole = positions(arts, passages, scores, TOPICS, config)
    batches = list(position_batches(arts, passages, scores, TOPICS, config, batch_articles=2))
    # one batch per two articles, then the author level
    assert len(batches) == -(-len(arts) // 2) + 1
    assert (batches[-1]["level"] == "author").all()
    assert all((b["level"] == "article").all() and len(b) <= 2 * len(TOPICS) for b in batches[:-1])
    pd.testing.assert_frame_equal(pd.concat(batches, ignore_index=True), whole)
    # streamed to Parquet one batch at a time, read back as the whole table
    path = tmp_path / "positions.parquet"
    written = write_parquet_batches(
        position_batches(arts, passages, scores, TOPICS, config, batch_articles=2),
        path,
        POSITIONS_SCHEMA,
    )
    assert written == len(whole)
    back = pq.read_table(path).to_pandas()
    assert list(back.columns) == list(whole.columns)
    for column in ("article_id", "status", "stance_status", "quoted_status", "author"):
        missing = whole[column].isna()  # None or NaN in pandas, null in Parquet
        assert back[column].isna().tolist() == missing.tolist()
        assert back[column][~missing].tolist() == whole[column][~missing].tolist()
    for column in ("stance", "stance_low", "tone_high", "coverage", "quoted_stance"):
        np.testing.assert_array_equal(back[column].to_numpy(float), whole[column].to_numpy(float))
    assert [list(e) for e in back["evidence"]] == [list(e) for e in whole["evidence"]]
    with pytest.raises(ValueError, match="batch_articles a positive integer"):
        next(position_batches(arts, passages, scores, TOPICS, config, batch_articles=0))


def test_units_whose_passages_all_failed_are_unscored_not_undiscussed():
    arts, passages, scores = tables(
        [article("a", "Ann"), article("b", "Ann"), article("c", "Bob")],
        [
            score("a:0", "sanctions", 0.9, 0.5, 0.0),
            score("b:0", "ukraine", 0.9, 0.5, 0.0),  # failed below
            score("c:0", "ukraine", 0.9, 0.5, 0.0, reported=True),  # failed, reported speech
        ],
    )
    failed = scores["passage_id"].isin(["b:0", "c:0"])
    for batch_articles in (1, 10):
        out = pd.concat(
            position_batches(
                arts,
                passages,
                scores[~failed],
                TOPICS,
                failed=scores[failed],
                batch_articles=batch_articles,
            ),
            ignore_index=True,
        )
        assert row(out, "article", "ukraine", article_id="b")["status"] == "unscored"
        assert row(out, "author", "ukraine", author="Ann")["status"] == "unscored"
        assert row(out, "article", "sanctions", article_id="a")["status"] == "discussed"
        assert row(out, "article", "sanctions", article_id="b")["status"] == "not_discussed"
        # reported speech does not count by default: its failure leaves the unit undiscussed
        assert row(out, "article", "ukraine", article_id="c")["status"] == "not_discussed"
        assert row(out, "author", "ukraine", author="Bob")["status"] == "not_discussed"
    with_reported = positions(
        arts,
        passages,
        scores[~failed],
        TOPICS,
        AggregateConfig(include_reported=True),
        scores[failed],
    )
    assert row(with_reported, "article", "ukraine", article_id="c")["status"] == "unscored"


# -- evidence ---------------------------------------------------------------------------------


def test_evidence_is_own_voice_strongest_first_and_capped():
    """Where the unit takes a side, the passages that take one most clearly come first (a
    sharply worded passage that takes none after them); where it takes none, the sharpest."""
    arts, passages, scores = tables(
        [article("a", "Ann"), article("b", "Ann"), article("c", "Cy")],
        [
            score("a:0", "sanctions", 0.9, 0.1, 0.0),  # side 0.09
            score("a:1", "sanctions", 0.5, 0.0, -0.9),  # side 0: sharp tone, no side
            score("a:2", "sanctions", 1.0, -1.0, 0.0, reported=True),  # reported: never evidence
            score("b:0", "sanctions", 0.8, 0.7, 0.2),  # side 0.56
            score("b:1", "sanctions", 0.3, 0.3, 0.0),  # side 0.09, ties with a:0, comes after it
            score("c:0", "sanctions", 0.9, 0.0, -0.2),  # no side anywhere in c: by tone, 0.18
            score("c:1", "sanctions", 0.5, 0.0, -0.9),  # 0.45
        ],
    )
    out = positions(arts, passages, scores, TOPICS, AggregateConfig(max_evidence=3))
    assert list(row(out, "article", "sanctions", article_id="a")["evidence"]) == ["a:0", "a:1"]
    ann = row(out, "author", "sanctions", author="Ann")
    assert list(ann["evidence"]) == ["b:0", "a:0", "b:1"]
    c = row(out, "article", "sanctions", article_id="c")
    assert c["stance_status"] == "no_stance"
    assert list(c["evidence"]) == ["c:1", "c:0"]


def test_positions_write_to_parquet_with_list_of_strings_evidence(tmp_path):
    arts, passages, scores = tables([article("a", "Ann")], [])  # nothing discussed at all
    out = positions(arts, passages, scores, TOPICS)
    assert (out["status"] == "not_discussed").all()
    path = tmp_path / "positions.parquet"
    out.to_parquet(path, index=False)
    field = pq.read_schema(path).field("evidence")
    assert str(field.type) in ("list<item: string>", "list<element: string>")
    assert pq.read_table(path).column("evidence").to_pylist() == [[], [], [], []]


# -- validation -------------------------------------------------------------------------------


def test_bad_inputs_are_named():
    arts, passages, scores = tables([article("a", "Ann")], [score("a:0", "sanctions", 0.5, 0, 0)])
    with pytest.raises(ValueError, match="expected score topics among"):
        positions(arts, passages, scores, ["ukraine"])
    with pytest.raises(ValueError, match="expected relevance in"):
        positions(arts, passages, scores.assign(relevance=1.5), TOPICS)
    with pytest.raises(ValueError, match="known passages"):
        positions(arts, passages, scores.assign(passage_id="a:99"), TOPICS)
    with pytest.raises(ValueError, match="topic names"):
        positions(arts, passages, scores, "sanctions")
    with pytest.raises(ValueError, match="one score row per"):
        positions(arts, passages, pd.concat([scores, scores]), TOPICS)


def test_side_statuses_read_each_case_of_the_rule():
    # favor mass, against mass, favor lead, against lead; stance = (f - a) / (f + a)
    cases = {
        (0.06, 0.03, 0.06, 0.03): "no_stance",  # too little taken at all
        (0.06, 0.06, 0.03, 0.03): "no_stance",  # balanced, neither lead reaches 0.1
        (0.15, 0.08, 0.15, 0.08): "expressed",  # balanced, one side led by passages of its own
        (0.51, 0.39, 0.12, 0.00): "no_stance",  # balanced masses from one split passage
        (0.60, 0.55, 0.50, 0.45): "mixed",  # both sides taken by passages of their own
        (0.60, 0.10, 0.55, 0.05): "expressed",  # one side
    }
    f, a, fl, al = (np.array(column) for column in zip(*cases, strict=True))
    statuses = side_statuses(f, a, (f - a) / (f + a), 0.1, leads=[fl, al])
    assert list(statuses) == list(cases.values())


def test_evidence_under_a_side_puts_a_clear_passage_before_a_split_one():
    """A review: a passage the model split between the sides (favor 34%, against 23%: +0.12)
    was listed before one that clearly takes a side (+0.56), ranked by P(favor) + P(against)."""
    split = {"stance_favor": 0.34, "stance_against": 0.23, "stance_none": 0.43}
    arts, passages, scores = tables(
        [article("a", "Ann")],
        [
            score("a:0", "sanctions", 0.95, 0.11, 0.0, **split),
            score("a:1", "sanctions", 0.85, 0.56, 0.0),
        ],
    )
    out = positions(arts, passages, scores, TOPICS, AggregateConfig(max_evidence=2))
    assert list(row(out, "article", "sanctions", article_id="a")["evidence"]) == ["a:1", "a:0"]
