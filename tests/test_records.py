"""analysis.records: what counts as a table cell without a value."""

import numpy as np
import pandas as pd

from analysis.records import is_missing


def test_missing_values_of_every_kind_a_table_holds_are_missing():
    assert all(is_missing(v) for v in (None, float("nan"), np.float64("nan"), pd.NA, pd.NaT))


def test_values_and_containers_are_not_missing_even_when_they_hold_one_missing_element():
    # A one-element list of None once read as missing, because pd.isna of it is one True.
    kept = (0, 0.0, "", "x", np.int64(3), [None], [], (np.nan,), np.array([np.nan]), {"a": None})
    assert not any(is_missing(v) for v in kept)
