"""End to end in Chromium on real AllSides runs (see ``tests/dashboard/allsides.py``).

An analyst opens the evidence behind the busiest author's position, corrects two passages, sees
the Evaluation page follow, analyzes the same articles again and finds the corrections in force
in the new run; links copied from the Compare, Over time and Runs pages reopen the same view in
a fresh browser. Screenshots go to ``$VIEWPOINTS_SCREENSHOTS`` (the README's, when taken on the
whole corpus).
"""

from __future__ import annotations

import shutil
from urllib.parse import urlencode

import pytest

from analysis.runs import load_run
from tests.dashboard.allsides import analyze, busiest_position, other_run
from tests.dashboard.e2e_support import (
    E2E_MARKS,
    correct_stance,
    evaluation_metrics,
    expect,
    new_page,
    selected,
    serve_dashboard,
    settle,
    shoot,
    widget,
)

pytestmark = [*E2E_MARKS, pytest.mark.slow]


@pytest.fixture(scope="module")
def served(allsides, tmp_path_factory):
    """The dashboard over the AllSides runs, with an empty corrections folder of its own.

    The slice's runs are copied, so that the rerun below does not change what other tests see.
    """
    base = tmp_path_factory.mktemp("allsides_e2e")
    runs = allsides.runs_dir
    if not allsides.full:
        runs = base / "runs"
        shutil.copytree(allsides.runs_dir, runs)
    corrections = base / "corrections"
    env = {"VIEWPOINTS_CORRECTIONS_DIR": str(corrections)}
    with serve_dashboard(runs, base / "server.log", env=env) as url:
        yield {"url": url, "runs": runs, "corrections": corrections}


@pytest.fixture(scope="module")
def busiest(allsides) -> dict:
    return busiest_position(load_run(allsides.runs_dir / allsides.base))


@pytest.fixture
def open_page(browser):
    """Opens ``url`` in a new browser context each call; closes them all after the test."""
    pages = []

    def open_(url: str):
        pages.append(new_page(browser))
        pages[-1].goto(url)
        return pages[-1]

    yield open_
    for page in pages:
        page.context.close()


def _evidence_url(url: str, run: str, position: dict) -> str:
    query = urlencode({"run": run, "author": position["author"], "topic": position["topic"]})
    return f"{url}/?{query}"


def test_evidence_correction_rerun_and_evaluation(
    allsides, served, busiest, open_page, screenshots
):
    url = served["url"]
    page = open_page(f"{url}/evaluation?run={allsides.base}")
    page.get_by_text("No corrections yet").wait_for()

    page.goto(_evidence_url(url, allsides.base, busiest))
    page.get_by_text("Evidence passages, strongest first").wait_for()
    settle(page)
    main = page.locator("[data-testid='stMain']").first
    expect(main).to_contain_text(busiest["author"])
    shoot(page, screenshots / "allsides_overview.png")
    page.set_viewport_size({"width": 1500, "height": 1000})
    correct_stance(page, 0, disagree=False)
    _, chosen = correct_stance(page, 1, disagree=True)
    expect(page.locator(".vp-corrected")).to_have_count(2)
    assert [p.name for p in served["corrections"].glob("*.jsonl")]
    before = evaluation_metrics(page, url)  # the newest run, same stance model
    assert before["Examples"] == "2" and before["Accuracy"] == "50.0%"

    if allsides.full:  # a rerun of the whole corpus takes half an hour: use the later run
        rerun = other_run(allsides)
    else:
        rerun = analyze(allsides.corpus, served["runs"], allsides.cache, "allsides-rerun")
    fresh = open_page(_evidence_url(url, rerun, busiest))
    fresh.get_by_text("Evidence passages, strongest first").wait_for()
    settle(fresh)
    expect(fresh.locator(".vp-corrected")).to_have_count(2)
    assert chosen in fresh.locator(".vp-corrected").nth(1).inner_text()
    metrics = evaluation_metrics(fresh, url)  # the newest run: the rerun
    assert metrics["Examples"] == "2" and metrics["Accuracy"] == "50.0%"
    fresh.get_by_text("Corrections per topic").wait_for()
    shoot(fresh, screenshots / "allsides_evaluation.png")


def test_compare_link_reopens_the_same_authors(allsides, served, busiest, open_page, screenshots):
    positions = load_run(allsides.runs_dir / allsides.base).positions
    discussed = positions[(positions["level"] == "author") & (positions["status"] == "discussed")]
    authors = list(dict.fromkeys(discussed.sort_values("n_passages", ascending=False)["author"]))
    query = urlencode({"run": allsides.base, "authors": authors[:3]}, doseq=True)
    page = open_page(f"{served['url']}/compare?{query}")
    page.get_by_role("heading", name="Compare").wait_for()
    page.locator(".vega-embed").first.wait_for()
    settle(page)
    chosen = widget(page, "stMultiSelect", "Authors")
    for name in authors[:3]:
        expect(chosen).to_contain_text(name)
    shoot(page, screenshots / "allsides_compare.png")
    link = page.url

    again = open_page(link)
    again.get_by_role("heading", name="Compare").wait_for()
    again.locator(".vega-embed").first.wait_for()
    settle(again)
    reopened = widget(again, "stMultiSelect", "Authors")
    for name in authors[:3]:
        expect(reopened).to_contain_text(name)
    expect(again.locator("[data-testid='stMain']").first).to_contain_text(busiest["author"])


def test_time_link_reopens_the_same_author(allsides, served, busiest, open_page, screenshots):
    query = urlencode({"run": allsides.base, "time_authors": busiest["author"]})
    page = open_page(f"{served['url']}/time?{query}")
    page.get_by_role("heading", name="Over time").wait_for()
    page.locator(".vega-embed").first.wait_for()
    settle(page)
    shoot(page, screenshots / "allsides_time.png")
    again = open_page(page.url)
    again.get_by_role("heading", name="Over time").wait_for()
    again.locator(".vega-embed").first.wait_for()
    settle(again)
    expect(widget(again, "stMultiSelect", "Authors or outlet groups")).to_contain_text(
        busiest["author"]
    )


def test_runs_link_reopens_the_same_pair(allsides, served, open_page, screenshots):
    other = other_run(allsides)
    query = urlencode({"run_a": other, "run_b": allsides.base, "measure": "tone"})
    page = open_page(f"{served['url']}/runs?{query}")
    page.get_by_role("heading", name="Runs").wait_for()
    settle(page)
    main = page.locator("[data-testid='stMain']").first
    expect(main).to_contain_text("tone.vader.v1")
    expect(main).to_contain_text("Run A:")  # the largest disagreements
    shoot(page, screenshots / "allsides_runs.png")
    again = open_page(page.url)
    again.get_by_role("heading", name="Runs").wait_for()
    settle(again)
    assert selected(again, "Run A").startswith(other)
    assert selected(again, "Run B").startswith(allsides.base)
