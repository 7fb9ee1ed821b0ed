"""One JSON rule for every output: missing and infinite values are null, dates ISO text."""

from __future__ import annotations

import datetime
import json

import numpy as np
import pandas as pd

from analysis.jsonable import json_ready


def test_values_become_plain_json():
    value = {
        "a": np.float32(0.5),
        "b": [np.int64(3), float("nan"), float("inf"), -np.inf],
        "c": np.array([1.0, np.nan]),
        "d": pd.NA,
        "e": pd.NaT,
        "f": pd.Timestamp("2018-07-16"),
        "g": datetime.date(2018, 7, 16),
        "h": (None, "x"),
        1: True,
    }
    out = json_ready(value)
    assert out == {
        "a": 0.5,
        "b": [3, None, None, None],
        "c": [1.0, None],
        "d": None,
        "e": None,
        "f": "2018-07-16T00:00:00",
        "g": "2018-07-16",
        "h": [None, "x"],
        "1": True,
    }
    json.loads(json.dumps(out, allow_nan=False))  # strict JSON: no NaN or Infinity tokens
