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

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from analysis.aggregate import outlet_membership, outlet_positions, unusable_scores
from analysis.bylines import AmbiguousName, match_group, membership
from analysis.runs import Run

LEVEL = "outlet"  # the positions' ``level`` of these rows (the stored levels: article, author)


def run_outlet_positions(run: Run, articles: pd.DataFrame | None = None) -> pd.DataFrame:
    """The run's positions per outlet × topic (level ``"outlet"``; the outlet's name in
    ``author``), as its author positions are made; evidence lists included. ``articles``: only
    these of the run's (a date range's, :mod:`analysis.periods`); None: all."""
    agg = run_settings(run, "outlet positions")
    articles, passages, scores = run_tables(run, articles)
    failed = unusable_scores(scores, agg.include_reported)
    return outlet_positions(
        articles, passages, scores[~failed], run.info.topic_keys(), agg, scores[failed]
    )


def run_settings(run: Run, what: str) -> Any:
    """The run's aggregation settings, or ValueError where its [aggregate] cannot be read:
    ``what`` (positions made again from its tables) could not be made the way it made its own."""
    if run.info.aggregation_error:
        raise ValueError(
            f"run {run.run_id}: its [aggregate] settings cannot be read "
            f"({run.info.aggregation_error}); {what} cannot be made the same way"
        )
    return run.info.aggregation


def run_tables(
    run: Run, articles: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The run's articles, passages and scores, or only those of ``articles`` where given."""
    if articles is None:
        return run.articles, run.passages, run.scores
    ids = set(articles["article_id"])
    passages = run.passages[run.passages["article_id"].isin(ids)]
    return articles, passages, run.scores[run.scores["article_id"].isin(ids)]


def members(articles: pd.DataFrame) -> pd.DataFrame:
    """(article_id, group_kind, group) with each kept article under its outlet: the shape of
    :func:`analysis.bylines.membership`, so that differences and shifts read either."""
    kept = articles[articles["duplicate_of"].isna()] if "duplicate_of" in articles else articles
    return outlet_membership(kept)


OTHER_LEVEL_HINTS = {
    "author": "it is an outlet there: ask at outlet level (--outlets; show: --level outlet)",
    "outlet": "it is an author there: ask at author level (no --outlets; show: --level author)",
}


def _credited_instead(run: Run, name: str) -> list[str]:
    """The authors credited with the articles whose byline lists ``name`` without crediting
    it (one per such article; empty where none)."""
    from analysis.bylines import name_key

    key = name_key(name)
    if not key or "author" not in run.articles.columns:
        return []
    named = {
        str(article_id)
        for article_id, byline in zip(
            run.articles["article_id"], run.articles["author"], strict=True
        )
        if key in {name_key(p) for p in str(byline or "").replace(" and ", ",").split(",")}
    }
    if not named:
        return []
    credited = membership(run.articles, run.info.known_rosters)
    rows = credited[credited["article_id"].astype(str).isin(named)]
    by_article = rows.groupby("article_id")["group"].agg(list)
    return [groups[0] for groups in by_article if not any(name_key(g) == key for g in groups)]


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
        if level == "author" and (credited := _credited_instead(run, name)):
            # a name cut from a byline is not a misspelling: say whose articles hold it
            raise ValueError(
                f"no author {name!r} in run {run.run_id}: the name is in the byline of "
                f"{len(credited)} of its articles, each credited to its first name only (a "
                "byline that lists the site's staff is read as scraped, not as co-authors): "
                f"ask for {', '.join(repr(g) for g in sorted(set(credited)))}"
            ) from None
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


# Words that name a section of an outlet, not the outlet: "Fox Online News", "Fox News
# Opinion" and "Fox News (Online)" are one newsroom's sections, filed apart by the corpus.
SECTION_WORDS = frozenset(
    [
        "online",
        "news",
        "opinion",
        "opinions",
        "web",
        "editorial",
        "editorials",
        "digital",
        "the",
        "blog",
        "blogs",
        "commentary",
        "analysis",
        "politics",
        "magazine",
    ]
)


# A web address filed as an outlet's name ("NBCNews.com"): the name is its first part.
_DOMAIN = re.compile(r"(?:www\.)?([a-z0-9]+)\.(?:com|org|net|co\.uk|com\.au)")


def outlet_stem(name: str) -> str:
    """An outlet's name without its section words, punctuation and spaces, to match sections
    of one newsroom filed apart ("CNN (Web News)" -> "cnn"; "NBCNews.com" and "NBC News
    (Online)" -> "nbc"); "" where nothing else is left."""
    words = re.sub(r"[()\[\]\-–—,:/]", " ", str(name).casefold()).split()
    kept = []
    for word in words:
        if domain := _DOMAIN.fullmatch(word):
            word = domain.group(1)
            # a web address runs the words together: "nbcnews" is NBC's news section,
            # "theblaze" The Blaze
            if word.startswith("the") and len(word) > 5:
                word = word.removeprefix("the")
            for section in sorted(SECTION_WORDS, key=len, reverse=True):
                if word.endswith(section) and len(word) - len(section) >= 2:
                    word = word.removesuffix(section)
                    break
        if word not in SECTION_WORDS:
            kept.append(word)
    return "".join(kept)


def sibling_outlets(name: str, counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """The other outlets of ``counts`` (outlet -> articles) whose names differ from ``name``
    only by section words, most articles first: AllSides files Fox News under four names."""
    stem = outlet_stem(name)
    if not stem:
        return []
    found = [(o, int(n)) for o, n in counts.items() if o != name and outlet_stem(o) == stem]
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))


def sibling_groups_note(names: Iterable[str], counts: Mapping[str, int]) -> str | None:
    """One sentence naming, for the outlets ``names`` that have siblings in ``counts``, each
    newsroom's outlets ("Fox News / Fox Online News / ..."), else None: a list of many outlets
    (the outlets whose positions moved between two runs) says it once."""
    groups = sorted(
        {
            " / ".join(sorted([name, *(o for o, _ in sibling_outlets(name, counts))]))
            for name in set(names)
            if sibling_outlets(name, counts)
        }
    )
    if not groups:
        return None
    return (
        "sections of one newsroom are separate outlets in this corpus, each compared on its "
        f"own articles: {'; '.join(groups)}"
    )


def newsroom_notes(names: Iterable[str], counts: Mapping[str, int]) -> list[str]:
    """:func:`siblings_note` once per newsroom among ``names``: choosing Fox News and its
    three sections gives one note naming the four, not four notes that each name them."""
    notes, covered = [], set()
    for name in dict.fromkeys(names):
        if name in covered or not (note := siblings_note(name, counts)):
            continue
        notes.append(note)
        covered |= {name, *(o for o, _ in sibling_outlets(name, counts))}
    return notes


def siblings_note(name: str, counts: Mapping[str, int]) -> str | None:
    """A sentence naming ``name``'s sibling outlets (:func:`sibling_outlets`), else None."""
    siblings = sibling_outlets(name, counts)
    if not siblings:
        return None
    listed = ", ".join(f"{o} ({n:,} article{'s' if n != 1 else ''})" for o, n in siblings)
    own = counts.get(name)
    mine = f" ({own:,} article{'s' if own != 1 else ''})" if own is not None else ""
    return (
        f"{name}{mine} is filed apart from {listed}: sections of one newsroom are separate "
        "outlets in this corpus, each compared on its own articles"
    )
