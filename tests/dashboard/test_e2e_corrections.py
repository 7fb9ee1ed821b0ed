"""End to end: an analyst corrects passages in Chromium, the seeds are analyzed again, and the
corrections still apply; the Evaluation page's numbers follow the corrections.

The seeds are analyzed by the real pipeline (shipped models), served with a corrections folder of
the test's own, and driven through the Overview's evidence cards. Screenshots go to
``$VIEWPOINTS_SCREENSHOTS``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from analysis.cli import main
from analysis.runs import list_runs
from tests.dashboard.e2e_support import (
    E2E_MARKS,
    correct_stance,
    evaluation_metrics,
    expect,
    serve_dashboard,
    settle,
    shoot,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
AUTHOR, TOPIC = "Nhan Dan", "sanctions"  # four evidence passages in the seeds run

pytestmark = [*E2E_MARKS, pytest.mark.slow]


def _analyze(runs: Path, cache: Path) -> None:
    args = ["analyze", str(SEEDS), "--runs-dir", str(runs), "--quiet", "--cache", str(cache)]
    assert main(args) == 0


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The seeds analyzed once and the dashboard serving them with an empty corrections folder."""
    base = tmp_path_factory.mktemp("corrections_e2e")
    runs, corrections, cache = base / "runs", base / "corrections", base / "cache.sqlite"
    _analyze(runs, cache)
    env = {"VIEWPOINTS_CORRECTIONS_DIR": str(corrections)}
    with serve_dashboard(runs, base / "server.log", env=env) as url:
        yield {"url": url, "runs": runs, "corrections": corrections, "cache": cache}


def _evidence(page, url: str) -> None:
    page.goto(f"{url}/?{urlencode({'author': AUTHOR, 'topic': TOPIC})}")
    page.get_by_text("Evidence passages, strongest first").wait_for()
    settle(page)


def test_a_correction_survives_a_rerun_and_moves_the_evaluation(served, open_page, screenshots):
    url = served["url"]
    page = open_page()
    page.goto(f"{url}/evaluation")
    page.get_by_text("No corrections yet").wait_for()

    _evidence(page, url)
    assert page.get_by_role("button", name=re.compile("Correct")).count() >= 2
    correct_stance(page, 0, disagree=False)  # the first passage: confirm the model's labels
    expect(page.locator(".vp-corrected")).to_have_count(1)
    model, other = correct_stance(page, 1, disagree=True)  # the second: another stance
    expect(page.locator(".vp-corrected")).to_have_count(2)
    page.get_by_role("button", name=re.compile("Correct")).nth(1).click()
    page.locator('[data-testid="stPopoverBody"]').get_by_role(
        "button", name=re.compile("Save")
    ).wait_for()
    shoot(page, screenshots / "corrections_popover.png")
    page.keyboard.press("Escape")

    records = [
        json.loads(line)
        for path in sorted(served["corrections"].glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    stance = [r for r in records if r["task"] == "stance"]
    assert [(r["label"] == r["model_label"]) for r in stance] == [True, False]
    assert stance[1]["label"] == other and stance[1]["model_label"] == model

    after = evaluation_metrics(page, url)
    assert after["Examples"] == "2" and after["Accuracy"] == "50.0%"

    first_run = list_runs(served["runs"])[0]["run_id"]
    _analyze(served["runs"], served["cache"])  # the same seeds again: a new run, same passages
    second_run = list_runs(served["runs"])[0]["run_id"]
    assert second_run != first_run

    fresh = open_page()  # a new session opens the newest run
    _evidence(fresh, url)
    assert f"run={second_run}" in fresh.url  # the new run is the one shown
    expect(fresh.locator(".vp-corrected")).to_have_count(2)
    assert other in fresh.locator(".vp-corrected").nth(1).inner_text()
    again = evaluation_metrics(fresh, url)
    assert again["Examples"] == "2" and again["Accuracy"] == "50.0%"
    fresh.get_by_text("Corrections per topic").wait_for()
    shoot(fresh, screenshots / "evaluation.png")

    fresh.get_by_role("button", name=re.compile("Write a corrected run")).click()
    fresh.get_by_text("Wrote run").wait_for()
    corrected = next(m for m in list_runs(served["runs"]) if "source_run" in m)
    assert corrected["source_run"]["run_id"] == second_run
    assert corrected["corrections"]["applied"] >= 2
