"""experiments/interval_coverage.py: coverage of subsampled positions, plain and widened."""

from __future__ import annotations

import json
import sys

import numpy as np

from analysis.aggregate import positions
from analysis.runs import write_run
from experiments import interval_coverage
from tests.test_aggregate import TOPICS, article, score, tables


def test_widened_intervals_hold_the_whole_stance_more_often_than_plain_ones(
    tmp_path, monkeypatch, capsys
):
    rng = np.random.default_rng(0)
    arts, rows = [], []
    for j in range(12):  # one prolific author, twelve articles of twelve passages
        aid = f"a{j}"
        arts.append(article(aid, "Ann", n_passages=12))
        centre = rng.normal(0.3, 0.2)
        rows += [
            score(
                f"{aid}:{i}",
                "sanctions",
                0.9,
                float(np.clip(centre + rng.normal(0, 0.3), -1, 1)),
                0.0,
            )
            for i in range(12)
        ]
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    write_run(tmp_path, "r1", {"run_id": "r1"}, "", data)
    out = tmp_path / "coverage.json"
    argv = ["x", "--run", "r1", "--runs-dir", str(tmp_path), "--replicates", "20"]
    extra = ["--min-passages", "8", "--min-articles", "6", "--out", str(out)]
    monkeypatch.setattr(sys, "argv", [*argv, *extra])
    interval_coverage.main()
    report = json.loads(out.read_text())
    assert json.loads(capsys.readouterr().out) == report
    assert report["units"] == {"article": 12, "author": 1}
    plain, wide = report["percentile"], report["widened"]
    assert set(plain["article"]) == {"2", "3", "4", "6"}  # 10 of 12 is more than half: left out
    assert plain["author"]["2"]["trials"] == 20
    for level in ("article", "author"):
        for k in plain[level]:
            assert wide[level][k]["coverage"] >= plain[level][k]["coverage"]
            assert wide[level][k]["mean_width"] > plain[level][k]["mean_width"]
    assert wide["article"]["2"]["coverage"] > plain["article"]["2"]["coverage"] + 0.2
