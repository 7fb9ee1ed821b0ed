"""Benchmark the dashboard in headless Chromium: first paint of every page, and a few interactions.

    .venv/bin/python -m experiments.benchmark_dashboard [--runs-dir DIR] [--run ID]
        [--other-run ID] [--repeat 3] [--settle 0] [--screenshots DIR]

Serves the dashboard with ``python -m dashboard.serve`` on a free port (as ``viewpoints
dashboard`` does) over ``--runs-dir`` (default ``$VIEWPOINTS_RUNS_DIR``, else ``./runs``) and
drives Debian's Chromium (``/usr/bin/chromium``) through Playwright.

- **First paint** of each page (Overview, Compare, Article, Over time, Runs, Evaluation, Add
  articles) opened by its address on ``--run``: from the navigation's start until the page's
  title and main content are drawn and Streamlit has finished the script run (no element left
  stale, no loading skeleton, every chart drawn). Twice: in a new browser context (no HTTP
  cache: Streamlit's own scripts are loaded too, *paint, new*), then again in that context
  (*paint, cached*); each load is a new Streamlit session.
- **Interactions** on the Overview page, from the click until the rerun has finished and its new
  content is drawn: *open evidence* (a click on a cell of the author table), *change topic*
  (another topic in the evidence's Topic selector) and *switch run* (``--other-run``, default
  the newest other run, in the sidebar's run selector; skipped when the folder holds one run).

Times are taken in the page (``performance.now()``: navigation start, the last pointer press) at
the first animation frame where every condition holds, so Playwright's round trips are not
counted. Each of ``--repeat`` rounds uses fresh browser sessions on the same server: the first
round also pays the server's cold caches (its times show in the max); ``--settle S`` opens the
first page S seconds after the server first answers, as a visitor who comes a little later.
The server reads the two newest runs' tables into its caches before it answers
(:mod:`dashboard.serve`): the time from its start to its first answer is printed too. Bars: first
paint <= 3 s, interactions <= 1 s. Numbers are printed, never asserted. Prints the CPU it ran
on.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from analysis.runs import list_runs
from dashboard.serve import server_command
from experiments.benchmark_corpus import cpu_name

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
VIEWPORT = {"width": 1500, "height": 1000}
TIMEOUT_MS = 180_000  # a slow page is a result to report, not a failure
FIRST_PAINT_BAR_S = 3.0
INTERACTION_BAR_S = 1.0
ROW_PX = 35  # st.dataframe's row (and header) height
EVIDENCE_ROW = 4  # the table row clicked to open evidence (row 0 is the default selection)


@dataclass(frozen=True)
class PageSpec:
    """A dashboard page: its title, its address and a CSS selector of its main content."""

    title: str
    path: str
    content: str


def _in_main(*selectors: str) -> str:
    return ", ".join(f'[data-testid="stMain"] {s}' for s in selectors)


ALERT, TABLE, CHART = '[data-testid="stAlert"]', '[data-testid="stDataFrame"]', ".vega-embed"
PAGES = (
    PageSpec("Overview", "", _in_main(TABLE)),
    PageSpec("Compare", "compare", _in_main(CHART, ALERT)),
    PageSpec("Article", "article", _in_main(".vp-article", ALERT)),
    PageSpec("Over time", "time", _in_main(CHART, ALERT)),
    PageSpec("Runs", "runs", _in_main(TABLE, ALERT)),
    PageSpec("Evaluation", "evaluation", _in_main('[data-testid="stRadio"]')),
    PageSpec("Add articles", "add_articles", _in_main('[data-testid="stFileUploader"]')),
)

# In-page helpers. ``__vpIdle`` is Streamlit's "script finished and drawn" condition, as the
# e2e tests' ``settle``: not running, nothing stale, no skeleton, every chart drawn.
PAGE_HELPERS = """
window.__vpDown = null;
addEventListener('pointerdown', () => { window.__vpDown = performance.now(); }, true);
window.__vpIdle = () => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')
    && [...document.querySelectorAll('.vega-embed')].every(e => e.querySelector('canvas, svg'));
};
window.__vpVisible = (selector) => [...document.querySelectorAll(selector)].some(e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
});
window.__vpTitle = () => document.querySelector(
  '[data-testid="stMain"] h1 [data-heading-text]')?.innerText.trim() ?? null;
window.__vpSelected = (label) => {
  const boxes = document.querySelectorAll('[data-testid="stMain"] [data-testid="stSelectbox"]');
  for (const box of boxes) {
    const name = box.querySelector('[data-testid="stWidgetLabel"]')?.innerText.trim();
    if (name === label) return box.querySelector('input[role="combobox"]')?.value ?? null;
  }
  return null;
};
window.__vpMainText = () => document.querySelector('[data-testid="stMain"]')?.innerText ?? '';
"""
TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
AUTHOR, TOPIC, RUN = "Author or outlet group", "Topic", "Run (newest first)"


def free_port() -> int:
    """A TCP port free on localhost right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    """Return once Streamlit answers its health check; raise with the server log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer within {timeout} s:\n{log.read_text()}")


@contextmanager
def serve_dashboard(
    runs_dir: Path, log: Path, settle_s: float = 0.0
) -> Iterator[tuple[str, float]]:
    """``streamlit run`` the dashboard over ``runs_dir`` on a free port; yields its base URL
    ``settle_s`` seconds after it first answers (a visitor who comes a little later), and the
    seconds from its start to that first answer (the server reads the two newest runs first)."""
    port = free_port()
    # as `viewpoints dashboard` starts it
    command = server_command(port, runs_dir, address="127.0.0.1", watch_files=False)
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(url, proc, log)
        ready_s = time.perf_counter() - started
        time.sleep(settle_s)
        yield url, ready_s
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, under Playwright's sync API."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def new_context(browser: Any) -> Iterator[Any]:
    """A new browser context: no HTTP cache, no cookies; closed after."""
    context = browser.new_context(viewport=dict(VIEWPORT))
    context.add_init_script(PAGE_HELPERS)
    try:
        yield context
    finally:
        context.close()


@contextmanager
def new_page(context: Any) -> Iterator[Any]:
    """A page (each load of the dashboard is a new Streamlit session), closed after."""
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        yield page
    finally:
        page.close()


def drawn_at(page: Any, condition: str, arg: Any = None) -> float:
    """The page time (ms since navigation start) of the first frame where ``condition`` (a JS
    function of ``arg``) holds and Streamlit has finished the script run and drawn it.

    Confirmed two frames later, as a widget's callback may start one more run; then the time of
    the later run's end is returned.
    """
    check = f"""(arg) => {{
        const done = ({condition})(arg) && window.__vpIdle();
        return done ? performance.now() : false;
    }}"""
    for _ in range(5):
        at = page.wait_for_function(check, arg=arg, polling="raf").json_value()
        page.evaluate(TWO_FRAMES)
        if page.evaluate(check, arg):
            return float(at)
    raise RuntimeError("the dashboard kept rerunning its script")


def _query(run_id: str, other: str | None, spec: PageSpec) -> str:
    params = {"run": run_id}
    if spec.path == "runs" and other:
        params.update(run_a=other, run_b=run_id)  # the pair benchmarked, newest as B
    return urlencode(params)


def first_paint(context: Any, url: str, spec: PageSpec, query: str, shot: Path | None) -> float:
    """Seconds from navigation start until ``spec``'s title and content are drawn and idle."""
    with new_page(context) as page:
        page.goto(f"{url}/{spec.path}?{query}", wait_until="commit")
        at = drawn_at(
            page,
            "([title, selector]) => window.__vpTitle() === title && window.__vpVisible(selector)",
            [spec.title, spec.content],
        )
        if shot is not None:
            page.screenshot(path=str(shot))
        return at / 1000


def _since_click(page: Any, at: float) -> float:
    down = page.evaluate("window.__vpDown")
    if down is None:
        raise RuntimeError("the click was not seen by the page")
    return (at - float(down)) / 1000


def _main_selectbox(page: Any, label: str) -> Any:
    """The selectbox labelled exactly ``label`` in the page's main area."""
    return page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(
        has=page.locator(
            '[data-testid="stWidgetLabel"]', has_text=re.compile(f"^{re.escape(label)}$")
        )
    )


def _pick(page: Any, box: Any, option: Callable[[list[str]], str]) -> str:
    """Open selectbox ``box``, click the option that ``option`` chooses among their texts."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # Scrolled first: the list closes itself when the page scrolls as it opens.
    box.evaluate("e => e.scrollIntoView({block: 'center'})")
    box.locator('[role="combobox"]').first.click()
    try:
        page.get_by_role("option").first.wait_for(timeout=3000)
    except PlaywrightTimeout:
        page.keyboard.press("ArrowDown")  # opens the list of a focused selectbox
        page.get_by_role("option").first.wait_for()
    texts = [t.strip() for t in page.get_by_role("option").all_inner_texts()]
    chosen = option(texts)
    page.evaluate("window.__vpDown = null")
    page.get_by_role("option", name=chosen, exact=True).click()
    return chosen


def open_evidence(page: Any) -> float:
    """Click a cell of the author table; seconds until its evidence is drawn."""
    before = [page.evaluate("l => window.__vpSelected(l)", label) for label in (AUTHOR, TOPIC)]
    table = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    rows = max(1, int((box["height"] - ROW_PX) // ROW_PX))
    row = min(EVIDENCE_ROW, rows - 1)
    page.evaluate("window.__vpDown = null")
    page.mouse.click(box["x"] + 60, box["y"] + ROW_PX * (row + 1) + ROW_PX / 2)
    at = drawn_at(
        page,
        """([before, author, topic]) => {
            const now = [window.__vpSelected(author), window.__vpSelected(topic)];
            return now[0] !== null && (now[0] !== before[0] || now[1] !== before[1])
              && window.__vpMainText().includes(`${now[0]} on ${now[1]}`);
        }""",
        [before, AUTHOR, TOPIC],
    )
    return _since_click(page, at)


def change_topic(page: Any) -> float:
    """Pick another topic in the evidence's Topic selector; seconds until it is drawn."""
    author = page.evaluate("l => window.__vpSelected(l)", AUTHOR)
    current = page.evaluate("l => window.__vpSelected(l)", TOPIC)
    chosen = _pick(
        page, _main_selectbox(page, TOPIC), lambda opts: next(o for o in opts if o != current)
    )
    at = drawn_at(
        page,
        "([line]) => window.__vpMainText().includes(line)",
        [f"{author} on {chosen}"],
    )
    return _since_click(page, at)


def switch_run(page: Any, other: str) -> float:
    """Pick ``other`` in the sidebar's run selector; seconds until its Overview is drawn."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=RUN)
    )
    _pick(page, box, lambda opts: next(o for o in opts if o.split(" · ")[-1] == other))
    at = drawn_at(
        page,
        """([caption, selector]) => window.__vpTitle() === 'Overview'
            && window.__vpMainText().includes(caption) && window.__vpVisible(selector)""",
        [f"Run {other} ·", PAGES[0].content],
    )
    return _since_click(page, at)


def interactions(
    browser: Any, url: str, run_id: str, other: str | None, shots: Path | None
) -> dict[str, float]:
    """One round of the Overview interactions in a fresh session: name -> seconds."""
    times: dict[str, float] = {}
    with new_context(browser) as context, new_page(context) as page:
        page.goto(f"{url}/?{urlencode({'run': run_id})}", wait_until="commit")
        drawn_at(
            page,
            "([s]) => window.__vpTitle() === 'Overview' && window.__vpVisible(s)",
            [PAGES[0].content],
        )
        steps: list[tuple[str, Callable[[], float]]] = [
            ("open evidence", lambda: open_evidence(page)),
            ("change topic", lambda: change_topic(page)),
        ]
        if other:
            steps.append(("switch run", lambda: switch_run(page, other)))
        for name, step in steps:
            times[name] = step()
            if shots is not None:
                page.screenshot(path=str(shots / f"interaction_{name.replace(' ', '_')}.png"))
    return times


def run_counts(meta: dict[str, Any]) -> dict[str, Any]:
    """Articles, passages and authors as the run's ``run.json`` records them."""
    counts = meta.get("counts") if isinstance(meta.get("counts"), dict) else {}
    return {
        "articles": counts.get("articles", counts.get("articles_read")),
        "passages": counts.get("passages"),
        "authors": counts.get("authors"),
    }


def choose_runs(
    runs_dir: Path, run: str | None, other: str | None
) -> tuple[dict[str, Any], str | None]:
    """The run benchmarked (default the newest) and the run to switch to (default the newest
    other one; None when there is none)."""
    runs = [m for m in list_runs(runs_dir) if "run_id" in m]
    if not runs:
        raise SystemExit(f"no runs in {runs_dir}: run `viewpoints analyze PATH` first")
    by_id = {str(m["run_id"]): m for m in runs}
    for wanted in (run, other):
        if wanted is not None and wanted not in by_id:
            raise SystemExit(f"no run {wanted!r} in {runs_dir}; runs: {', '.join(list(by_id)[:5])}")
    run_id = run or str(runs[0]["run_id"])
    if other is None:
        other = next((rid for rid in by_id if rid != run_id), None)
    return by_id[run_id], other


def summarize(values: list[float]) -> dict[str, float]:
    """Median and max, in seconds."""
    return {"median_s": round(statistics.median(values), 3), "max_s": round(max(values), 3)}


def print_table(results: dict[str, Any]) -> None:
    """The summary: median and max per measurement, against its bar."""
    rows = [
        (measure, page, values, FIRST_PAINT_BAR_S)
        for measure, key in (
            ("paint, new", "first_paint_s"),
            ("paint, cached", "first_paint_cached_s"),
        )
        for page, values in results[key].items()
    ]
    rows += [
        ("interaction", name, values, INTERACTION_BAR_S)
        for name, values in results["interactions_s"].items()
    ]
    width = max(len(name) for _, name, _, _ in rows)
    print(f"\n{'measure':<13} {'what':<{width}} {'median s':>9} {'max s':>7} {'bar s':>6}  within")
    for measure, name, values, bar in rows:
        stats = summarize(values)
        within = (
            "yes" if stats["max_s"] <= bar else ("median" if stats["median_s"] <= bar else "no")
        )
        print(
            f"{measure:<13} {name:<{width}} {stats['median_s']:>9.2f} {stats['max_s']:>7.2f} "
            f"{bar:>6.1f}  {within}"
        )
    print(
        f"{'server start':<13} {'first answer':<{width}} {results['server_start_s']:>9.2f} "
        f"{'':>7} {'':>6}  (not a bar: the server reads the two newest runs before it answers)"
    )
    print(
        f"{results['repeat']} round(s) each. paint, new: a new browser (no HTTP cache); paint, "
        "cached: the same page loaded again in that browser. within 'median': the median is "
        "within the bar, the max is not."
    )
    for note in results["skipped"]:
        print(f"skipped: {note}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs-dir",
        type=Path,
        default=Path(os.environ.get("VIEWPOINTS_RUNS_DIR", "runs")),
        help="where runs live (default: ./runs, or $VIEWPOINTS_RUNS_DIR)",
    )
    parser.add_argument("--run", default=None, help="the run id benchmarked (default: newest)")
    parser.add_argument(
        "--other-run", default=None, help="the run to switch to (default: the newest other one)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds of every measurement")
    parser.add_argument(
        "--settle",
        type=float,
        default=0.0,
        help="seconds between the server's first answer and the first page (default 0: at once)",
    )
    parser.add_argument(
        "--screenshots", type=Path, default=None, help="save a screenshot of each page here"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.settle < 0:
        parser.error("--settle must be at least 0")
    if not CHROMIUM.exists():
        raise SystemExit(f"the benchmark needs Debian's Chromium at {CHROMIUM}")
    meta, other = choose_runs(args.runs_dir, args.run, args.other_run)
    run_id = str(meta["run_id"])
    counts = run_counts(meta)
    cpu = cpu_name()
    print(f"CPU: {cpu}")
    told = ", ".join(
        f"{'?' if counts[k] is None else f'{counts[k]:,}'} {k}"
        for k in ("articles", "passages", "authors")
    )
    print(
        f"run {run_id}: {told} (from its run.json; ?: not recorded)"
        + (f"; switch run to {other}" if other else "")
    )
    results: dict[str, Any] = {
        "cpu": cpu,
        "runs_dir": str(args.runs_dir),
        "run": run_id,
        "counts": counts,
        "other_run": other,
        "repeat": args.repeat,
        "settle_s": args.settle,
        "first_paint_s": {spec.title: [] for spec in PAGES},
        "first_paint_cached_s": {spec.title: [] for spec in PAGES},
        "interactions_s": {},
        "skipped": [],
    }
    if other is None:
        note = f"switch run: {args.runs_dir} holds only one run"
        results["skipped"].append(note)
        print(f"skipped {note}")
    shots = args.screenshots
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)

    def record(measure: str, name: str, round_: int, seconds: float, **more: str) -> None:
        line = {"measure": measure, "what": name, **more, "round": round_}
        print(json.dumps({**line, "seconds": round(seconds, 3)}), flush=True)

    with tempfile.TemporaryDirectory(prefix="viewpoints-dash-bench-") as tmp:
        log = Path(tmp) / "streamlit.log"
        with (
            serve_dashboard(args.runs_dir, log, args.settle) as (url, ready_s),
            launch_chromium() as browser,
        ):
            results["server_start_s"] = round(ready_s, 3)
            print(json.dumps({"measure": "server_start", "seconds": results["server_start_s"]}))
            for round_ in range(1, args.repeat + 1):
                for spec in PAGES:
                    shot = None
                    if shots is not None and round_ == 1:
                        shot = shots / f"first_paint_{spec.path or 'overview'}.png"
                    query = _query(run_id, other, spec)
                    with new_context(browser) as context:  # loaded with no cache, then again
                        for key, browser_kind in (
                            ("first_paint_s", "new"),
                            ("first_paint_cached_s", "cached"),
                        ):
                            seconds = first_paint(context, url, spec, query, shot)
                            shot = None
                            results[key][spec.title].append(seconds)
                            record("first_paint", spec.title, round_, seconds, browser=browser_kind)
            for round_ in range(1, args.repeat + 1):
                timed = interactions(browser, url, run_id, other, shots if round_ == 1 else None)
                for name, seconds in timed.items():
                    results["interactions_s"].setdefault(name, []).append(seconds)
                    record("interaction", name, round_, seconds)
    results["summary"] = {
        "first_paint": {k: summarize(v) for k, v in results["first_paint_s"].items()},
        "first_paint_cached": {k: summarize(v) for k, v in results["first_paint_cached_s"].items()},
        "interactions": {k: summarize(v) for k, v in results["interactions_s"].items()},
    }
    print_table(results)
    return results


if __name__ == "__main__":
    main()
