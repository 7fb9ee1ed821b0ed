"""Passage scores -> article × topic and author × topic positions with intervals and evidence.

A *unit* is one article, or one group of articles (``articles.group`` with its ``group_kind``:
an author, else an outlet, else a lone title). For every unit and every topic,
:func:`positions` gives one row (columns in ``analysis.runs.TABLE_COLUMNS["positions"]``).
:func:`outlet_positions` gives the same rows for outlets over all their articles, signed or
not (level ``"outlet"``, made when asked: ``analysis.outlets``):

- **status**: ``"discussed"`` when the unit has at least one topic passage, its own or quoted,
  else ``"not_discussed"``. *Counted* passages, those that make the author's stance and tone,
  are the own-voice ones (``reported`` false); with ``include_reported`` reported speech counts
  too. A unit that does not discuss a topic gets NaN stance, tone and intervals, never 0:
  silence is not neutrality.
- **stance**: with ``stance_rule = "mean"`` (the default, chosen on the article dev set),
  ``sum(r_i (f_i - a_i)) / sum(r_i)`` with ``f_i``, ``a_i`` a passage's P(favor) and P(against)
  and ``r_i`` its relevance, in [-1, 1]: a passage that takes no side (f ≈ a ≈ 0) pulls toward
  0, never toward a side. With ``"balance"``, ``sum(r_i (f_i - a_i)) / sum(r_i (f_i + a_i))``:
  only the sides taken count.
  **stance_mass** = ``sum(f_i + a_i)`` is the expected number of passages that take a side
  (**favor_mass**, **against_mass** its two parts). **stance_status**: ``no_stance`` when the
  mass is under ``min_stance_mass`` (the topic is discussed but no side is taken: stance and
  its interval are NaN, shown as "no stance expressed"), ``mixed`` when the smaller side's
  mass is at least :data:`MIXED_RATIO` of the larger's (both sides taken about equally), the
  stance stays within ±1/3 and each side's *lead* reaches ``min_stance_mass`` (the sum over
  passages of P(favor) − P(against) where positive, and the reverse: sides taken by passages
  of their own, not one passage the model is torn on), else ``expressed``; None when not
  discussed. Sides that balance that way are ``no_stance`` too where neither lead reaches
  ``min_stance_mass`` (neither side is clearly taken: 0.06 on each side, or one passage at
  0.12 and 0.07), or where both masses reach it but a lead does not (:func:`side_statuses`: the
  balance comes from passages the model splits between the sides); where one lead reaches it
  and the other side's mass does not, the stance is ``expressed`` (a weak side).
- **tone**: the relevance-weighted mean ``sum(r_i x_i) / sum(r_i)`` of the counted passages'
  ``tone`` (positive − negative), in [-1, 1].
- **quoted_stance**, **quoted_low/high**, **quoted_status**, **quoted_mass**,
  **quoted_evidence**: the same stance measure over the unit's reported-speech passages, read
  with the speaker head (``speaker_favor``/``speaker_against`` of the scores table; the stance
  scorer's own probabilities where a run has none): the stance of the voices the author
  chooses to quote, never counted as the author's own.
- At author level the passages of all the group's articles are pooled, so an article with
  more topic passages weighs more than one with few. If every counted passage of a unit has
  relevance 0 its weights fall back to equal.
- **stance_low/high**, **tone_low/high**: percentile bootstrap interval (95% by default) of that
  weighted mean. Article level resamples passages. Author level resamples in two stages:
  articles with replacement, then passages within each drawn article. Passages of one article
  share author, context and model errors, so resampling them as if independent would make one
  long piece look as certain as many pieces; the two-stage scheme keeps the between-article
  spread and reduces to passage resampling when the group has one article (such a group takes
  its article's interval, not a second bootstrap of the same passages). Each interval is then
  extended to at least the small-sample t interval around its point (``analysis.intervals``:
  a bootstrap over two passages spans just their two values), with k the articles resampled,
  else the passages. The two-stage scheme is somewhat conservative (it counts within-article
  variance about twice; see Davison & Hinkley 1997, *Bootstrap Methods and their Application*,
  §3.8 on hierarchical data), which is the safer error for an analyst comparing authors. Only
  articles with counted passages for the topic are resampled (the others contribute nothing to
  the mean). With one counted passage the interval is NaN: a zero-width interval would claim a
  certainty that one passage cannot give; ``n_passages`` says why. The extended interval
  always contains the point.
- **Randomness**: each unit × topic draws from its own generator seeded by ``(seed, level, unit
  key, topic)`` (a BLAKE2 hash of the key), and passages are put in a canonical order (article
  id, passage index) before resampling. The same inputs give identical outputs, whatever the row
  order of the tables and whichever other units are present. A unit whose replicates would draw
  more than ``_BLOCK_DRAWS`` rows (over 262 passages at 1,000 replicates: a prolific group in
  a large corpus) draws them in blocks of about that many rows, block ``b`` from the generator
  of ``(seed, level, unit key, topic, "block", b)``, so that memory stays bounded.
- **coverage**: counted topic passages / all passages of the unit (``articles.n_passages``,
  summed at author level); NaN when the unit has no passages at all.
- **n_passages**: counted topic passages; **n_reported**: reported-speech topic passages, always
  (whether or not they are counted); **n_articles**: articles in the unit (1 at article level).
  Extra column **n_articles_discussing**: articles with at least one counted topic passage (0
  where only quotes discuss the topic);
  **n_articles_quoting**: articles with at least one of the unit's quotes on the topic.
- **evidence**: ids of the counted passages that drove the numbers, strongest first, at most
  ``max_evidence``. Where the unit takes a side (:func:`taken_sides`: its status is not
  ``no_stance``), strength is ``relevance × |P(favor) − P(against)|``, ties going to the sharper
  ``relevance × |tone|``; where it takes none, ``relevance × |tone|``. Then ties go to the
  earlier passage (article id, then passage index). By default only own-voice passages are evidence;
  reported speech has its own list (``quoted_evidence``). Both columns are pyarrow
  ``list<string>``, so they stay ``list<string>`` in Parquet even when every list is empty.

Articles with ``duplicate_of`` set are left out entirely, at both levels.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.bylines import membership
from analysis.config import AggregateSection
from analysis.intervals import two_stage_draws, widen
from analysis.memory import release_freed_memory
from analysis.quoted_voice import fill_quoted_readings
from analysis.runs import ALL_COLUMNS, INTERVAL_COLUMNS

EVIDENCE_DTYPE = pd.ArrowDtype(pa.list_(pa.string()))
# "mixed" means both sides taken about equally: the smaller side's expected count of passages
# at least this share of the larger's. Before, any side over half of min_stance_mass made a
# weak stance "mixed" (favor mass 1.88 against 0.20 read "mixed"); on the article dev set this
# ratio read one more pair right, net, among 804 and 0.25 two (experiments/article_level/README.md).
# Both sides must also reach min_stance_mass: until 2026-12-07 half of it sufficed, and articles
# with 0.06 expected passages on each side read "mixed" beside "0.1 of 3 expected to take a side";
# balanced sides of which neither side's lead reaches it are no side taken, one whose lead
# does while the other side's mass does not a weak side (LEAD_MASS_COLUMNS, side_statuses).
MIXED_RATIO = 0.5
# Each side's lead: sum over passages of max(P(favor) - P(against), 0), and the reverse, the
# side each passage takes net of the other. Balanced sides read "mixed" only where both leads
# reach min_stance_mass (sides taken by passages of their own), and "no stance expressed"
# where not (side_statuses): one passage the model is torn on (P(favor) 0.45, P(against)
# 0.40) is no side clearly taken, not two sides. Before, 12 of the 28 "mixed" quoted voices of the
# first 1,000 AllSides articles rested on one such passage. Internal: positions do not keep
# them.
LEAD_MASS_COLUMNS = ("favor_lead_mass", "against_lead_mass")
# The rules a run's stored positions were made by, recorded in run.json ("position_rules"): 2
# since 2026-12-07, when "mixed" came to need both sides taken and the evidence under a side to
# be ranked by the side taken; 3 since later that day, when each side must be taken by
# passages of its own (its lead, LEAD_MASS_COLUMNS); 4 when the evidence under a side came to
# be ranked by how far each passage leans, |P(favor) - P(against)|. A run without it (or with
# less) keeps the rules of its day.
POSITION_RULES = 4
POSITION_RULES_CHANGES = {
    2: "since 2026-12-07 'mixed' needs both sides taken, and the evidence under a position that "
    "takes a side is ranked by how clearly each passage takes one",
    3: "since 2026-12-07 (later) 'mixed' needs each side taken by passages of its own, and "
    "sides balanced by passages the model splits between them read 'no stance expressed'",
    4: "since 2026-12-07 (later still) the evidence under a side is ranked by how far each "
    "passage leans to one side, so a passage the model splits between the sides comes after "
    "one that clearly takes one",
}


def position_rules_note(meta: Mapping[str, Any] | None) -> str | None:
    """What a run's stored positions miss of today's rules (None where it has them all): a run
    made before a rule changed keeps its old statuses and evidence order, while the pages and
    their captions describe today's."""
    made = (meta or {}).get("position_rules") if isinstance(meta, Mapping) else None
    made = made if isinstance(made, int) else 1
    missed = [words for version, words in POSITION_RULES_CHANGES.items() if version > made]
    if not missed:
        return None
    return (
        "this run's positions were made by older rules: "
        + "; ".join(missed)
        + ". Its stored 'mixed' labels and evidence order are as they were then (analyze the "
        "articles again for today's)"
    )


REQUIRED = {
    "articles": (
        "article_id",
        "title",
        "outlet",
        "date",
        "group",
        "group_kind",
        "n_passages",
        "duplicate_of",
    ),
    "passages": ("passage_id", "index"),
    "scores": ("passage_id", "article_id", "topic", "relevance", "reported", "stance", "tone"),
}
# Most drawn rows the arithmetic of one batch of units holds (memory only: results do not
# depend on it). Its arrays take about 80 bytes a drawn row at their peak: on ten times the
# AllSides corpus (experiments.positions_memory, 61,210 articles) the author level rose 90 MiB
# above its inputs with 2**20, 34 MiB with 2**18.
_CHUNK_ELEMENTS = 1 << 18
# A unit whose replicates would draw more rows than this draws them in blocks of about this
# many, each from a generator of its own. It decides the draws: changing it changes intervals.
_BLOCK_DRAWS = 1 << 18
_TOLERANCE = 1e-6
# Articles whose position rows are made at once (memory only: the rows do not depend on it).
BATCH_ARTICLES = 4096


_STRINGS = (
    "level",
    "article_id",
    "title",
    "author",
    "group_kind",
    "outlet",
    "date",
    "topic",
    "status",
    "stance_status",
    "quoted_status",
)
COUNT_COLUMNS = (
    "n_passages",
    "n_reported",
    "n_articles",
    "n_articles_discussing",
    "n_articles_quoting",
)
# The positions table as Arrow writes it, so that batches written one by one share one schema
# (a batch whose statuses are all None would otherwise be typed null).
POSITIONS_SCHEMA = pa.schema(
    [
        (
            name,
            pa.string()
            if name in _STRINGS
            else pa.int64()
            if name in COUNT_COLUMNS
            else EVIDENCE_DTYPE.pyarrow_dtype
            if name in ("evidence", "quoted_evidence")
            else pa.float64(),
        )
        for name in ALL_COLUMNS["positions"]
    ]
)
# How passage scores become positions: the [aggregate] section of the config, validated there.
AggregateConfig = AggregateSection


def positions(
    articles: pd.DataFrame,
    passages: pd.DataFrame,
    scores: pd.DataFrame,
    topics: Sequence[str],
    config: AggregateConfig | None = None,
    failed: pd.DataFrame | None = None,
    known_rosters: Mapping[str, frozenset[str]] | None = None,
) -> pd.DataFrame:
    """Positions per article × topic and per author (group) × topic; see the module docstring.

    Rows come article level first (articles in table order, topics in ``topics`` order), then
    author level (groups in order of first appearance). ``config`` None: the defaults.
    ``failed``: score rows with no usable prediction (see :func:`position_batches`).
    ``known_rosters``: writers' lists to cut bylines at (:func:`analysis.bylines.membership`).
    """
    batches = position_batches(
        articles, passages, scores, topics, config, failed, known_rosters=known_rosters
    )
    return pd.concat(list(batches), ignore_index=True)


def position_batches(
    articles: pd.DataFrame,
    passages: pd.DataFrame,
    scores: pd.DataFrame,
    topics: Sequence[str],
    config: AggregateConfig | None = None,
    failed: pd.DataFrame | None = None,
    batch_articles: int = BATCH_ARTICLES,
    known_rosters: Mapping[str, frozenset[str]] | None = None,
) -> Iterator[pd.DataFrame]:
    """The rows of :func:`positions` in batches: the article level ``batch_articles`` articles
    at a time, then the author level, so that a writer can stream a large corpus's table.

    The statistics come from the topic passages alone (a small table); only the rows of the
    units that do not discuss a topic grow with the corpus, and those are made a batch at a
    time. ``failed`` (score rows whose prediction failed, left out of ``scores``): a unit whose
    topic passages all failed is ``unscored``, not ``not_discussed``.
    """
    if not isinstance(batch_articles, int) or batch_articles < 1:
        raise ValueError(f"expected batch_articles a positive integer, got {batch_articles!r}")
    config, topics, kept, counted, reported, quoted, art_stats, art_quoted = _article_level(
        articles, passages, scores, topics, config
    )
    # An article counts toward each author of its byline (analysis.bylines).
    members = membership(kept, known_rosters)
    art_keys = ["article_id"]
    groups = _GroupStats.of(members, counted, quoted, reported, art_stats, art_quoted, config)
    art_reported = reported.groupby(["article_id", "topic"]).size()
    unscored = _unscored_keys(failed, members, config.include_reported)
    del counted, reported, quoted

    for start in range(0, len(kept), batch_articles):
        rows = _article_frame(kept.iloc[start : start + batch_articles], topics)
        rows = _attach(rows, art_stats, art_quoted, art_reported, [*art_keys, "topic"])
        yield _finish(rows, config, unscored)
    del art_stats, art_quoted, art_reported  # before the author level's rows are made
    yield groups.rows(kept, topics, config, unscored)


def outlet_positions(
    articles: pd.DataFrame,
    passages: pd.DataFrame,
    scores: pd.DataFrame,
    topics: Sequence[str],
    config: AggregateConfig | None = None,
    failed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Positions per outlet × topic over all of each outlet's articles, signed or not (level
    ``"outlet"``; the unit's name, in ``author``, is the outlet's): what the outlet publishes,
    where the author level files a signed article under its authors and only the unsigned
    ones under the outlet. Articles without an outlet count toward none. The same statistics,
    rules and intervals as the author level (see the module docstring), with its own seeds;
    computed when asked (runs store the article and author levels), from the run's tables."""
    config, topics, kept, counted, reported, quoted, art_stats, art_quoted = _article_level(
        articles, passages, scores, topics, config
    )
    members = outlet_membership(kept)
    groups = _GroupStats.of(
        members, counted, quoted, reported, art_stats, art_quoted, config, level="outlet"
    )
    unscored = _unscored_keys(failed, members, config.include_reported)
    return groups.rows(
        kept[kept["article_id"].isin(members["article_id"])], topics, config, unscored
    )


def _article_level(
    articles: pd.DataFrame,
    passages: pd.DataFrame,
    scores: pd.DataFrame,
    topics: Sequence[str],
    config: AggregateConfig | None,
) -> tuple:
    """What every level starts from: the config (defaults for None) and topics, checked; the
    kept articles (duplicates out); their topic passages, counted and reported (and the
    reported ones read as the quoted voices); and the article level's statistics of both,
    which a group of one article takes as its own."""
    config = config or AggregateConfig()
    topics = _check_inputs(articles, passages, scores, topics, config)
    kept = articles[articles["duplicate_of"].isna()].reset_index(drop=True)
    table = _topic_passages(kept, passages, scores)
    counted = table if config.include_reported else table[~table["reported"]]
    reported = table[table["reported"]]
    quoted = _speaker_view(reported)
    art_stats = _aggregate_units(counted, ["article_id"], "article", config)
    art_quoted = _quoted(_aggregate_units(quoted, ["article_id"], "article-quoted", config))
    return config, topics, kept, counted, reported, quoted, art_stats, art_quoted


def unusable_scores(scores: pd.DataFrame, include_reported: bool) -> pd.Series:
    """The score rows no position may read (a prediction that failed, kept in the table with
    its reason): no tone, or no stance where the stance is read. A quote that has only its
    quoted voice's stance (an analyst's label) is usable unless quotes count as the author's.
    ``analyze`` leaves out every row without a stance or a tone; the two differ only on a quote
    whose stance failed while its quoted voice's stance did not, which this rule keeps as a
    quote (as a run recomputed with corrections does)."""
    unknown_stance = scores["stance"].isna()
    if not include_reported and "speaker_stance" in scores:
        quoted = pd.to_numeric(scores["speaker_stance"], errors="coerce").notna()
        unknown_stance &= ~(scores["reported"].astype(bool) & quoted)
    return unknown_stance | scores["tone"].isna()


def outlet_membership(articles: pd.DataFrame) -> pd.DataFrame:
    """(article_id, group_kind "outlet", group: its outlet) for every article with an outlet."""
    if "outlet" not in articles.columns:
        return pd.DataFrame(
            {c: pd.Series(dtype=object) for c in ("article_id", "group_kind", "group")}
        )
    outlets = articles["outlet"]
    named = np.array([_present(o) and bool(str(o).strip()) for o in outlets], dtype=bool)
    return pd.DataFrame(
        {
            "article_id": articles["article_id"].to_numpy(dtype=object)[named],
            "group_kind": pd.Series(["outlet"] * int(named.sum()), dtype=object).to_numpy(),
            "group": np.array([str(o).strip() for o in outlets[named]], dtype=object),
        }
    )


@dataclass(frozen=True)
class _GroupStats:
    """The statistics of a level of groups of articles (authors, outlets) and how to lay them
    out as rows: ``members`` maps each article to its groups."""

    level: str
    members: pd.DataFrame
    stats: pd.DataFrame
    quoted: pd.DataFrame
    reported: pd.Series

    @classmethod
    def of(
        cls,
        members: pd.DataFrame,
        counted: pd.DataFrame,
        quoted: pd.DataFrame,
        reported: pd.DataFrame,
        art_stats: pd.DataFrame,
        art_quoted: pd.DataFrame,
        config: AggregateConfig,
        level: str = "author",
    ) -> _GroupStats:
        """Computed from the topic passages (``counted``, ``quoted``: the quoted voices'
        view, ``reported``) and the article level's statistics (a group with one article
        takes its article's interval); seeded by ``level``."""

        def per_group(rows: pd.DataFrame) -> pd.DataFrame:
            return rows.drop(columns=["group_kind", "group"]).merge(members, on="article_id")

        keys = ["group_kind", "group"]
        stats = _aggregate_units(per_group(counted), keys, level, config, art_stats)
        in_quotes = _quoted(
            _aggregate_units(
                per_group(quoted), keys, f"{level}-quoted", config, _unquoted(art_quoted)
            )
        )
        n_reported = per_group(reported).groupby([*keys, "topic"]).size()
        return cls(level, members, stats, in_quotes, n_reported)

    def rows(
        self,
        kept: pd.DataFrame,
        topics: list[str],
        config: AggregateConfig,
        unscored: tuple[set[tuple], set[tuple]],
    ) -> pd.DataFrame:
        """One finished row per group × topic."""
        columns = ["article_id", "outlet", "date", "n_passages"]
        grouped = kept[columns].merge(self.members, on="article_id")
        if self.level == "outlet":  # one outlet, however the articles spell it
            grouped["outlet"] = grouped["group"]
        rows = _group_frame(grouped, topics, self.level)
        keys = ["group_kind", "group", "topic"]
        rows = _attach(rows, self.stats, self.quoted, self.reported, keys)
        return _finish(rows, config, unscored)


def _finish(
    out: pd.DataFrame, config: AggregateConfig, unscored: tuple[set[tuple], set[tuple]]
) -> pd.DataFrame:
    """Coverage, stance statuses, unscored units and evidence lists of a batch of unit rows
    (each row's values depend on that row alone), in the table's column order."""
    total = out["unit_passages"].where(out["unit_passages"] > 0)
    out["coverage"] = out["n_passages"] / total
    discussed = out["status"] == "discussed"
    _stance_status(out, "stance", "stance_status", config.min_stance_mass, discussed)
    quoted_present = out["n_reported"] > 0
    _stance_status(
        out, "quoted_stance", "quoted_status", config.min_stance_mass, quoted_present, "quoted"
    )
    if any(unscored):
        article_keys, group_keys = unscored
        hit = [
            (article, topic) in article_keys if level == "article" else (group, topic) in group_keys
            for level, article, group, topic in zip(
                out["level"], out["article_id"], out["author"], out["topic"], strict=True
            )
        ]
        out.loc[np.asarray(hit, dtype=bool) & (out["status"] == "not_discussed"), "status"] = (
            "unscored"
        )
    out["evidence"] = pd.Series(list(out["evidence"]), dtype=EVIDENCE_DTYPE, index=out.index)
    out["quoted_evidence"] = pd.Series(
        list(out["quoted_evidence"]), dtype=EVIDENCE_DTYPE, index=out.index
    )
    return out[list(ALL_COLUMNS["positions"])]


def _unscored_keys(
    failed: pd.DataFrame | None, members: pd.DataFrame, include_reported: bool
) -> tuple[set[tuple], set[tuple]]:
    """(article id, topic) and (group, topic) of the failed score rows that would have counted
    (own voice, or any with ``include_reported``)."""
    if failed is None or failed.empty:
        return set(), set()
    if not include_reported:
        failed = failed[~failed["reported"].astype(bool)]
    groups = failed[["article_id", "topic"]].merge(members, on="article_id", how="left")
    return (
        set(zip(failed["article_id"], failed["topic"], strict=True)),
        set(zip(groups["group"], groups["topic"], strict=True)),
    )


def _check_inputs(
    articles: pd.DataFrame,
    passages: pd.DataFrame,
    scores: pd.DataFrame,
    topics: Sequence[str],
    config: AggregateConfig,
) -> list[str]:
    """Validate the tables once, here, so the arithmetic below can trust them."""
    if not isinstance(config, AggregateConfig):
        raise ValueError(f"expected an AggregateConfig, got {type(config).__name__}")
    if isinstance(topics, str) or not all(isinstance(t, str) and t for t in topics):
        raise ValueError(f"expected a sequence of non-empty topic names, got {topics!r}")
    topics = list(topics)
    if not topics or len(set(topics)) != len(topics):
        raise ValueError(f"expected at least one topic and no repeats, got {topics}")
    for name, frame in (("articles", articles), ("passages", passages), ("scores", scores)):
        absent = [c for c in REQUIRED[name] if c not in frame.columns]
        if absent:
            raise ValueError(f"expected table {name!r} to have columns {absent}")
    if articles["article_id"].isna().any() or articles["article_id"].duplicated().any():
        raise ValueError("expected unique, non-null article_id in articles")
    if articles["group"].isna().any() or articles["group_kind"].isna().any():
        missing = articles.loc[articles["group"].isna() | articles["group_kind"].isna()]
        raise ValueError(
            f"expected every article to have a group and group_kind, got none for "
            f"{missing['article_id'].head(3).tolist()}"
        )
    odd_topics = sorted(set(scores["topic"]) - set(topics))
    if odd_topics:
        raise ValueError(f"expected score topics among {topics}, got also {odd_topics[:5]}")
    unknown = ~scores["article_id"].isin(articles["article_id"])
    if unknown.any():
        raise ValueError(
            f"expected scores of known articles, got article_id "
            f"{scores.loc[unknown, 'article_id'].unique()[:3].tolist()}"
        )
    if passages["passage_id"].duplicated().any():
        raise ValueError("expected unique passage_id in passages")
    # A hash lookup: much faster than Series.isin on pyarrow strings for 100k+ passages.
    unknown = pd.Index(passages["passage_id"]).get_indexer(scores["passage_id"]) < 0
    if unknown.any():
        raise ValueError(
            f"expected scores of known passages, got passage_id "
            f"{scores.loc[unknown, 'passage_id'].unique()[:3].tolist()}"
        )
    repeated = scores.duplicated(["passage_id", "topic"])
    if repeated.any():
        first = scores.loc[repeated, ["passage_id", "topic"]].iloc[0].tolist()
        raise ValueError(f"expected one score row per (passage_id, topic), got repeats of {first}")
    odd = ~scores["reported"].isin([True, False])
    if odd.any():
        raise ValueError(
            f"expected reported to be true or false, got {scores.loc[odd, 'reported'].iloc[0]!r}"
        )
    for column, low in (("relevance", 0.0), ("stance", -1.0), ("tone", -1.0)):
        values = pd.to_numeric(scores[column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values < low - _TOLERANCE) | (values > 1 + _TOLERANCE)
        if column == "stance" and not config.include_reported and "speaker_stance" in scores:
            # A quote's author stance counts nowhere: it may be unknown (a quote an analyst
            # added with its quoted voice's stance alone) where that stance is known.
            speaker = pd.to_numeric(scores["speaker_stance"], errors="coerce").to_numpy(float)
            quoted = scores["reported"].astype(bool).to_numpy() & np.isfinite(speaker)
            bad &= ~(np.isnan(values) & quoted)
        if bad.any():
            raise ValueError(
                f"expected {column} in [{low:g}, 1], got {scores[column].iloc[int(bad.argmax())]!r}"
            )
    return topics


def _topic_passages(
    kept: pd.DataFrame, passages: pd.DataFrame, scores: pd.DataFrame
) -> pd.DataFrame:
    """Score rows of kept articles, with their group and passage index, as plain floats."""
    base = ["passage_id", "article_id", "topic", "relevance", "reported", "stance", "tone"]
    table = scores[base].copy()
    # P(favor) and P(against): from the scores table, else read off the stance (old tables).
    stance = table["stance"].astype(float).clip(-1.0, 1.0)
    for column, fallback in (
        ("stance_favor", stance.clip(lower=0)),
        ("stance_against", (-stance).clip(lower=0)),
    ):
        values = scores[column].astype(float) if column in scores else fallback
        table[column] = values.fillna(fallback).clip(0.0, 1.0)
    for column in ("speaker_favor", "speaker_against"):
        table[column] = scores[column].astype(float) if column in scores else np.nan
    table = table.merge(kept[["article_id", "group_kind", "group"]], on="article_id", how="inner")
    table = table.merge(passages[["passage_id", "index"]], on="passage_id", how="left")
    table["reported"] = table["reported"].astype(bool)
    for column in ("relevance", "stance", "tone"):
        table[column] = table[column].astype(float)
    table["relevance"] = table["relevance"].clip(0.0, 1.0)
    table[["stance", "tone"]] = table[["stance", "tone"]].clip(-1.0, 1.0)
    return table


def _speaker_view(reported: pd.DataFrame) -> pd.DataFrame:
    """Reported-speech rows with the quoted voices' stance in the stance columns: the speaker
    head's probabilities where the run has them, else the stance scorer's own reading
    (``analysis.quoted_voice``)."""
    view = fill_quoted_readings(reported)
    view = view.assign(
        stance_favor=view["speaker_favor"].clip(0, 1),
        stance_against=view["speaker_against"].clip(0, 1),
    )
    view["stance"] = view["stance_favor"] - view["stance_against"]
    return view


QUOTED_COLUMNS = {
    "stance": "quoted_stance",
    "stance_low": "quoted_low",
    "stance_high": "quoted_high",
    "stance_mass": "quoted_mass",
    "favor_mass": "quoted_favor_mass",
    "against_mass": "quoted_against_mass",
    "favor_lead_mass": "quoted_favor_lead_mass",
    "against_lead_mass": "quoted_against_lead_mass",
    "evidence": "quoted_evidence",
}


def _quoted(stats: pd.DataFrame) -> pd.DataFrame:
    """Quoted-voice statistics under their own column names (their tone is not a measure;
    the articles they come from are ``n_articles_quoting``)."""
    drop = ["n_passages", "tone", "tone_low", "tone_high"]
    return stats.drop(columns=drop).rename(
        columns={**QUOTED_COLUMNS, "n_articles_discussing": "n_articles_quoting"}
    )


def _unquoted(stats: pd.DataFrame) -> pd.DataFrame:
    """Article quoted-voice statistics back under the names ``_aggregate_units`` reuses."""
    back = {v: k for k, v in QUOTED_COLUMNS.items()}
    out = stats.rename(columns=back)
    out["tone_low"] = out["tone_high"] = np.nan
    return out


def _balanced(favor: np.ndarray, against: np.ndarray, stance: np.ndarray) -> np.ndarray:
    """Both sides taken about equally: the smaller at least :data:`MIXED_RATIO` of the larger,
    the stance within ±1/3 (False where the stance is NaN)."""
    with np.errstate(invalid="ignore"):
        return (np.minimum(favor, against) >= MIXED_RATIO * np.maximum(favor, against)) & (
            np.abs(stance) <= 1 / 3
        )


def side_statuses(
    favor: np.ndarray,
    against: np.ndarray,
    stance: np.ndarray,
    min_mass: float,
    mass: np.ndarray | None = None,
    leads: Sequence[np.ndarray] | None = None,
) -> np.ndarray:
    """Each unit's reading of its sides, the one place the rule lives: ``no_stance``,
    ``mixed`` or ``expressed``. ``mass`` is the expected number of its passages that take a
    side (by default ``favor + against``); ``leads`` the favor and against leads of
    :data:`LEAD_MASS_COLUMNS` (by default the masses). No stance where the mass is under
    ``min_mass``; where the sides balance (:func:`_balanced`), no stance too when neither
    side's lead reaches it (0.06 on each side, or one passage at 0.12 and 0.07) or when both
    masses reach it but a lead does not: that mass comes from passages the model splits
    between the sides (one passage at P(favor) 0.51, P(against) 0.39), and readers label such
    article dev pairs "none" (5 of 6 that "mixed" had read as none;
    experiments/article_level/README.md). Mixed where they balance and both leads reach it;
    else expressed (0.15 for and 0.08 against in passages of their own is a side)."""
    mass = favor + against if mass is None else mass
    favor_lead, against_lead = (favor, against) if leads is None else leads
    balanced = _balanced(favor, against, stance)
    favor_led, against_led = favor_lead >= min_mass, against_lead >= min_mass
    both_masses = (favor >= min_mass) & (against >= min_mass)
    both_led = favor_led & against_led
    none = (
        (mass < min_mass)
        | (balanced & ~(favor_led | against_led))
        | (balanced & both_masses & ~both_led)
    )
    mixed = ~none & balanced & both_led
    return np.where(none, "no_stance", np.where(mixed, "mixed", "expressed"))


def taken_sides(
    favor: np.ndarray,
    against: np.ndarray,
    stance: np.ndarray,
    min_mass: float,
    mass: np.ndarray | None = None,
    leads: Sequence[np.ndarray] | None = None,
) -> np.ndarray:
    """Whether each unit takes a side: its :func:`side_statuses` is not ``no_stance``."""
    return side_statuses(favor, against, stance, min_mass, mass, leads) != "no_stance"


def _stance_status(
    out: pd.DataFrame,
    column: str,
    status: str,
    min_mass: float,
    present: pd.Series,
    prefix: str = "",
) -> None:
    """Set ``status`` where ``present`` (the voice has something to say about the topic):
    ``no_stance`` when the expected number of its stance-taking passages is under
    ``min_mass`` or the sides balance without one clearly taken (the stance and its interval
    are then NaN: no side is taken, so no number is shown), ``mixed`` when they balance and
    each is taken by passages of its own, else ``expressed`` (:func:`side_statuses`); None
    elsewhere."""
    name = (lambda c: f"{prefix}_{c}") if prefix else (lambda c: c)
    mass = out[name("mass") if prefix else "stance_mass"].astype(float).fillna(0.0)
    favor = out[name("favor_mass")].astype(float).fillna(0.0)
    against = out[name("against_mass")].astype(float).fillna(0.0)
    present = present.to_numpy(dtype=bool)
    favor_, against_ = favor.to_numpy(dtype=float), against.to_numpy(dtype=float)
    stance = out[column].to_numpy(dtype=float)
    leads = [out[name(c)].astype(float).fillna(0.0).to_numpy() for c in LEAD_MASS_COLUMNS]
    labels = side_statuses(favor_, against_, stance, min_mass, mass.to_numpy(dtype=float), leads)
    none = present & (labels == "no_stance")
    out[status] = pd.Series(
        [lab if p else None for lab, p in zip(labels, present, strict=True)],
        index=out.index,
        dtype=object,
    )
    low, high = (f"{column}_low", f"{column}_high") if not prefix else ("quoted_low", "quoted_high")
    out.loc[none, [column, low, high]] = np.nan


def _aggregate_units(
    table: pd.DataFrame,
    keys: list[str],
    level: str,
    config: AggregateConfig,
    article_stats: pd.DataFrame | None = None,
    widen_small_samples: bool = True,
) -> pd.DataFrame:
    """Point estimates, bootstrap intervals and evidence for every unit × topic in ``table``.

    Rows are put in a canonical order (topic, unit, article id, passage index) so that each unit
    is one contiguous slice and its articles are contiguous slices inside it. Given
    ``article_stats`` (this function's article-level output), a unit whose counted passages
    all come from one article takes that article's interval: it is the same data under the
    same resampling scheme, and a second bootstrap would only add visible noise (and time).
    ``widen_small_samples`` False keeps the plain percentile intervals (for comparison:
    ``experiments/interval_coverage.py``).
    """
    columns = [
        "n_passages",
        "n_articles_discussing",
        *INTERVAL_COLUMNS,
        "evidence",
        "stance_mass",
        "favor_mass",
        "against_mass",
        *LEAD_MASS_COLUMNS,
    ]
    if table.empty:
        return pd.DataFrame(columns=[*keys, "topic", *columns])
    order = ["topic", *keys]
    if "article_id" not in keys:
        order.append("article_id")
    table = table.sort_values([*order, "index", "passage_id"], kind="stable").reset_index(drop=True)
    starts = _change_points(table, ["topic", *keys])
    bounds = np.append(starts, len(table))
    article_bounds = np.append(_change_points(table, [*order]), len(table))
    lengths = np.diff(bounds)
    unit_of_row = np.repeat(np.arange(len(starts)), lengths)

    relevance = table["relevance"].to_numpy(dtype=float)
    favor = table["stance_favor"].to_numpy(dtype=float)
    against = table["stance_against"].to_numpy(dtype=float)
    tone = table["tone"].to_numpy(dtype=float)
    unweighted = np.add.reduceat(relevance, starts) <= 0  # all relevance 0: equal weights
    weights = np.where(unweighted[unit_of_row], 1.0, relevance)
    # Stance: sum r (f - a) over sum r ("mean") or over sum r (f + a) ("balance": each passage
    # weighs by how much it takes a side). Tone: sum r x / sum r.
    side_weight = weights * (favor + against) if config.stance_rule == "balance" else weights
    matrix = np.column_stack([side_weight, weights * (favor - against), weights, weights * tone])
    sums = np.add.reduceat(matrix, starts, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        point = np.column_stack(
            [
                np.where(sums[:, 0] > 0, sums[:, 1] / sums[:, 0], np.nan),
                sums[:, 3] / sums[:, 2],
            ]
        )
    # favor, against, and each side's lead (LEAD_MASS_COLUMNS): "mixed" needs both sides
    # taken by passages of their own, not one passage torn between them
    lead = favor - against
    masses = np.add.reduceat(
        np.column_stack(
            [favor + against, favor, against, np.maximum(lead, 0.0), np.maximum(-lead, 0.0)]
        ),
        starts,
        axis=0,
    )

    unit_keys = table[[*keys, "topic"]].iloc[starts].to_numpy(dtype=object)
    n_articles = np.diff(np.searchsorted(article_bounds, bounds))
    lead = table[["article_id", "topic"]].iloc[starts].to_numpy(dtype=object)
    rng_keys = [(level, *key) for key in unit_keys]
    todo = lengths > 1
    low, high = np.full((len(starts), 2), np.nan), np.full((len(starts), 2), np.nan)
    if article_stats is not None and len(article_stats):
        one = todo & (n_articles == 1)
        known = article_stats.set_index(["article_id", "topic"]).reindex(
            pd.MultiIndex.from_arrays([lead[one, 0], lead[one, 1]])
        )
        low[one] = known[["stance_low", "tone_low"]].to_numpy(dtype=float)
        high[one] = known[["stance_high", "tone_high"]].to_numpy(dtype=float)
        todo &= ~one
    spread = np.full_like(low, np.nan)
    _intervals(matrix, bounds, article_bounds, rng_keys, todo, low, high, spread, config)
    if widen_small_samples:  # analysis.intervals; units that took their article's are already
        resampled = np.where(n_articles > 1, n_articles, lengths)[todo, None]
        low[todo], high[todo] = widen(
            point[todo], low[todo], high[todo], spread[todo], resampled, config.confidence, 1.0
        )
    # Evidence for what the cell says: where the unit takes a side, the passages that lean to
    # one side most clearly, |P(favor) - P(against)| (then the sharpest in tone); where it
    # takes none, the sharpest in tone. One ranking by the larger of the two put sharply
    # worded passages that take no side ahead of the one that made a stance (sanctions
    # wording is negative everywhere); P(favor) + P(against) put a passage the model splits
    # between the sides (34% and 23%: +0.12) ahead of one that clearly takes one (+0.56).
    sided = taken_sides(
        masses[:, 1], masses[:, 2], point[:, 0], config.min_stance_mass, leads=masses[:, 3:].T
    )
    by_side = sided[unit_of_row]
    sharp = relevance * np.abs(tone)
    strength = np.where(by_side, relevance * np.abs(favor - against), sharp)
    evidence = _evidence(
        table["passage_id"].to_numpy(dtype=object),
        strength,
        bounds,
        config,
        np.where(by_side, sharp, 0.0),
    )

    out = pd.DataFrame(unit_keys, columns=[*keys, "topic"])
    out["n_passages"] = lengths
    out["n_articles_discussing"] = n_articles
    for j, name in enumerate(("stance", "tone")):
        out[name], out[f"{name}_low"], out[f"{name}_high"] = point[:, j], low[:, j], high[:, j]
    out["evidence"] = evidence
    out["stance_mass"], out["favor_mass"], out["against_mass"] = masses[:, :3].T
    out[LEAD_MASS_COLUMNS[0]], out[LEAD_MASS_COLUMNS[1]] = masses[:, 3:].T
    return out[[*keys, "topic", *columns]]


def _change_points(table: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Row positions where any of ``keys`` differs from the previous row (row 0 included)."""
    changed = np.zeros(len(table), dtype=bool)
    changed[0] = True
    for key in keys:
        codes = pd.factorize(table[key])[0]
        changed[1:] |= codes[1:] != codes[:-1]
    return np.flatnonzero(changed)


def _evidence(
    passage_ids: np.ndarray,
    strength: np.ndarray,
    bounds: np.ndarray,
    config: AggregateConfig,
    then: np.ndarray | None = None,
) -> list[list[str]]:
    """Per unit, the ids of its strongest passages (on ties, the larger ``then``, then the
    earlier passage)."""
    lengths = np.diff(bounds)
    unit_of_row = np.repeat(np.arange(len(lengths)), lengths)
    then = np.zeros(len(strength)) if then is None else then
    order = np.lexsort((np.arange(len(strength)), -then, -strength, unit_of_row))
    rank = np.arange(len(order)) - bounds[:-1][unit_of_row]
    chosen = passage_ids[order[rank < config.max_evidence]]
    taken = np.minimum(lengths, config.max_evidence)
    return [[str(p) for p in part] for part in np.split(chosen, np.cumsum(taken)[:-1])]


def _intervals(
    matrix: np.ndarray,
    bounds: np.ndarray,
    article_bounds: np.ndarray,
    rng_keys: list[tuple[Any, ...]],
    todo: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    spread: np.ndarray,
    config: AggregateConfig,
) -> None:
    """Fill ``low``/``high`` (units × 2: stance, tone) with percentile bootstrap bounds, and
    ``spread`` with the replicates' standard deviation.

    Only the units flagged in ``todo`` are computed. Each draws its resamples from its own
    generator; the arithmetic on the draws is batched over many units at a time, so the
    per-unit Python work is only the drawing. A unit with more than ``_BLOCK_DRAWS`` draws (a
    prolific group in a large corpus) draws its replicates in blocks, each from a generator of
    its own (:func:`_block_ratios`), so that memory stays bounded whatever the corpus size.
    """
    alpha = (1.0 - config.confidence) / 2.0
    batch: list[tuple[int, np.ndarray, np.ndarray]] = []
    batch_size = 0

    def flush() -> None:
        nonlocal batch, batch_size
        if not batch:
            return
        units = np.array([unit for unit, _, _ in batch])
        index = np.concatenate([draws for _, draws, _ in batch])
        sizes = np.concatenate([sizes for _, _, sizes in batch])
        ratios = _replicate_means(matrix, index, sizes).reshape(len(units), -1, 2)
        low[units], high[units] = _percentiles(ratios, alpha, 1.0 - alpha)
        spread[units] = _spread(ratios)
        batch, batch_size = [], 0
        del units, index, sizes, ratios
        # After relevance and scoring the heap is full of trimmed holes; each batch's arrays,
        # freed, would stay resident where they landed until the stage ends (in a run on the
        # AllSides corpus the stage rose 215 MiB above its start without this, 67 MiB with it).
        release_freed_memory()

    for unit in np.flatnonzero(todo):
        start, end = bounds[unit], bounds[unit + 1]
        first, last = np.searchsorted(article_bounds, [start, end])
        articles = np.diff(article_bounds[first : last + 1])
        if config.n_bootstrap * int(articles.sum()) > _BLOCK_DRAWS:
            ratios = _block_ratios(matrix, articles, start, rng_keys[unit], config)
            lower, upper = _percentiles(ratios[None], alpha, 1.0 - alpha)
            low[unit], high[unit] = lower[0], upper[0]
            spread[unit] = _spread(ratios[None])[0]
            continue
        rng = _unit_rng(config.seed, *rng_keys[unit])
        draws, sizes = two_stage_draws(articles, start, rng, config.n_bootstrap)
        batch.append((unit, draws, sizes))
        batch_size += len(draws)
        if batch_size >= _CHUNK_ELEMENTS:
            flush()
    flush()


def _block_ratios(
    matrix: np.ndarray,
    articles: np.ndarray,
    start: int,
    key: tuple[Any, ...],
    config: AggregateConfig,
) -> np.ndarray:
    """Replicate means (replicates × 2) of one large unit, drawn in blocks of about
    ``_BLOCK_DRAWS`` rows (replicate sizes vary when articles are resampled; a block holds at
    least one replicate), block ``b`` from the generator of (unit key, "block", b)."""
    per_block = max(1, _BLOCK_DRAWS // int(articles.sum()))
    parts = []
    for block, first in enumerate(range(0, config.n_bootstrap, per_block)):
        rng = _unit_rng(config.seed, *key, "block", block)
        size = min(per_block, config.n_bootstrap - first)
        draws, sizes = two_stage_draws(articles, start, rng, size)
        parts.append(_replicate_means(matrix, draws, sizes))
        del draws, sizes
        release_freed_memory()  # as after each batch of units in _intervals
    return np.concatenate(parts)


def _unit_rng(seed: int, *key: Any) -> np.random.Generator:
    """A generator that depends only on the seed and the unit's key, never on other units."""
    text = "\x1f".join(str(part) for part in key)
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence([seed, int.from_bytes(digest, "little")]))
    )


def _replicate_means(matrix: np.ndarray, index: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Weighted means (replicates × 2) of consecutive runs of drawn rows; NaN if weight is 0.

    ``matrix`` rows are (stance weight, weighted stance, tone weight, weighted tone); ``sizes``
    are the run lengths.
    """
    run_starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    columns = np.ascontiguousarray(matrix.T)  # gathering from contiguous columns is ~4x faster
    sums = np.stack([np.add.reduceat(column[index], run_starts) for column in columns], axis=1)
    weights, weighted = sums[:, [0, 2]], sums[:, [1, 3]]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(weights > 0, weighted / weights, np.nan)


def _spread(ratios: np.ndarray) -> np.ndarray:
    """Standard deviation over axis 1 of (units × replicates × 2), NaN ignored (NaN where no
    replicate is finite)."""
    finite = ~np.isnan(ratios)
    count = finite.sum(axis=1)
    values = np.where(finite, ratios, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = values.sum(axis=1) / count
        square = np.where(finite, (ratios - mean[:, None, :]) ** 2, 0.0).sum(axis=1) / count
    return np.where(count > 0, np.sqrt(square), np.nan)


def _percentiles(ratios: np.ndarray, *quantiles: float) -> list[np.ndarray]:
    """Quantiles over axis 1 of (units × replicates × 2), numpy's linear rule, NaN ignored."""
    ordered = np.sort(ratios, axis=1)  # NaN sorts last
    finite = (~np.isnan(ratios)).sum(axis=1)  # units × 2
    out = []
    for q in quantiles:
        position = np.maximum(finite - 1, 0) * q
        below = np.floor(position).astype(int)
        above = np.minimum(below + 1, np.maximum(finite - 1, 0))
        lower = np.take_along_axis(ordered, below[:, None, :], axis=1)[:, 0]
        upper = np.take_along_axis(ordered, above[:, None, :], axis=1)[:, 0]
        value = lower + (upper - lower) * (position - below)
        out.append(np.where(finite > 0, value, np.nan))
    return out


def _article_frame(kept: pd.DataFrame, topics: list[str]) -> pd.DataFrame:
    """One row per kept article × topic with the article's metadata."""
    base = pd.DataFrame(
        {
            "level": "article",
            "article_id": kept["article_id"].to_numpy(dtype=object),
            "title": kept["title"].to_numpy(dtype=object),
            "author": kept["group"].to_numpy(dtype=object),
            "group_kind": kept["group_kind"].to_numpy(dtype=object),
            "group": kept["group"].to_numpy(dtype=object),
            "outlet": kept["outlet"].to_numpy(dtype=object),
            "date": kept["date"].to_numpy(dtype=object),
            "n_articles": 1,
            "unit_passages": pd.to_numeric(kept["n_passages"]).to_numpy(dtype=float),
        }
    )
    return _cross_topics(base, topics)


def _group_frame(kept: pd.DataFrame, topics: list[str], level: str = "author") -> pd.DataFrame:
    """One row per group (author, else outlet, else title) × topic with pooled metadata."""
    keys = ["group_kind", "group"]
    meta = kept[keys].copy()
    for column in ("outlet", "date"):
        values = kept[column].astype(object)
        meta[column] = values.where([_present(v) for v in values], None).map(
            lambda v: None if v is None else str(v)
        )
    meta["unit_passages"] = pd.to_numeric(kept["n_passages"]).astype(float)
    grouped = meta.groupby(keys, sort=False)
    base = grouped.size().rename("n_articles").reset_index()
    base["unit_passages"] = grouped["unit_passages"].sum(min_count=1).to_numpy()
    base["date"] = grouped["date"].max().reindex(pd.MultiIndex.from_frame(base[keys])).to_numpy()
    outlets = (
        meta.dropna(subset=["outlet"])
        .drop_duplicates([*keys, "outlet"])
        .sort_values("outlet", kind="stable")
        .groupby(keys, sort=False)["outlet"]
        .agg("; ".join)
    )
    base["outlet"] = outlets.reindex(pd.MultiIndex.from_frame(base[keys])).to_numpy()
    base["level"] = level
    base["article_id"] = None
    base["title"] = [f"{n} article" if n == 1 else f"{n} articles" for n in base["n_articles"]]
    base["author"] = base["group"]
    columns = ["level", "article_id", "title", "author", "group_kind", "group", "outlet", "date"]
    return _cross_topics(base[[*columns, "n_articles", "unit_passages"]], topics)


def _cross_topics(base: pd.DataFrame, topics: list[str]) -> pd.DataFrame:
    """Repeat every unit row once per topic, unit-major."""
    out = base.loc[base.index.repeat(len(topics))].reset_index(drop=True)
    out["topic"] = np.array(topics * len(base), dtype=object)
    return out


def _attach(
    rows: pd.DataFrame,
    stats: pd.DataFrame,
    quoted: pd.DataFrame,
    reported: pd.Series,
    keys: list[str],
) -> pd.DataFrame:
    """Join unit statistics onto the unit rows; units without counted passages are not discussed."""
    out = rows.merge(stats, on=keys, how="left", validate="one_to_one")
    out = out.merge(quoted, on=keys, how="left", validate="one_to_one")
    n_reported = reported.rename("n_reported").reset_index()
    out = out.merge(n_reported, on=keys, how="left", validate="one_to_one")
    for column in ("n_passages", "n_reported", "n_articles_discussing", "n_articles_quoting"):
        out[column] = out[column].fillna(0).astype(int)
    out["n_articles"] = out["n_articles"].astype(int)
    # Discussed: the unit has topic passages, its own or quoted (an article that only quotes
    # people on a topic discusses it; its author's own stance is then "no stance expressed").
    discussed = (out["n_passages"] > 0) | (out["n_reported"] > 0)
    out["status"] = np.where(discussed, "discussed", "not_discussed")
    for column in ("evidence", "quoted_evidence"):
        out[column] = [e if isinstance(e, list) else [] for e in out[column]]
    for column in (
        "stance",
        "stance_low",
        "stance_high",
        "tone",
        "tone_low",
        "tone_high",
        "stance_mass",
        "favor_mass",
        "against_mass",
        *(c for c in QUOTED_COLUMNS.values() if c != "quoted_evidence"),
    ):
        out[column] = out[column].astype(float)
    return out


def _present(value: Any) -> bool:
    """True for a real value; False for None, NaN and blank strings."""
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and not pd.isna(value)
