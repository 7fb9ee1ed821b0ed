"""The author's voice and the quoted voices, measured apart through a whole analysis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from analysis.cli import main
from analysis.runs import GATED_OUT_TABLE, load_run

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def voices_run(tmp_path_factory, tiny_news_model_dir):
    runs = tmp_path_factory.mktemp("runs")
    cache = tmp_path_factory.mktemp("cache") / "predictions.sqlite"
    args = ["analyze", str(SEEDS), "--runs-dir", str(runs), "--quiet", "--cache", str(cache)]
    model = ["--stance-model", str(tiny_news_model_dir), "--tone-model", str(tiny_news_model_dir)]
    assert main([*args, *model]) == 0
    return runs, cache, args + model


def test_reported_passages_get_the_speaker_heads_stance_and_own_voice_none(voices_run):
    run = load_run("latest", voices_run[0])
    scores = run.scores
    reported = scores["reported"].astype(bool)
    assert reported.any() and (~reported).any()
    speaker = scores[["speaker_favor", "speaker_against", "speaker_none"]]
    assert speaker[reported].notna().all().all()
    assert speaker[~reported].isna().all().all()
    assert np.allclose(speaker[reported].sum(axis=1), 1.0, atol=1e-4)
    # The speaker head is a head of its own: it does not repeat the author's stance.
    own = scores.loc[reported, ["stance_favor", "stance_against", "stance_none"]].to_numpy()
    assert not np.allclose(own, speaker[reported].to_numpy(), atol=1e-4)
    assert run.meta["models"]["quoted"]["head"] == "speaker"


def test_positions_carry_both_voices(voices_run):
    run = load_run("latest", voices_run[0])
    pos = run.positions
    quoted = pos[pos["n_reported"] > 0]
    assert len(quoted) and quoted["quoted_mass"].notna().all()
    assert quoted["quoted_status"].notna().all()
    # a number where the quoted voices take a side (the tiny model's heads split their
    # probabilities about evenly: no side is clearly taken, aggregate.side_statuses)
    sided = quoted["quoted_status"] != "no_stance"
    assert quoted.loc[sided, "quoted_stance"].notna().all()
    assert quoted.loc[~sided, "quoted_stance"].isna().all()
    assert pos.loc[pos["n_reported"] == 0, "quoted_stance"].isna().all()
    discussed = pos[pos["status"] == "discussed"]
    assert set(discussed["stance_status"]) <= {"expressed", "mixed", "no_stance"}
    assert pos.loc[pos["status"] != "discussed", "stance_status"].isna().all()
    # "No stance expressed" never carries a number.
    silent = pos["stance_status"] == "no_stance"
    assert pos.loc[silent, ["stance", "stance_low", "stance_high"]].isna().all().all()


def test_a_rerun_hits_the_cache_for_the_speaker_head_too(voices_run, capsys):
    runs, _, args = voices_run
    assert main(args) == 0
    latest = load_run("latest", runs)
    assert latest.meta["cache"]["quoted"]["misses"] == 0
    assert latest.meta["cache"]["quoted"]["hits"] > 0


def test_every_table_of_a_run_reads_back_with_pyarrow(voices_run):
    run = load_run("latest", voices_run[0])
    for name in ("articles", "passages", "scores", "positions"):
        path = run.path / f"{name}.parquet"
        assert len(pq.read_table(path)) == len(getattr(run, name))


def _analyze_with_gate(tmp_path, model_dir, gate: float, passage_gate: float | None = None):
    """The seeds analyzed with a topic gate (and a passage gate: by default the same, one gate)."""
    from analysis.config import AnalysisConfig
    from analysis.pipeline import analyze

    data = AnalysisConfig().to_dict()
    data["corpus"]["paths"] = [str(SEEDS)]
    data["models"].update(stance=str(model_dir), tone=str(model_dir), cache="")
    data["topics"]["gate"] = gate
    data["topics"]["passage_gate"] = gate if passage_gate is None else passage_gate
    data["run"]["runs_dir"] = str(tmp_path / f"runs-{gate}-{passage_gate}")
    result = analyze(AnalysisConfig.from_dict(data), progress=False, log=lambda _: None)
    return load_run(result.path)


def test_the_topic_head_gates_which_candidates_are_topic_passages(tmp_path, tiny_gated_model_dir):
    open_gate = _analyze_with_gate(tmp_path, tiny_gated_model_dir, 0.0)
    counts = open_gate.meta["counts"]
    assert counts["scored_pairs"] == counts["candidate_pairs"] > 0
    assert open_gate.scores["on_topic"].between(0, 1).all()
    assert "topic_gate" in open_gate.meta["models"]
    shut = _analyze_with_gate(tmp_path, tiny_gated_model_dir, 1.0)
    assert shut.meta["counts"]["scored_pairs"] == 0 and shut.meta["counts"]["candidate_pairs"] > 0
    assert (shut.positions["status"] == "not_discussed").all()
    # In between, exactly the candidates the head puts at or over the gate stay.
    middle = float(open_gate.scores["on_topic"].median())
    half = _analyze_with_gate(tmp_path, tiny_gated_model_dir, middle)
    assert len(half.scores) == int((open_gate.scores["on_topic"] >= middle).sum())


def test_a_discussing_article_counts_its_passages_from_the_looser_passage_gate(
    tmp_path, tiny_gated_model_dir
):
    open_gate = _analyze_with_gate(tmp_path, tiny_gated_model_dir, 0.0)
    every = open_gate.scores[["passage_id", "article_id", "topic", "on_topic"]]
    low, high = (float(q) for q in every["on_topic"].quantile([0.3, 0.8]))
    both = _analyze_with_gate(tmp_path, tiny_gated_model_dir, high, passage_gate=low)
    assert both.config["topics"]["passage_gate"] == low
    # Expected: an article x topic with a candidate at the strict gate keeps every candidate
    # at the passage gate; one without keeps none.
    reaches = every.groupby(["article_id", "topic"])["on_topic"].transform("max") >= high
    expected = every[reaches & (every["on_topic"] >= low)]
    kept = set(zip(both.scores["passage_id"], both.scores["topic"], strict=True))
    assert kept == set(zip(expected["passage_id"], expected["topic"], strict=True))
    # more than the strict gate alone keeps, fewer than the passage gate alone would
    assert (
        int((every["on_topic"] >= high).sum()) < len(kept) < int((every["on_topic"] >= low).sum())
    )
    left_out = pq.read_table(both.path / GATED_OUT_TABLE).to_pandas()
    assert len(kept) + len(left_out) == both.meta["counts"]["candidate_pairs"]
    assert not kept & set(zip(left_out["passage_id"], left_out["topic"], strict=True))
    # what the dashboard's Article page says a passage needed
    from analysis.run_info import run_info

    info = run_info(both.meta, both.config)
    assert (info.gate, info.passage_gate) == (high, low)


def test_the_run_keeps_what_the_topic_gate_left_out(tmp_path, tiny_gated_model_dir):
    from analysis.runs import GATED_OUT_TABLE

    open_gate = _analyze_with_gate(tmp_path, tiny_gated_model_dir, 0.0)
    everything = open_gate.scores.set_index(["passage_id", "topic"])["on_topic"]
    assert pq.read_table(open_gate.path / GATED_OUT_TABLE).num_rows == 0
    middle = float(everything.median())
    half = _analyze_with_gate(tmp_path, tiny_gated_model_dir, middle)
    left_out = pq.read_table(half.path / GATED_OUT_TABLE).to_pandas()
    assert half.meta["counts"]["gated_out_pairs"] == len(left_out) > 0
    # Exactly the candidates under the gate, with the P(on topic) the open run gave them; the
    # kept and the left-out pairs together are every candidate, none in both.
    assert (left_out["on_topic"] < middle).all()
    keys = list(zip(left_out["passage_id"], left_out["topic"], strict=True))
    assert np.allclose(left_out["on_topic"], everything.loc[keys].to_numpy(), atol=1e-6)
    kept = set(zip(half.scores["passage_id"], half.scores["topic"], strict=True))
    assert not kept & set(keys)
    assert len(kept) + len(keys) == half.meta["counts"]["candidate_pairs"]
    assert "gated_out" not in half.scores.columns
