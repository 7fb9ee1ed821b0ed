"""Text that is not all UTF-8, read rather than dropped.

Scraped and exported articles are often UTF-8 with a stray Windows-1252 byte (a curly quote
pasted from a word processor), or Windows-1252 throughout. Skipping such a file loses a whole
article for one byte, so every byte run that is not UTF-8 is read as Windows-1252 (the five
bytes that code page leaves undefined become U+FFFD), and the caller gets a note to warn with.
Valid UTF-8 around the bad bytes stays as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FALLBACK = "cp1252"
FALLBACK_NAME = "Windows-1252"


@dataclass(frozen=True)
class Decoded:
    """Text as read, and what was read otherwise than as UTF-8 (None when nothing was)."""

    text: str
    note: str | None = None


def decode_lenient(data: bytes) -> Decoded:
    """``data`` as UTF-8 (a leading byte-order mark dropped), its undecodable bytes as
    Windows-1252."""
    try:
        return Decoded(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    return from_escaped(data.decode("utf-8-sig", errors="surrogateescape"), bom)


def from_escaped(escaped: str, offset: int = 0) -> Decoded:
    """Text decoded with ``errors="surrogateescape"`` (bad byte b as U+DC00 + b), its escaped
    bytes read as Windows-1252; ``offset``: where the text began in its bytes."""
    runs = list(_ESCAPED.finditer(escaped))
    if not runs:
        return Decoded(escaped)
    bad = escaped_bytes(escaped)
    offset += len(escaped[: runs[0].start()].encode("utf-8", errors="surrogateescape"))
    noun = "byte" if bad == 1 else "bytes"
    note = f"not UTF-8: {bad} {noun} read as {FALLBACK_NAME} (the first at offset {offset})"
    return Decoded(_ESCAPED.sub(_as_fallback, escaped), note)


_ESCAPED = re.compile("[\udc80-\udcff]+")


def escaped_bytes(escaped: str) -> int:
    """How many bytes that were not UTF-8 a text decoded with ``surrogateescape`` holds."""
    return sum(len(m.group()) for m in _ESCAPED.finditer(escaped))


def _as_fallback(run: re.Match[str]) -> str:
    return bytes(ord(c) - 0xDC00 for c in run.group()).decode(FALLBACK, errors="replace")
