"""The Runs page (run versus run), driven through AppTest on the small run, a rerun of it and
the same articles undated (``tests/dashboard/two_runs.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.compare import compare_runs
from analysis.runs import load_run, write_run
from dashboard.style import signed
from tests.dashboard.conftest import NHAN_DAN, TIMOFEEV, TOPIC_LABELS
from tests.dashboard.two_runs import BASE_ID, FLIPPED_TEXT, RERUN_ID, RERUN_MODELS, UNDATED_ID


@pytest.fixture(scope="module")
def report(two_runs_dir) -> dict:
    """What the library reports for the page's default pair (run A: newest, run B: the next)."""
    return compare_runs(load_run(two_runs_dir / RERUN_ID), load_run(two_runs_dir / BASE_ID))


def _open(app, runs_dir: Path, **params):
    at = app(runs_dir, **params).run()
    at.switch_page("app_pages/runs.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _frames(at) -> list:
    return [d.value for d in at.dataframe]


def test_defaults_to_the_two_newest_runs_and_shows_their_models(app, two_runs_dir):
    at = _open(app, two_runs_dir)
    assert at.selectbox(key="w_run_a").value == RERUN_ID
    assert at.selectbox(key="w_run_b").value == BASE_ID
    text = _markdown(at)
    for model in (*RERUN_MODELS, "stance.finetuned-minilm.v1", "tone.finetuned-minilm.v1"):
        assert f"`{model}`" in text
    # same corpus hash: no warning but the tone lexicon's caveat (run A reads tone with VADER)
    assert [w.value[:40] for w in at.warning] == ["Run A: Tone in this run is the VADER lex"]
    assert at.query_params["run_a"] == RERUN_ID
    assert at.query_params["run_b"] == BASE_ID


def test_agreement_table_shows_the_librarys_kappa_and_rank_correlation(app, two_runs_dir, report):
    at = _open(app, two_runs_dir)
    table = _frames(at)[0]
    assert list(table["Topic"]) == [*TOPIC_LABELS.values(), "All topics"]
    by_topic = table.set_index("Topic")
    for key, label in TOPIC_LABELS.items():
        sec = report["topics"][key]
        assert by_topic.loc[label, "Passages compared"] == sec["passages"]["shared"]
        kappa = sec["stance"]["kappa"]  # None: one label in both runs, shown as "–"
        assert by_topic.loc[label, "Stance κ"] == ("–" if kappa is None else f"{kappa:.2f}")
        assert by_topic.loc[label, "Stance distance"] == f"{sec['stance']['mean_tv']:.2f}"
        assert by_topic.loc[label, "Tone agreement"] == f"{sec['tone']['agreement']:.0%}"
        quoted = sec["speaker"]["agreement"]  # the quoted voices' stance of the quotes
        shown = "–" if quoted is None else f"{quoted:.0%}"
        assert by_topic.loc[label, "Quoted agreement"] == shown
    overall = report["overall"]
    assert by_topic.loc["All topics", "Stance κ"] == f"{overall['stance']['kappa']:.2f}"
    rho, n = overall["authors"]["spearman"]["stance"], overall["authors"]["spearman"]["n_stance"]
    assert by_topic.loc["All topics", "Stance rank ρ"] == f"{signed(rho)} ({n})"  # how many
    # All topics: the mean of the topics' rho, and the units each ranked, summed
    topics = [report["topics"][k]["authors"]["spearman"] for k in TOPIC_LABELS]
    defined = [t["stance"] for t in topics if t["stance"] is not None]
    assert rho == round(sum(defined) / len(defined), 2)
    assert n == sum(t["n_stance"] for t in topics if t["stance"] is not None)
    # The rescoring changed Timofeev's sanctions labels: stance kappa on sanctions is below 1.
    assert report["topics"]["sanctions"]["stance"]["kappa"] < 1
    # Two authors discuss sanctions in both runs: too few for a rank correlation, said as "–".
    assert report["topics"]["sanctions"]["authors"]["spearman"]["stance"] is None
    assert by_topic.loc["Sanctions", "Stance rank ρ"] == "–"
    # the count is the number of rows the changes table lists for the topic
    changes = _frames(at)[1]
    assert by_topic.loc["All topics", "Author changes"] == len(changes)


def test_flips_are_listed_with_both_runs_values(app, two_runs_dir, report):
    at = _open(app, two_runs_dir)
    changes = _frames(at)[1]
    rows = changes.set_index(["Author", "Topic", "Measure"])
    flip = rows.loc[(TIMOFEEV, "Sanctions", "stance")]
    assert "sign flips" in flip["What changed"]
    entry = next(
        e
        for e in report["overall"]["sign_changes"]
        if e["author"] == TIMOFEEV and e["topic"] == "sanctions" and e["measure"] == "stance"
    )
    assert flip["Run A"].startswith(signed(entry["a"]))  # run A (the rerun) favors now
    assert flip["Run B"].startswith(signed(entry["b"]))
    assert entry["a"] > 0 > entry["b"]
    status = rows.loc[(f"{NHAN_DAN} (unsigned pieces)", "Arms control", "stance")]  # tagged
    assert "discussed in one run only" in status["What changed"]
    assert status["Run A"] == "not discussed"


def test_largest_disagreements_show_both_models_probabilities_and_the_passage(app, two_runs_dir):
    at = _open(app, two_runs_dir)
    text = _markdown(at)
    assert FLIPPED_TEXT in text
    assert "Run A: **favor**" in text and "Run B: **against**" in text
    assert "favor 84%" in text and "against 88%" in text  # both runs' probabilities
    assert "John Bolton in Moscow" in text  # the article's title
    assert f"— {TIMOFEEV}" in text
    at.radio(key="w_measure").set_value("tone").run()
    assert at.query_params["measure"] == "tone"
    assert "Run A: **negative**" in _markdown(at)  # Valdai's passage, now negative in tone


def test_topic_choice_narrows_the_lists_and_is_in_the_url(app, two_runs_dir):
    at = _open(app, two_runs_dir)
    at.selectbox(key="w_runs_topic").set_value("arms_control").run()
    assert at.query_params["runs_topic"] == "arms_control"
    assert not any("different corpora" in w.value for w in at.warning)  # same corpus
    changes = _frames(at)[1]
    assert set(changes["Topic"]) == {"Arms control"}
    assert FLIPPED_TEXT not in _markdown(at)


def test_a_link_reopens_the_chosen_pair(app, two_runs_dir):
    at = _open(app, two_runs_dir, run_a=BASE_ID, run_b=UNDATED_ID, runs_topic="sanctions")
    assert at.selectbox(key="w_run_a").value == BASE_ID
    assert at.selectbox(key="w_run_b").value == UNDATED_ID
    assert at.selectbox(key="w_runs_topic").value == "sanctions"
    assert any("different corpora" in w.value for w in at.warning)
    # the authors' moves are said to include what the other articles change
    assert any("rests on that run's articles" in w.value for w in at.warning)


def test_the_same_run_twice_asks_for_another(app, two_runs_dir):
    at = _open(app, two_runs_dir, run_a=BASE_ID, run_b=BASE_ID)
    assert any("same run" in i.value for i in at.info)
    assert not at.dataframe
    at.selectbox(key="w_run_b").set_value(UNDATED_ID).run()
    assert at.query_params["run_b"] == UNDATED_ID  # the address follows even from a dead end
    assert at.dataframe


def test_download_buttons_for_every_table_and_the_chart(app, two_runs_dir):
    at = _open(app, two_runs_dir)
    assert not at.get("vega_lite_chart")  # every author's chart: drawn once opened
    assert not {b.key for b in at.download_button if b.key.startswith("runs_scatter")}
    at.session_state["runs_scatter_open"] = True  # opened, as a click would
    at.run()
    charts = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    # a chart per measure these runs hold (no quoted voices in them), laid out as the width allows
    assert [c["title"]["text"] for c in charts] == ["Stance", "Tone"]
    keys = {b.key for b in at.download_button}
    for prefix in ("runs_agreement", "runs_changes", "runs_scatter", "runs_disagreements"):
        assert f"{prefix}_csv" in keys and f"{prefix}_json" in keys
    assert "runs_scatter_png" in keys and "runs_agreement_report" in keys


def test_one_run_explains_how_to_make_a_second(app, small_runs_dir):
    at = _open(app, small_runs_dir)
    assert any("viewpoints run experiments/vader_tone.toml" in i.value for i in at.info)
    assert not at.dataframe


def test_a_disagreement_opens_its_article_in_run_a(app, two_runs_dir):
    at = _open(app, two_runs_dir, run_a=BASE_ID, run_b=RERUN_ID)
    first = next(b for b in at.button if b.key and b.key.startswith("runs_open_stance_0_"))
    first.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.selectbox(key="w_run").value == BASE_ID
    assert at.selectbox(key="w_article").value == "001_6c28832786d132a7"
    assert at.query_params["article"] == "001_6c28832786d132a7"


def test_the_changes_table_lays_out_what_the_comparison_found(report):
    """The page helper only lays out the library's merged author changes."""
    from analysis.labels import group_label
    from dashboard.app_pages.runs import changes_table

    merged = report["overall"]["author_changes"]
    assert merged  # the rerun fixture moves at least one author
    table = changes_table(report["overall"], {"sanctions": "Sanctions on Russia"})
    assert len(table) == len(merged)
    by_key = {
        (group_label(e["author"], e["group_kind"]), e["topic"], e["measure"]): e for e in merged
    }
    for row in table.to_dict("records"):
        entry = by_key[(row["Author"], row["topic"], row["Measure"])]
        value = entry["a"]["value"]
        assert (value is None and row["value_a"] != row["value_a"]) or row["value_a"] == value
        assert row["n B"] == entry["b"]["n_passages"]
        if entry["a"]["value"] is not None:
            assert row["Run A"].startswith(signed(entry["a"]["value"]))
    sanctions = table[table["topic"] == "sanctions"]
    assert len(sanctions) and set(sanctions["Topic"]) == {"Sanctions on Russia"}


def test_a_side_without_a_value_says_why_in_words():
    from dashboard.app_pages.runs import change_cell
    from dashboard.style import NO_STANCE, NOT_DISCUSSED, ONLY_QUOTED

    def side(status, value=None, n=0):
        low, high = (None, None) if value is None else (value - 0.1, value + 0.1)
        return {"status": status, "value": value, "low": low, "high": high, "n_passages": n}

    assert change_cell(side("not_discussed"), "stance") == NOT_DISCUSSED
    assert change_cell(side("discussed", n=0), "stance") == ONLY_QUOTED  # as the Overview says
    assert change_cell(side("discussed", n=0), "tone") == ONLY_QUOTED
    assert change_cell(side("discussed", n=3), "stance") == NO_STANCE
    assert change_cell(side("discussed", 0.4, n=3), "stance").startswith(signed(0.4))
    mixed = {**side("discussed", 0.0, n=3), "stance_status": "mixed"}
    assert change_cell(mixed, "stance").endswith(" mixed")  # as the Overview says
    assert not change_cell(mixed, "tone").endswith(" mixed")
    sure = {"status": "discussed", "value": 0.02, "low": 0.01, "high": 0.04, "n_passages": 9}
    assert change_cell(sure, "stance").endswith(" near 0")  # a stance sure to be near 0
    assert change_cell(sure, "quoted").endswith(" near 0")
    assert "near 0" not in change_cell(sure, "tone")  # a tone is never a side


def test_runs_of_different_articles_say_there_is_nothing_to_compare(app, tmp_path):
    """Two runs that share no author and no passage: no "no change" all-clear."""
    import copy

    from analysis.runs import write_run
    from tests.dashboard.conftest import SMALL_ARTICLES, _tables_from_specs
    from tests.dashboard.two_runs import CONFIG_TOML, run_meta, write_base_run

    write_base_run(tmp_path)
    other = copy.deepcopy(SMALL_ARTICLES)
    for i, spec in enumerate(other):
        spec.update(article_id=f"other_{i}", author=f"Other Author {i}", outlet=f"Outlet {i}")
    meta = run_meta("2018-11-12T12:00:00", "2" * 64, RERUN_MODELS, len(other))
    write_run(tmp_path, "20181112-120000-other000", meta, CONFIG_TOML, _tables_from_specs(other))
    at = _open(app, tmp_path)
    infos = " ".join(i.value for i in at.info)
    assert "No author has a position on this in both runs" in infos
    assert "No passage was scored in both runs with the same text" in infos
    assert not any("No author changes sign" in s.value for s in at.success)
    assert not any("every shared passage" in s.value for s in at.success)


def test_run_b_defaults_to_the_newest_other_run_of_the_same_articles():
    from dashboard.data import default_run_b

    by_id = {  # newest first, as the runs list is
        "r4-other": {"corpus_hash": "bbb"},
        "r3-seeds": {"corpus_hash": "aaa"},
        "r2-seeds": {"corpus_hash": "aaa"},
        "r1-seeds": {"corpus_hash": "aaa"},
    }
    assert default_run_b(by_id, "r3-seeds") == "r2-seeds"  # not the newer unrelated run
    assert default_run_b(by_id, "r2-seeds") == "r3-seeds"
    assert default_run_b(by_id, "r4-other") == "r3-seeds"  # nothing alike: the newest other
    assert default_run_b({"only": {"corpus_hash": "aaa"}}, "only") is None


def test_the_agreement_table_gives_the_quoted_voices_their_own_columns():
    from dashboard.app_pages.runs import agreement_table

    def labels(kappa, agreement, tv):
        return {"kappa": kappa, "agreement": agreement, "mean_tv": tv}

    section = {
        "passages": {"shared": 10, "only_a": 0, "only_b": 1},
        "stance": labels(0.9, 0.95, 0.05),
        "tone": labels(0.8, 0.9, 0.1),
        "speaker": labels(0.5, 0.75, 0.3),
        "authors": {
            "discussed_in_both": 4,
            "spearman": {"stance": 1.0, "quoted": -0.5, "tone": 0.2},
        },
        "author_changes": [],
    }
    table = agreement_table({"topics": {"ukraine": section}, "overall": section}, {})
    row = table.iloc[0]
    assert (row["Quoted κ"], row["Quoted agreement"], row["Quoted distance"]) == (0.5, 0.75, 0.3)
    assert row["Quoted rank ρ"] == -0.5
    # each measure's kappa right after the ranks, before the counts: a review found the tone
    # kappa, what a swapped tone model moves, past the right edge at 1280 px
    columns = list(table.columns)
    assert columns.index("Quoted κ") < columns.index("Author changes") < columns.index("Stance ρ n")


def test_the_scatter_of_every_author_has_a_quoted_voices_panel():
    import pandas as pd

    from dashboard.app_pages.runs import scatter_frame

    def positions(quoted):
        return pd.DataFrame(
            [
                {"author": "A", "group_kind": "author", "topic": "t", "status": "discussed"}
                | {"stance": 0.2, "tone": -0.1, "quoted_stance": quoted},
                {"author": "B", "group_kind": "author", "topic": "t", "status": "discussed"}
                | {"stance": 0.1, "tone": 0.0, "quoted_stance": None},
            ]
        )

    frame = scatter_frame(positions(0.5), positions(-0.4), ["t"], {"t": "Topic"})
    quoted = frame[frame["Measure"] == "Quoted voices"]
    assert list(quoted["Author"]) == ["A"]  # B quotes nobody: no point
    assert (quoted.iloc[0]["Run A"], quoted.iloc[0]["Run B"]) == (0.5, -0.4)
    assert set(frame["Measure"]) == {"Stance", "Quoted voices", "Tone"}
    legacy = positions(0.5).drop(columns="quoted_stance")  # a run from before quoted voices
    assert set(scatter_frame(legacy, positions(0.5), ["t"], {})["Measure"]) == {"Stance", "Tone"}


def test_a_run_with_corrections_is_marked_in_the_run_pickers():
    from dashboard.app_pages.runs import run_label

    meta = {"run_id": "r2", "name": "x", "models": {}}
    assert "with corrections" not in run_label(meta)
    meta["source_run"] = {"run_id": "r1", "path": "/runs/r1"}
    assert run_label(meta).endswith(" · with corrections")
    # how many articles, as the sidebar's picker says (a review: the pickers omitted it)
    meta["counts"] = {"articles": 6121}
    assert run_label(meta).endswith(" · 6,121 articles · with corrections")


def test_the_all_topics_choice_cannot_be_a_topics_key():
    """A topic keyed "all" is valid; the "All topics" choice must not take its place."""
    from analysis.topics import _KEY
    from dashboard.app_pages.runs import ALL_TOPICS

    assert _KEY.fullmatch("all") and not _KEY.fullmatch(ALL_TOPICS)


def test_run_a_is_the_run_picked_in_the_sidebar(app, two_runs_dir):
    for run_id in (BASE_ID, UNDATED_ID):
        at = _open(app, two_runs_dir, run=run_id)
        assert at.selectbox(key="w_run_a").value == run_id
        assert at.selectbox(key="w_run_b").value != run_id


def test_the_passage_list_opens_on_a_measure_the_runs_read_differently(app, tmp_path):
    import copy

    from tests.dashboard.conftest import SMALL_ARTICLES, _tables_from_specs
    from tests.dashboard.two_runs import CONFIG_TOML, run_meta, write_base_run

    write_base_run(tmp_path)
    specs = copy.deepcopy(SMALL_ARTICLES)
    valdai = next(s for s in specs if s["article_id"] == "000_75f37cc66b80f13e")
    text, _, reported, speaker = valdai["paragraphs"][1]
    # only the tone of one passage changes (another tone model): stance is read alike
    valdai["paragraphs"][1] = (
        text,
        [("arms_control", 0.86, 0.04, 0.7, 0.05, 0.94)],  # was (..., 0.05, 0.55, ...)
        reported,
        speaker,
    )
    base_scores = _tables_from_specs(SMALL_ARTICLES)["scores"]
    tables = _tables_from_specs(specs)
    changed = tables["scores"]["tone"].ne(base_scores["tone"])
    assert changed.any() and tables["scores"]["stance"].equals(base_scores["stance"])
    meta = run_meta("2018-11-12T12:00:00", "0" * 64, ("s.v1", "tone.vader.v1"), len(specs))
    write_run(tmp_path, "20181112-120000-tone0000", meta, CONFIG_TOML, tables)
    at = _open(app, tmp_path, run_a=BASE_ID, run_b="20181112-120000-tone0000")
    assert at.radio(key="w_measure").value == "tone"
    # the lexicon's numbers are caveated, and the tone models pointed to their measurement
    assert any(w.value.startswith("Run B: Tone in this run is the VADER") for w in at.warning)
    captions = " ".join(c.value for c in at.caption)
    assert "The runs read tone with different models" in captions
    assert "Evaluation page" in captions


def test_a_sign_flip_inside_both_intervals_is_not_read_as_settled():
    """An audit found "sign flips" listed alike whether or not the runs' intervals overlap."""
    import pandas as pd

    from dashboard.app_pages.runs import change_words, changes_summary, changes_table

    assert change_words(["sign"]) == "sign flips (the intervals still overlap)"
    assert change_words(["sign", "split"]) == "sign flips, intervals stop overlapping"
    one_passage = {"a": {"low": None, "high": None}, "b": {"low": -0.8, "high": -0.2}}
    assert change_words(["sign"], one_passage) == "sign flips (one run has no interval)"

    def entry(author: str, kinds: list[str], n: int) -> dict:
        side = {"status": "discussed", "value": 0.2, "low": -0.3, "high": 0.6, "n_passages": n}
        flipped = {**side, "value": -0.2, "low": -0.6, "high": 0.3}
        return {
            "topic": "sanctions",
            "author": author,
            "group_kind": "author",
            "measure": "tone",
            "changes": kinds,
            "a": side,
            "b": flipped,
        }

    section = {
        "author_changes": [
            entry("Ann", ["sign"], 40),
            entry("Bob", ["sign", "split"], 3),
            entry("Cid", ["sign"], 2),
        ]
    }
    table = changes_table(section, {"sanctions": "Sanctions"})
    # beyond both intervals first, then the most passages
    assert table["Author"].tolist() == ["Bob", "Ann", "Cid"]
    summary = changes_summary(table)
    assert summary.startswith("3 sign flips, 1 of them with the two runs' intervals apart")
    # co-authors of one article's position: a column of their own, for the download
    shared = {"author_changes": [{**entry("Ann", ["sign"], 4), "co_authors": ["Al", "Bea"]}]}
    row = changes_table(shared, {"sanctions": "Sanctions"}).iloc[0]
    assert (row["Author"], row["Co-authors"]) == ("Ann", "Al, Bea")
    assert isinstance(table, pd.DataFrame) and "_apart" not in table.columns


def test_a_group_that_is_not_an_author_is_tagged_in_the_changes_table():
    """An audit found "BBC News" listed among the authors whose positions move with no word
    that the row holds only the outlet's unsigned pieces."""
    from dashboard.app_pages.runs import changes_table

    side = {"status": "discussed", "value": 0.2, "low": 0.1, "high": 0.3, "n_passages": 3}
    entry = {
        "topic": "sanctions",
        "author": "BBC News",
        "group_kind": "outlet",
        "measure": "tone",
        "changes": ["sign"],
        "a": side,
        "b": {**side, "value": -0.2, "low": -0.3, "high": -0.1},
    }
    table = changes_table({"author_changes": [entry]}, {})
    assert table["Author"].tolist() == ["BBC News (unsigned pieces)"]


def test_outlets_compare_each_outlet_over_all_its_articles(app, two_runs_dir):
    """An audit found no way to ask which outlets moved between two runs: the author view's
    outlet rows hold only unsigned pieces."""
    at = _open(app, two_runs_dir)
    at.radio(key="runs_units").set_value("Outlets").run()
    assert not at.exception
    assert "Outlets whose positions move" in [s.value for s in at.subheader]
    expected = compare_runs(
        load_run(two_runs_dir / RERUN_ID), load_run(two_runs_dir / BASE_ID), level="outlet"
    )
    outlets = {e["author"] for e in expected["overall"]["author_changes"]}
    assert outlets  # the rerun moves some outlet
    changes = _frames(at)[1]
    assert set(changes["Author"]) == outlets  # untagged: each outlet over all its articles
    assert not any("unsigned pieces" in a for a in changes["Author"])
    table = _frames(at)[0].set_index("Topic")
    assert (
        table.loc["All topics", "Authors in both"]
        == (expected["overall"]["authors"]["discussed_in_both"])
    )


def test_an_author_discussed_in_one_run_only_is_counted_once_not_per_measure():
    """A re-audit: the page counted 16 "discussed in one run only" where `compare` lists 7
    author × topic lines (each counted once per measure)."""
    from dashboard.app_pages.runs import changes_summary, changes_table

    gone = {"status": "not_discussed", "value": None, "low": None, "high": None, "n_passages": 0}
    here = {"status": "discussed", "value": 0.2, "low": 0.1, "high": 0.3, "n_passages": 3}
    entries = [
        {
            "topic": "sanctions",
            "author": "Ann",
            "group_kind": "author",
            "measure": measure,
            "changes": ["status"],
            "a": here,
            "b": gone,
        }
        for measure in ("stance", "quoted", "tone")
    ]
    table = changes_table({"author_changes": entries}, {})
    assert len(table) == 3  # a row per measure
    assert "1 author × topic pair(s) discussed in one run only" in changes_summary(table)


def test_a_value_just_outside_the_zero_band_is_not_shown_on_its_edge():
    """+0.0511 flips a sign (the band is ±0.05) but printed +0.05, which reads as zero."""
    from dashboard.app_pages.runs import change_cell

    side = {"status": "discussed", "value": 0.0511, "low": -0.16, "high": 0.26, "n_passages": 9}
    assert change_cell(side, "tone").startswith("+0.051 ")
    assert change_cell({**side, "value": 0.2}, "tone").startswith("+0.20 ")


def test_each_scatter_panel_keeps_its_square_plot_and_every_topic_in_its_legend():
    """A review saw flat panels whose legends named two of three topics: Streamlit's default
    sizing ("fit") squeezed title, axes and legend into the plot's own size."""
    import pandas as pd

    from dashboard.app_pages.runs import scatter_charts, scatter_frame

    labels = ["Arms control", "Sanctions", "Ukraine"]
    rows = [
        {"author": a, "group_kind": "author", "topic": t, "status": "discussed"}
        | {"stance": 0.1 * i, "tone": -0.1 * i, "quoted_stance": 0.2}
        for i, (a, t) in enumerate([("A", "s"), ("B", "u"), ("C", "u")])
    ]
    frame = scatter_frame(
        pd.DataFrame(rows),
        pd.DataFrame(rows),
        ["a", "s", "u"],
        dict(zip("asu", labels, strict=True)),
    )
    for chart in scatter_charts(frame, labels):
        spec = chart.to_dict()
        assert spec["autosize"]["type"] == "pad"  # its own size, decorations around the plot
        assert spec["width"] == spec["height"]
        colour = spec["layer"][-1]["encoding"]["color"]
        assert colour["scale"]["domain"] == labels  # every topic keeps its colour and entry


def test_a_run_a_whose_articles_no_other_run_analysed_names_a_pair_that_shares_them(
    app, two_runs_dir
):
    """A review: the page opened on a small run of its own (the newest) against a whole-corpus
    run, five warnings and empty sections, while two runs of the same articles were there."""
    at = _open(app, two_runs_dir, run_a=UNDATED_ID)
    (note,) = [i.value for i in at.info if "No other run analysed" in i.value]
    assert "the articles as much as the models" in note
    assert RERUN_ID in note and BASE_ID in note  # the newest two runs of one corpus
    shared = _open(app, two_runs_dir, run_a=BASE_ID)
    assert not any("No other run analysed" in i.value for i in shared.info)


def test_changes_of_the_kind_of_stance_are_counted_in_the_summary():
    """A review: 50 kind-of-stance changes topped the table, and the summary above it counted
    sign flips, splits and one-run-only pairs but not them."""
    from dashboard.app_pages.runs import changes_summary, changes_table

    side = {
        "status": "discussed",
        "stance_status": "expressed",
        "value": 0.3,
        "low": 0.1,
        "high": 0.5,
        "n_passages": 4,
    }
    none = {**side, "stance_status": "no_stance", "value": None, "low": None, "high": None}
    entries = [
        {
            "topic": "sanctions",
            "author": name,
            "group_kind": "author",
            "measure": "stance",
            "changes": ["stance_status"],
            "a": side,
            "b": none,
        }
        for name in ("Ann", "Bob")
    ]
    summary = changes_summary(changes_table({"author_changes": entries}, {}))
    assert "2 whose kind of stance changed" in summary


def test_a_tone_that_moves_without_a_sign_change_is_no_all_clear(app, tmp_path):
    """A review: the page said no author changes, in green, while a tone went from -0.52 to
    0.00 (a lexicon's). Moves of 0.10 or more are listed below, and the all-clear is not
    given."""
    import copy

    from analysis.runs import write_run
    from tests.dashboard.conftest import SMALL_ARTICLES, _tables_from_specs
    from tests.dashboard.two_runs import CONFIG_TOML, run_meta, write_base_run

    write_base_run(tmp_path)
    specs = copy.deepcopy(SMALL_ARTICLES)
    valdai = next(s for s in specs if s["article_id"] == "000_75f37cc66b80f13e")
    text = valdai["paragraphs"][1][0]
    # the same stance, a tone less positive (+0.50 -> +0.21): same sign, a move of 0.29
    valdai["paragraphs"][1] = (text, [("arms_control", 0.86, 0.04, 0.2, 0.41, 0.94)], False, None)
    meta = run_meta("2018-11-12T12:00:00", "0" * 64, RERUN_MODELS, len(specs))
    write_run(tmp_path, "20181112-120000-tone0000", meta, CONFIG_TOML, _tables_from_specs(specs))
    at = _open(app, tmp_path)
    assert not at.exception
    assert not any("No author changes sign" in s.value for s in at.success)
    assert any("but some move by 0.10 or more" in i.value for i in at.info)
    moves = next(
        d.value
        for d in at.dataframe
        if "Measure" in d.value.columns and "n A → B" in d.value.columns
    )
    assert list(moves["Measure"]) == ["tone"]
    # run A is the newer run: the tone moved from +0.50 (B) to +0.21 (A)
    assert (moves["Run A"].iloc[0], moves["Run B"].iloc[0]) == ("+0.21", "+0.50")
    # and downloadable, with their values (as compare --json gives them)
    assert any("runs_moves" in str(b.key) for b in at.get("download_button"))
