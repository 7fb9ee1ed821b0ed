"""A manifest beside the files overrides metadata, excludes files and is validated."""

from __future__ import annotations

import pytest

from analysis.corpus import ManifestError, load_corpus
from tests.corpus.conftest import BODY, write, write_jsonl


def test_toml_manifest_overrides_and_adds_metadata(tmp_path):
    write(tmp_path / "a.txt", f"Title From File\n\n{BODY}")
    write(tmp_path / "b.txt", f"Other Title\n\n{BODY.replace('spring', 'summer')}")
    write(
        tmp_path / "articles.toml",
        """
[articles."a.txt"]
title = "Title From Manifest"
author = "Ann Lee"
outlet = "The Outlet"
date = 2018-06-29
url = "https://example.org/a"
note = "ignored by the loader"
""",
    )
    corpus = load_corpus([tmp_path])
    a, b = corpus.articles
    assert (a.title, a.author, a.outlet, a.date, a.url) == (
        "Title From Manifest", "Ann Lee", "The Outlet", "2018-06-29", "https://example.org/a"
    )  # fmt: skip
    assert (b.title, b.author, b.outlet) == ("Other Title", None, None)  # no entry: unchanged
    assert corpus.skipped == []  # the manifest itself is not an article, nor a skipped input


def test_empty_string_in_toml_clears_a_value_from_the_file(tmp_path):
    write_jsonl(tmp_path / "r.jsonl", [{"ID": "r1", "authors": "Wrong Name", "text": BODY}])
    write(tmp_path / "articles.toml", '[articles."r.jsonl"]\nauthor = ""\noutlet = "Outlet"\n')
    (article,) = load_corpus([tmp_path]).articles
    assert (article.author, article.outlet, article.group_kind) == (None, "Outlet", "outlet")


def test_csv_manifest_with_exclude_column(tmp_path):
    write(tmp_path / "a.txt", f"T\n\n{BODY}")
    write(tmp_path / "notes.txt", f"Notes\n\n{BODY.replace('spring', 'May')}")
    write(
        tmp_path / "articles.csv",
        "file,author,date,exclude\na.txt,Bo Kim,2019-01-02,\nnotes.txt,,,yes\n",
    )
    corpus = load_corpus([tmp_path])
    (article,) = corpus.articles
    assert (article.author, article.date) == ("Bo Kim", "2019-01-02")
    assert [(s.source, s.reason) for s in corpus.skipped] == [
        (str(tmp_path / "notes.txt"), "excluded by articles.csv")
    ]


def test_exclude_list_and_documentation_files(tmp_path):
    write(tmp_path / "a.txt", f"T\n\n{BODY}")
    write(tmp_path / "SOURCES.md", "# Sources\n\nWhere the files come from, and more lines.")
    write(tmp_path / "README.txt", "Read me\n\nThis folder holds articles for the analysis.")
    write(tmp_path / "draft.txt", f"Draft\n\n{BODY.replace('spring', 'fall')}")
    write(tmp_path / "articles.toml", 'exclude = ["SOURCES.md", "draft*"]\n')
    corpus = load_corpus([tmp_path])
    assert [a.article_id for a in corpus.articles] == ["a"]
    reasons = {s.source.rsplit("/", 1)[1]: s.reason for s in corpus.skipped}
    assert reasons["SOURCES.md"] == "excluded by articles.toml"
    assert reasons["draft.txt"] == "excluded by articles.toml"
    assert reasons["README.txt"].startswith("documentation file")


def test_a_documentation_name_with_a_manifest_entry_is_loaded(tmp_path):
    write(tmp_path / "README.txt", f"Actually an article\n\n{BODY}")
    write(tmp_path / "articles.toml", '[articles."README.txt"]\noutlet = "X"\n')
    (article,) = load_corpus([tmp_path]).articles
    assert article.title == "Actually an article"


def test_manifest_applies_when_a_file_is_given_directly(tmp_path):
    path = write(tmp_path / "a.txt", f"T\n\n{BODY}")
    write(tmp_path / "articles.toml", '[articles."a.txt"]\noutlet = "Outlet"\n')
    (article,) = load_corpus([path]).articles
    assert article.outlet == "Outlet"


def test_entry_for_a_missing_file_is_a_warning(tmp_path, capsys):
    write(tmp_path / "a.txt", f"T\n\n{BODY}")
    write(tmp_path / "articles.toml", '[articles."gone.txt"]\noutlet = "X"\n')
    assert len(load_corpus([tmp_path]).articles) == 1
    assert "gone.txt" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[articles."a.txt"]\nautor = "X"\n', "expected fields among title, author"),
        ('[articles."a.txt"]\nauthor = 3\n', "expected a string for author, got 3"),
        ('[articles."a.txt"]\ndate = "late June 2018"\n', "expected a date like 2018-06-29"),
        ('exclude = "SOURCES.md"\n', "expected 'exclude' to be a list of file names"),
        ('[files."a.txt"]\ntitle = "X"\n', "expected top-level keys among exclude, articles"),
        ("articles = [", "expected valid TOML"),
    ],
)
def test_invalid_toml_manifest_raises_a_clear_error(tmp_path, content, message):
    write(tmp_path / "a.txt", f"T\n\n{BODY}")
    write(tmp_path / "articles.toml", content)
    with pytest.raises(ManifestError, match=message) as info:
        load_corpus([tmp_path])
    assert "articles.toml" in str(info.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,author\na.txt,X\n", "expected a 'file' column"),
        ("file,writer\na.txt,X\n", "expected columns among"),
        ("file,exclude\na.txt,maybe\n", "expected exclude to be true or false"),
        ("file,author\na.txt,X\na.txt,Y\n", "expected each file once"),
    ],
)
def test_invalid_csv_manifest_raises_a_clear_error(tmp_path, content, message):
    write(tmp_path / "a.txt", f"T\n\n{BODY}")
    write(tmp_path / "articles.csv", content)
    with pytest.raises(ManifestError, match=message):
        load_corpus([tmp_path])


def test_two_manifests_in_one_folder_is_an_error(tmp_path):
    write(tmp_path / "a.txt", f"T\n\n{BODY}")
    write(tmp_path / "articles.toml", "")
    write(tmp_path / "articles.csv", "file\n")
    with pytest.raises(ManifestError, match="expected one manifest"):
        load_corpus([tmp_path])


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("articles.toml", '[articles."sub/a.txt"]\ntitle = "Set from above"\n'),
        ("articles.csv", "file,title\nsub/a.txt,Set from above\n"),
    ],
)
def test_a_manifest_key_with_a_subfolder_is_refused_not_ignored(tmp_path, name, content):
    write(tmp_path / "sub" / "a.txt", f"Own title\n\n{BODY}")
    write(tmp_path / name, content)
    with pytest.raises(ManifestError, match=r"sub/a\.txt.*put one in sub/ for its files"):
        load_corpus([tmp_path])


def test_a_written_manifest_reads_back_as_written(tmp_path):
    from analysis.corpus.manifest import write_manifest

    written = write_manifest(
        tmp_path,
        {"a.txt": {"author": "Ann Lee", "date": "2024-05-01"}},
        exclude=["notes.txt"],
        comment="made by a test\nsecond line",
    )
    assert written.path == tmp_path / "articles.toml"
    assert written.overrides("a.txt")["author"] == "Ann Lee"
    assert written.exclude == ("notes.txt",)
    assert (tmp_path / "articles.toml").read_text().startswith("# made by a test\n# second line\n")
    with pytest.raises(ManifestError, match="date"):
        write_manifest(tmp_path, {"b.txt": {"date": "not a date"}})
