"""The scoring-stage memory probe scores every candidate pair of a real run again."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main as cli
from experiments.scoring_memory import main

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.mark.slow
def test_every_candidate_pair_of_the_seeds_run_is_scored_again(tmp_path):
    runs = tmp_path / "runs"
    args = ["analyze", str(SEEDS), "--runs-dir", str(runs), "--cache", "", "--quiet"]
    assert cli(args) == 0
    run = next(p for p in runs.iterdir() if p.is_dir())
    pairs = sum(len(pd.read_parquet(run / f)) for f in ("scores.parquet", "gated_out.parquet"))
    result = main(["--run", str(run)])
    assert result["pairs"] == result["scored_rows"] == pairs > 0
    assert 0 < result["candidates"] <= pairs
    assert result["peak_mib_after"] >= result["peak_mib_before"] > 0
    assert result["seconds"] >= 0
