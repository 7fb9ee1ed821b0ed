"""End to end: an analyst corrects passages in Chromium, the seeds are analyzed again, and the
corrections still apply; the Evaluation page's numbers follow the corrections.

The seeds are analyzed by the real pipeline (shipped models), served with a corrections folder of
the test's own, and driven through the Overview's evidence cards. Screenshots go to
``$VIEWPOINTS_SCREENSHOTS``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest

from analysis.cli import main
from analysis.runs import list_runs
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

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
APP = ROOT / "dashboard" / "streamlit_app.py"
AUTHOR, TOPIC = "Nhan Dan", "sanctions"  # four evidence passages in the seeds run

expect = sync_api.expect
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="e2e needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
]


def _analyze(runs: Path, cache: Path) -> None:
    args = ["analyze", str(SEEDS), "--runs-dir", str(runs), "--quiet", "--cache", str(cache)]
    assert main(args) == 0


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The seeds analyzed once and the dashboard serving them with an empty corrections folder."""
    base = tmp_path_factory.mktemp("corrections_e2e")
    runs, corrections, cache = base / "runs", base / "corrections", base / "cache.sqlite"
    _analyze(runs, cache)
    port = _free_port()
    log = base / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "VIEWPOINTS_RUNS_DIR"}
    env["VIEWPOINTS_CORRECTIONS_DIR"] = str(corrections)
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
        yield {"url": url, "runs": runs, "corrections": corrections, "cache": cache}
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


@pytest.fixture
def screenshots(tmp_path) -> Path:
    folder = os.environ.get("VIEWPOINTS_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def _page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def _evidence(page, url: str) -> None:
    page.goto(f"{url}/?{urlencode({'author': AUTHOR, 'topic': TOPIC})}")
    page.get_by_text("Evidence passages, strongest first").wait_for()
    _settle(page)


def _correct(page, card: int, disagree: bool) -> tuple[str, str]:
    """Open the ``card``-th "Correct" popover, keep the model's stance or pick another, Save.

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
    body.get_by_role("button", name=re.compile("Save")).click()
    body.wait_for(state="detached")  # the popover closes after a save
    _settle(page)
    return model.removesuffix(" (model)"), chosen.removesuffix(" (model)")


def _metrics(page, url: str) -> dict[str, str]:
    page.goto(f"{url}/evaluation")
    page.get_by_role("heading", name="Evaluation").wait_for()
    _settle(page)
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    return dict(zip([s.strip() for s in labels], [s.strip() for s in values], strict=True))


def test_a_correction_survives_a_rerun_and_moves_the_evaluation(served, browser, screenshots):
    url = served["url"]
    page = _page(browser)
    page.goto(f"{url}/evaluation")
    page.get_by_text("No corrections yet").wait_for()

    _evidence(page, url)
    assert page.get_by_role("button", name=re.compile("Correct")).count() >= 2
    _correct(page, 0, disagree=False)  # the first passage: confirm the model's labels
    expect(page.locator(".vp-corrected")).to_have_count(1)
    model, other = _correct(page, 1, disagree=True)  # the second: another stance
    expect(page.locator(".vp-corrected")).to_have_count(2)
    page.get_by_role("button", name=re.compile("Correct")).nth(1).click()
    page.locator('[data-testid="stPopoverBody"]').get_by_role(
        "button", name=re.compile("Save")
    ).wait_for()
    _shoot(page, screenshots / "corrections_popover.png")
    page.keyboard.press("Escape")

    records = [
        json.loads(line)
        for path in sorted(served["corrections"].glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    stance = [r for r in records if r["task"] == "stance"]
    assert [(r["label"] == r["model_label"]) for r in stance] == [True, False]
    assert stance[1]["label"] == other and stance[1]["model_label"] == model

    after = _metrics(page, url)
    assert after["Examples"] == "2" and after["Accuracy"] == "50.0%"

    first_run = list_runs(served["runs"])[0]["run_id"]
    _analyze(served["runs"], served["cache"])  # the same seeds again: a new run, same passages
    second_run = list_runs(served["runs"])[0]["run_id"]
    assert second_run != first_run

    fresh = _page(browser)  # a new session opens the newest run
    _evidence(fresh, url)
    assert f"run={second_run}" in fresh.url  # the new run is the one shown
    expect(fresh.locator(".vp-corrected")).to_have_count(2)
    assert other in fresh.locator(".vp-corrected").nth(1).inner_text()
    again = _metrics(fresh, url)
    assert again["Examples"] == "2" and again["Accuracy"] == "50.0%"
    fresh.get_by_text("Corrections per topic").wait_for()
    _shoot(fresh, screenshots / "evaluation.png")

    fresh.get_by_role("button", name=re.compile("Write a corrected run")).click()
    fresh.get_by_text("Wrote run").wait_for()
    corrected = next(m for m in list_runs(served["runs"]) if "source_run" in m)
    assert corrected["source_run"]["run_id"] == second_run
    assert corrected["corrections"]["applied"] >= 2
