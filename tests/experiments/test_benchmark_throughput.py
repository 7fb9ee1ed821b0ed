"""The throughput benchmark prints the CPU and a measured line per precision."""

import re

import pytest

from experiments.benchmark_corpus import cpu_name
from experiments.benchmark_throughput import DATA, main


@pytest.mark.slow
def test_benchmark_prints_passages_per_second_and_peak_memory(capsys):
    if not (DATA / "train.jsonl").is_file():
        pytest.skip(f"NewsMTSC is not at {DATA}")
    main(["--n", "16", "--precisions", "auto,fp32", "--batch-size", "8"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"CPU: {cpu_name()}"
    heads = re.fullmatch(r"model: analysis/shipped_models/minilm_v2 \(heads: (.+)\)", lines[1])
    assert heads and set(heads[1].split(", ")) == {"stance", "speaker", "tone", "tone_v3", "topic"}
    auto, fp32 = lines[2], lines[3]
    for line in (auto, fp32):
        match = re.search(r"([\d.]+) passages/s .*peak RSS (\d+) MB", line)
        assert match and float(match[1]) > 0 and int(match[2]) > 100
        # a forward pass was timed, not the answer the model kept from its warm-up (833,073/s)
        assert float(match[1]) < 50_000
    for head in ("stance", "speaker", "tone", "tone_v3", "topic"):
        assert re.search(rf"same argmax as fp32: .*\b{head} [\d.]+%", auto)
