"""What every end-to-end test needs: the dashboard served on a free port, Debian's Chromium
driven by Playwright, and helpers to wait for Streamlit and take whole-page screenshots.

Modules import from here and declare ``pytestmark = E2E_MARKS``; the ``browser``, ``page``,
``open_page`` and ``screenshots`` fixtures come from ``tests/dashboard/conftest.py``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dashboard.serve import server_command

sync_api = pytest.importorskip("playwright.sync_api", reason="e2e needs the playwright package")
expect = sync_api.expect
PlaywrightTimeoutError = sync_api.TimeoutError

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
TIMEOUT_MS = 30_000
VIEWPORT = {"width": 1500, "height": 1000}

E2E_MARKS = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="e2e needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    """Return once Streamlit answers its health check; fail with the server log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"streamlit did not answer within {timeout} s:\n{log.read_text()}")


@contextmanager
def serve_dashboard(
    runs_dir: Path, log: Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Iterator[str]:
    """``streamlit run`` the dashboard over ``runs_dir``; yields its base URL, stops it after.

    ``env`` adds to (and overrides) the test's environment; ``VIEWPOINTS_RUNS_DIR`` is dropped so
    that ``--runs-dir`` is what the server reads. ``cwd`` is the folder the server starts in
    (default: the test's own).
    """
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if k != "VIEWPOINTS_RUNS_DIR"}
    full_env.update(env or {})
    # as `viewpoints dashboard` starts it
    command = server_command(port, runs_dir, address="127.0.0.1", watch_files=False)
    url = f"http://127.0.0.1:{port}"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=full_env, cwd=cwd
        )
    try:
        wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextmanager
def launch_chromium() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def new_page(browser, **context_options):
    """A page in a fresh browser context (no cookies or session shared with other pages)."""
    context = browser.new_context(viewport=dict(VIEWPORT), **context_options)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
NOTHING_PENDING = """() => !document.querySelector('[data-stale="true"]')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && [...document.querySelectorAll('.vega-embed')].every(e => e.querySelector('canvas, svg'))"""
TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def settle(page) -> None:
    """Wait until Streamlit has finished running the script and drawn its result: no element
    left stale from the previous run, no loading skeleton, every chart rendered (conditions,
    not a fixed pause)."""
    page.wait_for_selector(IDLE)
    page.wait_for_function(NOTHING_PENDING)
    page.evaluate(TWO_FRAMES)
    page.wait_for_selector(IDLE)  # a widget's callback may have started one more run


def shoot(page, path: Path) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main block, so the viewport
    is first made as tall as that block's content."""
    height = page.evaluate(
        "() => Math.max(...['[data-testid=stMain]', '[data-testid=stMainBlockContainer]', 'body']"
        ".map(s => document.querySelector(s)?.scrollHeight || 0))"
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(height) + 50, 8000)})
    settle(page)  # the resize re-lays out the page and redraws the charts
    page.screenshot(path=path, full_page=True)


def screenshots_folder(fallback: Path) -> Path:
    """``$VIEWPOINTS_SCREENSHOTS`` when set (the README's pictures), else ``fallback``."""
    folder = os.environ.get("VIEWPOINTS_SCREENSHOTS")
    path = Path(folder) if folder else fallback
    path.mkdir(parents=True, exist_ok=True)
    return path


def correct_stance(page, card: int, disagree: bool) -> tuple[str, str]:
    """Open the ``card``-th "Correct" popover, keep the model's stance (ticking "Also
    confirm", so that it is recorded) or pick another, Save.

    Returns (the model's stance, the stance saved).
    """
    page.get_by_role("button", name=re.compile("Correct")).nth(card).click()
    body = page.locator('[data-testid="stPopoverBody"]')
    body.get_by_role("button", name=re.compile("Save")).wait_for()
    body.get_by_role("combobox", name="Stance").click()
    options = [o.strip() for o in page.get_by_role("option").all_inner_texts()]
    model = next(o for o in options if o.endswith("(model)"))
    chosen = next(o for o in options if "(model)" not in o) if disagree else model
    page.get_by_role("option", name=chosen, exact=True).click()
    if not disagree:
        body.get_by_text("Also confirm the labels I leave as they are").click()
    body.get_by_role("button", name=re.compile("Save")).click()
    body.wait_for(state="detached")  # the popover closes after a save
    settle(page)
    return model.removesuffix(" (model)"), chosen.removesuffix(" (model)")


def evaluation_metrics(page, url: str) -> dict[str, str]:
    page.goto(f"{url}/evaluation")
    page.get_by_role("heading", name="Evaluation").wait_for()
    settle(page)
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    return dict(zip([s.strip() for s in labels], [s.strip() for s in values], strict=True))


def widget(page, testid: str, label: str):
    """The Streamlit widget of kind ``testid`` whose label is ``label``."""
    return page.locator(f'[data-testid="{testid}"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=label)
    )


def selected(page, label: str) -> str:
    """What a selectbox shows as chosen."""
    return page.get_by_role("combobox", name=label).input_value()


def choose(page, testid: str, label: str, option: str) -> None:
    """Open a selectbox or multiselect by its label and click one of its options."""
    box = widget(page, testid, label).locator('[role="combobox"]').first
    # In the middle of the viewport, so that its list of options has room to open: at the
    # bottom edge (where the click's own scrolling leaves it) the list may not show.
    box.evaluate("e => e.scrollIntoView({block: 'center'})")
    box.click()
    wanted = page.get_by_role("option").filter(has_text=option).first
    try:
        wanted.click(timeout=10_000)
    except PlaywrightTimeoutError:  # a rerun redrew the box as its list opened (a loaded CI
        # machine missed "Sanctions" for 30 s once): close whatever is open, open it again
        page.keyboard.press("Escape")
        settle(page)
        box.evaluate("e => e.scrollIntoView({block: 'center'})")
        box.click()
        wanted.click()
    if testid == "stMultiSelect":
        page.keyboard.press("Escape")  # close the list, which stays open for more choices
    settle(page)
