import numpy as np
import pytest
import torch

from analysis.batching import fill_rows, length_sorted_batches, pad_multiple


def test_batches_cover_every_row_once_shortest_first():
    lengths = [5, 1, 9, 3, 3, 7, 2]
    batches = list(length_sorted_batches(lengths, 3))
    assert [len(b) for b in batches] == [3, 3, 1]
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths)
    assert flat[2:4].tolist() == [3, 4]  # ties keep input order (stable)


def test_empty_input_and_bad_batch_size():
    assert list(length_sorted_batches([], 4)) == []
    with pytest.raises(ValueError, match="batch_size an integer >= 1"):
        list(length_sorted_batches([1], 0))


def test_pad_multiple_divides_the_truncation_length():
    assert pad_multiple(32, 256) == 32
    assert pad_multiple(32, 48) == 16  # a tokenizer refuses 32 when truncating at 48
    assert pad_multiple(16, 100) == 4


def test_fill_rows_repeats_the_last_row_up_to_the_batch_size():
    encoded = {
        "input_ids": torch.tensor([[1, 2, 0], [3, 4, 5]]),
        "attention_mask": torch.tensor([[1, 1, 0], [1, 1, 1]]),
    }
    filled = fill_rows(encoded, 4)
    assert {k: tuple(v.shape) for k, v in filled.items()} == {
        "input_ids": (4, 3),
        "attention_mask": (4, 3),
    }
    assert torch.equal(filled["input_ids"][:2], encoded["input_ids"])
    assert filled["input_ids"][2:].tolist() == [[3, 4, 5], [3, 4, 5]]
    assert filled["attention_mask"][3].tolist() == [1, 1, 1]
    full = fill_rows(encoded, 2)  # a full batch is left as it is
    assert torch.equal(full["input_ids"], encoded["input_ids"])


def test_the_batches_bar_shows_only_on_a_terminal(capsys, monkeypatch):
    import sys

    batches = list(length_sorted_batches([3, 1, 2, 5], 2, progress=True, desc="embedding"))
    assert len(batches) == 2
    assert capsys.readouterr().err == ""  # captured stderr is no terminal: no bar, no "\r"
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    list(length_sorted_batches([3, 1, 2, 5], 2, progress=True, desc="embedding"))
    assert "embedding" in capsys.readouterr().err  # a terminal gets it
