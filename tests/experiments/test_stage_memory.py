"""The stage memory probe runs a real analysis and reports every stage's start and own peak."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from analysis.pipeline import STAGES
from experiments.stage_memory import main

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_every_stage_gets_its_start_and_its_own_peak(tmp_path, capsys):
    stages = main([str(SEEDS), "--runs-dir", str(tmp_path)])
    assert [s["stage"] for s in stages] == [s for s in STAGES if s != "done"]
    for s in stages:
        assert s["peak_mib"] >= s["start_mib"] > 0
        assert s["rise_mib"] == s["peak_mib"] - s["start_mib"]
    # loading the models is the setup stage's own rise, not any later stage's
    assert stages[0]["rise_mib"] > 50
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("CPU: ")
    assert [json.loads(line)["stage"] for line in out[1:-1]] == [s["stage"] for s in stages]
    (run,) = [p for p in tmp_path.iterdir() if (p / "run.json").is_file()]
    assert out[-1] == f"run {run.name} in {run}"
