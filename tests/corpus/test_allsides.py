"""A real slice of the AllSides corpus loads directly with the default field map."""

from __future__ import annotations

import json
import unicodedata
from itertools import islice

import pytest

from analysis.bylines import byline_names
from analysis.corpus import load_corpus
from analysis.corpus.contributors import contributor_named
from tests.corpus.conftest import ALLSIDES

pytestmark = pytest.mark.skipif(not ALLSIDES.is_file(), reason=f"{ALLSIDES} is absent")


def test_allsides_slice_loads_with_metadata_and_valid_passages(tmp_path):
    path = tmp_path / "slice.jsonl"
    with ALLSIDES.open(encoding="utf-8") as source:
        lines = list(islice(source, 200))
    path.write_text("".join(lines), encoding="utf-8")
    records = [json.loads(line) for line in lines]

    corpus = load_corpus([path])

    assert corpus.skipped == []
    assert [a.article_id for a in corpus.articles] == [r["ID"] for r in records]
    by_id = {a.article_id: a for a in corpus.articles}
    for record in records:
        article = by_id[record["ID"]]
        assert article.title == _display(record["title"])
        assert article.outlet == _display(record["source"])
        byline = _display(record["authors"])
        # A byline without any name (page furniture, "Npr Staff") is no author; the writer a
        # contributor note names stands in for a missing one.
        unsigned = contributor_named(article.text)
        assert article.author == (byline if byline_names(byline) else unsigned)
        assert article.date == (record["date"] or None)
    texts = {a.article_id: a.text for a in corpus.articles}
    assert all(texts[p.article_id][p.start : p.end] == p.text for p in corpus.passages)
    assert {p.article_id for p in corpus.passages} == set(texts)
    assert not any("Story Continued Below" in t or "ADVERTISEMENT" in t for t in texts.values())
    reported = [p for p in corpus.passages if p.reported]
    assert 0.1 < len(reported) / len(corpus.passages) < 0.6
    assert any(p.speaker == "Trump" for p in reported)


def _display(value: str) -> str | None:
    """Metadata as the loader shows it: NFKC, single spaces, empty as None."""
    return " ".join(unicodedata.normalize("NFKC", value).split()) or None
