"""The shipped rosters are found by the byline rule on the corpus, reserved articles left out."""

from __future__ import annotations

import json

from experiments.known_rosters import main
from tests.conftest import write_jsonl

ROSTER = "Hannah Brown, Lauren Katz, Theo Schleifer"


def _record(i: int, byline: str, outlet: str = "Vox") -> dict:
    return {
        "ID": f"a{i}",
        "title": f"Title {i}",
        "authors": byline,
        "source": outlet,
        "content_original": f"Article number {i} has a paragraph of its own text. " * 3,
    }


def test_rosters_are_found_on_the_unreserved_articles_and_written_as_json(tmp_path):
    leads = ["Ann Lee", "Bob Roe", "Cy Doe", "Di Poe", "Ed Moe"]
    rows = [_record(i, f"{lead}, {ROSTER}") for i, lead in enumerate(leads)]
    # the reserved articles alone would make "Zed Zee" a roster name of "Other"
    rows += [_record(10 + i, f"{lead}, Zed Zee", "Other") for i, lead in enumerate(leads)]
    corpus = write_jsonl(tmp_path / "corpus.jsonl", rows)
    reserved = tmp_path / "reserved.txt"
    reserved.write_text("\n".join(f"a{10 + i}" for i in range(5)) + "\n")
    out = tmp_path / "rosters.json"
    found = main(["--corpus", str(corpus), "--reserved", str(reserved), "--out", str(out)])
    assert found == {"Vox": sorted(ROSTER.split(", "))}
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["rosters"] == found
    assert record["source"].startswith("corpus.jsonl: 5 articles")
