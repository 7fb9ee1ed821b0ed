"""`viewpoints show`: intervals, full names, no "-0.00", evidence under each row, and JSON."""

from __future__ import annotations

import json

import pytest

from analysis.cli import main
from analysis.report import positions_json
from analysis.runs import load_run, write_run
from analysis.terminal import format_positions, signed
from tests.dashboard.conftest import CONFIG_TOML, make_small_run

LONG_NAME = "Andrew Prokop-Featherstonehaugh of the Example Review"


@pytest.fixture
def run(tmp_path):
    path = make_small_run(tmp_path)
    loaded = load_run(path, tmp_path)
    positions = loaded.positions
    positions.loc[positions["author"] == "Ivan Timofeev", "author"] = LONG_NAME
    first = positions.index[(positions["level"] == "author") & (positions["status"] == "discussed")]
    positions.loc[first[0], ["stance", "stance_low", "stance_high"]] = [-0.001, -0.2, 0.0004]
    return loaded


@pytest.mark.parametrize(
    ("value", "text"),
    [(-0.001, "+0.00"), (0.004, "+0.00"), (-0.3, "-0.30"), (0.456, "+0.46"), (None, "-")],
)
def test_signed_numbers_never_show_minus_zero(value, text):
    assert signed(value) == text


def test_show_prints_intervals_and_whole_names(run):
    out = format_positions(run)
    assert LONG_NAME in out  # never cut
    assert "-0.00" not in out
    assert "S +0.00 [-0.20, +0.00]" in out
    discussed = run.positions[
        (run.positions["level"] == "author") & (run.positions["status"] == "discussed")
    ]
    row = discussed.dropna(subset=["tone_low"]).iloc[0]
    assert f"T {signed(row['tone'])} [{signed(row['tone_low'])}, {signed(row['tone_high'])}]" in out


def test_show_evidence_lists_the_top_passages_of_each_cell(run):
    out = format_positions(run, evidence=2)
    discussed = run.positions[
        (run.positions["level"] == "author") & (run.positions["status"] == "discussed")
    ]
    texts = run.passages.set_index("passage_id")["text"]
    titles = run.articles.set_index("article_id")["title"]
    for _, row in discussed.iterrows():
        for pid in list(row["evidence"])[:2]:
            # the id corrections and exports use, the place the Article page marks, and the
            # article's title (which may say whose words it holds: "Transcript: ...")
            passage = run.passages.set_index("passage_id").loc[pid]
            index, title = int(passage["index"]), titles[passage["article_id"]]
            shown = title if len(title) <= 48 else title[:47].rstrip() + "…"  # cut to fit
            assert f'[{pid}, ¶{index + 1} of "{shown}"]' in out
            assert " ".join(texts[pid].split())[:60] in out
    evidence_lines = [line for line in out.splitlines() if line.startswith("    ")]
    assert 0 < len(evidence_lines) <= 2 * len(discussed)
    assert not [line for line in format_positions(run).splitlines() if line.startswith("    ")]


def test_show_json_is_one_object_with_evidence(tmp_path, capsys):
    make_small_run(tmp_path)
    assert main(["show", "latest", "--runs-dir", str(tmp_path), "--json", "--evidence", "1"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["level"] == "author" and data["positions"]
    discussed = [r for r in data["positions"] if r["status"] == "discussed"]
    assert all(len(r["evidence_passages"]) <= 1 for r in discussed)
    assert any(r["evidence_passages"] and r["evidence_passages"][0]["text"] for r in discussed)
    assert all("evidence_passages" not in r for r in data["positions"] if r not in discussed)
    # what the trust rests on: this run's stance model was never measured on news
    assert data["stance_model_measured_on_news"] is False
    assert data["topics_not_measured"] == list(data["topics"].values())
    assert data["topic_head_untrained"] == [] and data["model_warnings"] == []


def test_show_json_matches_the_table(run):
    data = positions_json(run)
    assert {r["author"] for r in data["positions"]} == set(
        run.positions.loc[run.positions["level"] == "author", "author"]
    )


def _notes(text: str) -> list[str]:
    """`show`'s lines with its wrapped notes joined again."""
    return text.replace("\n  ", " ").splitlines()


def _trust(text: str) -> str:
    """`show`'s "how far to trust S" line, its wrapped lines joined: under the models line,
    before the table, where a long table cannot push it out of sight."""
    lines = _notes(text)
    (found,) = [i for i, line in enumerate(lines) if line.startswith("how far to trust S")]
    assert lines[found - 1].startswith("models: ")
    return lines[found]


def test_show_says_first_how_far_to_trust_the_stance_model(run):
    from analysis.news_accuracy import SHIPPED_ROOT, finds_no_against, read_news_accuracy

    # The small run's stance model has no recorded figures: the table says so.
    assert _trust(format_positions(run)).startswith(
        "how far to trust S: not measured on news for this stance model"
    )
    assert positions_json(run)["news_accuracy"] is None
    assert positions_json(run)["interval_method"] == "percentile bootstrap"  # not recorded
    v2 = read_news_accuracy(SHIPPED_ROOT / "minilm_v2" / "news_accuracy.json")
    run.meta["models"]["stance"] = {"name": v2.model, "weights_sha256": v2.weights_sha256}
    run.__dict__.pop("info", None)  # read run.json's models again
    last = _trust(format_positions(run))
    assert f"of the {v2.n_given} stances {v2.model} gives labelled article x topic pairs" in last
    if finds_no_against(v2):  # said first: the sign figure alone would read as trustworthy
        assert last.startswith(f"how far to trust S: {v2.model} finds no opposition (none of ")
    else:
        assert f"against found {v2.against_found} of {v2.n_against}" in last
    assert positions_json(run)["news_accuracy"]["run_id"] == v2.run_id


def test_show_says_how_many_candidates_the_topic_check_left_out(run):
    assert "topic check:" not in format_positions(run)  # the small run recorded none
    run.meta["counts"] = {**run.meta.get("counts", {}), "gated_out_pairs": 3418}
    lines = _notes(format_positions(run))
    assert lines[-1].startswith(
        "topic check: 3,418 candidate passage-topic pair(s) of the run left out"
    )


def test_show_of_some_topics_counts_the_pairs_left_out_on_those_topics(run):
    import pandas as pd

    keys = list(dict.fromkeys(run.positions["topic"]))
    run.meta["counts"] = {**run.meta.get("counts", {}), "gated_out_pairs": 3}
    article = run.articles["article_id"].iloc[0]
    gated = pd.DataFrame(
        {
            "passage_id": ["a:1", "a:2", "b:1"],
            "article_id": [article, "other", article],
            "topic": [keys[0]] * 2 + [keys[1]],
        }
    )
    gated.to_parquet(run.path / "gated_out.parquet")
    table = run.positions
    # show --level article of one article (--author): its own pairs, on every topic
    run.positions = table[table["article_id"] == article]
    assert _notes(format_positions(run, level="article"))[-1].startswith(
        "topic check: 2 candidate passage-topic pair(s) in the articles shown left out"
    )
    run.positions = table[table["topic"] == keys[1]]  # show --topic
    assert _notes(format_positions(run))[-1].startswith(
        "topic check: 1 candidate passage-topic pair(s) on the topics shown left out"
    )
    run.positions = run.positions[run.positions["topic"] == "none of them"]
    assert "topic check:" not in format_positions(run)


def test_a_quoted_stance_of_both_sides_reads_mixed_as_the_author_s_does(run):
    table = run.positions
    row = table.index[(table["level"] == "author") & (table["status"] == "discussed")][0]
    table["quoted_stance"], table["quoted_status"] = float("nan"), None
    table.loc[row, ["quoted_status", "quoted_stance"]] = ["expressed", 0.3]
    assert " Q +0.30 " in format_positions(run)
    table.loc[row, ["quoted_status", "quoted_stance"]] = ["mixed", -0.04]
    assert " Q mixed -0.04 " in format_positions(run)


def _show_json(tmp_path, capsys, *options):
    assert main(["show", "latest", "--runs-dir", str(tmp_path), "--json", *options]) == 0
    return json.loads(capsys.readouterr().out)["positions"]


def test_show_keeps_only_the_authors_and_topics_asked_for(tmp_path, capsys):
    make_small_run(tmp_path)
    rows = _show_json(tmp_path, capsys, "--author", "ivan  TIMOFEEV", "--topic", "Sanctions")
    assert [(r["author"], r["topic"]) for r in rows] == [("Ivan Timofeev", "sanctions")]
    # at article level, the author's articles
    rows = _show_json(tmp_path, capsys, "--level", "article", "--author", "Ivan Timofeev")
    assert {r["author"] for r in rows} == {"Ivan Timofeev"}
    assert len({r["article_id"] for r in rows}) == 2 and len(rows) == 6  # two articles x 3


def test_show_discussed_leaves_out_those_who_say_nothing_on_the_topics(tmp_path, capsys):
    make_small_run(tmp_path)
    everyone = _show_json(tmp_path, capsys, "--topic", "ukraine")
    silent = {r["author"] for r in everyone if r["status"] != "discussed"}
    assert silent  # someone does not discuss Ukraine
    rows = _show_json(tmp_path, capsys, "--topic", "ukraine", "--discussed")
    assert rows and all(r["status"] == "discussed" for r in rows)
    assert not silent & {r["author"] for r in rows}


def test_show_names_the_closest_authors_for_one_it_does_not_know(tmp_path, capsys):
    make_small_run(tmp_path)
    assert main(["show", "latest", "--runs-dir", str(tmp_path), "--author", "Timofeev"]) == 2
    err = capsys.readouterr().err
    assert "no author 'Timofeev'" in err and "Ivan Timofeev" in err


def test_an_author_discussed_only_through_quotes_reads_only_quoted_not_none():
    import pandas as pd

    from analysis.terminal import _cell

    row = pd.Series(
        {"status": "discussed", "stance": float("nan"), "stance_status": None, "tone": None}
        | {"quoted_stance": -0.79, "quoted_status": "expressed", "n_passages": 0}
    )
    assert _cell(row) == "S only quoted Q -0.79 n=0"
    own = row.copy()
    own["n_passages"], own["stance_status"] = 2, "no_stance"
    assert _cell(own).startswith("S none Q -0.79")
    silent = row.copy()
    silent["quoted_stance"], silent["quoted_status"] = float("nan"), "no_stance"
    assert _cell(silent) == "S only quoted Q none n=0"  # quoted, no side: said, not blank


def test_show_finds_an_author_by_the_name_the_run_s_positions_carry(tmp_path, capsys):
    """A run made before a byline rule changed keeps its authors' names: `show --author`
    finds them as the run wrote them."""
    source = load_run(make_small_run(tmp_path / "a"), tmp_path / "a")
    positions = source.positions.copy()
    positions.loc[positions["author"] == "Ivan Timofeev", "author"] = '"Ivan Timofeev"'
    tables = {
        "articles": source.articles,
        "passages": source.passages,
        "scores": source.scores,
        "positions": positions,
    }
    meta = {k: v for k, v in source.meta.items() if k not in ("run_id", "format_version")}
    runs = tmp_path / "b"
    write_run(runs, "20181110-120000-oldnames", meta, CONFIG_TOML, tables)
    rows = _show_json(runs, capsys, "--author", '"Ivan Timofeev"', "--topic", "sanctions")
    assert [r["author"] for r in rows] == ['"Ivan Timofeev"']


def test_show_json_names_only_the_topics_it_shows(tmp_path, capsys):
    make_small_run(tmp_path)
    assert (
        main(["show", "latest", "--runs-dir", str(tmp_path), "--json", "--topic", "ukraine"]) == 0
    )
    shown = json.loads(capsys.readouterr().out)
    assert list(shown["topics"]) == ["ukraine"]
    target = next(t.target for t in load_run("latest", tmp_path).info.topics if t.key == "ukraine")
    assert target and shown["targets"] == {"ukraine": target}  # what favor means


def test_show_marks_a_stance_sure_to_be_near_0(run):
    positions = run.positions
    at = positions.index[(positions["level"] == "author") & (positions["status"] == "discussed")]
    positions.loc[at[0], ["stance", "stance_low", "stance_high"]] = [0.02, 0.01, 0.04]
    positions.loc[at[1], ["stance", "stance_low", "stance_high"]] = [0.02, -0.3, 0.4]
    out = format_positions(run)
    assert "S +0.02 [+0.01, +0.04] near 0" in out
    assert "[-0.30, +0.40] near 0" not in out
    assert "'near 0': all of its interval within ±0.05" in " ".join(out.split())


def test_show_says_what_a_positive_stance_favors_on_each_topic_shown(run):
    out = format_positions(run)
    assert "above 0 favors, below 0 opposes the topic's target" in " ".join(out.split())
    for topic in run.info.topics:
        assert f"'{topic.target}'" in " ".join(out.split())


def test_show_says_why_nothing_is_shown(tmp_path, capsys):
    make_small_run(tmp_path)
    args = ["show", "latest", "--runs-dir", str(tmp_path), "--author", "Nhan Dan"]
    assert main([*args, "--topic", "ukraine", "--discussed"]) == 0  # Nhan Dan: not discussed
    captured = capsys.readouterr()
    assert "nothing to show: none of them discusses these topics" in captured.err
    assert "(no positions)" in captured.out


def _quote_in_a_discussed_cell(run, own_evidence: bool = False):
    """The run's first quote, and the author-level cell (index) discussing its topic that is
    given it as its quoted evidence; one with own-voice evidence too where asked."""
    scores, positions = run.scores, run.positions
    quote = scores[scores["reported"].astype(bool)].iloc[0]
    discussed = (
        (positions["level"] == "author")
        & (positions["topic"] == quote["topic"])
        & (positions["status"] == "discussed")
    )
    if own_evidence:
        discussed &= positions["evidence"].map(len).gt(0)
    at = positions.index[discussed][0]
    positions["quoted_evidence"] = [
        [quote["passage_id"]] if i == at else [] for i in positions.index
    ]
    return quote, at


def test_show_evidence_of_a_cell_discussed_only_through_quotes_lists_the_quotes(run):
    scores, positions = run.scores, run.positions
    quote, at = _quote_in_a_discussed_cell(run)
    positions["evidence"] = [[] if i == at else list(e) for i, e in positions["evidence"].items()]
    positions.at[at, "n_passages"] = 0
    out = format_positions(run, evidence=1)
    index = int(run.passages.set_index("passage_id").at[quote["passage_id"], "index"])
    line = next(x for x in out.splitlines() if f"[{quote['passage_id']}, ¶{index + 1} of " in x)
    assert line.split(": ", 1)[1].startswith(f"Q {signed(quote['stance'])}")  # its quoted voice
    data = positions_json(run, evidence=1)
    cell = next(
        r for r in data["positions"] if r["evidence_passages"] == [] and r["status"] == "discussed"
    )
    assert [p["passage_id"] for p in cell["quoted_evidence_passages"]] == [quote["passage_id"]]
    # a run recomputed from one of the older format: speaker columns, empty for its quotes
    run.scores = scores.assign(speaker_stance=float("nan"), speaker_favor=float("nan"))
    line = next(
        x
        for x in format_positions(run, evidence=1).splitlines()
        if f"[{quote['passage_id']}, ¶{index + 1} of " in x
    )
    assert line.split(": ", 1)[1].startswith(f"Q {signed(quote['stance'])}")  # not "Q -"


def test_show_gives_the_quoted_voices_stance_its_interval():
    import pandas as pd

    from analysis.terminal import _cell

    row = pd.Series(
        {"status": "discussed", "stance": 0.2, "stance_status": "expressed", "tone": None}
        | {"stance_low": 0.1, "stance_high": 0.3, "n_passages": 2}
        | {"quoted_stance": -0.5, "quoted_status": "expressed"}
        | {"quoted_low": -0.7, "quoted_high": -0.25}
    )
    assert _cell(row) == "S +0.20 [+0.10, +0.30] Q -0.50 [-0.70, -0.25] n=2"
    row["quoted_status"] = "mixed"
    assert " Q mixed (leaning against) -0.50 [-0.70, -0.25] " in _cell(row)
    row["quoted_low"] = float("nan")  # no interval where an end is missing
    assert " Q mixed -0.50 n=2" in _cell(row)


def test_show_wraps_its_notes_cuts_titles_and_says_what_n_counts(run):
    from analysis.terminal import SHOW_WIDTH, TITLE_CHARS

    lines = format_positions(run).splitlines()
    table = next(i for i, line in enumerate(lines) if line.startswith("author "))
    legend, trust = lines[:table], lines[-1]
    assert len(legend) > 1 and all(len(line) <= SHOW_WIDTH for line in legend)
    assert len(trust) <= SHOW_WIDTH
    joined = " ".join(line.strip() for line in legend)
    assert "n: the author's own topic passages (quotes not counted)" in joined
    assert "(a plain percentile bootstrap: too narrow on few passages)" in joined  # not recorded
    article = run.positions["level"] == "article"
    run.positions.loc[article, "title"] = "A very long title " * 10
    shown = format_positions(run, level="article")
    assert "A very long title " * 10 not in shown
    assert ("A very long title " * 10)[: TITLE_CHARS - 1] + "…" in shown
    # each article named by its id too, which the Article page and `correct` take
    first = run.positions.loc[article, "article_id"].iloc[0]
    assert ("A very long title " * 10)[: TITLE_CHARS - 1] + f"… [{first}]" in shown
    assert not any(line.endswith(" ") for line in shown.splitlines())


def test_show_leaves_out_units_that_discuss_nothing_when_the_table_is_long(tmp_path, capsys):
    """Beyond SHOW_ALL_UP_TO units the table lists those that discuss a topic and counts the
    rest (an audit found 138 of 170 rows "not discussed" three times over); --all lists them
    all, --json is never cut, and a short table stays whole."""
    import pandas as pd

    from analysis.cli.tables import SHOW_ALL_UP_TO

    path = make_small_run(tmp_path)
    loaded = load_run(path, tmp_path)
    positions = loaded.positions
    authors = positions[positions["level"] == "author"]
    template = authors[authors["author"] == authors["author"].iloc[0]]
    silent = []
    for i in range(SHOW_ALL_UP_TO + 5):
        rows = template.assign(author=f"Silent {i:02d}", status="not_discussed")
        silent.append(rows)
    tables = {
        "articles": loaded.articles,
        "passages": loaded.passages,
        "scores": loaded.scores,
        "positions": pd.concat([positions, *silent], ignore_index=True),
    }
    write_run(tmp_path, "long", loaded.meta, (path / "config.toml").read_text(), tables)
    args = ["show", "long", "--runs-dir", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Silent 00" not in out
    assert f"({SHOW_ALL_UP_TO + 5} authors that discuss none of the topics shown left out" in out
    speaking = set(authors.loc[authors["status"] == "discussed", "author"])
    assert all(name in out for name in speaking)
    assert main([*args, "--all"]) == 0
    assert "Silent 44" in capsys.readouterr().out
    assert main([*args, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert {"Silent 00", "Silent 44"} <= {p["author"] for p in shown["positions"]}
    assert main([*args, "--all", "--discussed"]) == 2


def test_show_names_the_models_and_warns_of_a_lexicons_tone(run):
    def with_tone(name: str) -> None:
        run.meta["models"]["tone"] = {"name": name}
        run.__dict__.pop("info", None)  # read run.json's models again

    with_tone("tone.minilm.v3")
    out = format_positions(run)
    assert "models: stance " in out and "Tone in this run is the VADER" not in out
    with_tone("tone.vader.v1")
    out = " ".join(format_positions(run).split())  # notes wrap
    assert "tone tone.vader.v1 (not the default stance and tone models)" in out  # a test model
    assert "Tone in this run is the VADER lexicon's" in out


def test_a_terminal_narrower_than_the_table_gets_one_block_per_unit(run):
    wide = format_positions(run)
    table_width = max(len(line) for line in wide.splitlines() if line.startswith("-"))
    assert format_positions(run, width=table_width + 10) == wide  # it fits: the table
    narrow = format_positions(run, width=80, evidence=1)
    assert "one block per author: the table is wider than 80 columns" in narrow
    lines = narrow.splitlines()
    first = lines.index(LONG_NAME)  # the name alone, its topics under it
    assert lines[first + 1].lstrip().startswith(("Arms control", "Sanctions", "Ukraine"))
    assert not any(line.startswith("-" * 20) for line in lines)  # no table rule
    units = [line for line in lines if not line.startswith((" ", "how far", "topic check"))]
    assert all(len(line) <= 100 for line in units)


def test_show_names_the_articles_that_do_not_look_like_english(run):
    """A review: a French article warned at analyze time, then showed "S none" in show and
    export as if it said nothing. The run keeps its id; show names it."""
    assert "not English" not in format_positions(run)
    first = str(run.articles["article_id"].iloc[0])
    run.meta["not_english"] = [first]
    text = " ".join(format_positions(run).split())
    lead = "not English: 1 article of the run does not look like English, and the models read"
    assert f"{lead} English, so its positions say little: {first} (" in text


def test_show_evidence_lists_the_quotes_behind_q_beside_the_authors_own(run):
    """A review: a quoted-voices stance of +0.53 showed no passage behind it in `show
    --evidence`, only the author's own."""
    positions = run.positions
    quote, at = _quote_in_a_discussed_cell(run, own_evidence=True)
    positions["quoted_stance"] = [0.5 if i == at else float("nan") for i in positions.index]
    out = format_positions(run, evidence=1)
    own = next(iter(positions.at[at, "evidence"]))
    lines = out.splitlines()
    mine = next(i for i, x in enumerate(lines) if f"[{own}, ¶" in x)
    quoted = next(i for i, x in enumerate(lines) if f"[{quote['passage_id']}, ¶" in x)
    assert ": S " in lines[mine] and ": Q " in lines[quoted] and quoted == mine + 1
