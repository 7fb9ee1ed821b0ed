"""Over time: each author's stance and tone per topic, article by article, along the articles'
dates. Only dated articles that discuss a topic in their own voice are drawn."""

from __future__ import annotations

import datetime
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from analysis.corpus.dates import implausible_date
from analysis.intervals import settled_near_zero
from analysis.labels import GROUP_TAGS, counted
from analysis.outlets import sibling_groups_note
from dashboard import context, data, export, state, ui, views
from dashboard.charts import by_topic_and_measure, one_measure
from dashboard.style import (
    CATEGORY_COLORS,
    NO_STANCE,
    is_missing,
    md_escape,
    signed,
    stance_words,
    with_interval,
)
from dashboard.trust import render_run_trust

DEFAULT_AUTHORS = 5  # authors drawn until the user picks: the ones with most dated articles
MAX_AUTHORS = 10  # distinguishable colours
LINE_GAP_DAYS = 180  # an author's line breaks across a longer silence on the topic
YEAR_GAP_DAYS = 400  # per year: the line breaks across a year without a position
ARTICLE_PAGE = "app_pages/article.py"
PANEL_WIDTH, PANEL_HEIGHT = 320, 260  # stance and tone side by side beside the sidebar at 1280 px

COLUMNS = [
    "Date",
    "Author",
    "group_kind",
    "topic",
    "Topic",
    "Measure",
    "value",
    "low",
    "high",
    "shown",
    "near_zero",
    "one_article",  # a year's point that rests on one article: drawn hollow, as Overview pales it
    "n",
    "article_id",
    "Title",
    "outlet",
]


# The measures drawn over time, in their panels' order.
TIME_MEASURES = ("Stance", "Tone")


def _points(
    rec: dict[str, Any],
    labels: dict[str, str],
    date: Any,
    article_id: str,
    title: Any,
    one_article: bool = False,
) -> list[dict[str, Any]]:
    """A position's chart rows (:data:`COLUMNS`), its stance and its tone where it has them;
    a stance sure to be close to 0 is no side, as the Overview and Article pages say, and one
    whose sides balance says "mixed". ``one_article``: a year's position resting on one
    article (drawn hollow, as the Overview pales an author's score on one article)."""
    rows = []
    for measure in ("stance", "tone"):
        value = rec.get(measure)
        if is_missing(value):
            continue
        low, high = rec.get(f"{measure}_low"), rec.get(f"{measure}_high")
        near = measure == "stance" and settled_near_zero(low, high)
        if measure == "stance":  # worded as the other pages word it ("mixed, leaning favor")
            shown = stance_words("discussed", rec.get("stance_status"), value, low, high)
        else:
            shown = with_interval(value, low, high)
        rows.append(
            {
                "Date": date,
                "Author": str(rec["author"]),
                "group_kind": rec.get("group_kind"),
                "topic": rec["topic"],
                "Topic": labels[rec["topic"]],
                "Measure": measure.capitalize(),
                "value": float(value),
                "low": None if is_missing(low) else float(low),
                "high": None if is_missing(high) else float(high),
                "shown": shown,
                "near_zero": near,
                "one_article": one_article,
                "n": int(rec.get("n_passages") or 0),
                "article_id": article_id,
                "Title": title,
                "outlet": rec.get("outlet"),
            }
        )
    return rows


def time_frame(
    positions: pd.DataFrame,
    meta: pd.DataFrame,
    authors: list[str],
    topics: list[tuple[str, str]],
    level: str = "author",
) -> pd.DataFrame:
    """One row per dated article × topic × measure discussed by one of ``authors`` (outlets at
    ``level`` "outlet"): the article's position joined to its date (``meta["day"]``), oldest
    first."""
    labels = dict(topics)
    days = meta.drop_duplicates("article_id").set_index("article_id")["day"]
    pos = positions[(positions["status"] == "discussed") & positions["topic"].isin(labels)]
    # an article counts toward each author of its byline (or toward its outlet)
    groups = views.members_at(meta, level)
    pos = pos.merge(groups, on="article_id", how="inner")
    pos = pos[pos["group"].isin(authors)].assign(author=lambda f: f["group"])
    pos["Date"] = pos["article_id"].map(days)
    pos = pos[pos["Date"].notna()]
    rows = [
        row
        for rec in pos.to_dict("records")
        for row in _points(rec, labels, rec["Date"], rec["article_id"], rec.get("title"))
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["Date", "Author", "topic"], kind="stable").reset_index(drop=True)


YEARLY = "Per year"
POINT_CHOICES = ("Each article", YEARLY)


def yearly_frame(
    yearly: pd.DataFrame, authors: list[str], topics: list[tuple[str, str]]
) -> pd.DataFrame:
    """:func:`time_frame`'s rows from :func:`analysis.periods.yearly_positions`: one point per
    author (outlet) × topic × measure × year, at the year's middle, made over the year's dated
    articles with its interval (``article_id``: the year; ``Title``: how many articles)."""
    labels = dict(topics)
    pos = yearly[
        (yearly["status"] == "discussed")
        & yearly["topic"].isin(labels)
        & yearly["author"].astype(str).isin(authors)
    ]
    rows = []
    for rec in pos.to_dict("records"):
        year = int(rec["year"])
        n_articles = int(rec.get("n_articles_discussing") or 0)
        title = f"{year}: {counted(n_articles, 'article')}"
        rows += _points(
            rec, labels, pd.Timestamp(year, 7, 1), str(year), title, one_article=n_articles < 2
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["Date", "Author", "topic"], kind="stable").reset_index(drop=True)


def articles_with_points(
    positions: pd.DataFrame, dated: pd.DataFrame, level: str = "author"
) -> pd.Series:
    """Per author or outlet group (outlet at ``level`` "outlet"), its dated articles that get
    a point on some topic: those whose own voice gives a stance or a tone (one discussed only
    through quoted voices has none, so an author with only such articles is not offered)."""
    pointed = positions[
        (positions["status"] == "discussed")
        & (positions["stance"].notna() | positions["tone"].notna())
    ]
    ids = set(pointed["article_id"]) & set(dated["article_id"])
    members = views.members_at(dated, level)
    return members[members["article_id"].isin(ids)].groupby("group")["article_id"].nunique()


def articles_behind(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per article × topic × author of :func:`time_frame`'s points, with the stance
    and tone shown (an article by two of the chosen authors is listed under each; one that
    takes no side has a tone point only and is listed as "no stance expressed"); its
    ``article_id`` and ``topic`` last, for opening it (not shown)."""
    keys = ["article_id", "topic", "Author"]
    listed = frame.drop_duplicates(keys)[[*keys, "Date", "Topic", "Title"]]
    for measure, missing in (("Stance", NO_STANCE), ("Tone", "–")):
        values = frame[frame["Measure"] == measure].set_index(keys)["value"]
        listed[measure] = [
            signed(values[key]) if key in values.index else missing
            for key in listed[keys].itertuples(index=False)
        ]
    listed = listed.sort_values(["Date", "Author", "topic"], kind="stable")
    listed["Date"] = listed["Date"].dt.strftime("%Y-%m-%d")
    shown = ["Date", "Author", "Topic", "Title", "Stance", "Tone", "article_id", "topic"]
    return listed[shown].reset_index(drop=True)


def stretches(frame: pd.DataFrame, gap_days: int = LINE_GAP_DAYS) -> list[str]:
    """For each point of :func:`time_frame`, the stretch of its line: an author's points on a
    topic and measure in date order, a new stretch after a silence of more than ``gap_days``."""
    out = pd.Series("", index=frame.index, dtype=object)
    for key, rows in frame.groupby(["Author", "topic", "Measure"], sort=False):
        ordered = rows.sort_values("Date", kind="stable")
        gaps = ordered["Date"].diff().dt.days.fillna(0) > gap_days
        numbers = gaps.cumsum().astype(int)
        out.loc[ordered.index] = [f"{key[0]}|{key[1]}|{key[2]}|{n}" for n in numbers]
    return out.tolist()


def same_points(frame: pd.DataFrame) -> list[list[str]]:
    """Units whose points are all the same (date, topic, measure and value), two or more to a
    group, in the frame's order: co-authors of the same articles plot on top of each other."""
    keyed: dict[tuple, list[str]] = {}
    for unit, rows in frame.groupby("Author", sort=False):
        points = rows[["Date", "topic", "Measure", "value"]].astype(str)
        key = tuple(sorted(map(tuple, points.to_numpy().tolist())))
        keyed.setdefault(key, []).append(str(unit))
    return [units for units in keyed.values() if len(units) > 1]


def time_chart(
    frame: pd.DataFrame,
    authors: list[str],
    topic_labels: list[str],
    counts_reported: bool = False,
    unit: str = "Author",
    gap_days: int = LINE_GAP_DAYS,
    slots: list[int] | None = None,
    yearly: bool = False,
) -> alt.FacetChart:
    """A line with points per author, one row per topic, stance and tone side by side
    (``counts_reported``: the run counts quotes as the author's own words, so n does too;
    ``unit``: what the lines are, "Outlet" for outlets, in the key and the tooltips;
    ``slots``: each author's colour and shape, :func:`unit_slots`; ``yearly``: points per
    year): the chart a download gives."""
    drawn = with_empty_panels(frame, list(TIME_MEASURES))
    layered = _time_layers(
        drawn, authors, counts_reported, unit, gap_days, True, date_axis(frame, yearly), slots
    )
    return by_topic_and_measure(layered, topic_labels, list(TIME_MEASURES)).configure_axis(
        grid=False
    )


def time_charts(
    frame: pd.DataFrame,
    authors: list[str],
    topic_labels: list[str],
    counts_reported: bool = False,
    unit: str = "Author",
    gap_days: int = LINE_GAP_DAYS,
    slots: list[int] | None = None,
    yearly: bool = False,
) -> list[alt.FacetChart]:
    """:func:`time_chart` as a chart per measure, for the page to lay out side by side or one
    under another as its width allows; the key of colours and shapes under the last. Both
    share one time axis and the same topic rows, a row without points saying so, so that a
    point sits at the same place in each."""
    drawn = with_empty_panels(frame, list(TIME_MEASURES))
    axis = date_axis(frame, yearly)
    last = TIME_MEASURES[-1]
    return [
        one_measure(
            _time_layers(drawn, authors, counts_reported, unit, gap_days, m == last, axis, slots),
            topic_labels,
            m,
        ).configure_axis(grid=False)
        for m in TIME_MEASURES
    ]


# Vega-Lite's point shapes, in its own order: a unit's shape goes with its colour's slot
UNIT_SHAPES = (
    "circle",
    "square",
    "triangle-up",
    "cross",
    "diamond",
    "triangle-down",
    "triangle-right",
    "triangle-left",
)


def unit_slots(units: list[str], ranked: list[str]) -> list[int]:
    """Each unit's colour (and shape) slot: its place in the page's list (``ranked``) when that
    slot is free among ``units``, else the next free one, so that a unit keeps its colour
    whatever order it was picked in and whatever else is picked beside it."""
    taken: set[int] = set()
    slots = []
    for unit in units:
        slot = (ranked.index(unit) if unit in ranked else len(ranked)) % len(CATEGORY_COLORS)
        while slot in taken:
            slot = (slot + 1) % len(CATEGORY_COLORS)
        taken.add(slot)
        slots.append(slot)
    return slots


EMPTY_PANEL_NOTES = {
    "Stance": "no side taken here (no stance expressed)",
    "Tone": "no tone point here",
}


def with_empty_panels(frame: pd.DataFrame, measures: list[str]) -> pd.DataFrame:
    """The frame with a row (no value, ``empty_note`` set) for each topic and measure without
    a point, so that every measure's panels have the same topic rows and an empty panel says
    why it is empty rather than vanishing."""
    frame = frame.assign(empty_note="")
    if frame.empty:
        return frame
    have = set(zip(frame["Topic"], frame["Measure"], strict=True))
    first = frame.iloc[0]
    extra = [
        {
            **{c: None for c in frame.columns},
            "Date": frame["Date"].min(),
            "Author": first["Author"],
            "topic": topic,
            "Topic": label,
            "Measure": measure,
            "value": float("nan"),
            "near_zero": False,
            "n": 0,
            "empty_note": EMPTY_PANEL_NOTES.get(measure, "no point here"),
        }
        for topic, label in frame[["topic", "Topic"]].drop_duplicates().itertuples(index=False)
        for measure in measures
        if (label, measure) not in have
    ]
    if not extra:
        return frame
    return pd.concat([frame, pd.DataFrame(extra, columns=frame.columns)], ignore_index=True)


def date_axis(frame: pd.DataFrame, yearly: bool = False) -> tuple[list[alt.DateTime] | None, str]:
    """The time scale's domain (the frame's first and last dates: one for every panel) and a
    label format that names the year whatever the span: days over a short span, months over
    a few years, years beyond (``yearly``: points per year, always years)."""
    dates = pd.to_datetime(frame["Date"]).dropna()
    if dates.empty:
        return None, "%Y"
    first, last = dates.min(), dates.max()
    if first == last:  # one day: a week either side, or the scale has no width
        first, last = first - pd.Timedelta(days=7), last + pd.Timedelta(days=7)
    span = (last - first).days
    fmt = "%d %b %Y" if span <= 120 else "%b %Y" if span <= 3 * 366 else "%Y"
    if yearly:
        fmt = "%Y"
    domain = [alt.DateTime(year=d.year, month=d.month, date=d.day) for d in (first, last)]
    return domain, fmt


def _time_layers(
    frame: pd.DataFrame,
    authors: list[str],
    counts_reported: bool,
    unit: str,
    gap_days: int,
    key: bool = True,
    axis: tuple[list[alt.DateTime] | None, str] = (None, "%Y"),
    slots: list[int] | None = None,
) -> alt.LayerChart:
    """The marks of one panel of :func:`time_chart` (``key``: with the key of colours and
    shapes; ``axis``: the time scale's domain and label format, :func:`date_axis`). Rows of
    :func:`with_empty_panels` draw their note, not a point."""
    domain, date_format = axis
    y = alt.Y(
        "value:Q",
        scale=alt.Scale(domain=[-1, 1]),
        title=None,
        axis=alt.Axis(
            values=[-1, -0.5, 0, 0.5, 1],
            labelExpr="datum.value == 0 ? '0' : format(datum.value, '+.1~f')",
        ),
    )
    x = alt.X(
        "Date:T",
        title=None,
        axis=alt.Axis(labelAngle=0, labelOverlap=True, format=date_format),
        # the first and last points drawn whole, not cut in half
        scale=alt.Scale(padding=10, **({"domain": domain, "nice": False} if domain else {})),
    )
    # swatches as strong as the points (they took the lines' opacity); one key for colour and
    # shape
    legend = (
        alt.Legend(orient="bottom", columns=2, labelLimit=200, title=unit, symbolOpacity=1.0)
        if key
        else None
    )
    slots = list(range(len(authors))) if slots is None else slots
    colour = alt.Color(
        "Author:N",
        sort=authors,
        scale=alt.Scale(domain=authors, range=[CATEGORY_COLORS[i] for i in slots]),
        legend=legend,
    )
    # a shape per unit as well as a colour: the colours left once red, blue, purple and green
    # are the scores' (orange, brown, yellow...) are hard to tell apart on their own
    # merged with the colours' key; the domain fixed as the colours' is, or each panel gives
    # the shapes out to the units it has, and a unit's shape differs between panels
    shape = alt.Shape(
        "Author:N",
        sort=authors,
        scale=alt.Scale(domain=authors, range=[UNIT_SHAPES[i % len(UNIT_SHAPES)] for i in slots]),
        legend=legend,
    )
    tooltip = [
        alt.Tooltip("Date:T", format="%Y-%m-%d"),
        alt.Tooltip("Author:N", title=unit),
        alt.Tooltip("Title:N"),
        alt.Tooltip("Topic:N"),
        alt.Tooltip("Measure:N"),
        alt.Tooltip("shown:N", title="value [interval]"),
        alt.Tooltip(
            "n:Q", title="passages, quotes included" if counts_reported else "own-voice passages"
        ),
    ]
    zero = (
        alt.Chart()
        .mark_rule(color="#9e9e9e", strokeDash=[3, 3])
        .encode(y=alt.datum(0), tooltip=alt.value(None))
    )
    # a line joins an author's articles only within LINE_GAP_DAYS of each other: across a
    # longer silence it would draw a trend the articles do not show
    line = (
        alt.Chart()
        .mark_line(strokeWidth=1.5, opacity=0.6)
        # no tooltip: a line's would show its first article's, wherever it is hovered
        .encode(x=x, y=y, color=colour, detail="stretch:N", tooltip=alt.value(None))
    )
    interval = (
        alt.Chart()
        .transform_filter("isValid(datum.low) && isValid(datum.high)")
        .mark_rule(strokeWidth=2, opacity=0.35)
        .encode(
            x=x,
            y=alt.Y("low:Q", scale=alt.Scale(domain=[-1, 1])),
            y2="high:Q",
            color=colour,
            tooltip=tooltip,
        )
    )
    # filled where the interval keeps to one side of 0, hollow where it reaches across 0 or
    # there is none (one passage): as the Overview's pale cells, a point on one passage must
    # not look as well measured as one on many
    bounds = zip(frame["low"], frame["high"], strict=True)
    one = frame["one_article"].fillna(False).astype(bool)
    drawn = frame.assign(
        settled=[
            views.keeps_off_zero(lo, hi) and not near and not single
            for (lo, hi), near, single in zip(bounds, frame["near_zero"], one, strict=True)
        ],
        stretch=stretches(frame, gap_days),
    )
    filled = (
        alt.Chart()
        .transform_filter("datum.settled")
        .mark_point(filled=True, size=70, stroke="#222", strokeWidth=0.5, opacity=0.95)
        .encode(x=x, y=y, color=colour, shape=shape, tooltip=tooltip)
    )
    hollow = (
        alt.Chart()
        .transform_filter("!datum.settled")
        .mark_point(filled=False, size=60, strokeWidth=1.8, opacity=0.95)
        .encode(x=x, y=y, color=colour, shape=shape, tooltip=tooltip)
    )
    empty = (
        alt.Chart()
        .transform_filter("datum.empty_note != ''")
        .mark_text(color="#757575", fontStyle="italic", fontSize=12)
        .encode(
            text="empty_note:N",
            x=alt.value(PANEL_WIDTH / 2),
            y=alt.value(PANEL_HEIGHT / 2),
            tooltip=alt.value(None),
        )
    )
    return alt.layer(zero, interval, line, filled, hollow, empty, data=drawn).properties(
        width=PANEL_WIDTH, height=PANEL_HEIGHT
    )


def _iso_day(value: Any, first: datetime.date, last: datetime.date) -> datetime.date | None:
    """A link's date (``2018-07-01``) for the date picker; None for anything else, or a day
    outside the run's dates (the picker takes none)."""
    try:
        day = datetime.date.fromisoformat(str(value))
    except ValueError:
        return None
    return day if first <= day <= last else None


def _changes(
    ctx: Any, authors: list[str], topics: list[str], first: Any, last: Any, level: str
) -> None:
    """Did they change? Shifts before/after a chosen date, or at the detected change point.
    Computed only while the expander is open: the change-point search tests every split with
    permutations, and most visits never open it."""
    if state.get("split") and "time_changes_open" not in st.session_state:
        st.session_state["time_changes_open"] = True  # a link with a date opens the shifts
    box = ui.opened_expander(
        "Did they change? Shifts over time, with their evidence", "time_changes_open"
    )
    if box is None:
        return
    with box:
        state.seed_widget("split", "time_split_date", lambda v: _iso_day(v, first, last))
        picked = st.date_input(
            "Compare before and after this date (leave empty to find the change point)",
            min_value=first,
            max_value=last,
            key="time_split_date",
            # the widget's own state once set (from a link, or by the reader)
            **({} if "time_split_date" in st.session_state else {"value": None}),
        )
        split = picked.isoformat() if picked else None
        state.put("split", split)
        shifts = data.author_shifts(
            ctx.path, ctx.stamp, tuple(authors), tuple(topics), split, level=level
        )
        st.caption(
            "After − before of each author's position, with a bootstrap interval that resamples "
            "each side's articles and their passages as the positions do (extended to the "
            "small-sample t interval where a side has few articles) and a permutation "
            "p-value; q: Benjamini–Hochberg over every test in this table (reading many "
            "shifts at once finds one under p 0.05 by chance). A detected change point is "
            "the split where the shift is largest against its standard error; its p-value "
            "pays for searching every split, its interval and its shift do not (both are "
            "taken at the split found, the one that stands out most, so read p for a split "
            "whose How says detected). Shifts that hold at q under 0.05 with the interval "
            "clear of 0 (at your date or at a detected change point) are listed under the "
            "table with their evidence. "
            "The same test as "
            "`viewpoints shift`, with 999 resamples where the command draws 2,000, so p-values "
            "can differ a little."
        )
        # a unit with no dated article on a topic has nothing to shift: named once, not a row
        # for each measure (five authors on three topics made 30 rows, most of them empty)
        quiet = [s.get("shift") is None and not s["n_before"] + s["n_after"] for s in shifts]
        silent = [s for s, q in zip(shifts, quiet, strict=True) if q]
        table = views.shift_table(
            [s for s, q in zip(shifts, quiet, strict=True) if not q],
            ctx.labels,
            "Outlet" if level == "outlet" else "Author",
        )
        if shifts and all(item.get("shift") is None for item in shifts):
            st.info(
                "No shift can be measured for these authors and topics: each needs dated "
                "articles on the topic on both sides of a split"
                + (" (the Note of each row says what is missing)" if not table.empty else "")
                + ". Choose authors with more dated articles, or another date."
            )
        if silent:  # why, as the rows' Note said it: not discussed, only quoted voices...
            named = dict.fromkeys(
                (s["author"], ctx.label(s["topic"]), s.get("note") or "") for s in silent
            )
            st.caption(
                "Not in the table, nothing dated to compare: "
                + "; ".join(
                    f"{md_escape(str(a))} on {t}" + (f" ({md_escape(n)})" if n else "")
                    for a, t, n in named
                )
                + "."
            )
        if table.empty:  # every unit is silent on every topic: nothing to tabulate
            return
        st.dataframe(
            table,
            height=views.note_table_height(len(table), views.SHIFT_ROW_HEIGHT),
            hide_index=True,
            column_config={
                **ui.widths(views.SHIFT_TABLE_WIDTHS),
                "Articles": st.column_config.TextColumn(
                    width=views.SHIFT_TABLE_WIDTHS["Articles"],
                    help="Dated articles on the topic before / after the split; where no split "
                    "was found, the dated articles there are",
                ),
            },
            row_height=views.SHIFT_ROW_HEIGHT,
        )
        if shifts:
            export.download_buttons(
                export.file_stem("shifts", ctx.run_id),
                key="time_shifts",
                table=pd.DataFrame(shifts).drop(
                    columns=["evidence_before", "evidence_after"], errors="ignore"
                ),
                what="these shifts (every test, with its interval, p and q)",
                provenance={
                    **ctx.provenance,
                    "view": {
                        "level": level,
                        "units": list(authors),
                        "topics": list(topics),
                        "split": split or "change point searched",
                        "resamples": 999,
                    },
                },
            )
        # only shifts that hold over every test of the table get their evidence headlined: at p
        # under 0.05 alone, one of twenty tests would, by chance (an audit found a shift
        # headlined at p 0.048, q 0.35)
        held = [s for s in shifts if views.shift_holds(s)]
        if shifts and not held:
            st.caption(
                "No shift here holds at q under 0.05 (the false discovery rate over every test "
                "in this table) with its interval clear of 0, so none is listed with its "
                "evidence."
            )
        for item in held:
            st.markdown(views.shift_heading(item, ctx.label(item["topic"])))
            for side in ("before", "after"):
                for ev in item[f"evidence_{side}"]:
                    st.caption(f"{side}, {ev['date']}: {md_escape(ev['text'])}")


def odd_dates(meta: pd.DataFrame, created: Any = None) -> pd.DataFrame:
    """The articles whose date is unlikely for news (before 1900, or after the run was made):
    ``article_id``, ``title``, ``date`` and ``why``, oldest first."""
    try:
        made = datetime.date.fromisoformat(str(created)[:10])
    except ValueError:
        made = None
    dated = meta[meta["day"].notna()]
    why = [implausible_date(day.date().isoformat(), made) for day in dated["day"]]
    odd = dated.assign(why=why)
    odd = odd[odd["why"].notna()].sort_values("day", kind="stable")
    return odd[["article_id", "title", "date", "why"]].reset_index(drop=True)


def _leave_out_odd_dates(meta: pd.DataFrame, created: Any) -> tuple[pd.DataFrame, int]:
    """Say which articles have unlikely dates (a typo puts one in 1899 and squeezes every
    real point into one column) and, unless the reader keeps them, leave their dates out of
    this page; the meta as drawn, and how many dates were left out."""
    odd = odd_dates(meta, created)
    if odd.empty:
        state.put("odd_dates", None)  # nothing to keep: no stale choice in a shared link
        return meta, 0
    named = "; ".join(
        f"{md_escape(str(row.article_id if is_missing(row.title) else row.title))} "
        f"({row.date}, {row.why})"
        for row in odd.head(5).itertuples()
    ) + (f"; and {len(odd) - 5:,} more" if len(odd) > 5 else "")
    st.warning(
        f"{counted(len(odd), 'article')} of this run {'has' if len(odd) == 1 else 'have'} a "
        f"date unlikely for news (before 1900, or after the run was made), most likely a typo "
        f"in the source: {named}.",
        icon=":material/event_busy:",
    )
    state.seed_widget("odd_dates", "time_keep_odd_dates", lambda v: v == "1")
    keep = st.checkbox(
        "Draw them at those dates anyway",
        key="time_keep_odd_dates",
        help="Left out, they are treated as undated here; the shifts below count them either way.",
    )
    state.put("odd_dates", "1" if keep else None)
    if keep:
        return meta, 0
    meta = meta.copy()
    meta.loc[meta["article_id"].isin(set(odd["article_id"])), "day"] = pd.NaT
    return meta, len(odd)


def render() -> None:
    """The page; returns early (rather than st.stop()) so that the app still writes
    the selections to the address."""
    ctx = context.active()
    meta = data.article_meta(ctx.path, ctx.stamp)
    st.title("Over time")
    meta, odd = _leave_out_odd_dates(meta, ctx.meta.get("created"))
    dated = meta[meta["day"].notna()]
    n_undated = len(meta) - len(dated)
    if dated.empty and odd:
        st.info("Every dated article's date is unlikely for news (above): nothing else to draw.")
        return
    if dated.empty:
        st.info(
            f"None of the {len(meta):,} articles of run `{ctx.run_id}` has a date, so there is "
            "nothing to draw over time. Dates come from the corpus: the `date` field of a JSONL "
            'record, or `date = "YYYY-MM-DD"` for a file in its folder\'s `articles.toml` '
            "(the seed articles have none). Analyse a corpus with dates, such as the AllSides "
            "one, to see positions over time."
        )
        return

    positions = data.positions(ctx.path, ctx.stamp, "article")
    level = ui.unit_choice("Draw", "time_units")
    kinds = {} if level == "outlet" else views.group_kinds(meta)
    counts = articles_with_points(positions, dated, level)
    order = views.outlet_order(dated) if level == "outlet" else views.group_order(dated)
    ranked = [g for g in order if g in counts.index]
    every = views.outlet_order(meta) if level == "outlet" else views.group_order(meta)
    known = {str(g) for g in every}
    ranked.sort(key=lambda g: -int(counts[g]))  # stable: the order above breaks ties
    selection = "time_outlets" if level == "outlet" else "time_authors"
    noun = "Outlets" if level == "outlet" else "Authors or outlet groups"

    first, last = dated["day"].min().date(), dated["day"].max().date()
    st.caption(
        f"Each point is one article's position on a topic ({first:%d %b %Y} to "
        f"{last:%d %b %Y}), or with Per year below a year's, over its dated articles, with its "
        "interval; the line joins an author's points in date order, broken where more than "
        f"{LINE_GAP_DAYS} days (per year: a year) pass between two of them. "
        "A filled point's interval keeps to one side of 0; a hollow one's reaches across 0, or "
        "it has none (one passage), or (stance) lies within ±0.05, near 0: practically no side, "
        "however sure, or (per year) it rests on one article. "
        "Articles that do not discuss a topic have no point: silence is not neutrality. One "
        "that discusses it without taking a side has a tone point only (no stance expressed), "
        "and one that discusses it only through quoted voices has none."
    )
    if n_undated - odd:
        st.caption(
            f"{n_undated - odd:,} of {len(meta):,} articles have no date and are left out of "
            "this page."
        )
    render_run_trust(ctx)

    left, right = st.columns([3, 2])
    chosen = state.multiselect(
        f"{noun} (up to {MAX_AUTHORS}; in brackets: their dated articles "
        "with a point on any topic, most first)",
        ranked,
        selection,
        where=left,
        default=ranked[:DEFAULT_AUTHORS],
        max_selections=MAX_AUTHORS,
        format_func=lambda g: (
            f"{g} ({int(counts.get(g, 0))})"
            if kinds.get(g, "author") == "author"
            else f"{g} ({GROUP_TAGS.get(kinds.get(g), '')}, {int(counts.get(g, 0))})"
        ),
        placeholder="Type a name",
        # one the run has, all of whose articles are undated or silent: not "not here"
        absent_why=lambda g: (
            "has no dated article that discusses a topic in its own words"
            if str(g) in known
            else None
        ),
    )
    # Fox News, Fox Online News...: one newsroom, several outlets here
    if level == "outlet" and (note := sibling_groups_note(chosen, views.outlet_articles(meta))):
        left.caption(f"{note[:1].upper()}{note[1:]}.")
    topic_keys = [t.key for t in ctx.topics]
    chosen_topics = state.multiselect(
        "Topics", topic_keys, "topics", where=right, format_func=ctx.label, placeholder="All topics"
    )
    topic_pairs = [(k, ctx.label(k)) for k in (chosen_topics or topic_keys)]
    if not ranked:
        st.info("No dated article discusses any of the run's topics in its own voice.")
        return
    if not chosen:
        st.info(f"Pick one or more {noun.lower()} to draw.")
        return

    points = state.radio(
        "Points",
        list(POINT_CHOICES),
        "time_points",
        horizontal=True,
        default=POINT_CHOICES[0],
        help="Per year: each one's position over its dated articles of the year, with the "
        "interval positions have (resampling articles, then passages); each article: one "
        "point per article.",
    )
    yearly = points == YEARLY
    if yearly:
        frame = yearly_frame(data.yearly_positions(ctx.path, ctx.stamp, level), chosen, topic_pairs)
        if odd and not frame.empty:  # the years of the dates left out (yearly positions count
            # every article: a future date within the last year kept still counts there)
            frame = frame[pd.to_datetime(frame["Date"]).dt.year.between(first.year, last.year)]
        st.caption(
            "Each point is a year: the position over that year's dated articles, drawn at "
            "mid-year; a year with one article rests on that article alone."
        )
    else:
        frame = time_frame(positions, meta, chosen, topic_pairs, level)
    if frame.empty:
        st.info(
            "The chosen authors have no dated article that discusses "
            + ", ".join(md_escape(label) for _, label in topic_pairs)
            + " in their own voice."
        )
        return

    ui.legend(ctx, points="hollow", keys=False)  # colours here are the units, not scores
    drawing = {
        "counts_reported": ctx.info.aggregation.include_reported,
        "unit": "Outlet" if level == "outlet" else "Author",
        "gap_days": YEAR_GAP_DAYS if yearly else LINE_GAP_DAYS,
        # a unit's colour and shape go by its place in the list, not the order it was picked
        # in: picking one more, or another order, does not repaint the others
        "slots": unit_slots(chosen, ranked),
        "yearly": yearly,
    }
    topic_labels = [label for _, label in topic_pairs]
    ui.charts_side_by_side(time_charts(frame, chosen, topic_labels, **drawing))
    for group in same_points(frame):  # one drawn over the other: only the last one shows
        st.caption(
            f"{' and '.join(md_escape(u) for u in group)} have the same points here (co-authors "
            "of the same articles, or one article each read alike): they are drawn on top of "
            "each other."
        )
    chart = time_chart(frame, chosen, topic_labels, **drawing)  # the download: one chart
    stem = export.file_stem("over-time", ctx.run_id)
    export.download_buttons(
        stem,
        key="time",
        table=frame.drop(columns=["shown"]),
        chart=chart,
        what="the yearly positions of this chart" if yearly else "the points of this chart",
        # what the chart was drawn for, so that a file says what it holds
        provenance={
            **ctx.provenance,
            "view": {
                "level": level,
                "units": list(chosen),
                "topics": [k for k, _ in topic_pairs],
                "points": "per year" if yearly else "each article",
                **({"unlikely_dates": f"{odd} left out"} if odd else {}),
            },
        },
    )

    _changes(ctx, chosen, [k for k, _ in topic_pairs], first, last, level)

    if yearly:  # a year's articles: switch to each article to open them
        st.caption(
            "The articles behind these yearly points are listed, and open, under Each article."
        )
        return
    n_articles = frame["article_id"].nunique()
    behind = articles_behind(frame)
    with st.expander(
        f"The {counted(n_articles, 'article')} behind "
        + ("this point" if len(frame) == 1 else "these points")
        # an article on two topics is a row for each: say so, or the rows outnumber the count
        + (f" (a row per article and topic: {len(behind)})" if len(behind) != n_articles else "")
    ):
        st.caption("Pick a row to open its article with the passages behind its point.")
        event = st.dataframe(
            behind,
            hide_index=True,
            column_order=["Date", "Author", "Topic", "Title", "Stance", "Tone"],
            on_select="rerun",
            selection_mode="single-row",
            key="time_behind",
        )
        rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
        if rows and 0 <= int(rows[0]) < len(behind):
            picked = behind.iloc[int(rows[0])]
            if st.button(
                f"Open “{picked['Title']}” with its passages highlighted",
                icon=":material/article:",
                key="time_open_article",
            ):
                state.put("article", str(picked["article_id"]))
                state.put("topic", str(picked["topic"]))
                state.put("colour", str(picked["topic"]))  # coloured by the point's topic
                state.switch_page(ARTICLE_PAGE, handed=("article",))


if __name__ == "__main__":
    render()
