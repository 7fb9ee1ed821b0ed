"""One rule for turning table values into JSON: what every JSON output of viewpoints uses."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd


def json_ready(value: Any) -> Any:
    """A value as plain JSON: mappings and sequences recursively, numpy scalars unwrapped,
    missing values (None, NaN, NA, NaT) and infinities as ``None``, dates as ISO text."""
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, pd.Timestamp | datetime | date):
        return value.isoformat()
    return value
