"""The positions memory probe copies a run's tables and measures both ways of making positions."""

from __future__ import annotations

import json
import sys

import pytest

from analysis.runs import write_parquet
from experiments.positions_memory import main
from tests.test_aggregate import TOPICS, article, score, tables


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_copies_multiply_the_article_rows_and_both_modes_write_the_same_table(tmp_path, capsys):
    arts, passages, scores = tables(
        [article("a", "Ann"), article("b", "Ann"), article("c", "Bob")],
        [score("a:0", "sanctions", 0.9, 0.5, 0.1), score("c:1", "ukraine", 0.8, -0.4, 0.0)],
    )
    run = tmp_path / "run"
    run.mkdir()
    for name, frame in (("articles", arts), ("passages", passages), ("scores", scores)):
        write_parquet(frame, run / f"{name}.parquet")
    (run / "run.json").write_text(json.dumps({"run_id": "r"}), encoding="utf-8")
    results = main(["--run", str(run), "--copies", "1", "3"])
    assert [(r["copies"], r["mode"]) for r in results] == [
        (1, "whole"),
        (1, "batches"),
        (3, "whole"),
        (3, "batches"),
    ]
    groups = 2  # the copies keep their authors
    for r in results:
        assert r["articles"] == 3 * r["copies"] and r["scores"] == 2 * r["copies"]
        assert r["rows"] == (r["articles"] + groups) * len(TOPICS)
        assert r["stage_peak_above_inputs_mib"] >= 0 and r["inputs_rss_mib"] > 50
    assert capsys.readouterr().out.startswith("CPU: ")
    with pytest.raises(SystemExit, match="expected a run folder"):
        main(["--run", str(tmp_path)])
