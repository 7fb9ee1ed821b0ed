"""The studentized difference of two relevance-weighted means, the statistic the permutation
tests of ``compare-authors`` and ``shift`` permute.

A permutation test of the plain difference of means assumes that the two sets of articles are
interchangeable: same mean *and* same spread. Analysts read its p as "the means differ", and
two authors with the same mean but a different spread (a columnist's five varied pieces
against a wire service's forty alike) then read as different far more often than one time in
twenty (in a review's simulation, 5 articles of spread 0.5 against 40 of spread 0.05: p < 0.05
in 35-41% of draws). Dividing each difference by its standard error, in the observed split
and in every permuted one, keeps the test exact where the articles are interchangeable and
makes it hold for the means alone in large samples (Chung & Romano 2013, "Exact and
asymptotically robust permutation tests", Annals of Statistics 41(2)).

A mean here is a ratio, ``X / W`` (``X``: an article's weighted values summed, ``W``: its
weights summed), with articles the unit; its variance is the linearised one of a ratio over
``n`` articles, ``n / (n - 1) * Σ (x_i - m w_i)² / W²``. Everything is carried as sums of
per-article moments (:data:`MOMENTS`), so that a split, a permuted split or a cumulative split
is one sum.
"""

from __future__ import annotations

import numpy as np

# Per article: count, W, X, W², X², X·W: sums of these give any set's mean and variance.
MOMENTS = ("n", "w", "x", "ww", "xx", "xw")
# A standard error under this is no spread at all (float noise of identical values).
_NO_SPREAD = 1e-9
# Squared residuals under this share of the squares they come from are rounding noise.
_ROUNDING = 1e-12


def article_moments(weights: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The moments (articles x 6) of articles with weights summed ``weights`` and weighted
    values summed ``values`` (one entry per article)."""
    w = np.asarray(weights, dtype=float)
    x = np.asarray(values, dtype=float)
    return np.stack([np.ones_like(w), w, x, w * w, x * x, x * w], axis=-1)


def mean_and_variance(moments: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean and its variance for each row of summed moments (... x 6); NaN where the
    weights sum to 0 (no mean) or, for the variance, where fewer than two articles."""
    n, w, x, ww, xx, xw = (moments[..., i] for i in range(len(MOMENTS)))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(w > 0, x / w, np.nan)
        squares = xx - 2 * mean * xw + mean * mean * ww
        # articles of one value leave rounding noise, not 0: read as no spread at all, so that
        # two such sides are as far apart as their data can be (a tie at the top of the null)
        squares = np.where(squares > _ROUNDING * (xx + mean * mean * ww), squares, 0.0)
        variance = np.where(n > 1, n / (n - 1) * squares / (w * w), np.nan)
    return mean, variance


def studentized_difference(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """(mean of ``first`` − mean of ``second``) / its standard error, for rows of summed
    moments. Where neither side varies, a difference is ±inf (as far apart as the data can
    be) and no difference 0; NaN where either side has no mean or fewer than two articles."""
    mean_a, var_a = mean_and_variance(first)
    mean_b, var_b = mean_and_variance(second)
    difference = mean_a - mean_b
    error = np.sqrt(var_a + var_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        apart = np.where(np.abs(difference) > _NO_SPREAD, np.sign(difference) * np.inf, 0.0)
        t = np.where(error > _NO_SPREAD, difference / error, apart)
    return np.where(np.isfinite(difference) & np.isfinite(error), t, np.nan)
