"""Helpers for the corpus tests: small article files written into tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SHARED_DATA

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ALLSIDES = SHARED_DATA / "allsides" / "articles.jsonl"

BODY = (
    "Sanctions on Russia were tightened again this spring by the Treasury. "
    "The new measures target banks and energy companies in Moscow.\n\n"
    "Critics of the policy doubt that it changes the Kremlin's course in Ukraine."
)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def write_jsonl(path: Path, records: list) -> Path:
    return write(path, "".join(json.dumps(r) + "\n" for r in records))
