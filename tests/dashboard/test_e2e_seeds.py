"""End to end on the real thing: the seeds analyzed by the pipeline, served, opened in Chromium.

Every page must show the three seed groups (Ivan Timofeev, and the two outlets whose articles
name no author) and the three default topics. Screenshots go to ``$VIEWPOINTS_SCREENSHOTS``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest

from analysis.cli import main
from tests.dashboard.test_e2e import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    _free_port,
    _settle,
    _shoot,
    _wait_healthy,
    sync_api,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
APP = Path(__file__).resolve().parents[2] / "dashboard" / "streamlit_app.py"
GROUPS = ("Ivan Timofeev", "Valdai Discussion Club", "Nhan Dan")
TOPICS = ("Arms control", "Sanctions", "Ukraine")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="e2e needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
]


@pytest.fixture(scope="module")
def seeds_server(tmp_path_factory):
    runs = tmp_path_factory.mktemp("seed_runs")
    assert main(["analyze", str(SEEDS), "--runs-dir", str(runs), "--quiet", "--cache", ""]) == 0
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "VIEWPOINTS_RUNS_DIR"}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
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
        str(runs),
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
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("VIEWPOINTS_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("seed_screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _open(browser, url: str):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    return context, page


def test_seeds_overview_shows_the_three_authors_and_topics(seeds_server, browser, shots):
    context, page = _open(browser, seeds_server)
    try:
        page.get_by_role("heading", name="Overview").wait_for()
        _settle(page)
        table = page.locator('[data-testid="stDataFrame"]').first
        for name in (*GROUPS, *TOPICS):
            sync_api.expect(table).to_contain_text(name)
        _shoot(page, shots / "seeds_overview.png")
    finally:
        context.close()


def test_seeds_compare_shows_the_three_authors_and_topics(seeds_server, browser, shots):
    query = urlencode({"authors": GROUPS}, doseq=True)
    context, page = _open(browser, f"{seeds_server}/compare?{query}")
    try:
        page.get_by_role("heading", name="Compare").wait_for()
        _settle(page)
        body = page.locator("[data-testid='stMain']").first.inner_text()
        for name in (*GROUPS, *TOPICS):
            assert name in body
        _shoot(page, shots / "seeds_compare.png")
    finally:
        context.close()


def test_seeds_article_page_highlights_topic_passages(seeds_server, browser, shots):
    context, page = _open(browser, f"{seeds_server}/article?article=001_6c28832786d132a7")
    try:
        page.locator(".vp-article").wait_for()
        _settle(page)
        assert page.locator(".vp-article .vp-passage").count() >= 1
        main_text = page.locator("[data-testid='stMain']").first.inner_text()
        for label in TOPICS:
            assert f"{label}:" in main_text
        assert "Ivan Timofeev" in main_text
        _shoot(page, shots / "seeds_article.png")
    finally:
        context.close()
