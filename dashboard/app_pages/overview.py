"""Overview: authors (or articles) × topics, stance and tone side by side; click for evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from analysis.export import labelled_topics
from analysis.labels import GROUP_TAGS, counted
from analysis.outlets import newsroom_notes
from analysis.periods import Period
from dashboard import context, data, export, state, ui, views
from dashboard.evidence import (
    evidence_frame,
    group_note_html,
    position_html,
    reported_frame,
    show_passages,
)
from dashboard.style import md_escape
from dashboard.trust import against_sort_note, render_run_trust

PAGE_SIZE = 25  # units per page (each has one row per topic)
VIEW_SWITCHED = "ov_view_switched"  # set when the user switches between authors and articles
EVIDENCE_UNIT = "_vp_evidence_unit"  # the unit the evidence was last shown for
EVIDENCE_LIMIT = 10
REPORTED_LIMIT = 10
ARTICLE_PAGE = "app_pages/article.py"


def _filters(
    ctx: context.RunContext, meta: pd.DataFrame
) -> tuple[pd.DataFrame, list[str], bool, data.PeriodKey]:
    """Sidebar filters -> (articles kept, topic keys shown, whether any filter narrows units,
    the date range the authors' and outlets' positions are computed over: None for all)."""
    run = ctx.run_id
    with st.sidebar:
        st.markdown("#### Filters")
        outlets = sorted(meta["outlet"].dropna().astype(str).unique())
        state.seed_widget("outlets", f"ov_outlets_{run}", _known(outlets))
        chosen_outlets = st.multiselect(
            "Outlet", outlets, key=f"ov_outlets_{run}", placeholder="All outlets"
        )
        state.put("outlets", chosen_outlets)
        kinds = views.group_kinds(meta)
        groups = views.group_order(meta)
        state.seed_widget("groups", f"ov_authors_{run}", _known(groups))
        chosen_groups = st.multiselect(
            "Author",
            groups,
            key=f"ov_authors_{run}",
            format_func=lambda g: (
                g if kinds.get(g) == "author" else f"{g} ({GROUP_TAGS.get(kinds.get(g), '')})"
            ),
            placeholder="All authors and outlet groups",
        )
        state.put("groups", chosen_groups)
        keys = [t.key for t in ctx.topics]
        state.seed_widget("topics", f"ov_topics_{run}", _known(keys))
        chosen_topics = st.multiselect(
            "Topic", keys, format_func=ctx.label, key=f"ov_topics_{run}", placeholder="All topics"
        )
        state.put("topics", chosen_topics)
        mask = pd.Series(True, index=meta.index)
        if chosen_outlets:
            mask &= meta["outlet"].isin(chosen_outlets)
        if chosen_groups:
            mask &= views.in_groups(meta, chosen_groups)
        days = meta["day"].dropna()
        narrowed = bool(chosen_outlets or chosen_groups)
        period: data.PeriodKey = None
        if not days.empty:
            first, last = days.min().date(), days.max().date()
            if f"ov_dates_{run}" not in st.session_state:  # from a link, else the whole range
                st.session_state[f"ov_dates_{run}"] = _date_range(first, last)
            picked = st.date_input(
                "Date range", min_value=first, max_value=last, key=f"ov_dates_{run}"
            )
            state.seed_widget("undated", f"ov_undated_{run}", lambda v: v != "0")
            if f"ov_undated_{run}" not in st.session_state:
                st.session_state[f"ov_undated_{run}"] = True
            undated = st.checkbox(
                "Include undated articles",
                key=f"ov_undated_{run}",
                help="Lists the articles without a date. Over a narrower date range, authors' "
                "and outlets' positions count their dated articles only: an undated article "
                "is in no period.",
            )
            state.put("undated", None if undated else "0")
            picked = tuple(picked) if isinstance(picked, list | tuple) else (picked,)
            lo = pd.Timestamp(picked[0]) if picked else pd.Timestamp(first)
            hi = pd.Timestamp(picked[-1]) if picked else pd.Timestamp(last)
            state.put("from", None if lo.date() == first else lo.date().isoformat())
            state.put("to", None if hi.date() == last else hi.date().isoformat())
            in_range = meta["day"].between(lo, hi) | (meta["day"].isna() & undated)
            if (~in_range).any():
                narrowed = True
                # an undated article is in no period: positions over dates count dated ones
                # (an audit's "2014 only" was three parts undated articles of any year)
                period = (lo.date().isoformat(), hi.date().isoformat(), False)
            mask &= in_range
        if period is not None:
            st.caption(
                "Author and outlet positions are computed over their dated articles in the "
                f"date range ({period[0]} to {period[1]}; undated articles count only when the "
                "whole range is chosen with 'Include undated articles' on): the numbers, "
                "intervals, article counts and evidence are the period's. The Outlet and "
                "Author filters choose which authors and outlets are listed."
            )
        elif narrowed:
            st.caption(
                "Author and outlet positions are computed over all of an author's (an "
                "outlet's) articles; the filters choose which authors and outlets are listed "
                "(under Outlets, the Author filter lists the outlets of their articles, with "
                "every article of each) and which articles are shown."
            )
    return meta[mask], chosen_topics or keys, narrowed, period


def period_words(period: tuple[str, str, bool]) -> str:
    """A date range of the Overview in words."""
    first, last, undated = period
    return f"{first} to {last}, undated articles {'included' if undated else 'left out'}"


def _tone_baseline(
    ctx: context.RunContext, meta: pd.DataFrame, topics: list[str], period: data.PeriodKey
) -> None:
    """Each topic's mean tone over the articles that discuss it (those of the date range, if
    one is chosen; the outlet and author filters aside: it is the corpus's baseline)."""
    articles = data.positions(ctx.path, ctx.stamp, "article")
    if period is not None:
        articles = articles[articles["article_id"].isin(_in_period(meta, period))]
    ranges = views.outlet_tone_ranges(data.positions(ctx.path, ctx.stamp, "outlet", period), topics)
    means = views.topic_tone_means(articles, topics)
    if note := views.tone_baseline_note(means, ctx.label, ranges, topics):
        st.caption(note + (f" (Dated articles of {period[0]} to {period[1]}.)" if period else ""))


def _in_period(meta: pd.DataFrame, period: tuple[str, str, bool]) -> set[str]:
    """The ids of the articles of ``meta`` a date range keeps (whatever the other filters)."""
    first, last, undated = period
    span = Period(dt.date.fromisoformat(first), dt.date.fromisoformat(last), undated)
    return set(meta["article_id"].astype(str)[span.keeps(meta["date"])])


def _known(options: list[str]):
    """A converter for :func:`state.seed_widget`: the stored values that are still options."""
    allowed = set(options)
    return lambda values: [v for v in values if v in allowed]


def _iso(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _date_range(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The date range from the shared selection (a link), clipped to [first, last]."""
    lo = _iso(state.get("from")) or first
    hi = _iso(state.get("to")) or last
    lo, hi = min(max(lo, first), last), max(min(hi, last), first)
    return (lo, hi) if lo <= hi else (first, last)


def _unscored_note(label: str) -> str:
    """Why a cell whose predictions all failed shows no number (not "not discussed")."""
    return (
        f"No prediction: passages here are about {md_escape(label)}, but every prediction the "
        "model made on them failed (unreadable answers, kept with their reasons in the run's "
        "scores table), so no score is shown. The run's log and `viewpoints runs` count them."
    )


def _sort_choice(sorts: dict[str, tuple[str, bool]], level: str, where) -> str:
    """The "Sort by" selectbox of one view, its choice shared through the address."""
    name, key = f"sort_{level}s", f"ov_sort_{level}"
    # links made before the sorts were named "clearest ... first" said "most ... first"
    state.seed_widget(name, key, lambda v: views.sort_named(str(v), sorts))
    choice = where.selectbox(
        "Sort by",
        list(sorts),
        key=key,
        help=views.SORT_HELP,
        on_change=_first_page,  # a new order starts at its top, not on the page left open
        args=(level,),
    )
    state.put(name, choice if choice != next(iter(sorts)) else None)
    return choice


def _first_page(level: str) -> None:
    """Back to the first page of the table of ``level`` (its pagers' keys forgotten)."""
    for key in [k for k in st.session_state if str(k).startswith(f"ov_page_{level}_")]:
        del st.session_state[key]


def _download_positions(
    ctx: context.RunContext,
    level: str,
    units: pd.Index,
    topics: list[str],
    period: data.PeriodKey = None,
) -> None:
    """CSV and JSON of the positions behind the table (every page of it, in its order; over
    the ``period`` the table shows, named in the file's name and description)."""
    pos = data.positions(ctx.path, ctx.stamp, level, period)
    unit = views.unit_column(level)
    order = {str(u): i for i, u in enumerate(units)}
    rows = pos[pos[unit].astype(str).isin(order) & pos["topic"].isin(topics)].copy()
    rows["_order"] = rows[unit].astype(str).map(order)
    rows["_topic"] = rows["topic"].map({t: i for i, t in enumerate(topics)})
    rows = rows.sort_values(["_order", "_topic"], kind="stable").drop(columns=["_order", "_topic"])
    stem = export.file_stem("overview", level, ctx.run_id)
    what = f"the {level} positions of this table (all pages)"
    if period is not None and level != "article":
        stem = f"{stem}-{period[0]}-to-{period[1]}-dated"
        what += f", computed over the articles of {period_words(period)}"
    view = {  # the filters the table was made under, so that a file says what it holds
        "level": level,
        "topics": list(topics),
        "outlets": state.get("outlets") or None,
        "authors": state.get("groups") or None,
        "period": None if period is None else {"from": period[0], "to": period[1]},
    }
    export.download_buttons(
        stem,
        key=f"ov_download_{level}",
        table=labelled_topics(rows.reset_index(drop=True), ctx.labels),  # as `export` writes
        what=what,
        provenance={**ctx.provenance, "view": view},
    )


def _evidence_for_group(
    ctx: context.RunContext,
    meta_by_id: pd.DataFrame,
    units: list[str],
    topics: list[str],
    level: str = "author",
    period: data.PeriodKey = None,
    meta: pd.DataFrame | None = None,
) -> None:
    """The evidence of one author (or outlet group), or at ``level`` "outlet" of one outlet
    over all its articles (over those of ``period`` where given, among ``meta``'s)."""
    st.subheader("Evidence")
    noun = "an outlet" if level == "outlet" else "an author"
    st.caption(f"Click a cell in the table above, or choose {noun} and a topic here.")
    left, right = st.columns(2)
    label = "Outlet" if level == "outlet" else "Author or outlet group"
    pos = data.positions(ctx.path, ctx.stamp, level, period)
    # with none chosen, the first unit in the table's order whose own words take a side,
    # clearly (an interval clear of 0) where one does: a review opened on a one-passage "no
    # stance expressed" and read nothing to see there
    first = None
    for clearly in (True, False):
        stanced = set(pos.loc[views.takes_side(pos, clearly), "author"].astype(str))
        first = first or next((u for u in units if str(u) in stanced), None)
    unit = state.selectbox(label, units, level, where=left, default=first)
    topic = _topic_picker(ctx, right, topics, pos[pos["author"] == unit], f"{level}:{unit}")
    if unit is None or topic is None:
        return
    row = pos[(pos["author"] == unit) & (pos["topic"] == topic)]
    record = row.iloc[0].to_dict() if len(row) else None
    badge = (
        group_note_html("outlet_all" if period is None else "outlet_period")
        if level == "outlet"
        else group_note_html(record.get("group_kind") if record else None)
    )
    st.markdown(
        f"**{md_escape(unit)}** on **{md_escape(ctx.label(topic))}**" + badge,
        unsafe_allow_html=True,
    )
    st.markdown(
        position_html(
            record,
            counts_reported=ctx.info.aggregation.include_reported,
            whose="outlet's" if level == "outlet" else "author's",
        ),
        unsafe_allow_html=True,
    )
    store = data.text_store(ctx.path, ctx.stamp)
    article_ids = list(meta_by_id.index[views.unit_articles(meta_by_id, level, unit)])
    if period is not None and meta is not None:  # the period's articles only, as its position
        in_period = _in_period(meta, period)
        article_ids = [a for a in article_ids if a in in_period]
    if record is not None and record.get("status") == "unscored":
        st.warning(_unscored_note(ctx.label(topic)))
    elif record is None or record.get("status") != "discussed":
        n_art = int(record.get("n_articles") or 0) if record else 0
        st.info(
            f"Not discussed: none of the {n_art} article(s) of {md_escape(unit)} has an own-voice "
            f"passage about {md_escape(ctx.label(topic))}. Silence is not neutrality, so no "
            "score is shown." + _near_note(ctx, article_ids, topic)
        )
    elif views.only_quoted(record):
        _no_stance_note(record, ctx.label(topic), ctx.info.aggregation.min_stance_mass)
    else:
        _no_stance_note(record, ctx.label(topic), ctx.info.aggregation.min_stance_mass)
        ids = data.unit_evidence_ids(ctx.path, ctx.stamp, store, level, unit, topic, period)
        frame = evidence_frame(store, level, unit, topic, EVIDENCE_LIMIT, ids=ids)
        whose = (
            "its authors' own words, in any of its articles"
            if level == "outlet"
            else ("the author's own words")
        )
        st.markdown(
            "Evidence passages, strongest first (relevance × how far a passage leans to one "
            "side, where the position takes one; else × how sharp its tone): "
            f"{whose} (up to {EVIDENCE_LIMIT}):"
        )
        show_passages(frame, meta_by_id, empty="No evidence passages were stored for this cell.")
    asked = st.session_state.get(QUOTED_OPEN) == (level, unit, topic)
    _quoted_voices(
        store,
        meta_by_id,
        article_ids,
        topic,
        ctx.label(topic),
        expanded=views.only_quoted(record) or asked,
    )


# The session key of the (level, unit, topic) whose quoted voices' cell was clicked last: its
# quoted passages open below the evidence (None: the cell clicked was another).
QUOTED_OPEN = "_vp_quoted_open"
# The session key of the topic the Overview's table is sorted by (None: sorted by no topic).
SORTED_TOPIC = "_vp_sorted_topic"


def _topic_picker(
    ctx: context.RunContext, where: Any, topics: list[str], rows: pd.DataFrame, unit: str = ""
) -> str | None:
    """The evidence's topic picker; with no topic chosen it opens on the topic the table is
    sorted by, else the first of ``topics``, that the unit's position ``rows`` discuss in its
    own words, else through quoted voices (an audit sorted by Sanctions and got Arms control's
    evidence). Right after a switch between authors and articles, or to another ``unit``, a
    topic chosen before is kept only where the new unit discusses it (a review chose an author
    and got "not discussed" for the topic the last one was shown on)."""
    said = rows["status"] == "discussed"
    discussed = set(rows.loc[said, "topic"])
    own = (
        set(rows.loc[said & (pd.to_numeric(rows["n_passages"], errors="coerce") > 0), "topic"])
        if "n_passages" in rows
        else discussed
    )
    clear = set(rows.loc[views.takes_side(rows, clearly=True), "topic"])
    sided = set(rows.loc[views.takes_side(rows), "topic"])  # own words that take a side, first
    sorted_by = st.session_state.get(SORTED_TOPIC)  # the topic the table is sorted by, first
    ranked = (sorted_by, *topics)
    first = (
        next((t for t in ranked if t in clear), None)
        or next((t for t in ranked if t in sided), None)
        or next((t for t in ranked if t in own), None)
        or next((t for t in ranked if t in discussed), None)
    )
    switched = st.session_state.pop(VIEW_SWITCHED, False)
    moved = st.session_state.get(EVIDENCE_UNIT, unit) != unit
    st.session_state[EVIDENCE_UNIT] = unit
    if (switched or moved) and state.get("topic") not in discussed:
        state.put("topic", None)
    return state.selectbox(
        "Topic", topics, "topic", where=where, format_func=ctx.label, default=first
    )


def _evidence_for_article(
    ctx: context.RunContext,
    meta_by_id: pd.DataFrame,
    article_ids: list[str],
    listed: pd.Index,
    topics: list[str],
) -> None:
    """The evidence of one article: those on the table's page (``article_ids``), and a chosen
    one elsewhere in the table (``listed``: every row the filters keep)."""
    st.subheader("Evidence")
    st.caption("Click a cell in the table above, or choose an article and a topic here.")
    current = state.get("article")
    options = list(article_ids)
    if current in listed and current not in options:
        options.insert(0, current)
    left, right = st.columns(2)
    aid = state.selectbox(
        "Article",
        options,
        "article",
        where=left,
        format_func=lambda a: str(meta_by_id.loc[a, "title"]) if a in meta_by_id.index else a,
    )
    pos = data.positions(ctx.path, ctx.stamp, "article")
    topic = _topic_picker(ctx, right, topics, pos[pos["article_id"] == aid], f"article:{aid}")
    if aid is None or topic is None:
        return
    row = pos[(pos["article_id"] == aid) & (pos["topic"] == topic)]
    record = row.iloc[0].to_dict() if len(row) else None
    info = meta_by_id.loc[aid]
    st.markdown(
        f"**{md_escape(info['title'])}** — {md_escape(info['group'])}"
        + group_note_html(info["group_kind"])
        + f" on **{md_escape(ctx.label(topic))}**",
        unsafe_allow_html=True,
    )
    st.markdown(
        position_html(record, compact=True, counts_reported=ctx.info.aggregation.include_reported),
        unsafe_allow_html=True,
    )
    if st.button("Open this article with its passages highlighted", icon=":material/article:"):
        state.put("article", aid)
        state.put("colour", topic)  # coloured by the topic its evidence was opened on
        state.switch_page(ARTICLE_PAGE, handed=("article",))
    store = data.text_store(ctx.path, ctx.stamp)
    if record is not None and record.get("status") == "unscored":
        st.warning(_unscored_note(ctx.label(topic)))
    elif record is None or record.get("status") != "discussed":
        st.info(
            "Not discussed: this article has no own-voice passage about "
            f"{md_escape(ctx.label(topic))}." + _near_note(ctx, [aid], topic)
        )
    elif views.only_quoted(record):
        _no_stance_note(record, ctx.label(topic), ctx.info.aggregation.min_stance_mass)
    else:
        _no_stance_note(record, ctx.label(topic), ctx.info.aggregation.min_stance_mass)
        frame = evidence_frame(store, "article", aid, topic, EVIDENCE_LIMIT)
        show_passages(frame, meta_by_id, empty="No evidence passages were stored for this cell.")
    _quoted_voices(
        store, meta_by_id, [aid], topic, ctx.label(topic), expanded=views.only_quoted(record)
    )


def _near_note(ctx: context.RunContext, article_ids: list[str], topic: str) -> str:
    """A sentence on the passages of ``article_ids`` near ``topic`` that the topic check left
    out (the Article page lists them); empty when there are none."""
    left_out, _ = data.gated_out(ctx.path, ctx.stamp)  # unreadable: the Article page says so
    near = left_out[(left_out["topic"] == topic) & left_out["article_id"].isin(article_ids)]
    if near.empty:
        return ""
    return (
        f" The topic check left out {len(near)} passage(s) that come near it: the Article page "
        'lists them under "Near a topic but not counted".'
    )


def _no_stance_note(record: dict, label: str, min_mass: float = 0.1) -> None:
    """Say in words why a discussed position has no stance number, or that it is mixed:
    passages that take no side, or (their expected count of sides taken at ``min_mass`` or
    more) sides that balance only through passages the model splits between them."""
    if views.only_quoted(record):
        st.info(
            f"Only quoted voices: {md_escape(label)} comes up only in what others are quoted "
            "saying, with no own words of the author on it; their stance is the quoted voices' "
            "measure, and their passages are listed below."
        )
    elif record.get("stance_status") == "no_stance":
        mass = record.get("stance_mass")
        split = mass is not None and not pd.isna(mass) and float(mass) >= min_mass
        st.info(
            f"No stance expressed: the own-voice passages about {md_escape(label)} "
            + (
                "lean to both sides about equally, each passage split between them by the "
                "model, so no side is clearly taken"
                if split
                else "report or describe without taking a side"
            )
            + ", and no stance number is shown (tone still is)."
        )
    elif record.get("stance_status") == "mixed":
        # one passage read both ways: not two sides (runs made before position rules 3 only:
        # since, such a position reads "no stance expressed", aggregate.side_statuses)
        if int(record.get("n_passages") or 0) == 1:
            st.info(
                f"Mixed: its one passage on {md_escape(label)} is read as leaning both ways "
                "about equally: an ambiguous passage rather than two sides taken."
            )
        else:
            st.info(f"Mixed: these passages take both sides on {md_escape(label)}.")


def _quoted_voices(
    store,
    meta_by_id: pd.DataFrame,
    article_ids: list[str],
    topic: str,
    label: str,
    expanded: bool = False,
) -> None:
    """The quoted and reported passages: whose views the author chose to quote (open where
    they are all there is)."""
    reported, total = reported_frame(store, article_ids, topic, REPORTED_LIMIT)
    with st.expander(
        f"Quoted voices on {md_escape(label)}: {total} passage(s), the second measure "
        "(the stance of the people quoted, not the author's)",
        expanded=expanded,
    ):
        show_passages(reported, meta_by_id, empty="No one is quoted on this topic.")


def _level_table(
    ctx: context.RunContext,
    level: str,
    wide: pd.DataFrame,
    topics: list[str],
    count_label: str,
    info: list[tuple[str, str]],
    tail: list[tuple[str, str]],
    period: data.PeriodKey = None,
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The sortable, paged matrix of one level (authors or articles) with its download (over
    ``period``, as the table); a clicked cell becomes the selection. Returns (the rows shown,
    all rows), None when empty."""
    sorts = views.sort_options([(k, ctx.label(k)) for k in topics], level)
    left, right = st.columns([2, 1])
    choice = _sort_choice(sorts, level, left)
    # "(not measured)" in the table; the topic sorted by, if any, first in each unit's rows
    sorted_by = sorts[choice][0].rpartition("|")[0]
    st.session_state[SORTED_TOPIC] = sorted_by or None  # the evidence opens on it
    labels = sorted(
        ((k, ctx.marked_label(k)) for k in topics), key=lambda pair: pair[0] != sorted_by
    )
    wide = _only_discussing(wide, topics, level, left)
    wide = views.sort_wide(wide, *sorts[choice], level=level)
    if note := views.one_sided_note(wide, *sorts[choice], level=level):
        left.caption(note)
    column, ascending = sorts[choice][:2]
    against_first = ascending and column.rpartition("|")[2] == "stance"
    if against_first and (note := against_sort_note(ctx.meta.get("models"))):
        left.caption(note)
    right.metric(count_label, f"{len(wide):,}")
    if wide.empty:
        st.warning(f"No {level} matches these filters.")
        return None
    page = ui.page_picker(len(wide), PAGE_SIZE, f"ov_page_{level}", f"page_{level}")
    shown = views.page_of(wide, page, PAGE_SIZE)
    table = views.matrix(shown, labels, info, tail, level=level)
    clicked = ui.matrix_table(
        table,
        ui.table_key(f"ov_{level}", table.units),
        counts_reported=ctx.info.aggregation.include_reported,
    )
    _download_positions(ctx, level, wide.index, topics, period)
    if clicked:
        state.put(level, clicked[0])
        state.put("topic", clicked[1])
        # the cell asked for: its topic is shown, discussed or not
        st.session_state[EVIDENCE_UNIT] = f"{level}:{clicked[0]}"
        # a quoted voices' cell opens their passages, not only the author's own
        st.session_state[QUOTED_OPEN] = (
            (level, clicked[0], clicked[1]) if clicked[2] == views.QUOTED_HEADER else None
        )
    return shown, wide


def _only_discussing(wide: pd.DataFrame, topics: list[str], level: str, where) -> pd.DataFrame:
    """The rows that discuss one of ``topics``, unless the user asks for every row (a box,
    ticked by default when the rows fill more than a page: a corpus of a few articles shows
    everyone); authors chosen by name are all shown, whatever they discuss."""
    status = [c for c in (f"{k}|status" for k in topics) if c in wide.columns]
    chosen_by_name = (level == "author" and state.get("groups")) or (
        level == "outlet" and state.get("outlets")
    )
    if not status or chosen_by_name:
        return wide
    discussing = (wide[status] == "discussed").any(axis=1)
    if discussing.all() or not discussing.any():
        return wide
    key = f"ov_discussing_{level}"
    default = len(wide) > PAGE_SIZE
    shown_for = f"{key}_run"  # the run the box was last drawn for
    chosen = f"{key}_chosen"  # the user (or the link opened) set it: kept across runs
    if state.get("silent") is not None:
        st.session_state[chosen] = True
    if st.session_state.get(shown_for) != state.get("run") and not st.session_state.get(chosen):
        st.session_state.pop(key, None)  # the last run's default, not a choice: this run's
    st.session_state[shown_for] = state.get("run")
    state.seed_widget("silent", key, lambda v: {"0": True, "1": False}.get(v))
    if key not in st.session_state:
        st.session_state[key] = default
    only = where.checkbox(
        f"Only those that discuss a topic shown ({int(discussing.sum()):,} of {len(wide):,})",
        key=key,
        on_change=_mark_chosen,
        args=(chosen,),
        help="Most authors and articles of a news corpus never touch the topics; untick "
        "to list them too (silence is not neutrality, and it is shown as such).",
    )
    state.put("silent", None if only == default else ("0" if only else "1"))
    return wide[discussing] if only else wide


def _mark_chosen(flag: str) -> None:
    st.session_state[flag] = True


# Per group level: the count's label, the leading and trailing columns of its table
GROUP_TABLES = {
    "author": (
        "Authors and outlet groups",
        # the measures right after the name, so that 1400 px show them without scrolling
        [("__name__", "Author / outlet")],
        [("group_kind", "Grouped under"), ("n_articles", "Articles"), ("outlet", "Outlet")],
    ),
    "outlet": ("Outlets", [("__name__", "Outlet")], [("n_articles", "Articles")]),
}


def _groups_view(
    ctx: context.RunContext,
    kept: pd.DataFrame,
    meta_by_id: pd.DataFrame,
    topics: list[str],
    narrowed: bool,
    level: str = "author",
    period: data.PeriodKey = None,
) -> None:
    """Authors (and outlet groups), or at ``level`` "outlet" each outlet over all the articles
    it published, signed or not (over those of ``period`` where given); the evidence of one
    below."""
    wide = data.wide_positions(ctx.path, ctx.stamp, level, period)
    if level == "outlet":
        no_dated = "day" in kept and not kept["day"].notna().any()
        if wide.empty and period is not None and no_dated:
            st.info(
                f"No dated article of this run falls in {period[0]} to {period[1]}, so no "
                "outlet has a position there: widen the date range."
            )
            return
        if wide.empty:
            st.info(
                "No article of this run names an outlet, so there is no outlet to show; the "
                "Authors view groups each unsigned article under itself."
            )
            return
        published = (
            f"every dated article it published from {period[0]} to {period[1]}"
            if period is not None
            else "every article it published"
        )
        st.caption(
            f"Each outlet over {published}, signed or not: what it publishes, whoever wrote it "
            "(under Authors an outlet group holds only its unsigned articles)."
        )
        counts = views.outlet_articles(meta_by_id)
        # Fox News, Fox Online News...: filed apart (one note per newsroom)
        for note in newsroom_notes(state.get("outlets") or [], counts):
            st.caption(note + ".")
    if narrowed:  # the units of the articles the filters keep
        wide = wide[wide.index.isin(views.members_at(kept, level)["group"].unique())]
    chosen = state.get("groups") if level == "author" else None
    if chosen:  # the authors chosen by name, not their co-authors on those articles
        wide = wide[wide.index.isin(chosen)]
    count_label, info, tail = GROUP_TABLES[level]
    found = _level_table(ctx, level, wide, topics, count_label, info, tail, period)
    if found is None:
        return
    shown, wide = found
    units = list(shown.index.astype(str))
    current = state.get(level)
    if current in wide.index and current not in units:
        units.insert(0, current)
    _evidence_for_group(ctx, meta_by_id, units, topics, level, period, meta_by_id)


def _articles_view(
    ctx: context.RunContext, kept: pd.DataFrame, meta_by_id: pd.DataFrame, topics: list[str]
) -> None:
    wide = data.wide_positions(ctx.path, ctx.stamp, "article")
    found = _level_table(
        ctx,
        "article",
        wide[wide.index.isin(kept["article_id"])],
        topics,
        "Articles",
        # the measures right after the title, as for authors; who wrote it at the end
        [("title", "Title")],
        [("author", "Author / outlet"), ("group_kind", "Grouped under"), ("date", "Date")],
    )
    if found is not None:
        shown, listed = found
        _evidence_for_article(ctx, meta_by_id, list(shown.index.astype(str)), listed.index, topics)


def render() -> None:
    """Lay out the page (Streamlit runs this file as ``__main__``; importing it runs nothing)."""
    ctx = context.active()
    meta = data.article_meta(ctx.path, ctx.stamp)
    st.title("Overview")
    n_groups = views.members(meta)["group"].nunique()
    groups = counted(n_groups, "author or outlet group", "authors and outlet groups")
    stored = set(data.wide_positions(ctx.path, ctx.stamp, "author").index.astype(str))
    read = set(views.members(meta)["group"].astype(str))
    older = (
        f" This run's stored author positions hold {len(stored):,} units, {len(stored - read):,}"
        " of them named otherwise today: it was made with the byline rules of its day; "
        "analyze its articles again to have both agree (docs/bylines.md)."
        if stored and stored != read
        else ""
    )
    kept, topic_keys, narrowed, period = _filters(ctx, meta)  # in the sidebar
    # the run's counts, and what the filters leave of them (a date range did not say)
    undated = int(kept["day"].isna().sum()) if period is not None else 0
    filtered = (
        f" The filters keep {counted(len(kept), 'article')} of them"
        # undated articles kept beside a date range: said apart, or the count reads as the
        # range's (a review read 1,253 articles for 2014, 929 of them undated); the period's
        # positions count dated articles only
        + (
            f" ({undated:,} of them undated: listed, not in the period's positions)"
            if undated
            else ""
        )
        + "."
        if len(kept) != len(meta)
        else ""
    )
    st.caption(
        f"Run `{ctx.run_id}` · {counted(len(meta), 'article')} · {groups} (each author of "
        "a shared byline counts). An article with no author is grouped under its outlet (or "
        "itself)." + filtered + older
    )
    meta_by_id = meta.set_index("article_id", drop=False)
    ui.legend(ctx)
    render_run_trust(ctx)
    _tone_baseline(ctx, meta, topic_keys, period)
    views_offered = ["Authors", "Outlets", "Articles"]
    state.seed_widget("view", "ov_view", state.one_of(views_offered))
    view = st.radio(
        "Show",
        views_offered,
        horizontal=True,
        key="ov_view",
        on_change=_mark_chosen,
        args=(VIEW_SWITCHED,),
    )
    state.put("view", view if view != "Authors" else None)
    if view != "Articles":  # Compare and Over time open on the same kind of unit
        state.put("units", "Outlets" if view == "Outlets" else None)
    if view == "Articles":
        _articles_view(ctx, kept, meta_by_id, topic_keys)
    elif view == "Outlets":
        _groups_view(ctx, kept, meta_by_id, topic_keys, narrowed, "outlet", period)
    else:
        _groups_view(ctx, kept, meta_by_id, topic_keys, narrowed, period=period)


if __name__ == "__main__":
    render()
