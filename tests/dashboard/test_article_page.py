"""The Article page, driven through Streamlit's AppTest on the small seed-like run."""

from __future__ import annotations

import re
import shutil

import pytest

from analysis.runs import write_run
from dashboard.style import diverging_color
from tests.dashboard.conftest import make_small_run

NHAN_DAN_ARTICLE = "004_874e9fd0087b4233"


def _article_html(at) -> str:
    assert not at.exception, [e.value for e in at.exception]
    blocks = [m.value for m in at.markdown if 'class="vp-article"' in m.value]
    assert len(blocks) == 1
    return blocks[0]


def _spans(html: str) -> list[str]:
    return re.findall(r'<span class="vp-passage"[^>]*>', html)


@pytest.fixture
def article(app, small_runs_dir):
    at = app(small_runs_dir, article=NHAN_DAN_ARTICLE).run()
    at.switch_page("app_pages/article.py").run()
    return at


def test_link_opens_the_article(article):
    assert (
        article.header[0].value == "A positive sign for removal of deadlocks in US-Russia relations"
    )
    assert article.selectbox(key="w_article").value == NHAN_DAN_ARTICLE
    assert article.query_params["article"] == NHAN_DAN_ARTICLE


def test_topic_passages_are_highlighted_by_stance_and_reported_ones_marked(article):
    html = _article_html(article)
    spans = _spans(html)
    assert len(spans) == 3  # one own-voice arms-control passage, two reported quotes
    own = next(s for s in spans if "dashed" not in s)
    assert f"background:{diverging_color(0.68)}" in own  # its stance on arms control
    assert "reported: Dmitry Peskov" in html
    assert "reported: Sergey Lavrov" in html
    assert sum("dashed" in s for s in spans) == 2
    assert "Arms control: stance +0.68 (favor 78% · against 10% · none 12%)" in html  # tooltip


def test_article_text_is_escaped(article):
    html = _article_html(article)
    assert "&quot;Russia will respond in kind" in html
    assert '"Russia will respond' not in html


def test_colouring_by_a_topic_the_article_does_not_discuss(article):
    article.radio(key="art_colour_topic").set_value("sanctions").run()
    spans = _spans(_article_html(article))
    assert spans and all("background:" not in s and "outline:" in s for s in spans)


def test_tone_scale(article):
    article.radio(key="art_measure").set_value("tone").run()
    own = next(s for s in _spans(_article_html(article)) if "dashed" not in s)
    assert f"background:{diverging_color(-0.68, 'tone')}" in own  # tone's scale, not stance's


def test_scores_table_beneath_lists_each_passage_and_marks_reported(article):
    table = article.dataframe[0].value
    assert list(table["Topic"]) == ["Arms control", "Arms control", "Ukraine"]
    assert list(table["Voice"]) == [
        "own",
        "Dmitry Peskov, reported",
        "Sergey Lavrov, reported",
    ]
    assert table["Stance probabilities"].iloc[0] == "favor 78% · against 10% · none 12%"
    assert table["Stance"].iloc[0] == pytest.approx(0.68)


def test_the_text_numbers_its_passages_as_the_table_does(article):
    html = _article_html(article)
    places = re.findall(r'<sup class="vp-place"[^>]*>¶(\d+)</sup><span class="vp-passage"', html)
    table = article.dataframe[0].value
    assert len(places) == 3
    assert sorted(map(int, places)) == sorted(table["¶"].tolist())


def test_the_scores_table_shows_the_topic_checks_probability_when_the_run_has_one():
    import numpy as np
    import pandas as pd

    from dashboard.app_pages.article import score_table

    scores = pd.DataFrame(
        {
            "passage_id": ["a:0", "a:1"],
            "topic": ["sanctions", "sanctions"],
            "relevance": [0.7, 0.6],
            "reported": [False, False],
            "speaker": [None, None],
            "stance": [0.1, 0.0],
            "tone": [0.0, 0.0],
            "on_topic": [0.95, 0.72],
        }
    )
    passages = pd.DataFrame({"index": [0, 1], "text": ["One.", "Two."]}, index=["a:0", "a:1"])
    table = score_table(scores, passages, str)
    assert list(table.columns).index("About it") == list(table.columns).index("Relevance") + 1
    assert table["About it"].tolist() == [0.95, 0.72]
    ungated = score_table(scores.assign(on_topic=np.nan), passages, str)
    assert "About it" not in ungated.columns


def test_position_per_topic_says_not_discussed(article):
    text = "\n".join(m.value for m in article.markdown)
    assert "<b>Sanctions</b>: <span" in text
    sanctions = text.split("<b>Sanctions</b>:")[1].split("</div>")[0]
    assert "not discussed" in sanctions and "+0." not in sanctions


def test_search_picks_another_article(article):
    article.text_input(key="art_query").input("here to stay").run()
    assert article.header[0].value == "Sanctions Are Here to Stay"
    assert "Western arms deliveries to Ukraine" in _article_html(article)


def test_search_and_group_live_in_the_url_and_a_link_restores_them(app, small_runs_dir, article):
    article.text_input(key="art_query").input("here to stay").run()
    params = article.query_params
    assert params["search"] == "here to stay"
    assert params["article"] != NHAN_DAN_ARTICLE

    reopened = app(small_runs_dir, search=params["search"], article=params["article"]).run()
    reopened.switch_page("app_pages/article.py").run()
    assert reopened.text_input(key="art_query").value == "here to stay"
    assert reopened.header[0].value == "Sanctions Are Here to Stay"


def test_a_search_that_matches_nothing_is_in_the_url_too(article):
    article.text_input(key="art_query").input("here to stay").run()
    article.text_input(key="art_query").input("zzzz no such words").run()
    assert article.warning and "No article matches" in article.warning[0].value
    assert article.query_params["search"] == "zzzz no such words"  # not the search before


def test_group_filter_lives_in_the_url(app, small_runs_dir, article):
    group_box = next(s for s in article.selectbox if s.key.startswith("art_group_"))
    group = next(g for g in group_box.options if g and g != "All")
    group_box.select(group).run()
    assert article.query_params["article_group"] == group

    reopened = app(small_runs_dir, article_group=group).run()
    reopened.switch_page("app_pages/article.py").run()
    reopened_box = next(s for s in reopened.selectbox if s.key.startswith("art_group_"))
    assert reopened_box.value == group


def _write_specs(runs_dir, run_id: str, specs: list[dict]):
    """A run of the articles ``specs`` describes (conftest's format), written to ``runs_dir``."""
    from tests.dashboard.conftest import CONFIG_TOML, _meta, _tables_from_specs

    meta = _meta(len(specs), "2019-01-10T12:00:00")
    write_run(runs_dir, run_id, meta, CONFIG_TOML, _tables_from_specs(specs))
    return runs_dir


ROSTER = ["Hannah Brown", "Lauren Katz", "Theo Schleifer"]
LEADS = [f"{first} Kim" for first in ("Ada", "Ben", "Cy", "Dee", "Eve")]


@pytest.fixture(scope="module")
def roster_runs_dir(tmp_path_factory):
    """A run of five Vox articles whose bylines end with the site's list of writers."""
    specs = [
        {
            "article_id": f"vox{i}",
            "title": f"Vox piece {i}",
            "author": ", ".join([lead, *ROSTER]),
            "outlet": "Vox",
            "date": f"2019-01-0{i + 1}",
            "url": None,
            "paragraphs": [
                (
                    "Sanctions on Russia were tightened.",
                    [("sanctions", 0.6, 0.1, 0.2, 0.1, 0.9)],
                    False,
                    None,
                )
            ],
        }
        for i, lead in enumerate(LEADS)
    ]
    return _write_specs(tmp_path_factory.mktemp("runs_roster"), "20190110-120000-roster00", specs)


def test_a_byline_with_the_sites_list_of_writers_says_whom_it_counts_for(app, roster_runs_dir):
    at = app(roster_runs_dir, article="vox2").run()
    at.switch_page("app_pages/article.py").run()
    assert not at.exception, [e.value for e in at.exception]
    notes = [c.value for c in at.caption if "Counted for" in c.value]
    assert notes == [
        "Counted for: Cy Kim. The other names of the byline (Hannah Brown, Lauren Katz, Theo "
        "Schleifer) are an outlet's list of its writers, printed after the author on many "
        "of its articles, not co-authors."
    ]
    groups = at.selectbox(key="art_group_20190110-120000-roster00").options
    assert "Cy Kim" in groups and "Hannah Brown" not in groups


def test_an_author_a_contributor_note_names_is_said_to_come_from_it(app, tmp_path):
    note = "Jane Doe is a senior fellow at the Atlantic Council."
    specs = [
        {
            "article_id": "oped",
            "title": "Guest op-ed",
            "author": "Jane Doe",  # as the loader gives an unsigned op-ed with this note
            "outlet": "The Hill",
            "date": "2019-01-02",
            "url": None,
            "paragraphs": [
                ("Sanctions on Russia were tightened.", [("sanctions", 0.6, 0.1, 0.2, 0.1, 0.9)],
                 False, None),
                (note, [], False, None),
            ],
        },
        {
            "article_id": "news",
            "title": "A news story",
            "author": "John Roe",
            "outlet": "The Hill",
            "date": "2019-01-03",
            "url": None,
            "paragraphs": [
                ("Sanctions on Russia were eased.", [("sanctions", 0.6, 0.1, 0.2, 0.1, 0.9)],
                 False, None),
            ],
        },
    ]  # fmt: skip
    runs = _write_specs(tmp_path, "20190110-120000-oped0000", specs)
    notes = {}
    for aid in ("oped", "news"):
        at = app(runs, article=aid).run()
        at.switch_page("app_pages/article.py").run()
        assert not at.exception, [e.value for e in at.exception]
        notes[aid] = [c.value for c in at.caption if "contributor note" in c.value]
    assert notes == {
        "oped": [
            "Jane Doe is the writer the contributor note at the end of the article names (an "
            "article without a byline counts for that writer)."
        ],
        "news": [],
    }


def _left_out_listed(app, tmp_path, run, on_topic: float):
    """The small run's first Nhan Dan passage left out of Sanctions with ``on_topic``: the
    passage and the Article page's expander that lists it."""
    import pandas as pd

    from analysis.runs import GATED_OUT_TABLE, write_parquet

    passages = pd.read_parquet(run / "passages.parquet")
    first = passages[passages["article_id"] == NHAN_DAN_ARTICLE].sort_values("index").iloc[0]
    left_out = pd.DataFrame(
        {
            "passage_id": [first["passage_id"]],
            "article_id": [NHAN_DAN_ARTICLE],
            "topic": ["sanctions"],
            "relevance": [0.7],
            "reported": [False],
            "on_topic": [on_topic],
        }
    )
    write_parquet(left_out, run / GATED_OUT_TABLE)
    at = app(tmp_path / "runs", article=NHAN_DAN_ARTICLE).run()
    at.switch_page("app_pages/article.py").run()
    assert not at.exception
    (listed,) = [e for e in at.expander if e.label.startswith("Near a topic")]
    return first, listed


def test_passages_the_topic_gate_left_out_are_listed_apart(app, tmp_path, article):
    from tests.dashboard.conftest import make_small_run

    # The small run has no gated_out table (a run from before it, or without a gate): no list.
    assert not [e for e in article.expander if e.label.startswith("Near a topic")]
    run = make_small_run(tmp_path / "runs")
    first, listed = _left_out_listed(app, tmp_path, run, on_topic=0.42)
    assert listed.label == "Near a topic but not counted: 1 passage(s)"
    table = listed.dataframe[0].value
    assert table["Topic"].tolist() == ["Sanctions"]
    assert table["About it"].tolist() == [0.42]
    assert table["¶"].tolist() == [int(first["index"]) + 1]  # counted from 1
    assert table["Passage"].iloc[0] == first["text"][:240]
    # The small run records no topic gate, so the note names no gate value.
    assert "to count" not in listed.caption[0].value


def test_correcting_a_passage_the_topic_check_left_out_opens_on_its_topic(app, tmp_path):
    from tests.dashboard.conftest import make_small_run

    run = make_small_run(tmp_path / "runs")
    first, _ = _left_out_listed(app, tmp_path, run, on_topic=0.34)
    at = app(tmp_path / "runs", article=NHAN_DAN_ARTICLE).run()
    at.switch_page("app_pages/article.py").run()
    run_id = run.name
    at.selectbox(key=f"corr_art_pid_{run_id}").set_value(first["passage_id"]).run()
    assert not at.exception
    # the topic it was a candidate for, and why the model has no stance for it there
    assert at.selectbox(key=f"corr_art_topic_{run_id}_{first['passage_id']}").value == "sanctions"
    said = [c.value for c in at.caption if c.value.startswith("The topic check left this")]
    assert said and "(relevance 70%, about it 34%: listed above)" in said[0]
    assert not any(c.value.startswith("The model did not find this passage") for c in at.caption)


@pytest.mark.parametrize(
    ("gates", "said"),
    [
        (
            "gate = 0.9\npassage_gate = 0.7\n",
            "when one of its passages reaches 90%, and then its passages from 70% on count",
        ),
        ("gate = 0.9\n", "a passage needs 90% to count"),  # a run from before the passage gate
    ],
)
def test_the_left_out_passages_say_which_gates_the_run_used(app, tmp_path, gates, said):
    import json

    from tests.dashboard.conftest import TOPICS, make_small_run

    run = make_small_run(tmp_path / "runs")
    definitions = "".join(
        f'[[topic_definitions]]\nkey = "{k}"\nlabel = "{lab}"\ntarget = "{t}"\n'
        for k, lab, t in TOPICS
    )
    (run / "config.toml").write_text(f"[topics]\n{gates}\n{definitions}")
    meta = json.loads((run / "run.json").read_text())
    meta["models"]["topic_gate"] = {"name": "stance.finetuned-minilm.v1"}
    (run / "run.json").write_text(json.dumps(meta))
    _, listed = _left_out_listed(app, tmp_path, run, on_topic=0.8)
    assert said in listed.caption[0].value


def test_an_unreadable_list_of_left_out_passages_is_said_not_raised(app, tmp_path):
    from analysis.runs import GATED_OUT_TABLE
    from tests.dashboard.conftest import make_small_run

    run = make_small_run(tmp_path / "runs")
    (run / GATED_OUT_TABLE).write_bytes(b"not parquet")
    at = app(tmp_path / "runs", article=NHAN_DAN_ARTICLE).run()
    at.switch_page("app_pages/article.py").run()
    assert not at.exception
    assert any(
        c.value.startswith("The passages the topic check left out cannot be shown: gated_out")
        for c in at.caption
    )
    assert not [e for e in at.expander if e.label.startswith("Near a topic")]
    at.switch_page("app_pages/overview.py").run()  # the Overview carries on without the count
    at.selectbox(key="w_author").set_value("Nhan Dan").run()
    at.selectbox(key="w_topic").set_value("sanctions").run()
    assert not at.exception
    (note,) = [i.value for i in at.info if "Not discussed" in i.value]
    assert "left out" not in note


@pytest.fixture(scope="module")
def quiet_runs_dir(tmp_path_factory):
    """A run of three articles, the newest of which discusses no topic."""

    def spec(aid: str, title: str, day: int, topics: list, text: str = "Words.") -> dict:
        return {
            "article_id": aid,
            "title": title,
            "author": "Ann Lee",
            "outlet": "Wire",
            "date": f"2019-01-0{day}",
            "url": None,
            "paragraphs": [(text, topics, False, None)],
        }

    specs = [
        spec(
            "on1",
            "Sanctions tightened",
            1,
            [("sanctions", 0.6, 0.1, 0.2, 0.1, 0.9)],
            "Sanctions followed the INF dispute.",
        ),
        spec("on2", "Treaty talks", 2, [("arms_control", 0.7, 0.1, 0.2, 0.1, 0.9)]),
        spec("off", "Football results", 3, []),
    ]
    return _write_specs(tmp_path_factory.mktemp("runs_quiet"), "20190110-120000-quiet000", specs)


def test_articles_that_discuss_no_topic_are_listed_only_on_request(app, quiet_runs_dir):
    at = app(quiet_runs_dir).run()
    at.switch_page("app_pages/article.py").run()
    assert not at.exception, [e.value for e in at.exception]
    box = at.selectbox(key="w_article")
    assert box.options == [
        "Treaty talks — Ann Lee · 2019-01-02",
        "Sanctions tightened — Ann Lee · 2019-01-01",
    ]
    assert at.header[0].value == "Treaty talks"  # the newest article that discusses a topic

    at.text_input(key="art_query").input("football").run()
    assert "Untick *Only articles that discuss a topic*" in at.warning[0].value
    at.checkbox(key="art_discussing").uncheck().run()
    assert at.header[0].value == "Football results"


def test_a_search_can_look_into_the_articles_text(app, quiet_runs_dir):
    at = app(quiet_runs_dir).run()
    at.switch_page("app_pages/article.py").run()
    at.text_input(key="art_query").input("inf dispute").run()
    assert "No article matches this search." in at.warning[0].value  # titles only
    at.checkbox(key="art_in_text").check().run()
    assert not at.warning
    assert at.selectbox(key="w_article").options == ["Sanctions tightened — Ann Lee · 2019-01-01"]
    assert at.header[0].value == "Sanctions tightened"
    # the tick lives in the address: a link copied now opens the same list
    assert at.query_params["in_text"] == "1"
    linked = app(quiet_runs_dir, search="inf dispute", in_text="1").run()
    linked.switch_page("app_pages/article.py").run()
    assert linked.checkbox(key="art_in_text").value is True and not linked.warning
    assert linked.header[0].value == "Sanctions tightened"


def test_a_search_matches_word_starts_and_acronyms_whole():
    from dashboard.app_pages.article import search_pattern

    def hits(query: str, text: str) -> bool:
        return bool(search_pattern(query).search(text))

    assert hits("sanction", "New Sanctions on Moscow")
    assert hits("here to stay", "Sanctions Are Here to Stay")
    assert not hits("anctions", "New Sanctions on Moscow")  # not inside a word
    assert hits("INF", "the INF treaty") and hits("INF", "INF.")
    assert not hits("INF", "more information") and not hits("INF", "the inf treaty")
    assert hits("inf", "the INF treaty") and hits("inf", "more information")  # lower case: any
    assert hits("(US)", "a (US) view")  # punctuation is taken literally
    assert hits("ICBM", "new ICBMs") and not hits("ICBM", "ICBMx")  # an acronym's plural
    assert hits("$100", "US$100 million")  # a query starting with punctuation: anywhere


def test_the_list_says_how_many_match_when_it_shows_only_the_newest(monkeypatch):
    import pandas as pd

    from dashboard.app_pages import article as page

    monkeypatch.setattr(page, "MAX_CHOICES", 2)
    meta = pd.DataFrame(
        {
            "article_id": ["a", "b", "c"],
            "title": ["Sanctions one", "Sanctions two", "Weather"],
            "group": ["Ann", "Bob", "Cid"],
            "outlet": ["X", "X", "Y"],
            "day": pd.to_datetime(["2018-01-01", "2018-02-01", "2018-03-01"]),
        }
    )
    assert page._choices(meta, "", None) == (["c", "b"], 3)  # newest two of three
    assert page._choices(meta, "sanctions", None) == (["b", "a"], 2)


def test_a_link_to_an_article_opens_it_whatever_the_list_s_filters(app, quiet_runs_dir):
    """A link copied with a search that found the article only in its text (a box the link
    does not carry), or among articles that discuss no topic, still opens that article."""
    for article_id, search, title in (
        ("off", "Football", "Football results"),  # discusses no topic: filtered out by default
        ("on1", "INF dispute", "Sanctions tightened"),  # found in its text, not its title
    ):
        at = app(quiet_runs_dir, article=article_id, search=search).run()
        at.switch_page("app_pages/article.py").run()
        assert not at.exception and not at.warning, (article_id, [w.value for w in at.warning])
        assert at.header[0].value == title
        label = at.selectbox(key="w_article").label  # the search finds no other
        assert label == "Article (the one asked for; the search and filters find no other)"
    # without a search: listed first, out of the date order the label names, and said
    at = app(quiet_runs_dir, article="off").run()
    at.switch_page("app_pages/article.py").run()
    assert at.selectbox(key="w_article").value == "off"
    label = at.selectbox(key="w_article").label
    assert label.endswith(" shown, newest first, after the one asked for)"), label


def test_the_list_counts_what_the_filters_give_beside_a_linked_article(app, large_runs_dir):
    """A review: a link to an article outside the newest 300 made the label say "the newest
    301 of 717", counting the linked article among the newest."""
    from analysis.runs import load_run

    run = load_run("latest", large_runs_dir)
    discussed = run.positions[
        (run.positions["level"] == "article") & (run.positions["status"] == "discussed")
    ]
    dated = run.articles[run.articles["article_id"].isin(set(discussed["article_id"]))]
    oldest = dated.sort_values("date").iloc[0]["article_id"]
    at = app(large_runs_dir, article=oldest).run()
    at.switch_page("app_pages/article.py").run()
    assert not at.exception, [e.value for e in at.exception]
    label = at.selectbox(key="w_article").label
    assert re.match(r"Article \(the newest 300 of [\d,]+; search to find the others\)", label)
    assert label.endswith(" and the one asked for")
    assert at.selectbox(key="w_article").value == oldest


def _one_article_open(app, runs_dir, **fields):
    """The Article page on a run of one article, "a1" (its spec's ``fields`` given)."""
    spec = {
        "article_id": "a1",
        "title": "Treaty talks",
        "author": "Ann Lee",
        "outlet": "Wire",
        "date": "2019-01-02",
        "url": None,
        "paragraphs": [("Words.", [("arms_control", 0.7, 0.1, 0.2, 0.1, 0.9)], False, None)],
        **fields,
    }
    at = app(_write_specs(runs_dir, "20190110-120000-single00", [spec]), article="a1").run()
    return at.switch_page("app_pages/article.py").run()


def test_the_source_link_keeps_the_address_as_it_is(app, tmp_path):
    """A review: the link was Markdown-escaped, so '_' became '\\_' and the browser opened
    '/'-broken addresses for 428 of the AllSides articles."""
    url = "https://example.com/national-security_3143215.html#top?a=1&b=2"
    at = _one_article_open(app, tmp_path, url=url)
    assert not at.exception
    links = [m.value for m in at.markdown if ">source</a>" in m.value]
    assert len(links) == 1
    assert 'href="https://example.com/national-security_3143215.html#top?a=1&amp;b=2"' in links[0]


def test_switching_to_a_run_without_the_open_article_says_so(app, tmp_path, quiet_runs_dir):
    """A review: switching runs swapped the open article for another without a word."""
    runs = tmp_path / "runs"
    make_small_run(runs)
    for run in quiet_runs_dir.iterdir():
        if run.is_dir():
            shutil.copytree(run, runs / run.name)
    at = app(runs, run="20181110-120000-seeds000", article=NHAN_DAN_ARTICLE).run()
    at.switch_page("app_pages/article.py").run()
    assert at.header[0].value.startswith("A positive sign")
    at.sidebar.selectbox(key="w_run").set_value("20190110-120000-quiet000").run()  # no Nhan Dan
    assert not at.exception
    assert any(f"(id {NHAN_DAN_ARTICLE}) is not in this run" in i.value for i in at.info)
    assert at.header[0].value in {"Sanctions tightened", "Treaty talks"}


def test_a_link_to_an_article_the_run_lacks_names_it_as_an_article(app, small_runs_dir):
    at = app(small_runs_dir, article="no-such-article").run()
    at.switch_page("app_pages/article.py").run()
    warnings = [w.value for w in at.warning]
    assert any("This link asked for article “no-such-article”" in w for w in warnings), warnings


def test_a_byline_with_section_tags_says_they_count_for_no_one(app, tmp_path):
    """A review: "Malia Zimmerman, Homeland Security, Illegal Immigration Crime" read as three
    co-authors in the header, with no word that only the first counts."""
    byline = "Malia Zimmerman, Homeland Security, Illegal Immigration Crime"
    at = _one_article_open(app, tmp_path, author=byline, outlet="Fox Online News")
    notes = [c.value for c in at.caption if "Counted for" in c.value]
    assert notes == [
        "Counted for: Malia Zimmerman. The rest of the byline (Homeland Security, Illegal "
        "Immigration Crime) is not read as a name, and counts for no one."
    ]


def test_an_article_not_in_english_says_its_numbers_say_little(app, tmp_path):
    """The run names the articles whose text does not look like English (run.json
    "not_english"); their page says so above the numbers."""
    import json

    path = make_small_run(tmp_path)
    meta = json.loads((path / "run.json").read_text())
    (path / "run.json").write_text(json.dumps({**meta, "not_english": [NHAN_DAN_ARTICLE]}))
    at = app(tmp_path, article=NHAN_DAN_ARTICLE).run()
    at.switch_page("app_pages/article.py").run()
    assert any("does not look like English" in w.value for w in at.warning)
    at = app(tmp_path, article="001_6c28832786d132a7").run()
    at.switch_page("app_pages/article.py").run()
    assert not any("does not look like English" in w.value for w in at.warning)
