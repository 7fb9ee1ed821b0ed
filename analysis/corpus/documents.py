"""The corpus data types: articles, their passages, the inputs that were skipped."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One cleaned article with its metadata; passage spans index into ``text``."""

    article_id: str
    title: str
    author: str | None  # display string; several authors stay comma-separated ("A, B")
    outlet: str | None
    date: str | None  # ISO YYYY-MM-DD
    url: str | None
    source: str  # where it was read from: "path" or "path:line"
    text: str
    duplicate_of: str | None = None

    @property
    def group(self) -> str:
        """Who the article is grouped under: the author, else the outlet, else the title."""
        return self.author or self.outlet or self.title or self.article_id

    @property
    def group_kind(self) -> str:
        """``"author"``, ``"outlet"`` or ``"article"``: what :attr:`group` is."""
        if self.author:
            return "author"
        return "outlet" if self.outlet else "article"


@dataclass(frozen=True)
class Passage:
    """A sentence (or a few merged short ones) of an article, with its character span."""

    passage_id: str  # f"{article_id}:{index}"
    article_id: str
    index: int
    start: int
    end: int  # Article.text[start:end] == text
    text: str
    reported: bool  # quoted or attributed to someone other than the author
    speaker: str | None


NO_PASSAGE = "no passage to score (only a heading, or no words)"


@dataclass(frozen=True)
class Skipped:
    """An input that was not loaded: a file (``"path"``) or a record (``"path:line"``)."""

    source: str
    reason: str


EXCLUDED = "excluded by "  # the reason of a file a manifest leaves out, before its name


def is_excluded(reason: str) -> bool:
    """Whether a skipped input was left out on purpose (a manifest excludes it) rather than
    for being bad input."""
    return reason.startswith(EXCLUDED)


@dataclass
class Corpus:
    """Loaded articles and passages, the inputs skipped, and the duplicates left out."""

    articles: list[Article]
    passages: list[Passage]
    skipped: list[Skipped]
    duplicates: list[Article] = field(default_factory=list)

    def hash(self) -> str:
        """SHA-256 over article ids, metadata and texts, in order; independent of file paths."""
        digest = hashlib.sha256()
        for a in self.articles:
            row = [a.article_id, a.title, a.author, a.outlet, a.date, a.url, a.text]
            digest.update(json.dumps(row, ensure_ascii=False).encode("utf-8"))
            digest.update(b"\n")
        return digest.hexdigest()
