import numpy as np
import pytest

from analysis.batching import length_sorted_batches, pad_multiple


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
