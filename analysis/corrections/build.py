"""The records one correction of a passage writes, shared by the dashboard's forms and
``viewpoints correct``: which labels a passage's form offers, what the model said, the label in
force, and the :class:`Correction` records of a change (see :mod:`analysis.corrections`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from analysis.cache import text_sha256
from analysis.corrections.examples import predicted_label, probabilities_of
from analysis.corrections.records import (
    NOT_RELEVANT,
    RELEVANT,
    SCORED_BY,
    SPEAKER,
    WITHDRAWN,
    Correction,
    now_iso,
    scoring_model,
)
from analysis.records import is_missing

FALLBACK_LABELS = {"topic": NOT_RELEVANT, "stance": "none", "tone": "neutral", SPEAKER: "none"}
Index = dict[tuple[str, str], dict[str, Correction]]


def stance_tasks(row: Mapping[str, Any], include_reported: bool = False) -> list[str]:
    """The stances a passage counts toward, which its form corrects: the author's for own
    words; for reported speech the quoted voice's (``speaker``), and the author's too in a run
    that counts reported speech as the author's (``aggregate.include_reported``)."""
    reported = not is_missing(row.get("reported")) and bool(row.get("reported"))
    if not reported:
        return ["stance"]
    return [SPEAKER, "stance"] if include_reported else [SPEAKER]


def counted_stance(row: Mapping[str, Any], include_reported: bool = False) -> str:
    """The stance task that makes a passage count toward a position: for reported speech not
    counted as the author's, the quoted voice's (``speaker``); else the author's."""
    reported = not is_missing(row.get("reported")) and bool(row.get("reported"))
    return SPEAKER if reported and not include_reported else "stance"


def corrected_tasks(row: Mapping[str, Any]) -> set[str]:
    """The tasks a recomputed run's row carries the analyst's labels for (its ``corrected``)."""
    value = row.get("corrected")
    return set() if is_missing(value) or not value else set(str(value).split(","))


def model_labels(
    row: Mapping[str, Any], existing: Mapping[str, Correction] | None = None
) -> dict[str, str | None]:
    """What the model said about a passage on the row's topic: scored rows are ``relevant``.
    On a run recomputed with corrections, a corrected task's numbers are the analyst's: the
    model's label is then the one the correction recorded (None when unknown)."""
    scored = not is_missing(row.get("relevance"))
    out = {
        "topic": RELEVANT if scored else NOT_RELEVANT,
        **{task: predicted_label(row, task) if scored else None for task in SCORED_BY},
    }
    for task in corrected_tasks(row) & set(out):
        out[task] = existing[task].model_label if existing and task in existing else None
    return out


def model_probs(
    row: Mapping[str, Any], task: str, existing: Mapping[str, Correction] | None
) -> dict[str, float] | None:
    """The model's probabilities for ``task`` on the row, as :func:`model_labels` reads it."""
    if task == "topic":
        return None
    if task in corrected_tasks(row):
        return existing[task].probs if existing and task in existing else None
    return probabilities_of(row, task)


def labels_in_force(
    row: Mapping[str, Any],
    existing: Mapping[str, Correction] | None,
    include_reported: bool = False,
) -> dict[str, str]:
    """The label each task starts at: the latest correction, else the model's, else what the
    row's numbers say (a recomputed run's label whose correction is not in this folder), else
    the task's neutral label."""
    model = model_labels(row, existing)
    out = {}
    for task in ("topic", *stance_tasks(row, include_reported), "tone"):
        if existing and task in existing:
            out[task] = existing[task].label
        else:
            shown = predicted_label(row, task) if task in SCORED_BY else None
            out[task] = model[task] or shown or FALLBACK_LABELS[task]
    return out


def build_corrections(
    row: Mapping[str, Any],
    chosen: Mapping[str, str],
    info: Any,
    run_id: str,
    existing: Mapping[str, Correction] | None = None,
    confirm: bool = True,
) -> list[Correction]:
    """The records one save writes (``info``: the run's RunInfo): without ``confirm`` only the
    tasks whose chosen label differs from the one in force, and on a passage the model did
    not score on the topic and the analyst marks relevant, every label (the model gave none:
    those chosen are the analyst's); never a label already in force."""
    topic = str(row["topic"])
    target = next((t.target for t in info.topics if t.key == topic), None)
    target = target or info.topic_labels().get(topic, topic)
    include_reported = info.aggregation.include_reported
    model = model_labels(row, existing)
    tasks = ["topic"]
    if chosen["topic"] != NOT_RELEVANT:
        tasks += [*stance_tasks(row, include_reported), "tone"]
    if not confirm:
        start = labels_in_force(row, existing, include_reported)
        unscored = is_missing(row.get("relevance"))
        tasks = [
            task
            for task in tasks
            if chosen[task] != start[task]
            or (unscored and task != "topic" and not (existing and task in existing))
        ]
    out = []
    for task in tasks:
        if existing and task in existing and existing[task].label == chosen[task]:
            continue  # already the label in force: nothing new to say
        out.append(
            Correction(
                text=str(row["text"]),
                target=target,
                topic=topic,
                task=task,
                label=chosen[task],
                model_label=model[task],
                model=scoring_model(info, task),
                run_id=run_id,
                passage_id=None if is_missing(row.get("passage_id")) else str(row["passage_id"]),
                article_id=None if is_missing(row.get("article_id")) else str(row["article_id"]),
                probs=model_probs(row, task, existing),
                relevance=None if is_missing(row.get("relevance")) else float(row["relevance"]),
            )
        )
    return out


def index_of(corrections: list[Correction]) -> Index:
    """Corrections (those in force) by (text hash, topic) -> task -> correction."""
    index: Index = {}
    for c in corrections:
        index.setdefault((c.text_sha256, c.topic), {})[c.task] = c
    return index


def existing_for(row: Mapping[str, Any], index: Index) -> dict[str, Correction]:
    """The corrections in force for the row's passage text and topic."""
    return index.get((text_sha256(str(row.get("text") or "")), str(row.get("topic"))), {})


def passage_row(
    passages: pd.DataFrame,
    scores: pd.DataFrame,
    passage_id: str,
    topic: str,
    model_scores: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """A passage of a run's tables on ``topic`` as a form reads it: the passage's fields, and
    its score row on the topic where the run scored it there (else ``relevance`` None: not
    scored). ``model_scores``, for a run recomputed with corrections: the scores of the model's
    run it came from, where a passage a correction took off the topic is still scored: the row
    is then the model's, its topic marked corrected (a review's undo recorded "the model said
    not relevant" for a passage the model had called relevant). KeyError when ``passages`` has
    no such passage."""
    found = passages[passages["passage_id"].astype(str) == passage_id]
    if not len(found):
        raise KeyError(passage_id)
    row = {**found.iloc[0].to_dict(), "topic": topic}
    on_topic = _scored_on(scores, passage_id, topic)
    taken_off = (
        _scored_on(model_scores, passage_id, topic) if model_scores is not None else on_topic
    )
    if len(on_topic):
        row.update({k: v for k, v in on_topic.iloc[0].to_dict().items() if k != "text"})
    elif len(taken_off):
        row.update({k: v for k, v in taken_off.iloc[0].to_dict().items() if k != "text"})
        row["corrected"] = "topic"  # its numbers the model's; its topic label the analyst's
    else:
        row["relevance"] = None
    return row


def _scored_on(scores: pd.DataFrame, passage_id: str, topic: str) -> pd.DataFrame:
    return scores[(scores["passage_id"].astype(str) == passage_id) & (scores["topic"] == topic)]


def chosen_labels(
    row: Mapping[str, Any],
    given: Mapping[str, str],
    existing: Mapping[str, Correction] | None = None,
    include_reported: bool = False,
) -> dict[str, str]:
    """The labels in force with the analyst's ``given`` ones (task -> label) in their place, as
    a form's boxes would hold them. A stance or tone given for a passage the model did not
    score on the topic marks it relevant. ValueError, saying what to give instead, for a task
    the passage does not count toward (the author's stance of a quote, a quoted voice's of own
    words) or labels given beside ``not relevant``."""
    chosen = labels_in_force(row, existing, include_reported)
    offered = set(chosen)
    for task in given:
        if task in offered:
            continue
        if task == "stance":
            raise ValueError(
                "the passage is reported speech: its stance is the quoted voice's (give "
                "--quoted), and no position counts a quote's stance as the author's"
            )
        raise ValueError(
            "the passage is in the author's own words: it has no quoted voice whose stance "
            "to label (give --stance)"
        )
    labelled = [task for task in given if task != "topic"]
    if given.get("topic") == NOT_RELEVANT and labelled:
        raise ValueError(
            "a passage marked not relevant takes no stance or tone on the topic "
            f"(got {', '.join(labelled)})"
        )
    chosen.update(given)
    if labelled and "topic" not in given:
        chosen["topic"] = RELEVANT
    return chosen


def labelled_corrections(
    row: Mapping[str, Any],
    given: Mapping[str, str],
    info: Any,
    run_id: str,
    existing: Mapping[str, Correction] | None = None,
    confirm: bool = False,
) -> list[Correction]:
    """The records of labels given by name (``viewpoints correct``): the changed ones, and with
    ``confirm`` the model's labels left as they are: those given, or every one where none is
    given (``--stance none --confirm`` confirms the stance, not the tone as well: a confirmed
    tone of P 0.49 counts as certain and moved a review's tone from -0.35 to -1.00). On a
    passage the model did not score on the topic only the labels given (and its relevance)
    are recorded: there is no model label to confirm, and none is made up."""
    include_reported = info.aggregation.include_reported
    chosen = chosen_labels(row, given, existing, include_reported)
    records = build_corrections(row, chosen, info, run_id, existing, confirm=confirm)
    if is_missing(row.get("relevance")):
        records = [r for r in records if r.task in given or r.task == "topic"]
    elif confirm and given:  # the topic too: a label given makes the passage relevant
        records = [r for r in records if r.task in given or r.task == "topic" or r.changed]
    return records


def withdrawals(existing: Mapping[str, Correction], run_id: str) -> list[Correction]:
    """Records that withdraw the analyst's corrections in force on a passage and topic
    (``existing``: task -> correction): read as the latest, they leave none there, so the
    model's readings count again in a recomputed run."""
    return [
        replace(c, label=WITHDRAWN, run_id=run_id, time=now_iso())
        for _, c in sorted(existing.items())
    ]
