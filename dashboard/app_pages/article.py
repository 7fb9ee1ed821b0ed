"""Article: its text with topic passages highlighted by stance (or tone), and their scores."""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd
import streamlit as st

from analysis.bylines import not_names, split_byline
from analysis.corpus.contributors import contributor_named
from dashboard import context, corrections_ui, data, state, ui, views
from dashboard.evidence import group_note_html, position_html, quoted_readings
from dashboard.highlight import Span, highlight_html
from dashboard.style import (
    PASSAGE_PLACE,
    PASSAGE_PLACE_HELP,
    SPEAKER_PROBS,
    STANCE_PROBS,
    TONE_PROBS,
    cell_css,
    is_missing,
    md_escape,
    passage_place,
    probabilities,
    signed,
)
from dashboard.trust import render_run_trust

MAX_CHOICES = 300
STRONGEST = "__strongest__"
STANCE = "Stance"
AUTHOR_STANCE = "Author's stance"
QUOTED_STANCE = "Quoted voice's stance"
TONE_COLUMN = "Tone"
SCORE_COLUMNS = (STANCE, AUTHOR_STANCE, QUOTED_STANCE, TONE_COLUMN)
MISSING_SCORE = "–"


def search_pattern(query: str) -> re.Pattern[str]:
    """What a search matches: words that start with the query, in any case ("sanction" finds
    "Sanctions"); a query in capitals is an acronym, matched as a whole word in capitals, its
    plural too ("INF" finds the INF treaty, not "information"; "ICBM" finds "ICBMs"). A query
    that starts with punctuation ("$100") matches wherever it occurs."""
    query = query.strip()
    start = r"(?<!\w)" if query[:1].isalnum() else ""
    if len(query) > 1 and query.isupper():
        return re.compile(rf"{start}{re.escape(query)}s?(?!\w)")
    return re.compile(rf"{start}{re.escape(query)}", re.IGNORECASE)


def _choices(
    meta: pd.DataFrame,
    query: str,
    group: str | None,
    discussing: set[str] | None = None,
    texts: pd.Series | None = None,
) -> tuple[list[str], int]:
    """Article ids matching the search (title, author or outlet, and the text when ``texts``,
    article id -> text, is given) and group, newest first, the first :data:`MAX_CHOICES` of
    them; only those in ``discussing`` when given (articles that discuss some topic); and how
    many match in all."""
    kept = meta
    if discussing is not None:
        kept = kept[kept["article_id"].astype(str).isin(discussing)]
    if group:
        kept = kept[views.in_groups(kept, [group])]
    if query:
        haystack = (
            kept["title"].fillna("")
            + " "
            + kept["group"].fillna("")
            + " "
            + kept["outlet"].fillna("")
        )
        pattern = search_pattern(query)
        found = haystack.str.contains(pattern, regex=True)
        if texts is not None:
            text = kept["article_id"].map(texts).fillna("").astype(str)
            found |= text.str.contains(pattern, regex=True)
        kept = kept[found]
    kept = kept.sort_values("day", ascending=False, na_position="last", kind="stable")
    return list(kept["article_id"].astype(str)[:MAX_CHOICES]), len(kept)


def _list_label(listed: int, matching: int, asked_for: bool) -> str:
    """The article list's label: how many of the ``matching`` articles it lists (``listed``,
    newest first) and whether the one a link asked for, put first whatever its date, is
    added."""
    if not listed:
        return "Article (the one asked for; the search and filters find no other)"
    if matching > listed:
        return f"Article (the newest {listed} of {matching:,}; search to find the others)" + (
            " and the one asked for" if asked_for else ""
        )
    return f"Article ({listed} shown, newest first" + (
        ", after the one asked for)" if asked_for else ")"
    )


def has_quoted_stance(scores: pd.DataFrame) -> bool:
    """Whether the run gives reported speech its quoted voice's stance (every run since the
    news stance model: its speaker head's reading, or the stance model's where it has none)."""
    return "speaker_stance" in scores.columns


def _quoted(rec: dict) -> bool:
    """A reported passage with its quoted voice's stance."""
    return bool(rec.get("reported")) and not is_missing(rec.get("speaker_stance"))


def _tooltip(rows: pd.DataFrame, label, counts_reported: bool = False) -> str:
    lines = []
    for rec in rows.to_dict("records"):
        stances = []
        if _quoted(rec):
            stances.append(
                f"quoted voice's stance {signed(rec.get('speaker_stance'))} "
                f"({probabilities(rec, SPEAKER_PROBS)})"
            )
        if not _quoted(rec) or counts_reported:
            whose = "author's stance" if stances else "stance"
            stances.append(
                f"{whose} {signed(rec.get('stance'))} ({probabilities(rec, STANCE_PROBS)})"
            )
        lines.append(
            f"{label(rec['topic'])}: {'; '.join(stances)}; tone {signed(rec.get('tone'))} "
            f"({probabilities(rec, TONE_PROBS)}); relevance {rec.get('relevance', 0):.2f}"
        )
    if len(rows) and bool(rows.iloc[0].get("reported")):
        speaker = rows.iloc[0].get("speaker")
        who = speaker if isinstance(speaker, str) and speaker else "unknown speaker"
        if counts_reported:
            counted = "counted as the author's own words, and in the quoted voices' stance"
        elif _quoted(rows.iloc[0].to_dict()):
            counted = "counted in the quoted voices' stance, not the author's"
        else:
            counted = "not counted in the article's scores"
        lines.append(f"Reported speech ({who}): {counted}")
    return "\n".join(lines)


def spans_for(
    article_scores: pd.DataFrame,
    passages: pd.DataFrame,
    topic: str,
    measure: str,
    label,
    counts_reported: bool = False,
) -> list[Span]:
    """One span per scored passage: coloured by ``measure`` on ``topic`` (or on the most
    relevant topic when ``topic`` is STRONGEST); passages scored only on other topics are
    outlined. On the stance scale reported speech takes its quoted voice's stance where the
    run has one: the stance it counts toward."""
    spans = []
    for pid, rows in article_scores.groupby("passage_id", sort=False):
        if pid not in passages.index:
            continue
        passage = passages.loc[pid]
        if topic == STRONGEST:
            colour_row = rows.sort_values("relevance", ascending=False).iloc[0]
        else:
            on_topic = rows[rows["topic"] == topic]
            colour_row = on_topic.iloc[0] if len(on_topic) else None
        value = None if colour_row is None else colour_row.get(measure)
        if measure == "stance" and colour_row is not None and _quoted(colour_row.to_dict()):
            value = colour_row.get("speaker_stance")
        speaker = passage.get("speaker")
        spans.append(
            Span(
                start=int(passage["start"]),
                end=int(passage["end"]),
                value=None if is_missing(value) else float(value),
                tooltip=_tooltip(rows, label, counts_reported),
                reported=bool(passage.get("reported")),
                speaker=None if is_missing(speaker) else str(speaker),
                place=None if is_missing(passage.get("index")) else passage_place(passage["index"]),
                scale="tone" if measure == "tone" else "stance",
            )
        )
    return spans


def _voice(row: dict) -> str:
    """``own``, or the speaker of reported speech first (``Sergey Lavrov, reported``: at 1280
    px the column showed "reported (" and hid the name), or ``reported``."""
    if not bool(row.get("reported")):
        return "own"
    speaker = row.get("speaker")
    return f"{speaker}, reported" if isinstance(speaker, str) and speaker else "reported"


def _stance_probabilities(rec: dict, counts_reported: bool) -> str:
    """The probabilities behind the stance(s) a row shows."""
    if not _quoted(rec):
        return probabilities(rec, STANCE_PROBS)
    quoted = probabilities(rec, SPEAKER_PROBS)
    if not counts_reported:
        return quoted
    return f"quoted: {quoted}; author's: {probabilities(rec, STANCE_PROBS)}"


def score_table(
    article_scores: pd.DataFrame, passages: pd.DataFrame, label, counts_reported: bool = False
) -> pd.DataFrame:
    """Scores of the article's passages, one row per passage × topic, in reading order.

    Where the run gives reported speech its quoted voice's stance, each row shows the stance
    it counts toward: the author's for own words, the quoted voice's for reported speech (the
    author head's reading of a quotation counts nowhere, so it is not shown, unless the run
    counts reported speech as the author's: ``counts_reported``)."""
    if article_scores.empty:
        return pd.DataFrame()
    df = article_scores.merge(
        passages[["index", "text"]], left_on="passage_id", right_index=True, how="left"
    )
    df = df.sort_values(["index", "relevance"], ascending=[True, False])
    records = df.to_dict("records")
    table = pd.DataFrame({PASSAGE_PLACE: df["index"].astype("Int64") + 1})
    table["Topic"] = [label(t) for t in df["topic"]]
    table["Voice"] = [_voice(r) for r in records]
    # the text before the numbers: last, it stayed cut off at 1280 px even scrolled right
    table["Passage"] = df["text"].fillna("").str.slice(0, 160).to_numpy()
    if has_quoted_stance(df):
        nan = float("nan")
        table[AUTHOR_STANCE] = [
            nan if _quoted(r) and not counts_reported else float(r["stance"]) for r in records
        ]
        table[QUOTED_STANCE] = [float(r["speaker_stance"]) if _quoted(r) else nan for r in records]
        table["Stance probabilities"] = [_stance_probabilities(r, counts_reported) for r in records]
    else:
        table[STANCE] = df["stance"].astype(float).to_numpy()
        table["Stance probabilities"] = [probabilities(r, STANCE_PROBS) for r in records]
    table["Tone"] = df["tone"].astype(float).to_numpy()
    table["Tone probabilities"] = [probabilities(r, TONE_PROBS) for r in records]
    table["Relevance"] = df["relevance"].astype(float).to_numpy()
    # With a topic head: its P(on topic), the gate each passage passed (runs without one: none)
    if "on_topic" in df.columns and df["on_topic"].notna().any():
        table.insert(
            table.columns.get_loc("Relevance") + 1,
            "About it",
            df["on_topic"].astype(float).to_numpy(),
        )
    return table


def styled_scores(table: pd.DataFrame) -> Any:
    """The scores table as shown: each score signed and coloured, numbers underneath (so a
    column sorts by value); a score a row does not have (the author's stance of a quote, a
    quoted voice's stance of own words) is left uncoloured, and shown as the table's
    placeholder (:data:`MISSING_SCORE`)."""
    scored = [c for c in SCORE_COLUMNS if c in table]
    tones = [c for c in scored if c == TONE_COLUMN]  # tone on its own scale
    stances = [c for c in scored if c != TONE_COLUMN]
    return (
        table.style.map(lambda v: "" if is_missing(v) else cell_css(v), subset=stances)
        .map(lambda v: "" if is_missing(v) else cell_css(v, "tone"), subset=tones)
        .format(signed, subset=scored, na_rep=MISSING_SCORE)
        .format(
            "{:.0%}",
            subset=[c for c in ("Relevance", "About it") if c in table],
            # a topic whose target the topic head was not trained on is not judged by it
            na_rep="not judged",
        )
    )


def gated_out_table(left_out: pd.DataFrame, passages: pd.DataFrame, label) -> pd.DataFrame:
    """The article's passages near a topic that the topic gate left out, in reading order."""
    if left_out.empty:
        return pd.DataFrame()
    df = left_out.merge(
        passages[["index", "text", "speaker"]], left_on="passage_id", right_index=True, how="left"
    ).sort_values(["index", "on_topic"], ascending=[True, False])
    return pd.DataFrame(
        {
            PASSAGE_PLACE: df["index"].astype("Int64") + 1,
            "Topic": [label(t) for t in df["topic"]],
            "About it": df["on_topic"].astype(float),
            "Relevance": df["relevance"].astype(float),
            "Voice": [_voice(r) for r in df.to_dict("records")],
            "Passage": df["text"].fillna("").str.slice(0, 240),
        }
    )


def _show_gated_out(table: pd.DataFrame, gate: float | None, passage_gate: float | None) -> None:
    """The passages the topic gates left out, under a collapsed expander: what an analyst reads
    to judge a "not discussed" the model may have got wrong."""
    needed = ""
    if gate is not None and passage_gate is not None and passage_gate < gate:
        needed = (
            f"; an article discusses a topic when one of its passages reaches {gate:.0%}, "
            f"and then its passages from {passage_gate:.0%} on count"
        )
    elif gate is not None:
        needed = f"; a passage needs {gate:.0%} to count"
    with st.expander(f"Near a topic but not counted: {len(table)} passage(s)"):
        st.caption(
            "These passages resemble a topic, but the stance model's topic check found them "
            "not really about it (*About it*: the check's probability that the passage is about "
            f"the topic{needed}). They count toward no position, so a topic with nothing else "
            'reads "not discussed". Read them: the check can be wrong.'
        )
        st.dataframe(
            table.style.format("{:.0%}", subset=["About it", "Relevance"]),
            hide_index=True,
            column_config={
                PASSAGE_PLACE: st.column_config.NumberColumn(width=40, help=PASSAGE_PLACE_HELP),
                "Passage": st.column_config.TextColumn(width="medium"),
            },
        )


def _roster_note(info: pd.Series) -> None:
    """Say whom a byline counts for when its tail is the outlet's list of writers
    (:func:`analysis.bylines.article_authors`), so that a name missing from the authors is
    explained."""
    if info["group_kind"] != "author":
        return
    counted = tuple(info["groups"])
    listed = split_byline(info["group"])
    if counted != listed:
        rest = [name for name in listed if name not in counted]
        st.caption(
            f"Counted for: {md_escape(', '.join(counted))}. The other names of the byline "
            f"({md_escape(', '.join(rest))}) are an outlet's list of its writers, printed "
            "after the author on many of its articles, not co-authors."
        )
    elif counted and (other := not_names(info["group"])):  # section tags, job titles
        st.caption(
            f"Counted for: {md_escape(', '.join(counted))}. The rest of the byline "
            f"({md_escape(', '.join(other))}) is not read as a name, and counts for no one."
        )


def _contributor_note(info: pd.Series, text: str) -> None:
    """Say where an author came from when the article's closing contributor note names them
    (:mod:`analysis.corpus.contributors`: how an unsigned op-ed gets its writer)."""
    if info["group_kind"] == "author" and contributor_named(text) == info.get("author"):
        st.caption(
            f"{md_escape(str(info['author']))} is the writer the contributor note at the end "
            "of the article names (an article without a byline counts for that writer)."
        )


def render() -> None:
    """Lay out the page (Streamlit runs this file as ``__main__``; importing it runs nothing)."""
    ctx = context.active()
    meta = data.article_meta(ctx.path, ctx.stamp)
    meta_by_id = meta.set_index("article_id", drop=False)
    st.title("Article")

    left, right = st.columns([2, 1])
    state.seed_widget("search", "art_query", str)
    query = left.text_input(
        "Search titles, authors and outlets",
        key="art_query",
        help="Finds words that start with what you type, in any case; a word in capitals "
        "(INF, NATO) is matched whole and in capitals, its plural too.",
    )
    state.put("search", query)
    state.seed_widget("in_text", "art_in_text", lambda v: True if str(v) == "1" else None)
    in_text = left.checkbox(
        "Search the articles' text too",
        key="art_in_text",
        help="Looks for the search in the articles' text as well, by the same rule (slower "
        "on a large run).",
    )
    state.put("in_text", "1" if in_text else None)
    groups = sorted(views.members(meta)["group"].dropna().astype(str).unique(), key=str.casefold)
    group_key = f"art_group_{ctx.run_id}"
    state.seed_widget("article_group", group_key, lambda g: g if g in groups else None)
    group = right.selectbox(
        "Author or outlet group",
        ["", *groups],
        key=group_key,
        format_func=lambda g: g or "All",
    )
    state.put("article_group", group)
    positions = data.positions(ctx.path, ctx.stamp, "article")
    discussing = set(positions.loc[positions["status"] == "discussed", "article_id"].astype(str))
    only_discussing = st.checkbox(
        f"Only articles that discuss a topic ({len(discussing):,} of {len(meta):,})",
        value=bool(discussing),
        key="art_discussing",
        help="Most articles of a news corpus never touch the topics; untick to list them all.",
    )
    texts = data.article_texts(ctx.path, ctx.stamp) if in_text and query else None
    options, matching = _choices(
        meta, query, group or None, discussing if only_discussing else None, texts
    )
    current = state.get("article")
    listed = len(options)  # what the filters give, before a linked article is added
    asked = state.opened_by_link("article")  # by a link, or by another page's button
    if (
        current in meta_by_id.index and current not in options and (not (query or group) or asked)
    ):  # the article a link names is shown, whatever filters the link's reader has on
        options.insert(0, current)
    if current is not None and current not in meta_by_id.index and not asked and options:
        # the run was switched to one without the open article: say so, not swap it silently
        st.info(
            f"The article open before (id {current}) is not in this run: showing another.",
            icon=":material/swap_horiz:",
        )
    if not options:
        hints = []
        if query and not in_text:
            hints.append("Tick *Search the articles' text too* to look in their text.")
        if only_discussing:
            hints.append("Untick *Only articles that discuss a topic* to search them all.")
        st.warning(" ".join(["No article matches this search.", *hints]))
        return  # not st.stop(): the app then writes the search to the address
    aid = state.selectbox(
        _list_label(listed, matching, asked_for=len(options) > listed),
        options,
        "article",
        format_func=lambda a: (
            f"{meta_by_id.loc[a, 'title']} — {meta_by_id.loc[a, 'group']}"
            + (
                f" · {str(meta_by_id.loc[a, 'date'])[:10]}"
                if not is_missing(meta_by_id.loc[a, "date"])
                else ""
            )
        ),
    )
    info = meta_by_id.loc[aid]

    st.header(md_escape(info["title"]), anchor=False)
    facts = [md_escape(info["group"]) + group_note_html(info["group_kind"])]
    if not is_missing(info.get("outlet")) and info.get("outlet") != info["group"]:
        facts.append(md_escape(info["outlet"]))
    facts.append(
        md_escape(str(info["date"])[:10]) if not is_missing(info.get("date")) else "undated"
    )
    if not is_missing(info.get("url")) and str(info["url"]).startswith(("http://", "https://")):
        # an attribute, not Markdown: md_escape's backslashes broke 428 addresses with _ or #
        facts.append(f'<a href="{html.escape(str(info["url"]))}" target="_blank">source</a>')
    if not is_missing(info.get("duplicate_of")):
        facts.append(f"duplicate of {md_escape(info['duplicate_of'])} (not counted twice)")
    st.markdown(" · ".join(facts), unsafe_allow_html=True)
    if aid in set(map(str, ctx.meta.get("not_english") or [])):
        st.warning(
            "This text does not look like English, and the models read English: its topics "
            "likely read not discussed, and no number below says what the article argues.",
            icon=":material/translate:",
        )
    _roster_note(info)
    _contributor_note(info, str(data.article_texts(ctx.path, ctx.stamp).get(aid, "")))

    own = positions[positions["article_id"] == aid].set_index("topic")
    counts_reported = ctx.info.aggregation.include_reported
    chips = []
    for t in ctx.topics:
        record = own.loc[t.key].to_dict() if t.key in own.index else None
        chip = position_html(record, compact=True, counts_reported=counts_reported)
        # "(not measured)": a topic the stance model's figures on news do not cover
        name = md_escape(ctx.marked_label(t.key))
        chips.append(f'<div style="margin:2px 0"><b>{name}</b>: {chip}</div>')
    st.markdown("".join(chips), unsafe_allow_html=True)
    render_run_trust(ctx)

    store = data.text_store(ctx.path, ctx.stamp)
    passages = store.passages[store.passages["article_id"] == aid]
    article_scores = data.article_scores(store, aid)

    topic_options = [STRONGEST, *[t.key for t in ctx.topics]]
    c1, c2 = st.columns([3, 1])
    state.seed_widget("colour", "art_colour_topic", lambda v: v if v in topic_options else None)
    state.seed_widget("scale", "art_measure", lambda v: v if v in ("stance", "tone") else None)
    colour_topic = c1.radio(
        "Colour passages by their scores on",
        topic_options,
        horizontal=True,
        key="art_colour_topic",
        format_func=lambda k: (
            "each passage's most relevant topic" if k == STRONGEST else ctx.label(k)
        ),
    )
    measure = c2.radio("Scale", ["stance", "tone"], horizontal=True, key="art_measure")
    state.put("colour", None if colour_topic == STRONGEST else colour_topic)
    state.put("scale", None if measure == "stance" else measure)
    ui.legend(ctx)
    counts_reported = ctx.info.aggregation.include_reported
    if counts_reported:
        reported_note = (
            "this run counts them as the author's own words (`include_reported`), and their "
            "quoted voice's stance in the quoted voices' measure too."
        )
    elif has_quoted_stance(article_scores):
        reported_note = (
            "their stance is the quoted voice's (on the stance scale, their colour too): it "
            "counts toward the quoted voices' measure, not the author's position."
        )
    else:
        reported_note = "shown, but not counted in the article's position."
    st.caption(
        "Hover a passage for its scores; its ¶ number is its row in the Passage scores table "
        "below. Passages outlined in grey, uncoloured, are about another topic than the one "
        "chosen to colour by (or have no score on it). Passages with a dashed border are "
        "reported speech (quoted or attributed): " + reported_note
    )
    text = data.article_texts(ctx.path, ctx.stamp).get(aid, "")
    article_scores = quoted_readings(article_scores)
    spans = spans_for(article_scores, passages, colour_topic, measure, ctx.label, counts_reported)
    scroll = {"height": 640} if len(str(text)) > 2500 else {}  # long texts scroll in a box
    with st.container(border=True, **scroll):
        st.markdown(highlight_html(str(text), spans), unsafe_allow_html=True)

    st.subheader("Passage scores")
    table = score_table(article_scores, passages, ctx.label, counts_reported)
    if table.empty:
        st.caption("No passage of this article is about any of the run's topics.")
    else:
        st.dataframe(
            styled_scores(table),
            hide_index=True,
            placeholder=MISSING_SCORE,  # an empty cell would read "None", like the label
            column_config={
                PASSAGE_PLACE: st.column_config.NumberColumn(width=40, help=PASSAGE_PLACE_HELP),
                "About it": st.column_config.NumberColumn(
                    help="the topic check's probability that the passage is about the topic; "
                    "'not judged' where the topic check does not judge the topic (a topic "
                    "whose target its model was not trained on, such as one of your own)"
                ),
                "Passage": st.column_config.TextColumn(width="large"),
                "Voice": st.column_config.TextColumn(
                    help="own voice, or reported speech (quoted or attributed): its speaker, "
                    "where the rules name one"
                ),
                AUTHOR_STANCE: st.column_config.Column(
                    help="the author's stance in their own words: it makes the article's stance"
                    + (" (with the quotes, in this run)" if counts_reported else "")
                ),
                QUOTED_STANCE: st.column_config.Column(
                    help="the stance of the voice the author quotes: it makes the article's "
                    "quoted-voices measure"
                ),
            },
        )

    left_out, unreadable = data.gated_out(ctx.path, ctx.stamp)
    left_out = left_out[left_out["article_id"] == aid]
    if unreadable:
        st.caption(f"The passages the topic check left out cannot be shown: {unreadable}")
    elif len(left_out):
        _show_gated_out(
            gated_out_table(left_out, passages, ctx.label), ctx.info.gate, ctx.info.passage_gate
        )

    corrections_ui.article_corrections(passages, article_scores, ctx, left_out)


if __name__ == "__main__":
    render()
