"""The dashboard's server: ``streamlit run`` of the app, with the modules its pages import
loaded first.

    python -m dashboard.serve [streamlit run options] [-- --runs-dir DIR]

A server imports the app's modules (pandas, Altair, the dashboard's and the analysis' own) in
its first script run, so the first page anyone opens on a new server waited for them; imported
before the server starts, they are already loaded when the first visitor comes
(``experiments.benchmark_dashboard`` measures first paints; docs/scale_history.md). Before it
listens, the server also reads the two newest runs' tables into the pages' caches
(:func:`warm_newest_runs`): the first page opened, and the first switch to the run before, do
not wait for them, nor share the two cores with them. ``viewpoints dashboard``, the benchmark
and the end-to-end tests start it with :func:`server_command`.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
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
    terminal), no usage statistics, the viewer's toolbar (no "Deploy" button), no welcome
    message of Streamlit's (the command says where it serves); ``address``
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
        # `viewpoints dashboard` says where it serves; Streamlit's own welcome looks the
        # machine's external address up online, and offline it printed "Did not auto detect
        # external IP", which a new user read as an error
        "--logger.hideWelcomeMessage",
        "true",
    ]
    if address is not None:
        options += ["--server.address", address]
    if not watch_files:
        options += ["--server.fileWatcherType", "none"]
    app_options = ["--runs-dir", str(Path(runs_dir).resolve())]
    if corrections_dir:
        app_options += ["--corrections-dir", str(Path(corrections_dir).resolve())]
    # -P: the folder it is started from is not put first on the import path, where a file of
    # the user's named like a module the server imports (click.py) stopped it starting
    return [sys.executable, "-P", "-m", "dashboard.serve", *options, "--", *app_options]


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


def read_run_tables(path: str) -> None:
    """Read one run's tables into the caches its pages read first (keyed by the folder as the
    app keys it)."""
    from dashboard import data

    stamp = data.run_stamp(path)
    data.run_config(path, stamp)
    data.article_meta(path, stamp)
    for level in ("author", "article"):
        data.positions(path, stamp, level)
        data.wide_positions(path, stamp, level)
    data.positions(path, stamp, "outlet")  # the Overview's tone baseline sets outlets beside it
    data.text_store(path, stamp)


def warm_newest_runs(runs_dir: Path) -> list[str]:
    """Read the tables of the run a visitor sees first (``data.first_run_id``: the newest of
    the default models) into the caches its first page reads; compare it with the run the
    Runs page first offers beside it, and read that run's tables too (the one a visitor
    switches to, to compare). Returns the folders read, the first run's first; none when
    there is no run."""
    from dashboard import data

    runs = [m for m in data.available_runs(runs_dir) if "run_id" in m]  # as the app lists them
    by_id = {str(m["run_id"]): m for m in runs}
    first = data.first_run_id(runs)
    if first is None:
        return []
    other = data.default_run_b(by_id, first)
    paths = [str(by_id[rid]["path"]) for rid in (first, other) if rid is not None]
    read_run_tables(paths[0])
    if len(paths) > 1:
        shown, beside = paths
        data.run_comparison(
            shown, data.run_stamp(shown), beside, data.run_stamp(beside), data.COMPARISON_TOP_K
        )
        read_run_tables(beside)
    return paths


def warm_before_serving(runs_dir: Path) -> None:
    """:func:`warm_newest_runs` before the server listens, saying on stderr what was read and
    how long it took. Caches filled here are the ones the server's script runs find: Streamlit
    keeps them in one process-wide registry, keyed by function. A run that cannot be read is
    left to the page, which says why; the server always starts."""
    # Outside a script run Streamlit warns, for every cached call, that there is no runtime
    # yet and no page to show a spinner on; that means nothing here.
    quiet = [
        "streamlit.runtime.caching.cache_data_api",
        "streamlit.runtime.scriptrunner_utils.script_run_context",
    ]
    levels = {name: logging.getLogger(name).level for name in quiet}
    for name in quiet:
        logging.getLogger(name).setLevel(logging.ERROR)
    print("viewpoints: reading the newest runs before serving ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        paths = warm_newest_runs(runs_dir)
    except Exception as error:  # the page reports a broken run itself
        print(f"viewpoints: not every run was read ahead: {error}", file=sys.stderr)
        return
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    seconds = time.perf_counter() - started
    names = " and ".join(Path(path).name for path in paths) or "no run"
    print(f"viewpoints: read {names} in {seconds:.1f} s", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Start ``streamlit run`` on the app with ``argv`` (options, then ``--`` and the app's),
    once the two newest runs' caches are warm."""
    preload()
    from streamlit.web import cli

    from dashboard import data

    args = list(sys.argv[1:] if argv is None else argv)
    app_args = args[args.index("--") + 1 :] if "--" in args else []
    warm_before_serving(data.runs_dir_from(app_args, os.environ))
    cli.main(args=["run", str(APP), *args], prog_name="streamlit")


if __name__ == "__main__":
    main()
