"""The reserved AllSides articles are held out: no committed file names one."""

import json
import re
import subprocess
from pathlib import Path

import pytest

import experiments.reserved
from experiments.topic_relevance import choose_threshold
from tests.conftest import SHARED_DATA

ROOT = Path(__file__).resolve().parents[2]
RESERVED = SHARED_DATA / "allsides" / "reserved_ids.txt"
BINARY = (".safetensors", ".parquet", ".png", ".npy", ".ico")
# An AllSides ID: 16 letters and digits, standing alone
_ID = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9]{16})(?![A-Za-z0-9])")


@pytest.mark.skipif(not RESERVED.is_file(), reason="needs ../shared/data/allsides")
def test_no_committed_file_names_a_reserved_article():
    """Labels, splits, results and docs alike: a reserved id anywhere means it was labelled,
    tuned on or read for a choice (stop 58's review found 56 labelled relevance passages
    from 44 of them)."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    reserved = set(RESERVED.read_text(encoding="utf-8").split())
    found = {}
    for name in listed.stdout.splitlines():
        path = ROOT / name
        if path.suffix not in BINARY and path.is_file():
            ids = set(_ID.findall(path.read_text(encoding="utf-8", errors="replace")))
            if ids & reserved:
                found[name] = sorted(ids & reserved)[:3]
    assert not found


def test_relevance_labels_from_a_reserved_article_are_refused(tmp_path, monkeypatch):
    reserved = tmp_path / "reserved_ids.txt"
    reserved.write_text("AAAAAAAAAAAAAAAA\n", encoding="utf-8")
    monkeypatch.setattr(experiments.reserved, "RESERVED", reserved)
    rows = [
        {"id": 0, "text": "a", "context": "", "source": "seed:x.txt:0", "labels": {}},
        {"id": 1, "text": "b", "context": "", "source": "allsides:BBBBBBBBBBBBBBBB:3"},
    ]
    labels = tmp_path / "labels.jsonl"
    labels.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert [r["id"] for r in choose_threshold.read_labels(labels)] == [0, 1]
    rows.append({"id": 7, "text": "c", "context": "", "source": "allsides:AAAAAAAAAAAAAAAA:2"})
    labels.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(SystemExit, match="1 passage\\(s\\) from reserved articles \\(ids 7\\)"):
        choose_threshold.read_labels(labels)
