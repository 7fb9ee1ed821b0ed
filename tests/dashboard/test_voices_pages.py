"""Both voices and "no stance expressed" on the Overview and Compare pages, on a run whose
positions come from ``analysis.aggregate`` (the small run's scores, with quoted voices)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from analysis.aggregate import positions
from analysis.runs import write_run
from dashboard.charts import chart_frame
from dashboard.style import diverging_color
from dashboard.views import QUOTED_HEADER, STANCE_HEADER
from tests.dashboard.conftest import (
    CONFIG_TOML,
    SMALL_ARTICLES,
    TIMOFEEV,
    TOPIC_LABELS,
    VALDAI,
    _meta,
    _tables_from_specs,
)


@pytest.fixture(scope="module")
def voices_runs_dir(tmp_path_factory):
    tables = _tables_from_specs(SMALL_ARTICLES)
    scores = tables["scores"].copy()
    reported = scores["reported"].astype(bool)
    # Quoted voices take sides; Valdai's own words on arms control take none.
    scores["speaker_favor"] = np.where(reported, 0.8, np.nan)
    scores["speaker_against"] = np.where(reported, 0.1, np.nan)
    scores["speaker_none"] = np.where(reported, 0.1, np.nan)
    scores["speaker_stance"] = scores["speaker_favor"] - scores["speaker_against"]
    art = tables["articles"].set_index("article_id")
    valdai = scores["article_id"].map(art["group"]).eq(VALDAI) & ~reported
    scores.loc[valdai, ["stance_favor", "stance_against", "stance_none"]] = [0.02, 0.03, 0.95]
    scores["stance"] = scores["stance_favor"] - scores["stance_against"]
    tables["scores"] = scores
    tables["positions"] = positions(
        tables["articles"], tables["passages"], scores, list(TOPIC_LABELS)
    )
    runs = tmp_path_factory.mktemp("voices_runs")
    write_run(
        runs,
        "20181110-120000-voices00",
        _meta(len(SMALL_ARTICLES), "2018-11-10"),
        CONFIG_TOML,
        tables,
    )
    return runs


def _row(at, unit: str, topic: str):
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    rows = table[(table["Author / outlet"] == unit) & (table["Topic"] == topic)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_overview_says_no_stance_expressed_and_shows_the_quoted_voices(app, voices_runs_dir):
    at = app(voices_runs_dir).run()
    valdai = _row(at, VALDAI, "Arms control")
    assert valdai[STANCE_HEADER] == "no stance expressed"
    assert valdai[QUOTED_HEADER] == "+0.70 (one passage)"  # 0.8 - 0.1: the voice favors
    timofeev = _row(at, TIMOFEEV, "Sanctions")
    # two passages (-0.83, -0.52): the t interval over two values spans the whole scale
    assert timofeev[STANCE_HEADER] == "−0.68 [−1.00, +1.00]"
    assert timofeev[QUOTED_HEADER] == "no quoted voices"


def test_evidence_of_a_position_without_stance_says_why(app, voices_runs_dir):
    at = app(voices_runs_dir, author=VALDAI, topic="arms_control").run()
    assert any("No stance expressed" in i.value for i in at.info)
    markdown = "\n".join(m.value for m in at.markdown)
    assert (
        "quoted voices +0.70" in markdown
        and "author&#x27;s stance: no stance expressed" in markdown
    )
    expander = next(e for e in at.expander if "Quoted voices" in e.label)
    cards = "\n".join(m.value for m in expander.markdown)
    assert "quoted voice&#x27;s stance +0.70 (favor 80% · against 10% · none 10%)" in cards


def test_compare_chart_has_the_quoted_voices_as_a_measure(voices_runs_dir):
    from analysis.runs import load_run

    run = load_run("latest", voices_runs_dir)
    pos = run.positions[run.positions["level"] == "author"]
    frame = chart_frame(pos, [VALDAI, TIMOFEEV], list(TOPIC_LABELS.items()))
    assert set(frame["Measure"]) == {"Stance", "Quoted voices", "Tone"}
    cell = frame[(frame["Author"] == VALDAI) & (frame["Topic"] == "Arms control")]
    by_measure = cell.set_index("Measure")
    assert by_measure.loc["Stance", "shown"] == "no stance expressed"
    assert np.isnan(by_measure.loc["Stance", "value"])
    assert by_measure.loc["Quoted voices", "value"] == pytest.approx(0.7)


NHAN_DAN_ARTICLE = "004_874e9fd0087b4233"


def test_the_article_page_gives_reported_speech_its_quoted_voice_s_stance(app, voices_runs_dir):
    at = app(voices_runs_dir, article=NHAN_DAN_ARTICLE).run()
    at.switch_page("app_pages/article.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    own = table[table["Voice"] == "own"].iloc[0]
    quoted = table[table["Voice"] == "Dmitry Peskov, reported"].iloc[0]
    # Own words: the author's stance; a quotation: its speaker's, which is what it counts
    # toward; a stance a row does not have is empty, shown as "–" (not "None", like the label)
    assert own["Author's stance"] == pytest.approx(0.68) and np.isnan(own["Quoted voice's stance"])
    assert np.isnan(quoted["Author's stance"])
    assert quoted["Quoted voice's stance"] == pytest.approx(0.7)
    assert at.dataframe[0].proto.placeholder == "–"
    assert quoted["Stance probabilities"] == "favor 80% · against 10% · none 10%"
    html = next(m.value for m in at.markdown if 'class="vp-article"' in m.value)
    assert "quoted voice&#x27;s stance +0.70 (favor 80% · against 10% · none 10%)" in html
    assert "counted in the quoted voices&#x27; stance, not the author&#x27;s" in html
    dashed = [s for s in re.findall(r'<span class="vp-passage"[^>]*>', html) if "dashed" in s]
    assert dashed and all(f"background:{diverging_color(0.7)}" in s for s in dashed)


@pytest.fixture
def corrections_folder(tmp_path, monkeypatch):
    path = tmp_path / "corrections"
    monkeypatch.setenv("VIEWPOINTS_CORRECTIONS_DIR", str(path))
    return path


def test_a_quote_s_form_corrects_its_quoted_voice_s_stance(
    app, voices_runs_dir, corrections_folder
):
    run_id, peskov = "20181110-120000-voices00", f"{NHAN_DAN_ARTICLE}:2"
    at = app(voices_runs_dir, article=NHAN_DAN_ARTICLE).run()
    at.switch_page("app_pages/article.py").run()
    at.selectbox(key=f"corr_art_pid_{run_id}").set_value(peskov).run()
    assert not at.exception, [e.value for e in at.exception]
    form = f"corr_art_{run_id}_{peskov}_arms_control"
    boxes = {b.key: b for b in at.selectbox if b.form_id == form}
    assert f"{form}_stance" not in boxes  # the author head's reading of a quote counts nowhere
    voice = boxes[f"{form}_speaker"]
    assert voice.label == "Quoted voice's stance"
    assert voice.value == "favor" and voice.options == ["favor (model)", "against", "none"]
    voice.set_value("against")
    next(b for b in at.get("form_submit_button") if b.form_id == form).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    lines = corrections_folder.glob("*.jsonl")
    records = [json.loads(line) for path in lines for line in path.read_text().splitlines()]
    assert [(r["task"], r["label"], r["model_label"]) for r in records] == [
        ("speaker", "against", "favor")
    ]
    assert records[0]["probs"] == pytest.approx({"favor": 0.8, "against": 0.1, "none": 0.1})
    assert records[0]["model"] == "stance.finetuned-minilm.v1"
    badge = "\n".join(m.value for m in at.markdown if "vp-corrected" in m.value)
    assert "quoted voice's stance <b>against</b> (model: favor)" in badge
    # The Evaluation page measures the speaker head on it
    at.switch_page("app_pages/evaluation.py").run()
    at.radio(key="ev_task").set_value("speaker").run()
    assert not at.exception, [e.value for e in at.exception]
    summary = at.dataframe[0].value
    row = summary[summary["Task"] == "quoted voice's stance"].iloc[0]
    assert (row["Corrections"], row["Changed the model's label"]) == (1, 1)
    assert row["Model accuracy"] == 0.0


def _voices_run(source_dir, tmp_path, config_tail: str = "") -> Path:
    """The voices run written again into a folder of its own, with ``config_tail`` appended
    to its config (an [aggregate] table)."""
    from analysis.runs import load_run

    source = load_run("latest", source_dir)
    tables = {
        "articles": source.articles,
        "passages": source.passages,
        "scores": source.scores,
        "positions": source.positions,
    }
    meta = {k: v for k, v in source.meta.items() if k not in ("run_id", "format_version")}
    runs = tmp_path / "runs"
    write_run(runs, "20181110-120000-voices01", meta, CONFIG_TOML + config_tail, tables)
    return runs


def test_where_quotes_count_as_the_author_s_a_quote_shows_and_corrects_both_stances(
    app, voices_runs_dir, tmp_path, corrections_folder
):
    runs = _voices_run(voices_runs_dir, tmp_path, "\n[aggregate]\ninclude_reported = true\n")
    run_id, peskov = "20181110-120000-voices01", f"{NHAN_DAN_ARTICLE}:2"
    at = app(runs, article=NHAN_DAN_ARTICLE).run()
    at.switch_page("app_pages/article.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    quoted = table[table["Voice"] == "Dmitry Peskov, reported"].iloc[0]
    assert quoted["Author's stance"] == pytest.approx(-0.35)
    assert quoted["Quoted voice's stance"] == pytest.approx(0.7)
    assert any("counts them as the author's own words" in c.value for c in at.caption)
    at.selectbox(key=f"corr_art_pid_{run_id}").set_value(peskov).run()
    form = f"corr_art_{run_id}_{peskov}_arms_control"
    boxes = {b.key.rsplit("_", 1)[1]: b for b in at.selectbox if b.form_id == form}
    assert set(boxes) == {"topic", "speaker", "stance", "tone"}
    assert boxes["stance"].value == "against" and boxes["speaker"].value == "favor"


def test_where_quotes_count_as_the_author_s_the_overview_says_n_counts_them(
    app, voices_runs_dir, tmp_path
):
    runs = _voices_run(voices_runs_dir, tmp_path, "\n[aggregate]\ninclude_reported = true\n")
    at = app(runs).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "quotes counted as the author's" in at.dataframe[0].proto.columns
    plain = app(voices_runs_dir).run()
    assert "own-voice topic passages" in plain.dataframe[0].proto.columns


@pytest.fixture(scope="module")
def only_quoted_runs_dir(tmp_path_factory):
    """Valdai speaks on arms control only through the people it quotes."""
    tables = _tables_from_specs(SMALL_ARTICLES)
    scores = tables["scores"].copy()
    reported = scores["reported"].astype(bool)
    for label, value in (("favor", 0.8), ("against", 0.1), ("none", 0.1)):
        scores[f"speaker_{label}"] = np.where(reported, value, np.nan)
    scores["speaker_stance"] = scores["speaker_favor"] - scores["speaker_against"]
    art = tables["articles"].set_index("article_id")
    own = scores["article_id"].map(art["group"]).eq(VALDAI) & ~reported
    scores = scores[~(own & scores["topic"].eq("arms_control"))].reset_index(drop=True)
    tables["scores"] = scores
    tables["positions"] = positions(
        tables["articles"], tables["passages"], scores, list(TOPIC_LABELS)
    )
    runs = tmp_path_factory.mktemp("only_quoted_runs")
    meta = _meta(len(SMALL_ARTICLES), "2018-11-10")
    write_run(runs, "20181110-120000-quoted00", meta, CONFIG_TOML, tables)
    return runs


def test_a_position_of_only_quoted_voices_says_so_and_opens_their_passages(
    app, only_quoted_runs_dir
):
    at = app(only_quoted_runs_dir, author=VALDAI, topic="arms_control").run()
    assert not at.exception, [e.value for e in at.exception]
    infos = [i.value for i in at.info]
    assert any(i.startswith("Only quoted voices: Arms control comes up only") for i in infos)
    assert not any("No stance expressed" in i for i in infos)
    markdown = "\n".join(m.value for m in at.markdown)
    assert "the author's own words (up to" not in markdown  # no empty own-words list
    expander = next(e for e in at.expander if "Quoted voices" in e.label)
    assert expander.proto.expanded  # what there is, shown
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    # the evidence column says "only quoted voices", and not also "not discussed"
    captions = [c.value for c in at.caption]
    assert any(c.startswith("only quoted voices: no own words on Arms control") for c in captions)
    assert not any(
        c.startswith("not discussed: no own-voice passage about Arms control") for c in captions
    )
