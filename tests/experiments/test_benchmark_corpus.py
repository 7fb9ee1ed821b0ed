"""The corpus benchmark runs both relevance methods on the seeds and reports what it measured."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.benchmark_corpus import cpu_name, main

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_the_cpu_is_named_with_its_bf16_units_and_logical_cpus():
    import os
    import re

    name = cpu_name()
    units = r" (with AMX|with AVX-512 bf16 \(no AMX\)|without bf16 units)"
    assert re.fullmatch(rf".+{units}, {os.cpu_count()} logical CPUs", name), name
    info = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    assert ("with AMX" in name) == ("amx_bf16" in info)


@pytest.mark.slow
def test_both_methods_run_in_their_own_process_and_find_the_same_topic_passages(capsys):
    cascade, full = main(["--corpus", str(SEEDS)])
    for result in (cascade, full):
        assert result["articles"] == 3 and result["passages"] > 50
        assert result["peak_rss_gib"] > 0.1  # the child's own peak, read from its last line
        assert set(result["peak_rss_mib_after"]) >= {"load", "relevance", "scoring"}
        assert result["stages_s"]["relevance"] > 0
    assert cascade["topic_passages"] == full["topic_passages"] > 0
    out = capsys.readouterr().out
    assert out.startswith(f"CPU: {cpu_name()}")
    assert "full / cascade wall time:" in out
