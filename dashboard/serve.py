"""The dashboard's server: ``streamlit run`` of the app, with the modules its pages import
loaded first.

    python -m dashboard.serve [streamlit run options] [-- --runs-dir DIR]

A server imports the app's modules (pandas, Altair, the dashboard's and the analysis' own) in
its first script run, so the first page anyone opens on a new server waited for them; imported
before the server starts, they are already loaded when the first visitor comes
(``experiments.benchmark_dashboard`` measures first paints; docs/scale_history.md). Once the server
runs, it also reads the newest run's tables into the pages' caches (:func:`warm_newest_run`),
so that the first page opened does not wait for them either. ``viewpoints dashboard``, the
benchmark and the end-to-end tests start it with :func:`server_command`.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

APP = Path(__file__).resolve().parent / "streamlit_app.py"

# What the pages import, at the top or on their first paint: not the scoring backends (torch),
# which only the Evaluation page's "score a data set" loads, on demand.
PRELOAD = (
    "dashboard.charts",
    "dashboard.context",
    "dashboard.corrections_ui",
    "dashboard.data",
    "dashboard.evidence",
    "dashboard.export",
    "dashboard.highlight",
    "dashboard.state",
    "dashboard.style",
    "dashboard.trust",
    "dashboard.ui",
    "dashboard.views",
    "analysis.bylines",
    "analysis.news_accuracy",
    "analysis.compare",
    "analysis.differences",
    "analysis.provenance",
    "analysis.run_info",
    "analysis.shifts",
)


def server_command(
    port: int,
    runs_dir: str | Path,
    *,
    address: str | None = None,
    corrections_dir: str | Path | None = None,
    watch_files: bool = True,
) -> list[str]:
    """The command line that serves the dashboard over ``runs_dir`` on ``port`` with this
    Python: headless (never Streamlit's first-run e-mail prompt, which fails without a
    terminal), no usage statistics, the viewer's toolbar (no "Deploy" button); ``address``
    binds one interface (default: Streamlit's), ``watch_files=False`` turns the source watcher
    off (benchmarks and tests)."""
    options = [
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",  # no "Deploy" button or developer menu for the analyst
        "viewer",
    ]
    if address is not None:
        options += ["--server.address", address]
    if not watch_files:
        options += ["--server.fileWatcherType", "none"]
    app_options = ["--runs-dir", str(Path(runs_dir).resolve())]
    if corrections_dir:
        app_options += ["--corrections-dir", str(Path(corrections_dir).resolve())]
    return [sys.executable, "-m", "dashboard.serve", *options, "--", *app_options]


def preload(modules: Sequence[str] = PRELOAD) -> None:
    """Import ``modules`` into this process (the server's script runs find them loaded).

    Streamlit warns, for each ``st.cache_data`` function decorated before its runtime exists,
    that it falls back to an in-memory cache; the warning is about the check made when
    decorating, and a cache itself is made at its first call, in the runtime, so it is silenced
    while importing."""
    import streamlit  # noqa: F401  (sets up its loggers)

    cache_log = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    level = cache_log.level
    cache_log.setLevel(logging.ERROR)
    try:
        for name in modules:
            importlib.import_module(name)
    finally:
        cache_log.setLevel(level)


class ThreadWarningsFilter(logging.Filter):
    """Drops one thread's records below ERROR, so that a logger can be quieted for a
    background job without changing its level for every other thread."""

    def __init__(self, thread_id: int) -> None:
        super().__init__()
        self.thread_id = thread_id

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread != self.thread_id or record.levelno >= logging.ERROR


def warm_newest_run(runs_dir: Path) -> str | None:
    """Read the newest run's tables into the caches its first page reads (the run a visitor
    sees first), and compare it with the run before it as the Runs page first does; returns
    the run's folder, None when there is no run."""
    from dashboard import data

    runs = [m for m in data.available_runs(runs_dir) if "run_id" in m]  # as the app lists them
    if not runs:
        return None
    path = str(runs[0]["path"])  # the run the app opens, keyed as it keys it
    stamp = data.run_stamp(path)
    data.run_config(path, stamp)
    data.article_meta(path, stamp)
    for level in ("author", "article"):
        data.positions(path, stamp, level)
        data.wide_positions(path, stamp, level)
    data.text_store(path, stamp)
    if len(runs) > 1:
        other = str(runs[1]["path"])
        data.run_comparison(path, stamp, other, data.run_stamp(other), data.COMPARISON_TOP_K)
    return path


def _warm_once_serving(runs_dir: Path, wait_s: float = 120.0) -> None:
    """Wait for the server's runtime, then :func:`warm_newest_run`. A run that cannot be read
    is left to the page, which says why; the server never stops for it."""
    from streamlit.runtime.runtime import Runtime, RuntimeState

    serving = (RuntimeState.NO_SESSIONS_CONNECTED, RuntimeState.ONE_OR_MORE_SESSIONS_CONNECTED)
    deadline = time.monotonic() + wait_s
    while not (Runtime.exists() and Runtime.instance().state in serving):
        if time.monotonic() > deadline:
            return
        time.sleep(0.1)
    # Outside a page's script run the caches' spinners have no page to show on; Streamlit
    # says so once per call ("missing ScriptRunContext"), which means nothing here. Only this
    # thread's warnings are dropped: a page's script run meanwhile logs as usual.
    context_log = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    quiet = ThreadWarningsFilter(threading.get_ident())
    context_log.addFilter(quiet)
    try:
        warm_newest_run(runs_dir)
    except Exception as error:  # the page reports a broken run itself
        logging.getLogger(__name__).info("not warmed: %s", error)
    finally:
        context_log.removeFilter(quiet)


def main(argv: Sequence[str] | None = None) -> None:
    """Start ``streamlit run`` on the app with ``argv`` (options, then ``--`` and the app's),
    and warm the newest run's caches beside it."""
    preload()
    from streamlit.web import cli

    from dashboard import data

    args = list(sys.argv[1:] if argv is None else argv)
    app_args = args[args.index("--") + 1 :] if "--" in args else []
    runs_dir = data.runs_dir_from(app_args, os.environ)
    threading.Thread(
        target=_warm_once_serving, args=(runs_dir,), name="warm-caches", daemon=True
    ).start()
    cli.main(args=["run", str(APP), *args], prog_name="streamlit")


if __name__ == "__main__":
    main()
