"""Which record fields hold what, for JSON, JSON Lines and CSV inputs.

The defaults read AllSides records directly (``ID``, ``title``, ``authors``, ``source``,
``date``, ``url``, ``content_original``). When the named field is absent or empty, a few
common alternatives are tried (:data:`FALLBACKS`), so ``{"title": ..., "text": ...}`` works too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields

from analysis.bylines import byline_names
from analysis.corpus.dates import normalise_date

# Tried, in order, after the field a FieldMap names.
FALLBACKS: Mapping[str, tuple[str, ...]] = {
    "id": ("id", "article_id", "ID", "uuid"),
    "title": ("title", "headline"),
    "authors": ("authors", "author", "byline", "creator"),
    # "publication": the All the News corpus and many scrapes name the outlet so
    "outlet": ("outlet", "source", "publisher", "publication", "site_name", "sitename"),
    "date": ("date", "published", "published_at", "publish_date", "date_published", "pubdate"),
    "url": ("url", "link"),
    "text": ("content_original", "text", "content", "body", "article", "maintext"),
}


@dataclass(frozen=True)
class FieldMap:
    """Record field names for id, title, authors, outlet, date, url and text."""

    id: str = "ID"
    title: str = "title"
    authors: str = "authors"
    outlet: str = "source"
    date: str = "date"
    url: str = "url"
    text: str = "content_original"

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(
                    f"expected a field name (non-empty str) for {f.name}, got {value!r}"
                )

    def candidates(self, name: str) -> tuple[str, ...]:
        """The record fields tried for ``name``: the mapped one first, then the fallbacks."""
        primary = getattr(self, name)
        return (primary, *(f for f in FALLBACKS[name] if f != primary))

    def lookup(self, record: Mapping[str, object], name: str) -> object:
        """The first non-empty value among :meth:`candidates`, else None; a field named in
        another case ("Title", "TEXT": a spreadsheet's header) where none is named exactly."""
        for key in self.candidates(name):
            value = record.get(key)
            if _present(value):
                return value
        folded = {str(k).casefold(): v for k, v in record.items()}
        for key in self.candidates(name):
            value = folded.get(key.casefold())
            if _present(value):
                return value
        return None

    def given_date(self, record: Mapping[str, object]) -> str | None:
        """The record's date as written (before it is read as a date), or None."""
        return _scalar(self.lookup(record, "date"))

    def extract(self, record: Mapping[str, object]) -> dict[str, str | None]:
        """The record's id, title, author, outlet, date, url and text as clean strings."""
        return {
            "id": _scalar(self.lookup(record, "id")),
            "title": _scalar(self.lookup(record, "title")),
            "author": _authors(self.lookup(record, "authors")),
            "outlet": _scalar(self.lookup(record, "outlet")),
            "date": normalise_date(_scalar(self.lookup(record, "date"))),
            "url": _scalar(self.lookup(record, "url")),
            "text": _text(self.lookup(record, "text")),
        }


def _present(value: object) -> bool:
    return value is not None and value != "" and value != []


def _scalar(value: object) -> str | None:
    """A display string (NFKC, single spaces); ``{"name": ...}`` gives the name; empty is None."""
    if isinstance(value, Mapping):
        value = value.get("name")
    if value is None or isinstance(value, list | dict | bool):
        return None
    text = " ".join(unicodedata.normalize("NFKC", str(value)).split())
    return text or None


def _authors(value: object) -> str | None:
    """Authors as one display string: a list is joined with ", ", a string is kept; None where
    no part of it is a name (scraped page furniture, "Staff"), so that the article is grouped
    under its outlet like any article without a named author."""
    if isinstance(value, list):
        names = [_scalar(v) for v in value]
        value = ", ".join(n for n in names if n)
    text = _scalar(value)
    return text if text and byline_names(text) else None


def _text(value: object) -> str | None:
    if isinstance(value, list):  # some corpora store paragraphs as a list
        value = "\n\n".join(str(v) for v in value if isinstance(v, str))
    if not isinstance(value, str) or not value.strip():
        return None
    return value
