"""The dashboard's server preloads what the pages import, and never the scoring backends."""

from __future__ import annotations

import ast
import json
import logging
import subprocess
import sys
import threading
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
    assert command[:3] == [sys.executable, "-m", "dashboard.serve"]
    streamlit, app = command[3 : command.index("--")], command[command.index("--") + 1 :]
    assert streamlit[streamlit.index("--server.port") + 1] == "8600"
    assert streamlit[streamlit.index("--server.headless") + 1] == "true"
    assert streamlit[streamlit.index("--client.toolbarMode") + 1] == "viewer"
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


def test_warming_fills_the_newest_runs_caches_and_only_its(tmp_path, monkeypatch):
    from dashboard import data
    from dashboard.serve import warm_newest_run
    from tests.dashboard.conftest import make_small_run

    runs_dir = tmp_path / "runs"
    older = str(make_small_run(runs_dir, "20181110-120000-older000", "2018-11-10T12:00:00"))
    newer = str(make_small_run(runs_dir, "20181111-120000-newer000", "2018-11-11T12:00:00"))
    assert warm_newest_run(runs_dir) == newer

    def unread(*args, **kwargs):
        raise AssertionError("read from disk after warming")

    for name in ("_read", "load_for_comparison", "compare_runs"):
        monkeypatch.setattr(data, name, unread)
    stamp = data.run_stamp(newer)
    assert len(data.article_meta(newer, stamp)) > 0
    for level in ("author", "article"):
        assert len(data.positions(newer, stamp, level)) > 0
        assert len(data.wide_positions(newer, stamp, level)) > 0
    assert len(data.text_store(newer, stamp).passages) > 0
    # The Runs page's first comparison: the newest run against the one before it.
    report = data.run_comparison(newer, stamp, older, data.run_stamp(older), data.COMPARISON_TOP_K)
    assert report
    with pytest.raises(AssertionError, match="after warming"):
        data.article_meta(older, data.run_stamp(older))


def test_warming_an_empty_runs_folder_reads_nothing(tmp_path):
    from dashboard.serve import warm_newest_run

    assert warm_newest_run(tmp_path) is None


def test_the_warm_up_quiets_only_its_own_thread(caplog):
    from dashboard.serve import ThreadWarningsFilter

    log = logging.getLogger("tests.serve.quiet")
    quiet = ThreadWarningsFilter(threading.get_ident())
    log.addFilter(quiet)
    try:
        with caplog.at_level(logging.WARNING, logger=log.name):
            log.warning("from the quieted thread")
            log.error("an error still shows")
            other = threading.Thread(target=log.warning, args=("from a page's thread",))
            other.start()
            other.join()
    finally:
        log.removeFilter(quiet)
    assert [r.getMessage() for r in caplog.records] == [
        "an error still shows",
        "from a page's thread",
    ]
    assert log.level == logging.NOTSET  # the logger's level is left alone
