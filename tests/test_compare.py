"""compare_runs and robustness on synthetic runs whose differences are known by construction.

Four authors, one article each, four passages per article: passages 0-1 are about sanctions,
2-3 about Ukraine. Run B is run A with

- Alice's two sanctions passages flipped favor <-> against (her stance +0.5 -> -0.5);
- Dan's Ukraine passage a3:2 changed from strong favor / positive tone to strong against /
  negative tone (the largest change of all: total variation 0.92 on stance);
- Carol's Ukraine passages no longer scored (as if under a stricter threshold): she goes from
  discussed to not discussed;
- one extra passage (a0:0 for Ukraine) scored only in B.

Bob is never touched.
"""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.compare import (
    compare_runs,
    load_for_comparison,
    robustness,
    sign_of,
)
from analysis.intervals import INTERVAL_METHOD
from analysis.metrics import average_ranks, cohen_kappa, spearman
from analysis.runs import TABLE_COLUMNS, RunError, load_run, write_run
from analysis.terminal import format_comparison, format_robustness

# stance rows (favor, against, none)
F, AG, N = (0.7, 0.2, 0.1), (0.2, 0.7, 0.1), (0.1, 0.1, 0.8)
W, WA = (0.5, 0.3, 0.2), (0.3, 0.5, 0.2)
FS, AS = (0.95, 0.03, 0.02), (0.03, 0.95, 0.02)
# tone rows (negative, neutral, positive)
NEG, NEU, POS = (0.7, 0.2, 0.1), (0.1, 0.8, 0.1), (0.1, 0.2, 0.7)
TONE_BY_INDEX = {0: NEG, 1: NEU, 2: POS, 3: NEG}

AUTHORS = ["Alice", "Bob", "Carol", "Dan"]
TOPICS = [{"key": "sanctions", "label": "Sanctions"}, {"key": "ukraine", "label": "Ukraine"}]
HALF_WIDTH = {"Alice": 0.1, "Bob": 0.3, "Carol": 0.1, "Dan": 0.1}
TOPIC_OF = {0: "sanctions", 1: "sanctions", 2: "ukraine", 3: "ukraine"}

# (author, passage index) -> stance row; the topic follows from the index
STANCE_A = {
    ("Alice", 0): F,
    ("Alice", 1): F,
    ("Bob", 0): AG,
    ("Bob", 1): N,
    ("Carol", 0): N,
    ("Carol", 1): F,
    ("Dan", 0): WA,
    ("Dan", 1): N,
    ("Alice", 2): N,
    ("Alice", 3): W,
    ("Bob", 2): F,
    ("Bob", 3): N,
    ("Carol", 2): AG,
    ("Carol", 3): AG,
    ("Dan", 2): FS,
    ("Dan", 3): FS,
}


def score_rows(stance_rows, tone_override=None, extra=()):
    """Scores table rows from {(author, index): stance row}; extra = (author, index, topic, ...)."""
    tone_override = tone_override or {}
    items = [
        (a, i, TOPIC_OF[i], s, tone_override.get((a, i), TONE_BY_INDEX[i]))
        for (a, i), s in stance_rows.items()
    ]
    items += list(extra)
    rows = []
    for author, index, topic, stance, tone in items:
        k = AUTHORS.index(author)
        rows.append(
            {
                "passage_id": f"a{k}:{index}",
                "article_id": f"a{k}",
                "topic": topic,
                "relevance": 0.8,
                "reported": False,
                "speaker": None,
                "stance_favor": stance[0],
                "stance_against": stance[1],
                "stance_none": stance[2],
                "tone_negative": tone[0],
                "tone_neutral": tone[1],
                "tone_positive": tone[2],
                "stance": stance[0] - stance[1],
                "tone": tone[2] - tone[0],
            }
        )
    return pd.DataFrame(rows)


def position_rows(scores):
    """Article and author positions: mean of passages, interval mean -/+ a known half-width."""
    rows = []
    for level in ("article", "author"):
        for k, author in enumerate(AUTHORS):
            for topic in ("sanctions", "ukraine"):
                mine = scores[(scores["article_id"] == f"a{k}") & (scores["topic"] == topic)]
                discussed = len(mine) > 0
                stance = mine["stance"].mean() if discussed else np.nan
                tone = mine["tone"].mean() if discussed else np.nan
                h = HALF_WIDTH[author]
                rows.append(
                    {
                        "level": level,
                        "article_id": f"a{k}" if level == "article" else None,
                        "title": f"Title {k}" if level == "article" else None,
                        "author": author,
                        "group_kind": "author",
                        "outlet": "Outlet",
                        "date": None,
                        "topic": topic,
                        "status": "discussed" if discussed else "not_discussed",
                        "coverage": len(mine) / 4,
                        "n_passages": len(mine),
                        "n_reported": 0,
                        "n_articles": 1,
                        "stance": stance,
                        "stance_low": stance - h,
                        "stance_high": stance + h,
                        "tone": tone,
                        "tone_low": tone - 0.1,
                        "tone_high": tone + 0.1,
                        "evidence": list(mine["passage_id"]),
                    }
                )
    return pd.DataFrame(rows)


def corpus_tables(changed_text=None):
    articles = pd.DataFrame(
        [
            {c: None for c in TABLE_COLUMNS["articles"]}
            | {
                "article_id": f"a{k}",
                "title": f"Title {k}",
                "author": author,
                "outlet": "Outlet",
                "group": author,
                "group_kind": "author",
                "text": "",
                "n_passages": 4,
            }
            for k, author in enumerate(AUTHORS)
        ]
    )
    passages = pd.DataFrame(
        [
            {
                "passage_id": f"a{k}:{i}",
                "article_id": f"a{k}",
                "index": i,
                "start": 0,
                "end": 10,
                "text": f"{author} says thing {i} about {TOPIC_OF[i]}",
                "reported": False,
                "speaker": None,
            }
            for k, author in enumerate(AUTHORS)
            for i in range(4)
        ]
    )
    if changed_text:
        passages.loc[passages["passage_id"] == changed_text, "text"] = "something else entirely"
    return articles, passages


def make_run(tmp_path, run_id, scores, meta=None, changed_text=None):
    articles, passages = corpus_tables(changed_text)
    base = {
        "topics": TOPICS,
        "corpus_hash": "c0ffee" * 10,
        "models": {"stance": {"name": f"stance.{run_id}"}, "tone": {"name": f"tone.{run_id}"}},
    }
    tables = {
        "articles": articles,
        "passages": passages,
        "scores": scores,
        "positions": position_rows(scores),
    }
    write_run(tmp_path, run_id, base if meta is None else meta, "", tables)
    return load_run(run_id, tmp_path)


def scores_b():
    stance = dict(STANCE_A)
    stance[("Alice", 0)] = AG  # flipped favor <-> against
    stance[("Alice", 1)] = AG
    stance[("Dan", 2)] = AS  # the one changed passage
    del stance[("Carol", 2)], stance[("Carol", 3)]  # no longer over the threshold
    extra = [("Alice", 0, "ukraine", N, NEU)]  # scored in B only
    return score_rows(stance, {("Dan", 2): NEG}, extra)


@pytest.fixture
def runs(tmp_path):
    a = make_run(tmp_path, "run-a", score_rows(STANCE_A))
    b = make_run(tmp_path, "run-b", scores_b())
    return a, b


# ---------------------------------------------------------------- statistics


def test_kappa_matches_the_definition_and_handles_degenerate_cases():
    a = ["x", "x", "y", "y", "z", "x"]
    b = ["x", "y", "y", "y", "z", "z"]
    p_o = 4 / 6
    p_e = (3 * 1 + 2 * 3 + 1 * 2) / 36  # x: 3 and 1, y: 2 and 3, z: 1 and 2
    assert cohen_kappa(a, b) == pytest.approx((p_o - p_e) / (1 - p_e))
    assert cohen_kappa(["x"] * 4, ["x"] * 4) == 1.0  # p_e = 1: perfect agreement
    assert cohen_kappa([], []) is None
    assert cohen_kappa(["x", "y"], ["y", "x"]) == pytest.approx(-1.0)


def test_spearman_uses_average_ranks_for_ties():
    assert list(average_ranks([10, 20, 20, 5])) == [2, 3.5, 3.5, 1]
    # no ties: 1 - 6 sum d^2 / (n (n^2 - 1)) with d = (0, 1, -1, 0)
    assert spearman([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(1 - 6 * 2 / (4 * 15))
    # ties: Pearson of hand-written average ranks
    expected = np.corrcoef([1, 2.5, 2.5, 4], [1, 2, 3, 4])[0, 1]
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(expected)
    assert spearman([1, 2], [2, 1]) is None  # fewer than 3
    assert spearman([1, 1, 1], [1, 2, 3]) is None  # constant: undefined


def test_sign_treats_a_band_around_zero_as_zero():
    assert [sign_of(v) for v in (0.3, -0.3, 0.04, -0.05, float("nan"))] == [
        "+",
        "-",
        "0",
        "0",
        None,
    ]


# ---------------------------------------------------------------- compare_runs


def test_passage_agreement_per_topic(runs):
    report = compare_runs(*runs)
    sanctions = report["topics"]["sanctions"]
    assert sanctions["label"] == "Sanctions"
    # A: favor favor | against none | none favor | against none; B flips Alice's two
    p_o = 6 / 8
    p_e = (3 * 1 + 2 * 4 + 3 * 3) / 64  # favor 3 vs 1, against 2 vs 4, none 3 vs 3
    assert sanctions["stance"]["kappa"] == pytest.approx((p_o - p_e) / (1 - p_e))
    assert sanctions["stance"]["agreement"] == pytest.approx(p_o)
    assert sanctions["stance"]["confusion"][0] == [1, 2, 0]  # A favor -> B favor 1, against 2
    assert sanctions["tone"]["kappa"] == 1.0  # tone untouched on sanctions
    assert sanctions["passages"] == {"shared": 8, "text_differs": 0, "only_a": 0, "only_b": 0}
    ukraine = report["topics"]["ukraine"]
    assert ukraine["passages"] == {"shared": 6, "text_differs": 0, "only_a": 2, "only_b": 1}
    assert ukraine["stance"]["agreement"] == pytest.approx(5 / 6)
    assert report["overall"]["passages"]["shared"] == 14
    assert report["overall"]["stance"]["agreement"] == pytest.approx(11 / 14)


def test_flipped_author_is_listed_and_unchanged_author_is_not(runs):
    report = compare_runs(*runs)
    flips = report["overall"]["sign_changes"]
    assert [(e["author"], e["topic"], e["measure"]) for e in flips] == [
        ("Alice", "sanctions", "stance")
    ]
    assert flips[0]["a"] == pytest.approx(0.5) and flips[0]["b"] == pytest.approx(-0.5)
    splits = {(e["author"], e["topic"], e["measure"]) for e in report["overall"]["interval_splits"]}
    # Dan moves from +0.92 into the zero band: a split, not a sign change
    assert splits == {
        ("Alice", "sanctions", "stance"),
        ("Dan", "ukraine", "stance"),
        ("Dan", "ukraine", "tone"),
    }
    status = report["overall"]["status_changes"]
    assert [(e["author"], e["topic"], e["a"], e["b"]) for e in status] == [
        ("Carol", "ukraine", "discussed", "not_discussed")
    ]
    everything = json.dumps(
        [report["overall"][k] for k in ("sign_changes", "interval_splits", "status_changes")]
    )
    assert "Bob" not in everything


def test_author_changes_merge_the_kinds_per_author_topic_and_measure(runs):
    merged = compare_runs(*runs)["overall"]["author_changes"]
    kinds = {(e["author"], e["topic"], e["measure"]): e["changes"] for e in merged}
    assert kinds == {
        ("Alice", "sanctions", "stance"): ["sign", "split"],
        ("Dan", "ukraine", "stance"): ["split"],
        ("Dan", "ukraine", "tone"): ["split"],
        ("Carol", "ukraine", "stance"): ["status"],  # a status change moves both measures
        ("Carol", "ukraine", "tone"): ["status"],
    }
    alice = next(e for e in merged if e["author"] == "Alice")
    assert alice["a"]["value"] == pytest.approx(0.5) and alice["b"]["value"] == pytest.approx(-0.5)
    assert alice["a"]["low"] <= alice["a"]["value"] <= alice["a"]["high"]
    carol = next(e for e in merged if e["author"] == "Carol")
    assert carol["a"]["status"] == "discussed" and carol["b"]["status"] == "not_discussed"
    assert carol["b"]["value"] is None and carol["b"]["n_passages"] == 0
    # the articles behind each side, so the Runs page pales a one-article score as the
    # Overview does
    assert alice["a"]["n_articles"] is None  # these runs record no count
    import copy

    counted = [copy.copy(r) for r in runs]
    for run, n in zip(counted, (1, 3), strict=True):
        run.positions = run.positions.assign(n_articles_discussing=n)
    recounted = compare_runs(*counted)["overall"]["author_changes"]
    alice = next(e for e in recounted if e["author"] == "Alice")
    assert (alice["a"]["n_articles"], alice["b"]["n_articles"]) == (1, 3)


def test_rank_correlation_of_authors(runs):
    report = compare_runs(*runs)
    authors = report["topics"]["sanctions"]["authors"]
    # A: Alice .5, Bob -.25, Carol .25, Dan -.1 -> ranks 4 1 3 2; B: Alice -.5 -> ranks 1 2 4 3
    assert authors["spearman"]["stance"] == pytest.approx(1 - 6 * (9 + 1 + 1 + 1) / (4 * 15))
    assert authors["discussed_in_both"] == 4
    # Ukraine: Carol drops out, three authors remain; their tone is 0 for all three in A
    ukraine = report["topics"]["ukraine"]["authors"]
    assert ukraine["discussed_in_both"] == 3
    assert ukraine["spearman"]["stance"] == pytest.approx(-0.5)
    assert ukraine["spearman"]["tone"] is None  # constant ranking: undefined, not 0
    assert ukraine["in_both"] == 4 and ukraine["only_a"] == 0


def test_an_author_with_no_stance_expressed_still_counts_as_discussed_in_both(runs):
    a, b = runs
    silent = b.positions.copy()
    where = (silent["level"] == "author") & (silent["topic"] == "sanctions")
    where &= silent["author"] == "Alice"
    silent.loc[where, ["stance", "stance_low", "stance_high"]] = np.nan  # no stance expressed
    report = compare_runs(a, dataclasses.replace(b, positions=silent))
    authors = report["topics"]["sanctions"]["authors"]
    assert authors["discussed_in_both"] == 4  # Alice still discusses sanctions in both runs
    assert authors["spearman"]["n_stance"] == 3 and authors["spearman"]["n_tone"] == 4


def test_a_stance_that_turns_mixed_or_silent_is_a_change(runs):
    a, b = runs
    ours = {}
    for run, kinds in ((a, {}), (b, {"Bob": "mixed", "Dan": "no_stance"})):
        table = run.positions.copy()
        table["stance_status"] = np.where(table["status"] == "discussed", "expressed", None)
        for author, kind in kinds.items():
            where = (table["level"] == "author") & (table["author"] == author)
            table.loc[where & (table["topic"] == "sanctions"), "stance_status"] = kind
        ours[run.run_id] = dataclasses.replace(run, positions=table)
    report = compare_runs(ours[a.run_id], ours[b.run_id])
    moved = report["topics"]["sanctions"]["stance_status_changes"]
    assert [(e["author"], e["a"], e["b"]) for e in moved] == [
        ("Bob", "expressed", "mixed"),
        ("Dan", "expressed", "no_stance"),
    ]
    entry = next(
        e
        for e in report["topics"]["sanctions"]["author_changes"]
        if e["author"] == "Bob" and e["measure"] == "stance"
    )
    assert "stance_status" in entry["changes"]
    assert (entry["a"]["stance_status"], entry["b"]["stance_status"]) == ("expressed", "mixed")
    text = format_comparison(report)
    assert "Bob stance: a side taken -> mixed (both sides)" in text
    assert "Dan stance: a side taken -> no stance expressed" in text


def test_the_changed_passage_disagrees_most(runs):
    report = compare_runs(*runs, top_k=3)
    top = report["overall"]["disagreements"]["stance"]
    assert len(top) == 3
    assert top[0]["passage_id"] == "a3:2"
    assert top[0]["tv"] == pytest.approx(0.92)
    assert top[0]["a"]["favor"] == pytest.approx(0.95) and top[0]["b"]["against"] == 0.95
    assert (top[0]["label_a"], top[0]["label_b"]) == ("favor", "against")
    assert top[0]["title"] == "Title 3" and top[0]["author"] == "Dan"
    assert top[0]["text"] == "Dan says thing 2 about ukraine"
    assert {e["passage_id"] for e in top[1:]} == {"a0:0", "a0:1"}  # Alice's flips, tv 0.5
    assert report["overall"]["disagreements"]["tone"][0]["passage_id"] == "a3:2"
    # per topic, and passages scored identically by both runs are not disagreements
    sanctions_top = report["topics"]["sanctions"]["disagreements"]["stance"]
    assert [e["passage_id"] for e in sanctions_top] == ["a0:0", "a0:1"]
    assert report["topics"]["sanctions"]["disagreements"]["tone"] == []


def test_report_is_json_ready_and_names_both_runs(runs):
    report = compare_runs(*runs)
    json.dumps(report, allow_nan=False)  # NaN would fail here
    assert report["a"]["run_id"] == "run-a" and report["b"]["run_id"] == "run-b"
    assert report["a"]["models"] == {"stance": "stance.run-a", "tone": "tone.run-a"}
    assert report["same_corpus"] is True and report["warnings"] == []


def test_format_comparison_shows_the_key_facts(runs):
    text = format_comparison(compare_runs(*runs))
    for fact in (
        "run-a",
        "run-b",
        "stance.run-b",
        "same corpus",
        "Sanctions",
        "Alice stance: +0.50 -> -0.50",
        "Carol: discussed -> not discussed",
        "a3:2",
        "Dan says thing 2",
    ):
        assert fact in text, fact
    sanctions_line = next(line for line in text.splitlines() if line.startswith("Sanctions"))
    assert "0.64" in sanctions_line  # kappa (0.75 - 0.3125) / 0.6875


def test_different_corpora_warn_and_compare_only_identical_passages(tmp_path):
    a = make_run(tmp_path, "run-a", score_rows(STANCE_A))
    meta = {"topics": TOPICS, "corpus_hash": "beef" * 15, "models": {}}
    b = make_run(tmp_path, "run-b", score_rows(STANCE_A), meta=meta, changed_text="a1:0")
    report = compare_runs(a, b)
    assert report["same_corpus"] is False
    assert "different corpora" in report["warnings"][0]
    assert report["topics"]["sanctions"]["passages"]["text_differs"] == 1
    assert report["topics"]["sanctions"]["passages"]["shared"] == 7
    assert report["topics"]["sanctions"]["stance"]["n"] == 7
    assert report["b"]["models"] == {"stance": None, "tone": None}
    assert "DIFFERENT corpora" in format_comparison(report)
    assert "covers only the passages they share" in report["warnings"][0]


def test_runs_that_share_no_passage_say_there_is_no_agreement_to_measure(tmp_path):
    a = make_run(tmp_path, "run-a", score_rows(STANCE_A))
    meta = {"topics": TOPICS, "corpus_hash": "beef" * 15, "models": {}}
    rows = score_rows(STANCE_A)
    rows["passage_id"] = "other-" + rows["passage_id"].astype(str)  # other articles' passages
    b = make_run(tmp_path, "run-b", rows, meta=meta)
    report = compare_runs(a, b)
    assert report["overall"]["passages"]["shared"] == 0
    assert report["warnings"][0].startswith(
        "the runs analysed different corpora and share no passage: there is no passage "
        "agreement to measure"
    )


def test_runs_loaded_for_comparison_compare_as_the_whole_runs(tmp_path):
    a = make_run(tmp_path, "run-a", score_rows(STANCE_A))
    b = make_run(tmp_path, "run-b", scores_b(), changed_text="a3:2")
    light_a, light_b = (load_for_comparison(r, tmp_path) for r in ("run-a", "run-b"))
    # only the scored passages and no article texts are read ...
    assert set(light_b.passages["passage_id"]) == set(b.scores["passage_id"])
    assert len(light_b.passages) < len(b.passages) and "text" not in light_a.articles
    # ... and the comparison, texts and all, is the same
    assert compare_runs(light_a, light_b, top_k=5) == compare_runs(a, b, top_k=5)
    with pytest.raises(RunError, match="no run"):
        load_for_comparison("run-zzz", tmp_path)


def test_runs_without_topic_labels_or_models_still_compare(tmp_path):
    a = make_run(tmp_path, "run-a", score_rows(STANCE_A), meta={})
    b = make_run(tmp_path, "run-b", scores_b(), meta={})
    report = compare_runs(a, b)
    assert list(report["topics"]) == ["sanctions", "ukraine"]
    assert report["topics"]["sanctions"]["label"] == "Sanctions"  # the key in words
    assert report["same_corpus"] is None and "no corpus hash" in report["warnings"][0]
    assert "stance ?" in format_comparison(report)


def test_compare_validates_its_inputs(runs):
    with pytest.raises(ValueError, match="expected top_k"):
        compare_runs(*runs, top_k=-1)
    with pytest.raises(ValueError, match="expected b to be a Run"):
        compare_runs(runs[0], "run-b")


# ---------------------------------------------------------------- robustness


@pytest.fixture
def three_runs(tmp_path, runs):
    again = make_run(tmp_path, "run-a2", score_rows(STANCE_A))
    return [runs[0], runs[1], again]


def pairs_by_verdict(section):
    out = {}
    for p in section["pair_list"]:
        out.setdefault(p["verdict"], set()).add((p["author_a"], p["author_b"]))
    return out


def test_robustness_flags_the_flipped_pairs_and_keeps_the_rest_stable(three_runs):
    report = robustness(three_runs, labels=["A", "B", "A2"])
    sanctions = report["topics"]["sanctions"]
    assert sanctions["authors"] == AUTHORS
    verdicts = pairs_by_verdict(sanctions)
    assert verdicts["flip"] == {("Alice", "Bob"), ("Alice", "Carol"), ("Alice", "Dan")}
    assert verdicts["stable"] == {("Bob", "Carol"), ("Bob", "Dan"), ("Carol", "Dan")}
    assert "tie" not in verdicts
    assert sanctions["pairs"] == {
        "n": 6,
        "stable": 3,
        "flip": 3,
        "tie": 0,
        # Alice vs Bob flips inside Bob's wide interval in run B; the other two are confident
        "strong_flip": 2,
        # Bob vs Dan overlap (Bob's interval is wide)
        "stable_separated": 2,
        "stable_without_interval": 0,
    }
    first = sanctions["pair_list"][0]
    assert first["verdict"] == "flip" and first["strong"]
    alice_bob = next(p for p in sanctions["pair_list"] if p["author_b"] == "Bob")
    assert alice_bob["orders"] == [">", "<", ">"] and not alice_bob["strong"]
    assert alice_bob["intervals_disjoint"] == [True, False, True]


def test_robustness_says_which_stable_pairs_rest_on_one_passage_in_some_run(three_runs):
    from analysis.terminal import NO_INTERVAL_PAIR, format_robustness

    # Carol's stance in run B as if it rested on one passage: no interval there
    pb = three_runs[1].positions
    pb.loc[pb["author"] == "Carol", ["stance_low", "stance_high"]] = float("nan")
    report = robustness(three_runs, labels=["A", "B", "A2"])
    sanctions = report["topics"]["sanctions"]
    with_carol = [
        p for p in sanctions["pair_list"] if p["verdict"] == "stable" and "Carol" in p.values()
    ]
    assert {(p["author_a"], p["author_b"]) for p in with_carol} == {("Bob", "Carol")} | {
        ("Carol", "Dan")
    }
    assert all(p["intervals_disjoint"][1] is None for p in with_carol)
    assert sanctions["pairs"]["stable_without_interval"] == 2
    assert sanctions["pairs"]["stable_separated"] < 2  # Carol's pairs no longer count as apart
    text = format_robustness(report)
    assert "2 without an interval in some run (one passage)" in text
    marked = [line for line in text.splitlines() if NO_INTERVAL_PAIR in line]
    # her two stable pairs and her flip with Alice: every pair of hers, and no other
    assert len(marked) == 3 and all("Carol" in line for line in marked)


def test_robustness_signs_and_topics_with_authors_missing_from_a_run(three_runs):
    report = robustness(three_runs, labels=["A", "B", "A2"])
    signs = {s["author"]: s for s in report["topics"]["sanctions"]["signs"]}
    assert signs["Alice"]["verdict"] == "flips" and signs["Alice"]["signs"] == ["+", "-", "+"]
    assert signs["Bob"]["verdict"] == "stable"
    ukraine = report["topics"]["ukraine"]
    assert ukraine["authors"] == ["Alice", "Bob", "Dan"]  # Carol not discussed in B
    assert ukraine["authors_not_in_all"][0]["author"] == "Carol"
    assert ukraine["authors_not_in_all"][0]["discussed_in"] == ["A", "A2"]
    dan = next(s for s in ukraine["signs"] if s["author"] == "Dan")
    assert dan["verdict"] == "unsettled" and dan["signs"] == ["+", "0", "+"]
    assert pairs_by_verdict(ukraine)["flip"] == {("Alice", "Dan"), ("Bob", "Dan")}
    rho = {(c["a"], c["b"]): c["rho"] for c in report["topics"]["sanctions"]["spearman"]}
    assert rho[("A", "A2")] == pytest.approx(1.0) and rho[("A", "B")] == pytest.approx(-0.2)
    assert report["overall"]["pairs"]["flip"] == 5
    json.dumps(report, allow_nan=False)


def test_robustness_lists_flips_first_when_the_list_is_capped(three_runs):
    report = robustness(three_runs, max_pairs=2)
    sanctions = report["topics"]["sanctions"]
    assert [p["verdict"] for p in sanctions["pair_list"]] == ["flip", "flip"]
    assert all(p["strong"] for p in sanctions["pair_list"])
    assert sanctions["pair_list_truncated"] and sanctions["pairs"]["n"] == 6


def test_format_robustness_names_flips_and_stable_pairs(three_runs):
    text = format_robustness(robustness(three_runs, labels=["A", "B", "A2"]))
    for fact in (
        "across 3 runs",
        "[Sanctions] 4 authors with a stance in every run",
        "3 flip (2 strong)",
        "Alice vs Carol: A >, B <, A2 >",
        "STRONG",
        "Bob vs Carol",
        "Alice: flips (+ - +)",
        "Dan: unsettled (+ 0 +)",
        "left out, without a stance in at least one run (not discussed, no stance expressed, "
        "or only quoted voices there): 1 (Carol)",
        "flips: + in one run and - in another; unsettled: a side in one run, 0 in another",
    ):
        assert fact in text, fact


def test_format_robustness_lists_each_run_once_with_its_name(three_runs):
    report = robustness(three_runs)  # labelled by run id
    report["runs"][0]["name"] = "vader"
    header = format_robustness(report).splitlines()[1:4]
    first = report["runs"][0]["run_id"]
    assert header[0].startswith(f"  {first} (vader)  models:")
    for line, run in zip(header, report["runs"], strict=True):
        assert line.split()[0] == run["run_id"]  # once: not "run-b: run-b"


def test_robustness_validates_its_inputs(runs, tmp_path):
    with pytest.raises(ValueError, match="at least 2 runs"):
        robustness([runs[0]])
    with pytest.raises(ValueError, match="expected 2 labels"):
        robustness(list(runs), labels=["x"])
    with pytest.raises(ValueError, match="run id twice"):
        robustness([runs[0], runs[0]])
    with pytest.raises(ValueError, match="expected measure"):
        robustness(list(runs), measure="mood")


def test_a_run_without_topic_passages_compares_to_nothing_shared(tmp_path, runs):
    empty = make_run(tmp_path, "run-empty", score_rows(STANCE_A).iloc[0:0])
    report = compare_runs(runs[0], empty)
    assert report["overall"]["passages"]["only_a"] == 16
    assert report["overall"]["stance"]["kappa"] is None
    assert len(report["overall"]["status_changes"]) == 8  # every author x topic falls silent
    assert "none" in format_comparison(report)
    rob = robustness([runs[0], empty])
    assert rob["topics"]["sanctions"]["pairs"]["n"] == 0
    assert len(rob["topics"]["sanctions"]["authors_not_in_all"]) == 4
    assert "only quoted voices there): 4 (Alice, Bob, Carol, Dan)" in format_robustness(rob)


def test_runs_that_found_topic_passages_differently_say_so(tmp_path):
    cascade = {"topic_matcher": {"method": "m", "first_stage": {"name": "minilm-static"}}}
    a = make_run(tmp_path, "run-a", score_rows(STANCE_A), meta=cascade)
    b = make_run(tmp_path, "run-b", scores_b(), meta={"topic_matcher": {"method": "m"}})
    warnings = compare_runs(a, b)["warnings"]
    assert any("cascade vs full relevance" in w for w in warnings)
    same = make_run(tmp_path, "run-c", scores_b(), meta=cascade)
    assert not any("relevance" in w for w in compare_runs(a, same)["warnings"])


def test_a_run_with_failed_predictions_says_how_many(tmp_path):
    a = make_run(tmp_path, "run-a", score_rows(STANCE_A))
    failing = {"counts": {"failed_pairs": 3, "scored_pairs": 12}}
    b = make_run(tmp_path, "run-b", scores_b(), meta=failing)
    warnings = compare_runs(a, b)["warnings"]
    assert "run B: 3 of 12 passage-topic pairs have no prediction" in " ".join(warnings)
    assert not any("no prediction" in w for w in compare_runs(a, a)["warnings"])


def test_per_topic_thresholds_and_a_topic_judged_in_one_run_only_are_said(tmp_path):
    gated = {"stance": {"name": "s"}, "tone": {"name": "t"}, "topic_gate": {"name": "g"}}
    cuts = {"sanctions": 0.55, "ukraine": 0.55}
    meta_a = {"models": gated, "relevance_thresholds": cuts, "topic_head_untrained": []}
    meta_b = {
        "models": gated,
        "relevance_thresholds": {**cuts, "sanctions": 0.61},
        "topic_head_untrained": ["sanctions"],
    }
    a = make_run(tmp_path, "run-a", score_rows(STANCE_A), meta=meta_a)
    b = make_run(tmp_path, "run-b", scores_b(), meta=meta_b)
    warnings = " ".join(compare_runs(a, b)["warnings"])
    assert "relevance thresholds differ for Sanctions (0.55 vs 0.61)" in warnings  # its label
    assert "the topic head judged Sanctions in one run only" in warnings
    same = make_run(tmp_path, "run-c", scores_b(), meta=meta_a)
    quiet = " ".join(compare_runs(a, same)["warnings"])
    assert "relevance thresholds" not in quiet and "judged" not in quiet


def test_runs_with_other_topic_definitions_veto_or_rules_say_so(tmp_path):
    from analysis.runs import load_run, write_run

    a = make_run(tmp_path, "run-a", score_rows(STANCE_A))
    assert not [w for w in compare_runs(a, a)["warnings"] if "differ" in w]
    tables = {n: getattr(a, n) for n in ("articles", "passages", "scores", "positions")}

    def rerun(run_id: str, config: str, **meta) -> object:
        base = {k: v for k, v in a.meta.items() if k != "run_id"}
        return load_run(write_run(tmp_path, run_id, {**base, **meta}, config, tables))

    plain = rerun("run-c", "", topic_matcher={"counter_examples": False})
    other = rerun(
        "run-b",
        "[aggregate]\nstance_rule = 'balance'\ninclude_reported = true\n",
        topics=[{**TOPICS[0], "target": "lifting sanctions on Russia"}, TOPICS[1]],
        topic_matcher={"counter_examples": ["sanctions"]},
    )
    warnings = compare_runs(plain, other)["warnings"]
    assert "topic 'Sanctions' is defined differently: its target differs" in " ".join(warnings)
    assert not any("topic 'ukraine' is defined" in w for w in warnings)
    veto = "counter-examples vetoed alias hits in run B only for Sanctions: which passages"
    assert any(veto in w for w in warnings)
    rules = [w for w in warnings if w.startswith("positions were computed by different rules")]
    assert rules and "include_reported false in run A, true in run B" in rules[0]
    assert 'stance_rule "mean" in run A, "balance" in run B' in rules[0]
    assert not any(w.startswith("intervals were drawn differently") for w in warnings)
    reseeded = rerun("run-e", "[aggregate]\nseed = 7\nmax_evidence = 3\n")
    warnings = compare_runs(plain, reseeded)["warnings"]
    assert not any(w.startswith("positions were computed by different rules") for w in warnings)
    (drawn,) = [w for w in warnings if w.startswith("intervals were drawn differently")]
    assert "seed 0 in run A, 7 in run B" in drawn and "max_evidence" not in drawn
    # a run made before the small-sample widening (no interval_method) against one after it
    assert not any("intervals were made differently" in w for w in warnings)
    widened = rerun("run-g", "", interval_method=INTERVAL_METHOD)
    (made,) = [w for w in compare_runs(plain, widened)["warnings"] if "made differently" in w]
    assert f"run A: percentile bootstrap; run B: {INTERVAL_METHOD}" in made
    assert not any("made differently" in w for w in compare_runs(widened, widened)["warnings"])
    # a veto on a topic the other run lacks is no difference between the two
    elsewhere = rerun("run-f", "", topic_matcher={"counter_examples": ["nato"]})
    assert not any("vetoed" in w for w in compare_runs(plain, elsewhere)["warnings"])
    models = {**a.meta["models"], "topic_gate": {"name": "stance.x:topic"}}
    gated = rerun("run-d", "[topics]\ngate = 0.9\npassage_gate = 0.7\n", models=models)
    gate = [w for w in compare_runs(a, gated)["warnings"] if w.startswith("the topic gates")]
    assert gate == [
        "the topic gates differ (run A: none (no topic head); run B: P(on topic) 0.9 for an "
        "article to discuss a topic, 0.7 for a passage to count): which candidate passages "
        "count differs"
    ]


def test_kappa_is_undefined_where_both_runs_give_every_passage_one_label():
    from analysis.compare import _agreement

    rows = {"stance_favor_a": [0.1, 0.3], "stance_against_a": [0.1, 0.1]}
    rows |= {"stance_none_a": [0.8, 0.6], "stance_favor_b": [0.2, 0.2]}
    rows |= {"stance_against_b": [0.2, 0.2], "stance_none_b": [0.6, 0.6]}
    found = _agreement(pd.DataFrame(rows), "stance")
    assert found["kappa"] is None and found["agreement"] == 1.0
    assert found["mean_tv"] == pytest.approx((0.2 + 0.1) / 2)  # the probabilities still differ


def test_robustness_ties_values_that_print_alike_instead_of_calling_a_flip(three_runs):
    def with_stances(run, carol: float, dan: float):
        table = run.positions.copy()
        at = (table["level"] == "author") & (table["topic"] == "sanctions")
        for author, value in (("Carol", carol), ("Dan", dan)):
            table.loc[at & (table["author"] == author), "stance"] = value
        return dataclasses.replace(run, positions=table)

    def verdicts(values):
        runs = [with_stances(r, *v) for r, v in zip(three_runs, values, strict=True)]
        report = robustness(runs, labels=["A", "B", "A2"])
        return pairs_by_verdict(report["topics"]["sanctions"])

    # float noise around a "mixed" 0.00, flipping sign from run to run: tied, no flip
    found = verdicts([(-1e-7, 1e-7), (1e-7, -1e-7), (-1e-7, 1e-7)])
    assert ("Carol", "Dan") in found["tie"]
    # +0.0149 and +0.0051 both print +0.01: tied in those runs, ordered in the other
    found = verdicts([(0.0149, 0.0051), (0.0, 0.02), (0.0149, 0.0051)])
    assert ("Carol", "Dan") in found["tie"] and ("Carol", "Dan") not in found.get("flip", set())
    # values that print differently are ordered, and opposite orders are a flip
    found = verdicts([(0.03, 0.01), (0.0, 0.02), (0.03, 0.01)])
    assert ("Carol", "Dan") in found["flip"]


def test_a_quoted_voices_change_counts_the_quotes_behind_it():
    from analysis.compare import _merged_changes

    side = {
        "status": "discussed",
        "stance": 0.2,
        "stance_low": 0.1,
        "stance_high": 0.3,
        "tone": 0.0,
        "tone_low": -0.1,
        "tone_high": 0.1,
        "stance_status": "expressed",
        "quoted_status": "expressed",
        "quoted_low": np.nan,
        "quoted_high": np.nan,
        "n_passages": 5,  # own words
        "n_reported": 2,  # quotes
    }
    both = pd.DataFrame(
        [
            {"topic": "ukraine", "author": "Alice", "group_kind": "author"}
            | {f"{k}_a": v for k, v in side.items()}
            | {f"{k}_b": v for k, v in side.items()}
            | {"quoted_a": 0.4, "quoted_b": -0.4}
        ]
    )
    sign = {"topic": "ukraine", "author": "Alice", "group_kind": "author", "measure": "quoted"}
    (entry,) = _merged_changes(both, [sign], [], [], [])
    assert entry["measure"] == "quoted" and entry["changes"] == ["sign"]
    assert (entry["a"]["n_passages"], entry["b"]["value"]) == (2, -0.4)


def test_a_run_recomputed_with_corrections_says_so_in_the_report_and_text(tmp_path):
    a = make_run(tmp_path, "run-a", score_rows(STANCE_A))
    meta = {
        "topics": TOPICS,
        "corpus_hash": "c0ffee" * 10,
        "models": {"stance": {"name": "stance.run-a"}, "tone": {"name": "tone.run-a"}},
        "source_run": {"run_id": "run-a", "path": str(tmp_path / "run-a")},
        "corrections": {"applied": 4},
        "calibration": {"stance": {"temperature": 1.7}},
    }
    b = make_run(tmp_path, "run-b", scores_b(), meta=meta)
    report = compare_runs(a, b)
    assert "recomputed_from" not in report["a"]
    assert report["b"]["recomputed_from"] == "run-a"
    assert report["b"]["corrections_applied"] == 4 and report["b"]["calibrated"] is True
    text = format_comparison(report)
    assert "recomputed from run run-a with 4 analyst correction(s) and calibrated" in text


def test_the_comparison_text_fits_its_width(runs):
    report = compare_runs(*runs, top_k=3)
    report["warnings"].append("the runs differ in " + "a setting, " * 30)
    flip = report["overall"]["sign_changes"][0]
    flip["author"] = "A Scraped Byline That Names " + "Several People And Their Desks " * 5
    text = format_comparison(report, width=100)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "topic" in text and "Q k" in text
    assert "  WARNING: the runs differ in" in text and "A Scraped Byline That Names" in text
    # a model's name is not broken at a hyphen, so that it can be copied or searched for
    from analysis.terminal import _wrapped

    name = "tone.hf-classifier.v1:/tmp/models/tiny"
    lines = _wrapped(f"models: stance stance.minilm.v2, tone {name}, quoted x", 60, "  ")
    assert any(name in line for line in lines) and max(len(line) for line in lines) <= 60


def test_a_quote_is_compared_on_its_quoted_voice_not_on_the_author_reading(tmp_path):
    """Run A reads a quote only through its stance columns (no speaker head); run B's author
    head reads it otherwise, which counts nowhere: only the quoted voices are compared."""
    rows_a = score_rows(STANCE_A)
    quote = rows_a.index[rows_a["passage_id"] == "a3:2"][0]
    rows_a.loc[quote, "reported"] = True
    rows_b = rows_a.copy()
    for label in ("favor", "against", "none"):
        rows_b[f"speaker_{label}"] = np.nan
        rows_b.loc[quote, f"speaker_{label}"] = rows_a.loc[quote, f"stance_{label}"]
    rows_b["speaker_stance"] = rows_b["speaker_favor"] - rows_b["speaker_against"]
    rows_b.loc[quote, ["stance_favor", "stance_against", "stance_none"]] = [0.0, 0.95, 0.05]
    rows_b.loc[quote, ["tone_negative", "tone_neutral", "tone_positive"]] = [0.9, 0.05, 0.05]
    report = compare_runs(make_run(tmp_path, "run-a", rows_a), make_run(tmp_path, "run-b", rows_b))
    ukraine = report["topics"]["ukraine"]
    assert ukraine["stance"]["agreement"] == 1.0  # the quote is not an author disagreement
    assert ukraine["stance"]["n"] == ukraine["passages"]["shared"] - 1
    assert ukraine["tone"]["n"] == ukraine["passages"]["shared"] - 1  # its tone counts nowhere
    assert ukraine["speaker"]["n"] == 1 and ukraine["speaker"]["agreement"] == 1.0
    assert ukraine["disagreements"]["stance"] == [] and ukraine["disagreements"]["tone"] == []
    # where both runs count quotes as the author's own, the quote's author reading is compared
    counted = "[aggregate]\ninclude_reported = true\n"
    runs = []
    for name, rows in (("inc-a", rows_a), ("inc-b", rows_b)):
        meta = {"topics": TOPICS, "corpus_hash": "c0ffee" * 10, "models": {}}
        articles, passages = corpus_tables()
        tables = {"articles": articles, "passages": passages, "scores": rows}
        write_run(tmp_path, name, meta, counted, {**tables, "positions": position_rows(rows)})
        runs.append(load_run(name, tmp_path))
    ukraine = compare_runs(*runs)["topics"]["ukraine"]
    assert ukraine["stance"]["n"] == ukraine["passages"]["shared"]
    assert ukraine["stance"]["agreement"] < 1.0
    assert ukraine["disagreements"]["stance"][0]["passage_id"] == "a3:2"


def test_robustness_says_when_the_runs_intervals_were_made_differently(tmp_path, three_runs):
    from analysis.runs import load_run, write_run

    first = three_runs[0]
    tables = {n: getattr(first, n) for n in ("articles", "passages", "scores", "positions")}
    meta = {k: v for k, v in first.meta.items() if k != "run_id"}
    newer = load_run(
        write_run(tmp_path, "run-n", {**meta, "interval_method": INTERVAL_METHOD}, "", tables)
    )
    report = robustness([*three_runs, newer], labels=["A", "B", "A2", "N"])
    (said,) = [w for w in report["warnings"] if "made differently" in w]
    assert f"{INTERVAL_METHOD}: N" in said and "percentile bootstrap: A, B, A2" in said
    assert [r["interval_method"] for r in report["runs"]][-1] == INTERVAL_METHOD
    alike = robustness(three_runs, labels=["A", "B", "A2"])
    assert not any("made differently" in w for w in alike["warnings"])


def test_robustness_names_what_else_differs_and_a_model_never_measured(tmp_path, three_runs):
    from analysis.runs import load_run, write_run

    first = three_runs[0]
    tables = {n: getattr(first, n) for n in ("articles", "passages", "scores", "positions")}
    meta = {k: v for k, v in first.meta.items() if k not in ("run_id", "relevance_thresholds")}
    runs = [
        load_run(write_run(tmp_path, f"run-{cut}", meta, f"[topics]\nthreshold = {cut}\n", tables))
        for cut in (0.5, 0.7)
    ]
    warnings = robustness(runs, labels=["low", "high"])["warnings"]
    said = "\n".join(warnings)
    assert "low (run A) and high (run B): topic thresholds differ (0.5 vs 0.7): their " in said
    assert "counted, not compared" not in said  # compare's passage agreement is not here
    # neither stance model has figures on labelled news: agreeing says nothing of being right
    assert any(
        w.startswith("the stance models of low, high were not measured on labelled news")
        for w in warnings
    )
    alike = robustness([runs[0], runs[0]], labels=["low", "low2"])["warnings"]
    assert not any("(run A) and" in w for w in alike)


def test_robustness_says_when_every_run_reads_the_measure_with_one_model(three_runs):
    """Runs that differ only in tone (a VADER baseline) cannot test the stance model: their
    stance pairs are stable by construction, and the report says so."""
    import copy

    distinct = robustness(three_runs, labels=["A", "B", "A2"])  # three stance models
    assert not [w for w in distinct["warnings"] if "the same model" in w]
    shared = [copy.copy(r) for r in three_runs]
    for run in shared:
        run.meta = {**run.meta, "models": {**run.meta["models"], "stance": {"name": "stance.x"}}}
    report = robustness(shared, labels=["A", "B", "A2"])
    assert any(
        "every run reads stance with the same model (stance.x)" in w for w in report["warnings"]
    )
    tone = robustness(shared, labels=["A", "B", "A2"], measure="tone")
    assert not [w for w in tone["warnings"] if "the same model" in w]
    # one NLI model under different templates (robustness --template): not one model
    for run, template in zip(shared, ("supports", "favors", "backs"), strict=True):
        stance = {"name": "stance.nli.v1", "favor_template": f"The author {template} {{target}}."}
        run.meta = {**run.meta, "models": {**run.meta["models"], "stance": stance}}
    templates = robustness(shared, labels=["A", "B", "A2"])
    assert not [w for w in templates["warnings"] if "the same model" in w]


def test_robustness_says_which_measure_the_runs_differ_on_and_reads_tone(three_runs, capsys):
    """Runs that differ in their tone models only: a stance report says tone is not read, and
    `--measure tone` reads it."""
    import copy

    shared = [copy.copy(r) for r in three_runs]
    for run in shared:
        run.meta = {**run.meta, "models": {**run.meta["models"], "stance": {"name": "stance.x"}}}
    report = robustness(shared, labels=["A", "B", "A2"])
    assert any(
        "read tone with different models" in w and "--measure tone" in w for w in report["warnings"]
    )
    assert not [w for w in robustness(shared, measure="tone")["warnings"] if "different" in w]
    runs_dir = str(three_runs[0].path.parent)
    args = ["robustness", "run-a", "run-b", "--runs-dir", runs_dir, "--measure", "tone", "--json"]
    assert main(args) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["measure"] == "tone"
    assert printed == robustness(
        [load_run(r, runs_dir) for r in ("run-a", "run-b")], measure="tone"
    )


def test_a_lexicon_tone_model_is_caveated_where_runs_are_compared(tmp_path, runs):
    meta = {
        "topics": TOPICS,
        "corpus_hash": "c0ffee" * 10,
        "models": {"stance": {"name": "stance.run-a"}, "tone": {"name": "tone.vader.v1"}},
    }
    vader = make_run(tmp_path, "run-v", score_rows(STANCE_A), meta=meta)
    report = compare_runs(runs[0], vader)
    assert any(w.startswith("run B: Tone in this run is the VADER") for w in report["warnings"])
    assert not any("VADER" in w for w in compare_runs(*runs)["warnings"])
    tone = robustness([runs[0], vader], labels=["A", "V"], measure="tone")
    assert any(w.startswith("run V: Tone in this run is the VADER") for w in tone["warnings"])


def test_sign_changes_list_those_beyond_both_intervals_first(runs):
    report = compare_runs(*runs)
    flips = report["overall"]["sign_changes"]
    apart = report["overall"]["interval_splits"]
    assert [(e["author"], e["measure"]) for e in flips] == [("Alice", "stance")]
    assert any(e["author"] == "Alice" for e in apart)  # the fixture's flip: intervals apart
    # a larger flip whose intervals overlap: listed after it, and marked
    wider = {**flips[0], "author": "Zed", "a": -0.9, "b": 0.9}
    report["overall"]["sign_changes"] = [wider, *flips]
    text = format_comparison(report, width=300)  # the summary on one line
    assert "Sign changes (|value| <= 0.05 counts as around zero): 2, 1 of them with the" in text
    listed = [line for line in text.splitlines() if line.startswith("  [") and "->" in line]
    assert "Alice stance" in listed[0] and "(intervals overlap)" not in listed[0]
    assert "Zed stance: -0.90 -> +0.90  (intervals overlap)" in listed[1]
    # a flip where a run's position rests on one passage has no interval to overlap
    report["overall"]["sign_changes"] = [{**wider, "no_interval": ["b"]}]
    assert "Zed stance: -0.90 -> +0.90  (no interval in run B: one passage)" in format_comparison(
        report, width=300
    )


def test_a_sign_change_says_which_run_has_no_interval(runs):
    # Alice's stance in run B, as if it rested on one passage: no interval
    assert [e["no_interval"] for e in compare_runs(*runs)["overall"]["sign_changes"]] == [[]]
    pb = runs[1].positions
    pb.loc[pb["author"] == "Alice", ["stance_low", "stance_high"]] = float("nan")
    flips = compare_runs(*runs)["overall"]["sign_changes"]
    assert [(e["author"], e["no_interval"]) for e in flips] == [("Alice", ["b"])]


def test_change_lists_tag_an_outlet_group_as_its_unsigned_pieces_and_show_a_third_decimal():
    from analysis.terminal import beside_band, who

    assert who({"author": "BBC News", "group_kind": "outlet"}) == "BBC News (unsigned pieces)"
    assert who({"author": "Ann", "group_kind": "author"}) == "Ann"
    assert beside_band(0.0511, 0.05) == "+0.051"  # not "+0.05", which reads as around zero
    assert beside_band(0.049, 0.05) == "+0.05"  # within the band: as usual
    assert beside_band(-0.56, 0.05) == "-0.56"


def test_compare_top_sets_the_passages_printed_per_topic(runs, capsys):
    runs_dir = str(runs[0].path.parent)
    for top in (1, 5):
        assert main(["compare", "run-a", "run-b", "--runs-dir", runs_dir, "--top", str(top)]) == 0
        text = capsys.readouterr().out
        report = compare_runs(*runs, top_k=top)
        expected = sum(
            len(sec["disagreements"][task])
            for sec in report["topics"].values()
            for task in sec["disagreements"]
        )
        assert text.count("] tv ") == expected
    assert expected > 3  # more than the three the text once printed at most
    # none asked for: said so, not "none" under each heading, which reads as full agreement
    assert main(["compare", "run-a", "run-b", "--runs-dir", runs_dir, "--top", "0"]) == 0
    text = capsys.readouterr().out
    assert "disagree most: not listed (--top 0)" in text and "] tv " not in text
    assert "disagree most on the" not in text


def test_compare_outlets_reads_each_outlet_over_all_its_articles(runs, capsys):
    from analysis.outlets import run_outlet_positions

    runs_dir = str(runs[0].path.parent)
    args = ["compare", "run-a", "run-b", "--runs-dir", runs_dir, "--outlets"]
    assert main([*args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["level"] == "outlet"
    # one outlet publishes every article: its positions are the units compared
    outlets = set(run_outlet_positions(runs[0])["author"])
    assert outlets == {"Outlet"}
    assert report["overall"]["authors"]["discussed_in_both"] >= 1
    changed = {e["author"] for e in report["overall"]["author_changes"]}
    assert changed <= outlets
    authors = compare_runs(*runs)
    assert authors["level"] == "author"
    assert {e["author"] for e in authors["overall"]["author_changes"]} - outlets  # people
    assert main(args) == 0
    assert "Position changes of outlets, each over every article" in capsys.readouterr().out
    with pytest.raises(ValueError, match="expected level"):
        compare_runs(*runs, level="article")


def test_robustness_names_runs_by_their_names_where_those_tell_them_apart(tmp_path, capsys):
    def meta(name):
        return {"topics": TOPICS, "corpus_hash": "c0ffee" * 10, "name": name, "models": {}}

    make_run(tmp_path, "run-1", score_rows(STANCE_A), meta=meta("base"))
    make_run(tmp_path, "run-2", scores_b(), meta=meta("vader"))
    make_run(tmp_path, "run-3", scores_b(), meta=meta("vader"))
    args = ["robustness", "run-1", "run-2", "--runs-dir", str(tmp_path), "--json"]
    assert main(args) == 0
    assert [r["label"] for r in json.loads(capsys.readouterr().out)["runs"]] == ["base", "vader"]
    assert main([*args[:3], "run-3", *args[3:]]) == 0  # two runs named alike: letters
    report = json.loads(capsys.readouterr().out)
    assert [r["label"] for r in report["runs"]] == ["A", "B", "C"]
    assert [r["run_id"] for r in report["runs"]] == ["run-1", "run-2", "run-3"]
    # a long name (a recomputed run's "NAME + corrections DATE TIME"): letters too
    make_run(tmp_path, "run-4", scores_b(), meta=meta("base + corrections 2026-12-06 09:53:32"))
    assert main(["robustness", "run-1", "run-4", "--runs-dir", str(tmp_path), "--json"]) == 0
    assert [r["label"] for r in json.loads(capsys.readouterr().out)["runs"]] == ["A", "B"]


def test_a_changed_threshold_names_only_the_topics_it_moved(tmp_path):
    """An audit: "topic thresholds differ (0.55 vs 0.61)" although the user's own topics had
    0.61 in both runs; only the built-in ones moved."""
    cuts = {"sanctions": 0.55, "ukraine": 0.61}
    config_a = "[topics]\nthreshold = 0.55\n"
    meta_a = {"models": {}, "relevance_thresholds": cuts}
    meta_b = {"models": {}, "relevance_thresholds": {**cuts, "sanctions": 0.61}}
    a = make_run(tmp_path, "run-a", score_rows(STANCE_A), meta=meta_a)
    b = make_run(tmp_path, "run-b", scores_b(), meta=meta_b)
    (a.path / "config.toml").write_text(config_a)
    (b.path / "config.toml").write_text("[topics]\nthreshold = 0.61\n")
    a, b = load_run("run-a", tmp_path), load_run("run-b", tmp_path)
    assert (a.info.threshold, b.info.threshold) == (0.55, 0.61)
    warnings = " ".join(compare_runs(a, b)["warnings"])
    assert "relevance thresholds differ for Sanctions (0.55 vs 0.61)" in warnings
    assert "ukraine" not in warnings and "topic thresholds differ (0.55" not in warnings


def test_position_changes_mark_authors_whose_articles_were_regrouped(tmp_path, runs):
    """recompute reads bylines by today's rules: an author whose articles changed in number
    moved because of that, not because of the corrections (a review found such changes
    reported as the corrections')."""
    from analysis.compare import position_changes

    a, b = runs
    changes = position_changes(a, b)
    assert changes and not any(e["regrouped"] for e in changes)
    merged = compare_runs(a, b)["overall"]["author_changes"]
    assert [(e["topic"], e["author"], e["measure"]) for e in changes] == [
        (e["topic"], e["author"], e["measure"]) for e in merged
    ]
    regrouped = make_run(tmp_path, "run-r", scores_b())
    regrouped.positions.loc[regrouped.positions["author"] == "Alice", "n_articles"] = 2
    marked = {(e["author"], e["regrouped"]) for e in position_changes(a, regrouped)}
    assert ("Alice", True) in marked
    assert all(flag is False for author, flag in marked if author != "Alice")


def test_robustness_tags_an_outlet_group_as_its_unsigned_pieces(three_runs):
    """A re-audit: `robustness` listed "BBC News" where `compare` says "BBC News (unsigned
    pieces)"."""
    import copy

    tagged = []
    for run in three_runs:
        run = copy.copy(run)
        positions = run.positions.copy()
        positions.loc[positions["author"] == "Alice", "group_kind"] = "outlet"
        run.positions = positions
        tagged.append(run)
    text = format_robustness(robustness(tagged, labels=["A", "B", "A2"]))
    assert "Alice (unsigned pieces) vs Carol: A >, B <, A2 >" in text
    assert "Alice (unsigned pieces): flips (+ - +)" in text


def test_passages_read_differently_by_runs_of_different_code_say_so(tmp_path):
    """A re-audit saw passages in one run only of a corpus and its subset, unexplained: the
    runs had been made by different code."""

    def meta(commit):
        base = {"topics": TOPICS, "corpus_hash": "c0ffee" * 10}
        return {**base, "models": {}, "versions": {"viewpoints_commit": commit}}

    a = make_run(tmp_path, "run-a", score_rows(STANCE_A), meta=meta("aaaa1111"))
    b = make_run(
        tmp_path, "run-b", score_rows(STANCE_A), meta=meta("bbbb2222"), changed_text="a0:1"
    )
    said = [w for w in compare_runs(a, b)["warnings"] if "different code" in w]
    assert len(said) == 1 and "commit aaaa1111 vs bbbb2222" in said[0]
    same_code = make_run(tmp_path, "run-c", score_rows(STANCE_A), meta=meta("aaaa1111"))
    assert not [w for w in compare_runs(a, same_code)["warnings"] if "different code" in w]
    other_code = make_run(tmp_path, "run-d", score_rows(STANCE_A), meta=meta("dddd4444"))
    # other code that reads every passage alike: nothing to explain
    assert not [w for w in compare_runs(a, other_code)["warnings"] if "different code" in w]
    # pairs in one run only on a topic of that run only: its topics explain them, said so
    nato = {"topics": [*TOPICS, {"key": "nato", "label": "NATO"}]}
    with_nato = make_run(
        tmp_path,
        "run-e",
        score_rows(STANCE_A, extra=[("Alice", 0, "nato", F, N), ("Bob", 1, "nato", AG, N)]),
        meta={**meta("eeee5555"), **nato},
    )
    warnings = compare_runs(a, with_nato)["warnings"]
    assert any("topic 'NATO' is only in run B" in w for w in warnings)
    assert not [w for w in warnings if "different code" in w]


def test_a_commit_with_uncommitted_changes_is_named_as_such(tmp_path):
    """A review saw "commit 842367b753d0 vs 842367b753d0": one run's code had uncommitted
    changes, which the warning dropped."""

    def meta(commit):
        base = {"topics": TOPICS, "corpus_hash": "c0ffee" * 10}
        return {**base, "models": {}, "versions": {"viewpoints_commit": commit}}

    a = make_run(tmp_path, "run-a", score_rows(STANCE_A), meta=meta("aaaa1111"))
    b = make_run(
        tmp_path,
        "run-b",
        score_rows(STANCE_A),
        meta=meta("aaaa1111+changes"),
        changed_text="a0:1",
    )
    said = [w for w in compare_runs(a, b)["warnings"] if "different code" in w]
    assert len(said) == 1 and "commit aaaa1111 vs aaaa1111 with uncommitted changes" in said[0]


FLAT_TONE = (
    "the tone model gives every one of 16 passage-topic pairs about the same probabilities "
    "(negative 0.33, neutral 0.33, positive 0.33): its tone says nothing about these passages "
    "(an untrained or broken model?)"
)


def test_a_run_with_a_broken_model_says_so_wherever_it_is_compared(runs, three_runs):
    """A review compared a run of an untrained tone model: `show` warned, `compare` and
    `robustness` did not, and printed rank correlations of values equal to five decimals."""
    a, b = runs
    flat = b.positions.copy()
    discussed = flat["status"] == "discussed"
    # every author's tone the same to two decimals, in a noise order of the fifth
    flat.loc[discussed, "tone"] = -0.005129 - 1e-6 * np.arange(int(discussed.sum()))
    broken = dataclasses.replace(b, positions=flat, meta={**b.meta, "model_warnings": [FLAT_TONE]})
    report = compare_runs(a, broken)
    assert f"run B: {FLAT_TONE}" in report["warnings"]
    for key in ("sanctions", "ukraine"):
        assert report["topics"][key]["authors"]["spearman"]["tone"] is None
    assert report["overall"]["authors"]["spearman"]["tone"] is None
    # the stance, which the warning does not touch, still correlates
    assert report["topics"]["sanctions"]["authors"]["spearman"]["stance"] is not None
    assert f"run B: {FLAT_TONE}" in " ".join(format_comparison(report).split())
    first, second, third = three_runs
    third = dataclasses.replace(third, meta={**third.meta, "model_warnings": [FLAT_TONE]})
    report = robustness([first, second, third], measure="tone")
    assert any(w.startswith("run ") and FLAT_TONE in w for w in report["warnings"])
    assert all(p["rho"] is None for t in report["topics"].values() for p in t["spearman"])
    assert any(  # the stance, which the model read, still ranks
        p["rho"] is not None
        for t in robustness([first, second, third])["topics"].values()
        for p in t["spearman"]
    )


def test_a_broken_models_noise_gets_no_rho_even_where_it_rounds_apart(runs):
    """A review's untrained tone model gave -0.005 and +0.0002, which round apart: rho -0.87."""
    a, b = runs
    spread = {}
    for run in runs:  # tones that differ by author, as a working model's would
        table = run.positions.copy()
        table["tone"] = 0.1 * table["author"].map({n: i for i, n in enumerate(AUTHORS)})
        spread[run.run_id] = dataclasses.replace(run, positions=table)
    a, b = spread[a.run_id], spread[b.run_id]
    broken = dataclasses.replace(b, meta={**b.meta, "model_warnings": [FLAT_TONE]})
    plain = compare_runs(a, b)["topics"]["sanctions"]["authors"]["spearman"]
    assert plain["tone"] is not None  # the same runs, with no warning, do rank
    report = compare_runs(a, broken)
    for section in [*report["topics"].values(), report["overall"]]:
        assert section["authors"]["spearman"]["tone"] is None
    assert report["topics"]["sanctions"]["authors"]["spearman"]["stance"] is not None


def test_an_author_heard_only_through_quotes_reads_so_in_a_change(runs):
    """A review saw "Andrew Prokop stance: no stance expressed -> a side taken" where the first
    run had no own words of his on the topic, only quotes ("only quoted voices" in `show`)."""
    a, b = runs
    ours = {}
    for run, quoted_only in ((a, True), (b, False)):
        table = run.positions.copy()
        table["stance_status"] = np.where(table["status"] == "discussed", "expressed", None)
        where = (table["level"] == "author") & (table["author"] == "Bob")
        where &= table["topic"] == "sanctions"
        if quoted_only:
            table.loc[where, "stance_status"] = "no_stance"
            table.loc[where, ["stance", "stance_low", "stance_high"]] = np.nan
            table.loc[where, "n_passages"] = 0
        ours[run.run_id] = dataclasses.replace(run, positions=table)
    report = compare_runs(ours[a.run_id], ours[b.run_id])
    moved = report["topics"]["sanctions"]["stance_status_changes"]
    assert [(e["author"], e["a"], e["b"]) for e in moved] == [("Bob", "only_quoted", "expressed")]
    assert "Bob stance: only quoted voices -> a side taken" in format_comparison(report)


def with_co_author(runs, author: str, co_author: str) -> list:
    """``runs`` with ``co_author`` added beside ``author``: every author position the same, as
    for two bylines of the same articles."""
    twinned = []
    for run in runs:
        table = run.positions.copy()
        twin = table[(table["level"] == "author") & (table["author"] == author)].copy()
        twin["author"] = co_author
        table = pd.concat([table, twin], ignore_index=True)
        twinned.append(dataclasses.replace(run, positions=table))
    return twinned


def test_co_authors_of_the_same_articles_are_compared_once(three_runs):
    """A review's robustness counted two flips of one article, once per co-author, and a tie
    between the two co-authors in every run."""
    twinned = with_co_author(three_runs, "Alice", "Alicia")
    plain = robustness(three_runs)["topics"]["sanctions"]
    report = robustness(twinned)["topics"]["sanctions"]
    assert report["same_as"] == [{"author": "Alicia", "group_kind": "author", "same_as": "Alice"}]
    assert report["pairs"] == plain["pairs"]  # no Alice-Alicia tie, no flip counted twice
    assert all("Alicia" not in (p["author_a"], p["author_b"]) for p in report["pair_list"])
    text = format_robustness(robustness(twinned))
    assert "compared once: Alicia (as Alice)" in text
    assert not any("Alicia" in str(e) for e in report["authors_not_in_all"])


def test_co_authors_of_the_same_articles_rank_once_between_two_runs(runs):
    twinned = with_co_author(runs, "Dan", "Dana")
    plain = compare_runs(*runs)["topics"]["sanctions"]["authors"]["spearman"]
    twins = compare_runs(*twinned)["topics"]["sanctions"]["authors"]["spearman"]
    assert twins["stance"] == pytest.approx(plain["stance"])  # not weighted twice
    assert twins["n_stance"] == plain["n_stance"]


def test_co_authors_of_the_same_articles_flip_once_named_together(runs):
    """A review counted 112 sign flips where 96 were distinct: each co-author of one article
    was listed with the same flip."""
    twinned = with_co_author(runs, "Alice", "Alicia")
    plain = compare_runs(*runs)["overall"]
    twins = compare_runs(*twinned)["overall"]
    flips = [e for e in twins["sign_changes"] if e["author"] in ("Alice", "Alicia")]
    assert [(e["author"], e["co_authors"]) for e in flips] == [
        (e["author"], ["Alicia"]) for e in plain["sign_changes"] if e["author"] == "Alice"
    ]
    assert len(twins["sign_changes"]) == len(plain["sign_changes"])
    assert len(twins["interval_splits"]) == len(plain["interval_splits"])
    moved = [e for e in twins["author_changes"] if e["author"] == "Alice"]
    assert moved and all(e["co_authors"] == ["Alicia"] for e in moved if "sign" in e["changes"])
    assert "Alice (with Alicia)" in format_comparison(compare_runs(*twinned))


def test_all_topics_rank_correlation_is_the_mean_of_the_topics(runs):
    """A review read +0.41 on All topics over topics of +0.16, -0.05 and -0.10: one rho over
    every (author, topic) cell measures how far apart the topics lie."""
    report = compare_runs(*runs)
    topics = [s["authors"]["spearman"] for s in report["topics"].values()]
    overall = report["overall"]["authors"]["spearman"]
    for measure in ("stance", "tone"):
        defined = [t[measure] for t in topics if t[measure] is not None]
        expected = round(sum(defined) / len(defined), 2) if defined else None
        assert overall[measure] == expected
        # the units behind the topics' rho that are defined (a topic of 2 authors has none)
        rested = [t[f"n_{measure}"] for t in topics if t[measure] is not None]
        assert overall[f"n_{measure}"] == sum(rested)
        assert overall[f"topics_{measure}"] == len(defined)


def test_the_terminal_lists_a_few_changes_of_each_kind_and_counts_the_rest(runs):
    """A review: a whole-corpus comparison printed 2,057 lines, 1,078 of them status lines."""
    report = compare_runs(*runs)
    overall = report["overall"]
    many = {
        **overall,
        "status_changes": [dict(overall["status_changes"][0], author=f"A{i}") for i in range(7)]
        if overall["status_changes"]
        else [],
    }
    assert many["status_changes"], "the two runs differ in status somewhere"
    text = format_comparison({**report, "overall": many}, max_changes=3)
    listed = [line for line in text.splitlines() if line.startswith("  [") and ": " in line]
    assert sum(any(f"A{i}:" in line for i in range(7)) for line in listed) == 3
    assert "  ... and 4 more (--changes 0 lists every one; --json has them all)" in text
    assert "Status changes (discussed in one run only; the kind of stance): 7 discussed" in text
    full = format_comparison({**report, "overall": many})
    assert all(f"A{i}:" in full for i in range(7)) and "... and" not in full


def test_co_authors_change_status_and_kind_of_stance_once_named_together(runs):
    """A review: co-authors were merged in sign flips and splits only, so one appeared both
    inside the other's row and in a "discussed in one run only" row of their own."""
    twinned = with_co_author(runs, "Carol", "Caroline")
    plain = compare_runs(*runs)["overall"]
    twins = compare_runs(*twinned)["overall"]
    # Carol's sanctions passages fall under run B's threshold: discussed in run A only
    assert [e["author"] for e in plain["status_changes"]] == ["Carol"]
    assert [(e["author"], e["co_authors"]) for e in twins["status_changes"]] == [
        ("Carol", ["Caroline"])
    ]
    assert not any(e["author"] == "Caroline" for e in twins["author_changes"])
    assert "Carol (with Caroline)" in format_comparison(compare_runs(*twinned))


def test_a_status_change_to_quotes_alone_reads_only_quoted_voices_as_on_the_page(runs):
    """A review: the CLI said "not discussed -> discussed" where the Runs page said "only
    quoted voices" for an outlet that speaks on the topic only through quotes."""
    report = compare_runs(*runs)
    change = {
        "topic": "sanctions",
        "author": "Xena",
        "group_kind": "author",
        "a": "not_discussed",
        "b": "discussed",
        "n_passages_a": 0,
        "n_passages_b": 0,
    }
    text = format_comparison(
        {**report, "overall": {**report["overall"], "status_changes": [change]}}
    )
    assert "Xena: not discussed -> only quoted voices" in text
    own = {**change, "n_passages_b": 2}
    text = format_comparison({**report, "overall": {**report["overall"], "status_changes": [own]}})
    assert "Xena: not discussed -> discussed" in text


def test_the_same_model_in_another_precision_is_said(tmp_path):
    """A review: two runs of one corpus and one model, bf16 and fp32, compared with no
    warning, although a passage at the gate's edge counted in one of them only."""

    def models(precision):
        return {
            "stance": {"name": "stance.minilm.v2", "precision": precision},
            "tone": {"name": "tone.minilm.v3", "precision": "float32"},
        }

    meta = {"topics": TOPICS, "corpus_hash": "c0ffee" * 10}
    a = make_run(
        tmp_path, "run-a", score_rows(STANCE_A), meta={**meta, "models": models("bfloat16")}
    )
    b = make_run(
        tmp_path, "run-b", score_rows(STANCE_A), meta={**meta, "models": models("float32")}
    )
    (warning,) = [w for w in compare_runs(a, b)["warnings"] if "precision" in w or "ran in" in w]
    assert warning.startswith("the stance model ran in bfloat16 in run A and float32 in run B")
    same = make_run(
        tmp_path, "run-c", score_rows(STANCE_A), meta={**meta, "models": models("bfloat16")}
    )
    assert not any("ran in" in w for w in compare_runs(a, same)["warnings"])


def test_a_position_that_moves_without_changing_sign_is_listed_among_the_moves(tmp_path):
    """A review: +0.13 -> +0.27 under a changed target was in none of compare's lists (no
    sign change, intervals overlapping). Moves of 0.10 or more are listed, largest first."""
    from analysis.compare import MOVE_MIN

    a = make_run(tmp_path, "run-a", score_rows(STANCE_A))
    weaker = {**STANCE_A, ("Alice", 0): (0.5, 0.2, 0.3), ("Alice", 1): (0.5, 0.2, 0.3)}
    b = make_run(tmp_path, "run-b", score_rows(weaker))
    report = compare_runs(a, b)
    moves = report["overall"]["moves"]
    assert [(e["topic"], e["author"], e["measure"]) for e in moves] == [
        ("sanctions", "Alice", "stance")
    ]
    assert (moves[0]["a"], moves[0]["b"]) == pytest.approx((0.5, 0.3))
    assert not report["overall"]["sign_changes"] and not report["overall"]["interval_splits"]
    text = format_comparison(report)
    assert (
        f"Other moves of {MOVE_MIN:.2f} or more (no flip from one side to the other, intervals "
        "that overlap): 1" in " ".join(text.split())
    )
    assert "[Sanctions] Alice stance: +0.50 -> +0.30" in text
    assert not compare_runs(a, a)["overall"]["moves"]
    # and among what a recompute says it moved (a review's tone went from -0.35 to -1.00 with
    # no word of it there)
    from analysis.compare import moved_positions
    from analysis.terminal import change_line

    (moved,), _ = moved_positions(a, b)
    assert moved["changes"] == ["move"] and moved["author"] == "Alice"
    assert change_line(moved, {}).endswith(f"(moved {MOVE_MIN:g} or more)")


def test_runs_made_by_different_position_rules_say_so(tmp_path):
    """A review compared a run of older rules with one of today's: "mixed" became "no stance
    expressed" with no word why."""
    from analysis.aggregate import POSITION_RULES

    today = {"topics": TOPICS, "corpus_hash": "c0ffee" * 10, "models": {}}
    a = make_run(tmp_path, "run-a", score_rows(STANCE_A), meta={**today, "position_rules": 2})
    b = make_run(
        tmp_path, "run-b", score_rows(STANCE_A), meta={**today, "position_rules": POSITION_RULES}
    )
    said = [w for w in compare_runs(a, b)["warnings"] if "older rules" in w]
    assert len(said) == 1 and said[0].startswith("run A: this run's positions were made by older")
    assert "a change of status between the runs may be the rules'" in said[0]
    same = make_run(
        tmp_path, "run-c", score_rows(STANCE_A), meta={**today, "position_rules": POSITION_RULES}
    )
    assert not [w for w in compare_runs(b, same)["warnings"] if "older rules" in w]


def test_runs_of_two_stance_models_say_how_far_each_is_trusted(runs):
    """A review: the Runs page and show give each stance model's figures on labelled news,
    compare named the two models and nothing of them."""
    from analysis.terminal import format_comparison

    report = compare_runs(*runs)
    for side in ("a", "b"):  # models never measured on news: said of each
        assert report[side]["stance_trust"].startswith("how far to trust S: not measured")
    assert format_comparison(report).count("how far to trust S") == 2
    same = compare_runs(runs[0], runs[0])  # one stance model: nothing to choose between
    assert "stance_trust" not in same["a"] and "stance_trust" not in same["b"]
