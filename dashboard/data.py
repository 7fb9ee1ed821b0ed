"""Reading runs for the dashboard: where runs live, and cached tables.

Tables are read straight from the run folder's Parquet files (names and columns from
:mod:`analysis.runs`), only the columns a view needs. Two kinds of cache:

- ``st.cache_data(max_entries=...)`` for the light tables (article metadata, positions without
  their evidence lists, scores): a few MB, copied per call so pages may filter them freely;
- ``st.cache_resource(max_entries=...)`` for the heavy, text-bearing tables (article texts,
  passages, evidence lists): tens of MB on a 6k-article corpus, where a per-call copy would cost
  a few hundred ms. They are shared between sessions and only ever read, never modified.

Every cached function is keyed by the run folder and the modification time of its ``run.json``.
"""

from __future__ import annotations

import argparse
import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import streamlit as st

from analysis.compare import compare_runs, load_for_comparison
from analysis.runs import (
    GATED_OUT_COLUMNS,
    GATED_OUT_TABLE,
    NEWER_COLUMNS,
    TABLE_COLUMNS,
    Run,
    list_runs,
    load_run,
    run_problems,
)
from dashboard import views

ENV_RUNS_DIR = "VIEWPOINTS_RUNS_DIR"
DEFAULT_RUNS_DIR = "runs"
MAX_RUNS_CACHED = 4  # light tables of this many runs stay in memory
MAX_HEAVY_CACHED = 2  # text tables of this many runs stay in memory
MAX_FULL_RUNS_CACHED = 3  # whole runs (shifts, evaluation), and runs as compared, kept in memory
MAX_COMPARISONS_CACHED = 4
COMPARISON_TOP_K = 10  # disagreeing passages the Runs page lists per topic (and overall)

ARTICLE_META_COLUMNS = (
    "article_id",
    "title",
    "author",
    "outlet",
    "date",
    "url",
    "group",
    "group_kind",
    "n_passages",
    "duplicate_of",
)


def runs_dir_from(argv: Sequence[str], environ: Mapping[str, str]) -> Path:
    """The runs folder: ``--runs-dir DIR`` in ``argv``, else ``$VIEWPOINTS_RUNS_DIR``, else
    ``runs``.

    ``argv`` is what follows ``--`` in ``streamlit run dashboard/streamlit_app.py -- --runs-dir
    DIR``; other arguments are ignored (under pytest, ``sys.argv`` is pytest's own).
    """
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--runs-dir", default=None)
    known, _ = parser.parse_known_args(list(argv))
    value = known.runs_dir or environ.get(ENV_RUNS_DIR) or DEFAULT_RUNS_DIR
    return Path(value).expanduser()


def available_runs(runs_dir: Path) -> list[dict[str, Any]]:
    """Metadata of the runs in ``runs_dir`` that can be opened, newest first (see
    :func:`runs_in`)."""
    return runs_in(runs_dir)[0]


def runs_in(runs_dir: Path) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The runs in ``runs_dir`` that can be opened (metadata, newest first), and (run id, why)
    of those left out: a run folder copied in part, with a damaged table or an unreadable
    run.json, so that no page opens on it. Not cached: a new run should appear without
    restarting the dashboard."""
    left_out: list[tuple[str, str]] = []  # folders whose run.json cannot be read, then the rest
    listed = list_runs(runs_dir, lambda folder, why: left_out.append((folder.name, why)))
    whole = []
    for meta in listed:
        problem = _problems_of(meta)
        if problem is None:
            whole.append(meta)
        else:
            left_out.append((_run_and_folder(meta), problem))
    return whole, left_out


def _run_and_folder(meta: dict[str, Any]) -> str:
    """A run's id, and its folder where that is named otherwise (a copy), so that two copies
    of one run left out are told apart."""
    folder = Path(str(meta["path"])).name
    run_id = str(meta.get("run_id", folder))
    return run_id if run_id == folder else f"{run_id} (folder {folder})"


def _problems_of(meta: Mapping[str, Any]) -> str | None:
    folder = Path(str(meta.get("path", "")))
    signature = tuple(
        (f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in sorted(folder.glob("*"))
    )
    return _folder_problems(str(folder), signature)


@st.cache_data(max_entries=256, show_spinner=False)
def _folder_problems(folder: str, signature: tuple) -> str | None:
    """:func:`analysis.runs.run_problems`, read again only when the folder's files change
    (``signature``: their names, sizes and times), as every page's rerun asks."""
    return run_problems(Path(folder))


def first_run_id(runs: Sequence[Mapping[str, Any]]) -> str | None:
    """The run the dashboard opens on without a link naming one (``runs`` newest first, as
    :func:`available_runs` lists them): the newest made with the default models, so that a
    baseline run made last (VADER tone) is not read as the defaults' numbers; else the
    newest; None without runs."""
    from analysis.run_info import run_info

    ids = [(str(m["run_id"]), m) for m in runs if "run_id" in m]
    default = (rid for rid, meta in ids if not run_info(meta, None).other_models())
    return next(default, ids[0][0] if ids else None)


def default_run_b(by_id: Mapping[str, Mapping[str, Any]], a_id: str) -> str | None:
    """The run B the Runs page offers first: the newest other run of the same articles as run
    A (same corpus hash), else the newest other run (``by_id`` newest first)."""
    others = [r for r in by_id if r != a_id]
    corpus = by_id.get(a_id, {}).get("corpus_hash")
    same = [r for r in others if corpus and by_id[r].get("corpus_hash") == corpus]
    return (same or others or [None])[0]


def run_stamp(run_path: str | Path) -> float:
    """Cache key part that changes when a run folder is replaced."""
    try:
        return (Path(run_path) / "run.json").stat().st_mtime
    except OSError:
        return 0.0


def as_id_list(value: Any) -> list[str]:
    """An evidence cell (list, array, JSON text or comma-separated text) -> a list of ids."""
    if value is None:
        return []
    if isinstance(value, np.ndarray | list | tuple):
        return [str(v) for v in value if v is not None]
    if isinstance(value, float) and np.isnan(value):
        return []
    text = str(value).strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            return [str(v) for v in json.loads(text)]
        except json.JSONDecodeError:
            pass
    return [part.strip() for part in text.split(",") if part.strip()]


def _read(run_path: str, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One table of a run, restricted to ``columns`` that exist in the file.

    Read with pyarrow, ignoring the pandas metadata stored in the file: under pandas 3 a column
    written as ``list<string>[pyarrow]`` (the evidence lists) does not read back through
    ``pd.read_parquet`` ("data type not understood"); read this way it arrives as arrays.
    """
    path = Path(run_path) / f"{name}.parquet"
    if columns is not None:
        present = set(pq.read_schema(path).names)
        columns = [c for c in columns if c in present]
    return pq.read_table(path, columns=columns).to_pandas(ignore_metadata=True)


@st.cache_data(max_entries=MAX_RUNS_CACHED, show_spinner=False)
def run_config(run_path: str, stamp: float) -> dict[str, Any]:
    """The run's resolved config (``config.toml``); empty when absent or unreadable."""
    try:
        return tomllib.loads((Path(run_path) / "config.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


@st.cache_data(max_entries=MAX_RUNS_CACHED, show_spinner=False)
def article_meta(run_path: str, stamp: float) -> pd.DataFrame:
    """Articles without their text, plus ``day`` (the date parsed; NaT when unknown) and
    ``groups`` (the author groups an article counts toward: each author of its byline, as
    :func:`analysis.bylines.article_authors` reads it for the run's positions)."""
    from analysis.bylines import article_authors
    from analysis.periods import article_days
    from analysis.run_info import run_info

    df = _read(run_path, "articles", ARTICLE_META_COLUMNS)
    df["day"] = article_days(df["date"])  # as a date range reads them (analysis.periods)
    try:
        meta = json.loads((Path(run_path) / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {}
    df["groups"] = article_authors(df, run_info(meta, None).known_rosters)
    return df.reset_index(drop=True)


# A date range the Overview narrows to: (first day, last day, undated included), ISO days; None
# for all of a run's articles. A tuple, so that the caches key on it.
PeriodKey = tuple[str, str, bool] | None


def positions(run_path: str, stamp: float, level: str, period: PeriodKey = None) -> pd.DataFrame:
    """Positions at ``level`` ("author", "outlet" or "article") without the evidence lists;
    the outlets' are computed from the run's tables (:mod:`analysis.outlets`), and so are the
    authors' and outlets' over a ``period`` (:mod:`analysis.periods`)."""
    if period is not None and level != "article":
        table = period_positions(run_path, stamp, level, period)
        return table.drop(columns=["evidence", "quoted_evidence"])
    return _positions(run_path, stamp, level)


@st.cache_data(max_entries=MAX_RUNS_CACHED * 3, show_spinner=False)  # a run's three levels
def _positions(run_path: str, stamp: float, level: str) -> pd.DataFrame:
    """:func:`positions` over all of a run's articles (cached under one key however called)."""
    if level == "outlet":
        return outlet_positions(run_path, stamp).drop(columns=["evidence", "quoted_evidence"])
    columns = [
        c
        for c in (*TABLE_COLUMNS["positions"], *NEWER_COLUMNS["positions"])
        if c not in ("evidence", "quoted_evidence")
    ]
    df = _read(run_path, "positions", columns)
    return df[df["level"] == level].reset_index(drop=True)


@st.cache_data(max_entries=MAX_RUNS_CACHED, show_spinner="Gathering each outlet's articles…")
def outlet_positions(run_path: str, stamp: float) -> pd.DataFrame:
    """Each outlet's positions over all the articles it published, signed or not, with their
    evidence lists (:func:`analysis.outlets.run_outlet_positions`; about a second for a
    whole-corpus run)."""
    from analysis.outlets import run_outlet_positions

    return run_outlet_positions(scored_run(run_path, stamp))


@st.cache_data(max_entries=MAX_COMPARISONS_CACHED, show_spinner="Positions year by year…")
def yearly_positions(run_path: str, stamp: float, level: str) -> pd.DataFrame:
    """Author or outlet positions per calendar year, without the evidence lists
    (:func:`analysis.periods.yearly_positions`; one to two seconds for a whole-corpus run)."""
    from analysis.periods import yearly_positions as per_year

    table = per_year(scored_run(run_path, stamp), level)
    return table.drop(columns=["evidence", "quoted_evidence"], errors="ignore")


@st.cache_data(max_entries=MAX_COMPARISONS_CACHED, show_spinner="Positions over these dates…")
def period_positions(run_path: str, stamp: float, level: str, period: tuple) -> pd.DataFrame:
    """Author or outlet positions over the articles of a date range, evidence lists included
    (:func:`analysis.periods.period_positions`; about a second for a whole-corpus run)."""
    import datetime as dt

    from analysis.periods import Period
    from analysis.periods import period_positions as made

    first, last, undated = period
    span = Period(dt.date.fromisoformat(first), dt.date.fromisoformat(last), bool(undated))
    return made(scored_run(run_path, stamp), level, span)


def unit_evidence_ids(
    run_path: str,
    stamp: float,
    store: TextStore,
    level: str,
    unit: str,
    topic: str,
    period: PeriodKey = None,
) -> list[str]:
    """Evidence passage ids of one position at any level, strongest first: the run's stored
    lists, or the outlets' (computed with their positions), or those of a ``period``'s."""
    if period is not None and level != "article":
        table = period_positions(run_path, stamp, level, period)
    elif level != "outlet":
        return evidence_ids(store, level, unit, topic)
    else:
        table = outlet_positions(run_path, stamp)
    row = table[(table["author"] == unit) & (table["topic"] == topic)]
    return as_id_list(row["evidence"].iloc[0]) if len(row) else []


@dataclass(frozen=True)
class TextStore:
    """A run's passages, scores and evidence lists, indexed for lookups; shared, read-only."""

    passages: pd.DataFrame  # indexed by passage_id
    scores: pd.DataFrame  # indexed by (passage_id, topic), with an article_id column
    reported: pd.DataFrame  # the reported-speech rows of ``scores``, as columns
    evidence: pd.Series  # (level, unit, topic) -> passage ids, strongest first


@st.cache_resource(max_entries=MAX_HEAVY_CACHED, show_spinner="Loading passages…")
def text_store(run_path: str, stamp: float) -> TextStore:
    """Passages, scores and evidence lists of a run (see the module docstring)."""
    passages = _read(run_path, "passages", TABLE_COLUMNS["passages"])
    # ``corrected``: in a run recomputed with corrections, the tasks a row carries the
    # analyst's labels for (the cards then name the model's label from the correction)
    wanted = [*TABLE_COLUMNS["scores"], *NEWER_COLUMNS["scores"], "corrected"]
    scores = _read(run_path, "scores", wanted)
    scores = scores.drop_duplicates(["passage_id", "topic"])
    pos = _read(run_path, "positions", ["level", "article_id", "author", "topic", "evidence"])
    unit = pos["article_id"].where(pos["level"] == "article", pos["author"])
    evidence = pd.Series(
        list(pos["evidence"]),
        index=pd.MultiIndex.from_arrays([pos["level"], unit.astype(str), pos["topic"]]),
    )
    return TextStore(
        passages=passages.set_index("passage_id", drop=False),
        scores=scores.set_index(["passage_id", "topic"], drop=False).sort_index(),
        reported=scores[scores["reported"].astype(bool)].reset_index(drop=True),
        evidence=evidence[~evidence.index.duplicated()],
    )


@st.cache_resource(max_entries=MAX_HEAVY_CACHED, show_spinner="Loading article texts…")
def article_texts(run_path: str, stamp: float) -> pd.Series:
    """Article id -> cleaned text (shared and read-only; see the module docstring)."""
    articles = _read(run_path, "articles", ["article_id", "text"])
    return articles.set_index("article_id")["text"]


@st.cache_data(max_entries=MAX_RUNS_CACHED, show_spinner=False)
def gated_out(run_path: str, stamp: float) -> tuple[pd.DataFrame, str | None]:
    """The candidate passages the topic gate left out (``gated_out.parquet``; empty for runs
    without a gate and runs made before it was kept), and why the file could not be read
    (None when it could): an optional table never takes a page down."""
    path = Path(run_path) / GATED_OUT_TABLE
    empty = pd.DataFrame(columns=list(GATED_OUT_COLUMNS))
    if not path.is_file():
        return empty, None
    try:
        table = pq.read_table(path, columns=list(GATED_OUT_COLUMNS))
    except (OSError, ValueError, KeyError) as err:  # pyarrow's ArrowInvalid is a ValueError
        return empty, f"{path.name}: {err}"
    return table.to_pandas(ignore_metadata=True), None


def wide_positions(
    run_path: str, stamp: float, level: str, period: PeriodKey = None
) -> pd.DataFrame:
    """Positions at ``level`` (over a ``period``, where given) with one row per unit (see
    :func:`dashboard.views.wide_positions`)."""
    return _wide_positions(run_path, stamp, level, period)


@st.cache_data(max_entries=MAX_RUNS_CACHED * 2, show_spinner=False)
def _wide_positions(run_path: str, stamp: float, level: str, period: PeriodKey) -> pd.DataFrame:
    return views.wide_positions(positions(run_path, stamp, level, period), level)


def evidence_ids(store: TextStore, level: str, unit: str, topic: str) -> list[str]:
    """Evidence passage ids of one position, strongest first (empty when there are none)."""
    try:
        return as_id_list(store.evidence.loc[(level, str(unit), topic)])
    except KeyError:
        return []


def passages_with_scores(store: TextStore, passage_ids: Sequence[str], topic: str) -> pd.DataFrame:
    """The given passages (order kept) with their text and their scores on ``topic``."""
    ids = [p for p in passage_ids if p in store.passages.index]
    if not ids:
        return pd.DataFrame(columns=[*TABLE_COLUMNS["scores"], "text"])
    cols = ["passage_id", "article_id", "text", "start", "end"]
    text = store.passages.loc[ids, cols].reset_index(drop=True)
    keys = pd.MultiIndex.from_arrays([ids, [topic] * len(ids)])
    on_topic = store.scores.reindex(keys).reset_index(drop=True)
    on_topic = on_topic.drop(columns=["passage_id", "article_id", "topic"])
    return pd.concat([text, on_topic], axis=1).assign(topic=topic)


def article_scores(store: TextStore, article_id: str) -> pd.DataFrame:
    """Every score of one article's passages (all topics), as plain columns."""
    return store.scores[store.scores["article_id"] == article_id].reset_index(drop=True)


@st.cache_resource(max_entries=MAX_FULL_RUNS_CACHED, show_spinner="Loading run…")
def full_run(run_path: str, stamp: float) -> Run:
    """A whole run as :func:`analysis.runs.load_run` reads it (shared and read-only), for the
    pages that need every table: shifts over time, evaluation, corrections."""
    return load_run(run_path)


@st.cache_data(max_entries=MAX_COMPARISONS_CACHED, show_spinner="Testing the differences…")
def author_differences(
    run_path: str,
    stamp: float,
    authors: tuple[str, ...],
    resamples: int = 999,
    level: str = "author",
) -> pd.DataFrame:
    """:func:`analysis.differences.author_differences` of ``authors`` (every pair and topic;
    ``level`` "outlet": outlets over all their articles)."""
    from analysis.differences import author_differences as differences

    diffs = differences(
        scored_run(run_path, stamp),
        list(authors),
        n_boot=resamples,
        n_permutations=resamples,
        level=level,
        # the page's outlet positions, made once per run (not again for every comparison)
        outlet_positions=outlet_positions(run_path, stamp) if level == "outlet" else None,
    )
    return pd.DataFrame([d.to_dict() for d in diffs])


@st.cache_resource(max_entries=MAX_FULL_RUNS_CACHED, show_spinner="Loading run…")
def scored_run(run_path: str, stamp: float) -> Run:
    """A run without its passage and article texts (shared and read-only): what the tests of
    author differences read, a fraction of a whole-corpus run's size."""
    return load_run(
        run_path,
        columns={
            "articles": ARTICLE_META_COLUMNS,
            "passages": ("passage_id", "article_id", "index"),
        },
    )


@st.cache_data(max_entries=MAX_COMPARISONS_CACHED, show_spinner="Looking for changes…")
def author_shifts(
    run_path: str,
    stamp: float,
    authors: tuple[str, ...],
    topics: tuple[str, ...],
    split_date: str | None,
    resamples: int = 999,
    level: str = "author",
) -> list[dict[str, Any]]:
    """:func:`analysis.shifts.author_shift` for each author (outlet, at ``level`` "outlet")
    × topic × measure (JSON-ready), with q-values over all of them."""
    from analysis import outlets
    from analysis.bylines import membership
    from analysis.shifts import author_shift, with_q_values

    run = full_run(run_path, stamp)
    if level == "outlet":
        members = outlets.members(run.articles)
    else:
        members = membership(run.articles, run.info.known_rosters)
    shifts = [
        author_shift(
            run,
            a,
            t,
            m,
            split_date=split_date,
            n_resamples=resamples,
            members=members,
            level=level,
        )
        for a in authors
        for t in topics
        for m in ("stance", "tone")
    ]
    return [s.to_dict() for s in with_q_values(shifts)]


@st.cache_resource(max_entries=MAX_FULL_RUNS_CACHED, show_spinner="Loading run…")
def comparison_run(run_path: str, stamp: float) -> Run:
    """A run with what the run-versus-run comparison reads (shared and read-only): of the
    passages only the scored ones (:func:`analysis.compare.load_for_comparison`)."""
    return load_for_comparison(run_path)


@st.cache_data(max_entries=MAX_COMPARISONS_CACHED, show_spinner="Comparing the two runs…")
def run_comparison(
    path_a: str, stamp_a: float, path_b: str, stamp_b: float, top_k: int, level: str = "author"
) -> dict[str, Any]:
    """:func:`analysis.compare.compare_runs` of run A with run B (a JSON-ready dict); ``level``
    "outlet": the outlets' positions, each over every article it published."""
    return compare_runs(
        comparison_run(path_a, stamp_a), comparison_run(path_b, stamp_b), top_k, level=level
    )
