"""Where a quote's quoted-voice stance is read from (analysis.quoted_voice)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.quoted_voice import (
    SPEAKER_COLUMNS,
    fill_quoted_readings,
    quoted_values,
    with_speaker_columns,
)

NAN = np.nan


def _rows() -> pd.DataFrame:
    """An own-words row, a quote the speaker head read, and a quote it did not."""
    return pd.DataFrame(
        {
            "reported": [False, True, True],
            "stance": [0.5, -0.2, 0.6],
            "stance_favor": [0.6, 0.3, 0.7],
            "stance_against": [0.1, 0.5, 0.1],
            "stance_none": [0.3, 0.2, 0.2],
            "speaker_favor": [NAN, 0.8, NAN],
            "speaker_against": [NAN, 0.1, NAN],
            "speaker_none": [NAN, 0.1, NAN],
            "speaker_stance": [NAN, 0.7, NAN],
        }
    )


def test_a_quote_without_a_speaker_reading_reads_its_stance_columns() -> None:
    filled = fill_quoted_readings(_rows())
    assert filled.loc[2, "speaker_favor"] == 0.7
    assert filled.loc[2, "speaker_against"] == 0.1
    assert filled.loc[2, "speaker_none"] == 0.2
    assert filled.loc[2, "speaker_stance"] == 0.6


def test_the_speaker_heads_reading_and_own_words_are_left_as_they_are() -> None:
    rows = _rows()
    filled = fill_quoted_readings(rows)
    assert filled.loc[1, "speaker_stance"] == 0.7
    assert filled.loc[1, "speaker_favor"] == 0.8
    assert filled.loc[0, ["speaker_favor", "speaker_stance"]].isna().all()
    assert rows.loc[2, "speaker_favor"] != rows.loc[2, "speaker_favor"]  # input not modified


def test_only_the_speaker_columns_a_frame_has_are_filled() -> None:
    rows = _rows()[["reported", "stance_favor", "stance_against", "speaker_favor"]]
    rows = rows.assign(speaker_against=NAN)
    filled = fill_quoted_readings(rows)
    assert list(filled.columns) == list(rows.columns)
    assert filled.loc[2, "speaker_favor"] == 0.7
    # favour read, against missing: the stance head's reading, whole, not a mix of the two
    assert (filled.loc[1, "speaker_favor"], filled.loc[1, "speaker_against"]) == (0.3, 0.5)
    assert quoted_values(rows.to_dict("records")[1], ("favor", "against")) == [0.3, 0.5]


def test_missing_speaker_columns_are_added_empty_and_present_ones_kept() -> None:
    legacy = _rows().drop(columns=list(SPEAKER_COLUMNS))
    widened = with_speaker_columns(legacy)
    assert set(SPEAKER_COLUMNS) <= set(widened.columns)
    assert widened[list(SPEAKER_COLUMNS)].isna().all().all()
    assert "speaker_favor" not in legacy.columns
    current = _rows()
    assert with_speaker_columns(current) is current


def test_one_rows_quoted_values() -> None:
    rows = _rows().to_dict("records")
    labels = ("favor", "against", "none")
    assert quoted_values(rows[1], labels) == [0.8, 0.1, 0.1]
    assert quoted_values(rows[2], labels) == [0.7, 0.1, 0.2]
    assert quoted_values(rows[0], labels) is None
    assert quoted_values({"stance_favor": 0.4}, labels) is None  # not known to be a quote
