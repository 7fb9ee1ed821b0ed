"""Is author A different from author B? Differences in stance and tone with intervals and tests.

For one run, two (or more) authors and each topic, the difference A − B of the same
relevance-weighted means the positions show (stance by the run's ``stance_rule``, tone), over
each author's own-voice topic passages (reported speech too if the run counted it). Articles are
the unit of resampling, as in the positions' intervals:

- the 95% interval is a bootstrap that resamples A and B independently, each as its
  position's interval does (articles with replacement, then passages within each drawn
  article: a difference is never resampled more tightly than the positions it compares),
  extended for small samples as the positions' intervals are (``analysis.intervals``, with the
  fewer of the two authors' articles as ``k``: a percentile interval over two articles a side
  spans little more than their values), whichever way the run's positions were made;
- the p-value is a permutation test: the two authors' articles are pooled and reassigned at
  random (sizes kept), two-sided, ``(1 + #{|t*| >= |t|}) / (1 + permutations)``, or over every
  split where there are no more splits than permutations (``#{|t*| >= |t|} / splits``), where
  ``t`` is the difference over its standard error (:mod:`analysis.studentized`): exact where the
  articles are interchangeable, and for the means alone in large samples, so that a
  difference in spread is not read as one in stance; each pair draws from its own seeded
  stream, so its numbers do not depend on the other authors of the call;
- with several pairs (more than two authors, every topic, both measures), the Benjamini–Hochberg
  q-values control the false discovery rate over all the tests made.

Seeded, so the same call gives the same numbers.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from analysis import outlets
from analysis.aggregate import LEAD_MASS_COLUMNS
from analysis.bylines import membership
from analysis.intervals import two_stage_sums, widen
from analysis.metrics import benjamini_hochberg
from analysis.runs import GROUP_LEVELS, Run
from analysis.studentized import article_moments, studentized_difference

MEASURES = ("stance", "tone")
# The per-passage terms summed into the means: weight, stance weight, weighted stance and tone
SUM_COLUMNS = ("w", "side", "stance", "tone", "n")
# per passage: P(favor) and P(against), whose sums are the positions' favor and against masses,
# and the side each takes net of the other (aggregate.LEAD_MASS_COLUMNS)
MASS_COLUMNS = ("favor_mass", "against_mass", *LEAD_MASS_COLUMNS)
# Per measure, the columns of the per-article sums (w, side, stance, tone) that are its mean's
# weights and weighted values
MOMENT_COLUMNS = {"stance": (1, 2), "tone": (0, 3)}
MIN_ARTICLES = 2  # per author, for a bootstrap interval and a permutation test
CONFIDENCE = 0.95  # of the differences' and shifts' intervals, whatever the positions' are
TAILS = [50 * (1 - CONFIDENCE), 50 * (1 + CONFIDENCE)]  # its percentiles: 2.5 and 97.5
_EMPTY = dict.fromkeys(("value_a", "value_b", "difference", "low", "high", "p_value"))


@dataclass(frozen=True)
class Difference:
    """One test: measure of ``a`` minus that of ``b`` on ``topic``."""

    a: str
    b: str
    topic: str
    measure: str
    value_a: float | None
    value_b: float | None
    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    q_value: float | None
    n_articles_a: int
    n_articles_b: int
    n_passages_a: int
    n_passages_b: int
    note: str = ""  # why a number is missing

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def passage_sums(run: Run, topic: str, members: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per (author, article, passage), in that order: the weighted terms behind the stance and
    tone means (``members``: :func:`analysis.bylines.membership` of the run's articles, if
    already at hand)."""
    scores = run.scores[run.scores["topic"] == topic]
    include_reported = bool(run.config.get("aggregate", {}).get("include_reported", False))
    if not include_reported:
        scores = scores[~scores["reported"].astype(bool)]
    scores = scores[scores["stance"].notna() & scores["tone"].notna()]
    if members is None:
        members = membership(run.articles, run.info.known_rosters)
    kept = run.articles.loc[run.articles["duplicate_of"].isna(), ["article_id"]]
    members = members.merge(kept, on="article_id")[["article_id", "group"]]
    table = scores.merge(members, on="article_id", how="inner")
    if table.empty:
        return pd.DataFrame(
            columns=["group", "article_id", *SUM_COLUMNS, *MASS_COLUMNS], dtype=float
        )
    table = table.sort_values(["group", "article_id", "passage_id"], kind="stable")
    w = table["relevance"].astype(float).clip(0, 1).to_numpy()
    w = np.where(w > 0, w, 1e-9)
    stance = table["stance"].astype(float).to_numpy()
    if "stance_favor" in table and "stance_against" in table:
        favor = table["stance_favor"].astype(float).to_numpy()
        against = table["stance_against"].astype(float).to_numpy()
    else:  # a scorer without probabilities: its signed stance as the side it takes
        favor, against = np.clip(stance, 0, None), np.clip(-stance, 0, None)
    rule = run.config.get("aggregate", {}).get("stance_rule", "mean")
    frame = pd.DataFrame(
        {
            "group": table["group"].astype(str).to_numpy(),
            "article_id": table["article_id"].astype(str).to_numpy(),
            "w": w,
            "side": w * (favor + against) if rule == "balance" else w,
            "stance": w * stance,
            "tone": w * table["tone"].astype(float).to_numpy(),
            "n": 1.0,
            "favor_mass": favor,
            "against_mass": against,
            LEAD_MASS_COLUMNS[0]: np.maximum(favor - against, 0.0),
            LEAD_MASS_COLUMNS[1]: np.maximum(against - favor, 0.0),
        }
    )
    return frame.reset_index(drop=True)


def resampled_means(
    passages: pd.DataFrame, rng: np.random.Generator, n_bootstrap: int
) -> np.ndarray:
    """(stance, tone) of ``n_bootstrap`` replicates of one set of articles (rows of
    :func:`passage_sums`), drawn as the positions' author intervals are: articles with
    replacement, then passages within each drawn article."""
    sizes = passages.groupby("article_id", sort=False).size().to_numpy()
    rows = passages[list(SUM_COLUMNS[:4])].to_numpy(float)
    sums = two_stage_sums(rows, sizes, rng, n_bootstrap)
    with np.errstate(divide="ignore", invalid="ignore"):
        stance = np.where(sums[:, 1] > 0, sums[:, 2] / sums[:, 1], np.nan)
        tone = np.where(sums[:, 0] > 0, sums[:, 3] / sums[:, 0], np.nan)
    return np.column_stack([stance, tone])


def _means(sums: np.ndarray) -> tuple[float, float]:
    """(stance, tone) of a set of articles from their stacked sums (w, side, stance, tone)."""
    total = sums.sum(axis=0)
    stance = total[2] / total[1] if total[1] > 0 else np.nan
    tone = total[3] / total[0] if total[0] > 0 else np.nan
    return float(stance), float(tone)


def _pair_tests(
    a_passages: pd.DataFrame,
    b_passages: pd.DataFrame,
    n_boot: int,
    n_perm: int,
    rng: np.random.Generator,
) -> dict[str, tuple]:
    """Per measure: (value_a, value_b, diff, low, high, p). The interval resamples each side
    as its position's interval does; the permutation test reassigns whole articles."""
    a_sums, b_sums = (
        x.groupby("article_id", sort=False)[list(SUM_COLUMNS[:4])].sum().to_numpy(float)
        for x in (a_passages, b_passages)
    )
    va, vb = _means(a_sums), _means(b_sums)
    observed = np.array(va) - np.array(vb)
    na, nb = len(a_sums), len(b_sums)
    boot = resampled_means(a_passages, rng, n_boot) - resampled_means(b_passages, rng, n_boot)
    pooled = np.vstack([a_sums, b_sums])
    order = every_split(len(pooled), na, n_perm)  # A's articles in each split
    exact = order is not None
    if order is None:
        order = np.argsort(rng.random((n_perm, len(pooled))), axis=1)[:, :na]
    out = {}
    for i, measure in enumerate(MEASURES):
        if not np.isfinite(observed[i]):
            out[measure] = (va[i], vb[i], None, None, None, None)
            continue
        weight, value = MOMENT_COLUMNS[measure]
        moments = article_moments(pooled[:, weight], pooled[:, value])
        total = moments.sum(axis=0)
        t = studentized_difference(moments[:na].sum(axis=0), moments[na:].sum(axis=0))
        drawn = moments[order].sum(axis=1)
        perm = studentized_difference(drawn, total - drawn)
        finite = boot[:, i][np.isfinite(boot[:, i])]
        low, high = np.percentile(finite, TAILS) if len(finite) else (np.nan, np.nan)
        # few articles on either side: extended as the positions' intervals are
        spread = finite.std() if len(finite) else np.nan
        low, high = widen(observed[i], low, high, spread, min(na, nb), CONFIDENCE, 2.0)
        p = permutation_p(t, perm, exact)
        out[measure] = (va[i], vb[i], float(observed[i]), float(low), float(high), float(p))
    return out


def _pair_tests_of(
    a_passages: pd.DataFrame,
    b_passages: pd.DataFrame,
    key: tuple[str, str, str],
    n_boot: int,
    n_perm: int,
    seed: int,
) -> dict[str, tuple]:
    """:func:`_pair_tests` with draws of the pair's own (``key``: topic, a, b), the same
    whichever other authors are compared in the call and whichever of the two is named first
    (then mirrored), so that a p near 0.05 does not cross it for an unrelated reason."""
    topic, a, b = key
    swapped = b < a
    first, second = (b_passages, a_passages) if swapped else (a_passages, b_passages)
    label = "\x1f".join((topic, *sorted((a, b)))).encode("utf-8")
    rng = np.random.default_rng([seed, zlib.crc32(label)])
    tests = _pair_tests(first, second, n_boot, n_perm, rng)
    if not swapped:
        return tests
    return {  # B − A read as A − B: values swapped, the difference and its interval negated
        measure: (vb, va, *(None if x is None else -x for x in (diff, high, low)), p)
        for measure, (va, vb, diff, low, high, p) in tests.items()
    }


def _clean(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 6)


def author_differences(
    run: Run,
    authors: list[str],
    topics: list[str] | None = None,
    n_boot: int = 2000,
    n_permutations: int = 2000,
    seed: int = 0,
    level: str = "author",
    outlet_positions: pd.DataFrame | None = None,
    measures: Sequence[str] = MEASURES,
) -> list[Difference]:
    """Every pair of ``authors`` on every topic (or ``topics``), stance and tone (or only
    ``measures``), with Benjamini–Hochberg q-values over all the tests returned. ``level``
    "outlet": the names are outlets, each over all its articles (:mod:`analysis.outlets`;
    ``outlet_positions``: their positions, if already at hand, for what each says of a pair it
    cannot compare)."""
    if level not in GROUP_LEVELS:
        raise ValueError(f"expected level among {GROUP_LEVELS}, got {level!r}")
    noun = "outlets" if level == "outlet" else "authors"
    if len(set(authors)) < 2:
        raise ValueError(f"expected at least two different {noun}, got {authors!r}")
    if not measures or set(measures) - set(MEASURES):
        raise ValueError(f"expected measures among {MEASURES}, got {list(measures)!r}")
    if level == "outlet":
        members = outlets.members(run.articles)
        authors_rows = (
            outlets.run_outlet_positions(run) if outlet_positions is None else outlet_positions
        )
    else:
        members = membership(run.articles, run.info.known_rosters)
        authors_rows = run.positions[run.positions["level"] == "author"]
    known = set(members["group"].astype(str))
    authors = list(dict.fromkeys(outlets.match_unit(run, a, known, level) for a in authors))
    if len(authors) < 2:
        raise ValueError(f"expected at least two different {noun}, got {authors!r}")
    all_topics = list(dict.fromkeys(run.positions["topic"]))
    topics = topics or all_topics
    missing = [t for t in topics if t not in all_topics]
    if missing:
        raise ValueError(f"expected topics among {all_topics}, got {missing}")
    no_stance = set()
    if "stance_status" in authors_rows:
        silent = authors_rows[authors_rows["stance_status"] == "no_stance"]
        no_stance = set(zip(silent["author"], silent["topic"], strict=True))
    by_status = {
        str(status): set(zip(rows["author"], rows["topic"], strict=True))
        for status, rows in authors_rows.groupby("status")
    }
    rows: list[dict[str, Any]] = []
    for topic in topics:
        passages = passage_sums(run, topic, members)
        per_author = {a: passages[passages["group"] == a] for a in authors}
        for a, b in combinations(authors, 2):
            pa, pb = per_author[a], per_author[b]
            sa, sb = (x["article_id"].unique() for x in (pa, pb))
            base = {
                "a": a,
                "b": b,
                "topic": topic,
                "n_articles_a": len(sa),
                "n_articles_b": len(sb),
                "n_passages_a": len(pa),
                "n_passages_b": len(pb),
            }
            if not len(sa) or not len(sb):
                absent = [x for x, sums_x in ((a, sa), (b, sb)) if not len(sums_x)]
                for measure in MEASURES:
                    note = _absent_note(absent, topic, by_status, measure)
                    rows.append({**base, "measure": measure, **_EMPTY, "note": note})
                continue
            tests = _pair_tests_of(pa, pb, (topic, a, b), n_boot, n_permutations, seed)
            for measure, (va, vb, diff, low, high, p) in tests.items():
                row = {
                    **base,
                    "measure": measure,
                    "value_a": _clean(va),
                    "value_b": _clean(vb),
                    "difference": _clean(diff),
                    "low": _clean(low),
                    "high": _clean(high),
                    "p_value": _clean(p),
                    "note": "",
                }
                silent = [x for x in (a, b) if measure == "stance" and (x, topic) in no_stance]
                if silent:  # as the positions say: no side taken, so no stance to compare
                    row.update(_EMPTY, note=f"no stance expressed by {' and '.join(silent)}")
                elif min(len(sa), len(sb)) < MIN_ARTICLES:
                    row.update(
                        low=None,
                        high=None,
                        p_value=None,
                        note=f"too few articles for an interval or a test (needs "
                        f"{MIN_ARTICLES} each)",
                    )
                else:
                    row["note"] = reading_note(
                        len(sa), len(sb), row["low"], row["high"], row["p_value"]
                    )
                rows.append(row)
    rows = [r for r in rows if r["measure"] in measures]  # q over the tests asked for only
    p_values = [r["p_value"] for r in rows]
    tested = [i for i, p in enumerate(p_values) if p is not None]
    q = benjamini_hochberg([p_values[i] for i in tested])
    q_of = dict(zip(tested, q, strict=True))
    return [Difference(**r, q_value=_clean(q_of.get(i))) for i, r in enumerate(rows)]


def every_split(n: int, k: int, limit: int) -> np.ndarray | None:
    """The rows picked for one side in every way of splitting ``n`` rows into ``k`` and the
    rest, where there are no more ways than ``limit`` (the permutations a test would draw):
    an exact test then tries them all (2 + 2 articles have 6 splits, and 2,000 random draws of
    them gave p 0.326 under its floor of 1/3); None where there are more."""
    if math.comb(n, k) > limit:
        return None
    return np.array(list(combinations(range(n), k)), dtype=np.int64).reshape(-1, k)


def permutation_p(t: float, null: np.ndarray, exact: bool) -> float:
    """Two-sided permutation p of the statistic ``t`` against its values over the splits
    (``null``; NaN ones left out, ±inf kept: splits as far apart as the data can be):
    ``#{|t*| >= |t|} / splits`` where every split was tried (``exact``: the observed one is
    among them), else ``(1 + #) / (1 + draws)``."""
    null = np.abs(np.asarray(null, dtype=float))
    null = null[~np.isnan(null)]
    if np.isnan(t):
        return float("nan")
    extreme = int((null >= abs(t) * (1 - 1e-9)).sum())
    if exact:
        return extreme / len(null) if len(null) else float("nan")
    return (1 + extreme) / (1 + len(null))


def smallest_p(n_a: int, n_b: int) -> float:
    """The smallest two-sided p a permutation test of ``n_a`` against ``n_b`` articles can give:
    the observed split is one of C(n_a + n_b, n_a) (its mirror too where the sizes are equal)."""
    return min(1.0, (2 if n_a == n_b else 1) / math.comb(n_a + n_b, n_a))


def reading_note(n_a: int, n_b: int, low: float | None, high: float | None, p: float | None) -> str:
    """What keeps a tested difference from being read at a glance: a test too small to reach
    p < 0.05 at all, or an interval and a p that disagree about 0 ("" when neither)."""
    floor = smallest_p(n_a, n_b)
    if floor >= 0.05:
        return f"with {n_a} + {n_b} articles no p can be below {floor:.2f}: untestable here"
    return disagreement_note(low, high, p)


def disagreement_note(low: float | None, high: float | None, p: float | None) -> str:
    """Where an interval and a p disagree about 0, or the interval has no width ("" else)."""
    if p is None or low is None or high is None:
        return ""
    if low == high:
        return (
            "the articles on each side do not vary at all, so the interval has no width: "
            "it says nothing of how far the values could move"
        )
    excludes_zero = low > 0 or high < 0
    if p < 0.05 and not excludes_zero:
        return "p under 0.05 but the interval includes 0: not settled"
    if p >= 0.05 and excludes_zero:
        return "the interval excludes 0 but p is 0.05 or more: not settled"
    return ""


def _absent_note(
    absent: list[str], topic: str, by_status: dict[str, set[tuple[str, str]]], measure: str
) -> str:
    """Why a pair has no comparison when an author has no own-voice passage on ``topic``, as
    the positions table says (``by_status``: its status -> (author, topic) pairs): the author
    discusses it only through quoted voices (no own words: no stance and no tone of their own,
    as `show` and the pages say "only quoted"), has passages the model could not score, or does
    not discuss it."""
    quoted = [x for x in absent if (x, topic) in by_status.get("discussed", set())]
    unscored = [x for x in absent if (x, topic) in by_status.get("unscored", set())]
    silent = [x for x in absent if x not in quoted and x not in unscored]
    parts = []
    if quoted:
        parts.append(f"only quoted voices from {' and '.join(quoted)}")
    if unscored:
        parts.append(f"no prediction for {' and '.join(unscored)}")
    if len(silent) == 2:
        parts.append("neither discusses it")
    elif silent:
        parts.append(f"{silent[0]} does not discuss it")
    return "; ".join(parts)
