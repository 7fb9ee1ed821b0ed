"""The scaled corpus repeats every article under new ids, and the loader keeps every copy."""

from __future__ import annotations

import json

from analysis.corpus import load_corpus
from experiments.scaled_corpus import write_scaled


def test_copies_get_new_ids_and_are_not_folded_as_duplicates(tmp_path):
    source = tmp_path / "articles.jsonl"
    records = [
        {"ID": str(n), "title": f"T{n}", "content_original": f"Sanctions on Russia, story {n}."}
        for n in range(4)
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "x3.jsonl"
    assert write_scaled(source, 3, out) == 12
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["ID"] for r in written[:5]] == ["0", "1", "2", "3", "0-copy1"]
    assert written[:4] == records  # copy 0 is the file as it is
    corpus = load_corpus([out])
    assert len(corpus.articles) == 12 and not corpus.duplicates
