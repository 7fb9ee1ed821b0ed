"""Altair charts: each author's stance and tone per topic as a point with its interval."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.style import (
    ONLY_QUOTED,
    absent_words,
    diverging_color,
    is_missing,
    percent,
    quoted_words,
    stance_words,
    with_interval,
)
from dashboard.views import shade

# Measure shown -> the colour scale of its points (tone's own: negative is not "against").
SCALE = {"Stance": "stance", "Quoted voices": "stance", "Tone": "tone"}
# Measure name shown -> (value column, interval columns).
MEASURES = {
    "Stance": ("stance", "stance_low", "stance_high"),
    "Quoted voices": ("quoted_stance", "quoted_low", "quoted_high"),
    "Tone": ("tone", "tone_low", "tone_high"),
}


def _shown(rec: dict, measure: str, value: object) -> str:
    """A point as its tooltip words it: the value with its interval ("near 0", "mixed" where
    they apply), or the words a point without a number carries (not discussed, no stance
    expressed ...)."""
    if measure == "Stance":
        return stance_words(
            rec.get("status"),
            rec.get("stance_status"),
            value,
            rec.get("stance_low"),
            rec.get("stance_high"),
            n_own=rec.get("n_passages"),
        )
    if measure == "Quoted voices":
        if is_missing(value):
            return quoted_words(rec)
        # "mixed" and "near 0" as for S
        return stance_words(
            "discussed",
            rec.get("quoted_status"),
            value,
            rec.get("quoted_low"),
            rec.get("quoted_high"),
        )
    if rec.get("status") != "discussed":
        return absent_words(rec.get("status"))
    return (
        ONLY_QUOTED
        if is_missing(value)
        else with_interval(value, rec.get("tone_low"), rec.get("tone_high"))
    )


def _passages(rec: dict, measure: str, counts_reported: bool) -> tuple[int, str]:
    """How many passages a measure reads, and which ones, in words: the quotes for the quoted
    voices, else the author's own words (with the quotes where the run counts them)."""
    if measure == "Quoted voices":
        n = int(rec.get("n_reported") or 0)
        return n, f"{n} quote{'s' if n != 1 else ''}"
    n = int(rec.get("n_passages") or 0)
    return n, f"{n} " + ("(quotes counted as the author's)" if counts_reported else "own-voice")


def chart_frame(
    positions: pd.DataFrame,
    authors: list[str],
    topics: list[tuple[str, str]],
    counts_reported: bool = False,
) -> pd.DataFrame:
    """One row per author × topic × measure (the author's stance, the quoted voices' stance,
    tone), ``value`` missing where there is no number and ``shown`` saying why; ``n`` the
    passages behind the measure and ``passages`` that in words (``counts_reported``: the run
    counts quotes as the author's own words, ``aggregate.include_reported``)."""
    rows = []
    labels = dict(topics)
    sub = positions[positions["author"].isin(authors) & positions["topic"].isin(labels)]
    for rec in sub.to_dict("records"):
        discussed = rec.get("status") == "discussed"
        for measure, (column, low, high) in MEASURES.items():
            value = rec.get(column) if discussed else None
            value = None if is_missing(value) else value
            n, passages = _passages(rec, measure, counts_reported)
            # the point's colour: in full only where its interval keeps off 0 and it rests
            # on more than one article (for the quoted voices, the articles quoted; older
            # runs do not record them)
            tint = shade(
                value,
                rec.get(low),
                rec.get(high),
                rec.get(
                    "n_articles_quoting" if measure == "Quoted voices" else "n_articles_discussing"
                ),
            )
            rows.append(
                {
                    "Author": rec["author"],
                    "Topic": labels[rec["topic"]],
                    "Measure": measure,
                    "value": value,
                    "low": rec.get(low) if value is not None else None,
                    "high": rec.get(high) if value is not None else None,
                    "tint": tint,
                    # on the stance's scale, or tone's own (not read as for or against)
                    "fill": None if is_missing(tint) else diverging_color(tint, SCALE[measure]),
                    "shown": _shown(rec, measure, value),
                    "n": n,
                    "passages": passages,
                    "coverage": float(rec.get("coverage") or 0.0),
                    # as the tables write it ("<1%", never a 0% for a unit that discusses it)
                    "coverage_shown": percent(rec.get("coverage") or 0.0),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            *("Author", "Topic", "Measure", "value", "low", "high", "tint", "fill", "shown"),
            *("n", "passages", "coverage", "coverage_shown"),
        ],
    )


def comparison_chart(
    frame: pd.DataFrame, authors: list[str], topic_labels: list[str], unit: str = "Author"
) -> alt.FacetChart:
    """Point + interval per author, one row per topic; the author's stance, the quoted voices'
    stance and tone side by side (the chart a download gives). ``unit``: what the rows are, as
    the tooltips name them ("Outlet"); every mark has the same tooltip, so that no mark shows
    raw fields."""
    layered = _comparison_layers(frame, authors, unit)
    return by_topic_and_measure(layered, topic_labels, list(MEASURES)).configure_axis(grid=False)


def comparison_charts(
    frame: pd.DataFrame, authors: list[str], topic_labels: list[str], unit: str = "Author"
) -> list[alt.FacetChart]:
    """:func:`comparison_chart` as one chart per measure (those with rows in ``frame``), for a
    page to lay out side by side or one under another as its width allows."""
    layered = _comparison_layers(frame, authors, unit)
    shown = set(frame["Measure"])
    return [
        one_measure(layered, topic_labels, m).configure_axis(grid=False)
        for m in MEASURES
        if m in shown
    ]


def _comparison_layers(frame: pd.DataFrame, authors: list[str], unit: str) -> alt.LayerChart:
    """The marks of :func:`comparison_chart` for one panel (an author a row)."""
    # a point's colour says how far it leans where its interval keeps off 0, and is pale where
    # the interval reaches across 0 or there is none (views.shade), on its measure's scale
    # (chart_frame's ``fill``); the bars are neutral
    colour = alt.Color("fill:N", scale=None, legend=None)
    axis = alt.Axis(
        values=[-1, -0.5, 0, 0.5, 1],
        labelExpr="datum.value == 0 ? '0' : format(datum.value, '+.1~f')",
    )
    x = alt.X("value:Q", scale=alt.Scale(domain=[-1, 1]), title=None, axis=axis)
    y = alt.Y("Author:N", sort=authors, title=None, axis=alt.Axis(labelLimit=170))
    tooltip = [
        alt.Tooltip("Author:N", title=unit),
        alt.Tooltip("Topic:N"),
        alt.Tooltip("Measure:N"),
        alt.Tooltip("shown:N", title="value [interval]"),
        alt.Tooltip("passages:N"),
        alt.Tooltip("coverage_shown:N", title="coverage"),
    ]
    base = alt.Chart().encode(y=y)
    zero = (
        alt.Chart()
        .mark_rule(color="#9e9e9e", strokeDash=[3, 3])
        .encode(x=alt.datum(0), tooltip=alt.value(None))
    )
    interval = (
        base.transform_filter("isValid(datum.value)")
        .mark_rule(strokeWidth=4, opacity=0.45, color="#7a7a7a")
        .encode(
            x=alt.X("low:Q", scale=alt.Scale(domain=[-1, 1]), title=None, axis=axis),
            x2="high:Q",
            tooltip=tooltip,
        )
    )
    point = (
        base.transform_filter("isValid(datum.value)")
        .mark_point(filled=True, size=140, stroke="#222", strokeWidth=0.8, opacity=1)
        .encode(x=x, color=colour, tooltip=tooltip)
    )
    silent = (
        base.transform_filter("!isValid(datum.value)")
        .mark_text(color="#4a4a4a", fontStyle="italic", fontSize=12)
        .encode(x=alt.datum(0), text="shown:N", tooltip=tooltip)
    )
    return alt.layer(zero, interval, point, silent, data=frame).properties(
        # one measure's panel with the names is ~390 px: one on a 1024 px screen beside the
        # sidebar (a column of ~560 px), two at 1366, three at 1920 (charts_side_by_side)
        width=200,
        height=34 * max(len(authors), 1),
    )


def _topic_rows(topic_labels: list[str]) -> alt.Row:
    """A row of panels per topic (labels in this order), its name above the row."""
    return alt.Row(
        "Topic:N",
        sort=topic_labels,
        # above its row, not beside it: a long topic name takes no width from the panels
        header=alt.Header(
            labelAngle=0,
            labelAlign="left",
            labelAnchor="start",
            labelOrient="top",
            labelFontWeight="bold",
            title=None,
        ),
    )


def one_measure(layered: alt.LayerChart, topic_labels: list[str], measure: str) -> alt.FacetChart:
    """The panels of one measure (the rows whose ``Measure`` is it), a row per topic, titled
    with the measure."""
    return (
        layered.transform_filter(alt.datum.Measure == measure)
        .facet(row=_topic_rows(topic_labels))
        .properties(title=alt.TitleParams(measure, anchor="start", fontSize=14))
    )


def by_topic_and_measure(
    layered: alt.LayerChart, topic_labels: list[str], measures: list[str]
) -> alt.FacetChart:
    """A row of panels per topic (labels in this order), a column per measure."""
    return layered.facet(
        row=_topic_rows(topic_labels),
        column=alt.Column(
            "Measure:N",
            sort=measures,
            header=alt.Header(title=None, labelFontWeight="bold"),
        ),
    )
