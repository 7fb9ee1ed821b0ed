"""The app around the pages: where runs are found, the empty state, choosing a run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from dashboard.data import runs_dir_from
from tests.dashboard.conftest import make_small_run


def test_runs_dir_from_argument_then_env_then_default():
    env = {"VIEWPOINTS_RUNS_DIR": "/from/env"}
    assert runs_dir_from(["--runs-dir", "/from/arg"], env) == Path("/from/arg")
    assert runs_dir_from(["--runs-dir=/from/arg", "-q"], env) == Path("/from/arg")
    assert runs_dir_from(["-q", "tests/x.py"], env) == Path("/from/env")
    assert runs_dir_from([], {}) == Path("runs")
    assert runs_dir_from(["--run", "x"], {}) == Path("runs")  # no abbreviations


def test_no_runs_tells_the_user_what_to_run(app, tmp_path):
    at = app(tmp_path / "nothing-here").run()
    assert not at.exception
    assert len(at.info) == 1
    message = at.info[0].value
    assert "No runs found" in message
    assert "viewpoints analyze PATH" in message
    assert str(tmp_path / "nothing-here") in message


def test_runs_newest_first_and_a_link_picks_an_older_one(app, tmp_path):
    make_small_run(tmp_path, "20180101-000000-older000", created="2018-01-01T00:00:00")
    make_small_run(tmp_path, "20190101-000000-newer000", created="2019-01-01T00:00:00")
    at = app(tmp_path).run()
    picker = at.sidebar.selectbox(key="w_run")
    assert "20190101-000000-newer000" in picker.options[0]
    assert picker.value == "20190101-000000-newer000"
    assert at.query_params["run"] == "20190101-000000-newer000"

    linked = app(tmp_path, run="20180101-000000-older000").run()
    assert linked.sidebar.selectbox(key="w_run").value == "20180101-000000-older000"
    assert "20180101-000000-older000" in linked.caption[0].value


def test_a_link_to_a_run_or_author_that_is_not_here_says_so(app, tmp_path):
    make_small_run(tmp_path, "20190101-000000-newer000", created="2019-01-01T00:00:00")
    at = app(tmp_path, run="does-not-exist", author="Nobody Known").run()
    assert not at.exception
    warnings = [w.value for w in at.sidebar.warning] + [w.value for w in at.warning]
    assert any(
        "asked for run “does-not-exist”" in w and "20190101-000000-newer000" in w for w in warnings
    ), warnings
    assert any("asked for author “Nobody Known”" in w for w in warnings), warnings
    assert at.query_params["run"] == "20190101-000000-newer000"
    # Said once: the next rerun (the user's own choices) shows no such warning.
    at.run()
    assert not [w for w in [*at.sidebar.warning, *at.warning] if "asked for" in w.value]
    # A link that is here warns of nothing.
    fine = app(tmp_path, run="20190101-000000-newer000").run()
    assert not [w for w in [*fine.sidebar.warning, *fine.warning] if "asked for" in w.value]


def test_switching_run_keeps_working(app, tmp_path):
    make_small_run(tmp_path, "20180101-000000-older000", created="2018-01-01T00:00:00")
    make_small_run(tmp_path, "20190101-000000-newer000", created="2019-01-01T00:00:00")
    at = app(tmp_path).run()
    at.sidebar.selectbox(key="w_run").set_value("20180101-000000-older000").run()
    assert not at.exception
    assert at.query_params["run"] == "20180101-000000-older000"
    assert len(at.dataframe[0].value) == 12


def test_a_calibrated_run_says_so_on_every_page(app, tmp_path):
    import json

    path = make_small_run(tmp_path, "20190101-000000-calib000", created="2019-01-01T00:00:00")
    meta = json.loads((path / "run.json").read_text())
    meta["calibration"] = {
        "stance": {"temperature": 1.7, "n": 40},
        "tone": {"temperature": None, "n": 3, "reason": "needs at least 10"},
    }
    meta["corrections"] = {"applied": 5}
    meta["source_run"] = {"run_id": "20181110-120000-seeds000"}
    (path / "run.json").write_text(json.dumps(meta))
    make_small_run(tmp_path, "20180101-000000-plain000", created="2018-01-01T00:00:00")
    at = app(tmp_path).run()
    for page in ("overview.py", "compare.py", "time.py", "runs.py"):
        at.switch_page(f"app_pages/{page}").run()
        assert not at.exception, page
        notes = [w.value for w in at.sidebar.warning]
        assert any("Calibrated run" in n and "stance T = 1.70" in n for n in notes), page
        assert not any("tone T" in n for n in notes)
    plain = app(tmp_path, run="20180101-000000-plain000").run()
    assert not [w for w in plain.sidebar.warning if "Calibrated" in w.value]


def test_every_page_module_imports_without_running():
    """Pages lay out on render(), which Streamlit calls when it runs the file as __main__;
    importing one (for its helpers, or in a test) draws nothing and needs no active run."""
    import importlib
    import sys

    pages = sorted(Path(__file__).resolve().parents[2].joinpath("dashboard/app_pages").glob("*.py"))
    assert len(pages) >= 7
    for page in pages:
        name = f"dashboard.app_pages.{page.stem}"
        sys.modules.pop(name, None)
        module = importlib.import_module(name)
        assert callable(module.render), name


def test_the_run_picker_shows_each_runs_name(app, tmp_path):
    import json

    named = make_small_run(tmp_path, "20190101-000000-named000", created="2019-01-01T00:00:00")
    meta_file = named / "run.json"
    meta_file.write_text(json.dumps({**json.loads(meta_file.read_text()), "name": "vader tone"}))
    make_small_run(tmp_path, "20180101-000000-plain000", created="2018-01-01T00:00:00")
    at = app(tmp_path).run()
    assert not at.exception
    options = at.sidebar.selectbox(key="w_run").options
    assert options[0].startswith("vader tone · ")  # the name first: ids look alike
    assert options[0].endswith("2019-01-01 00:00 · 5 articles · 20190101-000000-named000")
    assert options[1].endswith("2018-01-01 00:00 · 5 articles · 20180101-000000-plain000")


def test_the_dashboard_opens_on_the_newest_run_of_the_default_models(app, tmp_path):
    """A baseline run made last (VADER tone) is not what the dashboard opens on, and when it
    is chosen it says which of its models are not the defaults."""
    import json

    from analysis.config import ModelsSection

    def models(run_dir, tone):
        meta_file = run_dir / "run.json"
        meta = json.loads(meta_file.read_text())
        meta["models"] = {"stance": {"name": ModelsSection.stance}, "tone": {"name": tone}}
        meta_file.write_text(json.dumps(meta))

    default = make_small_run(tmp_path, "20180101-000000-defau000", created="2018-01-01T00:00:00")
    models(default, ModelsSection.tone)
    baseline = make_small_run(tmp_path, "20190101-000000-vader000", created="2019-01-01T00:00:00")
    models(baseline, "tone.vader.v1")
    at = app(tmp_path).run()
    picker = at.sidebar.selectbox(key="w_run")
    # the models that are not the defaults before the date: a narrow sidebar cuts the end
    assert picker.options[0].startswith("tone: tone.vader.v1 · 2019-01-01 00:00")
    assert picker.options[0].endswith("20190101-000000-vader000")
    assert picker.value == "20180101-000000-defau000"  # not the newest: a baseline's
    assert not [i for i in at.sidebar.info if "Not the default models" in i.value]
    chosen = app(tmp_path, run="20190101-000000-vader000").run()
    notes = [i.value for i in chosen.sidebar.info if "Not the default models" in i.value]
    assert notes and "tone from tone.vader.v1" in notes[0]


def test_a_run_copied_in_part_is_left_out_and_named_and_the_app_opens_on_a_whole_one(app, tmp_path):
    make_small_run(tmp_path, "20180101-000000-whole000", created="2018-01-01T00:00:00")
    newest = make_small_run(tmp_path, "20190101-000000-broken00", created="2019-01-01T00:00:00")
    positions = Path(newest) / "positions.parquet"
    positions.write_bytes(positions.read_bytes()[:100])  # a copy cut short
    edited = make_small_run(tmp_path, "20170101-000000-edited00", created="2017-01-01T00:00:00")
    meta = json.loads((Path(edited) / "run.json").read_text())
    (Path(edited) / "run.json").write_text(json.dumps({**meta, "counts": "many"}))  # by hand
    at = app(tmp_path).run()
    assert not at.exception, [e.value for e in at.exception]
    picker = at.sidebar.selectbox(key="w_run")
    assert len(picker.options) == 1 and "whole000" in picker.options[0]
    assert picker.value == "20180101-000000-whole000"
    (warning,) = [w.value for w in at.sidebar.warning if "Left out" in w.value]
    assert "`20190101-000000-broken00`: positions.parquet (cannot be read" in warning
    assert '`20170101-000000-edited00`: its run.json has counts = "many"' in warning
    assert at.title[0].value == "Overview" and not at.error  # the whole run's page, no traceback


def test_runs_left_out_are_told_apart_by_folder_and_a_copy_without_run_json_is_named(tmp_path):
    """A review's two copies of one damaged run read as the same id twice, and a folder
    copied without its run.json was not named at all."""
    from dashboard.data import runs_in

    broken = make_small_run(tmp_path, "20190101-000000-broken00", created="2019-01-01T00:00:00")
    positions = Path(broken) / "positions.parquet"
    positions.write_bytes(positions.read_bytes()[:100])
    shutil.copytree(broken, tmp_path / "broken-copy")
    lost = make_small_run(tmp_path, "20160101-000000-nojson00", created="2016-01-01T00:00:00")
    (Path(lost) / "run.json").unlink()
    whole, left_out = runs_in(tmp_path)
    assert whole == []
    named = dict(left_out)
    assert set(named) == {
        "20190101-000000-broken00",
        "20190101-000000-broken00 (folder broken-copy)",
        "20160101-000000-nojson00",
    }
    assert named["20160101-000000-nojson00"].startswith("it holds a run's tables but no run.json")
