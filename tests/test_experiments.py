"""The shipped example experiments: a rerun with one model swapped, compare, fail-fast offline."""

import json
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.runs import list_runs, load_run

EXPERIMENTS = Path(__file__).resolve().parent.parent / "experiments"


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs")
    cache = str(tmp_path_factory.mktemp("cache") / "p.sqlite")
    for name in ("defaults", "vader_tone"):
        code = main(
            [
                "run",
                str(EXPERIMENTS / f"{name}.toml"),
                "--runs-dir",
                str(runs),
                "--cache",
                cache,
                "--quiet",
            ]
        )
        assert code == 0
    return runs


def test_swapping_the_tone_model_recomputes_only_tone(two_runs):
    newest, oldest = list_runs(two_runs)
    assert newest["name"] == "vader_tone" and oldest["name"] == "defaults"
    # Every candidate pair is scored (the topic gate then keeps the scored pairs).
    pairs = newest["counts"]["candidate_pairs"]
    assert pairs >= newest["counts"]["scored_pairs"] > 0
    assert newest["cache"]["stance"] == {"hits": pairs, "misses": 0}
    assert newest["cache"]["tone"] == {"hits": 0, "misses": pairs}
    assert newest["models"]["tone"]["name"] == "tone.vader.v1"
    config = (Path(newest["path"]) / "config.toml").read_text()
    assert 'tone = "tone.vader.v1"' in config and "[topic_definitions.sanctions]" in config


def test_compare_reports_agreement_and_changes(two_runs, capsys):
    newest, oldest = list_runs(two_runs)
    assert (
        main(["compare", oldest["run_id"], newest["run_id"], "--json", "--runs-dir", str(two_runs)])
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    # stance came from the same model in both runs: it agrees perfectly on every shared passage
    # it is read on (the author's own words; the quotes are the quoted voices')
    stance, speaker = report["overall"]["stance"], report["overall"]["speaker"]
    assert stance["n"] + speaker["n"] == report["overall"]["passages"]["shared"]
    assert stance["n"] > 0 and speaker["n"] > 0
    assert stance["agreement"] == 1.0 and speaker["agreement"] == 1.0
    assert report["a"]["models"]["tone"] != report["b"]["models"]["tone"]
    assert report["same_corpus"] is True
    stance_run = load_run(oldest["run_id"], two_runs)
    assert main(["compare", oldest["run_id"], newest["run_id"], "--runs-dir", str(two_runs)]) == 0
    captured = capsys.readouterr()
    assert oldest["run_id"] in captured.out and newest["run_id"] in captured.out
    assert "same run" not in captured.err
    assert len(stance_run.scores) == newest["counts"]["scored_pairs"]
    assert main(["compare", "latest", newest["run_id"], "--runs-dir", str(two_runs)]) == 0
    assert f"note: run A and run B are the same run ({newest['run_id']})" in capsys.readouterr().err


def test_dry_run_prints_the_estimate_and_writes_nothing(tmp_path, capsys):
    code = main(
        [
            "run",
            str(EXPERIMENTS / "defaults.toml"),
            "--dry-run",
            "--json",
            "--runs-dir",
            str(tmp_path),
            "--cache",
            "",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    estimate = json.loads(captured.out)
    assert estimate["articles"] == 3 and estimate["passages"] > 0
    assert estimate["seconds"]["total"] >= 0
    assert "estimate:" in captured.err
    assert list_runs(tmp_path) == []


def test_hub_model_offline_fails_before_any_work_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code = main(
        [
            "run",
            str(EXPERIMENTS / "nli_deberta.toml"),
            "--runs-dir",
            str(tmp_path),
            "--cache",
            "",
            "--quiet",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "MoritzLaurer/deberta-v3-base-zeroshot-v2.0" in err
    assert "local" in err  # how to point at a local copy
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert list_runs(tmp_path) == []


def test_robustness_over_the_two_runs_lists_stable_and_flipping_comparisons(two_runs, capsys):
    newest, oldest = list_runs(two_runs)
    assert (
        main(
            [
                "robustness",
                oldest["run_id"],
                newest["run_id"],
                "--json",
                "--runs-dir",
                str(two_runs),
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert [r["run_id"] for r in report["runs"]] == [oldest["run_id"], newest["run_id"]]
    assert report["topics"]
    for section in report["topics"].values():  # every pair is judged exactly once
        pairs = section["pairs"]
        assert pairs["stable"] + pairs["flip"] + pairs["tie"] == pairs["n"]
    assert main(["robustness", oldest["run_id"], "--runs-dir", str(two_runs)]) == 2
    assert "expected at least two runs" in capsys.readouterr().err
