"""Bylines into authors: "Andrew Prokop, German Lopez and Li Zhou" is three authors.

An article counts toward each of its authors: author-level positions group articles per author,
not per byline, while the article keeps its byline for display. Articles without a named author
stay grouped under their outlet (or themselves), one group each.
"""

from __future__ import annotations

import re

import pandas as pd

_SEPARATORS = re.compile(r"\s*(?:,|;|\||&|\band\b)\s*", re.IGNORECASE)
_BY = re.compile(r"^\s*by\s+", re.IGNORECASE)
# Parts that belong to the name before them ("Martin Luther King, Jr.") or are not names.
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md", "m.d."}
_NOT_A_NAME = re.compile(r"@|\.com\b|\.org\b|\bstaff\b|\bwriters?\b|\breporters?\b", re.I)


def split_byline(byline: str | None) -> tuple[str, ...]:
    """The author names of a byline, in order, without duplicates (case-insensitive)."""
    if byline is None or (isinstance(byline, float) and pd.isna(byline)):
        return ()
    text = _BY.sub("", str(byline)).strip()
    if not text:
        return ()
    names: list[str] = []
    for part in _SEPARATORS.split(text):
        part = part.strip(" .")
        if not part:
            continue
        if part.lower() in _SUFFIXES and names:
            names[-1] = f"{names[-1]}, {part}"
            continue
        if _NOT_A_NAME.search(part) or not any(ch.isalpha() for ch in part):
            continue
        names.append(part)
    seen: set[str] = set()
    unique = []
    for name in names:
        key = " ".join(name.lower().split())
        if key not in seen:
            seen.add(key)
            unique.append(name)
    return tuple(unique) or (text,)


def membership(articles: pd.DataFrame) -> pd.DataFrame:
    """``(article_id, group_kind, group)`` with one row per author of each article (articles
    grouped under an outlet or themselves: one row, their group)."""
    rows = []
    for article_id, kind, group in zip(
        articles["article_id"], articles["group_kind"], articles["group"], strict=True
    ):
        if kind == "author":
            rows.extend((article_id, kind, name) for name in split_byline(group))
        else:
            rows.append((article_id, kind, group))
    return pd.DataFrame(rows, columns=["article_id", "group_kind", "group"])
