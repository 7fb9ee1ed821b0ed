"""Colours, number formats and small HTML pieces shared by every page.

Two diverging scales: a stance's against is red and favor blue; a tone's negative purple and
positive green (so that negative wording is not read as "against"); zero is
near-white. "Not discussed" is never a number: it is grey and says so in words.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

from analysis.intervals import NEAR_ZERO, interval_digits, mixed_lean, settled_near_zero
from analysis.records import is_missing

# ColorBrewer RdBu anchors at -1, -0.5, 0, 0.5, 1.
_ANCHORS = ((178, 24, 43), (239, 138, 98), (247, 247, 247), (103, 169, 207), (33, 102, 172))
NEGATIVE_COLOR = "#b2182b"
POSITIVE_COLOR = "#2166ac"
# Tone has a scale of its own, purple (negative) to green (positive) (ColorBrewer PRGn): on
# the stance's red and blue, negative wording read as "against" (an audit found the tone
# column the reddest on every page, beside a stance of +0.02).
_TONE_ANCHORS = ((118, 42, 131), (175, 141, 195), (247, 247, 247), (127, 191, 123), (27, 120, 55))
TONE_NEGATIVE_COLOR = "#762a83"
TONE_POSITIVE_COLOR = "#1b7837"
SCALES = {"stance": _ANCHORS, "tone": _TONE_ANCHORS}
NOT_DISCUSSED_BG = "#d4d4d4"
NOT_DISCUSSED_FG = "#4a4a4a"
NOT_DISCUSSED = "not discussed"
# discussed, but every prediction on its topic passages failed (a chat endpoint's unreadable
# answers): the status "unscored", never shown as "not discussed"
NO_PREDICTION = "no prediction"
NO_STANCE = "no stance expressed"  # discussed, but no passage of the voice takes a side
NO_QUOTES = "no quoted voices"  # discussed, but nobody is quoted on the topic
MIXED = "mixed"  # both sides taken
NEAR_ZERO_WORDS = "near 0"  # the whole interval within ±0.05: practically no side taken
ONLY_QUOTED = "only quoted voices"  # discussed, but only through what others are quoted saying
NO_INTERVAL = "(one passage)"  # a score without an interval: it rests on a single passage
# Colours for categories (authors, topics) in charts: none of the scores' colours, neither
# the stance's red and blue nor the tone's purple and green (an audit found a purple outlet
# on Over time's tone panel read as negative): oranges, yellows, browns, pinks, teal, greys.
CATEGORY_COLORS = (
    "#d95f02",
    "#17becf",
    "#e7298a",
    "#e6ab02",
    "#8c564b",
    "#666666",
    "#bcbd22",
    "#f4a582",
    "#222222",
    "#8c6d31",
)
MINUS = "\u2212"

GROUP_NOTES = {
    "author": "",
    "outlet": "grouped under the outlet: its unsigned pieces (no author named)",
    "article": "grouped under the article (no author or outlet)",
    "outlet_all": "the outlet: all its articles, signed or not",
    "outlet_period": "the outlet: all its dated articles in the date range, signed or not",
}
# "unsigned pieces", as every list tags an outlet's row at author level (analysis.labels)
GROUP_SHORT = {
    "author": "",
    "outlet": "outlet (unsigned pieces)",
    "article": "the article itself",
}
STANCE_PROBS = (("stance_favor", "favor"), ("stance_against", "against"), ("stance_none", "none"))
SPEAKER_PROBS = (
    ("speaker_favor", "favor"),
    ("speaker_against", "against"),
    ("speaker_none", "none"),
)
TONE_PROBS = (
    ("tone_positive", "positive"),
    ("tone_negative", "negative"),
    ("tone_neutral", "neutral"),
)


# The column of a passage's place in its article: "¶1" is its first passage. Evidence cards
# number passages by rank ("#1"), so a place gets a mark of its own.
PASSAGE_PLACE = "¶"
PASSAGE_PLACE_HELP = "the passage's place in the article: ¶1 is its first passage"


def passage_place(index: Any) -> str:
    """A passage's place in its article, counted from 1 (``index`` counts from 0)."""
    return f"{PASSAGE_PLACE}{int(index) + 1}"


def diverging_color(value: float, scale: str = "stance") -> str:
    """A score in [-1, 1] -> a hex colour on the stance's red (-1) / white (0) / blue (+1)
    scale, or (``scale`` "tone") tone's purple / white / green."""
    anchors = SCALES[scale]
    v = max(-1.0, min(1.0, float(value)))
    pos = (v + 1.0) * 2.0  # 0..4 over the anchors
    i = min(math.floor(pos), 3)
    t = pos - i
    lo, hi = anchors[i], anchors[i + 1]
    rgb = (round(a + (b - a) * t) for a, b in zip(lo, hi, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def text_color(value: float, scale: str = "stance") -> str:
    """Readable text colour on :func:`diverging_color` of ``value``: white or near-black,
    whichever contrasts more with it (WCAG relative luminance; a fixed cut left white text at
    2.4:1 on mid-green tone cells)."""
    background = diverging_color(value, scale)
    channels = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    dark = 0.0137  # the luminance of #1f1f1f
    on_white = 1.05 / (luminance + 0.05)
    on_dark = (luminance + 0.05) / (dark + 0.05)
    return "#ffffff" if on_white > on_dark else "#1f1f1f"


def cell_css(value: Any, scale: str = "stance") -> str:
    """CSS for a table cell that shows a score (a stance, or a tone with ``scale`` "tone"),
    or "not discussed" when ``value`` is missing."""
    if is_missing(value):
        return (
            f"background-color: {NOT_DISCUSSED_BG}; color: {NOT_DISCUSSED_FG}; font-style: italic"
        )
    return f"background-color: {diverging_color(value, scale)}; color: {text_color(value, scale)}"


def signed(value: Any, digits: int = 2) -> str:
    """``0.42`` -> ``+0.42``; ``-0.1`` -> ``−0.10`` (typographic minus); missing -> ``–``."""
    if is_missing(value):
        return "–"
    v = round(float(value), digits)
    if v == 0:
        return f"{0:.{digits}f}"
    return f"+{v:.{digits}f}" if v > 0 else f"{MINUS}{-v:.{digits}f}"


def bracket(low: Any, high: Any) -> str:
    """``[low, high]`` as :func:`signed` gives them; an interval clear of 0 whose end rounds
    to 0.00 shows that end with the decimals it needs ([+0.004, +0.27]), so that it does not
    read as touching 0."""
    low_digits, high_digits = interval_digits(low, high)
    return f"[{signed(low, low_digits)}, {signed(high, high_digits)}]"


def with_interval(value: Any, low: Any, high: Any, value_digits: int = 2) -> str:
    """``+0.42 [+0.10, +0.70]``; ``+0.84 (one passage)`` where there is no interval, which
    says why its colour is pale (a review read pale +0.84 cells as settled small values).
    ``value_digits`` 3 tells +0.051 from the +0.05 that counts as around zero."""
    if is_missing(value):
        return NOT_DISCUSSED
    if is_missing(low) or is_missing(high):
        return f"{signed(value, value_digits)} {NO_INTERVAL}"
    return f"{signed(value, value_digits)} {bracket(low, high)}"


def percent(value: Any) -> str:
    """``0.123`` -> ``12%``; a share that would round to 0% or 100% without being it ->
    ``<1%``, ``>99%``."""
    if is_missing(value):
        return "–"
    v = float(value)
    if 0 < v < 0.005:
        return "<1%"
    if 0.995 <= v < 1:
        return ">99%"
    return f"{round(100 * v)}%"  # an int: a stored -0.0 (or -0.001) reads 0%, not -0%


def probabilities(row: Any, names: tuple[tuple[str, str], ...]) -> str:
    """``favor 86% · against 4% · none 10%`` from a row holding the probability columns."""
    parts = [f"{word} {percent(row.get(col))}" for col, word in names if col in row]
    return " · ".join(parts)


def absent_words(status: Any) -> str:
    """Why a unit × topic has no number at all: not discussed, or its predictions failed."""
    return NO_PREDICTION if status == "unscored" else NOT_DISCUSSED


def stance_words(
    status: Any,
    stance_status: Any,
    value: Any,
    low: Any = None,
    high: Any = None,
    n_own: Any = None,
    near_zero: bool = True,
    value_digits: int = 2,
) -> str:
    """A stance as shown: the number with its interval ("mixed" added when both sides are
    taken, else "near 0" when all of the interval is within ±0.05 and ``near_zero``: False for
    a tone worded through here, which is never a side), or in words when there is
    no number: not discussed, no stance expressed, or only quoted voices (``n_own``, the
    own-voice passages, is 0: the unit speaks on the topic only through the people it
    quotes)."""
    if status != "discussed":
        return absent_words(status)
    if not is_missing(n_own) and int(n_own) == 0:
        return ONLY_QUOTED
    if stance_status == "no_stance" or is_missing(value):
        return NO_STANCE
    shown = with_interval(value, low, high, value_digits)
    if stance_status == "mixed":  # both sides: that, not "near 0", says why it is small
        lean = mixed_lean(low, high)
        return f"{shown} {MIXED}" + (f", leaning {lean}" if lean else "")
    if near_zero and settled_near_zero(low, high):  # sure, but of nearly nothing: not a side
        return f"{shown} {NEAR_ZERO_WORDS}"
    return shown


def quoted_words(row: Any) -> str:
    """The quoted voices' stance of a position row, as shown (see :func:`stance_words`)."""
    if row.get("status") != "discussed":
        return absent_words(row.get("status"))
    n = row.get("n_reported")
    if is_missing(n) or int(n) == 0:
        return NO_QUOTES
    return stance_words(
        "discussed",
        row.get("quoted_status"),
        row.get("quoted_stance"),
        row.get("quoted_low"),
        row.get("quoted_high"),
    )


def score_chip(
    label: str,
    value: Any,
    low: Any = None,
    high: Any = None,
    missing: str = NOT_DISCUSSED,
    tint: Any = None,
    scale: str = "stance",
) -> str:
    """An inline HTML chip: ``Stance +0.42 [..]`` coloured by ``tint`` (the value paled where
    it is unsettled, as the tables colour it: ``views.shade``; the value itself when not
    given), or grey ``missing`` ("not discussed", "no stance expressed")."""
    if is_missing(value):
        style = f"background:{NOT_DISCUSSED_BG};color:{NOT_DISCUSSED_FG};font-style:italic"
        body = missing
        label = f"{label}:" if label else label  # "tone: only quoted voices", not run together
    else:
        colour = value if is_missing(tint) else tint
        style = f"background:{diverging_color(colour, scale)};color:{text_color(colour, scale)}"
        body = with_interval(value, low, high)
    # one box, moved whole to the next line; wrapped inside only where wider than its column
    # (with four units on Compare, a chip that never wrapped ran into the next column)
    return (
        f'<span style="{style};padding:2px 8px;border-radius:10px;margin:0 6px 3px 0;'
        'display:inline-block;max-width:100%;white-space:normal;font-size:0.9em">'
        f"{html.escape(f'{label} {body}'.strip())}</span>"
    )


STANCE_RULE_WORDS = {
    "mean": "the relevance-weighted mean of favor minus against over the topic passages, "
    "so passages that take no side pull it toward 0",
    "balance": "favor minus against over the passages that take a side",
}


def legend_html(
    stance_rule: str = "mean",
    counts_reported: bool = False,
    extended_intervals: bool = True,
    targets: Sequence[tuple[str, str | None]] = (),
    points: str | None = None,
    keys: bool = True,
    part: str = "all",
) -> str:
    """The colour key shown above tables and charts, with how the run's stance rule
    (``aggregate.stance_rule``) makes a stance, what n counts (``counts_reported``: the run
    counts quotes as the author's own words, ``aggregate.include_reported``), how its
    intervals were made (``extended_intervals``: widened for few passages, runs since
    2026-12-05), what favor means on each topic (``targets``: label, target pairs) and, for a
    chart whose unsettled ``points`` are drawn "pale" or "hollow" rather than a table, how.
    ``keys`` False leaves out the colour keys, for a chart whose colours name its units.
    ``part``: "all"; "short" (the keys, what favor means and what a pale score is: what must
    stay in view above a table); "detail" (the rest, in words, for a box opened on demand)."""
    if part not in ("all", "short", "detail"):
        raise ValueError(f"expected part 'all', 'short' or 'detail', got {part!r}")
    rule = STANCE_RULE_WORDS.get(stance_rule, STANCE_RULE_WORDS["mean"])
    interval = (
        "95% interval, wide where it rests on few passages or, for an author, few articles "
        "(none: one passage)"
        if extended_intervals
        else "95% interval (a plain percentile bootstrap: too narrow on few passages; none: "
        "one passage)"
    )
    n_words = (
        "topic passages, quotes included (this run counts them as the author's)"
        if counts_reported
        else "own-voice passages"
    )
    if points == "hollow":  # one article's points: no author's article count applies
        pale = (
            "a point is hollow where its interval reaches across 0, it has none, or (stance) "
            "it lies within ±0.05, near 0"
        )
        counts = ""
    elif points:
        pale = (
            f"a point is {points} where its interval reaches across 0, it has none, or an "
            "author's or outlet's rests on one article"
        )
        counts = ""
    else:
        pale = (
            "a cell is pale (a third of its colour: read its number, not its shade) where its "
            "interval reaches across 0, it has none (one passage), or an author's or outlet's "
            "rests on one article"
        )
        counts = f"; n: {n_words}; coverage: their share of all the unit's passages"
    unsettled = pale + counts
    named = [(html.escape(label), html.escape(target)) for label, target in targets if target]
    favor_of = (
        "; favor means for: " + ", ".join(f"{label}: “{target}”" for label, target in named)
        if named
        else ""
    )
    key_html = (  # a chart coloured by unit has neither the score keys nor grey cells
        _scale_key("stance", f"against {MINUS}1", "+1 favor")
        + _scale_key("tone", f"negative {MINUS}1", "+1 positive")
        + f'<span style="background:{NOT_DISCUSSED_BG};color:{NOT_DISCUSSED_FG};'
        f'font-style:italic;padding:1px 8px;border-radius:8px">{NOT_DISCUSSED}</span>'
        if keys
        else ""
    )
    row = (
        '<div style="display:flex;align-items:center;gap:10px;font-size:0.85em;'
        'margin:4px 0 6px 0;flex-wrap:wrap">'
    )
    if part == "short":
        return (
            f'{row}{key_html}<span style="color:#666">{favor_of.removeprefix("; ")}'
            f"{'; ' if favor_of else ''}tone: the wording, not a side; {pale}</span></div>"
        )
    head = f"stance: how far the author's own words lean toward the topic's target ({rule})"
    body = (
        "; quoted voices: the same for the people the author quotes; no stance expressed: "
        "discussed, but no side taken; only quoted voices: discussed only through the people "
        "quoted; mixed: both sides taken by passages of their own, the smaller side at least half "
        "the larger (leaning "
        f"a side where its interval keeps to it); {NEAR_ZERO_WORDS}: all of the "
        f"interval within ±{NEAR_ZERO:.2f}, practically no side however sure; tone: positive "
        "minus negative wording of the author's own passages on the topic, not a side "
        f"(reporting bad news reads negative); [low, high]: {interval}"
    )
    if part == "detail":
        return f'<span style="color:#666;font-size:0.85em">{head}{body}{counts}</span>'
    return (
        f'{row}{key_html}<span style="color:#666">{head}{favor_of}{body}; {unsettled}</span></div>'
    )


SCALE_NAMES = {"stance": "stance, quoted voices", "tone": "tone"}


def _scale_key(scale: str, low: str, high: str) -> str:
    """One colour key of the legend: what it colours, its two ends and the gradient between."""
    gradient = ", ".join(diverging_color(v / 4, scale) for v in range(-4, 5))
    left, right = diverging_color(-1, scale), diverging_color(1, scale)
    return (
        '<span style="white-space:nowrap">'
        f'<span style="color:#444;margin-right:4px">{SCALE_NAMES[scale]}:</span>'
        f'<span style="color:{left};font-weight:600">{low}</span> '
        '<span style="display:inline-block;width:110px;height:12px;border-radius:6px;'
        f'vertical-align:middle;background:linear-gradient(to right, {gradient})"></span> '
        f'<span style="color:{right};font-weight:600">{high}</span></span>'
    )


def md_escape(text: object) -> str:
    """Text safe inside ``st.markdown(..., unsafe_allow_html=True)``: no tags, no Markdown."""
    out = str(text)
    for ch in "\\`*_[]#|$~":
        out = out.replace(ch, "\\" + ch)
    return html.escape(out, quote=False)
