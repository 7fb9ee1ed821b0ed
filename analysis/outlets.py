"""Outlets as units: what each outlet publishes on a topic, over all of its articles.

The author level files a signed article under its authors and only the unsigned ones under the
outlet, so an outlet group there is the outlet's unsigned pieces (6 of The New York Times'
175 articles in the AllSides corpus), not the outlet. An analyst comparing outlets needs every
article the outlet published, whoever signed it: these positions, computed from a run's tables
when asked (``analysis.aggregate.outlet_positions``, with the run's own aggregation settings),
so that runs made before them have them too. ``show --level outlet``, ``compare-authors
--outlets``, ``shift --outlets`` and the dashboard's Outlets choices read them.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from analysis.aggregate import outlet_membership, outlet_positions, unusable_scores
from analysis.bylines import AmbiguousName, match_group, membership
from analysis.runs import Run

LEVEL = "outlet"  # the positions' ``level`` of these rows (the stored levels: article, author)


def run_outlet_positions(run: Run) -> pd.DataFrame:
    """The run's positions per outlet × topic (level ``"outlet"``; the outlet's name in
    ``author``), as its author positions are made; evidence lists included."""
    if run.info.aggregation_error:
        raise ValueError(
            f"run {run.run_id}: its [aggregate] settings cannot be read "
            f"({run.info.aggregation_error}); outlet positions cannot be made the same way"
        )
    agg = run.info.aggregation
    scores = run.scores
    failed = unusable_scores(scores, agg.include_reported)
    return outlet_positions(
        run.articles,
        run.passages,
        scores[~failed],
        run.info.topic_keys(),
        agg,
        scores[failed],
    )


def members(articles: pd.DataFrame) -> pd.DataFrame:
    """(article_id, group_kind, group) with each kept article under its outlet: the shape of
    :func:`analysis.bylines.membership`, so that differences and shifts read either."""
    kept = articles[articles["duplicate_of"].isna()] if "duplicate_of" in articles else articles
    return outlet_membership(kept)


OTHER_LEVEL_HINTS = {
    "author": "it is an outlet there: ask at outlet level (--outlets; show: --level outlet)",
    "outlet": "it is an author there: ask at author level (no --outlets; show: --level author)",
}


def match_unit(run: Run, name: str, groups: Iterable[str], level: str) -> str:
    """The author (``level`` "author") or outlet group of ``run`` that ``name`` means, as
    :func:`analysis.bylines.match_group` finds it; a name not found at this level but found at
    the other says so, since "CNN (Web News)" typed as an author is an outlet asked at the wrong
    level, not a misspelling."""
    try:
        return match_group(name, groups, run.run_id, level)
    except ValueError as err:
        if level not in OTHER_LEVEL_HINTS or isinstance(err, AmbiguousName):
            raise
        other = (
            membership(run.articles, run.info.known_rosters)
            if level == LEVEL
            else members(run.articles)
        )
        try:
            match_group(name, other["group"].astype(str), run.run_id, level)
        except ValueError:
            raise err from None
        raise ValueError(f"{err}; {OTHER_LEVEL_HINTS[level]}") from None
