"""The seeds analyzed end to end with the shipped models, and the CLI commands on the run."""

import json
import shutil
from pathlib import Path

import pytest

from analysis.bylines import membership
from analysis.cli import main
from analysis.runs import ALL_COLUMNS, GATED_OUT_TABLE, list_runs, load_run

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs")
    cache = tmp_path_factory.mktemp("cache") / "predictions.sqlite"
    code = main(["analyze", str(SEEDS), "--runs-dir", str(runs), "--quiet", "--cache", str(cache)])
    assert code == 0
    return runs


def test_a_run_records_the_writers_lists_its_bylines_were_cut_at(seeds_run):
    from analysis.bylines import known_rosters
    from analysis.runs import load_run

    run = load_run("latest", seeds_run)
    assert run.meta["known_rosters"]["Reason"] == sorted(known_rosters()["Reason"])
    assert run.info.known_rosters == known_rosters()


def test_seeds_give_three_by_three_article_positions(seeds_run, capsys):
    assert (
        main(
            [
                "export",
                "latest",
                "--what",
                "positions",
                "--format",
                "jsonl",
                "--runs-dir",
                str(seeds_run),
            ]
        )
        == 0
    )
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    articles = [r for r in rows if r["level"] == "article"]
    assert len({r["article_id"] for r in articles}) == 3
    assert {r["topic"] for r in articles} == {"arms_control", "sanctions", "ukraine"}
    assert len(articles) == 9
    # each row names its topic as the pages do, beside the key
    from analysis.topics import load_topics

    labels = {t.key: t.label for t in load_topics()}
    assert all(r["topic_label"] == labels[r["topic"]] for r in rows)
    for row in rows:
        assert set(ALL_COLUMNS["positions"]) <= set(row)
        if row["status"] == "not_discussed":
            assert row["stance"] is None and row["n_passages"] == 0 and row["evidence"] == []
            assert row["n_reported"] == 0
            continue
        assert row["n_passages"] + row["n_reported"] > 0
        assert bool(row["evidence"]) == (row["n_passages"] > 0)
        if row["stance_status"] == "no_stance":  # no side taken: no number at all
            assert row["stance"] is None and row["stance_low"] is None
        elif row["n_passages"] > 1:
            assert row["stance_low"] <= row["stance"] <= row["stance_high"]
            assert row["tone_low"] <= row["tone"] <= row["tone_high"]
        else:  # one passage: the point, with no interval to pretend certainty
            assert row["stance_low"] is None and row["stance"] is not None
    authors = {r["author"] for r in rows if r["level"] == "author"}
    assert len(authors) == 3
    # counts are whole numbers in the run file and the export (a CSV shows 1, not 1.0)
    import pyarrow.parquet as pq

    from analysis.aggregate import COUNT_COLUMNS

    schema = pq.read_schema(next(seeds_run.glob("*/positions.parquet")))
    assert {c: str(schema.field(c).type) for c in COUNT_COLUMNS} == dict.fromkeys(
        COUNT_COLUMNS, "int64"
    )
    assert all(isinstance(r[c], int) for r in rows for c in COUNT_COLUMNS)


def test_run_records_models_corpus_and_timings(seeds_run):
    run = load_run("latest", seeds_run)
    meta = run.meta
    assert meta["models"]["stance"]["name"] == "stance.minilm.v2"
    assert len(meta["models"]["stance"]["weights_sha256"]) == 64
    assert len(meta["corpus_hash"]) == 64
    assert meta["counts"]["articles_read"] == 3
    # the rules its positions were made by: the pages say where a run's are older
    from analysis.aggregate import POSITION_RULES, position_rules_note

    assert meta["position_rules"] == POSITION_RULES and position_rules_note(meta) is None
    assert "made by older rules" in position_rules_note({})
    # every author of a byline counts once (analysis.bylines)
    assert meta["counts"]["authors"] == membership(run.articles)["group"].nunique() == 3
    assert {"load", "relevance", "scoring", "aggregate", "total"} <= set(meta["timings"])
    root = SEEDS.parent
    if (root / ".git").exists():  # the code's commit, as the package version does not say it
        import subprocess

        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        assert meta["versions"]["viewpoints_commit"].removesuffix("+changes") == head
    assert "stance.minilm.v2" in (run.path / "config.toml").read_text()
    # the default model's topic head judges look-alikes, so counter-examples veto nothing
    assert meta["topic_matcher"]["counter_examples"] is False
    assert meta["topic_head_untrained"] == []
    assert 'counter_examples = "auto"' in (run.path / "config.toml").read_text()
    evidence = run.positions.iloc[0]["evidence"]
    assert set(evidence) <= set(run.passages["passage_id"])
    # the run's tables and nothing else: the topic passages spilled while scoring are gone;
    # the default stance model has a topic head, so the pairs it left out are kept
    tables = {p.name for p in run.path.glob("*.parquet")}
    assert tables == {f"{name}.parquet" for name in ALL_COLUMNS} | {GATED_OUT_TABLE}


def test_a_stance_model_without_a_topic_head_keeps_the_counter_examples_veto(tmp_path):
    code = main(
        [
            "analyze",
            str(SEEDS),
            "--stance-model",
            "stance.minilm.v1",
            "--tone-model",
            "tone.minilm.v1",
            "--runs-dir",
            str(tmp_path),
            "--quiet",
            "--cache",
            "",
        ]
    )
    assert code == 0
    assert load_run("latest", tmp_path).meta["topic_matcher"]["counter_examples"] is True


def test_a_tone_model_without_a_neutral_class_is_said_with_the_run(
    tmp_path, minilm_tokenizer, capsys
):
    """A review's two-class sentiment model was named once on stderr while the run was made,
    and nowhere after: not by show, compare or the pages, which read run.json's warnings."""
    import torch
    from transformers import BertForSequenceClassification

    from tests.conftest import tiny_bert_config

    torch.manual_seed(0)
    labels = {0: "NEGATIVE", 1: "POSITIVE"}
    folder = tmp_path / "sst2"
    config = tiny_bert_config(
        num_labels=2, id2label=labels, label2id={"NEGATIVE": 0, "POSITIVE": 1}
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    minilm_tokenizer.save_pretrained(folder)
    runs = tmp_path / "runs"
    args = ["--runs-dir", str(runs), "--quiet", "--cache", ""]
    assert main(["analyze", str(SEEDS), "--tone-model", str(folder), *args]) == 0
    warnings = load_run("latest", runs).meta["model_warnings"]
    assert any(f"the tone model {folder} has no neutral class" in w for w in warnings), warnings
    capsys.readouterr()
    assert main(["show", "latest", "--runs-dir", str(runs)]) == 0
    assert "WARNING: the tone model" in capsys.readouterr().out


def test_a_topic_the_topic_head_never_learned_keeps_its_counter_examples_veto(tmp_path, capsys):
    from analysis.topics import DEFAULT_TOPICS_PATH

    topics = tmp_path / "topics.toml"
    custom = """
[topics.nato_expansion]
label = "NATO expansion"
description = "Admitting new members to NATO."
target = "NATO expansion"
aliases = ["NATO"]
counter_examples = ["NATO members must spend two percent of their GDP on defense."]

[topics.nord_stream]
label = "Nord Stream"
description = "The Nord Stream 2 gas pipeline from Russia to Germany."
target = "the Nord Stream 2 pipeline"
aliases = ["Nord Stream"]
"""
    topics.write_text(DEFAULT_TOPICS_PATH.read_text(encoding="utf-8") + custom, encoding="utf-8")
    runs = tmp_path / "runs"
    command = ["analyze", str(SEEDS), "--topics", str(topics), "--runs-dir", str(runs)]
    assert main([*command, "--cache", ""]) == 0
    meta = load_run("latest", runs).meta
    # the default topics' targets are the head's own; the new ones' counter-examples veto
    assert meta["topic_head_untrained"] == ["nato_expansion", "nord_stream"]
    assert meta["topic_matcher"]["counter_examples"] == ["nato_expansion", "nord_stream"]
    err = capsys.readouterr().err
    assert "topic head was not trained on the target of 'NATO expansion', 'Nord Stream'" in err
    # the head does not gate them, and relevance must reach the threshold for models without one
    assert "it does not gate them: relevance must reach 0.66 there" in err
    assert meta["relevance_thresholds"] == {
        "arms_control": 0.55,
        "sanctions": 0.55,
        "ukraine": 0.55,
        "nato_expansion": 0.66,
        "nord_stream": 0.66,
    }
    # a rerun of the run's config.toml defaults the same way (its recorded 0.55 was not given),
    # and the file says so above that 0.55, which these two topics did not take
    folder = load_run("latest", runs).path
    recorded = (Path(folder) / "config.toml").read_text(encoding="utf-8")
    head = " ".join(line.lstrip("# ") for line in recorded.splitlines() if line.startswith("#"))
    assert head.startswith("nato_expansion, nord_stream: the stance model's topic head")
    assert "their relevance threshold was 0.66" in head and "no topic gate" in head
    rerun = ["run", str(Path(folder) / "config.toml"), "--cache", "", "--quiet"]
    assert main(rerun) == 0
    assert load_run("latest", runs).meta["relevance_thresholds"] == meta["relevance_thresholds"]
    assert "'Nord Stream' has none: add counter-examples" in err
    # "never" is obeyed, and said
    config = tmp_path / "never.toml"
    config.write_text(
        f"[corpus]\npaths = [{json.dumps(str(SEEDS))}]\n"
        f'[topics]\nfile = "topics.toml"\ncounter_examples = "never"\n',
        encoding="utf-8",
    )
    assert main(["run", str(config), "--runs-dir", str(runs), "--cache", ""]) == 0
    assert load_run("latest", runs).meta["topic_matcher"]["counter_examples"] is False
    assert 'nothing else keeps look-alikes out (topics.counter_examples = "never")' in (
        capsys.readouterr().err
    )


def test_a_run_config_reruns_from_anywhere_and_says_when_its_topics_changed(
    tmp_path, monkeypatch, capsys
):
    from analysis.topics import DEFAULT_TOPICS_PATH

    work = tmp_path / "work"
    (work / "corpus").mkdir(parents=True)
    shutil.copy(SEEDS / "001_6c28832786d132a7.txt", work / "corpus")
    shutil.copy(DEFAULT_TOPICS_PATH, work / "mine.toml")
    monkeypatch.chdir(work)
    command = ["analyze", "corpus", "--topics", "./mine.toml", "--runs-dir", "runs", "--quiet"]
    command += ["--name", "baseline"]
    assert main([*command, "--cache", "cache/../cache/p.sqlite"]) == 0
    assert "other run(s)" not in capsys.readouterr().err  # the first run of that name
    (first,) = list_runs(work / "runs")
    recorded = (Path(first["path"]) / "config.toml").read_text()
    assert f'paths = ["{work / "corpus"}"]' in recorded
    assert f'file = "{work / "mine.toml"}"' in recorded
    assert f'cache = "{work / "cache" / "p.sqlite"}"' in recorded
    monkeypatch.chdir(tmp_path)  # elsewhere: the recorded paths still lead to the same files
    config = Path(first["path"]) / "config.toml"
    assert main(["run", str(config), "--quiet"]) == 0
    rerun = list_runs(work / "runs")[0]
    assert rerun["name"] == f"baseline (rerun of {first['run_id']})"  # "baseline" stays one run
    assert rerun["cache"]["stance"]["hits"] > 0  # the first run's cache, not a new one
    assert "no longer defines" not in capsys.readouterr().err
    mine = work / "mine.toml"
    mine.write_text(mine.read_text().replace("Nuclear arms control", "Arms control", 1))
    assert main(["run", str(config), "--dry-run", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert f"warning: {mine} no longer defines the topics recorded in {config}" in err
    assert "([topic_definitions]): changed arms_control; the rerun uses" in err  # what changed
    # the topics file gone: the rerun uses the topics the run recorded, and says where they are
    moved = mine.rename(work / "moved.toml")
    assert main(["run", str(config), "--dry-run", "--quiet"]) == 0  # a dry run keeps nothing
    assert "is gone" in capsys.readouterr().err and not (work / "runs" / "inputs").exists()
    elsewhere = str(tmp_path / "moved_runs")
    assert main(["run", str(config), "--quiet", "--runs-dir", elsewhere]) == 0
    err = capsys.readouterr().err
    assert f"note: the topics file {mine} is gone; the rerun uses the 3 topics" in err
    (saved,) = (tmp_path / "moved_runs" / "inputs").glob("topics-*.toml")
    assert str(saved) in (Path(list_runs(elsewhere)[0]["path"]) / "config.toml").read_text()
    from analysis.topics import load_topics, topics_sha256

    assert topics_sha256(load_topics(saved)) == topics_sha256(load_topics(DEFAULT_TOPICS_PATH))
    moved.rename(mine)
    # the folder the run went to is where it was, not a choice: the environment says where
    # its rerun goes (runs/ keeps its two runs)
    monkeypatch.setenv("VIEWPOINTS_RUNS_DIR", str(tmp_path / "elsewhere"))
    assert main(["run", str(config), "--quiet"]) == 0
    assert len(list_runs(tmp_path / "elsewhere")) == 1 and len(list_runs(work / "runs")) == 2
    # a second run given the same name is written, and told that the name no longer picks it
    monkeypatch.chdir(work)
    assert main([*command, "--cache", "cache/p.sqlite"]) == 0
    assert (
        f"note: 1 other run(s) in runs are named 'baseline' ({first['run_id']}); refer to "
        "the new run by its id"
    ) in capsys.readouterr().err.replace("\n", " ")
    assert len(list_runs(work / "runs")) == 3


def test_show_and_runs_list_the_seed_authors(seeds_run, capsys):
    assert main(["show", "latest", "--runs-dir", str(seeds_run)]) == 0
    out = capsys.readouterr().out
    run = load_run("latest", seeds_run)
    for author in run.articles["group"]:
        assert author[:20] in out
    assert main(["runs", "--runs-dir", str(seeds_run)]) == 0
    assert run.run_id in capsys.readouterr().out


def test_a_rerun_hits_the_cache_and_gives_the_same_positions(seeds_run, tmp_path):
    first = load_run("latest", seeds_run)
    again = tmp_path / "runs"
    cache = Path(first.config["models"]["cache"])
    assert (
        main(["analyze", str(SEEDS), "--runs-dir", str(again), "--quiet", "--cache", str(cache)])
        == 0
    )
    second = load_run("latest", again)
    assert second.meta["cache"]["stance"]["misses"] == 0
    assert second.meta["cache"]["stance"]["hits"] == first.meta["counts"]["candidate_pairs"]
    # relevance too: the first run computed every passage's, the second read them all
    assert first.meta["cache"]["relevance"]["misses"] > 0
    assert second.meta["cache"]["relevance"] == {
        "hits": first.meta["cache"]["relevance"]["misses"],
        "misses": 0,
    }
    assert second.positions["stance"].equals(first.positions["stance"])
    assert second.scores["relevance"].equals(first.scores["relevance"])
    # nothing had to be embedded again: the relevance rows were all there
    assert first.meta["cache"]["embedding"]["misses"] > 0
    assert second.meta["cache"]["embedding"] == {"hits": 0, "misses": 0}


def test_a_topic_added_reads_the_embeddings_an_earlier_run_cached(seeds_run, tmp_path):
    """The cascade behind the cache: every passage the first run embedded is read back, and
    the default topics' scores are the first run's."""
    first = load_run("latest", seeds_run)
    topics = tmp_path / "topics.toml"
    defaults = Path(__file__).resolve().parent.parent / "analysis" / "default_topics.toml"
    topics.write_text(
        defaults.read_text(encoding="utf-8")
        + '\n[topics.energy]\nlabel = "Energy"\ndescription = "Russian gas exports to Europe '
        'and the Nord Stream pipelines."\ntarget = "Russian gas"\naliases = ["Nord Stream", '
        '"Gazprom", "gas pipeline"]\n',
        encoding="utf-8",
    )
    runs = tmp_path / "runs"
    cache = str(first.config["models"]["cache"])
    command = ["analyze", str(SEEDS), "--topics", str(topics), "--cache", cache]
    assert main([*command, "--runs-dir", str(runs), "--quiet"]) == 0
    added = load_run("latest", runs)
    assert added.meta["cache"]["relevance"]["hits"] == 0  # other topics: other rows
    assert added.meta["cache"]["embedding"]["hits"] == first.meta["cache"]["embedding"]["misses"]
    old_topics = added.scores[added.scores["topic"] != "energy"].reset_index(drop=True)
    columns = ["passage_id", "topic", "relevance", "stance_favor", "stance_against"]
    assert old_topics[columns].equals(first.scores[columns].reset_index(drop=True))


def test_bad_files_are_skipped_with_reasons_and_the_run_goes_on(tmp_path, capsys):
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    runs = tmp_path / "runs"
    assert main(["analyze", str(folder), "--runs-dir", str(runs), "--quiet", "--cache", ""]) == 0
    err = capsys.readouterr().err
    assert "empty.txt" in err and "binary.txt" in err
    meta = list_runs(runs)[0]
    assert meta["counts"]["articles_read"] == 3
    assert {Path(s["source"]).name for s in meta["skipped"]} >= {"empty.txt", "binary.txt"}


def test_missing_input_fails_in_one_line(tmp_path, capsys):
    code = main(["analyze", str(tmp_path / "nope"), "--runs-dir", str(tmp_path), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "nope" in err and "Traceback" not in err
    assert list_runs(tmp_path) == []


def test_a_missing_input_is_named_before_any_model_is_loaded(tmp_path, capsys):
    # A typo in the path must not wait for models to load: the path is checked first, so a
    # model that cannot load is never reached.
    args = ["analyze", str(tmp_path / "nope"), "--runs-dir", str(tmp_path), "--quiet"]
    code = main([*args, "--stance-model", str(tmp_path / "no-model-here")])
    err = capsys.readouterr().err
    assert code == 2 and "nope" in err and "no-model-here" not in err


def test_analyze_json_prints_one_object_and_dry_run_writes_nothing(seeds_run, tmp_path, capsys):
    cache = load_run("latest", seeds_run).config["models"]["cache"]
    runs = tmp_path / "runs"
    common = [str(SEEDS), "--runs-dir", str(runs), "--quiet", "--cache", cache, "--json"]
    written = Path(cache).read_bytes()
    assert main(["analyze", *common, "--dry-run"]) == 0
    estimate = json.loads(capsys.readouterr().out)
    assert estimate["articles"] == 3 and list_runs(runs) == []
    # the seeds' run left everything in the cache: nothing is left to compute, nothing written
    sampled = estimate["cache_hits"]["relevance"][1]
    assert sampled == estimate["passages"] and estimate["cache_hits"]["relevance"][0] == sampled
    assert set(estimate["model_calls"].values()) == {0}
    assert Path(cache).read_bytes() == written
    assert main(["analyze", *common, "--dry-run", "--cache", ""]) == 0
    uncached = json.loads(capsys.readouterr().out)
    assert uncached["cache_hits"] == {} and uncached["scored_pairs"] > 0
    assert sum(uncached["model_calls"].values()) >= uncached["scored_pairs"]
    assert main(["analyze", *common]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)  # exactly one JSON object on stdout
    assert Path(summary["path"]).is_dir() and summary["run_id"] == list_runs(runs)[0]["run_id"]
    assert summary["counts"]["articles_read"] == 3
    counts = summary["counts"]  # the closing line says what the run holds
    (closing,) = [line for line in captured.err.splitlines() if line.startswith("wrote run")]
    assert closing.endswith(
        f": 3 articles, {counts['topic_passages']} topic passage"
        + ("" if counts["topic_passages"] == 1 else "s")
        + f" ({counts['scored_pairs']} passage-topic pairs after the topic check), "
        f"{counts['positions']} positions, {counts['authors']} authors and outlet groups"
    )


def test_the_relevance_cascade_finds_the_seeds_topic_passages_the_full_method_finds(
    seeds_run, tmp_path
):
    """The default cascade (static first stage, MiniLM on what it passes) against MiniLM on
    every passage: the same topic passages on the seeds, and each run records its method."""
    code = main(
        [
            *("analyze", str(SEEDS), "--relevance", "full", "--runs-dir", str(tmp_path)),
            *("--quiet", "--cache", ""),  # not the checkout's default cache
        ]
    )
    assert code == 0
    cascade, full = load_run("latest", seeds_run), load_run("latest", tmp_path)
    pairs = [
        set(zip(r.scores["passage_id"], r.scores["topic"], strict=True)) for r in (cascade, full)
    ]
    assert pairs[0] == pairs[1] and pairs[0]
    assert cascade.meta["topic_matcher"]["first_stage"]["name"] == "minilm-static"
    assert "first_stage" not in full.meta["topic_matcher"]
    assert cascade.info.threshold == full.info.threshold
    assert 'relevance = "full"' in (full.path / "config.toml").read_text()


def test_files_a_manifest_excludes_are_named_apart_from_the_skipped_count():
    from analysis.corpus import Skipped
    from analysis.pipeline import skipped_note

    excluded = Skipped("seeds/SOURCES.md", "excluded by articles.toml")
    broken = Skipped("seeds/x.bin", "binary file")  # warned about on stderr by the loader
    assert skipped_note([excluded]) == "skipped 0; SOURCES.md excluded by articles.toml"
    assert skipped_note([excluded, broken]).startswith("skipped 1; SOURCES.md excluded")
    assert skipped_note([broken]) == "skipped 1"
    many = [Skipped(f"d/{i}.md", "excluded by articles.toml") for i in range(5)]
    assert skipped_note(many) == "skipped 0; 0.md, 1.md, 2.md and 2 more excluded by articles.toml"


def test_a_model_that_answers_every_passage_alike_is_named():
    import numpy as np
    import pandas as pd

    from analysis.pipeline import flat_output_notes

    rng = np.random.default_rng(0)
    n = 30
    stance = rng.dirichlet([1, 1, 1], size=n)  # varies: a model that reads the passages
    scores = pd.DataFrame(
        {
            "stance_favor": stance[:, 0],
            "stance_against": stance[:, 1],
            "stance_none": stance[:, 2],
            "tone_negative": 0.34 + rng.normal(0, 1e-4, n),  # the same answer every time
            "tone_neutral": np.full(n, 0.33),
            "tone_positive": np.full(n, 0.33),
        }
    )
    labels = (("favor", "against", "none"), ("negative", "neutral", "positive"))
    (note,) = flat_output_notes(scores, *labels)
    assert note.startswith("the tone model gives every one of 30 passage-topic pairs about the")
    assert "negative 0.34, neutral 0.33, positive 0.33" in note
    assert flat_output_notes(scores.iloc[:5], *labels) == []  # too few pairs to tell


def test_show_repeats_a_models_warning(seeds_run):
    from analysis.terminal import format_positions

    run = load_run("latest", seeds_run)
    assert run.meta["model_warnings"] == []  # the shipped models read the passages
    assert "WARNING" not in format_positions(run)
    run.meta["model_warnings"] = ["the tone model gives every one of 16 pairs the same"]
    assert "WARNING: the tone model gives every one of 16 pairs the same" in format_positions(run)


def test_a_topics_file_without_the_built_in_topics_says_they_are_left_out():
    from analysis.pipeline import replaced_topics_note
    from analysis.topics import DEFAULT_TOPICS_PATH, load_topics

    builtin = load_topics(None)
    note = replaced_topics_note("mine.toml", builtin[:1])
    assert note is not None
    assert note.startswith("note: the topics of mine.toml replace the built-in ones, so ")
    assert f"{builtin[1].label}, {builtin[2].label} are not analyzed" in note
    assert f"copy {DEFAULT_TOPICS_PATH} and append yours" in note
    assert replaced_topics_note("all.toml", builtin) is None
    from dataclasses import replace

    # a built-in key given another target: nothing left out, but the pages show the new target
    # under the built-in key, and the figures on labelled news are not of it
    redefined = [replace(builtin[1], target="sanctions on Iran"), builtin[0], builtin[2]]
    note = replaced_topics_note("mine.toml", redefined)
    assert note is not None and "replace the built-in ones" not in note
    assert (
        f"'{builtin[1].key}' is redefined as '{builtin[1].label}', target 'sanctions on Iran' "
        f"(built in: '{builtin[1].target}')"
    ) in note
    assert "figures on labelled news do not cover it" in note
    # the same target in other words of case and spacing is no redefinition
    respaced = [replace(builtin[0], target=builtin[0].target.upper()), *builtin[1:]]
    assert replaced_topics_note("mine.toml", respaced) is None


def test_a_model_without_a_topic_head_is_not_said_to_check_topics(tmp_path, capsys):
    """A review: with stance.minilm.v1 the log still said "(the topic check keeps those really
    on topic)" and "pairs after the topic check", where no check ran."""
    runs = tmp_path / "runs"
    command = ["analyze", str(SEEDS), "--stance-model", "stance.minilm.v1", "--cache", ""]
    assert main([*command, "--runs-dir", str(runs)]) == 0
    err = capsys.readouterr().err
    assert "topic check" not in err
    (closing,) = [line for line in err.splitlines() if line.startswith("wrote run")]
    assert "passage-topic pairs), " in closing
