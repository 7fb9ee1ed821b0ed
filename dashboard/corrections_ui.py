"""Correction widgets: confirm or correct a passage's topic, stance and tone on one topic.

Every passage card (Overview and Compare evidence, reported speech) gets a small "Correct"
popover; the Article page gets an inline form for any of its passages. A form has a selectbox
per task, preset to the label in force (the analyst's latest correction, else the model's): the
topic; the stance the passage counts toward, the author's for own words and the quoted voice's
(task ``speaker``) for reported speech (both where the run counts reported speech as the
author's); and the tone. Then a "confirm" box and Save. Save writes, through
:class:`analysis.corrections.CorrectionStore`, one record per task the analyst changed (every
task, for a passage the model did not score on the topic that the analyst marks relevant);
with the box ticked also one per task left as it was (recording the model's label as
*confirmed*, once: a confirmed label overrides the model's probabilities in ``viewpoints
recompute`` as a corrected one does).
Marking a passage "not relevant" saves only that: stance and tone toward a topic the passage is
not about are not labels. On a run recomputed with corrections, the model's label of a
corrected task is the one its correction recorded.

The folder is ``--corrections-dir DIR`` after ``--`` on the ``streamlit run`` line, else
``$VIEWPOINTS_CORRECTIONS_DIR``, else ``./corrections``.
"""

from __future__ import annotations

import argparse
import html
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import streamlit as st

from analysis.cache import text_sha256
from analysis.corrections import (
    NOT_RELEVANT,
    RELEVANT,
    SPEAKER,
    Correction,
    CorrectionStore,
    corrections_dir,
    labels_of,
    latest,
    predictions_for,
    summary,
)
from analysis.corrections.build import (
    Index,
    existing_for,
    index_of,
    labels_in_force,
    model_labels,
    passage_row,
    stance_tasks,
    withdrawals,
)
from analysis.corrections.build import build_corrections as build_records
from analysis.labels import TASK_WORDS
from dashboard import data
from dashboard.context import RunContext
from dashboard.style import is_missing, passage_place

MAX_STORES_CACHED = 4


def corrections_dir_from(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """The corrections folder: ``--corrections-dir DIR`` in ``argv`` (what follows ``--`` on the
    ``streamlit run`` line), else ``$VIEWPOINTS_CORRECTIONS_DIR``, else ``./corrections``."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--corrections-dir", default=None)
    known, _ = parser.parse_known_args(list(sys.argv[1:] if argv is None else argv))
    return corrections_dir(known.corrections_dir, os.environ if environ is None else environ)


def store() -> CorrectionStore:
    """The store the dashboard reads and writes."""
    return CorrectionStore(corrections_dir_from())


@st.cache_resource(max_entries=MAX_STORES_CACHED, show_spinner=False)
def _in_force(folder: str, stamp: tuple) -> tuple[list[Correction], Index]:
    """The corrections in force and an index by (text hash, topic) -> task -> correction.

    Keyed by the files' names, sizes and times, so a save is seen on the next rerun. Shared
    between sessions and only read.
    """
    current = latest(CorrectionStore(folder).history())
    return current, index_of(current)


def in_force(where: CorrectionStore | None = None) -> tuple[list[Correction], Index]:
    """The corrections in force in ``where`` (default: the dashboard's store), and their index."""
    where = where or store()
    return _in_force(str(where.folder), where.stamp())


@st.cache_data(max_entries=8, show_spinner=False)
def evaluation_tables(
    run_path: str, stamp: float, folder: str, store_stamp: tuple, task: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per topic × task summary and the run's predictions on the ``task`` corrections
    (see :func:`analysis.corrections.summary` and ``predictions_for``), cached per run and
    store state: joining hashes every passage text of the run."""
    run = data.full_run(run_path, stamp)
    current, _ = _in_force(folder, store_stamp)
    return summary(run, current), predictions_for(run, current, task)


BOX_LABELS = {"stance": "Stance", SPEAKER: "Quoted voice's stance", "tone": "Tone"}


def build_corrections(
    row: Mapping[str, Any],
    chosen: Mapping[str, str],
    ctx: RunContext,
    existing: Mapping[str, Correction] | None = None,
    confirm: bool = True,
) -> list[Correction]:
    """The records one Save writes (:func:`analysis.corrections.build.build_corrections` on
    the chosen run)."""
    return build_records(row, chosen, ctx.info, ctx.run_id, existing, confirm=confirm)


def badge_html(row: Mapping[str, Any], existing: Mapping[str, Correction]) -> str:
    """One line under a card: the analyst's labels in force, and the model's where they differ."""
    if not existing:
        return ""
    model = model_labels(row, existing)
    parts = []
    for task in ("topic", "stance", SPEAKER, "tone"):
        if task not in existing:
            continue
        label = existing[task].label
        name = TASK_WORDS[task]
        if model[task] == label:
            parts.append(f"{name} {label} ✓")
        else:
            said = model[task] or "not scored"
            parts.append(f"{name} <b>{html.escape(label)}</b> (model: {html.escape(said)})")
    return (
        '<div class="vp-corrected" style="font-size:0.8em;color:#1b5e20;margin-top:3px">'
        f"✎ corrected: {' · '.join(parts)}</div>"
    )


def _option(model: str | None):
    def show(label: str) -> str:
        return f"{label} (model)" if label == model else label

    return show


# "(model)" beside an option is the label the model gives most probability; the signed score
# beside a passage is P(favor) - P(against), so "none (model)" can sit beside -0.20
MODEL_MARK = (
    " '(model)' marks the label the model gives most probability; the signed score shown "
    "with the passage is P(favor) − P(against), so 'none (model)' can sit beside −0.20."
)


def _box_help(task: str, include_reported: bool) -> str | None:
    if task == SPEAKER:
        return (
            "of the voice this passage quotes, toward the topic's target: what the "
            "quoted-voices measure counts; ignored when the passage is not relevant." + MODEL_MARK
        )
    if task == "stance":
        whose = (
            "the author's reading of this quote, counted as the author's stance in this run"
            if include_reported
            else "the author's, toward the topic's target"
        )
        return f"{whose}; ignored when the passage is not relevant." + MODEL_MARK
    return None


def correction_form(
    row: Mapping[str, Any],
    ctx: RunContext,
    key: str,
    *,
    columns: bool = False,
    close: str | None = None,
) -> None:
    """A selectbox per task and Save for one passage on the row's topic; saving appends to the
    store and reruns (setting the Session State flag ``close`` first, when given)."""
    flash = st.session_state.pop(f"{key}_saved", None)
    if flash:
        st.toast(flash, icon=":material/check:")
    _, index = in_force()
    existing = existing_for(row, index)
    include_reported = ctx.info.aggregation.include_reported
    model = model_labels(row, existing)
    start = labels_in_force(row, existing, include_reported)
    tasks = [*stance_tasks(row, include_reported), "tone"]
    topic_label = ctx.label(str(row["topic"]))
    with st.form(key, border=False):
        slots = st.columns(len(tasks) + 1) if columns else [st] * (len(tasks) + 1)
        chosen = {
            "topic": slots[0].selectbox(
                f"About {topic_label}?",
                [RELEVANT, NOT_RELEVANT],
                index=[RELEVANT, NOT_RELEVANT].index(start["topic"]),
                format_func=_option(model["topic"]),
                key=f"{key}_topic",
            )
        }
        for slot, task in zip(slots[1:], tasks, strict=True):
            labels = labels_of(task)
            chosen[task] = slot.selectbox(
                BOX_LABELS[task],
                labels,
                index=labels.index(start[task]),
                format_func=_option(model[task]),
                key=f"{key}_{task}",
                help=_box_help(task, include_reported),
            )
        confirm = st.checkbox(
            "Also confirm the labels I leave as they are",
            key=f"{key}_confirm",
            help="records them as right; in a corrected run a confirmed label counts as certain "
            "(its probability 1, the others 0), as a corrected one does, so its numbers can move "
            "too",
        )
        saved = st.form_submit_button("Save", icon=":material/save:")
        # the undo (choosing the model's label again would record it as the analyst's,
        # certain), offered where the passage has labels of the analyst's
        withdraw = bool(existing) and st.form_submit_button(
            "Withdraw my labels",
            icon=":material/undo:",
            help="takes back your labels on this passage and topic: the model's readings "
            "count again in a corrected run (the file keeps both, as it keeps every answer)",
        )
    if withdraw:
        records = withdrawals(existing, ctx.run_id)
        try:
            path = store().append(records)
        except OSError as err:
            st.error(str(err), icon=":material/error:")
            return
        said = ", ".join(f"{TASK_WORDS[r.task]} {existing[r.task].label}" for r in records)
        st.session_state[f"{key}_saved"] = (
            f"Withdrew your {said} (in {path.name}): the model's labels count again in a "
            "corrected run (Evaluation page, Write a corrected run)."
        )
        if close:
            st.session_state[close] = True
        st.rerun()
    if saved:
        records = build_corrections(row, chosen, ctx, existing, confirm=confirm)
        if not records:
            st.toast(
                "These labels are already saved."
                if confirm
                else "Nothing changed: change a label, or tick “Also confirm” to record "
                "these labels as right."
            )
            return
        try:
            path = store().append(records)
        except OSError as err:  # a folder the dashboard cannot write: said, nothing lost
            st.error(str(err), icon=":material/error:")
            return
        # the model's label chosen again over an earlier correction is a label of the
        # analyst's, certain in a corrected run, not an undo (a review read it as one)
        back = [
            TASK_WORDS[r.task]
            for r in records
            if r.task in existing and existing[r.task].label != r.label and model[r.task] == r.label
        ]
        st.session_state[f"{key}_saved"] = (
            f"Saved {len(records)} label(s) to {path.name}. The numbers change in a corrected "
            "run: Evaluation page, Write a corrected run (or `viewpoints recompute`)."
            + (
                f" The {' and '.join(back)} set back to the model's label now "
                + ("counts as your label" if len(back) == 1 else "count as your labels")
                + ", certain (probability 1) in a corrected run; to take a label back, "
                "Withdraw my labels."
                if back
                else ""
            )
        )
        if close:
            st.session_state[close] = True
        st.rerun()  # redraw the cards with the new labels


def correction_popover(row: Mapping[str, Any], ctx: RunContext, key: str, where: Any = st) -> None:
    """A small "Correct" popover holding :func:`correction_form`.

    The popover tracks its state, so its form is only built while it is open (a page may show
    dozens of cards), and it closes after a save.
    """
    toggle = f"{key}_open"
    flash = st.session_state.pop(f"{key}_saved", None)
    if flash:
        st.toast(flash, icon=":material/check:")
    if st.session_state.pop(f"{key}_close", False):
        st.session_state[toggle] = False
    popover = where.popover(
        "Correct",
        type="tertiary",
        icon=":material/edit:",
        help="Confirm or correct the labels",
        key=toggle,
        on_change="rerun",
    )
    if not popover.open:
        return
    with popover:
        st.caption(
            "Your labels for this passage on this topic, kept as labelled data in "
            f"`{store().folder}`; they survive reruns of the same articles."
        )
        correction_form(row, ctx, key, close=f"{key}_close")


def passage_choice(passages: pd.DataFrame, scores: pd.DataFrame, ctx: RunContext) -> dict:
    """Passage index -> a short label for a selectbox (scored topics named)."""
    topics_of = scores.groupby("passage_id")["topic"].agg(list).to_dict() if len(scores) else {}
    out = {}
    for rec in passages.sort_values("index").to_dict("records"):
        text = str(rec["text"]).replace("\n", " ")
        short = text if len(text) <= 90 else text[:89] + "…"
        scored = topics_of.get(rec["passage_id"], [])
        tail = f" — scored on {', '.join(ctx.label(t) for t in scored)}" if scored else ""
        out[rec["passage_id"]] = f"{passage_place(rec['index'])}: {short}{tail}"
    return out


def corrected_here(passages: pd.DataFrame, index: Index) -> list[tuple[int, list[str]]]:
    """(passage index from 0, topics) of an article's passages that carry corrections, in order."""
    topics_of: dict[str, list[str]] = {}
    for digest, topic in index:
        topics_of.setdefault(digest, []).append(topic)
    out = []
    for rec in passages.sort_values("index").to_dict("records"):
        topics = topics_of.get(text_sha256(str(rec["text"])))
        if topics:
            out.append((int(rec["index"]), sorted(topics)))
    return out


def _model_scores(ctx: RunContext, passages: pd.DataFrame) -> pd.DataFrame | None:
    """For a run recomputed with corrections, the article's scores in the model's run it came
    from: a passage a correction took off a topic is read as the model scored it (None for a
    model's run, or where that run is gone)."""
    from analysis.corrections.apply import source_run_if_kept

    path = source_run_if_kept(SimpleNamespace(meta=ctx.meta, run_id=ctx.run_id, path=ctx.path))
    if path is None or not len(passages):
        return None
    store = data.text_store(str(path), data.run_stamp(path))
    return data.article_scores(store, str(passages["article_id"].iloc[0]))


def article_corrections(
    passages: pd.DataFrame,
    scores: pd.DataFrame,
    ctx: RunContext,
    left_out: pd.DataFrame | None = None,
) -> None:
    """The Article page's section: pick any passage of the article and a topic, then correct
    (``left_out``: the article's candidates the topic check left out, with ``passage_id``,
    ``topic``, ``relevance`` and ``on_topic``)."""
    st.subheader("Correct a passage")
    choices = passage_choice(passages, scores, ctx)
    if not choices:
        st.caption("This article has no passages.")
        return
    _, index = in_force()
    done = corrected_here(passages, index)
    if done:
        st.caption(
            "Your corrections in this article: "
            + "; ".join(
                f"{passage_place(i)} ({', '.join(ctx.label(t) for t in topics)})"
                for i, topics in done
            )
            + ". Positions change in a recomputed run (Evaluation page)."
        )
    scored_first = [p for p in choices if p in set(scores["passage_id"])] + [
        p for p in choices if p not in set(scores["passage_id"])
    ]
    left, right = st.columns([3, 1])
    pid = left.selectbox(
        "Passage", scored_first, format_func=choices.__getitem__, key=f"corr_art_pid_{ctx.run_id}"
    )
    own = scores[scores["passage_id"] == pid].sort_values("relevance", ascending=False)
    gated = (
        left_out[left_out["passage_id"] == pid].sort_values("relevance", ascending=False)
        if left_out is not None and len(left_out)
        else pd.DataFrame(columns=["topic", "relevance", "on_topic"])
    )
    keys = [t.key for t in ctx.topics]
    # a passage the topic check left out opens on the topic it was a candidate for
    first = (
        str(own.iloc[0]["topic"])
        if len(own)
        else str(gated.iloc[0]["topic"])
        if len(gated)
        else keys[0]
    )
    topic = right.selectbox(
        "Topic",
        keys,
        index=keys.index(first) if first in keys else 0,
        format_func=ctx.label,
        key=f"corr_art_topic_{ctx.run_id}_{pid}",  # per passage: each opens on its own topic
    )
    row = passage_row(passages, own, str(pid), topic, _model_scores(ctx, passages))
    candidate = gated[gated["topic"].astype(str) == topic]
    if is_missing(row["relevance"]) and len(candidate):
        found = candidate.iloc[0]
        st.caption(
            f"The topic check left this passage out of {ctx.label(topic)} (relevance "
            f"{float(found['relevance']):.0%}, about it {float(found['on_topic']):.0%}: "
            "listed above), so the model never scored its stance or tone there. Mark it "
            "relevant and give its stance and tone to add it to the topic in a recomputed run."
        )
    elif is_missing(row["relevance"]):
        st.caption(
            f"The model did not find this passage about {ctx.label(topic)}. Mark it relevant "
            "and give its stance and tone to add it to the topic in a recomputed run."
        )
    badge = badge_html(row, existing_for(row, index))
    if badge:
        st.markdown(badge, unsafe_allow_html=True)
    correction_form(row, ctx, f"corr_art_{ctx.run_id}_{pid}_{topic}", columns=True)
