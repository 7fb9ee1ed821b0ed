"""The stage memory probe runs a real analysis and reports every stage's start and own peak."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.pipeline import STAGES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_every_stage_gets_its_start_and_its_own_peak(tmp_path):
    # in a child process: the probe restarts the process's peak and loads the models, which
    # would change what other tests measure in this one
    command = [sys.executable, "-m", "experiments.stage_memory", str(ROOT / "seeds")]
    done = subprocess.run(
        [*command, "--runs-dir", str(tmp_path)], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout.splitlines()
    assert out[0].startswith("CPU: ")
    stages = [json.loads(line) for line in out[1:-1]]
    assert [s["stage"] for s in stages] == [s for s in STAGES if s != "done"]
    for s in stages:
        assert s["peak_mib"] >= s["start_mib"] > 0
        assert s["rise_mib"] == s["peak_mib"] - s["start_mib"]
    # loading the models is the setup stage's own rise, not any later stage's
    assert stages[0]["rise_mib"] > 50
    (run,) = [p for p in tmp_path.iterdir() if (p / "run.json").is_file()]
    assert out[-1] == f"run {run.name} in {run}"
