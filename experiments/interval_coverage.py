"""How often a position's 95% interval holds the stance it estimates, by how little it rests on.

The intervals of ``analysis.aggregate`` come from a bootstrap over a unit's passages (article
level) or its articles (author level). A bootstrap over two or three values cannot be wider
than those values, so a position resting on a few passages may claim more certainty than it
has. This measures it on a run of real articles: for every article × topic with many counted
passages (and every author × topic with many articles discussing it), draw ``k`` of its
passages (articles) without replacement, compute the interval from those alone exactly as
``analyze`` does (``widened``) and as it did before 2026-12-05 (``percentile``), and count how
often it holds the stance (and, apart, the tone) of all of them (the best estimate at hand of
what the few were drawn from), with the intervals' mean width and how far outside the misses
fall (median distance to the nearer end). A 95% interval should hold it at least 95% of the
time. The JSON: measure -> method -> level -> k -> units, trials, coverage, mean width, median
miss.

    python -m experiments.interval_coverage --run RUN [--runs-dir DIR] [--out FILE.json]

The whole unit's stance is itself an estimate from a finite set, and ``k`` of ``N`` drawn
without replacement vary less than ``k`` drawn from an endless supply, so the coverage read
here is, if anything, higher than the truth for ``k`` near ``N``; units need ``N`` of at least
``--min-passages`` (``--min-articles``) and at least ``2k`` for that reason.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.aggregate import AggregateConfig, _aggregate_units, _topic_passages
from analysis.bylines import membership
from analysis.runs import load_run

SIZES = (2, 3, 4, 6, 10)


def _trials(
    table: pd.DataFrame,
    level: str,
    k: int,
    replicates: int,
    min_n: int,
    rng: np.random.Generator,
    rule: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Subsampled pseudo-units and each one's whole stance and tone: at article level k passages
    of an article × topic (``article_id`` = 'id|topic|r'), at author level k articles of an
    author group × topic as the positions make them (``group`` = 'kind|name|topic|r')."""
    keys = ["article_id", "topic"] if level == "article" else ["group_kind", "group", "topic"]
    parts, truth = [], {}
    for unit, rows in table.groupby(keys, sort=True):
        pool = np.arange(len(rows)) if level == "article" else rows["article_id"].unique()
        if len(pool) < max(min_n, 2 * k):
            continue
        full = (_stance(rows, rule), _tone(rows))
        for r in range(replicates):
            drawn = rng.choice(pool, size=k, replace=False)
            key = "|".join(str(part) for part in (*unit, r))
            if level == "article":
                pick = rows.iloc[np.sort(drawn)].assign(article_id=key)
            else:
                pick = rows[rows["article_id"].isin(set(drawn))]
                pick = pick.assign(group=key, article_id=pick["article_id"] + f"|{r}")
            parts.append(pick)
            truth[key] = full
    return _frames(parts, table, truth)


def _frames(
    parts: list[pd.DataFrame], empty: pd.DataFrame, truth: dict[str, tuple[float, float]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The drawn rows as one table, and the whole units' stance and tone by trial key."""
    rows = pd.concat(parts, ignore_index=True) if parts else empty.iloc[:0]
    return rows, pd.DataFrame.from_dict(truth, orient="index", columns=["stance", "tone"])


def _tone(rows: pd.DataFrame) -> float:
    """A set of passages' tone: the relevance-weighted mean of positive − negative."""
    weights = rows["relevance"].to_numpy(dtype=float)
    if weights.sum() <= 0:
        weights = np.ones(len(rows))
    return float((weights * rows["tone"].to_numpy(dtype=float)).sum() / weights.sum())


def _stance(rows: pd.DataFrame, rule: str) -> float:
    """A set of passages' stance by the run's rule: relevance-weighted favor − against over the
    weights ("mean") or over the weighted sides taken ("balance")."""
    weights = rows["relevance"].to_numpy(dtype=float)
    if weights.sum() <= 0:
        weights = np.ones(len(rows))
    favor, against = (rows[c].to_numpy(dtype=float) for c in ("stance_favor", "stance_against"))
    below = weights * (favor + against) if rule == "balance" else weights
    return float((weights * (favor - against)).sum() / below.sum()) if below.sum() > 0 else np.nan


def _score(stats: pd.DataFrame, key: str, truth: pd.Series, measure: str) -> dict[str, float]:
    """Coverage of the whole unit's ``measure`` (stance or tone), the mean width of the
    intervals and the median distance from a missed value to the interval."""
    stats = stats.set_index(key)
    low, high = stats[f"{measure}_low"], stats[f"{measure}_high"]
    full = truth.reindex(stats.index)
    ok = low.notna() & high.notna()
    held = (low[ok] - 1e-9 <= full[ok]) & (full[ok] <= high[ok] + 1e-9)
    outside = np.maximum(low[ok] - full[ok], full[ok] - high[ok])[~held]
    return {
        "trials": int(ok.sum()),
        "median_miss": round(float(outside.median()), 3) if len(outside) else 0.0,
        "coverage": round(float(held.mean()), 3) if ok.any() else float("nan"),
        "mean_width": round(float((high[ok] - low[ok]).mean()), 3) if ok.any() else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True)
    parser.add_argument("--runs-dir", default="runs")
    parser.add_argument("--replicates", type=int, default=40, help="subsamples per unit and size")
    parser.add_argument("--min-passages", type=int, default=15)
    parser.add_argument("--min-articles", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    run = load_run(args.run, args.runs_dir, columns={"passages": ["passage_id", "index"]})
    kept = run.articles[run.articles["duplicate_of"].isna()].reset_index(drop=True)
    table = _topic_passages(kept, run.passages, run.scores)
    counted = table[~table["reported"]]
    config = AggregateConfig(**{k: v for k, v in run.config.get("aggregate", {}).items()})
    rosters = {o: frozenset(names) for o, names in (run.meta.get("known_rosters") or {}).items()}
    # an article counts toward each author of its byline, as in the positions
    by_author = counted.drop(columns=["group_kind", "group"]).merge(
        membership(kept, rosters), on="article_id"
    )
    rng = np.random.default_rng(args.seed)
    methods, measures = ("percentile", "widened"), ("stance", "tone")
    results: dict[str, dict[str, dict[str, dict[str, dict[str, float]]]]] = {
        measure: {method: {"article": {}, "author": {}} for method in methods}
        for measure in measures
    }
    for k in SIZES:
        for level, rows, keys, min_n in (
            ("article", counted, ["article_id"], args.min_passages),
            ("author", by_author, ["group_kind", "group"], args.min_articles),
        ):
            trials, truth = _trials(rows, level, k, args.replicates, min_n, rng, config.stance_rule)
            if not len(truth):
                continue
            units = len({key.rsplit("|", 1)[0] for key in truth.index})
            for method in methods:
                stats = _aggregate_units(
                    trials, keys, level, config, widen_small_samples=method == "widened"
                )
                for measure in measures:
                    scored = _score(stats, keys[-1], truth[measure], measure)
                    results[measure][method][level][str(k)] = {"units": units, **scored}
    report = {
        "run": run.meta.get("run_id"),
        "stance_rule": config.stance_rule,
        "confidence": config.confidence,
        "min_passages": args.min_passages,
        "min_articles": args.min_articles,
    }
    report.update(results)
    text = json.dumps(report, indent=1)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
