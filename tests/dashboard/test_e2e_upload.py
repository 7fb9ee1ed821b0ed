"""End to end: upload a seed article and a binary file in Chromium, paste another seed's text,
analyze them into a run (leaving the page and coming back while it runs).

The dashboard serves a runs folder holding the small synthetic run; the analysis uses the default
(shipped) models, so this takes a minute. Screenshots go to ``$VIEWPOINTS_SCREENSHOTS``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.runs import list_runs
from tests.dashboard.conftest import make_small_run
from tests.dashboard.e2e_support import E2E_MARKS, expect, serve_dashboard, settle, shoot

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SMALL_RUN = "20181110-120000-seeds000"
ANALYSIS_TIMEOUT_MS = 240_000

pytestmark = [*E2E_MARKS, pytest.mark.slow]


@pytest.fixture(scope="module")
def upload_server(tmp_path_factory):
    """The dashboard on a free port over a runs folder of its own (the test adds a run to it);
    started in a scratch folder, where the default prediction cache then lands."""
    runs = tmp_path_factory.mktemp("upload_runs")
    make_small_run(runs)
    work = tmp_path_factory.mktemp("upload_cwd")
    with serve_dashboard(runs, work / "server.log", cwd=work) as url:
        yield url, runs


def test_upload_a_seed_paste_another_and_a_binary_file(upload_server, page, screenshots, tmp_path):
    server, runs = upload_server
    files = [tmp_path / "valdai.txt", tmp_path / "broken.txt"]
    files[0].write_bytes((SEEDS / "000_75f37cc66b80f13e.txt").read_bytes())
    files[1].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))

    page.goto(f"{server}/add_articles")
    page.get_by_role("heading", name="Add articles").wait_for()
    settle(page)
    main = page.locator("[data-testid='stMain']").first
    assert "at most 20 MB per file and 100 MB in all" in main.inner_text()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(files)
    page.get_by_text("1 file(s) cannot be used and will be left out").wait_for()
    settle(page)
    assert "broken.txt: binary file (contains NUL bytes)" in main.inner_text()
    # the second article pasted, as copied from a page: read as a text file of its own
    pasted = page.get_by_role("textbox", name="Or paste an article's text")
    pasted.fill((SEEDS / "001_6c28832786d132a7.txt").read_text(encoding="utf-8"))
    pasted.blur()
    settle(page)
    expect(page.locator("[data-testid='stDataFrame']").first).to_contain_text("pasted.txt")
    page.get_by_label("Run name (optional)").fill("two seeds")
    page.get_by_label("Run name (optional)").press("Enter")
    settle(page)

    shoot(page, screenshots / "add_articles_checked.png")

    page.get_by_role("button", name="Analyze 2 file(s) into a new run").click()
    page.locator("[data-testid='stProgress']").wait_for()  # the progress bar, per stage
    page.get_by_text("It goes on if you leave or reload this page").wait_for()
    shoot(page, screenshots / "add_articles_running.png")
    # leaving the page, and reloading it, do not stop the analysis
    page.goto(server)
    page.get_by_role("heading", name="Overview").wait_for()
    page.goto(f"{server}/add_articles")
    page.get_by_role("heading", name="Add articles").wait_for()
    page.get_by_text("written: 2 article(s)").wait_for(timeout=ANALYSIS_TIMEOUT_MS)
    settle(page)
    new = [m for m in list_runs(runs) if m["run_id"] != SMALL_RUN]
    assert len(new) == 1 and new[0]["name"] == "two seeds"
    run_id = new[0]["run_id"]
    text = main.inner_text()
    assert f"Run {run_id} (two seeds) written" in text
    assert "Skipped by the analysis" in text
    assert "Nothing: every saved file gave articles" in text
    # The refused file is reported with its reason beside the saved ones.
    table = page.locator("[data-testid='stDataFrame']").first
    expect(table).to_contain_text("broken.txt")
    expect(table).to_contain_text("binary file (contains NUL bytes)")
    expect(table).to_contain_text("valdai.txt")
    expect(table).to_contain_text("pasted.txt")
    # The sidebar lists the new run (newest first).
    page.get_by_role("combobox", name="Run (newest first)").click()
    expect(page.get_by_role("option").filter(has_text=run_id)).to_have_count(1)
    page.keyboard.press("Escape")
    shoot(page, screenshots / "add_articles.png")

    page.get_by_role("button", name="Open this run in the Overview").click()
    page.get_by_role("heading", name="Overview").wait_for()
    settle(page)
    expect(page).to_have_url(re.compile(rf"[?&]run={run_id}"))
    # The sidebar's model caption is the new run's (the small run names other models).
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert "stance: stance.minilm.v2" in sidebar
    assert "finetuned" not in sidebar
    shoot(page, screenshots / "add_articles_opened.png")
