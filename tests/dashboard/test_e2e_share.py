"""End to end: a view's address is a link to that view. Choices made in the browser (Runs, Over
time, Overview filters) go into the URL; the URL opened in a open_page browser context (no shared
session, cookies or storage) shows the same choices. Also a real download, and screenshots of
the Runs and Over time pages in ``$VIEWPOINTS_SCREENSHOTS``.

The runs folder holds the small run, its rerun by "another model" and the undated run (see
``tests/dashboard/two_runs.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.dashboard.conftest import NHAN_DAN, TIMOFEEV, VALDAI
from tests.dashboard.e2e_support import (
    E2E_MARKS,
    choose,
    expect,
    selected,
    serve_dashboard,
    settle,
    shoot,
    widget,
)
from tests.dashboard.two_runs import (
    BASE_ID,
    FLIPPED_TEXT,
    RERUN_ID,
    UNDATED_ID,
    make_rerun,
    make_undated_run,
    write_base_run,
)

pytestmark = [*E2E_MARKS, pytest.mark.slow]


@pytest.fixture(scope="module")
def share_server(tmp_path_factory):
    runs = tmp_path_factory.mktemp("share_runs")
    write_base_run(runs)
    make_rerun(runs)
    make_undated_run(runs)
    with serve_dashboard(runs, tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


def test_runs_link_reopens_the_same_pair_and_topic(share_server, open_page, screenshots):
    page = open_page(f"{share_server}/runs")
    page.get_by_role("heading", name="Runs").wait_for()
    page.get_by_text(FLIPPED_TEXT).first.wait_for()
    settle(page)
    main = page.locator("[data-testid='stMain']").first
    expect(main).to_contain_text("stance.nli.v1")  # run A's model in the header
    shoot(page, screenshots / "runs.png")
    page.set_viewport_size({"width": 1500, "height": 1000})

    # A real download of the agreement table.
    with page.expect_download() as info:
        page.locator('[data-testid="stDownloadButton"]').filter(has_text="CSV").first.click()
    csv = Path(info.value.path()).read_text(encoding="utf-8")
    assert csv.splitlines()[0].startswith("run_a,run_b,topic,Topic,Passages compared")
    assert "All topics" in csv

    choose(page, "stSelectbox", "Run B", UNDATED_ID)
    choose(page, "stSelectbox", "Look at", "Sanctions")
    expect(main).to_contain_text("different corpora")
    # The address follows the widgets once the script run ends: wait for it, then copy it.
    expect(page).to_have_url(
        re.compile(
            rf"run_b={UNDATED_ID}.*runs_topic=sanctions|runs_topic=sanctions.*run_b={UNDATED_ID}"
        )
    )
    link = page.url

    again = open_page(link)
    again.get_by_role("heading", name="Runs").wait_for()
    again.get_by_text("different corpora").first.wait_for()
    settle(again)
    assert selected(again, "Run A").startswith(RERUN_ID)
    assert selected(again, "Run B").startswith(UNDATED_ID)
    assert selected(again, "Look at") == "Sanctions"
    assert BASE_ID not in selected(again, "Run B")


def test_time_link_reopens_the_same_authors_and_topics(share_server, open_page, screenshots):
    page = open_page(f"{share_server}/time")
    page.get_by_role("heading", name="Over time").wait_for()
    page.locator(".vega-embed").first.wait_for()
    settle(page)
    expect(page.get_by_text("1 of 5 articles have no date")).to_be_visible()
    shoot(page, screenshots / "time.png")
    page.set_viewport_size({"width": 1500, "height": 1000})

    # The newest run (the rerun) is shown: Nhan Dan's only own-voice passage is gone there.
    authors = widget(page, "stMultiSelect", "Authors or outlet groups")
    for name in (TIMOFEEV, VALDAI):
        expect(authors).to_contain_text(name)
    expect(authors).not_to_contain_text(NHAN_DAN)
    # Drop the Valdai club and keep only Sanctions.
    authors.get_by_role("button", name=f"Remove {VALDAI}").click()
    settle(page)
    choose(page, "stMultiSelect", "Topics", "Sanctions")
    expect(page).to_have_url(re.compile(r"topics=sanctions"))
    link = page.url
    assert "time_authors=Ivan" in link

    again = open_page(link)
    again.get_by_role("heading", name="Over time").wait_for()
    again.locator(".vega-embed").first.wait_for()
    settle(again)
    reopened = widget(again, "stMultiSelect", "Authors or outlet groups")
    expect(reopened).to_contain_text(TIMOFEEV)
    expect(reopened).not_to_contain_text(VALDAI)
    expect(widget(again, "stMultiSelect", "Topics")).to_contain_text("Sanctions")
    expect(widget(again, "stMultiSelect", "Topics")).not_to_contain_text("Ukraine")
    shoot(again, screenshots / "time_shared.png")


def test_time_page_of_an_undated_run_says_so(share_server, open_page):
    page = open_page(f"{share_server}/time?run={UNDATED_ID}")
    page.get_by_role("heading", name="Over time").wait_for()
    settle(page)
    expect(page.locator("[data-testid='stMain']").first).to_contain_text("None of the 5 articles")
    expect(page.locator(".vega-embed")).to_have_count(0)


def test_overview_filters_link_reopens_the_same_filters(share_server, open_page, screenshots):
    page = open_page(share_server)
    page.get_by_role("heading", name="Overview").wait_for()
    settle(page)
    choose(page, "stMultiSelect", "Outlet", NHAN_DAN)
    table = page.locator('[data-testid="stDataFrame"]').first
    expect(table).to_contain_text(NHAN_DAN)
    expect(table).not_to_contain_text(TIMOFEEV)
    expect(page).to_have_url(re.compile(r"outlets=Nhan(\+|%20)Dan"))
    link = page.url

    again = open_page(link)
    again.get_by_role("heading", name="Overview").wait_for()
    settle(again)
    expect(widget(again, "stMultiSelect", "Outlet")).to_contain_text(NHAN_DAN)
    reopened = again.locator('[data-testid="stDataFrame"]').first
    expect(reopened).to_contain_text(NHAN_DAN)
    expect(reopened).not_to_contain_text(TIMOFEEV)


def test_a_click_that_changes_several_choices_adds_one_history_entry(share_server, open_page):
    """A review: "Open the article (run A)" on Runs took the browser history from 2 entries
    to 15, all of one address, so Back seemed to do nothing (the selections were written to
    the URL one by one, an entry each)."""
    page = open_page(f"{share_server}/runs")
    page.get_by_role("heading", name="Runs").wait_for()
    page.get_by_text(FLIPPED_TEXT).first.wait_for()
    settle(page)
    before = page.evaluate("history.length")
    page.get_by_role("button", name="Open the article (run A)").first.click()
    page.get_by_role("heading", name="Article").wait_for()
    expect(page).to_have_url(re.compile(r"/article\?.*article="))
    settle(page)
    # the page switch, and the selections written once
    assert page.evaluate("history.length") - before <= 2
