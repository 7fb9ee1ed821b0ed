"""The dashboard benchmark times every page and interaction on two small runs in Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from experiments.benchmark_corpus import cpu_name
from experiments.benchmark_dashboard import PAGES, choose_runs, main
from tests.dashboard.e2e_support import E2E_MARKS
from tests.dashboard.two_runs import BASE_ID, RERUN_ID, make_rerun, write_base_run

INTERACTIONS = {"open evidence", "change topic", "switch run"}


def _two_runs(folder: Path) -> Path:
    """The small seed-like run and its rerun (newest), written in milliseconds."""
    folder.mkdir(parents=True, exist_ok=True)
    write_base_run(folder)
    make_rerun(folder)
    return folder


def test_the_newest_run_is_benchmarked_and_the_other_is_switched_to(tmp_path):
    runs = _two_runs(tmp_path / "runs")
    meta, other = choose_runs(runs, None, None)
    assert (meta["run_id"], other) == (RERUN_ID, BASE_ID)
    meta, other = choose_runs(runs, BASE_ID, None)
    assert (meta["run_id"], other) == (BASE_ID, RERUN_ID)
    alone = tmp_path / "alone"
    alone.mkdir()
    write_base_run(alone)
    assert choose_runs(alone, None, None)[1] is None  # nothing to switch to: skipped
    with pytest.raises(SystemExit, match="no run 'nope'"):
        choose_runs(runs, "nope", None)


def slow_e2e(test):
    """Marked slow, heavy (over a minute: left out of ``make test``) and e2e, and skipped
    without /usr/bin/chromium (``E2E_MARKS``)."""
    for mark in (*E2E_MARKS, pytest.mark.slow, pytest.mark.heavy):
        test = mark(test)
    return test


@slow_e2e
def test_every_page_and_interaction_gets_a_positive_time(tmp_path, capsys):
    runs = _two_runs(tmp_path / "runs")
    results = main(["--runs-dir", str(runs), "--repeat", "1", "--settle", "0.5"])
    out = capsys.readouterr().out
    assert results["settle_s"] == 0.5
    assert out.startswith(f"CPU: {cpu_name()}\nrun {RERUN_ID}: 5 articles")
    assert (results["run"], results["other_run"]) == (RERUN_ID, BASE_ID)
    titles = [spec.title for spec in PAGES]
    assert titles == [
        "Overview",
        "Compare",
        "Article",
        "Over time",
        "Runs",
        "Evaluation",
        "Add articles",
    ]
    for key in ("first_paint_s", "first_paint_cached_s"):
        assert list(results[key]) == titles
        for page, seconds in results[key].items():
            assert len(seconds) == 1 and seconds[0] > 0, (key, page, seconds)
    assert set(results["interactions_s"]) == INTERACTIONS
    for name, seconds in results["interactions_s"].items():
        assert len(seconds) == 1 and seconds[0] > 0, (name, seconds)
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert lines[0] == {"measure": "server_start", "seconds": results["server_start_s"]}
    assert len(lines) == 1 + 2 * len(titles) + len(INTERACTIONS)
    assert all(line["seconds"] > 0 for line in lines)
    assert "within" in out and "switch run" in out.split("within", 1)[1]
    assert not results["skipped"]


def test_a_negative_settle_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--runs-dir", str(tmp_path), "--settle", "-1"])
    assert stop.value.code == 2
    assert "--settle must be at least 0" in capsys.readouterr().err
