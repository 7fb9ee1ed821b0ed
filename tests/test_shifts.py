"""`viewpoints shift`: an author's change over time, at a given date or a detected change point."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.aggregate import positions
from analysis.cli import main
from analysis.runs import load_run, write_run
from analysis.shifts import author_shift
from tests.test_aggregate import TOPICS, article, score, tables


def make_run(tmp_path, flip: bool = True):
    """Ann writes 12 monthly articles on sanctions: favor, then (if ``flip``) against from July."""
    rng = np.random.default_rng(3)
    arts, rows = [], []
    for month in range(1, 13):
        aid = f"a{month:02d}"
        arts.append(article(aid, "Ann", n_passages=3, date=f"2018-{month:02d}-15"))
        centre = -0.6 if flip and month >= 7 else 0.6
        for i in range(3):
            stance = float(np.clip(centre + rng.normal(0, 0.15), -1, 1))
            rows.append(score(f"{aid}:{i}", "sanctions", 0.9, stance, -0.2))
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    return load_run(write_run(tmp_path, "r1", {}, "", data))


def test_a_flip_is_detected_at_its_date_with_evidence_on_both_sides(tmp_path):
    run = make_run(tmp_path)
    shift = author_shift(run, "Ann", "sanctions", n_resamples=499)
    assert shift.detected and shift.split_date == "2018-07-15"
    assert shift.before > 0.4 and shift.after < -0.4 and shift.high < -0.8
    assert shift.p_value < 0.01 and (shift.n_before, shift.n_after) == (6, 6)
    assert shift.evidence_before and all(e["stance"] > 0 for e in shift.evidence_before)
    assert shift.evidence_after and all(e["stance"] < 0 for e in shift.evidence_after)
    assert all(e["date"] < "2018-07" for e in shift.evidence_before)


def test_a_steady_author_shows_no_significant_change(tmp_path):
    run = make_run(tmp_path, flip=False)
    shift = author_shift(run, "Ann", "sanctions", n_resamples=499)
    assert shift.p_value > 0.05  # the search over splits is paid for
    fixed = author_shift(run, "Ann", "sanctions", split_date="2018-07-01", n_resamples=499)
    assert fixed.p_value > 0.05 and abs(fixed.shift) < 0.2


def test_a_date_the_user_picks_splits_there(tmp_path):
    run = make_run(tmp_path)
    shift = author_shift(run, "Ann", "sanctions", split_date="2018-04-01", n_resamples=499)
    assert not shift.detected and (shift.n_before, shift.n_after) == (3, 9)
    assert shift.shift == pytest.approx(shift.after - shift.before, abs=1e-5)
    late = author_shift(run, "Ann", "sanctions", split_date="2019-01-01")
    assert late.shift is None and "one side" in late.note
    never = author_shift(run, "Ann", "ukraine", split_date="2018-04-01")
    assert never.shift is None and never.note == "does not discuss it"  # not "no date"
    assert not never.detected and not author_shift(run, "Ann", "ukraine").detected
    with pytest.raises(ValueError, match="expected a date"):
        author_shift(run, "Ann", "sanctions", split_date="July")


def test_one_article_on_a_side_gets_its_values_but_no_interval_or_test(tmp_path, capsys):
    run = make_run(tmp_path)
    shift = author_shift(run, "Ann", "sanctions", split_date="2018-02-01", n_resamples=99)
    assert (shift.n_before, shift.n_after) == (1, 11)
    assert shift.before > 0.4 and shift.shift == pytest.approx(shift.after - shift.before, abs=1e-5)
    assert shift.low is None and shift.high is None and shift.p_value is None
    assert "too few articles" in shift.note
    base = ["shift", "latest", "Ann", "--runs-dir", str(tmp_path), "--topic", "sanctions"]
    assert main([*base, "--date", "2018-02-01", "--measure", "stance"]) == 0
    out = capsys.readouterr().out
    assert "(1 articles)" in out and "too few articles for an interval or a test" in out
    assert "p=" not in out


def test_cli_shift_prints_lines_or_json(tmp_path, capsys):
    make_run(tmp_path)
    base = ["shift", "latest", "Ann", "--runs-dir", str(tmp_path), "--topic", "sanctions"]
    assert main([*base, "--measure", "stance"]) == 0
    out = capsys.readouterr().out
    # the change happened at some time between the last article before and the first after
    assert (
        "detected change point between 2018-06-15 and 2018-07-15 (the last article before "
        "it and the first after)" in out
    )
    assert "  before, 2018-" in out and "  after, 2018-" in out  # each passage's own date
    assert "stance +0." in out and "stance -0." in out  # evidence with the measure's values
    assert main([*base, "--json", "--date", "2018-07-01"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {s["measure"] for s in data["shifts"]} == {"stance", "tone"}
    assert data["interval_method"].startswith("percentile bootstrap extended")
    assert all(not s["detected"] for s in data["shifts"])
    tested = [s for s in data["shifts"] if s["p_value"] is not None]
    assert len(tested) == 2 and all(s["q_value"] >= s["p_value"] for s in tested)
    assert main([*base, "--date", "2018-07-01"]) == 0
    out = capsys.readouterr().out
    assert ", q=" in out  # stance and tone read together
    assert "before/after 2018-07-01 (the first day after):" in out


def test_membership_computed_once_gives_the_same_shifts_and_evidence_texts(tmp_path):
    from analysis.bylines import membership

    run = make_run(tmp_path)
    alone = author_shift(run, "Ann", "sanctions", n_resamples=199)
    shared = author_shift(
        run, "Ann", "sanctions", n_resamples=199, members=membership(run.articles)
    )
    assert shared.to_dict() == alone.to_dict()
    texts = dict(zip(run.passages["passage_id"], run.passages["text"], strict=True))
    for item in alone.evidence_before + alone.evidence_after:
        assert item["text"] == texts[item["passage_id"]]


def test_an_author_quoted_on_a_topic_but_silent_in_their_own_words_is_told_apart(tmp_path):
    arts = [article("q1", "Ann", n_passages=3, date="2018-03-01")]
    rows = [score("q1:0", "sanctions", 0.9, 0.0, -0.2, reported=True, speaker="Lavrov")]
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    run = load_run(write_run(tmp_path, "r1", {}, "", data))
    quoted = author_shift(run, "ann", "sanctions")  # the name as a user types it
    assert quoted.author == "Ann" and quoted.shift is None and not quoted.detected
    assert "only through quoted voices" in quoted.note


def test_too_few_articles_to_search_is_no_detected_split(tmp_path):
    run = make_run(tmp_path)
    few = author_shift(run, "Ann", "sanctions", min_side=7)
    assert few.shift is None and not few.detected and few.split_date is None
    assert "needs at least 14 dated articles" in few.note


def test_a_side_that_takes_no_side_has_no_stance_to_shift_from(tmp_path):
    """As the positions say "no stance expressed" under min_stance_mass, so does a shift: the
    months where Ann's passages take no side are no 'before' stance of about 0."""
    arts, rows = [], []
    for month in range(1, 13):
        aid = f"a{month:02d}"
        arts.append(article(aid, "Ann", n_passages=3, date=f"2018-{month:02d}-15"))
        for i in range(3):
            rows.append(score(f"{aid}:{i}", "sanctions", 0.9, 0.0 if month <= 3 else 0.6, -0.2))
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    run = load_run(write_run(tmp_path, "r1", {}, "", data))
    given = author_shift(run, "Ann", "sanctions", split_date="2018-04-01", n_resamples=99)
    assert given.shift is None and "no stance expressed before" in given.note
    tone = author_shift(run, "Ann", "sanctions", "tone", split_date="2018-04-01", n_resamples=99)
    assert tone.shift is not None  # tone needs no side taken
    found = author_shift(run, "Ann", "sanctions", n_resamples=99)
    assert found.split_date != "2018-04-15" and found.n_before > 3  # silent months not a side


def test_a_shift_is_resampled_as_the_positions_are(tmp_path):
    """Every article holds one passage for and one as strongly against: each article averages
    0, so resampling whole articles alone gives a zero-width interval around a zero shift;
    passages resampled within articles, as the positions' intervals do, show how unsure it is."""
    arts, rows = [], []
    for month in range(1, 9):
        aid = f"a{month:02d}"
        arts.append(article(aid, "Ann", n_passages=2, date=f"2018-{month:02d}-15"))
        rows.append(score(f"{aid}:0", "sanctions", 0.9, 0.7, -0.4))
        rows.append(score(f"{aid}:1", "sanctions", 0.9, -0.7, 0.4))
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    run = load_run(write_run(tmp_path, "r1", {}, "", data))
    for measure in ("stance", "tone"):
        shift = author_shift(run, "Ann", "sanctions", measure, split_date="2018-05-01")
        assert shift.shift == pytest.approx(0.0, abs=1e-9)
        assert shift.high - shift.low > 0.5, (measure, shift.low, shift.high)


def test_shifts_read_together_get_q_values_over_the_tests_among_them():
    from dataclasses import replace

    from analysis.shifts import Shift, with_q_values

    blank = Shift("A", "t", "stance", None, False, None, None, None, None, None, None, 0, 0)
    tested = [replace(blank, shift=0.3, p_value=p) for p in (0.01, 0.04, 0.03)]
    out = with_q_values([*tested, blank])
    assert [s.q_value for s in out[:3]] == pytest.approx([0.03, 0.04, 0.04])
    assert out[3].q_value is None  # no test, no q
    assert with_q_values(tested[:1])[0].q_value == pytest.approx(0.01)  # alone: q is p


def test_a_change_in_spread_alone_is_not_read_as_a_shift(tmp_path):
    """Twenty alike articles, then five that vary widely, their mean 0.25 higher: well within
    what five such articles allow; permuting the plain difference gave p 0.054 at the date
    and 0.068 at the detected change point."""
    arts, rows = [], []
    stances = [0.3 + 0.01 * np.sin(k) for k in range(20)] + [1.0, -0.2, 0.95, 0.1, 0.9]
    for k, stance in enumerate(stances):
        aid = f"a{k:02d}"
        arts.append(
            article(aid, "Ann", n_passages=1, date=f"2018-{1 + k // 3:02d}-{1 + k % 3:02d}")
        )
        rows.append(score(f"{aid}:0", "sanctions", 0.9, stance, -0.2))
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    run = load_run(write_run(tmp_path, "r1", {}, "", data))
    at_date = author_shift(run, "Ann", "sanctions", split_date="2018-07-03", n_resamples=499)
    assert (at_date.n_before, at_date.n_after) == (20, 5) and at_date.p_value > 0.2
    searched = author_shift(run, "Ann", "sanctions", n_resamples=499)
    assert searched.detected and searched.p_value > 0.2


def test_a_shift_at_a_date_over_few_articles_has_an_exact_p(tmp_path):
    """A review: compare-authors' p became exact over every split, but a shift at a date
    still drew its splits at random. With the flip at July, 2018-10-01 leaves 9 articles
    before and 3 after: C(12, 3) = 220 ways, fewer than the 499 resamples, all tried, so p is
    a count of them over 220 (drawn at random it was (1 + count) / 500)."""
    run = make_run(tmp_path)
    shift = author_shift(run, "Ann", "sanctions", split_date="2018-10-01", n_resamples=499)
    assert (shift.n_before, shift.n_after) == (9, 3)
    assert shift.p_value * 220 == pytest.approx(round(shift.p_value * 220), abs=1e-3)
    assert shift.p_value >= 1 / 220


def test_a_side_whose_passages_balance_without_taking_one_is_no_stance_to_shift_from(tmp_path):
    """A diff review: the shift's 'takes a side' read total mass alone, so months whose
    passages lean 0.03 each way (0.18 in all, over min_stance_mass 0.1, yet neither side
    reaching it) were a 'before' stance the positions call no stance expressed."""
    arts, rows = [], []
    for month in range(1, 13):
        aid = f"a{month:02d}"
        arts.append(article(aid, "Ann", n_passages=2, date=f"2018-{month:02d}-15"))
        if month <= 3:  # one passage a hair for, one a hair against
            rows += [score(f"{aid}:0", "sanctions", 0.9, 0.03, -0.2)]
            rows += [score(f"{aid}:1", "sanctions", 0.9, -0.03, -0.2)]
        else:
            rows += [score(f"{aid}:{i}", "sanctions", 0.9, 0.6, -0.2) for i in range(2)]
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    run = load_run(write_run(tmp_path, "r1", {}, "", data))
    given = author_shift(run, "Ann", "sanctions", split_date="2018-04-01", n_resamples=99)
    assert given.shift is None and "no stance expressed before" in given.note


def test_a_detected_shift_says_where_its_interval_and_p_disagree(tmp_path, monkeypatch):
    """A review: a found shift read p 0.018 with its interval across 0, and no word of it,
    where compare-authors notes "p under 0.05 but the interval includes 0"."""
    import analysis.shifts as shifts
    from analysis.terminal import format_shift

    seen = []

    def disagreement(low, high, p):
        seen.append((low, high, p))
        return "p under 0.05 but the interval includes 0: not settled"

    monkeypatch.setattr(shifts, "disagreement_note", disagreement)
    found = author_shift(make_run(tmp_path), "Ann", "sanctions", n_resamples=199)
    assert found.detected and seen == [(found.low, found.high, found.p_value)]
    assert found.note.startswith("p under 0.05 but the interval includes 0")
    assert format_shift(found).splitlines()[0].endswith("includes 0: not settled")
