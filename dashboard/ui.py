"""Streamlit pieces shared by the pages: the coloured position table, a pager and an expander
whose content is made only while it is open."""

from __future__ import annotations

import hashlib
import math
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.style import NOT_DISCUSSED_BG, NOT_DISCUSSED_FG, cell_css, legend_html
from dashboard.views import N_HEADER, QUOTED_HEADER, STANCE_HEADER, TONE_HEADER, Matrix

_GREY = f"background-color: {NOT_DISCUSSED_BG}; color: {NOT_DISCUSSED_FG}; font-style: italic"


def style_matrix(table: Matrix) -> Any:
    """A pandas Styler: stance/tone cells on the diverging scale, not-discussed cells grey."""

    def css(_: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame("", index=table.display.index, columns=table.display.columns)
        for column in table.scored:
            scale = "tone" if column == TONE_HEADER else "stance"
            out[column] = [cell_css(v, scale) for v in table.colour[column]]
        for column in table.counts:
            out[column] = [_GREY if math.isnan(v) else "" for v in table.colour[column]]
        return out

    return table.display.style.apply(css, axis=None)


def page_picker(n_rows: int, page_size: int, key: str, name: str | None = None) -> int:
    """A 1-based page number for ``n_rows`` rows (no widget when one page holds them all);
    ``name``: the selection that keeps it in the address, so that a link reopens the page."""
    n_pages = max(1, math.ceil(n_rows / page_size))
    asked = str(state.get(name) or "") if name else ""
    start = int(asked) if asked.isdigit() and 1 <= int(asked) <= n_pages else 1
    if n_pages == 1:
        page = 1
    elif hasattr(st, "pagination"):  # a new pager when the number of pages changes
        page = int(st.pagination(n_pages, default=start, key=f"{key}_{n_pages}"))
    else:
        page = int(
            st.number_input(f"Page (of {n_pages})", 1, n_pages, start, key=f"{key}_{n_pages}")
        )
    if name:
        state.put(name, None if page == 1 else str(page))
    return page


def table_key(prefix: str, units: list[str]) -> str:
    """A dataframe key that changes with the rows shown, so a stale click is never re-read."""
    digest = hashlib.sha1("\x1f".join(units).encode("utf-8")).hexdigest()[:10]
    return f"{prefix}_{digest}"


def label_width(
    labels: Any, least: int = 100, most: int = 420, per_char: float = 7, padding: int = 24
) -> int:
    """Pixels that show the longest of ``labels`` whole in a table's 14 px font (about 7 px a
    character of words, ``per_char``, and the cell's padding), between ``least`` and ``most``."""
    longest = max((len(str(v)) for v in labels), default=0)
    return max(least, min(most, round(per_char * longest + padding)))


def matrix_table(
    table: Matrix, key: str, *, height: int | None = None, counts_reported: bool = False
) -> tuple[str, str, str] | None:
    """Show ``table`` with single-cell selection; a new click on a row -> (unit, topic, the
    header of the column clicked).
    ``counts_reported``: the run counts reported speech as the author's, so n counts quotes.

    Returns None when nothing new was clicked, so that the pickers below the table keep the
    user's own choice until the next click.
    """
    # the grid's own header sort cannot be turned off: it orders the rows shown, as text
    by_header = " (a click here orders only the rows shown, as text: Sort by ranks them all)"
    help_text = {
        STANCE_HEADER: "favor minus against toward the topic's target, in [−1, 1], with interval"
        + by_header,
        TONE_HEADER: "positive minus negative tone, in [−1, 1], with its interval" + by_header,
        N_HEADER: (
            "topic passages, quotes counted as the author's (this run's include_reported) · "
            "their share of all passages"
            if counts_reported
            else "own-voice topic passages · their share of all passages; reported speech apart"
        )
        + " (an author's or an outlet's: 'in k articles', the articles that discuss the topic, "
        "which its interval rests on)",
        "Grouped under": "articles that name no author are grouped under their outlet, as its "
        "unsigned pieces (or under the article itself)",
    }
    # Long scraped bylines and titles are cut to a width of their own (whole on hover), so that
    # the measures stay on screen; n · coverage is wide enough for "(+1 reported)".
    widths: dict[str, Any] = {
        "Title": 220,
        "Author / outlet": 200,
        "Outlet": 200,
        # "Nord Stream 2 (not measured)" whole: the mark is the row's only warning
        "Topic": label_width(table.display["Topic"]) if "Topic" in table.display else 100,
        "Grouped under": label_width(["outlet (unsigned pieces)"]),  # whole
    }
    # the measures as wide as their longest cell ("−0.04 [−1.00, +1.00] mixed", "35 in 14
    # articles · <1% (+29 reported)"): the grid sizes a column by its first rows only
    for column in (STANCE_HEADER, QUOTED_HEADER, TONE_HEADER, N_HEADER):
        if column in table.display.columns:
            values = [*table.display[column], column]  # the header too
            # digits, signs and brackets are narrower than letters: under 6 px each
            widths[column] = label_width(values, least=110, most=300, per_char=5.8, padding=18)
    # the unit's name and the topic stay in view when the table scrolls sideways
    pinned = {table.display.columns[0], "Topic"}
    config = {
        c: st.column_config.TextColumn(
            c, help=help_text.get(c), width=widths.get(c), pinned=c in pinned or None
        )
        for c in (*help_text, *widths, *pinned)
        if c in table.display.columns
    }
    rows = len(table.display)
    event = st.dataframe(
        style_matrix(table),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-cell",
        key=key,
        column_config=config,
        height=height if height is not None else min(38 + 35 * max(rows, 1), 38 + 35 * 20),
    )
    last_key = f"_vp_last_click_{key.rsplit('_', 1)[0]}"  # one entry per table, not per page
    cells = list(getattr(getattr(event, "selection", None), "cells", None) or [])
    if not cells:
        st.session_state.pop(last_key, None)  # a deselected cell may be clicked again
        return None
    row = cells[0][0]
    if not 0 <= int(row) < rows:
        return None
    column = str(cells[0][1]) if len(cells[0]) > 1 else ""
    clicked = (table.units[int(row)], table.topics[int(row)], column)
    if st.session_state.get(last_key) == (key, clicked):
        return None
    st.session_state[last_key] = (key, clicked)
    return clicked


def opened_expander(label: str, key: str, name: str | None = None) -> Any | None:
    """An expander that reruns the page when opened or closed; its container while open, None
    while closed, so that what it holds is computed and drawn only when someone looks.
    ``name``: the selection that keeps it open in the page's address ("1"), so that a copied
    link reopens it too."""
    if name is not None:
        state.seed_widget(name, key, lambda v: True if str(v) == "1" else None)
    box = st.expander(label, key=key, on_change="rerun")
    if name is not None:
        state.put(name, "1" if box.open else None)
    return box if box.open else None


def legend(ctx: Any, points: str | None = None, keys: bool = True) -> None:
    """The colour key for the run of ``ctx`` (a :class:`dashboard.context.RunContext`), with
    its stance rule, interval method and each topic's target; ``points``: for a chart whose
    unsettled scores are "pale" or "hollow" points rather than pale cells; ``keys`` False: no
    colour keys (a chart whose colours are its units)."""

    def part(which: str) -> str:
        return legend_html(
            ctx.info.aggregation.stance_rule,
            ctx.info.aggregation.include_reported,
            ctx.info.small_sample_intervals,
            targets=[(ctx.label(t.key), t.target) for t in ctx.topics],
            points=points,
            keys=keys,
            part=which,
        )

    # the keys, what favor means and what pale means stay in view; the rest is a click away,
    # so that a laptop's screen shows the table under it (an audit found only its header)
    st.markdown(part("short"), unsafe_allow_html=True)
    with st.expander("How these numbers are made and what the words mean"):
        st.markdown(part("detail"), unsafe_allow_html=True)


UNIT_CHOICES = {"Authors": "author", "Outlets": "outlet"}  # the kind of unit -> its level
UNITS_HELP = (
    "Outlets: each outlet over every article it published, signed or not. Authors: named "
    "authors, and outlet groups that hold an outlet's unsigned articles."
)


def unit_choice(label: str, key: str) -> str:
    """The Authors / Outlets radio of Compare and Over time (widget ``key``), shared with each
    other through the ``units`` selection and with the Overview's Show choice (unless that
    shows articles), so that an analyst comparing outlets keeps to outlets; returns the level,
    "author" or "outlet"."""
    state.seed_widget("units", key, state.one_of(list(UNIT_CHOICES)))
    units = st.radio(label, list(UNIT_CHOICES), horizontal=True, key=key, help=UNITS_HELP)
    state.put("units", None if units == next(iter(UNIT_CHOICES)) else units)
    if state.get("view") != "Articles":  # the Overview opens on the same kind of unit
        state.put("view", "Outlets" if units == "Outlets" else None)
    return UNIT_CHOICES[units]


def charts_side_by_side(charts: list[Any]) -> None:
    """Charts in a row that wraps: as many side by side as the page is wide, one under
    another on a narrow screen, each at its own width (a chart wider than the page would
    push the page sideways)."""
    with st.container(horizontal=True, wrap=True, gap="medium"):
        for chart in charts:
            st.altair_chart(chart, width="content")


def widths(pixels: dict[str, int]) -> dict[str, Any]:
    """A dataframe's column_config giving each named text column its width in pixels."""
    return {name: st.column_config.TextColumn(width=w) for name, w in pixels.items()}
