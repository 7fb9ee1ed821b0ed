"""The dashboard's server preloads what the pages import, and never the scoring backends."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.serve import PRELOAD, server_command

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"


def _imported_modules(path: Path) -> set[str]:
    """The dashboard and analysis modules a file imports, at any depth of its code."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "dashboard":
                found |= {f"dashboard.{alias.name}" for alias in node.names}
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {m for m in found if m.split(".")[0] in ("dashboard", "analysis")}


def test_every_dashboard_module_the_app_imports_is_preloaded():
    files = [DASHBOARD / "streamlit_app.py", *sorted((DASHBOARD / "app_pages").glob("*.py"))]
    wanted = set().union(*(_imported_modules(f) for f in files))
    wanted = {m for m in wanted if m.startswith("dashboard.")}
    assert wanted and wanted <= set(PRELOAD)


def test_preloading_imports_the_modules_but_not_torch():
    code = (
        "import json, sys; from dashboard.serve import preload, PRELOAD; preload(); "
        "print(json.dumps([sorted(set(PRELOAD) - set(sys.modules)), 'torch' in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    missing, torch_loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert missing == []
    assert not torch_loaded


def test_the_server_command_runs_the_launcher_with_the_app_options_after_the_separator(tmp_path):
    command = server_command(8600, tmp_path / "runs", corrections_dir=tmp_path / "fixes")
    assert command[:4] == [sys.executable, "-P", "-m", "dashboard.serve"]
    streamlit, app = command[4 : command.index("--")], command[command.index("--") + 1 :]
    assert streamlit[streamlit.index("--server.port") + 1] == "8600"
    assert streamlit[streamlit.index("--server.headless") + 1] == "true"
    assert streamlit[streamlit.index("--client.toolbarMode") + 1] == "viewer"
    # the command says where it serves: no welcome that looks the external address up online
    assert streamlit[streamlit.index("--logger.hideWelcomeMessage") + 1] == "true"
    assert "--server.address" not in streamlit and "--server.fileWatcherType" not in streamlit
    assert app == [
        "--runs-dir",
        str((tmp_path / "runs").resolve()),
        "--corrections-dir",
        str((tmp_path / "fixes").resolve()),
    ]
    local = server_command(8600, "runs", address="127.0.0.1", watch_files=False)
    assert local[local.index("--server.address") + 1] == "127.0.0.1"
    assert local[local.index("--server.fileWatcherType") + 1] == "none"
    assert local[local.index("--") + 1 :] == ["--runs-dir", str(Path("runs").resolve())]


def test_warming_fills_the_caches_of_the_two_newest_runs_and_only_theirs(tmp_path, monkeypatch):
    from dashboard import data
    from dashboard.serve import warm_newest_runs
    from tests.dashboard.conftest import make_small_run

    runs_dir = tmp_path / "runs"
    oldest = str(make_small_run(runs_dir, "20181109-120000-oldest00", "2018-11-09T12:00:00"))
    older = str(make_small_run(runs_dir, "20181110-120000-older000", "2018-11-10T12:00:00"))
    newer = str(make_small_run(runs_dir, "20181111-120000-newer000", "2018-11-11T12:00:00"))
    assert warm_newest_runs(runs_dir) == [newer, older]

    def unread(*args, **kwargs):
        raise AssertionError("read from disk after warming")

    for name in ("_read", "load_for_comparison", "compare_runs"):
        monkeypatch.setattr(data, name, unread)
    for path in (newer, older):  # the run shown first, and the one switched to, to compare
        stamp = data.run_stamp(path)
        assert len(data.article_meta(path, stamp)) > 0
        for level in ("author", "article"):
            assert len(data.positions(path, stamp, level)) > 0
            assert len(data.wide_positions(path, stamp, level)) > 0
        assert len(data.text_store(path, stamp).passages) > 0
    # The Runs page's first comparison: the newest run against the one before it.
    stamp = data.run_stamp(newer)
    report = data.run_comparison(newer, stamp, older, data.run_stamp(older), data.COMPARISON_TOP_K)
    assert report
    with pytest.raises(AssertionError, match="after warming"):
        data.article_meta(oldest, data.run_stamp(oldest))


def test_warming_an_empty_runs_folder_reads_nothing(tmp_path):
    from dashboard.serve import warm_newest_runs

    assert warm_newest_runs(tmp_path) == []


def test_caches_warmed_before_the_server_runs_serve_its_first_page(tmp_path, monkeypatch, app):
    from dashboard import data
    from dashboard.serve import warm_before_serving
    from tests.dashboard.conftest import make_small_run

    runs_dir = tmp_path / "runs"
    make_small_run(runs_dir, "20181110-120000-older000", "2018-11-10T12:00:00")
    make_small_run(runs_dir, "20181111-120000-newer000", "2018-11-11T12:00:00")
    warm_before_serving(runs_dir)  # no Streamlit runtime yet, as in `python -m dashboard.serve`

    def unread(*args, **kwargs):
        raise AssertionError("read from disk after warming")

    for name in ("_read", "load_for_comparison", "compare_runs"):
        monkeypatch.setattr(data, name, unread)
    overview = app(runs_dir).run()
    assert not overview.exception
    assert not overview.error, overview.error[0].value
    assert len(overview.dataframe) > 0  # the positions table
    assert "20181111-120000-newer000" in overview.sidebar.selectbox[0].value
    switched = app(runs_dir, run="20181110-120000-older000").run()  # the run before it
    assert not switched.exception and not switched.error
    assert len(switched.dataframe) > 0
    assert "20181110-120000-older000" in switched.sidebar.selectbox[0].value


def test_the_server_says_what_it_read_ahead_and_starts_past_a_broken_run(
    tmp_path, monkeypatch, capsys
):
    from dashboard import serve
    from tests.dashboard.conftest import make_small_run

    runs_dir = tmp_path / "runs"
    make_small_run(runs_dir, "20181110-120000-older000", "2018-11-10T12:00:00")
    make_small_run(runs_dir, "20181111-120000-newer000", "2018-11-11T12:00:00")
    serve.warm_before_serving(runs_dir)
    said = capsys.readouterr().err
    assert "read 20181111-120000-newer000 and 20181110-120000-older000 in " in said

    def broken(path: str) -> None:
        raise ValueError(f"{path} has no positions table")

    monkeypatch.setattr(serve, "read_run_tables", broken)
    serve.warm_before_serving(runs_dir)  # no exception: the page says what is wrong
    assert "not every run was read ahead: " in capsys.readouterr().err


def test_warming_reads_the_run_the_dashboard_opens_on_not_a_newer_baseline(tmp_path):
    import json

    from analysis.config import ModelsSection
    from dashboard.serve import warm_newest_runs
    from tests.dashboard.conftest import make_small_run

    runs_dir = tmp_path / "runs"
    made = {}
    for run_id, created, tone in (
        ("20181109-120000-oldest00", "2018-11-09T12:00:00", ModelsSection.tone),
        ("20181110-120000-defaul00", "2018-11-10T12:00:00", ModelsSection.tone),
        ("20181111-120000-vader000", "2018-11-11T12:00:00", "tone.vader.v1"),
    ):
        path = make_small_run(runs_dir, run_id, created)
        meta = json.loads((path / "run.json").read_text())
        meta["models"] = {"stance": {"name": ModelsSection.stance}, "tone": {"name": tone}}
        (path / "run.json").write_text(json.dumps(meta))
        made[run_id] = str(path)
    # the newest run of the defaults first, then the one the Runs page offers beside it
    assert warm_newest_runs(runs_dir) == [
        made["20181110-120000-defaul00"],
        made["20181111-120000-vader000"],
    ]


def test_a_file_in_the_starting_folder_named_like_a_module_does_not_stop_the_server(tmp_path):
    """A review started the dashboard from a folder holding its own click.py: Streamlit's
    `import click` loaded it and the server failed. The interpreter options of the server
    command keep the starting folder off the import path."""
    (tmp_path / "click.py").write_text("raise SystemExit('the user file was imported')\n")
    interpreter = server_command(8600, tmp_path / "runs")[:2]
    code = "import dashboard.serve, click; print(click.__file__)"
    out = subprocess.run(
        [*interpreter, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert str(tmp_path) not in out.stdout
