"""Each file format is read into articles with the right text and metadata."""

from __future__ import annotations

import csv
import json

import pytest

from analysis.corpus import FieldMap, load_corpus, normalise_date
from tests.corpus.conftest import BODY, write, write_jsonl


def test_txt_first_line_is_title_and_rest_is_text(tmp_path):
    write(tmp_path / "a.txt", f"A Title\n\n{BODY}\n")
    corpus = load_corpus([tmp_path])
    (article,) = corpus.articles
    assert article.title == "A Title"
    assert article.article_id == "a"
    assert article.source == str(tmp_path / "a.txt")
    assert article.text.startswith("Sanctions on Russia")
    assert "A Title" not in article.text
    assert article.author is None and article.group == "A Title" and article.group_kind == "article"


def test_markdown_heading_marks_are_removed_from_title(tmp_path):
    write(tmp_path / "b.md", f"# On sanctions\n\n{BODY}")
    (article,) = load_corpus([tmp_path]).articles
    assert article.title == "On sanctions"


def test_single_paragraph_text_file_keeps_all_text_and_has_no_title(tmp_path):
    write(tmp_path / "one.txt", BODY.replace("\n\n", " "))
    (article,) = load_corpus([tmp_path]).articles
    assert article.title == ""
    assert article.text.startswith("Sanctions on Russia")
    assert article.group == "one"  # falls back to the article id


def test_a_first_line_that_reads_as_a_sentence_is_text_not_a_title(tmp_path):
    """A review: a lede pasted without its headline lost its first paragraph to the title."""
    lede = (
        "Secretary of State John Kerry stepped before the cameras in Indiana on Tuesday to "
        "defend the sanctions."
    )
    write(tmp_path / "pasted.txt", f"{lede}\n\n{BODY}\n")
    (article,) = load_corpus([tmp_path]).articles
    assert article.title == ""
    assert article.text.startswith("Secretary of State John Kerry")


def test_a_manifest_title_keeps_the_first_line_as_text(tmp_path):
    write(tmp_path / "a.txt", f"Kerry went to Indiana on Tuesday.\n\n{BODY}\n")
    write(tmp_path / "articles.toml", '[articles."a.txt"]\ntitle = "Kerry in Indiana"\n')
    (article,) = load_corpus([tmp_path]).articles
    assert article.title == "Kerry in Indiana"
    assert article.text.startswith("Kerry went to Indiana on Tuesday.")


def test_record_fields_named_in_another_case_are_read(tmp_path):
    """A spreadsheet's header ("Title", "Author", "Text") read as the fields it names."""
    path = tmp_path / "sheet.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Title", "Author", "Date", "Text"])
        writer.writerow(["Sanctions", "Ann Lee", "2019-01-02", BODY])
    (article,) = load_corpus([tmp_path]).articles
    assert (article.title, article.author, article.date) == ("Sanctions", "Ann Lee", "2019-01-02")
    assert article.text.startswith("Sanctions on Russia")


def test_html_main_text_and_metadata_come_from_trafilatura(tmp_path):
    page = f"""<html><head><title>Sanctions and Moscow - The Site</title>
    <meta name="author" content="Jane Doe"><meta property="og:site_name" content="The Site">
    <meta property="article:published_time" content="2019-03-01T10:00:00Z"></head>
    <body><nav>Home | About | Contact</nav><article><h1>Sanctions and Moscow</h1>
    {"".join(f"<p>{p}</p>" for p in BODY.split(chr(10) * 2))}
    </article><footer>Site footer links</footer></body></html>"""
    write(tmp_path / "page.html", page)
    (article,) = load_corpus([tmp_path]).articles
    assert article.title == "Sanctions and Moscow"
    assert (article.author, article.outlet, article.date) == ("Jane Doe", "The Site", "2019-03-01")
    assert "Treasury" in article.text and "Critics of the policy" in article.text
    assert "Home | About" not in article.text and "footer" not in article.text


def test_json_object_and_list_of_objects(tmp_path):
    record = {"ID": "x1", "title": "T", "source": "Outlet", "content_original": BODY}
    write(tmp_path / "one.json", json.dumps(record))
    other = {"title": "U", "text": BODY.replace("spring", "winter")}
    write(tmp_path / "many.json", json.dumps([other, 5]))
    corpus = load_corpus([tmp_path])
    ids = [a.article_id for a in corpus.articles]
    assert ids == ["many-1", "x1"]  # sorted file order; own id when present
    assert corpus.articles[1].source == str(tmp_path / "one.json")
    assert corpus.articles[0].source == f"{tmp_path / 'many.json'} item 1"  # not a line
    assert [s.source for s in corpus.skipped] == [f"{tmp_path / 'many.json'} item 2"]
    assert "expected a JSON object, got int" in corpus.skipped[0].reason


def test_json_records_wrapped_in_one_list_of_an_object_are_read(tmp_path):
    """A review's {"articles": [...]} (as APIs return them) was skipped as "no text"."""
    first = {"title": "T", "text": BODY}
    second = {"title": "U", "text": BODY.replace("spring", "winter")}
    write(tmp_path / "api.json", json.dumps({"status": "ok", "articles": [first, second, 5]}))
    corpus = load_corpus([tmp_path])
    assert [a.title for a in corpus.articles] == ["T", "U"]
    assert corpus.articles[1].source == f"{tmp_path / 'api.json'} 'articles' item 2"
    # an object that is itself an article stays one, whatever lists it holds
    tagged = {"title": "V", "text": BODY.replace("spring", "autumn"), "tags": [{"k": 1}]}
    write(tmp_path / "one.json", json.dumps(tagged))
    assert [a.title for a in load_corpus([tmp_path / "one.json"]).articles] == ["V"]


def test_jsonl_reads_allsides_fields_and_normalises_metadata(tmp_path):
    records = [
        {
            "ID": "abc",
            "title": "Title one",
            "authors": "Quint Forgey, Brent D. Griffiths",
            "source": "Politico",
            "date": "2019-03-01",
            "url": "https://example.org/1",
            "content_original": BODY,
        },
        {"ID": "def", "title": "Two", "authors": "", "source": "", "date": "4/4/17",
         "content_original": BODY.replace("spring", "autumn")},
    ]  # fmt: skip
    path = write_jsonl(tmp_path / "a.jsonl", records)
    first, second = load_corpus([path]).articles
    assert (first.article_id, first.author, first.outlet, first.date, first.url) == (
        "abc", "Quint Forgey, Brent D. Griffiths", "Politico", "2019-03-01", "https://example.org/1"
    )  # fmt: skip
    assert first.group == "Quint Forgey, Brent D. Griffiths" and first.group_kind == "author"
    assert first.source == f"{path}:1"
    assert (second.author, second.outlet, second.date) == (None, None, "2017-04-04")
    assert second.group == "Two" and second.group_kind == "article"


def test_a_byline_without_a_name_leaves_the_article_under_its_outlet(tmp_path):
    furniture = "Backgroundurl Avatar_Large, Story Count, Comment Count, Popular Tags"
    records = [
        {"ID": f"a{i}", "title": f"T{i}", "authors": byline, "source": "Daily Kos",
         "content_original": BODY.replace("spring", word)}
        for i, (byline, word) in enumerate(
            [(furniture, "spring"), ("Npr Staff", "autumn"), ("Jane Doe, Story Count", "winter")]
        )
    ]  # fmt: skip
    articles = load_corpus([write_jsonl(tmp_path / "a.jsonl", records)]).articles
    assert [(a.author, a.group, a.group_kind) for a in articles] == [
        (None, "Daily Kos", "outlet"),
        (None, "Daily Kos", "outlet"),
        # One real name is enough: the byline is kept as written for display.
        ("Jane Doe, Story Count", "Jane Doe, Story Count", "author"),
    ]


def test_csv_with_custom_field_map_and_author_list(tmp_path):
    path = tmp_path / "a.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["key", "headline", "writer", "paper", "published", "body"])
        writer.writerow(["k1", "Head", "Ann Lee, Bo Kim", "The Paper", "March 1, 2019", BODY])
        writer.writerow(["k2", "No body", "", "", "", ""])
    fields = FieldMap(id="key", title="headline", authors="writer", outlet="paper",
                      date="published", text="body")  # fmt: skip
    corpus = load_corpus([path], fields=fields)
    (article,) = corpus.articles
    assert (article.article_id, article.title, article.author, article.outlet, article.date) == (
        "k1", "Head", "Ann Lee, Bo Kim", "The Paper", "2019-03-01"
    )  # fmt: skip
    assert article.source == f"{path}:2"
    (skipped,) = corpus.skipped
    # the first row's body spans lines 2-4 (it holds two line breaks), so the second starts at 5
    assert skipped.source == f"{path}:5" and skipped.reason.startswith("no text")


def test_field_fallbacks_and_json_author_lists(tmp_path):
    record = {"id": 7, "headline": "H", "author": ["Ann Lee", "Bo Kim"], "content": BODY}
    path = write_jsonl(tmp_path / "b.jsonl", [record])
    (article,) = load_corpus([path]).articles
    assert (article.article_id, article.title, article.author) == ("7", "H", "Ann Lee, Bo Kim")
    named = {"id": 8, "publication": "The Daily", "text": BODY}
    (other,) = load_corpus([write_jsonl(tmp_path / "c.jsonl", [named])]).articles
    assert other.outlet == "The Daily"  # a "publication" column names the outlet


def test_field_map_validates_names():
    with pytest.raises(ValueError, match="expected a field name"):
        FieldMap(text="")


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2019-03-01", "2019-03-01"),
        ("2019-03-01T12:30:00Z", "2019-03-01"),
        ("4/4/17", "2017-04-04"),
        ("March 1, 2019", "2019-03-01"),
        ("Mar. 1, 2019", "2019-03-01"),
        ("1 March 2019", "2019-03-01"),
        ("Friday, March 1st, 2019", "2019-03-01"),
        # a feed's date (RFC 2822): the day as written, not moved to another zone
        ("Thu, 28 Jun 2018 14:33:00 GMT", "2018-06-28"),
        ("28 Jun 2018 23:30:00 -0500", "2018-06-28"),
        ("Thu, 31 Feb 2018 10:00:00 GMT", None),
        ("late June 2018", None),
        ("June 2018", None),  # no day: not invented
        ("", None),
        (None, None),
    ],
)
def test_normalise_date(value, iso):
    assert normalise_date(value) == iso


def test_an_html_date_comes_from_markup_never_from_a_copyright_footer(tmp_path):
    body = "".join(f"<p>{p}</p>" for p in BODY.split(chr(10) * 2))
    page = (
        "<html><head><title>Sanctions and Moscow</title></head><body><article>"
        f"<h1>Sanctions and Moscow</h1>{body}</article>"
        "<footer><p>Copyright 2020 The Site. All rights reserved.</p></footer></body></html>"
    )
    write(tmp_path / "page.html", page)
    (article,) = load_corpus([tmp_path]).articles
    assert article.date is None
    dated = page.replace("</head>", '<meta property="article:published_time" content="2018-07-16">')
    write(tmp_path / "page.html", dated.replace("</title>", "</title></head>", 1))
    (article,) = load_corpus([tmp_path]).articles
    assert article.date == "2018-07-16"


def test_a_csv_separated_by_semicolons_or_tabs_is_read_as_such(tmp_path):
    for name, delimiter in (("semi.csv", ";"), ("tabs.csv", "\t")):
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8-sig") as handle:  # a spreadsheet's BOM
            writer = csv.writer(handle, delimiter=delimiter)
            writer.writerow(["ID", "title", "text"])
            writer.writerow(["s1", "Sanctions, again", BODY])  # a comma in a cell is no delimiter
        corpus = load_corpus([path])
        (article,) = corpus.articles
        assert (article.article_id, article.title) == ("s1", "Sanctions, again"), name
        assert not corpus.skipped


def test_a_quoted_header_name_holding_a_comma_does_not_make_the_file_comma_separated():
    from analysis.corpus.readers import csv_delimiter

    assert csv_delimiter(b'"id, key";text;date\n1;2;3\n') == ";"
    assert csv_delimiter(b'id,"text; body"\n') == ","


def test_a_field_in_another_case_that_holds_no_string_is_named_not_a_crash(tmp_path):
    """A review: {"Title": "A", "Text": 42} stopped the whole load (StopIteration)."""
    write_jsonl(tmp_path / "a.jsonl", [{"Title": "A", "Text": 42}, {"title": "B", "text": BODY}])
    corpus = load_corpus([tmp_path])
    assert [a.title for a in corpus.articles] == ["B"]
    (skipped,) = corpus.skipped
    assert "expected a string in Text, found int 42" in skipped.reason


def test_a_markdown_heading_is_the_title_however_it_ends(tmp_path):
    heading = "# Why the treaty talks in Geneva this week matter more than the ones in Vienna did."
    write(tmp_path / "h.md", f"{heading}\n\n{BODY}\n")
    (article,) = load_corpus([tmp_path]).articles
    assert article.title.startswith("Why the treaty talks")


def test_a_record_without_a_text_field_is_skipped_naming_the_fields_it_has(tmp_path):
    """A spreadsheet whose text column has another name ("Body Text"): the warning names the
    record's columns and what to rename, not only the names tried."""
    path = tmp_path / "sheet.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Headline", "Body Text"])
        writer.writerow(["Sanctions", BODY])
    corpus = load_corpus([tmp_path])
    assert not corpus.articles
    (skipped,) = corpus.skipped
    assert "none of the fields content_original, text" in skipped.reason
    assert "(this record has Headline, Body Text: rename the one that holds" in skipped.reason


def test_a_byline_under_a_text_files_title_names_its_author(tmp_path):
    """ "By Michael R. Gordon" under a .txt title was cut as a credit line and the article was
    grouped under its title: it is the author, and leaves the text."""
    write(tmp_path / "a.txt", f"Sanctions tighten\n\nBy Michael R. Gordon\n\n{BODY}")
    write(
        tmp_path / "b.txt", f"Other title\n\nBy Eric Tucker and Deb Riechmann, AP\n\n{BODY} More."
    )
    write(
        tmp_path / "c.txt", f"Third title\n\nBy the way, this is no byline at all.\n\n{BODY} Yes."
    )
    articles = {a.article_id: a for a in load_corpus([tmp_path]).articles}
    assert articles["a"].author == "Michael R. Gordon"
    assert "Gordon" not in articles["a"].text and articles["a"].text.startswith("Sanctions on")
    assert articles["b"].author == "Eric Tucker and Deb Riechmann"
    assert articles["c"].author is None and articles["c"].text.startswith("By the way")
    from analysis.corpus.readers import text_byline

    for line in ("By The Numbers", "BY THE NUMBERS", "By Any Means Necessary", "By Now"):
        assert text_byline(line) is None, line  # a heading, not a byline
