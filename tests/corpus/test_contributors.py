"""analysis.corpus.contributors: the writer an unsigned op-ed names in the note that ends it."""

import pytest

from analysis.corpus import load_corpus
from analysis.corpus.contributors import contributor_named
from tests.corpus.conftest import BODY, write_jsonl


@pytest.mark.parametrize(
    ("note", "writer"),
    [
        (
            "Jonathan Turley is the chair of public interest law at George Washington University.",
            "Jonathan Turley",
        ),
        ("Robert A. Manning is a senior fellow of the Atlantic Council.", "Robert A. Manning"),
        (
            "The Memo is a reported column by Niall Stanage, focused on the presidency.",
            "Niall Stanage",
        ),
        (
            "Rep. Eric Swalwell, D-Calif., a former prosecutor, serves on the House Intelligence "
            "Committee.",
            "Eric Swalwell",
        ),
        ("Herman Pirchner, Jr. is the founding president of a foreign policy council.",
         "Herman Pirchner"),
        ("Cindy Otis, a writer and consultant, worked for the CIA for 10 years as an analyst.",
         "Cindy Otis"),
        (
            "Rep. Ro Khanna, a Democrat, represents Silicon Valley in the House. Rep. Matt Gaetz, "
            "a Republican, represents Florida's 1st district and serves on the Armed Services "
            "Committee.",
            "Ro Khanna, Matt Gaetz",
        ),
    ],
)  # fmt: skip
def test_a_contributor_note_names_the_writer(note, writer):
    assert contributor_named(f"{BODY}\n\n{note}") == writer


@pytest.mark.parametrize(
    "note",
    [
        "The Pentagon is building 133 cyber teams, a former official said.",  # not a name
        "Mr Mulvaney was ordered by Congress to testify, and the former aide refused.",
        "Sanctions expert Jane Doe is a fellow here.",  # does not begin with the name
        "Jane Doe is visiting Moscow next week.",  # no role: a sentence about her
    ],
)
def test_other_last_paragraphs_name_no_one(note):
    assert contributor_named(f"{BODY}\n\n{note}") is None


def test_a_sentence_about_someone_else_with_an_aside_is_no_note():
    note = "Alan Futerfas, an attorney for Trump Jr., said the officer is a U.S. citizen."
    assert contributor_named(f"{BODY}\n\n{note}") is None


def test_a_header_that_is_only_the_writers_name_does_not_count_as_discussing_them():
    note = "Eric Swalwell is a former prosecutor and serves on the Intelligence Committee."
    assert contributor_named(f"Eric Swalwell\n\n{BODY}\n\n{note}") == "Eric Swalwell"


def test_a_person_the_article_discusses_is_not_its_writer():
    text = f"Jane Doe met the Russian envoy in Geneva.\n\n{BODY}\n\nJane Doe is a former diplomat."
    assert contributor_named(text) is None


def test_an_unsigned_article_is_grouped_under_its_contributor_a_byline_wins(tmp_path):
    note = "Jane Doe is a senior fellow at the Atlantic Council."
    records = [
        {"ID": "op-ed", "title": "T", "text": f"{BODY}\n\n{note}"},
        {"ID": "signed", "title": "T", "authors": "John Roe", "text": f"{BODY} Again.\n\n{note}"},
    ]
    articles = load_corpus([write_jsonl(tmp_path / "a.jsonl", records)]).articles
    assert [(a.article_id, a.author) for a in articles] == [
        ("op-ed", "Jane Doe"),
        ("signed", "John Roe"),
    ]


def test_a_columns_note_after_a_dash_names_its_writer():
    note = "— Rich Lowry is the editor of National Review. He can be reached via email."
    assert contributor_named(f"{BODY}\n\n{note}") == "Rich Lowry"


def test_a_byline_that_is_the_sites_list_of_writers_gives_way_to_the_note(tmp_path):
    """AllSides files Rich Lowry's and George Will's columns with National Review's list of
    writers as their byline: they were credited to the list's first name."""
    roster = (
        "John Mccormack, Michael Dougherty, Robert Verbruggen, Kyle Smith, Jim Geraghty, Ann Lee"
    )
    note = "— Rich Lowry is the editor of National Review."
    records = [
        {"ID": "column", "title": "T", "authors": roster, "text": f"{BODY}\n\n{note}"},
        # the note presents one of a list's writers: the byline stands (the list is cut later)
        {
            "ID": "listed",
            "title": "T",
            "authors": f"Rich Lowry, {roster}",
            "text": f"{BODY} B.\n\n{note}",
        },
        # a byline of a few names is the article's writers, whatever note ends it
        {"ID": "few", "title": "T", "authors": "John Roe, Ann Lee", "text": f"{BODY} C.\n\n{note}"},
    ]
    articles = load_corpus([write_jsonl(tmp_path / "a.jsonl", records)]).articles
    assert [(a.article_id, a.author) for a in articles] == [
        ("column", "Rich Lowry"),
        ("listed", f"Rich Lowry, {roster}"),
        ("few", "John Roe, Ann Lee"),
    ]


def test_a_columnists_address_stands_for_a_bio():
    note = "— Charles Krauthammer’s email address is letters@charleskrauthammer.com."
    assert contributor_named(f"{BODY}\n\n{note}") == "Charles Krauthammer"
    # an address of no name at the start of the sentence names no one
    assert contributor_named(f"{BODY}\n\nthe senator’s email address is a@b.com.") is None
