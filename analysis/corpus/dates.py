"""Dates in the common formats of news metadata, normalised to ISO ``YYYY-MM-DD``."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime

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
# A numeric date both ways round ("03/04/2018": 4 March or 3 April), read month first
_SLASHED = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(?:\d{2}|\d{4})\s*$")
EARLIEST_YEAR = 1900  # a news date before this is more likely a typo than an archive
# An RSS or e-mail date: a day, a month's short name, a year, then a time
_RFC_2822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")


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
    if _RFC_2822.match(text):  # feeds and mail: "Thu, 28 Jun 2018 14:33:00 GMT"
        try:
            return parsedate_to_datetime(text).date().isoformat()  # the day as written there
        except (TypeError, ValueError):
            pass
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


def is_ambiguous_date(value: object) -> bool:
    """Whether ``value`` is a slashed numeric date that reads as a day either way round
    ("03/04/2018"): :func:`normalise_date` reads it month first, as US sources write it."""
    match = _SLASHED.match(value) if isinstance(value, str) else None
    if not match:
        return False
    first, second = int(match.group(1)), int(match.group(2))
    return first != second and 1 <= first <= 12 and 1 <= second <= 12


def implausible_date(iso: object, today: date | None = None) -> str | None:
    """Why an ISO date is unlikely for a news article ("in the future" of ``today``, by
    default the day it is, or "before 1900"), or None; a day's grace for time zones."""
    try:
        day = date.fromisoformat(str(iso))
    except ValueError:  # every reader gives ISO days; anything else is not judged here
        return None
    if day > (today or date.today()) + timedelta(days=1):
        return "in the future"
    return f"before {EARLIEST_YEAR}" if day.year < EARLIEST_YEAR else None
