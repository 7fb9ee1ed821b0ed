"""Comparing two runs, and the robustness of author orderings across several runs.

:func:`compare_runs` answers "what changed when I reran this with another model (template,
threshold, ...)?", per topic and overall:

- **Passage agreement.** A passage is *shared* when both runs scored the same ``(passage_id,
  topic)`` and, where both runs have its text, the text is identical (so a re-cut corpus does
  not pair different passages that happen to share an id). Each run's label is the argmax of
  its probabilities (``favor, against, none`` for stance, ``negative, neutral, positive`` for
  tone; ties go to the first in that order), for the author's stance, tone and (``speaker``)
  the quoted voice's stance of reported speech, each read where the positions read it: the
  author's stance and tone on own words only (and on quotes where a run counts them as the
  author's, ``aggregate.include_reported``), the quoted voice's from the ``speaker_*``
  columns or, for a quote without them (runs of the older format), its stance columns
  (:mod:`analysis.quoted_voice`). So the author head's reading of a quote, which counts
  nowhere, is never set against another run's reading of the quoted voice. Reported are raw
  agreement, Cohen's kappa (see :func:`cohen_kappa`), the confusion of A's labels (rows)
  against B's (columns) and the mean total variation distance between the probability rows.
  Pairs scored in only one run (another relevance threshold or topic matcher, another corpus)
  are counted, never compared.
  *Overall* pools the shared pairs of all topics.
- **Author rank correlation.** Spearman's rho (:func:`spearman`) of the author-level ``stance``
  (and ``quoted``, the quoted voices' stance, and ``tone``) over authors *discussed* in both
  runs with that measure in both (co-authors of the same articles, whose positions are the same
  in both runs, once), read as shown (two decimals: :func:`shown_spearman`);
  ``None`` with fewer than 3 such authors or when either run gives them all the same value.
  *Overall* is the mean of the topics' rho (``n_*``: the units behind them, summed; a rho over
  every (author, topic) cell would mostly measure how far apart the topics' averages lie).
- **Sign changes.** A value is read as ``+`` above ``zero_band`` (0.05 by default), ``-`` below
  ``-zero_band`` and ``0`` ("around zero") in between. An author is listed when the sign goes
  from ``+`` to ``-`` or back (co-authors who share the position in both runs once, the others
  named in ``co_authors``, as for interval splits); moves into or out of the band are not sign
  changes (a drift from +0.03 to -0.02 is noise, not a reversal). Interval separation below
  catches large moves that stay on one side.
- **Interval splits.** Authors whose interval in A and interval in B are disjoint (``A_high <
  B_low`` or ``B_high < A_low``): the runs disagree by more than the sampling uncertainty of
  either. Intervals that are missing (one passage) cannot split.
- **Status changes.** Authors present in both runs whose status differs (``discussed`` <->
  ``not_discussed``), e.g. when a threshold change drops their only passages; and, among those
  discussed in both, whose stance or quoted voices' stance reads differently in kind (a side
  taken, "no stance expressed", "mixed"; for quoted voices also "none_quoted"). Sign changes
  and interval splits are listed for the quoted voices' stance as for stance and tone.
- **Largest disagreements.** The ``top_k`` shared passages with the largest total variation
  distance ``0.5 * sum |p_A - p_B|`` between the probability rows of each label set, with both
  runs' probabilities, the passage text, article title and author (from run A, else run B).
  Passages both runs score identically are not listed, so the list may be shorter.

Authors are matched on ``(author, group_kind)`` of the author-level positions, the group label
the aggregation used. When the two runs' corpus hashes differ the report warns: every number
then covers only the passages and authors the two runs share.

:func:`robustness` asks which author comparisons survive a change of model or template. For
each topic and each pair of authors discussed in *every* run it records, per run, the order of
their point estimates as printed, at two decimals (``>``, ``<``, or ``=`` where they print alike)
and whether their intervals are
disjoint. A pair is **stable** when every run gives the same strict order, a **flip** when one
run says ``>`` and another ``<``, and a **tie** otherwise (some run cannot order them, none
contradicts). A flip is **strong** when the intervals are disjoint in opposite directions in two
runs (each run is confident, and they disagree); a stable pair is **separated** when its
intervals are disjoint in every run. Point order rather than interval overlap defines the
verdict because with realistic intervals most pairs overlap, and "tied in every run" would
otherwise count as stable while saying nothing; the interval flags say how much each order is
worth. Per author, the sign (with the same zero band) in each run is **stable** (same sign in
every run, ``0`` included), **flips** (both ``+`` and ``-`` occur) or **unsettled** (moves between
one side and ``0``). Spearman's rho between every two runs summarises each topic.

Each section also lists ``author_changes``: one entry per author × topic × measure that moved
(its kinds of change and both runs' position), what a table of changes shows.

Both reports are plain JSON-ready dicts (no numpy types, NaN as ``None``);
:mod:`analysis.terminal` renders them for the terminal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, replace
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.intervals import NEAR_ZERO
from analysis.jsonable import json_ready
from analysis.labels import STANCE_LABELS, TONE_LABELS
from analysis.metrics import cohen_kappa, spearman, total_variation
from analysis.news_accuracy import (
    accuracy_for_run,
    accuracy_line,
    covered_topics,
    run_settings,
    unmeasured_topics,
)
from analysis.quoted_voice import fill_quoted_readings, with_speaker_columns
from analysis.records import is_missing
from analysis.run_info import flat_model_tasks
from analysis.runs import INTERVAL_COLUMNS, Run, RunError

# Passage labels compared: the author head's stance, tone, and the quoted voice's stance of
# reported speech (``speaker_*``; runs from before those columns compare none)
TASKS: dict[str, tuple[str, ...]] = {
    "stance": STANCE_LABELS,
    "tone": TONE_LABELS,
    "speaker": STANCE_LABELS,
}
MEASURES = ("stance", "tone")
# Author measures compared between two runs: MEASURES and the quoted voices' stance
# (``quoted_stance``, read here as the measure ``quoted``)
COMPARED_MEASURES = ("stance", "quoted", "tone")
# Decimals of the values as the tables show them: rank correlations read values so rounded
SHOWN_DIGITS = 2
# How a stance reads where its unit has no own words on the topic, only quotes (the positions
# table records "no_stance" there, with n_passages 0)
ONLY_QUOTED_KIND = "only_quoted"
# The column saying how a measure's stance reads ("expressed", "no_stance", "mixed")
STATUS_COLUMNS = {"stance": "stance_status", "quoted": "quoted_status"}
DEFAULT_ZERO_BAND = NEAR_ZERO
_TIE = 1e-9  # probability rows closer than this are identical
# Robustness orders two authors' point estimates as printed, at this many decimals: values
# that print alike are tied, so that a "flip" is never between them (float noise on "mixed"
# positions of 0.00 made flips of 1e-7).
ORDER_DECIMALS = 2
_PAIR_KEY = ["passage_id", "topic"]
_AUTHOR_KEY = ["author", "group_kind"]


# --------------------------------------------------------------------------- statistics


def sign_of(value: float | None, zero_band: float = DEFAULT_ZERO_BAND) -> str | None:
    """``"+"`` above ``zero_band``, ``"-"`` below ``-zero_band``, ``"0"`` between, None for NaN."""
    if value is None or not np.isfinite(value):
        return None
    if value > zero_band:
        return "+"
    if value < -zero_band:
        return "-"
    return "0"


# --------------------------------------------------------------------------- helpers


def _check_run(run: Any, name: str) -> None:
    if not isinstance(run, Run):
        raise ValueError(f"expected {name} to be a Run (see analysis.runs.load_run), got {run!r}")


def _check_zero_band(zero_band: Any) -> None:
    if not isinstance(zero_band, int | float) or isinstance(zero_band, bool) or zero_band < 0:
        raise ValueError(f"expected zero_band >= 0, got {zero_band!r}")


def _run_header(run: Run, label: str | None = None) -> dict[str, Any]:
    out = {
        "run_id": run.run_id,
        "name": run.meta.get("name"),
        "created": run.meta.get("created"),
        "models": {
            task: run.info.model_name(task)
            for task in (*MEASURES, "quoted")
            if task != "quoted" or run.info.model_name(task)  # a speaker head, where recorded
        },
        "corpus_hash": run.meta.get("corpus_hash"),
        "interval_method": run.info.interval_method,
        "topic_gate": run.info.gate,  # None: no topic head
        # what its stance model's figures on news depend on (news_accuracy.settings_differ)
        "settings": run_settings(run.info),
    }
    source = run.meta.get("source_run")
    if isinstance(source, dict):  # recomputed with the analyst's corrections
        applied = (run.meta.get("corrections") or {}).get("applied")
        calibration = run.meta.get("calibration") or {}
        out |= {
            "recomputed_from": source.get("run_id"),
            "corrections_applied": applied if isinstance(applied, int) else None,
            "calibrated": any(
                isinstance(v, dict) and v.get("temperature") is not None
                for v in calibration.values()
            ),
        }
    if label is not None:
        out = {"label": label, **out}
    return out


def stance_trust_line(run: Run) -> str:
    """How far to trust a run's stance (its model's figures on labelled news), as ``show``
    says it."""
    accuracy = accuracy_for_run(run.meta.get("models"))
    return accuracy_line(
        accuracy,
        unmeasured_topics(accuracy, run.info.topics),
        None if accuracy is None else covered_topics(accuracy, run.info.topics),
        run_settings(run.info),
    )


def recomputed_words(run: dict[str, Any]) -> str:
    """How a compared run was recomputed from another with corrections (``run``: one side's
    header of a comparison report), in words."""
    applied = run.get("corrections_applied")
    count = "" if applied is None else f" {applied}"
    calibrated = " and calibrated" if run.get("calibrated") else ""
    return (
        f"recomputed from run {run['recomputed_from']} with{count} analyst correction(s)"
        f"{calibrated}: its corrected passages carry the analyst's labels, not the model's"
    )


def _ordered_topics(runs: Iterable[Run]) -> list[str]:
    """Topic keys in meta order, then any further ones found in the tables (first seen first)."""
    seen: dict[str, None] = {}
    runs = list(runs)
    for run in runs:
        for key in run.info.topic_labels():
            seen.setdefault(key, None)
    for run in runs:
        for table in (run.scores, run.positions):
            if "topic" in table.columns:
                for key in table["topic"].dropna().astype(str):
                    seen.setdefault(key, None)
    return list(seen)


def _labels_for(runs: Sequence[Run]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for run in reversed(runs):  # the first run's label wins
        labels.update(run.info.topic_labels())
    return labels


def _outlets(run: Run) -> pd.DataFrame:
    """:func:`_authors` of the run's outlets, each over every article it published."""
    from analysis.outlets import run_outlet_positions

    table = run_outlet_positions(run)
    return _authors(run, table[table["level"] == "outlet"].assign(group_kind="author"))


def _authors(run: Run, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Author-level positions (or ``table``'s) with a clean key; one row per (topic, author,
    group_kind)."""
    if table is None:
        table = run.positions
        if "level" in table.columns:
            table = table[table["level"] == "author"]
    table = table.copy()
    if "group_kind" not in table.columns:
        table["group_kind"] = None
    table["group_kind"] = table["group_kind"].fillna("").astype(str)
    table["author"] = table["author"].astype(str)
    table["topic"] = table["topic"].astype(str)
    # the quoted voices' stance as a measure of its own (runs from before it: none)
    table["quoted"] = table.get("quoted_stance", np.nan)
    for column in ("quoted_low", "quoted_high"):
        if column not in table:
            table[column] = np.nan
    for column in (*INTERVAL_COLUMNS, "quoted", "quoted_low", "quoted_high"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype(float)
    return table.drop_duplicates(["topic", *_AUTHOR_KEY], keep="first")


def _discussed(table: pd.DataFrame, measure: str = "stance") -> pd.Series:
    return (table["status"] == "discussed") & table[measure].notna()


def _interval(row: pd.Series, measure: str, suffix: str = "") -> tuple[float, float] | None:
    """The row's (low, high) interval of ``measure``, or None when either end is missing."""
    low, high = row[f"{measure}_low{suffix}"], row[f"{measure}_high{suffix}"]
    if not (np.isfinite(low) and np.isfinite(high)):
        return None
    return float(low), float(high)


def _scores(run: Run) -> pd.DataFrame:
    """The run's score rows as the positions read them (the module's *Passage agreement*)."""
    table = fill_quoted_readings(with_speaker_columns(run.scores)).copy()
    if "reported" in table and not run.info.aggregation.include_reported:
        quoted = table["reported"].fillna(False).astype(bool)  # counted for no author
        for task in MEASURES:
            table.loc[quoted, [f"{task}_{label}" for label in TASKS[task]]] = np.nan
    table["topic"] = table["topic"].astype(str)
    table["passage_id"] = table["passage_id"].astype(str)
    return table.drop_duplicates(_PAIR_KEY, keep="first")


def _scored_passages(run: Run, scores: pd.DataFrame) -> pd.DataFrame:
    """The run's passages that have scores: the only ones a comparison reads (about one in a
    hundred of a corpus's passages, so their texts are not copied whole)."""
    ids = run.passages["passage_id"].astype(str)
    kept = ids.isin(scores["passage_id"]).to_numpy()
    return run.passages[kept].assign(passage_id=ids[kept].to_numpy())


def _passage_info(run: Run, scores: pd.DataFrame) -> pd.DataFrame:
    """passage_id -> text, article_id, title, author (group label) for the evidence lists of
    the passages with ``scores``."""
    passages = _scored_passages(run, scores)
    cols = [c for c in ("passage_id", "article_id", "text") if c in passages.columns]
    info = passages[cols].copy()
    articles = run.articles
    if "article_id" in info.columns and "article_id" in articles.columns:
        art = pd.DataFrame({"article_id": articles["article_id"]})
        art["title"] = articles["title"] if "title" in articles.columns else None
        author = articles["group"] if "group" in articles.columns else None
        if "author" in articles.columns:
            author = articles["author"] if author is None else author.fillna(articles["author"])
        art["author"] = author
        info = info.merge(art.drop_duplicates("article_id"), on="article_id", how="left")
    return info.drop_duplicates("passage_id").set_index("passage_id")


# --------------------------------------------------------------------------- compare_runs


def load_for_comparison(spec: str | Path, runs_dir: str | Path = "runs") -> Run:
    """A run with only what :func:`compare_runs` reads: every table but the article texts, and
    of the passages only those with scores (about one in a hundred of a corpus's passages; the
    texts are most of a whole-corpus run's size). The comparison is the same as on the whole run.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from analysis.runs import load_run, resolve_run

    path = resolve_run(str(spec), runs_dir)
    try:
        names = pq.read_schema(path / "articles.parquet").names
    except OSError as err:
        raise RunError(f"run {path} is unreadable: {err}") from None
    articles = [name for name in names if name != "text"]
    run = load_run(path, columns={"articles": articles, "passages": []})
    ids = pa.array(run.scores["passage_id"].dropna().unique())
    try:
        schema = pq.read_schema(path / "passages.parquet")
        wanted = pc.field("passage_id").isin(ids.cast(schema.field("passage_id").type))
        table = pq.read_table(path / "passages.parquet", filters=wanted)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, KeyError):  # odd ids: read them all
        table = pq.read_table(path / "passages.parquet")
    except OSError as err:
        raise RunError(f"run {path} is unreadable: {err}") from None
    return replace(run, passages=table.to_pandas(ignore_metadata=True))


def _shared_pairs(sa: pd.DataFrame, sb: pd.DataFrame, a: Run, b: Run) -> pd.DataFrame:
    """Rows scored in both runs, with the A columns suffixed _a and B's _b; plus ``same_text``."""
    prob_cols = [f"{task}_{label}" for task, labels in TASKS.items() for label in labels]
    left = sa[[*_PAIR_KEY, *prob_cols]]
    right = sb[[*_PAIR_KEY, *prob_cols]]
    merged = left.merge(right, on=_PAIR_KEY, suffixes=("_a", "_b"))
    text_a = _texts(a, merged)
    text_b = _texts(b, merged)
    ta = merged["passage_id"].map(text_a)
    tb = merged["passage_id"].map(text_b)
    merged["same_text"] = ta.isna() | tb.isna() | (ta == tb)
    return merged


def _texts(run: Run, scores: pd.DataFrame) -> pd.Series:
    """passage_id -> text of the passages with ``scores``."""
    if "text" not in run.passages.columns:
        return pd.Series(dtype=object)
    table = _scored_passages(run, scores).drop_duplicates("passage_id")
    return pd.Series(table["text"].to_numpy(), index=table["passage_id"].to_numpy())


def _agreement(shared: pd.DataFrame, task: str) -> dict[str, Any]:
    labels = TASKS[task]
    pa = shared[[f"{task}_{label}_a" for label in labels]].to_numpy(dtype=float)
    pb = shared[[f"{task}_{label}_b" for label in labels]].to_numpy(dtype=float)
    ok = ~(np.isnan(pa).any(axis=1) | np.isnan(pb).any(axis=1))
    pa, pb = pa[ok], pb[ok]
    la, lb = pa.argmax(axis=1), pb.argmax(axis=1)
    confusion = np.zeros((len(labels), len(labels)), dtype=int)
    np.add.at(confusion, (la, lb), 1)
    n = int(ok.sum())
    return {
        "n": n,
        "agreement": float(np.mean(la == lb)) if n else None,
        # both runs giving every passage one and the same label leaves kappa 0/0: undefined
        # (None), where agreement and the mean distance still tell how alike the runs are
        "kappa": cohen_kappa(la.tolist(), lb.tolist()) if len({*la, *lb}) > 1 else None,
        "mean_tv": float(total_variation(pa, pb).mean()) if n else None,
        "labels": list(labels),
        "confusion": confusion.tolist(),
    }


def _disagreements(
    shared: pd.DataFrame, task: str, top_k: int, info_a: pd.DataFrame, info_b: pd.DataFrame
) -> list[dict[str, Any]]:
    if top_k == 0 or shared.empty:
        return []
    labels = TASKS[task]
    pa = shared[[f"{task}_{label}_a" for label in labels]].to_numpy(dtype=float)
    pb = shared[[f"{task}_{label}_b" for label in labels]].to_numpy(dtype=float)
    tv = total_variation(pa, pb)
    frame = shared[_PAIR_KEY].assign(tv=tv, row=np.arange(len(shared)))
    frame = frame[np.isfinite(tv) & (tv > _TIE)]  # identical rows are no disagreement
    frame = frame.sort_values(["tv", "topic", "passage_id"], ascending=[False, True, True])
    out = []
    for _, hit in frame.head(top_k).iterrows():
        i, pid = int(hit["row"]), hit["passage_id"]
        about: dict[str, Any] = {}
        for info in (info_b, info_a):  # run A's details win where both have them
            if pid in info.index:
                about.update({k: v for k, v in info.loc[pid].items() if not is_missing(v)})
        out.append(
            {
                "passage_id": pid,
                "topic": hit["topic"],
                "tv": float(hit["tv"]),
                "label_a": labels[int(pa[i].argmax())],
                "label_b": labels[int(pb[i].argmax())],
                "a": dict(zip(labels, pa[i].tolist(), strict=True)),
                "b": dict(zip(labels, pb[i].tolist(), strict=True)),
                "article_id": about.get("article_id"),
                "title": about.get("title"),
                "author": about.get("author"),
                "text": about.get("text"),
            }
        )
    return out


def _author_changes(
    pa: pd.DataFrame, pb: pd.DataFrame, zero_band: float
) -> tuple[dict[str, Any], list[dict], list[dict], list[dict], list[dict], list[dict]]:
    """Counts, rank correlations, sign changes, interval splits, status changes, changes of
    the stance's kind (:func:`_stance_status`) and the other moves of :data:`MOVE_MIN` or more
    (largest first)."""
    both = pa.merge(pb, on=["topic", *_AUTHOR_KEY], suffixes=("_a", "_b"))
    keys_a = set(map(tuple, pa[_AUTHOR_KEY].to_numpy().tolist()))
    keys_b = set(map(tuple, pb[_AUTHOR_KEY].to_numpy().tolist()))
    counts: dict[str, Any] = {
        "in_both": len(keys_a & keys_b),
        "only_a": len(keys_a - keys_b),
        "only_b": len(keys_b - keys_a),
    }
    correlation: dict[str, Any] = {}
    signs: list[dict] = []
    splits: list[dict] = []
    moves: list[dict] = []  # moved by MOVE_MIN or more, neither flipped nor split
    for measure in COMPARED_MEASURES:
        ok = (
            (both["status_a"] == "discussed")
            & (both["status_b"] == "discussed")
            & both[f"{measure}_a"].notna()
            & both[f"{measure}_b"].notna()
        )
        # co-authors of the same articles (the same position in both runs) rank once, and
        # flip and split once, named together
        ranked, co_authors = _once_per_position(
            both[ok].sort_values(["topic", *_AUTHOR_KEY]), _same_position_columns(measure)
        )
        correlation[measure] = shown_spearman(ranked[f"{measure}_a"], ranked[f"{measure}_b"])
        correlation[f"n_{measure}"] = len(ranked)
        for index, row in ranked.iterrows():
            va, vb = float(row[f"{measure}_a"]), float(row[f"{measure}_b"])
            base = {
                "topic": row["topic"],
                "author": row["author"],
                "group_kind": row["group_kind"] or None,
                "co_authors": co_authors[index],
                "measure": measure,
                "a": va,
                "b": vb,
            }
            sa, sb = sign_of(va, zero_band), sign_of(vb, zero_band)
            ia, ib = _interval(row, measure, "_a"), _interval(row, measure, "_b")
            flip = {sa, sb} == {"+", "-"}
            if flip:
                # the runs whose position has no interval (it rests on one passage)
                lacking = [side for side, i in (("a", ia), ("b", ib)) if not i]
                signs.append({**base, "sign_a": sa, "sign_b": sb, "no_interval": lacking})
            split = bool(ia and ib and (ia[1] < ib[0] or ib[1] < ia[0]))
            if split:
                splits.append(
                    {**base, "a_low": ia[0], "a_high": ia[1], "b_low": ib[0], "b_high": ib[1]}
                )
            if not (flip or split) and abs(vb - va) >= MOVE_MIN:
                counted = "n_reported" if measure == "quoted" else "n_passages"
                moves.append({**base, **{f"n_{s}": _count(row, f"{counted}_{s}") for s in "ab"}})
    status = []
    changed, status_co = _once_per_position(
        both[both["status_a"] != both["status_b"]].sort_values(["topic", *_AUTHOR_KEY]),
        ["status", *_same_position_columns("stance")],
    )
    for index, row in changed.iterrows():
        status.append(
            {
                "topic": row["topic"],
                "author": row["author"],
                "group_kind": row["group_kind"] or None,
                "co_authors": status_co[index],
                "a": row["status_a"],
                "b": row["status_b"],
                "n_passages_a": row.get("n_passages_a"),
                "n_passages_b": row.get("n_passages_b"),
            }
        )
    # Discussed in both runs, with or without a stance ("no stance expressed" is discussed);
    # each rank correlation is over those with that measure in both (n_stance, n_tone).
    discussed = (both["status_a"] == "discussed") & (both["status_b"] == "discussed")
    counts["discussed_in_both"] = int(discussed.sum())
    moves.sort(key=lambda e: -abs(e["b"] - e["a"]))  # largest first
    changes = signs, splits, status, _stance_status(both), moves
    return {**counts, "spearman": correlation}, *changes


def _once_per_position(
    rows: pd.DataFrame, columns: Sequence[str]
) -> tuple[pd.DataFrame, dict[Any, list[str]]]:
    """``rows`` (author x topic, both runs side by side) with one row per position: co-authors
    of the same articles, whose ``columns`` are the same in both runs, are one unit. The rows
    kept, and for each the other authors who share its position."""
    present = [f"{c}_{side}" for c in columns for side in "ab" if f"{c}_{side}" in rows]
    position = pd.Series(
        [_position_key(v) for v in rows[["topic", *present]].to_numpy()],
        index=rows.index,
        dtype=object,
    )
    kept = rows[~position.duplicated()]
    sharing = rows["author"].groupby(position, sort=False).agg(list)
    return kept, {i: [str(a) for a in sharing[position[i]][1:]] for i in kept.index}


def _stance_status(both: pd.DataFrame) -> list[dict]:
    """Authors discussed in both runs whose stance, or whose quoted voices' stance, reads
    differently in kind: a side taken ("expressed"), "no_stance" (no side taken), "mixed"
    (both sides, about equally) or, for the stance, "only_quoted" (no own words on the topic).
    A quoted voices' status that is missing (no quotes) is "none quoted"."""
    out = []
    discussed = (both["status_a"] == "discussed") & (both["status_b"] == "discussed")
    for measure, column in STATUS_COLUMNS.items():
        if f"{column}_a" not in both or f"{column}_b" not in both:
            continue  # runs from before that column
        missing = "expressed" if measure == "stance" else "none_quoted"
        was = both[f"{column}_a"].fillna(missing).astype(str)
        now = both[f"{column}_b"].fillna(missing).astype(str)
        if measure == "stance":  # no own words on it: "only quoted voices", not "no stance"
            was = was.where(~_no_own_words(both, "a"), ONLY_QUOTED_KIND)
            now = now.where(~_no_own_words(both, "b"), ONLY_QUOTED_KIND)
        moved, co_authors = _once_per_position(
            both[discussed & (was != now)].sort_values(["topic", *_AUTHOR_KEY]),
            [column, *_same_position_columns(measure)],
        )
        out += [
            {
                "topic": row["topic"],
                "author": row["author"],
                "group_kind": row["group_kind"] or None,
                "co_authors": co_authors[i],
                "measure": measure,
                "a": was[i],
                "b": now[i],
            }
            for i, row in moved.iterrows()
        ]
    return sorted(out, key=lambda e: (e["topic"], e["author"], e["group_kind"] or ""))


CHANGE_KINDS = ("sign", "split", "status", "stance_status", "move")


def _no_own_words(both: pd.DataFrame, side: str) -> pd.Series:
    """Rows whose unit has no own-voice passage on the topic in run ``side`` (it speaks on it
    only through the people it quotes; runs without the count: none)."""
    column = f"n_passages_{side}"
    if column not in both:
        return pd.Series(False, index=both.index)
    return pd.to_numeric(both[column], errors="coerce").eq(0)


# A position that moves this far between runs is listed among the moves, though its sign stays
# and its intervals overlap: a review saw +0.13 -> +0.27 under a changed target, and bf16 vs
# fp32 move +0.19 -> +0.23 with one passage fewer, in no list.
MOVE_MIN = 0.10


def _count(row: pd.Series, column: str) -> int | None:
    """A count column of a row, None where the run has none."""
    return None if is_missing(row.get(column)) else int(row[column])


def _merged_changes(
    both: pd.DataFrame,
    signs: list[dict],
    splits: list[dict],
    status: list[dict],
    stance_status: list[dict],
    moves: Sequence[dict] = (),
) -> list[dict[str, Any]]:
    """One entry per author × topic × measure that moved, with the kinds of change (a status
    change moves both measures) and the author's position in each run side by side."""
    rows = both.drop_duplicates(["topic", *_AUTHOR_KEY]).set_index(["topic", *_AUTHOR_KEY])
    found: dict[tuple[str, str, str, str], list[str]] = {}
    co_authors: dict[tuple[str, str, str, str], list[str]] = {}
    kinds = (signs, splits, status, stance_status, moves)
    for kind, entries in zip(CHANGE_KINDS, kinds, strict=True):
        for e in entries:
            where = (e["topic"], e["author"], e["group_kind"] or "")
            measures = [e["measure"]] if kind != "status" else _moved_by_status(rows.loc[where])
            for measure in measures:
                found.setdefault((*where, measure), []).append(kind)
                if e.get("co_authors"):
                    co_authors[(*where, measure)] = e["co_authors"]
    out = []
    for (topic, author, kind, measure), kinds in found.items():
        row = rows.loc[(topic, author, kind)]
        entry: dict[str, Any] = {
            "topic": topic,
            "author": author,
            "group_kind": kind or None,
            # co-authors of the same articles, whose position is this one in both runs
            "co_authors": co_authors.get((topic, author, kind, measure), []),
            "measure": measure,
            "changes": kinds,
        }
        for side in ("a", "b"):
            discussed = row[f"status_{side}"] == "discussed"
            # the passages behind the value: own words, or for the quoted voices the quotes
            n = row.get(f"n_reported_{side}" if measure == "quoted" else f"n_passages_{side}")
            # the articles behind it (own words, or the quotes'; None where a run has no count)
            counted = "n_articles_quoting" if measure == "quoted" else "n_articles_discussing"
            articles = row.get(f"{counted}_{side}")
            column = STATUS_COLUMNS.get(measure)
            stance_status = row.get(f"{column}_{side}") if column else None
            entry[side] = {
                "status": row[f"status_{side}"],
                # how the stance reads where discussed: "expressed", "no_stance" or "mixed"
                "stance_status": None if is_missing(stance_status) else stance_status,
                **{
                    name: (row[f"{column}_{side}"] if discussed else None)
                    for name, column in (
                        ("value", measure),
                        ("low", f"{measure}_low"),
                        ("high", f"{measure}_high"),
                    )
                },
                "n_passages": 0 if is_missing(n) else int(n),
                "n_articles": None if is_missing(articles) else int(articles),
            }
        out.append(entry)
    return out


def _moved_by_status(row: pd.Series) -> list[str]:
    """The measures a change of discussed status moves: stance and tone, and the quoted
    voices' stance where either run has one."""
    quoted = not (is_missing(row.get("quoted_a")) and is_missing(row.get("quoted_b")))
    return [m for m in COMPARED_MEASURES if m != "quoted" or quoted]


def _passage_counts(sa: pd.DataFrame, sb: pd.DataFrame, shared: pd.DataFrame) -> dict[str, int]:
    ka = set(map(tuple, sa[_PAIR_KEY].to_numpy().tolist()))
    kb = set(map(tuple, sb[_PAIR_KEY].to_numpy().tolist()))
    return {
        "shared": int(shared["same_text"].sum()),
        "text_differs": int((~shared["same_text"]).sum()),
        "only_a": len(ka - kb),
        "only_b": len(kb - ka),
    }


def _compare_slice(
    sa: pd.DataFrame,
    sb: pd.DataFrame,
    pa: pd.DataFrame,
    pb: pd.DataFrame,
    shared: pd.DataFrame,
    top_k: int,
    zero_band: float,
    info: tuple[pd.DataFrame, pd.DataFrame],
) -> dict[str, Any]:
    same = shared[shared["same_text"]]
    authors, signs, splits, status, stance_status, moves = _author_changes(pa, pb, zero_band)
    both = pa.merge(pb, on=["topic", *_AUTHOR_KEY], suffixes=("_a", "_b"))
    return {
        "passages": _passage_counts(sa, sb, shared),
        "stance": _agreement(same, "stance"),
        "tone": _agreement(same, "tone"),
        "speaker": _agreement(same, "speaker"),
        "authors": authors,
        "sign_changes": signs,
        "interval_splits": splits,
        "status_changes": status,
        "stance_status_changes": stance_status,
        "author_changes": _merged_changes(both, signs, splits, status, stance_status),
        "moves": moves,
        "disagreements": {task: _disagreements(same, task, top_k, *info) for task in TASKS},
    }


# The [aggregate] settings that move stances, and those that move only their intervals
# (max_evidence moves no number).
STANCE_RULES = ("stance_rule", "include_reported", "min_stance_mass")
INTERVAL_RULES = ("seed", "n_bootstrap", "confidence")


def _differing(x: Mapping[str, Any], y: Mapping[str, Any]) -> str:
    """``key a in run A, b in run B`` for each key whose values differ, joined by "; "."""
    keys = [k for k in dict.fromkeys([*x, *y]) if x.get(k) != y.get(k)]
    return "; ".join(f"{k} {_toml(x.get(k))} in run A, {_toml(y.get(k))} in run B" for k in keys)


def _toml(value: Any) -> str:
    """A setting as the config file writes it (``true``, ``"mean"``, ``0.1``)."""
    if value is None:  # a setting one run's version did not record
        return "not recorded"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, str) else repr(value)


def _vetoed(run: Run, keys: Iterable[str]) -> set[str] | None:
    """Which of ``keys`` had their counter-examples veto alias hits in ``run`` (None: not
    recorded)."""
    recorded = (run.meta.get("topic_matcher") or {}).get("counter_examples")
    if recorded is None:
        return None
    if isinstance(recorded, bool):
        return set(keys) if recorded else set()
    return set(keys) & {str(k) for k in recorded}


_PASSAGES_COUNTED = re.compile(
    r": passages (?:found|scored) (?:by|in) only\s+one run are counted, not compared$"
)


def _shared_topics(a: Run, b: Run) -> list[str]:
    return sorted(set(_ordered_topics([a])) & set(_ordered_topics([b])))


def _rules_warnings(runs: Mapping[str, Run]) -> list[str]:
    """Where runs' positions were made by different rules (``aggregate.POSITION_RULES``): a
    "mixed" in one and "no stance expressed" in the other may be that alone."""
    from analysis.aggregate import position_rules_note

    made = {label: (run.meta or {}).get("position_rules") for label, run in runs.items()}
    if len({m if isinstance(m, int) else 1 for m in made.values()}) < 2:
        return []
    return [
        f"run {label}: {note}, so a change of status between the runs may be the rules'"
        for label, run in runs.items()
        if (note := position_rules_note(run.meta))
    ]


def _finding_warnings(a: Run, b: Run, labels: Mapping[str, str]) -> list[str]:
    """Where the runs found topic passages differently: the relevance stage, the thresholds
    (per topic where both record them). ``labels`` names the topics."""
    warnings = []
    relevance_a, relevance_b = a.info.relevance, b.info.relevance
    if relevance_a and relevance_b and relevance_a != relevance_b:
        warnings.append(
            f"topic passages were found differently ({relevance_a} vs {relevance_b} relevance): "
            "passages found by only one run are counted, not compared"
        )
    threshold_a, threshold_b = a.info.threshold, b.info.threshold
    per_topic = all(isinstance(r.meta.get("relevance_thresholds"), dict) for r in (a, b))
    if (  # where both runs record each topic's threshold, those that differ are named below
        not per_topic
        and threshold_a is not None
        and threshold_b is not None
        and threshold_a != threshold_b
    ):
        warnings.append(
            f"topic thresholds differ ({threshold_a} vs {threshold_b}): passages scored in only "
            "one run are counted, not compared"
        )
    return warnings + _topic_threshold_warnings(a, b, labels)


def _setting_warnings(a: Run, b: Run, shared: list[str], labels: Mapping[str, str]) -> list[str]:
    """What besides the models differs between the runs and moves their positions: a topic's
    definition, the topic gates, the counter-examples' veto (on the ``shared`` topics), the
    aggregation rules. ``labels`` names the topics."""
    warnings = []
    defined_a = {t.get("key"): t for t in a.meta.get("topics") or [] if isinstance(t, Mapping)}
    defined_b = {t.get("key"): t for t in b.meta.get("topics") or [] if isinstance(t, Mapping)}
    for key in [k for k in defined_a if k in defined_b]:
        # a field one run's version did not record reads as empty
        fields = sorted(
            f
            for f in {*defined_a[key], *defined_b[key]}
            if (defined_a[key].get(f) or None) != (defined_b[key].get(f) or None)
        )
        if fields:
            label = defined_b[key].get("label") or key
            # "its target differs", "its examples differ" (a plural field name takes "differ")
            verb = "differs" if len(fields) == 1 and not fields[0].endswith("s") else "differ"
            warnings.append(
                f"topic {label!r} is defined differently: its {' and '.join(fields)} {verb}, so "
                "its passages and positions can change for that reason alone"
            )
    gates_a, gates_b = (a.info.gate, a.info.passage_gate), (b.info.gate, b.info.passage_gate)
    if gates_a != gates_b:
        shown = [
            "none (no topic head)"
            if g[0] is None
            else f"P(on topic) {g[0]} for an article to discuss a topic, {g[1]} for a passage "
            "to count"
            for g in (gates_a, gates_b)
        ]
        warnings.append(
            f"the topic gates differ (run A: {shown[0]}; run B: {shown[1]}): which candidate "
            "passages count differs"
        )
    veto_a, veto_b = _vetoed(a, shared), _vetoed(b, shared)
    if veto_a is not None and veto_b is not None and veto_a != veto_b:
        sides = [
            f"in run {side} only for {', '.join(labels.get(k, k) for k in sorted(keys))}"
            for side, keys in (("A", veto_a - veto_b), ("B", veto_b - veto_a))
            if keys
        ]
        warnings.append(
            f"the topics' counter-examples vetoed alias hits {' and '.join(sides)}: which "
            "passages count for those topics can differ"
        )
    if a.info.aggregation_error is None and b.info.aggregation_error is None:
        rules_a, rules_b = asdict(a.info.aggregation), asdict(b.info.aggregation)

        def only(keys: tuple[str, ...], rules: dict[str, Any]) -> dict[str, Any]:
            return {k: rules.get(k) for k in keys}

        stances = _differing(only(STANCE_RULES, rules_a), only(STANCE_RULES, rules_b))
        if stances:
            warnings.append(
                f"positions were computed by different rules ([aggregate] {stances}): their "
                "stances can differ with the same passage scores"
            )
        intervals = _differing(only(INTERVAL_RULES, rules_a), only(INTERVAL_RULES, rules_b))
        if intervals:
            warnings.append(
                f"intervals were drawn differently ([aggregate] {intervals}): intervals that "
                "stop overlapping may owe it to that"
            )
    for task in MEASURES:  # the same model in another precision moves the third decimal
        precisions = [_precision(run, task) for run in (a, b)]
        same_model = a.info.model_name(task) == b.info.model_name(task)
        if same_model and None not in precisions and precisions[0] != precisions[1]:
            warnings.append(
                f"the {task} model ran in {precisions[0]} in run A and {precisions[1]} in run "
                "B: scores differ in the third decimal, so a passage at a threshold or gate "
                "can count in one run only and small changes may owe to that alone"
            )
    methods = [r.info.interval_method for r in (a, b)]
    if methods[0] != methods[1]:
        warnings.append(
            f"intervals were made differently (run A: {methods[0]}; run B: {methods[1]}): "
            "positions on few passages or articles have much wider intervals with the widening, "
            "so intervals that start or stop overlapping may owe it to that"
        )
    return warnings


def _precision(run: Run, task: str) -> str | None:
    """The precision ``task``'s model ran in (``run.json``'s models), or None unrecorded."""
    models = run.meta.get("models")
    entry = models.get(task) if isinstance(models, Mapping) else None
    value = entry.get("precision") if isinstance(entry, Mapping) else None
    return str(value) if value else None


def _topic_threshold_warnings(a: Run, b: Run, labels: Mapping[str, str]) -> list[str]:
    """Per shared topic: relevance thresholds that differ (a topic of the user's can keep its
    threshold where the built-in ones' changed), and, between two runs with a topic head, a
    topic the head judged in one run only. Runs from before these were recorded say nothing
    (of their thresholds, the one for all topics is compared instead)."""
    cuts_a, cuts_b = a.meta.get("relevance_thresholds"), b.meta.get("relevance_thresholds")
    out = []
    if isinstance(cuts_a, dict) and isinstance(cuts_b, dict):
        differ = [
            f"{labels.get(key, key)} ({cuts_a[key]:.2f} vs {cuts_b[key]:.2f})"
            for key in cuts_a
            if key in cuts_b and cuts_a[key] != cuts_b[key]
        ]
        if differ:
            out.append(
                f"relevance thresholds differ for {', '.join(differ)}: passages scored in only "
                "one run are counted, not compared"
            )
    untrained_a = a.meta.get("topic_head_untrained")
    untrained_b = b.meta.get("topic_head_untrained")
    both_gated = "topic_gate" in a.info.models and "topic_gate" in b.info.models
    if both_gated and isinstance(untrained_a, list) and isinstance(untrained_b, list):
        shared = set(_ordered_topics([a])) & set(_ordered_topics([b]))
        judged_once = sorted((set(untrained_a) ^ set(untrained_b)) & shared)
        if judged_once:
            out.append(
                f"the topic head judged {', '.join(labels.get(k, k) for k in judged_once)} in "
                "one run only (the other "
                "run's head was not trained on its target): their topic passages differ"
            )
    return out


def compare_runs(
    a: Run,
    b: Run,
    top_k: int = 10,
    *,
    zero_band: float = DEFAULT_ZERO_BAND,
    level: str = "author",
) -> dict[str, Any]:
    """Compare run ``a`` with run ``b`` per topic and overall; see the module docstring.
    ``level`` "outlet": the position changes are the outlets', each over every article it
    published (:mod:`analysis.outlets`), instead of the authors' (an outlet's row there holds
    only its unsigned pieces).

    Returns a JSON-ready dict with keys ``a``, ``b`` (run id, name, models, corpus hash),
    ``same_corpus`` (bool, or None when a hash is missing), ``warnings``, ``zero_band``,
    ``top_k``, ``topics`` (topic key -> that topic's comparison, in topic order) and
    ``overall`` (the same measures pooled over topics; its lists are the concatenation of the
    topics' lists, its disagreements the top ``top_k`` across topics).
    """
    _check_run(a, "a")
    _check_run(b, "b")
    if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 0:
        raise ValueError(f"expected top_k to be an integer >= 0, got {top_k!r}")
    _check_zero_band(zero_band)
    if level not in ("author", "outlet"):
        raise ValueError(f"expected level 'author' or 'outlet', got {level!r}")

    hash_a, hash_b = a.meta.get("corpus_hash"), b.meta.get("corpus_hash")
    same_corpus = None if not hash_a or not hash_b else hash_a == hash_b
    labels = _labels_for([a, b])
    warnings = []
    if same_corpus is False:
        warnings.append(
            f"the runs analysed different corpora ({str(hash_a)[:12]} vs {str(hash_b)[:12]}): "
            "the passage agreement covers only the passages they share, but an author's "
            "position in each run rests on that run's articles, so the author changes include "
            "what the other articles change (an author discussed in one run only among them), "
            "not only the models or settings"
        )
    elif same_corpus is None:
        warnings.append("a run records no corpus hash: cannot tell whether the corpora match")
    warnings += _model_warnings({"A": a, "B": b})
    warnings += _tone_caveats({"A": a, "B": b})
    if level == "author":
        warnings += _units_notes([a, b], ["A", "B"], "author changes")
    finding = _finding_warnings(a, b, labels)
    warnings += finding
    warnings += _rules_warnings({"A": a, "B": b})
    for name, run in (("A", a), ("B", b)):
        counts = run.meta.get("counts") or {}
        failed = int(counts.get("failed_pairs") or 0)
        if failed:
            warnings.append(
                f"run {name}: {failed} of {counts.get('scored_pairs', '?')} passage-topic pairs "
                "have no prediction (answers that did not parse), left out of the comparison"
            )

    topics_a = set(_ordered_topics([a]))
    topics_b = set(_ordered_topics([b]))
    settings = _setting_warnings(a, b, sorted(topics_a & topics_b), labels)
    warnings += settings

    sa, sb = _scores(a), _scores(b)
    pa, pb = (_authors(a), _authors(b)) if level == "author" else (_outlets(a), _outlets(b))
    shared = _shared_pairs(sa, sb, a, b)
    info = (_passage_info(a, sa), _passage_info(b, sb))

    topics: dict[str, Any] = {}
    for key in _ordered_topics([a, b]):
        section = _compare_slice(
            sa[sa["topic"] == key],
            sb[sb["topic"] == key],
            pa[pa["topic"] == key],
            pb[pb["topic"] == key],
            shared[shared["topic"] == key],
            top_k,
            zero_band,
            info,
        )
        topics[key] = {
            "label": labels.get(key, key),
            "in_a": key in topics_a,
            "in_b": key in topics_b,
            **section,
        }
        if key in topics_a and key not in topics_b:
            warnings.append(f"topic {labels.get(key, key)!r} is only in run A")
        elif key in topics_b and key not in topics_a:
            warnings.append(f"topic {labels.get(key, key)!r} is only in run B")
    overall = _compare_slice(sa, sb, pa, pb, shared, top_k, zero_band, info)
    overall["authors"]["spearman"] = _mean_of_topics([s["authors"] for s in topics.values()])
    _no_rho_for_noise(
        [*topics.values(), overall], flat_model_tasks(a.meta) | flat_model_tasks(b.meta)
    )
    if same_corpus is False and not overall["passages"]["shared"]:
        # said instead of "covers only the passages they share" (the first warning): none
        warnings[0] = (
            "the runs analysed different corpora and share no passage: there is no passage "
            "agreement to measure, and an author's change between them is a change of "
            "articles, not of models or settings; to compare models, compare two runs of "
            "the same articles"
        )
    # pairs in one run only are the code's doing only where nothing said above explains them:
    # not on a topic of one run, nor where the runs found or counted passages otherwise
    both = [s["passages"] for s in topics.values() if s["in_a"] and s["in_b"]]
    in_both = {k: sum(p[k] for p in both) for k in ("text_differs", "only_a", "only_b")}
    warnings += _code_warning(a, b, in_both, same_corpus and not (finding or settings))
    headers = {"a": _run_header(a), "b": _run_header(b)}
    if _models_differ([a, b], "stance"):  # which of the two stance readings to trust, and how far
        for side, run in (("a", a), ("b", b)):
            headers[side]["stance_trust"] = stance_trust_line(run)
    report = {
        **headers,
        "same_corpus": same_corpus,
        "warnings": warnings,
        "zero_band": zero_band,
        "top_k": top_k,
        "level": level,
        "topics": topics,
        "overall": overall,
    }
    return json_ready(report)


# --------------------------------------------------------------------------- robustness


def _check_runs(runs: Sequence[Run], labels: Sequence[str] | None) -> list[str]:
    if isinstance(runs, Run) or not isinstance(runs, Sequence):
        raise ValueError(f"expected a sequence of runs, got {type(runs).__name__}")
    if len(runs) < 2:
        raise ValueError(f"expected at least 2 runs, got {len(runs)}")
    for i, run in enumerate(runs):
        _check_run(run, f"runs[{i}]")
    if labels is None:
        labels = [run.run_id for run in runs]
        if len(set(labels)) < len(labels):
            raise ValueError(
                "expected distinct runs, got a run id twice: pass labels to tell apart"
            )
    else:
        labels = [str(x) for x in labels]
        if len(labels) != len(runs):
            raise ValueError(f"expected {len(runs)} labels, got {len(labels)}")
        if len(set(labels)) < len(labels):
            raise ValueError(f"expected distinct labels, got {labels}")
    return list(labels)


# What makes two units' positions the same: co-authors of the same articles have these equal,
# the evidence (passage ids, which name their article) among them
SAME_POSITION = ("{m}", "{m}_low", "{m}_high", "n_passages", "n_articles", "evidence")


def _same_position_columns(measure: str) -> list[str]:
    return [c.format(m=measure) for c in SAME_POSITION]


def _position_key(values: Any) -> str:
    """The values that make a unit's position, as one comparable key (lists included)."""
    return repr(list(values) if not isinstance(values, list) else values)


def _once_each(
    discussed: list[pd.DataFrame], common: list[tuple], measure: str
) -> tuple[list[tuple], list[dict[str, Any]]]:
    """``common`` with each unit whose position is the same as an earlier one's in every run
    (value, interval, passages, articles: co-authors of the same articles) left out, and those
    left out with whom they share it: a pair of them is no comparison (always a tie), and their
    pairs with others would count every comparison once per co-author (a review counted two
    flips of one article)."""
    columns = _same_position_columns(measure)
    first: dict[str, tuple] = {}
    kept: list[tuple] = []
    same: list[dict[str, Any]] = []
    for key in common:
        position = _position_key(
            [[d.loc[key, c] if c in d.columns else None for c in columns] for d in discussed]
        )
        if position in first:
            same.append(
                {"author": key[0], "group_kind": key[1] or None, "same_as": first[position][0]}
            )
        else:
            first[position] = key
            kept.append(key)
    return kept, same


def _topic_robustness(
    tables: list[pd.DataFrame],
    labels: list[str],
    measure: str,
    zero_band: float,
    max_pairs: int,
) -> dict[str, Any]:
    """Pairwise orders and per-author signs for one topic (tables already filtered to it)."""
    discussed = [t[_discussed(t, measure)].set_index(_AUTHOR_KEY) for t in tables]
    everyone = sorted(set().union(*(set(d.index) for d in discussed)))
    in_all = [k for k in everyone if all(k in d.index for d in discussed)]
    common, same_as = _once_each(discussed, in_all, measure)
    not_in_all = [
        {
            "author": k[0],
            "group_kind": k[1] or None,
            "discussed_in": [lab for lab, d in zip(labels, discussed, strict=True) if k in d.index],
        }
        for k in everyone
        if k not in in_all
    ]
    n = len(common)

    def column(name: str) -> np.ndarray:  # runs x authors
        if n == 0:
            return np.zeros((len(discussed), 0))
        return np.array([d.loc[common, name].to_numpy(float) for d in discussed])

    values, lows, highs = column(measure), column(f"{measure}_low"), column(f"{measure}_high")

    i, j = np.triu_indices(n, 1)
    shown = np.round(values, ORDER_DECIMALS) + 0.0  # as printed (+ 0.0: no -0.0)
    diff = shown[:, i] - shown[:, j]  # runs x pairs
    order = np.where(diff > _TIE, 1, np.where(diff < -_TIE, -1, 0))
    known = np.isfinite(lows[:, i] + highs[:, i] + lows[:, j] + highs[:, j])
    above = known & (lows[:, i] > highs[:, j])
    below = known & (highs[:, i] < lows[:, j])
    has_gt, has_lt = (order > 0).any(axis=0), (order < 0).any(axis=0)
    flip = has_gt & has_lt
    stable = (order > 0).all(axis=0) | (order < 0).all(axis=0)
    strong = flip & above.any(axis=0) & below.any(axis=0)
    separated = stable & (above.all(axis=0) | below.all(axis=0))
    verdict = np.where(flip, "flip", np.where(stable, "stable", "tie"))

    # Flips first (strong ones first, widest swing first), then ties, then stable pairs.
    spread = diff.max(axis=0) - diff.min(axis=0) if len(i) else np.zeros(0)
    rank = np.where(flip, 0, np.where(stable, 2, 1))
    chosen = np.lexsort((j, i, -spread, ~strong, rank))[:max_pairs] if len(i) else np.array([])
    symbol = {1: ">", -1: "<", 0: "="}
    pair_list = []
    for p in chosen:
        a_key, b_key = common[i[p]], common[j[p]]
        pair_list.append(
            {
                "author_a": a_key[0],
                "group_kind_a": a_key[1] or None,
                "author_b": b_key[0],
                "group_kind_b": b_key[1] or None,
                "verdict": str(verdict[p]),
                "strong": bool(strong[p]),
                "separated": bool(separated[p]),
                "orders": [symbol[int(o)] for o in order[:, p]],
                "intervals_disjoint": [
                    bool(above[r, p] or below[r, p]) if known[r, p] else None
                    for r in range(len(labels))
                ],
                "a": values[:, i[p]].tolist(),
                "b": values[:, j[p]].tolist(),
            }
        )

    signs = []
    for col, key in enumerate(common):
        marks = [sign_of(v, zero_band) for v in values[:, col]]
        kinds = set(marks)
        sign_verdict = (
            "stable" if len(kinds) == 1 else "flips" if {"+", "-"} <= kinds else "unsettled"
        )
        signs.append(
            {
                "author": key[0],
                "group_kind": key[1] or None,
                "signs": marks,
                "values": values[:, col].tolist(),
                "verdict": sign_verdict,
            }
        )

    correlations = [
        {"a": labels[r], "b": labels[s], "rho": shown_spearman(values[r], values[s])}
        for r, s in combinations(range(len(labels)), 2)
    ]
    return {
        "authors": [k[0] for k in common],
        "same_as": same_as,
        "authors_not_in_all": not_in_all,
        "pairs": {
            "n": len(i),
            "stable": int(stable.sum()),
            "flip": int(flip.sum()),
            "tie": int((verdict == "tie").sum()),
            "strong_flip": int(strong.sum()),
            "stable_separated": int(separated.sum()),
            # ordered by points alone in some run: an author there rests on one passage
            "stable_without_interval": int((stable & ~known.all(axis=0)).sum()),
        },
        "pair_list": pair_list,
        "pair_list_truncated": len(i) > len(pair_list),
        "signs": signs,
        "sign_counts": {
            v: sum(s["verdict"] == v for s in signs) for v in ("stable", "flips", "unsettled")
        },
        "spearman": correlations,
    }


def _same_model(runs: Sequence[Run], task: str) -> str | None:
    """The name of the model every run used for ``task``, where all recorded the same one (its
    whole recorded identity: name, weights, NLI templates, a chat model's prompts, options;
    not the folder it was read from); None where they differ or one recorded none."""
    seen: dict[str, str] = {}
    for run in runs:
        model = run.meta.get("models", {}).get(task) if isinstance(run.meta, dict) else None
        if not isinstance(model, dict) or not model.get("name"):
            return None
        identity = {k: v for k, v in model.items() if k != "path"}
        seen[json.dumps(identity, sort_keys=True, default=str)] = str(model["name"])
    return next(iter(seen.values())) if len(seen) == 1 else None


def _code_warning(
    a: Run, b: Run, passages: Mapping[str, int], same_corpus: bool | None
) -> list[str]:
    """Where passages are read differently (a passage id with other text; of the same corpus,
    a passage in one run only) and the runs were made by different code: that may be why
    (text cleaning and passage cutting change between versions)."""
    commits = [(r.meta.get("versions") or {}).get("viewpoints_commit") for r in (a, b)]
    moved = passages["text_differs"]
    if same_corpus is True:
        moved += passages["only_a"] + passages["only_b"]
    if not all(commits) or commits[0] == commits[1] or not moved:
        return []
    return [
        f"the runs were made by different code (commit {_commit_words(commits[0])} vs "
        f"{_commit_words(commits[1])}): text cleaning and passage cutting can change between "
        f"versions, which may be why {moved:,} passage-topic pair(s) are in one run only or "
        "read differently"
    ]


def _commit_words(commit: object) -> str:
    """A recorded commit, short: ``842367b753d0``, or ``842367b753d0 with uncommitted changes``
    for one recorded as ``<sha>+changes`` (two runs of one commit can differ by those)."""
    sha, _, extra = str(commit).partition("+")
    return sha[:12] + (f" with uncommitted {extra}" if extra else "")


def _units_notes(runs: Sequence[Run], names: Sequence[str], what: str) -> list[str]:
    """A note on the runs (named ``names``) whose stored author units today's byline rules
    name otherwise (:func:`analysis.bylines.units_named_otherwise`), runs alike in one note;
    ``what`` the report compares between those units."""
    from analysis.bylines import units_named_otherwise

    alike: dict[tuple[int, int], list[str]] = {}
    for name, run in zip(names, runs, strict=True):
        stored, otherwise = units_named_otherwise(run)
        if otherwise:
            alike.setdefault((stored, otherwise), []).append(name)
    notes = []
    for (stored, otherwise), named in alike.items():
        several = len(named) > 1
        notes.append(
            f"run{'s' if several else ''} {' and '.join(named)}: the stored author positions "
            f"hold {stored:,} units, {otherwise:,} of them named otherwise today (made with the "
            f"byline rules of {'their' if several else 'its'} day; analyze the articles again "
            f"to have both agree, docs/bylines.md); the {what} are between the units each run "
            "stored"
        )
    return notes


def position_changes(a: Run, b: Run, zero_band: float = DEFAULT_ZERO_BAND) -> list[dict[str, Any]]:
    """The author changes of :func:`compare_runs` alone (no passage agreement), each with
    ``regrouped``: whether the author's articles differ in number between the runs (a byline
    rule regrouped them) rather than only the scores behind them."""
    pa, pb = _authors(a), _authors(b)
    _, signs, splits, status, stance_status, moves = _author_changes(pa, pb, zero_band)
    both = pa.merge(pb, on=["topic", *_AUTHOR_KEY], suffixes=("_a", "_b"))
    changes = _merged_changes(both, signs, splits, status, stance_status, moves)
    counts = both.drop_duplicates(["topic", *_AUTHOR_KEY]).set_index(["topic", *_AUTHOR_KEY])
    for e in changes:
        row = counts.loc[(e["topic"], e["author"], e["group_kind"] or "")]
        before, after = row.get("n_articles_a"), row.get("n_articles_b")
        # a run without article counts (an older format) says nothing of regrouping
        e["regrouped"] = bool(not (is_missing(before) or is_missing(after)) and before != after)
    return changes


def moved_positions(source: Run, new: Run) -> tuple[list[dict[str, Any]], int]:
    """What a recompute moved: the author changes of :func:`position_changes` from ``source``
    to ``new`` that are not regroupings, sign and interval changes first, then the largest;
    and how many changes came from authors regrouped (a run made under older byline rules,
    recomputed under today's)."""
    changes = position_changes(source, new)
    moved = [e for e in changes if not e["regrouped"]]

    def rank(e: dict[str, Any]) -> tuple[int, float]:
        a, b = e["a"].get("value"), e["b"].get("value")
        size = 0.0 if is_missing(a) or is_missing(b) else abs(float(b) - float(a))
        return (0 if {"sign", "split"} & set(e["changes"]) else 1, -size)

    return sorted(moved, key=rank), len(changes) - len(moved)


def _tone_caveats(runs: Mapping[str, Run]) -> list[str]:
    """What to keep in mind reading the tone of the runs named (label -> run) whose tone model
    needs it (:data:`analysis.news_accuracy.TONE_CAVEATS`), once per caveat."""
    from analysis.news_accuracy import tone_caveat

    said: dict[str, list[str]] = {}
    for label, run in runs.items():
        caveat = tone_caveat(run.meta.get("models") if isinstance(run.meta, dict) else None)
        if caveat:
            said.setdefault(caveat, []).append(label)
    return [
        f"run{'s' if len(labels) > 1 else ''} {' and '.join(labels)}: {caveat}"
        for caveat, labels in said.items()
    ]


def shown_spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho of two runs' values read as the tables show them (:data:`SHOWN_DIGITS`
    decimals): a difference no table shows is a tie, so a model that gives every author about
    the same score (an untrained one: -0.005129 to -0.005137) has no rho rather than one
    ranked from noise."""
    return spearman(
        np.round(np.asarray(x, dtype=float), SHOWN_DIGITS),
        np.round(np.asarray(y, dtype=float), SHOWN_DIGITS),
    )


def _mean_of_topics(sections: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """All topics' rank correlations: the mean of the topics' rho (those defined), with the
    units those rest on summed (a unit counts once per topic). Not one rho over every (author,
    topic) cell: that mostly measures how far apart the topics' averages lie (a review read
    +0.41 over topics of +0.16, -0.05 and -0.10)."""
    out: dict[str, Any] = {}
    for measure in COMPARED_MEASURES:
        rhos = [s["spearman"].get(measure) for s in sections]
        defined = [float(r) for r in rhos if r is not None]
        out[measure] = round(float(np.mean(defined)), SHOWN_DIGITS) if defined else None
        out[f"n_{measure}"] = sum(
            int(s["spearman"].get(f"n_{measure}") or 0)
            for s in sections
            if s["spearman"].get(measure) is not None
        )
        out[f"topics_{measure}"] = len(defined)
    return out


def _no_rho_for_noise(sections: Iterable[dict[str, Any]], flat: set[str]) -> None:
    """No rank correlation for a measure whose model gave every passage the same answer in
    either run (``flat``: tasks, :func:`analysis.run_info.flat_model_tasks`): its values differ
    by noise, which can still round apart (the quoted voices are read by the stance model)."""
    measures = {"stance": ("stance", "quoted"), "tone": ("tone",)}
    for section in sections:
        correlation = section["authors"]["spearman"]
        for task in flat:
            for measure in measures[task]:
                correlation[measure] = None


def _model_warnings(runs: Mapping[str, Run]) -> list[str]:
    """The runs' own warnings about their models (label -> run; ``run.json``
    ``model_warnings``: a model that gives every passage the same answer), which make that
    measure of the comparison noise: repeated wherever the run is compared."""
    return [
        f"run {label}: {warning}"
        for label, run in runs.items()
        for warning in (run.meta.get("model_warnings") or [] if isinstance(run.meta, dict) else [])
    ]


def _models_differ(runs: Sequence[Run], task: str) -> bool:
    """Whether every run recorded its ``task`` model and they are not all the same one."""
    recorded = [
        run.meta.get("models", {}).get(task) if isinstance(run.meta, dict) else None for run in runs
    ]
    if not all(isinstance(m, dict) and m.get("name") for m in recorded):
        return False
    return _same_model(runs, task) is None


def robustness(
    runs: Sequence[Run],
    labels: Sequence[str] | None = None,
    *,
    measure: str = "stance",
    zero_band: float = DEFAULT_ZERO_BAND,
    max_pairs: int = 200,
) -> dict[str, Any]:
    """Which author orderings and signs hold across ``runs``; see the module docstring.

    ``labels`` name the runs in the report (run ids by default). ``measure`` is ``"stance"``
    or ``"tone"``. Every pair is counted; ``pair_list`` holds at most ``max_pairs`` pairs per
    topic, flips first, so a corpus with thousands of authors stays readable
    (``pair_list_truncated`` says when pairs were left out of the list).

    Returns a JSON-ready dict: ``runs`` (label, run id, models, corpus hash), ``measure``,
    ``zero_band``, ``warnings``, ``topics`` (key -> label, authors, pair counts and list, signs,
    Spearman between every two runs) and ``overall`` (pair and sign counts summed over topics).
    """
    names = _check_runs(runs, labels)
    if measure not in MEASURES:
        raise ValueError(f"expected measure in {MEASURES}, got {measure!r}")
    _check_zero_band(zero_band)
    if not isinstance(max_pairs, int) or isinstance(max_pairs, bool) or max_pairs < 0:
        raise ValueError(f"expected max_pairs to be an integer >= 0, got {max_pairs!r}")

    hashes = {run.meta.get("corpus_hash") for run in runs}
    warnings = []
    if None in hashes:
        warnings.append("a run records no corpus hash: cannot tell whether the corpora match")
    elif len(hashes) > 1:
        warnings.append(
            "the runs analysed different corpora: only authors discussed in every run are compared"
        )
    methods = {run.info.interval_method for run in runs}
    if len(methods) > 1:
        by_method = {
            m: ", ".join(
                lab for run, lab in zip(runs, names, strict=True) if run.info.interval_method == m
            )
            for m in sorted(methods)
        }
        warnings.append(
            "the runs' intervals were made differently ("
            + "; ".join(f"{m}: {labs}" for m, labs in by_method.items())
            + "): strong flips and separated stable pairs, which read the intervals, may owe "
            "their counts to that"
        )
    warnings += _model_warnings(dict(zip(names, runs, strict=True)))
    same = _same_model(runs, measure)
    if same is not None:
        warnings.append(
            f"every run reads {measure} with the same model ({same}): a stable pair says the "
            "runs' other differences (topics, thresholds, corrections) leave its order alone, "
            "not that another model would agree"
        )
    if measure == "tone":
        warnings += _tone_caveats(dict(zip(names, runs, strict=True)))
    warnings += _units_notes(runs, names, "author comparisons")
    # what else differs from the first run: a pair stable across runs that differ in more
    # than the model says less about the model (a review read "stable across models" there)
    topic_names = _labels_for(runs)
    for name, run in zip(names[1:], runs[1:], strict=True):
        differ = _finding_warnings(runs[0], run, topic_names) + _setting_warnings(
            runs[0], run, _shared_topics(runs[0], run), topic_names
        )
        warnings += [
            # compare's passage agreement is not part of this report: what it means here
            f"{names[0]} (run A) and {name} (run B): "
            + _PASSAGES_COUNTED.sub(": their positions rest on passages found differently", w)
            for w in differ
            if not w.startswith("intervals were made differently")  # said above, for all runs
        ]
    if measure == "stance":
        from analysis.news_accuracy import accuracy_for_run

        unmeasured = [
            lab
            for lab, run in zip(names, runs, strict=True)
            if accuracy_for_run(run.meta.get("models")) is None
        ]
        if unmeasured:
            models = "model of" if len(unmeasured) == 1 else "models of"
            was = "was" if len(unmeasured) == 1 else "were"
            warnings.append(
                f"the stance {models} {', '.join(unmeasured)} {was} not measured on labelled "
                "news: a pair stable across runs says they agree, not that either reads "
                "authors right"
            )
    for other in MEASURES:
        if other != measure and _models_differ(runs, other):
            warnings.append(
                f"the runs read {other} with different models, which this report does not "
                f"compare: it reads {measure} (viewpoints robustness --measure {other})"
            )
    tables = [_authors(run) for run in runs]
    topic_sets = [set(t["topic"]) for t in tables]
    topic_label = _labels_for(runs)
    topics: dict[str, Any] = {}
    for key in _ordered_topics(runs):
        missing = [lab for lab, ts in zip(names, topic_sets, strict=True) if key not in ts]
        if missing:
            warnings.append(f"topic {key!r} has no positions in {', '.join(missing)}: skipped")
            continue
        section = _topic_robustness(
            [t[t["topic"] == key] for t in tables], names, measure, zero_band, max_pairs
        )
        topics[key] = {"label": topic_label.get(key, key), **section}
    if any(measure in flat_model_tasks(run.meta) for run in runs):  # a rank of noise: none
        for section in topics.values():
            for pair in section["spearman"]:
                pair["rho"] = None

    overall_pairs = {
        k: sum(t["pairs"][k] for t in topics.values())
        for k in (
            "n",
            "stable",
            "flip",
            "tie",
            "strong_flip",
            "stable_separated",
            "stable_without_interval",
        )
    }
    overall_signs = {
        k: sum(t["sign_counts"][k] for t in topics.values())
        for k in ("stable", "flips", "unsettled")
    }
    report = {
        "runs": [_run_header(run, lab) for run, lab in zip(runs, names, strict=True)],
        "measure": measure,
        "zero_band": zero_band,
        "warnings": warnings,
        "topics": topics,
        "overall": {"pairs": overall_pairs, "sign_counts": overall_signs},
    }
    return json_ready(report)
