"""Bootstrap intervals that own up to small samples.

A percentile bootstrap over ``k`` resampled units (an article's passages, an author's
articles) cannot reach beyond the values it resamples, and its spread is the plug-in standard
error, too small by ``sqrt((k - 1) / k)``: over two passages it spans just their two values.
Measured on the AllSides corpus (``experiments/interval_coverage.py``), such an interval held
the stance of all of an article's passages 45% of the time when it rested on two of them, 84%
on six, for a nominal 95%. The positions, the author differences and the shifts therefore
extend each percentile interval to at least the small-sample t interval, ``point ± t(k - 1) ·
sqrt(k / (k - 1)) · SD`` with SD the bootstrap replicates' standard deviation; as ``k`` grows
the two agree and the percentile interval (which can be asymmetric) is kept. The intervals
stay too narrow where the few passages happen to agree (a zero-width interval stays so).

All three also draw their replicates alike (:func:`two_stage_draws`): an author's articles
with replacement, then passages within each drawn article, so that a difference or a shift
is never resampled more tightly than the positions it compares.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

# The name runs record for how their intervals were made (run.json ``interval_method``); runs
# that do not record one made plain percentile intervals.
INTERVAL_METHOD = "percentile bootstrap extended to the small-sample t interval (k - 1 df)"
PLAIN_PERCENTILE = "percentile bootstrap"
# A stance within ±NEAR_ZERO of 0 takes practically no side: +0.02 is a mean over passages
# nearly all of which take none, however narrow its interval (run comparisons read values in
# this band as 0: ``analysis.compare.DEFAULT_ZERO_BAND``)
NEAR_ZERO = 0.05


def settled_near_zero(low: object, high: object, band: float = NEAR_ZERO) -> bool:
    """Whether an interval exists and lies wholly within ±``band``, its ends as shown (to two
    decimals, so that two intervals printed alike are judged alike): a stance sure to be close
    to 0, which an analyst should not read as a side however sure it is."""
    try:
        lo, hi = round(float(low), 2), round(float(high), 2)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return bool(np.isfinite(lo) and np.isfinite(hi) and -band <= lo and hi <= band)


def t_multiplier(resampled: np.ndarray | int, confidence: float) -> np.ndarray:
    """How many bootstrap standard deviations the t interval over ``resampled`` units reaches
    on either side: Student's t quantile with ``k - 1`` degrees of freedom times
    ``sqrt(k / (k - 1))``; NaN where ``k < 2`` (no interval there).

    For 95%: 18.0 at k = 2, 5.3 at 3, 3.1 at 5, 2.4 at 10, 2.03 at 50 (a normal interval: 1.96).
    """
    from scipy.stats import t  # here: importing scipy.stats costs half a second

    k = np.asarray(resampled, dtype=float)
    tail = 0.5 + confidence / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = t.ppf(tail, np.maximum(k - 1.0, 1.0)) * np.sqrt(k / (k - 1.0))
    return np.where(k >= 2, factor, np.nan)


def widen(
    point: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    spread: np.ndarray,
    resampled: np.ndarray,
    confidence: float,
    limit: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The percentile interval ``[low, high]`` extended to at least ``point ± t_multiplier ×
    spread`` (``spread``: the replicates' standard deviation; arrays broadcast), never
    narrower than it was, within ``[-limit, limit]``. A missing end stays missing; a missing
    point or spread leaves the interval as it was."""
    point, low, high, spread = (np.asarray(x, dtype=float) for x in (point, low, high, spread))
    half = t_multiplier(resampled, confidence) * spread
    wide_low = np.fmin(low, point - half)  # fmin: a NaN bound leaves the percentile end
    wide_high = np.fmax(high, point + half)
    missing = np.isnan(low) | np.isnan(high)
    return (
        np.where(missing, low, np.clip(wide_low, -limit, limit)),
        np.where(missing, high, np.clip(wide_high, -limit, limit)),
    )


def two_stage_draws(
    articles: np.ndarray, start: int, rng: np.random.Generator, n_bootstrap: int
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap draws over one set of articles: row positions (replicate after replicate) and
    the number of rows in each replicate.

    ``articles`` gives the passages per article in row order from row ``start``. With one
    article the passages are resampled; with several the articles are resampled, then
    passages within each drawn article, so a replicate's size varies. The positions' author
    intervals, the author differences and the shifts all draw this way, so that a difference
    is never resampled more tightly than the positions it compares.
    """
    n = int(articles.sum())
    if len(articles) == 1:
        return rng.integers(start, start + n, size=n_bootstrap * n), np.full(n_bootstrap, n)
    k = len(articles)
    offsets = start + np.concatenate([[0], np.cumsum(articles)[:-1]])
    picks = rng.integers(0, k, size=n_bootstrap * k)
    counts = articles[picks]
    spans = np.repeat(counts, counts)
    # floor(u × span) is uniform on 0..span-1; the minimum guards a product rounded up to span.
    within = np.minimum((rng.random(len(spans)) * spans).astype(np.int64), spans - 1)
    return np.repeat(offsets[picks], counts) + within, counts.reshape(n_bootstrap, k).sum(axis=1)


def two_stage_sums(
    rows: np.ndarray,
    articles: np.ndarray,
    rng: np.random.Generator,
    n_bootstrap: int,
    max_rows: int = 1 << 20,
) -> np.ndarray:
    """Column sums of ``rows`` (passages × columns, grouped by article in order, ``articles``
    passages each) over ``n_bootstrap`` replicates drawn by :func:`two_stage_draws`: replicates
    × columns. Drawn in blocks of about ``max_rows`` rows, so memory stays bounded for a
    prolific author."""
    per_block = max(1, max_rows // max(1, int(articles.sum())))
    parts = []
    for done in range(0, n_bootstrap, per_block):
        index, sizes = two_stage_draws(articles, 0, rng, min(per_block, n_bootstrap - done))
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        parts.append(np.add.reduceat(rows[index], starts, axis=0))
    return np.vstack(parts) if parts else np.empty((0, rows.shape[1]))


def mixed_lean(low: Any, high: Any) -> str | None:
    """The side a "mixed" stance (both sides taken, about equally) still leans to where its
    whole interval is on it ("favor", "against"), else None: an audit read "+0.26 [+0.03,
    +0.49] mixed" as a contradiction. None too where all of it is within ±NEAR_ZERO."""
    try:
        lo, hi = float(low), float(high)
    except (TypeError, ValueError):
        return None
    if math.isnan(lo) or math.isnan(hi) or settled_near_zero(lo, hi):  # no side worth naming
        return None
    return "favor" if lo > 0 else "against" if hi < 0 else None


def interval_digits(low: Any, high: Any, most: int = 4) -> tuple[int, int]:
    """The decimals each end of ``[low, high]`` is shown with: 2, or more (up to ``most``) for
    an end of an interval clear of 0 that two would round to 0.00 (+0.004 is clear of 0,
    "+0.00" read as touching it). An end that rounds to 0 even at ``most`` is 0 but for the
    arithmetic (1e-17); an interval across 0, or missing an end, keeps 2."""
    from analysis.records import is_missing  # pandas, only where an interval is written

    if is_missing(low) or is_missing(high) or not (float(low) > 0 or float(high) < 0):
        return 2, 2

    def digits(value: float) -> int:
        if round(value, most) == 0:
            return 2
        n = 2
        while round(value, n) == 0:
            n += 1
        return n

    return digits(float(low)), digits(float(high))
