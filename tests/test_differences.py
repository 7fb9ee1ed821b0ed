"""`compare-authors`: differences between authors with intervals, permutation p and FDR q."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from analysis.aggregate import positions
from analysis.cli import main
from analysis.differences import author_differences
from analysis.metrics import benjamini_hochberg
from analysis.runs import load_run, write_run
from tests.test_aggregate import TOPICS, article, score, tables


def make_run(tmp_path, seed: int = 1, meta: dict | None = None):
    """Ann argues for sanctions (favor), Bob against, Cid like Ann; tone differs little."""
    rng = np.random.default_rng(seed)
    arts, rows = [], []
    for author, centre in (("Ann", 0.6), ("Bob", -0.6), ("Cid", 0.6)):
        for k in range(8):
            aid = f"{author}{k}"
            arts.append(article(aid, author, n_passages=4))
            for i in range(3):
                stance = float(np.clip(centre + rng.normal(0, 0.2), -1, 1))
                tone = float(np.clip(rng.normal(-0.2, 0.2), -1, 1))
                rows.append(score(f"{aid}:{i}", "sanctions", 0.9, stance, tone))
    a, p, s = tables(arts, rows)
    table = positions(a, p, s, TOPICS)
    data = {"articles": a, "passages": p, "scores": s, "positions": table}
    config = "[aggregate]\nstance_rule = 'mean'\n"
    return load_run(write_run(tmp_path, "r1", meta or {}, config, data))


def test_opposed_authors_differ_and_alike_authors_do_not(tmp_path):
    run = make_run(tmp_path)
    diffs = author_differences(run, ["Ann", "Bob", "Cid"], topics=["sanctions"], seed=0)
    by = {(d.a, d.b, d.measure): d for d in diffs}
    ann_bob = by[("Ann", "Bob", "stance")]
    assert ann_bob.difference == pytest.approx(ann_bob.value_a - ann_bob.value_b, abs=1e-5)
    assert ann_bob.difference > 0.9 and ann_bob.low > 0.5 and ann_bob.p_value < 0.01
    assert ann_bob.q_value < 0.05
    ann_cid = by[("Ann", "Cid", "stance")]
    assert ann_cid.low < 0 < ann_cid.high and ann_cid.p_value > 0.05
    # the author-level stance the positions show is the value compared
    shown = run.positions.query("level == 'author' and topic == 'sanctions'").set_index("author")
    assert ann_bob.value_a == pytest.approx(shown.at["Ann", "stance"], abs=1e-5)
    # q-values are Benjamini–Hochberg over every test returned
    tested = [d for d in diffs if d.p_value is not None]
    assert [d.q_value for d in tested] == pytest.approx(
        benjamini_hochberg([d.p_value for d in tested]), abs=1e-6
    )
    again = author_differences(run, ["Ann", "Bob", "Cid"], topics=["sanctions"], seed=0)
    assert again == diffs  # seeded


def test_a_topic_nobody_discussed_is_not_comparable_and_unknown_authors_are_named(tmp_path):
    run = make_run(tmp_path)
    diffs = author_differences(run, ["Ann", "Bob"], topics=["ukraine"])
    assert all(d.difference is None and d.p_value is None for d in diffs)
    assert {d.note for d in diffs} == {"neither discusses it"}
    with pytest.raises(ValueError, match=r"no author 'Anne'.*Ann"):
        author_differences(run, ["Anne", "Bob"])
    typed = author_differences(run, ["ann", "BOB"], topics=["ukraine"])  # as a user types them
    assert {(d.a, d.b) for d in typed} == {("Ann", "Bob")}
    with pytest.raises(ValueError, match="at least two different authors"):
        author_differences(run, ["ann", "Ann"])
    with pytest.raises(ValueError, match="at least two different outlets"):  # not "authors"
        author_differences(run, ["CNN", "CNN"], level="outlet")
    three = author_differences(run, ["Ann", "bob", "Bob"], topics=["ukraine"])
    assert {(d.a, d.b) for d in three} == {("Ann", "Bob")}  # Bob is not compared with Bob


def test_a_pair_where_one_author_is_silent_names_that_author(tmp_path):
    arts = [article("A1", "Ann", n_passages=4), article("D1", "Dee", n_passages=4)]
    rows = [score("A1:0", "sanctions", 0.9, 0.5, -0.2)]
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    run = load_run(write_run(tmp_path, "r1", {}, "", data))
    diffs = author_differences(run, ["Ann", "Dee"], topics=["sanctions"])
    assert {d.note for d in diffs} == {"Dee does not discuss it"}
    # passages the model could not score are not silence: said as `show` says it
    table = run.positions
    dee = (
        (table["level"] == "author") & (table["author"] == "Dee") & (table["topic"] == "sanctions")
    )
    table.loc[dee, "status"] = "unscored"
    diffs = author_differences(run, ["Ann", "Dee"], topics=["sanctions"])
    assert {d.note for d in diffs} == {"no prediction for Dee"}


def test_an_author_who_discusses_a_topic_only_through_quotes_is_not_called_silent(tmp_path):
    arts = [article("A1", "Ann", n_passages=4), article("D1", "Dee", n_passages=4)]
    rows = [
        score("A1:0", "sanctions", 0.9, 0.5, -0.2),
        score("D1:0", "sanctions", 0.9, 0.0, -0.2, reported=True, speaker="Lavrov"),
    ]
    a, p, s = tables(arts, rows)
    table = positions(a, p, s, TOPICS)
    dee = table.query("level == 'author' and author == 'Dee' and topic == 'sanctions'")
    assert dee["status"].tolist() == ["discussed"]  # as the positions table shows it
    data = {"articles": a, "passages": p, "scores": s, "positions": table}
    run = load_run(write_run(tmp_path, "r1", {}, "", data))
    notes = {d.measure: d.note for d in author_differences(run, ["Ann", "Dee"], ["sanctions"])}
    assert notes == {"stance": "only quoted voices from Dee", "tone": "only quoted voices from Dee"}


def test_cli_prints_a_table_or_one_json_object(tmp_path, capsys):
    make_run(tmp_path)
    args = ["compare-authors", "latest", "Ann", "Bob", "--runs-dir", str(tmp_path)]
    assert main([*args, "--topic", "sanctions", "--permutations", "199"]) == 0
    out = capsys.readouterr().out
    assert "Ann" in out and "Δ" in out and "q=" in out
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["run_id"] == "r1" and {t["topic"] for t in data["tests"]} == set(TOPICS)
    assert data["interval_method"].startswith("percentile bootstrap extended")
    assert main([*args, "--permutations", "5"]) == 2
    assert "expected --permutations from 99 to 100,000, got 5" in capsys.readouterr().err
    # an upper bound too: memory grows with the resamples (ten million took 3 GB)
    assert main([*args, "--bootstrap", "100000000"]) == 2
    assert "expected --bootstrap from 99 to 100,000" in capsys.readouterr().err
    assert main([*args, "--seed", "-1"]) == 2
    assert "expected --seed to be an integer >= 0, got -1" in capsys.readouterr().err
    # a topic by its label, as the pages show it, case and spacing aside
    assert main([*args, "--topic", " SANCTIONS ", "--permutations", "199"]) == 0
    models, _, *lines, note = capsys.readouterr().out.splitlines()
    assert models.startswith("run r1; models: stance ")  # which models made these numbers
    assert lines and all(line.startswith("Sanctions ") for line in lines)
    # this run records no stance model measured on news: the table says so under it
    assert note.startswith("note: this run's stance model was not measured on labelled news")
    assert main([*args, "--topic", "Iran"]) == 2
    assert "expected topics among sanctions (Sanctions)" in capsys.readouterr().err


def test_a_topic_the_stance_model_was_not_measured_on_is_said(tmp_path, capsys):
    from analysis.news_accuracy import SHIPPED_ROOT, read_news_accuracy

    v2 = read_news_accuracy(SHIPPED_ROOT / "minilm_v2" / "news_accuracy.json")
    meta = {
        "models": {"stance": {"name": "stance.minilm.v2", "weights_sha256": v2.weights_sha256}},
        "topics": [{"key": "sanctions", "label": "Iran sanctions", "target": "sanctions on Iran"}],
    }
    make_run(tmp_path, meta=meta)
    args = ["compare-authors", "latest", "Ann", "Bob", "--runs-dir", str(tmp_path)]
    assert main([*args, "--permutations", "199"]) == 0
    out = capsys.readouterr().out
    assert "note: the stance model was not measured on Iran sanctions" in out
    from analysis.news_accuracy import finds_no_against

    blind = "a stance difference may be the model's, not the authors'"
    assert (blind in out) == finds_no_against(v2)  # said where the model finds no opposition
    assert main([*args, "--permutations", "199", "--measure", "tone"]) == 0
    assert blind not in capsys.readouterr().out  # nor of tone, which it is not about
    # nor where no stance is compared: neither discusses the topic
    assert main([*args, "--permutations", "199", "--topic", "ukraine"]) == 0
    out = capsys.readouterr().out
    assert "neither discusses it" in out and blind not in out and "not measured" not in out
    assert main([*args, "--permutations", "199", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["topics_not_measured"] == ["Iran sanctions"]
    # a run made with another threshold than the figures' is told so, as show tells it
    (run,) = [p for p in tmp_path.iterdir() if (p / "run.json").is_file()]
    (run / "config.toml").write_text("[topics]\nthreshold = 0.3\n")
    assert main([*args, "--permutations", "199"]) == 0
    assert (
        "were measured with other settings than this run's (relevance threshold 0.3 (measured "
        f"at {v2.settings['threshold']:g}))" in capsys.readouterr().out
    )


def test_one_article_each_has_no_interval_and_no_stance_is_not_compared(tmp_path):
    arts, passages, scores = tables(
        [article("a", "Ann", n_passages=3), article("b", "Bob", n_passages=3)],
        [
            score("a:0", "sanctions", 0.9, 0.8, -0.4),
            score("b:0", "sanctions", 0.9, 0.02, 0.3),  # takes no side: "no stance expressed"
        ],
    )
    table = positions(arts, passages, scores, TOPICS)
    data = {"articles": arts, "passages": passages, "scores": scores, "positions": table}
    run = load_run(write_run(tmp_path, "r1", {}, "", data))
    by = {d.measure: d for d in author_differences(run, ["Ann", "Bob"], topics=["sanctions"])}
    assert by["stance"].difference is None and "no stance expressed by Bob" in by["stance"].note
    tone = by["tone"]
    assert tone.difference == pytest.approx(-0.7) and tone.p_value is None and tone.low is None
    assert "too few articles" in tone.note


def test_a_run_read_without_its_texts_gives_the_same_differences(tmp_path):
    """The dashboard tests differences on a run read without passage and article texts."""
    run = make_run(tmp_path)
    light = load_run(
        run.path,
        columns={
            "articles": [c for c in run.articles.columns if c != "text"],
            "passages": ["passage_id", "article_id", "index"],
        },
    )
    assert "text" not in light.articles.columns and "text" not in light.passages.columns
    authors = ["Ann", "Bob", "Cid"]
    full = [d.to_dict() for d in author_differences(run, authors, topics=["sanctions"], seed=0)]
    read = [d.to_dict() for d in author_differences(light, authors, topics=["sanctions"], seed=0)]
    assert full == read and full


def test_two_articles_a_side_give_a_difference_no_surer_than_two_articles_can(tmp_path):
    arts = [article(aid, name, n_passages=4) for aid, name in (("A1", "Ann"), ("A2", "Ann"))]
    arts += [article(aid, name, n_passages=4) for aid, name in (("B1", "Bob"), ("B2", "Bob"))]
    rows = [
        score(f"{aid}:0", "sanctions", 0.9, value, 0.0)
        for aid, value in (("A1", 0.5), ("A2", 0.7), ("B1", 0.0), ("B2", 0.1))
    ]
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    run = load_run(write_run(tmp_path, "r1", {}, "", data))
    (diff,) = [
        d
        for d in author_differences(run, ["Ann", "Bob"], topics=["sanctions"])
        if d.measure == "stance"
    ]
    assert diff.difference == pytest.approx(0.55)
    # resampling two articles a side spans only 0.4 to 0.7; the interval must own up to more
    assert diff.low < 0.2 and diff.high > 0.9
    # and no permutation of 2 + 2 articles can give p < 0.05: said, on the page and the line
    assert diff.note == "with 2 + 2 articles no p can be below 0.33: untestable here"
    # its 6 splits are all tried, so its p is exact and never under that floor (2,000 random
    # draws of them gave 0.326 beside the note); Ann's split and its mirror are the extremes
    assert diff.p_value == pytest.approx(2 / 6)
    from analysis.terminal import format_differences

    assert diff.note in format_differences([diff])


def test_a_difference_says_when_its_test_cannot_reach_p_005_or_its_interval_and_p_disagree():
    from analysis.differences import reading_note, smallest_p

    assert smallest_p(2, 2) == pytest.approx(2 / 6)  # the split and its mirror of 6
    assert smallest_p(11, 2) == pytest.approx(1 / 78)
    assert "no p can be below 0.33: untestable here" in reading_note(2, 2, -1.0, 0.2, 0.33)
    assert reading_note(8, 8, -0.01, 0.35, 0.002) == (
        "p under 0.05 but the interval includes 0: not settled"
    )
    assert "excludes 0 but p is 0.05 or more" in reading_note(8, 8, 0.1, 0.5, 0.2)
    assert reading_note(8, 8, 0.1, 0.5, 0.001) == ""  # both say the same


def _split_articles_run(tmp_path):
    """Ann and Bob write four articles each; in every article one passage favors sanctions and
    one opposes them as strongly, so every article averages 0."""
    arts, rows = [], []
    for author, strength in (("Ann", 0.8), ("Bob", 0.6)):
        for k in range(4):
            aid = f"{author}{k}"
            arts.append(article(aid, author, n_passages=4))
            rows.append(score(f"{aid}:0", "sanctions", 0.9, strength, -0.5))
            rows.append(score(f"{aid}:1", "sanctions", 0.9, -strength, 0.5))
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    config = "[aggregate]\nstance_rule = 'mean'\n"
    return load_run(write_run(tmp_path, "r1", {}, config, data))


def test_a_difference_is_resampled_as_the_positions_it_compares(tmp_path):
    """Resampling whole articles alone would call the difference exactly 0 with a zero-width
    interval, surer than either author's own position (whose interval resamples passages
    within articles too); resampled as the positions are, it is at least as wide as each."""
    run = _split_articles_run(tmp_path)
    diffs = author_differences(run, ["Ann", "Bob"], topics=["sanctions"], seed=0)
    shown = run.positions.query("level == 'author' and topic == 'sanctions'").set_index("author")
    for d in diffs:
        assert d.difference == pytest.approx(0.0, abs=1e-9)
        widths = [
            shown.at[who, f"{d.measure}_high"] - shown.at[who, f"{d.measure}_low"]
            for who in ("Ann", "Bob")
        ]
        assert min(widths) > 0.3
        assert d.high - d.low >= max(widths), (d.measure, d.low, d.high, widths)


def test_one_measure_is_tested_alone_with_q_over_its_own_tests(tmp_path, capsys):
    run = make_run(tmp_path)
    both = author_differences(run, ["Ann", "Bob"], n_boot=199, n_permutations=199)
    tone = author_differences(
        run, ["Ann", "Bob"], n_boot=199, n_permutations=199, measures=["tone"]
    )
    assert {d.measure for d in tone} == {"tone"}
    assert [d.p_value for d in tone] == [d.p_value for d in both if d.measure == "tone"]
    tested = [d for d in tone if d.p_value is not None]
    assert tested
    expected = benjamini_hochberg([d.p_value for d in tested])  # the tone tests' alone
    assert [d.q_value for d in tested] == pytest.approx(list(expected))
    with pytest.raises(ValueError, match="expected measures among"):
        author_differences(run, ["Ann", "Bob"], measures=["mood"])
    args = ["compare-authors", "latest", "Ann", "Bob", "--runs-dir", str(tmp_path)]
    assert main([*args, "--measure", "stance", "--permutations", "199", "--json"]) == 0
    assert {t["measure"] for t in json.loads(capsys.readouterr().out)["tests"]} == {"stance"}


def _spread_run(tmp_path):
    """Vic's five pieces vary widely, Wes's forty hardly at all; Xan writes two."""
    arts, rows = [], []
    for k, stance in enumerate((1.0, -0.2, 0.95, 0.1, 0.9)):
        arts.append(article(f"V{k}", "Vic", n_passages=1))
        rows.append(score(f"V{k}:0", "sanctions", 0.9, stance, -0.2))
    for k in range(40):
        arts.append(article(f"W{k}", "Wes", n_passages=1))
        rows.append(score(f"W{k}:0", "sanctions", 0.9, 0.3 + 0.01 * np.sin(k), -0.2))
    arts.append(article("X0", "Xan", n_passages=1))
    rows.append(score("X0:0", "sanctions", 0.9, 0.5, -0.2))
    arts.append(article("X1", "Xan", n_passages=1))
    rows.append(score("X1:0", "sanctions", 0.9, 0.6, -0.2))
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    return load_run(write_run(tmp_path, "r1", {}, "", data))


def test_a_difference_in_spread_alone_is_not_read_as_a_difference_in_stance(tmp_path):
    """Vic's mean is 0.25 above Wes's, well within what five articles that vary as his do
    allow; permuting the plain difference gave p 0.02 here (Wes's alike articles make almost
    any reshuffle look closer than the two are), against an interval that includes 0."""
    run = _spread_run(tmp_path)
    (d,) = author_differences(run, ["Vic", "Wes"], topics=["sanctions"], measures=["stance"])
    assert d.difference == pytest.approx(0.25, abs=0.01)
    assert d.p_value > 0.2 and d.low < 0 < d.high and not d.note


def test_a_pairs_numbers_do_not_depend_on_the_others_compared_or_on_the_order_named(tmp_path):
    run = _spread_run(tmp_path)
    kwargs = {"topics": ["sanctions"], "measures": ["stance"], "seed": 3}
    (alone,) = author_differences(run, ["Vic", "Wes"], **kwargs)
    among = author_differences(run, ["Xan", "Vic", "Wes"], **kwargs)
    (beside,) = [d for d in among if (d.a, d.b) == ("Vic", "Wes")]
    assert (beside.difference, beside.low, beside.high, beside.p_value) == (
        alone.difference,
        alone.low,
        alone.high,
        alone.p_value,
    )
    (mirrored,) = author_differences(run, ["Wes", "Vic"], **kwargs)
    assert (mirrored.value_a, mirrored.value_b) == (alone.value_b, alone.value_a)
    assert mirrored.difference == pytest.approx(-alone.difference)
    assert (mirrored.low, mirrored.high) == pytest.approx((-alone.high, -alone.low))
    assert mirrored.p_value == alone.p_value


def test_articles_that_do_not_vary_are_said_to_leave_the_interval_without_width(tmp_path):
    """Five articles at +0.5 against five at +0.2 (as analysts' one-hot labels can make):
    the interval was [+0.30, +0.30] at p 0.011 with nothing said."""
    arts, rows = [], []
    for author, stance in (("Ann", 0.5), ("Bob", 0.2)):
        for k in range(5):
            arts.append(article(f"{author}{k}", author, n_passages=1))
            rows.append(score(f"{author}{k}:0", "sanctions", 0.9, stance, -0.2))
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    run = load_run(write_run(tmp_path, "r1", {}, "", data))
    (d,) = author_differences(run, ["Ann", "Bob"], topics=["sanctions"], measures=["stance"])
    assert d.low == d.high == pytest.approx(0.3)
    assert "do not vary at all" in d.note
    # as far apart as five and five articles can be: the smallest p they allow
    assert d.p_value == pytest.approx(2 / 252, abs=0.01)


def test_a_p_value_under_a_thousandth_is_printed_as_such_not_as_zero():
    from analysis.differences import Difference
    from analysis.terminal import format_differences

    d = Difference(
        "A", "B", "sanctions", "stance", 0.6, -0.6, 1.2, 0.9, 1.4, 0.0002, 0.0004, 9, 9, 20, 20
    )
    line = format_differences([d, dataclasses.replace(d, p_value=0.012, q_value=0.03)])
    assert "p<0.001 q<0.001" in line and "p=0.012 q=0.030" in line and "0.000" not in line
