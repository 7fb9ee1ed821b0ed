"""Overview and Compare say how far to trust the run's stance numbers, from the figures
measured for its stance model on labelled news."""

from __future__ import annotations

import pytest

from analysis.news_accuracy import SHIPPED_ROOT, read_news_accuracy
from analysis.runs import write_run
from tests.dashboard.conftest import CONFIG_TOML, SMALL_ARTICLES, _meta, _tables_from_specs

V2 = read_news_accuracy(SHIPPED_ROOT / "minilm_v2" / "news_accuracy.json")


def _expander_labels(at) -> list[str]:
    assert not at.exception, [e.value for e in at.exception]
    return [e.label for e in at.expander]


@pytest.fixture
def v2_runs_dir(tmp_path):
    meta = _meta(len(SMALL_ARTICLES), "2018-11-10T12:00:00")
    meta["models"]["stance"] = {
        "name": "stance.minilm.v2",
        "path": "/made/on/another/machine",
        "weights_sha256": V2.weights_sha256,
    }
    write_run(tmp_path, "20181110-120000-v2", meta, CONFIG_TOML, _tables_from_specs(SMALL_ARTICLES))
    return tmp_path


@pytest.mark.parametrize("page", ["Overview", "Compare"])
def test_a_run_of_the_shipped_model_shows_its_measured_figures(app, v2_runs_dir, page):
    at = app(v2_runs_dir).run()
    if page == "Compare":
        at.switch_page("app_pages/compare.py").run()
    assert at.title[0].value == page
    labels = [x for x in _expander_labels(at) if x.startswith("How far to trust")]
    called = f"{V2.sign_accuracy_called:.0%}"
    assert labels == [
        f"How far to trust these stances: on labelled news, {called} of the stances "
        f"stance.minilm.v2 gives have the right sign, and {V2.n_leaning - V2.n_called} of "
        f"{V2.n_leaning} article × topic pairs a reader found leaning get none"
    ]
    text = "\n".join(m.value for m in at.markdown)
    assert f"{V2.against_found} of {V2.n_against} pairs leaning against" in text
    # topics named as the run names them
    arms = V2.per_topic["arms_control"]
    assert f"Arms control: {arms['n_right']} of {arms['n_leaning']} leaning pairs right" in text


def test_a_model_without_figures_says_so_and_how_to_measure(app, small_runs_dir):
    at = app(small_runs_dir).run()
    labels = [x for x in _expander_labels(at) if x.startswith("How far to trust")]
    assert labels == ["How far to trust these stances: not measured on news for this stance model"]
    text = "\n".join(m.value for m in at.markdown)
    assert "viewpoints evaluate --level article" in text
