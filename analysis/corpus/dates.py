"""Dates in the common formats of news metadata, normalised to ISO ``YYYY-MM-DD``."""

from __future__ import annotations

import re
from datetime import date, datetime

# Tried in order; numeric day/month dates are read US-style first (AllSides is US news).
# A month without a day ("June 2018") is not a date: it gives None rather than an invented day.
_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%B %d, %Y",
    "%B %d %Y",
    "%b %d, %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d %B, %Y",
)
_ISO_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]")
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_ORDINAL = re.compile(r"(\d)(?:st|nd|rd|th)\b")


def normalise_date(value: object) -> str | None:
    """``value`` as an ISO date string, or None when it is empty or not a recognisable date."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    prefix = _ISO_PREFIX.match(text)
    if prefix:
        text = prefix.group(1)
    text = _WEEKDAY.sub("", text)
    text = _ORDINAL.sub(r"\1", text).replace("Sept.", "Sep").replace("Sept ", "Sep ")
    if text[:1].isalpha():  # "Mar. 1, 2019" -> "Mar 1, 2019"
        text = re.sub(r"\s+", " ", text.replace(".", " ")).replace(" ,", ",").strip()
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None
