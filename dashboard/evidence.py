"""Evidence passages and reported speech, rendered as escaped HTML cards."""

from __future__ import annotations

import html
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from analysis.intervals import mixed_lean, settled_near_zero
from analysis.labels import counted
from analysis.quoted_voice import fill_quoted_readings
from dashboard import data
from dashboard.style import (
    GROUP_NOTES,
    GROUP_SHORT,
    NEAR_ZERO_WORDS,
    NO_QUOTES,
    NO_STANCE,
    NOT_DISCUSSED,
    ONLY_QUOTED,
    SPEAKER_PROBS,
    STANCE_PROBS,
    TONE_PROBS,
    absent_words,
    diverging_color,
    is_missing,
    percent,
    probabilities,
    score_chip,
    signed,
)
from dashboard.views import shade


def expected_count(mass: float) -> str:
    """An expected number of passages to one decimal, or two under 1: 0.065 read "0.1" beside
    "no stance expressed", where 0.1 is the least that takes a side (a review)."""
    return f"{mass:.2f}" if mass < 1 else f"{mass:.1f}"


def quoted_readings(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (score rows) with each quote's quoted-voice columns as the positions read
    them: where a run has ``speaker_*`` columns but none for a quote (a run recomputed from
    one of the older format), its stance columns (``analysis.quoted_voice``). A run with no
    such columns at all shows no quoted voice's stance."""
    if "speaker_stance" not in frame.columns:
        return frame
    return fill_quoted_readings(frame)


def position_html(
    row: Mapping[str, Any] | None,
    *,
    compact: bool = False,
    counts_reported: bool = False,
    whose: str = "author's",
) -> str:
    """Chips for the author's stance, the quoted voices' stance and tone with intervals (or
    why there is no number), then n, coverage and reported counts in words (n counts quotes
    too where the run counts reported speech as the author's: ``counts_reported``; ``whose``
    stance it is: "outlet's" for an outlet over all its articles). A chip is pale where the
    tables' cell would be: its interval reaches across 0, it has none, or an author's or
    outlet's score rests on one article."""
    if row is None:
        return f'<span style="color:#666;font-style:italic">{NOT_DISCUSSED}</span>'
    discussed = row.get("status") == "discussed"
    stance = row.get("stance") if discussed else None
    tone = row.get("tone") if discussed else None
    n_rep = row.get("n_reported")
    n_rep = 0 if is_missing(n_rep) else int(n_rep)
    if discussed:
        no_stance = row.get("stance_status") == "no_stance" or is_missing(stance)
        mixed = _mixed(row, "stance_status", "stance_low", "stance_high")
        if not mixed and settled_near_zero(row.get("stance_low"), row.get("stance_high")):
            mixed = f" ({NEAR_ZERO_WORDS})"  # sure, but of nearly nothing, as the tables say
        quoted_mixed = _mixed(row, "quoted_status", "quoted_low", "quoted_high")
        if not quoted_mixed and settled_near_zero(row.get("quoted_low"), row.get("quoted_high")):
            quoted_mixed = f" ({NEAR_ZERO_WORDS})"  # as the table's cell says
        quoted = row.get("quoted_stance")
        # one article behind a unit's score (None for an article's own row: not its level)
        articles = row.get("n_articles_discussing") if row.get("level") != "article" else None
        low, high = row.get("stance_low"), row.get("stance_high")
        parts = [
            score_chip(
                f"{whose} stance{mixed}",
                None if no_stance else stance,
                low,
                high,
                missing=ONLY_QUOTED if int(row.get("n_passages") or 0) == 0 else NO_STANCE,
                tint=None if no_stance else shade(stance, low, high, articles),
            ),
            score_chip(
                f"quoted voices{quoted_mixed}"
                if n_rep
                else "",  # not "quoted voices no quoted voices"
                quoted,
                row.get("quoted_low"),
                row.get("quoted_high"),
                missing=NO_STANCE if n_rep else NO_QUOTES,
                tint=shade(
                    quoted,
                    row.get("quoted_low"),
                    row.get("quoted_high"),
                    row.get("n_articles_quoting") if row.get("level") != "article" else None,
                ),
            ),
            score_chip(
                "tone",
                tone,
                row.get("tone_low"),
                row.get("tone_high"),
                missing=ONLY_QUOTED,
                tint=shade(tone, row.get("tone_low"), row.get("tone_high"), articles),
                scale="tone",
            ),
        ]
    else:
        parts = [score_chip("", None, missing=absent_words(row.get("status")))]
    facts = []
    if discussed:
        n = int(row.get("n_passages") or 0)
        facts.append(
            f"n = {counted(n, 'passage')} (quotes counted as the author's)"
            if counts_reported
            else f"n = {counted(n, 'own-voice passage')}"
        )
        mass = row.get("stance_mass")
        if not is_missing(mass):
            # an expected count, not a count: a passage half sure of a side adds 0.5
            facts.append(
                f"{expected_count(float(mass))} of {n} expected to take a side "
                "(each passage's P(favor) + P(against), summed)"
            )
        # of what: an article's coverage and its author's differ (4% of one article, 1% of
        # all the author's passages), and the two pages showed both as "coverage"
        of = "this article's passages" if row.get("level") == "article" else "all its passages"
        facts.append(f"coverage {percent(row.get('coverage'))} of {of}")
    if n_rep:
        facts.append(f"{n_rep} quoted or reported")
    n_art = row.get("n_articles")
    if not compact and not is_missing(n_art):
        speaking = row.get("n_articles_discussing")
        if discussed and not is_missing(speaking) and int(n_art) > 1:
            # the articles the numbers rest on, of all the unit's
            facts.append(f"own words in {int(speaking):,} of its {counted(int(n_art), 'article')}")
        else:
            facts.append(counted(int(n_art), "article"))
    tail = html.escape(" · ".join(facts))
    return f'{"".join(parts)}<span style="color:#555;font-size:0.85em">{tail}</span>'


def group_note_html(kind: Any, *, short: bool = False) -> str:
    """A small grey note when a unit is grouped under its outlet or its article."""
    note = (GROUP_SHORT if short else GROUP_NOTES).get(str(kind), "")
    if not note:
        return ""
    return (
        '<span style="font-size:0.8em;color:#555;background:#eee;border-radius:8px;'
        f'padding:1px 8px;margin-left:6px">{html.escape(note)}</span>'
    )


def passage_card_html(
    row: Mapping[str, Any],
    source: str,
    *,
    rank: int | None = None,
    note_html: str = "",
    counts_reported: bool = False,
) -> str:
    """One passage: where it is from, its text, and its stance and tone probabilities
    (``note_html``, already escaped, goes last: the analyst's corrections). Reported speech
    shows, and is coloured by, its quoted voice's stance, the one it counts toward; the
    author's reading of it only where the run counts reported speech as the author's
    (``counts_reported``)."""
    speaker = row.get("speaker")
    reported = bool(row.get("reported")) if not is_missing(row.get("reported")) else False
    quoted_stance = row.get("speaker_stance") if reported else None
    stance = row.get("stance") if is_missing(quoted_stance) else quoted_stance
    border = "#999" if is_missing(stance) else diverging_color(stance)
    who = ""
    if reported:
        label = f"reported: {speaker}" if not is_missing(speaker) and speaker else "reported speech"
        who = (
            '<span style="font-size:0.8em;background:#444;color:#fff;border-radius:3px;'
            f'padding:0 5px;margin-right:6px">\u201c {html.escape(label)}</span>'
        )
    rank_html = f"<b>#{rank}</b> · " if rank is not None else ""
    stances = []
    if not is_missing(quoted_stance):
        stances.append(
            f"quoted voice's stance {signed(quoted_stance)} ({probabilities(row, SPEAKER_PROBS)})"
        )
    if is_missing(quoted_stance) or counts_reported:
        author = row.get("stance")
        stances.append(f"author's stance {signed(author)} ({probabilities(row, STANCE_PROBS)})")
    probs = " · ".join(
        [
            *stances,
            f"tone {signed(row.get('tone'))} ({probabilities(row, TONE_PROBS)})",
            f"relevance {percent(row.get('relevance'))}",
        ]
    )
    text = html.escape(str(row.get("text") or "")).replace("\n", "<br>")
    frame = "border:1px dashed #888;" if reported else ""
    return (
        f'<div style="{frame}border-left:6px solid {border};background:#fafafa;padding:6px 10px;'
        'margin:6px 0;border-radius:4px">'
        f'<div style="font-size:0.8em;color:#555">{rank_html}{html.escape(source)}</div>'
        f'<div style="margin:4px 0">{who}{text}</div>'
        f'<div style="font-size:0.8em;color:#333">{html.escape(probs)}</div>'
        f"{note_html}</div>"
    )


BYLINE_CHARS = 60  # a scraped byline can list ten writers: the card shows its start


def _source_of(article_id: str, meta: pd.DataFrame) -> str:
    if article_id not in meta.index:
        return str(article_id)
    row = meta.loc[article_id]
    bits = [str(row["title"])]
    byline = row.get("author")
    if not is_missing(byline) and str(byline).strip():  # whose words: an op-ed shows its writer
        byline = " ".join(str(byline).split())
        bits.append(
            "by " + (byline if len(byline) <= BYLINE_CHARS else byline[: BYLINE_CHARS - 1] + "…")
        )
    if not is_missing(row.get("outlet")):
        bits.append(str(row["outlet"]))
    if not is_missing(row.get("date")):
        bits.append(str(row["date"])[:10])
    return " · ".join(bits)


def show_passages(
    frame: pd.DataFrame,
    meta: pd.DataFrame,
    *,
    empty: str,
    where: Any = st,
    numbered: bool = True,
    correctable: bool = True,
    scope: str = "",
) -> None:
    """Cards for the rows of ``frame`` (passages with scores), in order. ``scope`` tells apart
    lists that may hold the same passages on one page (co-authors' evidence side by side).

    ``meta`` is the article metadata indexed by ``article_id`` (for the source line). With
    ``correctable`` each card shows the analyst's corrections in force and a "Correct" popover
    (see :mod:`dashboard.corrections_ui`).
    """
    if frame.empty:
        where.caption(empty)
        return
    from dashboard import context, corrections_ui

    records = quoted_readings(frame).to_dict("records")
    ctx = context.active()
    counts_reported = ctx.info.aggregation.include_reported
    if not correctable:
        cards = [
            passage_card_html(
                row,
                _source_of(str(row.get("article_id")), meta),
                rank=i + 1 if numbered else None,
                counts_reported=counts_reported,
            )
            for i, row in enumerate(records)
        ]
        where.markdown("".join(cards), unsafe_allow_html=True)
        return
    _, index = corrections_ui.in_force()
    # Keys from the cards' content: the same list drawn twice on one page is the only clash.
    ids = "\x1f".join([*(str(r.get("passage_id")) for r in records), str(numbered), empty, scope])
    block = zlib.crc32(ids.encode("utf-8"))
    for i, row in enumerate(records):
        note = corrections_ui.badge_html(row, corrections_ui.existing_for(row, index))
        source = _source_of(str(row.get("article_id")), meta)
        card = passage_card_html(
            row,
            source,
            rank=i + 1 if numbered else None,
            note_html=note,
            counts_reported=counts_reported,
        )
        where.markdown(card, unsafe_allow_html=True)
        key = f"corr_{block:x}_{i}_{row.get('topic')}"
        corrections_ui.correction_popover(row, ctx, key, where=where)


def evidence_frame(
    store: data.TextStore,
    level: str,
    unit: str,
    topic: str,
    limit: int,
    ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The evidence behind one position, strongest first, with text and probabilities
    (``ids``: its evidence passage ids where the store does not hold them, as for outlets)."""
    if ids is None:
        ids = data.evidence_ids(store, level, unit, topic)
    return data.passages_with_scores(store, list(ids)[:limit], topic)


def reported_frame(
    store: data.TextStore, article_ids: Sequence[str], topic: str, limit: int
) -> tuple[pd.DataFrame, int]:
    """Quoted and reported passages on ``topic`` in the given articles and how many there are
    in all: those whose speaker leans to one side most first (relevance × |P(favor) −
    P(against)| of the quoted voice, as the positions rank their evidence), then the most
    relevant."""
    rows = store.reported
    hits = rows[(rows["topic"] == topic) & rows["article_id"].isin(article_ids)]
    hits = quoted_readings(hits)  # a quote without a speaker reading: its stance's
    if {"speaker_favor", "speaker_against"} <= set(hits.columns):
        sided = (hits["speaker_favor"] - hits["speaker_against"]).abs().fillna(0.0)
    else:
        sided = pd.Series(0.0, index=hits.index)
    hits = hits.assign(_strength=hits["relevance"].astype(float) * sided)
    ranked = hits.sort_values(["_strength", "relevance"], ascending=False, kind="stable")
    return data.passages_with_scores(store, list(ranked["passage_id"][:limit]), topic), len(hits)


def _mixed(row: Any, status: str, low: str, high: str) -> str:
    """ " (mixed)", or " (mixed, leaning favor)" where the interval keeps to one side, as the
    tables' cells say; "" for a stance that is not mixed."""
    if row.get(status) != "mixed":
        return ""
    lean = mixed_lean(row.get(low), row.get(high))
    return f" (mixed, leaning {lean})" if lean else " (mixed)"
