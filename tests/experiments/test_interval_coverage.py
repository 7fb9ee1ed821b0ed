"""experiments/interval_coverage.py: coverage of subsampled positions, plain and widened."""

from __future__ import annotations

import json
import sys

import numpy as np

from analysis.aggregate import positions
from analysis.runs import write_run
from experiments import interval_coverage
from tests.test_aggregate import TOPICS, article, score, tables


def test_extended_intervals_hold_the_whole_stance_about_as_often_as_they_say(
    tmp_path, monkeypatch, capsys
):
    rng = np.random.default_rng(0)
    arts, rows = [], []
    for j in range(12):  # twelve articles of twelve passages, each signed by Ann and Bob
        aid = f"a{j}"
        arts.append(article(aid, "Ann, Bob", n_passages=12))
        centre, mood = rng.normal(0.3, 0.2), rng.normal(-0.2, 0.2)
        stances = np.clip(centre + rng.normal(0, 0.3, size=12), -1, 1)
        tones = np.clip(mood + rng.normal(0, 0.3, size=12), -1, 1)
        rows += [
            score(f"{aid}:{i}", "sanctions", 0.9, float(v), float(w))
            for i, (v, w) in enumerate(zip(stances, tones, strict=True))
        ]
    a, p, s = tables(arts, rows)
    data = {"articles": a, "passages": p, "scores": s, "positions": positions(a, p, s, TOPICS)}
    write_run(tmp_path, "r1", {"run_id": "r1"}, "", data)
    out = tmp_path / "coverage.json"
    argv = ["x", "--run", "r1", "--runs-dir", str(tmp_path), "--replicates", "30"]
    extra = ["--min-passages", "8", "--min-articles", "6", "--out", str(out)]
    monkeypatch.setattr(sys, "argv", [*argv, *extra])
    interval_coverage.main()
    report = json.loads(out.read_text())
    assert json.loads(capsys.readouterr().out) == report
    plain, wide = report["stance"]["percentile"], report["stance"]["widened"]
    assert set(plain["article"]) == {"2", "3", "4", "6"}  # 10 of 12 is more than half: left out
    assert {k: v["units"] for k, v in plain["article"].items()} == dict.fromkeys(
        plain["article"], 12
    )
    # authors as the positions count them: the byline makes two, Ann and Bob
    assert plain["author"]["2"]["units"] == 2 and plain["author"]["2"]["trials"] == 60
    assert set(plain["author"]) == {"2", "3", "4", "6"}
    assert plain["article"]["2"]["coverage"] < 0.7  # two values' percentile interval
    for level in ("article", "author"):
        for k in plain[level]:
            assert wide[level][k]["coverage"] >= 0.85, (level, k)
    # tone, measured apart, the same way
    tone_plain, tone_wide = report["tone"]["percentile"], report["tone"]["widened"]
    assert tone_plain["article"]["2"]["coverage"] < 0.7
    assert all(
        tone_wide[level][k]["coverage"] >= 0.85 for level in tone_wide for k in tone_wide[level]
    )
