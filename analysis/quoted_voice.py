"""Where a quote's quoted-voice stance is read from, in one place.

A run's scores carry the speaker head's reading of each quote in ``speaker_*`` columns. Runs of
the older format have no such columns, and a run recomputed from one has them empty for the
quotes the model scored: there the quote's ``stance_*`` columns stand for its quoted voice, as
the positions (``analysis.aggregate``), the corrections and the dashboard all read it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.records import is_missing

SPEAKER_LABELS = ("favor", "against", "none")
# Each ``speaker_*`` column of a run's scores and the stance column that stands in for it.
STANCE_STAND_IN = {
    **{f"speaker_{label}": f"stance_{label}" for label in SPEAKER_LABELS},
    "speaker_stance": "stance",  # favor − against
}
SPEAKER_COLUMNS = tuple(STANCE_STAND_IN)


def with_speaker_columns(scores: pd.DataFrame) -> pd.DataFrame:
    """``scores`` with every ``speaker_*`` column, the missing ones empty (runs of the older
    format), so that a quoted voice's label or reading has somewhere to go."""
    missing = [column for column in SPEAKER_COLUMNS if column not in scores.columns]
    if not missing:
        return scores
    return scores.assign(**{column: np.nan for column in missing})


def fill_quoted_readings(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (score rows) where each quote without a whole speaker reading (any of the
    frame's ``speaker_*`` columns empty) reads its stance columns instead, all of them, as
    :func:`quoted_values` does: one head's reading, never a mix. Own words are left as they
    are."""
    if "reported" not in frame.columns:
        return frame
    pairs = {c: s for c, s in STANCE_STAND_IN.items() if c in frame.columns and s in frame}
    if not pairs:
        return frame
    reported = frame["reported"].fillna(False).astype(bool)
    partial = frame[list(pairs)].isna().any(axis=1)
    fill = reported & partial & frame[list(pairs.values())].notna().any(axis=1)
    if not fill.any():
        return frame
    out = frame.copy()
    for column, stand_in in pairs.items():
        out.loc[fill, column] = out.loc[fill, stand_in]
    return out


def quoted_values(row: Mapping[str, Any], labels: Sequence[str]) -> list[Any] | None:
    """One score row's quoted-voice probabilities for ``labels``: its ``speaker_*`` values, or
    its ``stance_*`` ones where a quote has none; None for own words without a speaker reading."""
    values = [row.get(f"speaker_{label}") for label in labels]
    if all(not is_missing(v) for v in values):
        return values
    reported = row.get("reported")
    if is_missing(reported) or not bool(reported):
        return None
    return [row.get(f"stance_{label}") for label in labels]
