"""Compare: two to four authors (or outlet groups), or outlets over all their articles, per
topic, with intervals and evidence."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from analysis.export import labelled_topics
from analysis.labels import group_label
from analysis.outlets import newsroom_notes
from dashboard import context, data, export, state, ui, views
from dashboard.charts import chart_frame, comparison_chart, comparison_charts
from dashboard.evidence import (
    evidence_frame,
    group_note_html,
    position_html,
    reported_frame,
    show_passages,
)
from dashboard.style import (
    NO_PREDICTION,
    NO_STANCE,
    NOT_DISCUSSED,
    ONLY_QUOTED,
    md_escape,
)
from dashboard.trust import render_run_trust

MAX_AUTHORS = 4
TOP_EVIDENCE = 3
TOP_REPORTED = 3
KIND_CHOICES = {
    "All": ("author", "outlet", "article"),
    "Named authors": ("author",),
    "Outlet groups (unsigned pieces)": ("outlet",),
}


def _author_label(kinds: dict[str, str]):
    def label(group: str) -> str:
        return group_label(group, kinds.get(group))

    return label


def render() -> None:
    """Lay out the page (Streamlit runs this file as ``__main__``; importing it runs nothing)."""
    ctx = context.active()
    meta = data.article_meta(ctx.path, ctx.stamp)
    meta_by_id = meta.set_index("article_id", drop=False)

    st.title("Compare")
    if state.get("from") or state.get("to") or state.get("undated") is not None:
        st.caption(  # the Overview's dates travel in the address; they do not apply here
            "The date range chosen on the Overview does not apply here: each author and "
            "outlet is compared over all of their articles (the Over time page splits them by "
            "date)."
        )
    level = ui.unit_choice("Compare", "cmp_units")
    positions = data.positions(ctx.path, ctx.stamp, level)
    # the first choice: those who wrote most among those whose own words take a side on a
    # topic, else among those who discuss one (a page that opened on three groups that
    # discuss nothing showed only "not discussed"; one on quoted voices alone, no stance)
    discussing = set(positions.loc[positions["status"] == "discussed", "author"].astype(str))
    sided = set(positions.loc[views.takes_side(positions), "author"].astype(str))
    if len(sided) >= 2:
        discussing = sided
    if level == "outlet":
        chosen, kinds = _choose_outlets(meta, discussing)
    else:
        chosen, kinds = _choose_authors(meta, discussing)
    if not chosen:
        return  # not st.stop(): the app then writes the emptied choice to the address

    topic_pairs = [(t.key, t.label) for t in ctx.topics]
    ui.legend(ctx, points="pale")
    render_run_trust(ctx)
    marked = [(t.key, ctx.marked_label(t.key)) for t in ctx.topics]  # "(not measured)"
    frame = chart_frame(
        positions, chosen, marked, counts_reported=ctx.info.aggregation.include_reported
    )
    names = chosen
    if level == "author":  # an outlet group's row says it holds unsigned pieces, as its chip
        label = _author_label(kinds)
        frame = frame.assign(Author=frame["Author"].map(label))
        names = [label(a) for a in chosen]
    unit = "Outlet" if level == "outlet" else "Author"
    topic_labels = [lab for _, lab in marked]
    ui.charts_side_by_side(comparison_charts(frame, names, topic_labels, unit))
    chart = comparison_chart(frame, names, topic_labels, unit)  # the download: one chart
    shown = positions[positions["author"].isin(chosen)].copy()
    shown["_order"] = shown["author"].map({a: i for i, a in enumerate(chosen)})
    export.download_buttons(
        export.file_stem("compare", ctx.run_id, *chosen),
        key="cmp_download",
        table=labelled_topics(  # as `export` writes it
            shown.sort_values(["_order"], kind="stable").drop(columns=["_order"]), ctx.labels
        ),
        chart=chart,
        what="these outlets' positions" if level == "outlet" else "these authors' positions",
        provenance=ctx.provenance,
    )

    if len(chosen) >= 2:
        # Computed and drawn only while the expander is open (permutation tests per pair of
        # authors, and a table): most visits never open it, and each page paint pays for it.
        differences = ui.opened_expander(
            "Is the difference real? Differences with 95% intervals and tests",
            "cmp_differences_open",
            "tests",
        )
        if differences is not None:
            with differences:
                _differences(ctx, chosen, level, _author_label(kinds))

    # The evidence of one topic at a time: the chart above has every topic, and drawing every
    # topic's cards made the page's first paint slow on a whole-corpus run.
    labels = dict(topic_pairs)
    topic = state.radio(
        "Evidence and quoted voices on",
        list(labels),
        "topic",
        format_func=labels.get,
        horizontal=True,
        default=views.busiest_topic(positions[positions["author"].isin(chosen)], list(labels)),
    )
    if topic is not None:
        st.caption(
            "Each position's own passages, strongest first: relevance × how far a passage leans "
            "to one side where the position takes one, else × how sharply it is worded (its "
            "stance and tone are on its card)."
        )
        _topic_evidence(ctx, topic, labels[topic], chosen, positions, meta_by_id, kinds, level)


def _first_choice(selection: str, default: list[str]) -> None:
    """On the session's first visit, with no choice from a link, start ``selection`` at
    ``default`` (those with most articles); an emptied choice stays empty afterwards."""
    seeded = f"_vp_{selection}_seeded"
    if not state.get(selection) and not st.session_state.get(seeded):
        state.put(selection, default)
    st.session_state[seeded] = True


def _choose_authors(meta: pd.DataFrame, discussing: set[str]) -> tuple[list[str], dict[str, str]]:
    """The authors (or outlet groups) picked, among a kind of group; and each group's kind
    (``discussing``: the groups that discuss a topic, the first choice among them)."""
    groups = views.group_order(meta)
    kinds = views.group_kinds(meta)
    st.caption(
        "Two to four authors side by side. Articles without an author are grouped under their "
        "outlet (an outlet group); to compare outlets over all their articles, choose Outlets."
    )
    _first_choice("authors", views.discussing_first(groups, discussing)[:3])
    left, right = st.columns([3, 1])
    state.seed_widget("among", "cmp_kinds", lambda v: v if v in KIND_CHOICES else None)
    kind_choice = right.radio("Choose among", list(KIND_CHOICES), key="cmp_kinds")
    state.put("among", kind_choice if kind_choice != next(iter(KIND_CHOICES)) else None)
    current = set(state.get("authors") or [])
    options = [g for g in groups if kinds.get(g) in KIND_CHOICES[kind_choice] or g in current]
    chosen = state.multiselect(
        f"Authors or outlet groups (two to {MAX_AUTHORS})",
        options,
        "authors",
        where=left,
        max_selections=MAX_AUTHORS,
        format_func=_author_label(kinds),
        placeholder="Type a name",
    )
    if len(chosen) < 2:
        st.info(
            f"Pick at least two (and at most {MAX_AUTHORS}) authors or outlet groups to compare."
        )
    return chosen, kinds


def _choose_outlets(meta: pd.DataFrame, discussing: set[str]) -> tuple[list[str], dict[str, str]]:
    """The outlets picked (each over all the articles it published); no kinds to tell apart
    (``discussing``: the outlets that discuss a topic, the first choice among them)."""
    outlets = views.outlet_order(meta)
    if not outlets:
        st.info("No article of this run names an outlet, so there are no outlets to compare.")
        return [], {}
    st.caption(
        "Two to four outlets side by side, each over every article it published, signed or "
        "not: what the outlet publishes, whoever wrote it."
    )
    _first_choice("compared_outlets", views.discussing_first(outlets, discussing)[:3])
    counts = views.outlet_articles(meta)
    chosen = state.multiselect(
        f"Outlets (two to {MAX_AUTHORS}; in brackets: their articles)",
        outlets,
        "compared_outlets",
        max_selections=MAX_AUTHORS,
        format_func=lambda o: f"{o} ({counts.get(o, 0):,})",
        placeholder="Type an outlet",
    )
    # Fox News, Fox Online News...: one newsroom, several outlets here (one note for each)
    for note in newsroom_notes(chosen, counts):
        st.caption(note + ".")
    if len(chosen) < 2:
        st.info(f"Pick at least two (and at most {MAX_AUTHORS}) outlets to compare.")
    return chosen, {}


def _differences(
    ctx: context.RunContext, chosen: list[str], level: str = "author", unit_label: Any = str
) -> None:
    """The differences between the chosen authors (or outlets) with intervals and tests."""
    tests = data.author_differences(ctx.path, ctx.stamp, tuple(chosen), level=level)
    noun = "outlet" if level == "outlet" else "author"
    st.caption(
        f"A − B of the numbers above, over each {noun}'s own-voice passages. Interval: "
        f"bootstrap over each {noun}'s articles and their passages, as the positions above, "
        f"extended to the small-sample t interval where either {noun} has few articles (with "
        "two it spans nearly everything); p: permutation of the two "
        f"{noun}s' articles (every way of splitting them where there are no more than the "
        "permutations drawn, an exact p), the difference read against its standard error; q: "
        "Benjamini–Hochberg over every test in this table (the false discovery rate when "
        "many pairs are read at once). The interval and p answer different questions "
        "(how precise the difference is; whether it could come from shuffling the articles), "
        "so they can disagree: trust a difference when both do (the Note says where they "
        "disagree, and where too few articles leave p no way under 0.05). The same as `viewpoints "
        "compare-authors --permutations 999 --bootstrap 999` (the command draws 2,000 of "
        "each by default, so its p-values can differ a little)."
    )
    table = views.difference_table(tests, ctx.labels, unit_label)
    st.dataframe(
        table,
        height=views.note_table_height(len(table)),
        hide_index=True,
        key="cmp_differences",
        column_config=ui.widths(views.NOTE_TABLE_WIDTHS),
        row_height=views.NOTE_ROW_HEIGHT,
    )


def _topic_evidence(
    ctx: context.RunContext,
    topic: str,
    label: str,
    chosen: list[str],
    positions: pd.DataFrame,
    meta_by_id: pd.DataFrame,
    kinds: dict[str, str],
    level: str = "author",
) -> None:
    """Each chosen author's (or outlet's) position on one topic with its evidence, then the
    quoted voices."""
    store = data.text_store(ctx.path, ctx.stamp)
    # A run made before an outlet group named as an author counted as that author can hold
    # two units of one name: the author's is shown (the pages pick authors by name).
    first = positions.sort_values("group_kind", key=lambda kind: kind != "author", kind="stable")
    by_unit = first.drop_duplicates(["author", "topic"]).set_index(["author", "topic"])
    st.subheader(md_escape(label), anchor=False)
    columns = st.columns(len(chosen))
    for column, author in zip(columns, chosen, strict=True):
        record = (
            by_unit.loc[(author, topic)].to_dict() if (author, topic) in by_unit.index else None
        )
        with column:
            st.markdown(
                f"**{md_escape(author)}**" + group_note_html(kinds.get(author), short=True),
                unsafe_allow_html=True,
            )
            st.markdown(
                position_html(
                    record,
                    compact=True,
                    counts_reported=ctx.info.aggregation.include_reported,
                    whose="outlet's" if level == "outlet" else "author's",
                ),
                unsafe_allow_html=True,
            )
            only_quoted = views.only_quoted(record)
            if only_quoted:
                st.caption(
                    f"{ONLY_QUOTED}: no own words on {md_escape(label)}; the people quoted "
                    "are listed under quoted voices below."
                )
            elif record is not None and record.get("stance_status") == "no_stance":
                st.caption(f"{NO_STANCE}: these passages take no side.")
            if record is not None and record.get("status") == "discussed" and not only_quoted:
                ids = data.unit_evidence_ids(ctx.path, ctx.stamp, store, level, author, topic)
                frame = evidence_frame(store, level, author, topic, TOP_EVIDENCE, ids=ids)
                show_passages(
                    frame,
                    meta_by_id,
                    empty="No evidence passages were stored.",
                    scope=author,
                )
                stored = len(ids)
                if stored > len(frame):  # the run kept more than the card shows
                    n_own = int(record.get("n_passages") or 0)
                    st.caption(
                        f"The {len(frame)} strongest of {n_own} passages; the Overview lists more."
                    )
            elif record is not None and record.get("status") == "unscored":
                st.caption(
                    f"{NO_PREDICTION}: every prediction on its passages about "
                    f"{md_escape(label)} failed."
                )
            elif not only_quoted:  # said above: quoted voices only, which is not "not discussed"
                st.caption(f"{NOT_DISCUSSED}: no own-voice passage about {md_escape(label)}.")
    with st.container(border=True):
        st.markdown(
            f"**Quoted voices on {md_escape(label)}** · whose views each "
            f"{'outlet' if level == 'outlet' else 'author'} quotes: "
            "their stance is the second measure, never counted as the author's own"
        )
        columns = st.columns(len(chosen))
        for column, author in zip(columns, chosen, strict=True):
            ids = list(meta_by_id.index[views.unit_articles(meta_by_id, level, author)])
            reported, total = reported_frame(store, ids, topic, TOP_REPORTED)
            with column:
                st.caption(f"{md_escape(author)}: {total} quoted or reported passage(s)")
                show_passages(
                    reported, meta_by_id, empty="none", numbered=False, scope=f"q:{author}"
                )


if __name__ == "__main__":
    render()
