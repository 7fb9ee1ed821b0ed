"""Overview and Compare say how far to trust the run's stance numbers, from the figures
measured for its stance model on labelled news."""

from __future__ import annotations

import json

import pytest

from analysis.news_accuracy import (
    FAVOR_BASELINE,
    SHIPPED_ROOT,
    failed_topics,
    finds_no_against,
    read_news_accuracy,
)
from analysis.runs import write_run
from analysis.speech_accuracy import read_speech_accuracy
from analysis.topics import load_topics
from dashboard.trust import OPEN_FOR_DETAILS
from tests.dashboard.conftest import (
    CONFIG_TOML,
    SMALL_ARTICLES,
    TOPIC_LABELS,
    TOPICS,
    _meta,
    _tables_from_specs,
)

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
    # the built-in topics' targets, as a run of the defaults records them: the figures were
    # measured on those (another target is another topic, "not measured")
    builtin = {t.key: t.target for t in load_topics(None)}
    config = CONFIG_TOML
    for key, _, target in TOPICS:
        config = config.replace(f'target = "{target}"', f'target = "{builtin[key]}"')
    write_run(tmp_path, "20181110-120000-v2", meta, config, _tables_from_specs(SMALL_ARTICLES))
    return tmp_path


@pytest.mark.parametrize("page", ["Overview", "Compare", "Over time", "Article"])
def test_a_run_of_the_shipped_model_shows_its_measured_figures(app, v2_runs_dir, page):
    at = app(v2_runs_dir).run()
    if page != "Overview":
        file = {"Compare": "compare.py", "Over time": "time.py", "Article": "article.py"}[page]
        at.switch_page(f"app_pages/{file}").run()
    assert at.title[0].value == page
    labels = [x for x in _expander_labels(at) if x.startswith("How far to trust")]
    called = f"{V2.sign_accuracy_called:.0%}"
    none = f"{V2.n_leaning - V2.n_called} of {V2.n_leaning} article × topic pairs"
    # what a shown stance is worth: every stance given, not only those on leaning pairs
    assert V2.n_given and V2.given_right is not None
    shown = (
        f"of the {V2.n_given} stances stance.minilm.v2 gives labelled article × topic pairs, "
        f"{V2.given_right} ({V2.given_right / V2.n_given:.0%}) are the side a reader finds and "
        f"{V2.given_no_side} are on pairs a reader finds take no side or do not discuss the topic"
    )
    assert called  # the sign figure among the leaning pairs stays inside the expander
    if finds_no_against(V2):  # the failure first, then what a shown stance is worth
        assert labels == [
            f"How far to trust these stances: stance.minilm.v2 finds no opposition (none of the "
            f"{V2.n_against} labelled article × topic pairs that lean against read as against), "
            f"so a score above 0 may be an author who opposes the topic. O{shown[1:]}, and "
            f"{none} a reader found leaning get none"
            + failed_topics(V2, TOPIC_LABELS)
            + OPEN_FOR_DETAILS
        ]
    else:
        assert labels == [
            f"How far to trust these stances: on labelled news, {shown}, and {none} a reader "
            f"found leaning get none; it finds {V2.against_found} of {V2.n_against} that lean "
            "against" + failed_topics(V2, TOPIC_LABELS) + OPEN_FOR_DETAILS
        ]
    text = "\n".join(m.value for m in at.markdown)
    assert f"{V2.against_found} of {V2.n_against} pairs leaning against" in text
    # topics named as the run names them
    arms = V2.per_topic["arms_control"]
    assert f"Arms control: {arms['n_right']} of {arms['n_leaning']} leaning pairs right" in text
    # how often a quote passes for the author's words, from the shipped speech figures
    speech = read_speech_accuracy()
    assert speech is not None
    assert f"the author's words find {speech.recall:.0%}" in text


def test_a_model_without_figures_says_so_and_how_to_measure(app, small_runs_dir):
    at = app(small_runs_dir).run()
    labels = [x for x in _expander_labels(at) if x.startswith("How far to trust")]
    assert labels == [
        "How far to trust these stances: not measured on news for this stance model"
        + OPEN_FOR_DETAILS
    ]
    text = "\n".join(m.value for m in at.markdown)
    assert "viewpoints evaluate --level article" in text
    assert "**Own words or quotes.**" in text  # the speech rules' figures hold for any model


def test_the_runs_page_gives_each_runs_stance_model_figures(app, tmp_path):
    from tests.dashboard.two_runs import CONFIG_TOML as PIPELINE_CONFIG
    from tests.dashboard.two_runs import run_meta

    v1 = read_news_accuracy(SHIPPED_ROOT / "minilm_v1" / "news_accuracy.json")
    for run_id, figures in (("20181110-120000-v1", v1), ("20181111-120000-v2", V2)):
        meta = run_meta(f"2018-11-{run_id[6:8]}T12:00:00", "0" * 64, ("x", "y"), 4)
        meta["models"]["stance"] = {"name": figures.model, "weights_sha256": figures.weights_sha256}
        write_run(tmp_path, run_id, meta, PIPELINE_CONFIG, _tables_from_specs(SMALL_ARTICLES))
    at = app(tmp_path).run()
    at.switch_page("app_pages/runs.py").run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption if c.value.startswith("Stance model")]
    # the runs were made at relevance 0.5, not at the threshold either model was measured at
    other = (
        " Measured with other settings than this run's (relevance threshold 0.5 (measured at "
        "{:g})): the figures may not hold for it."
    )
    # where the file records them (v2), every stance given and how many are the reader's side
    shown = {
        id(f): f"of {f.n_given} stances given, {f.given_right} the side a reader finds, "
        f"{f.given_no_side} where a reader finds none or no topic; "
        if f.n_given
        else ""
        for f in (V2, v1)
    }
    assert shown[id(V2)] and shown[id(v1)]  # both files record them since 2026-12-07
    assert captions == [
        (
            f"Stance model on labelled news: finds no opposition (against found 0 of "
            f"{f.n_against}: a score above 0 may be an author who opposes the topic); "
            + shown[id(f)]
            + f"{f.n_called} of {f.n_leaning} leaning pairs given a stance, "
            f"{f.sign_accuracy_called:.0%} of those the right sign ({FAVOR_BASELINE})"
            + failed_topics(f)
            + f"; coverage F1 {f.coverage_f1:.2f}."
            + other.format(f.settings["threshold"])
        )
        if finds_no_against(f)
        else (
            f"Stance model on labelled news: {shown[id(f)]}{f.n_called} of {f.n_leaning} leaning "
            f"pairs given a stance, {f.sign_accuracy_called:.0%} of those the right sign; against "
            f"found {f.against_found} of {f.n_against}; coverage F1 {f.coverage_f1:.2f}."
            + other.format(f.settings["threshold"])
        )
        for f in (V2, v1)  # run A is the newest
    ]


def test_topics_the_figures_do_not_cover_are_named(app, tmp_path):
    meta = _meta(len(SMALL_ARTICLES), "2018-11-10T12:00:00")
    meta["models"]["stance"] = {"name": "stance.minilm.v2", "weights_sha256": V2.weights_sha256}
    meta["topics"] = [
        {"key": "sanctions", "label": "Sanctions", "target": "sanctions on Russia"},
        {"key": "nato", "label": "NATO expansion", "target": "NATO expansion"},
    ]
    meta["topic_head_untrained"] = ["nato"]
    meta["relevance_thresholds"] = {"sanctions": 0.55, "nato": 0.66}
    write_run(tmp_path, "20181110-120000-v2", meta, CONFIG_TOML, _tables_from_specs(SMALL_ARTICLES))
    at = app(tmp_path).run()
    (label,) = [x for x in _expander_labels(at) if x.startswith("How far to trust")]
    assert label.endswith(
        "; not measured on NATO expansion: the labels cover the built-in "
        "topics only, and a stance model can do worse on others" + OPEN_FOR_DETAILS
    )
    text = "\n".join(m.value for m in at.markdown)
    assert "**Not measured on NATO expansion.**" in text
    # how its passages were found, and that the shipped model's "favor" does not follow the
    # target (its measured figures): the two things a user's own topic changes
    assert "found by relevance alone (at least 0.66), with no topic check" in text
    reversal = V2.reversed_target
    assert f"favor of the reverse, where readers found {reversal['labelled_against']}" in text
    # the Overview's table says it beside the topic, where the numbers are read
    table = at.dataframe[0].value
    topics = set(table["Topic"])
    assert "NATO expansion (not measured)" in topics and "Sanctions" in topics
    # and on the Compare chart, whose rows are the topics
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    chart = at.get("vega_lite_chart")[0]  # the stance chart (a chart per measure)
    spec = json.loads(chart.proto.spec)
    rows = spec["facet"]["row"]["sort"]  # the chart's rows, a topic each
    assert "NATO expansion (not measured)" in rows and "Sanctions" in rows
    # and above an article's stances, with the note on how far to trust them
    at.switch_page("app_pages/article.py").run()
    assert not at.exception, [e.value for e in at.exception]
    chips = "\n".join(m.value for m in at.markdown)
    assert "<b>NATO expansion (not measured)</b>" in chips and "<b>Sanctions</b>" in chips
    assert any(x.startswith("How far to trust") for x in _expander_labels(at))


def test_clearest_against_first_warns_where_the_model_finds_no_opposition(app, v2_runs_dir):
    at = app(v2_runs_dir).run()
    sort = at.selectbox(key="ov_sort_author")
    against = next(o for o in sort.options if o.endswith(": stance, clearest against first"))
    favor = against.replace("against first", "favor first")
    quoted = against.replace(": stance,", ": quoted voices,")

    def warned(choice: str) -> bool:
        at.selectbox(key="ov_sort_author").set_value(choice).run()
        assert not at.exception, [e.value for e in at.exception]
        return any("read none of the" in c.value for c in at.caption)

    blind = finds_no_against(V2)
    assert warned(against) == blind
    assert not warned(favor) and not warned(quoted)  # the quoted voices' head finds against


def test_a_built_in_key_given_another_target_does_not_take_the_figures_of_the_built_in(
    app, tmp_path
):
    meta = _meta(len(SMALL_ARTICLES), "2018-11-10T12:00:00")
    meta["models"]["stance"] = {"name": "stance.minilm.v2", "weights_sha256": V2.weights_sha256}
    meta["topics"] = [{"key": "sanctions", "label": "Sanctions", "target": "sanctions on Iran"}]
    write_run(tmp_path, "20181110-120000-v2", meta, CONFIG_TOML, _tables_from_specs(SMALL_ARTICLES))
    at = app(tmp_path).run()
    text = "\n".join(m.value for m in at.markdown)
    assert "**Not measured on Sanctions.**" in text
    row = V2.per_topic["sanctions"]
    # the figures of sanctions on Russia stay under their own key, not the run's "Sanctions"
    assert f"Sanctions: {row['n_right']} of {row['n_leaning']} leaning pairs" not in text
    assert f"sanctions: {row['n_right']} of {row['n_leaning']} leaning pairs" in text


@pytest.mark.parametrize("page", ["Overview", "Compare", "Over time", "Article"])
def test_a_run_whose_model_said_nothing_warns_on_every_page(app, tmp_path, page):
    """A review opened a run of an untrained tone model: `show` warned that its tone says
    nothing, the pages showed "−0.01 [−0.01, −0.01]" with no word of it."""
    meta = _meta(len(SMALL_ARTICLES), "2018-11-10T12:00:00")
    flat = (
        "tone model gives every one of 40 passage-topic pairs about the same probabilities "
        "(negative 0.33, neutral 0.33, positive 0.33): its tone says nothing about these "
        "passages (an untrained or broken model?)"
    )
    meta["model_warnings"] = [f"the {flat}"]
    write_run(
        tmp_path, "20181110-120000-flat", meta, CONFIG_TOML, _tables_from_specs(SMALL_ARTICLES)
    )
    at = app(tmp_path).run()
    if page != "Overview":
        file = {"Compare": "compare.py", "Over time": "time.py", "Article": "article.py"}[page]
        at.switch_page(f"app_pages/{file}").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(flat in w.value for w in at.warning), [w.value for w in at.warning]


@pytest.mark.parametrize(
    "page",
    ["app_pages/overview.py", "app_pages/compare.py", "app_pages/time.py", "app_pages/article.py"],
)
def test_a_run_made_by_older_position_rules_says_so_above_the_figures(app, tmp_path, page):
    """A review: a run made before 'mixed' needed both sides taken showed its stored 'mixed'
    and evidence order under captions that describe today's rules, without a word."""
    meta = _meta(len(SMALL_ARTICLES), "2018-11-10T12:00:00")
    del meta["position_rules"]  # as every run made before 2026-12-07
    write_run(
        tmp_path, "20181110-120000-old0", meta, CONFIG_TOML, _tables_from_specs(SMALL_ARTICLES)
    )
    at = app(tmp_path).run()
    if page != "app_pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    assert any(
        c.startswith("This run's positions were made by older rules: since 2026-12-07")
        for c in captions
    )
    fresh = _meta(len(SMALL_ARTICLES), "2018-11-10T12:00:00")  # today's: no such note
    write_run(
        tmp_path / "new",
        "20181110-120000-new0",
        fresh,
        CONFIG_TOML,
        _tables_from_specs(SMALL_ARTICLES),
    )
    at = app(tmp_path / "new").run()
    if page != "app_pages/overview.py":
        at.switch_page(page).run()
    assert not any("made by older rules" in c.value for c in at.caption)


def test_a_run_of_the_shipped_model_with_other_settings_says_so_in_the_sidebar(app, tmp_path):
    """A review opened the dashboard on a run made at threshold 0.45 with quotes counted: the
    sidebar named other models only, so it read as the defaults' numbers."""
    from tests.dashboard.two_runs import CONFIG_TOML as PIPELINE_CONFIG
    from tests.dashboard.two_runs import run_meta

    meta = run_meta("2018-11-11T12:00:00", "0" * 64, ("x", "y"), 4)
    meta["models"]["stance"] = {"name": V2.model, "weights_sha256": V2.weights_sha256}
    write_run(
        tmp_path, "20181111-120000-v2", meta, PIPELINE_CONFIG, _tables_from_specs(SMALL_ARTICLES)
    )
    at = app(tmp_path).run()
    assert not at.exception
    notes = [i.value for i in at.sidebar.info if i.value.startswith("Not the default settings")]
    assert len(notes) == 1 and "relevance threshold 0.5 (measured at 0.55)" in notes[0]
