"""load_corpus: bad inputs are skipped with reasons, duplicates dropped, ids unique, hash stable."""

from __future__ import annotations

import os
import textwrap

import pytest

from analysis.corpus import Corpus, load_corpus
from tests.corpus.conftest import BODY, write, write_jsonl


def _reasons(corpus: Corpus) -> dict[str, str]:
    return {s.source.rsplit("/", 1)[1]: s.reason for s in corpus.skipped}


def test_bad_files_are_skipped_with_reasons_and_loading_goes_on(tmp_path, capsys):
    write(tmp_path / "good.txt", f"Good\n\n{BODY}")
    write(tmp_path / "empty.txt", "  \n\n")
    write(tmp_path / "binary.txt", b"Title\n\nab\x00cd" * 10)
    huge = write(tmp_path / "huge.txt", "Title\n\n" + "word " * 300)
    write(tmp_path / "broken.json", '{"title": "x", ')
    write(tmp_path / "scalar.json", "42")
    write(tmp_path / "image.png", b"\x89PNG")
    write(tmp_path / "only_boilerplate.txt", "Title\n\nADVERTISEMENT\n\nStory Continued Below")
    os.symlink(tmp_path / "nowhere.txt", tmp_path / "dangling.txt")
    write(tmp_path / ".hidden.txt", f"Hidden\n\n{BODY}")  # hidden files are ignored
    corpus = load_corpus([tmp_path], max_bytes=1000)
    assert [a.article_id for a in corpus.articles] == ["good"]
    reasons = _reasons(corpus)
    assert reasons == {
        "binary.txt": "binary file (contains NUL bytes)",
        "broken.json": reasons["broken.json"],
        "dangling.txt": reasons["dangling.txt"],
        "empty.txt": "empty file",
        "huge.txt": f"file is {huge.stat().st_size:,} bytes, over max_bytes=1,000",
        "image.png": "unsupported file type '.png'",
        "only_boilerplate.txt": "no text left after removing boilerplate and captions",
        "scalar.json": "expected a JSON object or a list of objects, got int",
    }
    assert reasons["broken.json"].startswith("malformed JSON")
    assert reasons["dangling.txt"].startswith("unreadable")
    err = capsys.readouterr().err
    assert all(f"skipped {s.source}: {s.reason}" in err for s in corpus.skipped)


def test_bad_jsonl_lines_are_skipped_with_their_line_number(tmp_path):
    path = tmp_path / "c.jsonl"
    lines = [
        '{"ID": "a", "content_original": "' + BODY.replace("\n", " ") + '"}',
        "{not json",
        "",
        '["a list"]',
        '{"ID": "b", "title": "no text here"}',
        '{"ID": "c", "content_original": "' + "x" * 500 + '"}',
        '{"ID": "d", "text": "Another article about arms control talks in Geneva."}',
    ]
    write(path, "\n".join(lines).encode() + b"\n\xff\xfe\n")  # read as Windows-1252: not JSON
    corpus = load_corpus([path], max_bytes=400)
    assert [a.article_id for a in corpus.articles] == ["a", "d"]
    got = {s.source.rsplit(":", 1)[1]: s.reason for s in corpus.skipped}
    assert sorted(got) == ["2", "4", "5", "6", "8"]
    assert got["2"].startswith("malformed JSON")
    assert got["4"] == "expected a JSON object, got list"
    assert got["5"].startswith("no text: none of the fields content_original, text")
    assert got["6"] == f"line is {len(lines[5]) + 1} bytes, over max_bytes=400"
    assert got["8"].startswith("malformed JSON")


def test_a_jsonl_line_cut_short_is_said_to_be_so(tmp_path):
    """A review's copy cut inside a record read "Invalid control character at (column 56)"."""
    record = '{"ID": "a", "content_original": "' + BODY.replace("\n", " ") + '"}'
    lines = [record[:56], '{"ID": "b", "text": 5,}', record[:20]]  # the last without a newline
    write(tmp_path / "c.jsonl", "\n".join(lines))
    got = {s.source.rsplit(":", 1)[1]: s.reason for s in load_corpus([tmp_path]).skipped}
    cut = "the line ends before its record does: cut short?"
    assert cut in got["1"] and cut in got["3"]
    assert cut not in got["2"]  # a mistake inside the line is only that


def test_a_text_field_that_is_not_a_string_is_named_in_the_reason(tmp_path):
    path = tmp_path / "n.jsonl"
    write(path, '{"ID": "a", "content_original": 12345}\n{"ID": "b", "text": {"p": 1}}\n')
    corpus = load_corpus([path])
    assert corpus.articles == []
    assert [s.reason for s in corpus.skipped] == [
        "no text: expected a string in content_original, found int 12345",
        "no text: expected a string in text, found dict {'p': 1}",
    ]


def test_empty_jsonl_file_is_skipped(tmp_path):
    corpus = load_corpus([write(tmp_path / "e.jsonl", "\n\n")])
    assert corpus.articles == [] and _reasons(corpus) == {"e.jsonl": "empty file"}


def test_missing_path_is_a_usage_error(tmp_path):
    with pytest.raises(
        ValueError, match=r"expected existing files or folders, got missing: .*nope"
    ):
        load_corpus([tmp_path / "nope"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_bytes": 0}, "expected max_bytes to be a positive int"),
        ({"fields": {"text": "body"}}, "expected fields to be a FieldMap or None"),
    ],
)
def test_bad_arguments_are_usage_errors(tmp_path, kwargs, message):
    write(tmp_path / "a.txt", f"T\n\n{BODY}")
    with pytest.raises(ValueError, match=message):
        load_corpus([tmp_path], **kwargs)


def test_duplicate_articles_are_skipped_and_point_to_the_first(tmp_path):
    write(tmp_path / "a.txt", f"First\n\n{BODY}")
    write(tmp_path / "b.txt", f"Copy\n\n{BODY.upper()}  \n\nADVERTISEMENT")  # same once cleaned
    write(tmp_path / "c.txt", f"Different\n\n{BODY} One more sentence here.")
    corpus = load_corpus([tmp_path])
    assert [a.article_id for a in corpus.articles] == ["a", "c"]
    assert all(a.duplicate_of is None for a in corpus.articles)
    # the first copy by its id and by where it was read (the user knows files, not ids)
    assert _reasons(corpus) == {"b.txt": f"duplicate of a ({tmp_path / 'a.txt'})"}
    (duplicate,) = corpus.duplicates
    assert (duplicate.article_id, duplicate.duplicate_of) == ("b", "a")
    assert {p.article_id for p in corpus.passages} == {"a", "c"}


def test_a_copy_whose_lines_break_elsewhere_is_a_duplicate(tmp_path):
    paragraphs = [
        "Russia and the United States should extend the New START treaty before it lapses, "
        "the senator said on Tuesday in a long speech to the chamber.",
        "Critics argue that the treaty ties America's hands.",
        "Officials are divided over the matter and talks are set for next week in Geneva.",
    ]
    write(tmp_path / "a.txt", "Title\n\n" + "\n\n".join(paragraphs))
    # the same words hard-wrapped at 40 columns, paragraphs run together: cleaning cannot
    # rebuild the paragraphs, yet it is the same article
    wrapped = "\n".join(textwrap.fill(p, 40) for p in paragraphs)
    write(tmp_path / "b.txt", "Title\n\n" + wrapped)
    corpus = load_corpus([tmp_path])
    assert [a.article_id for a in corpus.articles] == ["a"]
    assert _reasons(corpus)["b.txt"].startswith("duplicate of a")


def test_ids_are_unique_and_safe_for_passage_ids(tmp_path):
    records = [
        {"ID": "x:1", "text": BODY},
        {"ID": "x:1", "text": BODY + " Extra words make this one different."},
        {"text": BODY + " Yet another different ending here."},
    ]
    write_jsonl(tmp_path / "r.jsonl", records)
    write(tmp_path / "sub" / "x_1.txt", f"T\n\n{BODY} A fourth version of the text.")
    corpus = load_corpus([tmp_path])
    assert [a.article_id for a in corpus.articles] == ["x_1", "x_1-2", "r-3", "x_1-3"]
    assert all(p.passage_id.rsplit(":", 1)[0] == p.article_id for p in corpus.passages)


def test_folders_are_read_recursively_in_sorted_order_and_files_once(tmp_path):
    write(tmp_path / "b" / "z.txt", f"Z\n\n{BODY} z")
    write(tmp_path / "a.txt", f"A\n\n{BODY} a")
    write(tmp_path / "b" / "a.txt", f"BA\n\n{BODY} ba")
    corpus = load_corpus([tmp_path, tmp_path / "a.txt"])
    assert [a.title for a in corpus.articles] == ["A", "BA", "Z"]
    assert len({a.article_id for a in corpus.articles}) == 3


def test_a_linked_folder_is_read_once_and_a_link_loop_ends(tmp_path):
    """A review's folder of articles linked into the corpus was dropped without a word."""
    corpus_dir, real = tmp_path / "corpus", tmp_path / "real"
    write(corpus_dir / "a.txt", f"A\n\n{BODY} a")
    write(real / "b.txt", f"B\n\n{BODY} b")
    (corpus_dir / "linked").symlink_to(real, target_is_directory=True)
    (corpus_dir / "again").symlink_to(real, target_is_directory=True)  # the same folder twice
    (real / "loop").symlink_to(corpus_dir, target_is_directory=True)  # and back: a loop
    write(corpus_dir / ".hidden" / "c.txt", f"C\n\n{BODY} c")  # hidden: not read
    corpus = load_corpus([corpus_dir])
    assert sorted(a.title for a in corpus.articles) == ["A", "B"]


def test_corpus_hash_is_stable_and_tracks_content(tmp_path):
    write(tmp_path / "a.txt", f"A\n\n{BODY}")
    first = load_corpus([tmp_path]).hash()
    assert load_corpus([str(tmp_path)]).hash() == first
    assert len(first) == 64
    write(tmp_path / "articles.toml", '[articles."a.txt"]\nauthor = "Ann Lee"\n')
    assert load_corpus([tmp_path]).hash() != first


def test_passages_cover_every_article_with_valid_spans(tmp_path):
    write(tmp_path / "a.txt", f"A\n\n{BODY}")
    corpus = load_corpus([tmp_path])
    (article,) = corpus.articles
    assert len(corpus.passages) == 3
    assert all(article.text[p.start : p.end] == p.text for p in corpus.passages)


def test_progress_bar_goes_to_a_terminal_s_stderr_and_stays_out_of_logs(
    tmp_path, capsys, monkeypatch
):
    import sys

    write(tmp_path / "a.txt", f"A\n\n{BODY}")
    load_corpus([tmp_path], progress=True)  # stderr captured, as in a log: no bar
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # a terminal
    load_corpus([tmp_path], progress=True)
    captured = capsys.readouterr()
    assert "loading" in captured.err and captured.out == ""
    load_corpus([tmp_path])  # none asked for
    assert capsys.readouterr().err == ""


def test_a_date_that_cannot_be_read_is_named_and_the_article_kept_undated(tmp_path, capsys):
    records = [
        {
            "title": f"t{i}",
            "text": f"{BODY} Number {i}.",
            "date": "2018-06-28" if i == 0 else "soon",
        }
        for i in range(8)
    ]
    corpus = load_corpus([write_jsonl(tmp_path / "d.jsonl", records)])
    assert [a.date for a in corpus.articles] == ["2018-06-28"] + [None] * 7
    warned = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    named = [line for line in warned if "date 'soon' could not be read as a day" in line]
    assert len(named) == 5  # one by one up to a point, then counted
    assert "d.jsonl:2" in named[0]
    assert warned[-1] == "warning: 7 articles in all had a date that could not be read"


def test_a_date_that_reads_either_way_round_is_read_month_first_and_said(tmp_path, capsys):
    """03/04/2018 is 4 March in US order and 3 April elsewhere: read as the former, said."""
    records = [
        {"title": f"t{i}", "text": f"{BODY} Number {i}.", "date": day}
        for i, day in enumerate(["03/04/2018", "13/04/2018", "04/04/2018", "2018-04-03"])
    ]
    corpus = load_corpus([write_jsonl(tmp_path / "d.jsonl", records)])
    assert [a.date for a in corpus.articles] == [
        "2018-03-04",
        "2018-04-13",  # no month 13: only one reading
        "2018-04-04",  # the same day either way
        "2018-04-03",
    ]
    warned = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warned) == 1
    assert "d.jsonl:1: date '03/04/2018' reads either way round; read as 2018-03-04" in warned[0]


def test_a_date_in_the_future_or_before_1900_is_kept_and_named(tmp_path, capsys):
    """A review's articles dated 2040 and 1850 were taken silently."""
    import datetime

    future = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    records = [
        {"title": f"t{i}", "text": f"{BODY} Number {i}.", "date": day}
        for i, day in enumerate([future, "1850-03-01", "2018-06-28"])
    ]
    corpus = load_corpus([write_jsonl(tmp_path / "d.jsonl", records)])
    assert [a.date for a in corpus.articles] == [future, "1850-03-01", "2018-06-28"]
    warned = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warned) == 2
    assert f"date {future} is in the future; kept as written" in warned[0]
    assert "date 1850-03-01 is before 1900; kept as written" in warned[1]


def test_a_file_that_is_only_a_heading_is_skipped_not_read_as_an_empty_article(tmp_path, capsys):
    write(tmp_path / "t.txt", "Title only\n")
    write(tmp_path / "h.txt", "# A Markdown heading alone\n")
    write(tmp_path / "u.txt", f"T\n\n{BODY}")
    write(tmp_path / "v.txt", f"T\n\n{BODY}")  # a duplicate of u: skipped as such, as before
    write_jsonl(tmp_path / "w.jsonl", [{"id": "u", "title": "T", "text": "A second copy? " + BODY}])
    corpus = load_corpus([tmp_path])
    for name in ("t.txt", "h.txt"):
        assert _reasons(corpus)[name] == "no passage to score (only a heading, or no words)"
    assert "skipped" in capsys.readouterr().err and "t.txt" not in {
        a.source for a in corpus.articles
    }
    # an id made unique (u, then u-2) is the id its passages carry
    for article in corpus.articles:
        mine = [p for p in corpus.passages if p.article_id == article.article_id]
        assert mine and all(p.passage_id.startswith(f"{article.article_id}:") for p in mine)


def test_many_skipped_inputs_are_named_up_to_a_limit_then_counted(tmp_path, capsys):
    """Two hundred bad lines do not bury the log under two hundred warnings: the first
    SKIPS_SHOWN are named, the rest counted; every one is still recorded."""
    from analysis.corpus.loader import SKIPS_SHOWN

    path = tmp_path / "c.jsonl"
    lines = ["{not json"] * (SKIPS_SHOWN + 7)
    lines.append('{"ID": "a", "content_original": "' + BODY.replace("\n", " ") + '"}')
    write(path, ("\n".join(lines) + "\n").encode())
    corpus = load_corpus([path])
    assert len(corpus.skipped) == SKIPS_SHOWN + 7 and len(corpus.articles) == 1
    err = capsys.readouterr().err
    assert err.count("warning: skipped ") == SKIPS_SHOWN
    assert f"{SKIPS_SHOWN + 7} inputs skipped in all (7 not shown above)" in err
    assert all(s.reason for s in corpus.skipped)  # the reasons not shown are kept


def test_a_titles_trailing_link_is_not_part_of_the_title(tmp_path):
    url = "http://www.nationalreview.com/article/443827/rex-tillerson-good-choice"
    write_jsonl(
        tmp_path / "r.jsonl", [{"title": f"A Worthy Choice   Read more at: {url}", "text": BODY}]
    )
    assert [a.title for a in load_corpus([tmp_path]).articles] == ["A Worthy Choice"]


RUSSIAN = (
    "Санкции против России были ужесточены весной. Министерство финансов США объявило новые "
    "меры против банков и энергетических компаний в Москве. Критики политики сомневаются, что "
    "она изменит курс Кремля на Украине. Переговоры о контроле над вооружениями не ведутся уже "
    "несколько лет, и эксперты опасаются новой гонки вооружений в Европе и в мире в целом."
)


def test_an_article_not_in_english_is_named_since_it_will_read_not_discussed(tmp_path, capsys):
    records = [{"id": "ru", "text": RUSSIAN}, {"id": "en", "text": BODY}]
    corpus = load_corpus([write_jsonl(tmp_path / "mixed.jsonl", records)])
    assert [a.article_id for a in corpus.articles] == ["ru", "en"]  # both kept
    warned = [line for line in capsys.readouterr().err.splitlines() if "English" in line]
    assert len(warned) == 1 and "mixed.jsonl:1: the text does not look like English" in warned[0]


def test_ids_changed_to_be_safe_or_unique_are_named(tmp_path, capsys):
    records = [
        {"id": "same", "text": BODY},
        {"id": "same", "text": BODY + " A different ending here."},
        {"id": "a/b", "text": BODY + " Yet another ending here."},
    ]
    corpus = load_corpus([write_jsonl(tmp_path / "ids.jsonl", records)])
    assert [a.article_id for a in corpus.articles] == ["same", "same-2", "a_b"]
    err = capsys.readouterr().err
    assert "ids.jsonl:2: id 'same' is kept as 'same-2' (an earlier article has it)" in err
    assert "ids.jsonl:3: id 'a/b' is kept as 'a_b' (ids name files and links" in err
    # one note per article, with the id it ends up with, and the count at the end right
    same = [{"id": "a/b", "text": f"{BODY} Ending number {i}."} for i in range(7)]
    load_corpus([write_jsonl(tmp_path / "same.jsonl", same)])
    err = capsys.readouterr().err
    assert "7 articles in all were given another id" in err
    notes = [line for line in err.splitlines() if "id 'a/b'" in line]
    assert (
        len(notes) == 5 and "is kept as 'a_b-2' (" in notes[1] and "that id was taken" in notes[1]
    )
    assert "(the first 5 are named" in notes[4]


def test_the_parts_a_browser_saves_beside_a_page_are_not_read(tmp_path):
    """ "Save Page As, complete" writes "Page_files/" beside "Page.html": its scripts and
    images are no articles, and a framed promo in it would read as an article of its own."""
    page = (
        f"<html><head><title>Sanctions</title></head><body><article>{BODY}</article></body></html>"
    )
    write(tmp_path / "Kurtz article.html", page)
    parts = tmp_path / "Kurtz article_files"
    parts.mkdir()
    write(
        parts / "saved_resource(1).html", f"<html><body><p>{BODY} Subscribe now.</p></body></html>"
    )
    write(parts / "app.js", "var x = 1;")
    corpus = load_corpus([tmp_path])
    assert [a.source for a in corpus.articles] == [str(tmp_path / "Kurtz article.html")]
    assert not corpus.skipped  # no "unsupported file type '.js'" either
    # a folder that only ends like one, with no page of its name beside it, is read
    other = tmp_path / "notes_files"
    other.mkdir()
    write(other / "b.txt", f"Other\n\n{BODY} And one more sentence on it.")
    assert len(load_corpus([tmp_path]).articles) == 2


def test_a_pdf_or_an_experiment_file_among_articles_is_skipped_saying_what_to_do(tmp_path):
    write(tmp_path / "a.txt", f"Title\n\n{BODY}")
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4 not read")
    write(tmp_path / "vader.toml", "[models]\ntone = 'tone.vader.v1'\n")
    reasons = _reasons(load_corpus([tmp_path]))
    assert reasons["report.pdf"] == "unsupported file type '.pdf'; save its text as .txt first"
    assert "runs with `viewpoints run FILE.toml`" in reasons["vader.toml"]
