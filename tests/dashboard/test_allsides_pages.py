"""Every dashboard page through AppTest on real runs of the AllSides corpus.

The runs come from ``tests/dashboard/allsides.py``: a 40-article slice analyzed by the real
pipeline (default models, and again with VADER tone), or the whole corpus when
``VIEWPOINTS_ALLSIDES_RUNS`` names prebuilt runs. Expectations are read from the run's own
tables, so the same tests hold for either.
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil

import pandas as pd
import pytest

from analysis.bylines import membership
from analysis.compare import compare_runs
from analysis.corrections import Correction, CorrectionStore
from analysis.runs import list_runs, load_run
from dashboard.style import STANCE_PROBS, TONE_PROBS, probabilities
from tests.dashboard.allsides import TOPIC_LABELS, busiest_position, other_run, write_slice
from tests.dashboard.conftest import download_bytes

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def base(allsides):
    return load_run(allsides.runs_dir / allsides.base)


@pytest.fixture(scope="module")
def busiest(base) -> dict:
    return busiest_position(base)


@pytest.fixture
def corrections_dir(tmp_path, monkeypatch):
    path = tmp_path / "corrections"
    monkeypatch.setenv("VIEWPOINTS_CORRECTIONS_DIR", str(path))
    return path


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(app, allsides, page: str | None = None, **params):
    at = _ok(app(allsides.runs_dir, **params).run(timeout=180))
    if page:
        _ok(at.switch_page(page).run(timeout=180))
    return at


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _scored(run, passage_id: str, topic: str) -> dict:
    scores = run.scores
    row = scores[(scores["passage_id"] == passage_id) & (scores["topic"] == topic)].iloc[0]
    text = run.passages.set_index("passage_id").loc[passage_id, "text"]
    return {**row.to_dict(), "text": text}


def _discussing(base) -> set[str]:
    """The author groups that discuss at least one topic in the run."""
    positions = base.positions
    author = positions[(positions["level"] == "author") & (positions["status"] == "discussed")]
    return set(author["author"])


def test_overview_lists_the_runs_authors_in_words(app, allsides, base):
    at = _open(app, allsides, run=allsides.base)
    table = at.dataframe[0].value
    groups = set(membership(base.articles)["group"])  # each author of a byline
    discussing = _discussing(base)
    assert set(table["Author / outlet"]) <= discussing < groups  # those on a topic, by default
    assert len(set(table["Author / outlet"])) == min(25, len(discussing))  # paged by 25 groups
    at.checkbox(key="ov_discussing_author").uncheck().run()
    table = at.dataframe[0].value
    assert len(set(table["Author / outlet"])) == min(25, len(groups))
    assert set(table["Topic"]) == set(TOPIC_LABELS.values())
    assert "not discussed" in set(table.iloc[:, 3:].stack())  # most AllSides rows are off topic
    # the caption counts groups as the table and run.json do (each author of a shared byline)
    assert len(groups) != base.articles["group"].nunique()  # shared bylines in this slice
    caption = " ".join(c.value for c in at.caption)
    assert f"{len(groups):,} authors and outlet groups" in caption
    assert len(groups) == base.meta["counts"]["authors"]


def test_a_position_opens_its_evidence_strongest_first_with_probabilities(
    app, allsides, base, busiest
):
    at = _open(app, allsides, run=allsides.base, author=busiest["author"], topic=busiest["topic"])
    text = _markdown(at)
    label = TOPIC_LABELS[busiest["topic"]]
    assert f"on **{label}**" in text
    evidence = list(busiest["evidence"])
    assert len(evidence) >= 2
    cards = [m.value for m in at.markdown if "border-left:6px" in m.value]
    for rank, passage_id in enumerate(evidence[:2], start=1):
        row = _scored(base, passage_id, busiest["topic"])
        card = cards[rank - 1]
        assert f"<b>#{rank}</b>" in card
        assert html.escape(row["text"]).replace("\n", "<br>") in card
        assert html.escape(probabilities(row, STANCE_PROBS)) in card
        assert html.escape(probabilities(row, TONE_PROBS)) in card
        title = base.articles.set_index("article_id").loc[row["article_id"], "title"]
        assert html.escape(str(title)) in card  # the article it comes from
    assert at.query_params["author"] == busiest["author"]


def test_outlet_filter_from_a_link(app, allsides, base, busiest):
    at = _open(app, allsides, run=allsides.base, outlets=busiest["outlet"])
    table = at.dataframe[0].value
    articles = base.articles
    expected = set(membership(articles[articles["outlet"] == busiest["outlet"]])["group"])
    shown = set(table["Author / outlet"])  # a page or less: everyone, by default
    assert shown <= expected and len(shown) == min(25, len(expected))  # a page of 25 groups


def test_compare_shows_the_chosen_authors_evidence(app, allsides, base, busiest):
    positions = base.positions
    discussed = positions[(positions["level"] == "author") & (positions["status"] == "discussed")]
    chosen = list(dict.fromkeys(discussed.sort_values("n_passages", ascending=False)["author"]))
    chosen = chosen[:3]
    at = _open(
        app,
        allsides,
        "app_pages/compare.py",
        run=allsides.base,
        authors=chosen,
        topic=busiest["topic"],
    )
    assert at.multiselect(key="w_authors").value == chosen
    text = _markdown(at)
    for name in chosen:
        assert f"**{name}**" in text
    first = _scored(base, busiest["evidence"][0], busiest["topic"])
    assert html.escape(first["text"]).replace("\n", "<br>") in text


def test_article_page_highlights_every_scored_passage(app, allsides, base):
    scores = base.scores
    article_id = scores.groupby("article_id")["passage_id"].nunique().idxmax()
    at = _open(app, allsides, "app_pages/article.py", run=allsides.base, article=article_id)
    assert at.selectbox(key="w_article").value == article_id
    block = next(m.value for m in at.markdown if 'class="vp-article"' in m.value)
    spans = re.findall(r'<span class="vp-passage"', block)
    assert len(spans) == scores.loc[scores["article_id"] == article_id, "passage_id"].nunique()


def test_time_page_draws_dated_articles_of_the_chosen_authors(app, allsides, base, busiest):
    at = _open(
        app, allsides, "app_pages/time.py", run=allsides.base, time_authors=[busiest["author"]]
    )
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2  # stance and tone: each chart holds every row
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    rows = pd.concat(
        [convert_arrow_bytes_to_pandas_df(d.data.data) for d in charts[0].proto.datasets]
    )
    assert set(rows["Author"]) == {busiest["author"]}
    articles = base.articles
    dated = articles[(articles["group"] == busiest["author"]) & articles["date"].notna()]
    days = {str(d)[:10] for d in pd.to_datetime(rows["Date"])}
    assert days <= {str(d)[:10] for d in dated["date"]}


def test_runs_page_compares_default_and_vader_tone(app, allsides):
    other = other_run(allsides)
    at = _open(
        app,
        allsides,
        "app_pages/runs.py",
        run_a=other,
        run_b=allsides.base,
        measure="tone",
    )
    report = compare_runs(
        load_run(allsides.runs_dir / other), load_run(allsides.runs_dir / allsides.base)
    )
    table = at.dataframe[0].value.set_index("Topic")
    for key, label in TOPIC_LABELS.items():
        section = report["topics"][key]
        assert table.loc[label, "Passages compared"] == section["passages"]["shared"]
        # the same stance model in both runs: stance agrees on every shared passage
        if section["passages"]["shared"]:
            assert section["stance"]["agreement"] == 1.0
    text = _markdown(at)
    assert "`tone.vader.v1`" in text and "`tone.minilm.v3`" in text
    assert "Run A: **" in text  # the largest tone disagreements, with both runs' labels


def test_a_lexicon_tone_run_says_how_to_read_its_tone_and_the_default_run_does_not(app, allsides):
    other = other_run(allsides)
    for page in (None, "app_pages/compare.py"):
        vader = _open(app, allsides, page, run=other)
        assert any("VADER lexicon" in c.value for c in vader.caption), page
        default = _open(app, allsides, page, run=allsides.base)
        assert not any("VADER lexicon" in c.value for c in default.caption), page


def test_corrections_feed_the_evaluation_and_apply_to_the_other_run(
    app, allsides, base, busiest, corrections_dir
):
    first, second = busiest["evidence"][:2]
    rows = [_scored(base, pid, busiest["topic"]) for pid in (first, second)]
    labels = [max(STANCE_PROBS, key=lambda p, r=r: r[p[0]])[1] for r in rows]
    wrong = next(lab for lab in ("favor", "against", "none") if lab != labels[1])
    CorrectionStore(corrections_dir).append(
        [
            Correction(
                text=rows[0]["text"],
                target="",
                topic=busiest["topic"],
                task="stance",
                label=labels[0],
            ),
            Correction(
                text=rows[1]["text"], target="", topic=busiest["topic"], task="stance", label=wrong
            ),
        ]
    )
    at = _open(app, allsides, "app_pages/evaluation.py", run=allsides.base)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Examples"] == "2" and metrics["Accuracy"] == "50.0%"
    # The corrections are keyed by text and topic: the other run of the same articles shows them.
    at = _open(
        app, allsides, run=other_run(allsides), author=busiest["author"], topic=busiest["topic"]
    )
    badges = [m.value for m in at.markdown if "vp-corrected" in m.value]
    assert len(badges) == 2
    assert any(f"<b>{wrong}</b>" in b for b in badges)


def test_overview_csv_download_holds_every_filtered_row(app, allsides, base, busiest, downloads):
    at = _open(app, allsides, run=allsides.base, outlets=busiest["outlet"])
    rows = pd.read_csv(io.BytesIO(download_bytes(at, downloads, "ov_download_author_csv")))
    articles = base.articles
    expected = set(membership(articles[articles["outlet"] == busiest["outlet"]])["group"])
    assert set(rows["author"]) == expected  # every page, not only the one shown
    assert set(at.dataframe[0].value["Author / outlet"]) <= expected
    records = json.loads(download_bytes(at, downloads, "ov_download_author_json"))
    assert len(records) == len(rows)


def test_add_articles_analyzes_uploaded_allsides_articles_into_a_new_run(
    app, allsides, tmp_path, monkeypatch
):
    """AllSides JSON Lines uploaded beside the AllSides run: a new run of those articles, with
    their outlets and dates; a broken file is reported and the rest still analyzed."""
    runs = tmp_path / "runs"  # a folder of its own, so the other tests' newest run stays put
    shutil.copytree(allsides.runs_dir / allsides.base, runs / allsides.base)
    monkeypatch.chdir(tmp_path)  # the default prediction cache is relative to the cwd
    upload = write_slice(tmp_path / "four.jsonl", on_topic=3, off_topic=1)
    expected = [json.loads(line) for line in upload.read_text().splitlines()]
    at = _ok(app(runs, run=allsides.base).run(timeout=180))
    _ok(at.switch_page("app_pages/add_articles.py").run(timeout=180))
    at.file_uploader[0].set_value(
        [
            ("four articles.jsonl", upload.read_bytes(), "application/json"),
            ("broken.jsonl", b'{"title": "no closing brace"\n', "application/json"),
        ]
    )
    _ok(at.run(timeout=180))
    _ok(at.button(key="up_go").click().run(timeout=180))
    from analysis.corpus.upload_jobs import upload_jobs, wait_for

    (job,) = upload_jobs(runs)  # the analysis runs beside the page: its end is waited for
    assert wait_for(job.folder, 600).state == "done"
    _ok(at.run(timeout=180))
    new = [m for m in list_runs(runs) if m["run_id"] != allsides.base]
    assert len(new) == 1 and new[0]["counts"]["articles_read"] == len(expected) == 4
    articles = load_run(runs / new[0]["run_id"]).articles
    assert set(articles["outlet"]) == {e["source"] for e in expected}
    dated = {e["date"] for e in expected if e.get("date")}  # an empty date stays missing
    assert dated and set(articles["date"].dropna().astype(str).str[:10]) == dated
    files = next(d.value for d in at.dataframe if "Status" in d.value.columns)
    broken = files[files["File"] == "broken.jsonl"]
    assert len(broken) == 1 and broken["Status"].iloc[0] != "ok"
    assert at.sidebar.selectbox(key="w_run").options[0].endswith(new[0]["run_id"])
