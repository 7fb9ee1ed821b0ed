"""CSV as `viewpoints export` and the dashboard's buttons write it."""

import io

import numpy as np
import pandas as pd

from analysis.export import csv_text


def test_text_a_spreadsheet_would_run_as_a_formula_is_written_as_text():
    frame = pd.DataFrame(
        {
            "author": ['=HYPERLINK("http://x.example","click")', "@SUM(A1)", "Jane Doe"],
            "title": ["+1+1", "-2+3", "\tTabbed"],
            "stance": [-0.41, 0.5, np.nan],
            "evidence": [["a:1", "a:2"], [], ["b:3"]],
        }
    )
    back = pd.read_csv(io.StringIO(csv_text(frame)), keep_default_na=False)
    assert list(back["author"]) == [
        '\'=HYPERLINK("http://x.example","click")',
        "'@SUM(A1)",
        "Jane Doe",
    ]
    assert list(back["title"]) == ["'+1+1", "'-2+3", "'\tTabbed"]
    assert list(back["stance"]) == ["-0.41", "0.5", ""]  # numbers, negative ones too, as they are
    assert list(back["evidence"]) == ["a:1 a:2", "", "b:3"]


def test_a_string_dtype_column_is_made_safe_too():
    frame = pd.DataFrame({"author": pd.array(["=1+1", "Ann"], dtype="string")})
    assert csv_text(frame).splitlines() == ["author", "'=1+1", "Ann"]


def test_a_signed_number_opening_text_stays_but_a_formula_behind_one_does_not():
    frame = pd.DataFrame(
        {
            "cell": [
                "+0.45 [+0.35, +0.54] favor",
                "-0.20 [-0.31, -0.09]",
                "+1+cmd|' /C calc'!A0",
                '-1+HYPERLINK("http://x.example")',
                "+A1",
                "-2+3",
                "+0.84 (one passage)",
                "+0.12 [\u22120.02, +0.22] mixed, leaning favor",
                "-2 +3",
                "+1 +A1",
                "-1 -1",
            ]
        }
    )
    back = pd.read_csv(io.StringIO(csv_text(frame)))
    assert list(back["cell"]) == [
        "+0.45 [+0.35, +0.54] favor",
        "-0.20 [-0.31, -0.09]",
        "'+1+cmd|' /C calc'!A0",
        '\'-1+HYPERLINK("http://x.example")',
        "'+A1",
        "'-2+3",  # arithmetic: a spreadsheet would show 1
        "+0.84 (one passage)",  # the pages' own cells
        "+0.12 [\u22120.02, +0.22] mixed, leaning favor",
        "'-2 +3",  # arithmetic with spaces, as spreadsheets allow
        "'+1 +A1",
        "'-1 -1",
    ]
