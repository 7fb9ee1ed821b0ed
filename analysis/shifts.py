"""Did an author change? A shift in an author's stance or tone on a topic over time.

Over the author's dated articles that discuss the topic (own voice), ordered by date:

- with a date the user picks, the shift is (after − before) of the same relevance-weighted means
  the positions show, with a bootstrap interval that resamples each side as the positions'
  author intervals do (articles, then passages within each drawn article; extended for small
  samples as the positions' intervals are, ``analysis.intervals``, with the fewer side's
  articles as ``k``) and a permutation p-value (articles reassigned to before/after at
  random, sizes kept, or in every way they can be where there are no more ways than
  resamples: an exact p) of the shift over its standard error (:mod:`analysis.studentized`), so
  that a change in how much the articles vary is not read as a shift;
- without one, the change point is the split between two consecutive dates (at least
  ``min_side`` articles on each side) whose shift is largest against its standard error, and
  its p-value comes from permutations that repeat the whole search, so that looking for the
  best split is paid for (the shift and its bootstrap interval are then taken at the split
  found, the one that stands out most: both are optimistic; the dashboard holds a shift only
  where p and the interval agree).

Each result carries its evidence: the passages before and after the split that take the most
pronounced side in the direction of the shift. Seeded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from analysis import outlets
from analysis.aggregate import LEAD_MASS_COLUMNS, taken_sides, unusable_scores
from analysis.bylines import membership
from analysis.differences import (
    CONFIDENCE,
    MIN_ARTICLES,
    MOMENT_COLUMNS,
    TAILS,
    disagreement_note,
    every_split,
    passage_sums,
    permutation_p,
    reading_note,
    resampled_means,
)
from analysis.intervals import widen
from analysis.metrics import benjamini_hochberg
from analysis.runs import GROUP_LEVELS, Run
from analysis.studentized import article_moments, studentized_difference

MEASURE_COLUMN = {"stance": 2, "tone": 3}  # columns of the per-article sums (w, side, stance, tone)


@dataclass(frozen=True)
class Shift:
    author: str
    topic: str
    measure: str
    split_date: str | None  # first date of the "after" side
    detected: bool  # the split was found by searching (False: given, or none found)
    before: float | None
    after: float | None
    shift: float | None
    low: float | None
    high: float | None
    p_value: float | None
    n_before: int
    n_after: int
    evidence_before: list[dict[str, Any]] = field(default_factory=list)
    evidence_after: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    # Benjamini–Hochberg over the shifts asked for together (:func:`with_q_values`); None
    # where there is no test, or before q-values are given
    q_value: float | None = None
    # the date of the last article before the split: a change found there happened at some
    # time between it and ``split_date`` (None where nothing was measured)
    last_before: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def with_q_values(shifts: Sequence[Shift]) -> list[Shift]:
    """``shifts`` with the q-value of each tested one: the Benjamini–Hochberg false discovery
    rate over every test among them, since reading six shifts at once finds one under p 0.05
    more often than one in twenty (a lone test's q is its p, as for differences)."""
    tested = [i for i, s in enumerate(shifts) if s.p_value is not None]
    if not tested:
        return list(shifts)
    q = benjamini_hochberg([shifts[i].p_value for i in tested])
    q_of = dict(zip(tested, q, strict=True))
    return [replace(s, q_value=float(q_of[i])) if i in q_of else s for i, s in enumerate(shifts)]


def _value(sums: np.ndarray, measure: str) -> np.ndarray:
    """Weighted mean of ``measure`` for each row of stacked sums (draws x 4)."""
    numerator = sums[..., MEASURE_COLUMN[measure]]
    denominator = sums[..., 1] if measure == "stance" else sums[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def _split_stats(sums: np.ndarray, measure: str, cuts: list[int]) -> np.ndarray:
    """(after − before) for each cut position k (before = rows [:k])."""
    cumulative = np.cumsum(sums, axis=0)
    total = cumulative[-1]
    before = np.stack([cumulative[k - 1] for k in cuts])
    after = total - before
    return _value(after, measure) - _value(before, measure)


def _largest(stats: np.ndarray) -> float:
    """The largest |statistic| of one permutation's splits (NaN where none has one)."""
    stats = np.abs(stats[~np.isnan(stats)])
    return float(stats.max()) if len(stats) else np.nan


def _split_t(sums: np.ndarray, measure: str, cuts: list[int]) -> np.ndarray:
    """The studentized (after − before) for each cut position k (before = rows [:k]): the
    statistic the tests permute and the change point maximises, so that a side of a few
    erratic articles is not taken for a change (:mod:`analysis.studentized`)."""
    weight, value = MOMENT_COLUMNS[measure]
    cumulative = np.cumsum(article_moments(sums[:, weight], sums[:, value]), axis=0)
    before = cumulative[np.asarray(cuts) - 1]
    return studentized_difference(cumulative[-1] - before, before)


def _evidence(
    run: Run, article_ids: list[str], topic: str, measure: str, sign: float, top: int
) -> list:
    """The passages of ``article_ids`` that go furthest in direction ``sign`` on ``measure``."""
    scores = run.scores[
        (run.scores["topic"] == topic)
        & run.scores["article_id"].isin(article_ids)
        & ~run.scores["reported"].astype(bool)
    ]
    if scores.empty or not np.isfinite(sign):
        return []
    ranked = scores.assign(_key=scores[measure].astype(float) * (sign or 1.0)).sort_values(
        "_key", ascending=False
    )
    ranked = ranked.head(top)
    # only the rows shown are looked up: indexing the whole passages table cost more than the
    # shift itself on a large run
    passages = run.passages[run.passages["passage_id"].isin(ranked["passage_id"])]
    texts = dict(zip(passages["passage_id"], passages["text"], strict=True))
    articles = run.articles[run.articles["article_id"].isin(ranked["article_id"])]
    dates = dict(zip(articles["article_id"], articles["date"], strict=True))
    return [
        {
            "passage_id": str(r["passage_id"]),
            "date": None if pd.isna(dates.get(r["article_id"])) else str(dates[r["article_id"]]),
            "text": str(texts.get(r["passage_id"], "")),
            "stance": float(r["stance"]),
            "tone": float(r["tone"]),
        }
        for _, r in ranked.iterrows()
    ]


def author_shift(
    run: Run,
    author: str,
    topic: str,
    measure: str = "stance",
    split_date: str | None = None,
    min_side: int = 3,
    n_resamples: int = 2000,
    seed: int = 0,
    evidence: int = 3,
    members: pd.DataFrame | None = None,
    level: str = "author",
) -> Shift:
    """The author's shift on ``topic`` at ``split_date`` (ISO date), or at the detected change
    point when none is given (``members``: :func:`analysis.bylines.membership` of the run's
    articles, if already at hand: it is most of the cost when many shifts are asked for).
    ``level`` "outlet": ``author`` is an outlet, over all its articles (``members`` then
    :func:`analysis.outlets.members`)."""
    if measure not in MEASURE_COLUMN:
        raise ValueError(f"expected measure 'stance' or 'tone', got {measure!r}")
    if level not in GROUP_LEVELS:
        raise ValueError(f"expected level among {GROUP_LEVELS}, got {level!r}")
    if members is None:
        if level == "outlet":
            members = outlets.members(run.articles)
        else:
            members = membership(run.articles, run.info.known_rosters)
    author = outlets.match_unit(run, author, members["group"].astype(str), level)
    if split_date is not None:
        try:
            split_day = pd.Timestamp(date.fromisoformat(split_date))
        except (TypeError, ValueError):
            raise ValueError(f"expected a date like 2018-07-16, got {split_date!r}") from None
    passages = passage_sums(run, topic, members)
    passages = passages[passages["group"] == author]
    sums = passages.groupby(["group", "article_id"], sort=True).sum().reset_index()
    base = {"author": author, "topic": topic, "measure": measure}

    def unmeasured(note: str, split: str | None, n_before: int, n_after: int) -> Shift:
        """No shift measured, and why (``note``): values, interval and p all None."""
        empty = dict.fromkeys(("before", "after", "shift", "low", "high", "p_value"))
        return Shift(
            **base,
            split_date=split,
            detected=False,
            **empty,
            n_before=n_before,
            n_after=n_after,
            note=note,
        )

    if sums.empty:  # nothing in the author's own words on the topic: say why, not "no date"
        return unmeasured(_absent_note(run, author, topic, level, members), split_date, 0, 0)
    dates = pd.to_datetime(run.articles.set_index("article_id")["date"], errors="coerce")
    sums = sums.assign(day=sums["article_id"].map(dates)).dropna(subset=["day"])
    sums = sums.sort_values(["day", "article_id"], kind="stable").reset_index(drop=True)
    matrix = sums[["w", "side", "stance", "tone"]].to_numpy(float)
    days = list(sums["day"])
    rng = np.random.default_rng(seed)
    # A side whose own-voice passages take no side has no stance to move from or to, as the
    # positions say "no stance expressed" under this expected count of passages taking a side.
    min_mass = float(run.config.get("aggregate", {}).get("min_stance_mass", 0.1))
    # running sums of (weight for the stance, weighted stance, favor and against masses and
    # leads): a side takes a side as the positions read one (aggregate.taken_sides)
    columns = ["side", "stance", "favor_mass", "against_mass", *LEAD_MASS_COLUMNS]
    running = np.cumsum(sums[columns].to_numpy(float), axis=0) if measure == "stance" else None

    def silent_side(k: int) -> str | None:
        if running is None:
            return None
        parts = np.vstack([running[k - 1], running[-1] - running[k - 1]])
        with np.errstate(divide="ignore", invalid="ignore"):
            points = np.where(parts[:, 0] > 0, parts[:, 1] / parts[:, 0], np.nan)
        taken = taken_sides(parts[:, 2], parts[:, 3], points, min_mass, leads=parts[:, 4:].T)
        if not taken.any():
            return "either side"
        return "before" if not taken[0] else ("after" if not taken[1] else None)

    if split_date is not None:
        k = int(sum(d < split_day for d in days))
        if k == 0 or k == len(days):
            return unmeasured(
                "no dated article on one side of the date", split_date, k, len(days) - k
            )
        silent = silent_side(k)
        if silent:
            return unmeasured(
                f"no stance expressed {silent} (fewer than {min_mass:g} passages "
                "expected to take a side)",
                split_date,
                k,
                len(days) - k,
            )
        observed = float(_split_stats(matrix, measure, [k])[0])
        t = float(_split_t(matrix, measure, [k])[0])
        null = []
        # every way to choose the articles before the date, where there are no more of them
        # than resamples: the exact p, as compare-authors's
        splits = every_split(len(matrix), k, n_resamples)
        exact = splits is not None
        if splits is not None:
            everyone = np.arange(len(matrix))
            for chosen in splits:
                order = np.concatenate([chosen, np.setdiff1d(everyone, chosen)])
                null.append(_split_t(matrix[order], measure, [k])[0])
        else:
            for _ in range(n_resamples):
                perm = matrix[rng.permutation(len(matrix))]
                null.append(_split_t(perm, measure, [k])[0])
        detected = False
    else:
        cuts = [
            k
            for k in range(min_side, len(days) - min_side + 1)
            if days[k] != days[k - 1]  # a split falls between two different dates
        ]
        spoken = [k for k in cuts if not silent_side(k)]
        if cuts and not spoken:
            return unmeasured("no split with a stance expressed on both sides", None, len(days), 0)
        cuts = spoken
        if not cuts:
            return unmeasured(
                f"needs at least {2 * min_side} dated articles on the topic in its own words "
                f"on two or more dates, has {len(days)}",
                None,
                len(days),
                0,
            )
        stats = _split_t(matrix, measure, cuts)
        if np.isnan(stats).all():
            return unmeasured("no side taken on either side", None, len(days), 0)
        best = int(np.nanargmax(np.abs(stats)))
        k, t = cuts[best], float(stats[best])
        observed = float(_split_stats(matrix, measure, [k])[0])
        null = []
        exact = False  # the search's null reorders every article: drawn at random
        for _ in range(n_resamples):
            perm = matrix[rng.permutation(len(matrix))]
            null.append(_largest(_split_t(perm, measure, cuts)))
        detected = True
    p = permutation_p(t, np.asarray(null, dtype=float), exact)
    before_rows, after_rows = matrix[:k], matrix[k:]
    # each side resampled as the positions' author intervals are: articles, then passages
    column = 0 if measure == "stance" else 1
    ids = list(sums["article_id"])
    by_article = passages.set_index("article_id")
    before_draws, after_draws = (
        resampled_means(by_article.loc[side].reset_index(), rng, n_resamples)[:, column]
        for side in (ids[:k], ids[k:])
    )
    draws = after_draws - before_draws
    finite = draws[np.isfinite(draws)]
    low, high = np.percentile(finite, TAILS) if len(finite) else (np.nan, np.nan)
    # few articles on either side: extended as the positions' intervals are
    spread = finite.std() if len(finite) else np.nan
    low, high = widen(observed, low, high, spread, min(k, len(matrix) - k), CONFIDENCE, 2.0)
    sign = float(np.sign(observed)) if np.isfinite(observed) else 0.0
    note = ""
    if min(k, len(days) - k) < MIN_ARTICLES:  # one article cannot vary: no interval, no test
        low, high, p = np.nan, np.nan, np.nan
        note = f"too few articles for an interval or a test (needs {MIN_ARTICLES} each side)"
    elif not detected:  # as for differences: a test too small, or an interval and p at odds
        note = reading_note(k, len(days) - k, _clean(low), _clean(high), _clean(p))
    else:  # the search's p has no floor of one split's; an interval at odds with it is said
        note = disagreement_note(_clean(low), _clean(high), _clean(p))
    return Shift(
        **base,
        split_date=split_date or days[k].date().isoformat(),
        last_before=days[k - 1].date().isoformat(),
        detected=detected,
        before=_clean(_value(before_rows.sum(axis=0), measure)),
        after=_clean(_value(after_rows.sum(axis=0), measure)),
        shift=_clean(observed),
        low=_clean(low),
        high=_clean(high),
        p_value=_clean(p),
        n_before=k,
        n_after=len(days) - k,
        evidence_before=_evidence(run, ids[:k], topic, measure, -sign, evidence),
        evidence_after=_evidence(run, ids[k:], topic, measure, sign, evidence),
        note=note,
    )


def _clean(value: Any) -> float | None:
    value = float(value)
    return round(value, 6) if np.isfinite(value) else None


def _absent_note(
    run: Run, author: str, topic: str, level: str = "author", members: pd.DataFrame | None = None
) -> str:
    """Why an author (or outlet, at ``level`` "outlet", whose articles ``members`` lists) has
    no article to compare on ``topic``: it discusses it only through quoted voices, has
    passages the model could not score, or does not discuss it (as the positions say)."""
    if level == "outlet" and members is not None:
        ids = set(members.loc[members["group"] == author, "article_id"])
        rows = run.scores[(run.scores["topic"] == topic) & run.scores["article_id"].isin(ids)]
        usable = ~unusable_scores(rows, run.info.aggregation.include_reported)
        if (rows["reported"].astype(bool) & usable).any():
            return "discussed only through quoted voices, nothing in its articles' own words"
        if len(rows):
            return "no prediction: the model could not score the passages on it"
        return "does not discuss it"
    rows = run.positions[
        (run.positions["level"] == "author")
        & (run.positions["author"] == author)
        & (run.positions["topic"] == topic)
    ]
    if (rows["status"] == "discussed").any():
        return "discussed only through quoted voices, nothing in the author's own words"
    if (rows["status"] == "unscored").any():
        return "no prediction: the model could not score the passages on it"
    return "does not discuss it"
