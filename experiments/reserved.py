"""The AllSides articles held out for evaluation: never labelled, never trained or tuned on."""

from __future__ import annotations

from pathlib import Path

RESERVED = Path(__file__).resolve().parents[2] / "shared" / "data" / "allsides" / "reserved_ids.txt"


def reserved_ids(path: Path | None = None) -> frozenset[str]:
    """The reserved article ids (``path``: another list; default the shared data's)."""
    return frozenset((path or RESERVED).read_text(encoding="utf-8").split())
