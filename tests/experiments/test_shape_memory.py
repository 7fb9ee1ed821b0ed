"""The batch-shape memory probe runs the shipped model on the shapes it says it runs."""

from __future__ import annotations

import json

import pytest
import torch

from experiments.shape_memory import main


@pytest.mark.parametrize(("rows", "expected"), [("own", [4, 1, 2, 3, 4]), ("filled", [4] * 5)])
def test_each_step_runs_its_own_row_count_or_the_filled_one(rows, expected, capsys, monkeypatch):
    seen = []
    forward = torch.nn.Module.__call__

    def spy(module, *args, **kwargs):
        if "input_ids" in kwargs and module.__class__.__name__ == "PairClassifier":
            seen.append(tuple(kwargs["input_ids"].shape))
        return forward(module, *args, **kwargs)

    monkeypatch.setattr(torch.nn.Module, "__call__", spy)
    result = main(["--precision", "fp32", "--rows", rows, "--shapes", "4", "--length", "16"])
    assert seen == [(n, 16) for n in expected]  # the first, full batch is not counted
    assert result["dtype"] == "float32" and result["shapes"] == 4 and result["rows"] == rows
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[-1] == result and lines[0]["steps"] == 4
