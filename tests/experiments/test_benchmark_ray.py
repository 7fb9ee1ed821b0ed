"""The Ray benchmark runs the seeds with 1 and 2 workers and prints the scaling between them."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.benchmark_corpus import cpu_name

pytest.importorskip("ray", reason="the Ray engine's extra (ray[data]) is not installed")

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.mark.slow
@pytest.mark.heavy  # two Ray instances, each in its own process: about two minutes
def test_one_and_two_workers_each_in_their_own_process(capsys):
    from experiments.benchmark_ray import main

    one, two = main(["--corpus", str(SEEDS), "--workers", "1", "2"])
    for result, workers in ((one, 1), (two, 2)):
        assert (result["engine"], result["workers"]) == ("ray", workers)
        assert result["articles"] == 3 and result["articles_per_s"] > 0
        assert result["stages_s"]["relevance"] > 0 and result["stages_s"]["scoring"] > 0
    assert one["topic_passages"] == two["topic_passages"] > 0
    out = capsys.readouterr().out
    assert out.startswith(f"CPU: {cpu_name()}")
    assert "scaling: 2 workers / 1 worker(s):" in out
