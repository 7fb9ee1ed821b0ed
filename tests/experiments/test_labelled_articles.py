"""The labelled articles' corpus that the article-level recipes analyse."""

import json

import pytest

from experiments.article_level.labelled_articles import write_labelled_articles


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_labelled_articles_lines_are_kept_as_they_are_in_corpus_order(tmp_path):
    corpus = _jsonl(tmp_path / "corpus.jsonl", [{"ID": i, "text": f"t{i}"} for i in "abcd"])
    labels = _jsonl(
        tmp_path / "labels.jsonl",
        [
            {"article_id": "c", "topic": "sanctions", "label": "none"},
            {"article_id": "a", "topic": "sanctions", "label": "favor"},
            {"article_id": "a", "topic": "ukraine", "label": "not_discussed"},
        ],
    )
    out = tmp_path / "out" / "labelled.jsonl"
    assert write_labelled_articles(labels, corpus, out) == 2
    assert [json.loads(line)["ID"] for line in out.read_text().splitlines()] == ["a", "c"]
    lines = corpus.read_text().splitlines()
    assert out.read_text().splitlines() == [lines[0], lines[2]]  # byte for byte


def test_a_labelled_article_missing_from_the_corpus_is_refused(tmp_path):
    corpus = _jsonl(tmp_path / "corpus.jsonl", [{"ID": "a"}])
    labels = _jsonl(
        tmp_path / "labels.jsonl", [{"article_id": "zz", "topic": "x", "label": "none"}]
    )
    with pytest.raises(SystemExit, match=r"1 labelled article\(s\) are not in .*: zz"):
        write_labelled_articles(labels, corpus, tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()
