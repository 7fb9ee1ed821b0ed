"""End to end: `streamlit run` on a free port, driven by Playwright in Debian's Chromium.

Screenshots of every page go to ``$VIEWPOINTS_SCREENSHOTS`` (default: a pytest temporary folder).
Skipped when /usr/bin/chromium or the playwright package is missing.
"""

from __future__ import annotations

import re

import pytest

from tests.dashboard.conftest import NHAN_DAN, TIMOFEEV, TOPIC_LABELS, VALDAI
from tests.dashboard.e2e_support import E2E_MARKS, expect, serve_dashboard, settle, shoot

GROUPS = (TIMOFEEV, VALDAI, NHAN_DAN)
ROW_PX = 35  # st.dataframe's default row (and header) height

pytestmark = [*E2E_MARKS]


@pytest.fixture(scope="module")
def server(small_runs_dir, tmp_path_factory):
    """The dashboard on a free port, reading the small run through ``--runs-dir``."""
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with serve_dashboard(small_runs_dir, log) as url:
        yield url


def test_overview(server, page, screenshots):
    page.goto(server)
    page.get_by_role("heading", name="Overview").wait_for()
    page.get_by_text("Evidence passages, strongest first").wait_for()
    settle(page)
    table = page.locator('[data-testid="stDataFrame"]').first
    # The grid draws on a canvas and mirrors the visible cells into an accessible table;
    # expect() retries until that mirror holds the text.
    for name in (*GROUPS, *TOPIC_LABELS.values(), "not discussed", "outlet (unsigned pieces)"):
        expect(table).to_contain_text(name)
    expect(page.get_by_text("against \u22121").first).to_be_visible()  # the stance's key
    expect(page.get_by_text("negative \u22121").first).to_be_visible()  # and tone's
    # A real click on a row (Nhan Dan × Sanctions, the 8th row) opens what is behind it.
    box = table.bounding_box()
    page.mouse.click(box["x"] + 60, box["y"] + ROW_PX + 7 * ROW_PX + ROW_PX / 2)
    page.get_by_text("Not discussed: none of the 1 article(s) of Nhan Dan").wait_for()
    # The selection is mirrored into the address once the script run ends.
    expect(page).to_have_url(re.compile(r"topic=sanctions"))
    expect(page).to_have_url(re.compile(r"[?&]run="))
    shoot(page, screenshots / "overview.png")


def test_compare(server, page, screenshots):
    page.goto(f"{server}/compare")
    page.get_by_role("heading", name="Compare").wait_for()
    page.locator(".vega-embed").first.wait_for()
    settle(page)
    first, *others = TOPIC_LABELS.values()
    expect(page.get_by_role("heading", name=first, exact=True)).to_be_visible()
    body = page.locator("section.main, [data-testid='stMain']").first.inner_text()
    for name in GROUPS:
        assert name in body
    assert "reported: Dmitry Peskov" in body  # a quoted voice on arms control
    shoot(page, screenshots / "compare.png")
    expect(page).to_have_url(re.compile(r"authors="))
    # The evidence of another topic, one click away; the link follows.
    choice = page.locator("[data-testid='stRadio']").filter(has_text="Evidence and quoted voices")
    choice.get_by_text(others[0], exact=True).click()
    settle(page)
    expect(page.get_by_role("heading", name=others[0], exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=first, exact=True)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"topic=sanctions"))


# The right edge of the page's column and of every chart, in pixels.
EDGES = """() => {
  const right = e => e.getBoundingClientRect().right;
  const column = '[data-testid=stMainBlockContainer] [data-testid=stVerticalBlock]';
  return {column: right(document.querySelector(column)),
          charts: [...document.querySelectorAll('.vega-embed')].map(right)};
}"""


@pytest.mark.parametrize("path", ["compare", "time"])
def test_charts_fit_a_1024_px_screen_beside_the_sidebar(server, page, screenshots, path):
    """A chart wider than the page's column pushed the page sideways and cut its last panels
    (the tone panel at 1024 px): a measure's chart now goes under the others where the row is
    full."""
    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(f"{server}/{path}")
    page.locator(".vega-embed").first.wait_for()
    settle(page)
    edges = page.evaluate(EDGES)
    assert len(edges["charts"]) >= 2
    assert all(right <= edges["column"] + 1 for right in edges["charts"]), edges
    shoot(page, screenshots / f"{path}-1024.png")


def test_pages_ask_nothing_of_any_other_machine(server, page):
    """The dashboard runs offline: every request a page makes goes to its own server (a
    Material favicon came from fonts.gstatic.com, and the tab showed none offline)."""
    from urllib.parse import urlparse

    asked = []
    page.on("request", lambda request: asked.append(request.url))
    for path in ("", "compare", "article", "time", "runs", "evaluation", "add_articles"):
        page.goto(f"{server}/{path}")
        page.locator('[data-testid="stSidebarNav"]').wait_for()
        settle(page)
    own = urlparse(server).hostname
    elsewhere = [
        url
        for url in asked
        if urlparse(url).scheme in ("http", "https") and urlparse(url).hostname != own
    ]
    assert asked and not elsewhere, elsewhere
    icon = page.locator("link[rel*='icon']").first.get_attribute("href")
    assert icon and urlparse(icon).hostname in (None, own), icon


def test_article(server, page, screenshots):
    page.goto(f"{server}/article?article=004_874e9fd0087b4233")
    page.locator(".vp-article").wait_for()
    settle(page)
    passages = page.locator(".vp-article .vp-passage")
    expect(passages).to_have_count(3)
    expect(passages.first).to_be_visible()
    main = page.locator("[data-testid='stMain']").first.inner_text()
    for label in TOPIC_LABELS.values():
        assert f"{label}:" in main
    page.get_by_role("combobox", name="Article").first.click()
    page.get_by_role("option").first.wait_for()
    options = " ".join(page.get_by_role("option").all_inner_texts())
    for name in GROUPS:
        assert name in options
    page.keyboard.press("Escape")
    shoot(page, screenshots / "article.png")
