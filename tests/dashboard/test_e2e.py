"""End to end: `streamlit run` on a free port, driven by Playwright in Debian's Chromium.

Screenshots of every page go to ``$VIEWPOINTS_SCREENSHOTS`` (default: a pytest temporary folder).
Skipped when /usr/bin/chromium or the playwright package is missing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.dashboard.conftest import APP_PATH, NHAN_DAN, TIMOFEEV, TOPIC_LABELS, VALDAI

sync_api = pytest.importorskip("playwright.sync_api", reason="e2e needs the playwright package")
expect = sync_api.expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
GROUPS = (TIMOFEEV, VALDAI, NHAN_DAN)
TIMEOUT_MS = 30_000
ROW_PX = 35  # st.dataframe's default row (and header) height

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="e2e needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
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


@pytest.fixture(scope="module")
def server(small_runs_dir, tmp_path_factory):
    """The dashboard on a free port, reading the small run through ``--runs-dir``."""
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "VIEWPOINTS_RUNS_DIR"}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_PATH),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
        "--",
        "--runs-dir",
        str(small_runs_dir),
    ]
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    folder = os.environ.get("VIEWPOINTS_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def _settle(page) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.wait_for_timeout(500)


def _shoot(page, path: Path) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main block, so the viewport
    is first made as tall as that block's content."""
    height = page.evaluate(
        "() => Math.max(...['[data-testid=stMain]', '[data-testid=stMainBlockContainer]', 'body']"
        ".map(s => document.querySelector(s)?.scrollHeight || 0))"
    )
    page.set_viewport_size({"width": 1500, "height": min(int(height) + 50, 8000)})
    page.wait_for_timeout(800)
    page.screenshot(path=path, full_page=True)


def test_overview(server, page, screenshots):
    page.goto(server)
    page.get_by_role("heading", name="Overview").wait_for()
    page.get_by_text("Evidence passages, strongest first").wait_for()
    _settle(page)
    table = page.locator('[data-testid="stDataFrame"]').first
    # The grid draws on a canvas and mirrors the visible cells into an accessible table;
    # expect() retries until that mirror holds the text.
    for name in (*GROUPS, *TOPIC_LABELS.values(), "not discussed", "outlet (no author)"):
        expect(table).to_contain_text(name)
    assert page.get_by_text("against / negative").is_visible()
    # A real click on a row (Nhan Dan × Sanctions, the 8th row) opens what is behind it.
    box = table.bounding_box()
    page.mouse.click(box["x"] + 60, box["y"] + ROW_PX + 7 * ROW_PX + ROW_PX / 2)
    page.get_by_text("Not discussed: none of the 1 article(s) of Nhan Dan").wait_for()
    assert "topic=sanctions" in page.url
    _shoot(page, screenshots / "overview.png")
    assert "run=" in page.url  # the selection is mirrored into the address


def test_compare(server, page, screenshots):
    page.goto(f"{server}/compare")
    page.get_by_role("heading", name="Compare").wait_for()
    page.locator(".vega-embed").first.wait_for()
    _settle(page)
    for label in TOPIC_LABELS.values():
        assert page.get_by_role("heading", name=label, exact=True).is_visible()
    body = page.locator("section.main, [data-testid='stMain']").first.inner_text()
    for name in GROUPS:
        assert name in body
    assert "reported: Dmitry Peskov" in body
    _shoot(page, screenshots / "compare.png")
    assert "authors=" in page.url


def test_article(server, page, screenshots):
    page.goto(f"{server}/article?article=004_874e9fd0087b4233")
    page.locator(".vp-article").wait_for()
    _settle(page)
    passages = page.locator(".vp-article .vp-passage")
    assert passages.count() == 3
    assert passages.first.is_visible()
    main = page.locator("[data-testid='stMain']").first.inner_text()
    for label in TOPIC_LABELS.values():
        assert f"{label}:" in main
    page.get_by_role("combobox", name="Article").first.click()
    options = " ".join(page.get_by_role("option").all_inner_texts())
    for name in GROUPS:
        assert name in options
    page.keyboard.press("Escape")
    _shoot(page, screenshots / "article.png")
