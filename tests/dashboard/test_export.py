"""Exports: the bytes behind the CSV, JSON and PNG buttons, and the buttons on every page.

The buttons hand Streamlit a callable that makes the file on click. AppTest runs the app against
an in-memory media file manager; the ``downloads`` fixture keeps hold of it so that a test can
"click" a button the way the browser does (run the deferred callable) and read the file.
"""

from __future__ import annotations

import io
import json
import math

import altair as alt
import pandas as pd
import pytest

from dashboard import export
from tests.dashboard.conftest import NHAN_DAN, TIMOFEEV, VALDAI, download_bytes
from tests.dashboard.two_runs import BASE_ID, RERUN_ID

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- byte producers


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "author": ["A, with comma", "B"],
            "stance": [0.25, float("nan")],
            "n": [3, 0],
            "evidence": [["a:1", "a:2"], []],
            "day": pd.to_datetime(["2018-06-27", None]),
        }
    )


def test_csv_round_trips_with_empty_missing_values_and_joined_lists():
    back = pd.read_csv(io.BytesIO(export.table_csv(_frame())))
    assert list(back.columns) == ["author", "stance", "n", "evidence", "day"]
    assert back.loc[0, "author"] == "A, with comma"  # quoted, not split
    assert back.loc[0, "stance"] == 0.25 and math.isnan(back.loc[1, "stance"])
    assert back.loc[0, "evidence"] == "a:1 a:2"  # joined as `viewpoints export` joins them
    assert back.loc[0, "day"].startswith("2018-06-27")


def test_json_is_records_with_null_for_missing_and_iso_dates():
    records = json.loads(export.table_json(_frame()))
    assert records[0] == {
        "author": "A, with comma",
        "stance": 0.25,
        "n": 3,
        "evidence": ["a:1", "a:2"],
        "day": "2018-06-27T00:00:00",
    }
    assert records[1]["stance"] is None and records[1]["day"] is None


def test_report_json_turns_numpy_and_nan_into_plain_json():
    import numpy as np

    data = json.loads(export.report_json({"k": np.float64(0.5), "n": np.int64(2), "x": math.nan}))
    assert data == {"k": 0.5, "n": 2, "x": None}


def test_chart_png_is_an_image_of_the_chart():
    pytest.importorskip("vl_convert", reason="PNG export needs vl-convert-python")
    chart = alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3, 4]})).mark_point().encode(x="x", y="y")
    png = export.chart_png(chart, scale=1)
    assert png.startswith(PNG_MAGIC)
    width = int.from_bytes(png[16:20], "big")
    assert width > 100  # a real picture, the chart's default width and more
    assert export.chart_png(chart, scale=2)[16:20] != png[16:20]  # scale changes the size


def test_bad_inputs_say_what_was_expected():
    with pytest.raises(ValueError, match="expected a pandas DataFrame"):
        export.table_csv([1, 2])
    with pytest.raises(ValueError, match="expected an Altair chart"):
        export.chart_png("not a chart")
    with pytest.raises(ValueError, match="expected scale > 0"):
        export.chart_png(alt.Chart(pd.DataFrame()), scale=0)
    with pytest.raises(ValueError, match="expected a table, a chart or a report"):
        export.download_buttons("x", key="k")


def test_file_stem_is_safe_and_readable():
    assert export.file_stem("compare", "20181110-120000-seeds000", "Ivan Timofeev/ Valdai") == (
        "viewpoints-compare-20181110-120000-seeds000-Ivan_Timofeev_Valdai"
    )
    # names in other scripts stay themselves, so that two pairs never share a file name
    assert export.file_stem("compare", "r", "Иван Петров", "أحمد علي") == (
        "viewpoints-compare-r-Иван_Петров-أحمد_علي"
    )
    assert export.file_stem("x", "Nguyễn Văn A") == "viewpoints-x-Nguyễn_Văn_A"


# --------------------------------------------------------------------------- the pages' buttons


def _page(app, runs_dir, page: str, **params):
    at = app(runs_dir, **params).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_overview_downloads_every_filtered_row(app, small_runs_dir, downloads):
    at = _page(app, small_runs_dir, "app_pages/overview.py", outlets=VALDAI)
    rows = pd.read_csv(io.BytesIO(download_bytes(at, downloads, "ov_download_author_csv")))
    assert set(rows["author"]) == {TIMOFEEV, VALDAI}  # the outlet filter from the link
    assert set(rows["topic"]) == {"arms_control", "sanctions", "ukraine"}
    # the name the pages show beside the key, as `viewpoints export` writes it
    assert list(rows.columns).index("topic_label") == list(rows.columns).index("topic") + 1
    assert set(zip(rows["topic"], rows["topic_label"], strict=True)) >= {("ukraine", "Ukraine")}
    assert set(rows["level"]) == {"author"}
    records = json.loads(download_bytes(at, downloads, "ov_download_author_json"))
    assert len(records) == len(rows) == 6
    # every row carries the run id, and the provenance file names the models and topics
    run_id = "20181110-120000-seeds000"
    assert rows.columns[0] == "run_id" and set(rows["run_id"]) == {run_id}
    assert {r["run_id"] for r in records} == {run_id}
    provenance = json.loads(download_bytes(at, downloads, "ov_download_author_provenance"))
    assert provenance["run_id"] == run_id
    assert provenance["models"]["stance"]["name"] == "stance.finetuned-minilm.v1"
    assert provenance["models"]["stance"]["sha256"] == "a" * 64


def test_compare_downloads_the_chosen_authors_and_the_chart(app, small_runs_dir, downloads):
    pytest.importorskip("vl_convert", reason="PNG export needs vl-convert-python")
    at = _page(app, small_runs_dir, "app_pages/compare.py", authors=[NHAN_DAN, TIMOFEEV])
    rows = pd.read_csv(io.BytesIO(download_bytes(at, downloads, "cmp_download_csv")))
    assert list(dict.fromkeys(rows["author"])) == [NHAN_DAN, TIMOFEEV]
    timofeev = rows[(rows["author"] == TIMOFEEV) & (rows["topic"] == "sanctions")].iloc[0]
    assert timofeev["stance"] == pytest.approx(((0.05 - 0.88) + (0.1 - 0.62)) / 2)
    assert download_bytes(at, downloads, "cmp_download_png").startswith(PNG_MAGIC)


def test_runs_downloads_the_agreement_and_the_whole_report(
    app,
    two_runs_dir,
    downloads,
):
    at = _page(app, two_runs_dir, "app_pages/runs.py")
    shown = at.dataframe[0].value
    table = pd.read_csv(io.BytesIO(download_bytes(at, downloads, "runs_agreement_csv")))
    assert list(table["Topic"]) == list(shown["Topic"])
    report = json.loads(download_bytes(at, downloads, "runs_agreement_report"))
    assert report["a"]["run_id"] == RERUN_ID and report["b"]["run_id"] == BASE_ID
    kappas = [report["topics"][k]["stance"]["kappa"] for k in table["topic"][:-1]]
    kappas.append(report["overall"]["stance"]["kappa"])
    expected = [math.nan if k is None else k for k in kappas]
    assert table["Stance κ"].tolist() == pytest.approx(expected, nan_ok=True)
    # full precision in the file, two decimals on screen; an undefined kappa is empty
    changes = json.loads(download_bytes(at, downloads, "runs_changes_json"))
    flip = next(c for c in changes if c["Author"] == TIMOFEEV and c["topic"] == "sanctions")
    assert flip["value_a"] > 0 > flip["value_b"]
    # the rows say which runs they compare, and the provenance file describes both
    assert list(table.columns[:2]) == ["run_a", "run_b"]
    assert set(table["run_a"]) == {RERUN_ID} and set(table["run_b"]) == {BASE_ID}
    provenance = json.loads(download_bytes(at, downloads, "runs_agreement_provenance"))
    assert provenance["compared_runs"]["a"]["run_id"] == RERUN_ID
    assert provenance["compared_runs"]["b"]["models"]["stance"]["name"]


def test_time_downloads_the_points_and_the_chart(app, small_runs_dir, downloads):
    pytest.importorskip("vl_convert", reason="PNG export needs vl-convert-python")
    at = _page(app, small_runs_dir, "app_pages/time.py", time_authors=TIMOFEEV)
    points = json.loads(download_bytes(at, downloads, "time_json"))
    assert {p["Author"] for p in points} == {TIMOFEEV}
    assert {p["Date"][:10] for p in points} == {"2018-06-27", "2018-09-10"}
    assert download_bytes(at, downloads, "time_png").startswith(PNG_MAGIC)


# --------------------------------------------------------------------------- links


def test_overview_filters_and_view_are_in_the_url_and_come_back(app, small_runs_dir):
    at = _page(app, small_runs_dir, "app_pages/overview.py")
    run = "20181110-120000-seeds000"
    at.multiselect(key=f"ov_outlets_{run}").set_value([VALDAI]).run()
    at.multiselect(key=f"ov_topics_{run}").set_value(["sanctions"]).run()
    at.date_input(key=f"ov_dates_{run}").set_value(
        (pd.Timestamp("2018-06-28").date(), pd.Timestamp("2018-09-30").date())
    ).run()
    at.checkbox(key=f"ov_undated_{run}").uncheck().run()
    at.radio(key="ov_view").set_value("Articles").run()
    params = {k: at.query_params[k] for k in ("outlets", "topics", "from", "to", "undated", "view")}
    assert params == {
        "outlets": VALDAI,
        "topics": "sanctions",
        "from": "2018-06-28",
        "to": "2018-09-30",
        "undated": "0",
        "view": "Articles",
    }
    again = _page(app, small_runs_dir, "app_pages/overview.py", **params)
    assert again.multiselect(key=f"ov_outlets_{run}").value == [VALDAI]
    assert again.multiselect(key=f"ov_topics_{run}").value == ["sanctions"]
    assert tuple(again.date_input(key=f"ov_dates_{run}").value) == (
        pd.Timestamp("2018-06-28").date(),
        pd.Timestamp("2018-09-30").date(),
    )
    assert again.checkbox(key=f"ov_undated_{run}").value is False
    assert again.radio(key="ov_view").value == "Articles"


def test_compare_kind_choice_is_in_the_url(app, small_runs_dir):
    at = _page(app, small_runs_dir, "app_pages/compare.py")
    outlets_only = "Outlet groups (unsigned pieces)"
    at.radio(key="cmp_kinds").set_value(outlets_only).run()
    assert at.query_params["among"] == outlets_only
    again = _page(app, small_runs_dir, "app_pages/compare.py", among=outlets_only)
    assert again.radio(key="cmp_kinds").value == outlets_only


def test_article_colouring_choices_are_in_the_url(app, small_runs_dir):
    article = "004_874e9fd0087b4233"
    at = _page(app, small_runs_dir, "app_pages/article.py", article=article)
    at.radio(key="art_colour_topic").set_value("arms_control").run()
    at.radio(key="art_measure").set_value("tone").run()
    assert at.query_params["colour"] == "arms_control"
    assert at.query_params["scale"] == "tone"
    again = _page(
        app,
        small_runs_dir,
        "app_pages/article.py",
        article=article,
        colour="arms_control",
        scale="tone",
    )
    assert again.radio(key="art_colour_topic").value == "arms_control"
    assert again.radio(key="art_measure").value == "tone"


def test_a_downloaded_csv_never_holds_a_cell_a_spreadsheet_would_run():
    frame = pd.DataFrame({"author": ["=cmd|' /C calc'!A0", "Ann"], "stance": [-0.5, 0.5]})
    rows = export.table_csv(frame).decode("utf-8").splitlines()
    assert rows[1] == "'=cmd|' /C calc'!A0,-0.5" and rows[2] == "Ann,0.5"
