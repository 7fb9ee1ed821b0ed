"""The three seeds load with their manifest metadata and what is tricky in each handled."""

from __future__ import annotations

import pytest

from analysis.corpus import load_corpus
from tests.corpus.conftest import SEEDS


@pytest.fixture(scope="module")
def seeds():
    corpus = load_corpus([SEEDS])
    return corpus, {a.article_id: a for a in corpus.articles}


def _passages(corpus, article_id):
    return [p for p in corpus.passages if p.article_id == article_id]


def test_seeds_load_with_manifest_metadata_and_nothing_invented(seeds):
    corpus, articles = seeds
    assert sorted(articles) == [
        "000_75f37cc66b80f13e",
        "001_6c28832786d132a7",
        "004_874e9fd0087b4233",
    ]
    meta = {k: (a.author, a.outlet, a.date, a.group, a.group_kind) for k, a in articles.items()}
    assert meta == {
        "000_75f37cc66b80f13e": (None, "Valdai Discussion Club", None, "Valdai Discussion Club",
                                 "outlet"),
        "001_6c28832786d132a7": ("Ivan Timofeev", "Valdai Discussion Club", None, "Ivan Timofeev",
                                 "author"),
        "004_874e9fd0087b4233": (None, "Nhan Dan", None, "Nhan Dan", "outlet"),
    }  # fmt: skip
    assert articles["000_75f37cc66b80f13e"].url.endswith(
        "valdaiclub.com/a/highlights/repairing-relations-incrementally/"
    )
    for article in articles.values():  # titles: the first line of each file
        first_line = (SEEDS / f"{article.article_id}.txt").read_text().splitlines()[0]
        assert article.title == first_line
    assert [(s.source, s.reason) for s in corpus.skipped] == [
        (str(SEEDS / "SOURCES.md"), "excluded by articles.toml")
    ]


def test_valdai_disclaimer_is_gone(seeds):
    corpus, articles = seeds
    for article_id in ("000_75f37cc66b80f13e", "001_6c28832786d132a7"):
        assert "Views expressed" not in articles[article_id].text
        assert not any("Views expressed" in p.text for p in _passages(corpus, article_id))


def test_repeated_opening_of_000_counts_once(seeds):
    corpus, _ = seeds
    texts = [p.text for p in _passages(corpus, "000_75f37cc66b80f13e")]
    opening = "The Russian-American relations are at the lowest point in the past quarter-century."
    assert texts.count(opening) == 1
    assert len(texts) == len(set(texts))


def test_captions_of_004_are_gone_and_officials_are_reported(seeds):
    corpus, articles = seeds
    assert "(Reuters)" not in articles["004_874e9fd0087b4233"].text
    passages = _passages(corpus, "004_874e9fd0087b4233")
    speakers = {p.speaker for p in passages if p.reported}
    assert {"Dmitry Peskov", "Sergey Lavrov", "John Bolton"} <= speakers
    last = passages[-1]  # the author's conclusion, with a scare quote, is own voice
    assert "positive sign" in last.text and not last.reported


def test_001_interview_attribution_is_the_authors_voice(seeds):
    corpus, _ = seeds
    first = _passages(corpus, "001_6c28832786d132a7")[0]
    assert "says Ivan Timofeev" in first.text and not first.reported


def test_000_peskov_is_reported(seeds):
    corpus, _ = seeds
    peskov = [p for p in _passages(corpus, "000_75f37cc66b80f13e") if p.reported]
    assert [p.speaker for p in peskov] == ["Dmitry Peskov"]
