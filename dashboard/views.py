"""Positions reshaped for display: one row per author (or article), stance and tone per topic.

Pure pandas, no Streamlit: the pages cache and style what these return. Nothing here computes a
position; it only pivots, filters, sorts and formats the run's own numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.bylines import outlets_named_as_authors
from analysis.intervals import NEAR_ZERO
from analysis.labels import counted, p_value_text
from analysis.runs import GROUP_LEVELS, INTERVAL_COLUMNS
from dashboard.style import (
    GROUP_SHORT,
    ONLY_QUOTED,
    absent_words,
    bracket,
    is_missing,
    md_escape,
    percent,
    quoted_words,
    signed,
    stance_words,
    with_interval,
)

QUOTED_INTERVAL = ("quoted_stance", "quoted_low", "quoted_high")
FIELDS = (
    "status",
    *INTERVAL_COLUMNS,
    "n_passages",
    "n_reported",
    "n_articles_discussing",
    "coverage",
    "stance_status",
    *QUOTED_INTERVAL,
    "quoted_status",
    "n_articles_quoting",  # runs since 2026-12-06
)
SCORE_FIELDS = (*INTERVAL_COLUMNS, *QUOTED_INTERVAL)
UNIT_INFO = ("author", "group_kind", "outlet", "date", "title", "article_id", "n_articles")


def unit_column(level: str) -> str:
    """The column that names a unit at ``level``: the group label (an author's, an outlet's)
    or the article id."""
    if level not in (*GROUP_LEVELS, "article"):
        raise ValueError(f"expected level 'author', 'outlet' or 'article', got {level!r}")
    return "author" if level in GROUP_LEVELS else "article_id"


def wide_positions(positions: pd.DataFrame, level: str) -> pd.DataFrame:
    """Positions at one level -> one row per unit, columns ``<topic>|<field>`` plus unit info.

    The index is the unit (group label at author level, article id at article level), in the
    order the units first appear. Scores of topics that are not discussed become NaN.
    """
    unit = unit_column(level)
    pos = positions[positions["level"] == level] if "level" in positions else positions
    info_cols = [c for c in UNIT_INFO if c in pos.columns and c != unit]
    info = pos.drop_duplicates(unit).set_index(unit)[info_cols]
    fields = [f for f in FIELDS if f in pos.columns]
    keyed = pos.drop_duplicates([unit, "topic"]).set_index([unit, "topic"])[fields]
    wide = keyed.unstack("topic")
    wide.columns = [f"{topic}|{field}" for field, topic in wide.columns]
    # A topic that is not discussed has no score, whatever number the table holds for it.
    for topic in pos["topic"].unique():
        silent = wide.get(f"{topic}|status") != "discussed"
        for field in SCORE_FIELDS:
            if f"{topic}|{field}" in wide:
                wide.loc[silent, f"{topic}|{field}"] = np.nan
    out = info.join(wide)
    if "n_articles" in out:
        out["n_articles"] = out["n_articles"].fillna(0).astype(int)
    out.index.name = unit
    return out


def sort_options(topics: Sequence[tuple[str, str]], level: str) -> dict[str, tuple[str, bool]]:
    """Sort choices in words -> (column, ascending). ``topics`` is (key, label) pairs."""
    first = (
        {"Most articles": ("n_articles", False), "Name": ("__name__", True)}
        if level in GROUP_LEVELS
        else {
            "Newest first": ("date", False),
            "Oldest first": ("date", True),
            "Title": ("title", True),
        }
    )
    for key, label in topics:
        first[f"{label}: stance, clearest against first"] = (f"{key}|stance", True)
        first[f"{label}: stance, clearest favor first"] = (f"{key}|stance", False)
        first[f"{label}: quoted voices, clearest against first"] = (f"{key}|quoted_stance", True)
        first[f"{label}: quoted voices, clearest favor first"] = (f"{key}|quoted_stance", False)
        first[f"{label}: tone, clearest negative first"] = (f"{key}|tone", True)
        first[f"{label}: tone, clearest positive first"] = (f"{key}|tone", False)
    return first


def sort_named(value: str, sorts: Mapping[str, tuple[str, bool]]) -> str | None:
    """The sort a link names: one of ``sorts``, also under its name before 2026-12-06
    ("Ukraine: stance, most favor first"); None for one that names none."""
    if value in sorts:
        return value
    head, found, tail = value.rpartition(", most ")  # the sort's words, not the topic label's
    older = f"{head}, clearest {tail}" if found else value
    return older if older in sorts else None


# The interval ends a score ranks by: (lower, upper); the upper end when the lowest come first.
SORT_BOUNDS = {
    "stance": ("stance_low", "stance_high"),
    "quoted_stance": ("quoted_low", "quoted_high"),
    "tone": ("tone_low", "tone_high"),
}
# The passages behind each score, and how many it needs for its interval to rank it. A plain
# percentile interval over two passages spans just their two values (it held the stance of all
# of an article's passages 45% of the time, not 95%: experiments/interval_coverage.py). Runs
# since 2026-12-05 extend it to the small-sample t interval (analysis.intervals), but two
# passages that happen to agree still give a narrow one (two sentences topped "most favor
# first", as the sort was called, in an audit), so a score on two passages ranks with those
# that have no interval.
SORT_COUNTS = {"stance": "n_passages", "tone": "n_passages", "quoted_stance": "n_reported"}
SORT_MIN_PASSAGES = 3
# An author's interval on one article is that article's: it does not rank an author either
# (an audit found single-article authors topping "most favor first").
SORT_MIN_ARTICLES = 2
SORT_HELP = (
    "Clearest first: scores rank by the cautious end of their 95% interval (the lower end for "
    "favor or positive first, the upper end for against or negative first; an end within "
    "±0.05 counts as 0), so that a "
    "position on a few passages does not top the list on one strongly worded sentence. "
    "Positions on one or two passages, and authors' positions on one article, follow, by "
    "their score; not discussed comes last."
)


def one_sided_note(
    wide: pd.DataFrame, column: str, ascending: bool, level: str = "author"
) -> str | None:
    """Where a sort asks for one side first ("clearest against first") and no row that the
    sort ranks by its interval (:func:`ranking_bounds`; those on one or two passages or one
    article follow them) has a score on that side of 0, say so: the first rows are then those
    whose intervals reach least far to the other side, none of them on this side (an audit
    found "clearest against first" led by +0.03 while the only negative scores were
    one-article rows further down). Where some are on that side but none clearly (no
    cautious end beyond ±:data:`NEAR_ZERO`), say that: the first row is then no clear case."""
    field = column.rpartition("|")[2]
    if field not in SORT_BOUNDS or column not in wide.columns:
        return None
    bound = ranking_bounds(wide, column, ascending, level)
    values = pd.to_numeric(wide[column], errors="coerce")
    if bound is not None:
        values = values[~np.isnan(bound)]
    values = values.dropna()
    if values.empty:
        return None
    side = {
        ("stance", True): "against",
        ("stance", False): "favor",
        ("quoted_stance", True): "against",
        ("quoted_stance", False): "favor",
        ("tone", True): "negative",
        ("tone", False): "positive",
    }[field, ascending]
    other = {"against": "favor", "favor": "against", "negative": "positive", "positive": "negative"}
    if not ((values < 0).any() if ascending else (values > 0).any()):
        return (
            f"No score ranked by its interval is on the {side} side of 0: the first rows are "
            f"those whose intervals reach least far toward {other[side]}, none of them {side} "
            "(a score on one or two passages, or an author's on one article, follows them)."
        )
    ranked = bound[~np.isnan(bound)] if bound is not None else np.array([])
    if bound is None or not len(ranked):
        return None
    ranked = np.round(ranked, 2)  # as the intervals are shown
    clear = (ranked < -NEAR_ZERO) if ascending else (ranked > NEAR_ZERO)
    if clear.any():
        return None
    end = "upper" if ascending else "lower"
    return (
        f"No score ranked by its interval is clearly {side}: none has its interval's {end} end "
        f"beyond {'−' if ascending else '+'}{NEAR_ZERO:.2f}, so the first rows lean {side} at "
        f"most slightly, their intervals reaching within ±{NEAR_ZERO:.2f} of 0 (counted as 0) or "
        "past it."
    )


def ranking_bounds(
    wide: pd.DataFrame, column: str, ascending: bool, level: str = "author"
) -> np.ndarray | None:
    """The interval end each row of ``wide`` ranks by under a sort of score ``column`` (the
    upper end when ``ascending``): NaN for a row whose interval does not rank it (too few
    passages, or an author's one article); None for a column that is not a score with
    intervals."""
    topic, _, field = column.rpartition("|")
    bounds = SORT_BOUNDS.get(field)
    bound_column = f"{topic}|{bounds[1] if ascending else bounds[0]}" if bounds else None
    if bound_column is None or bound_column not in wide.columns:
        return None
    bound = pd.to_numeric(wide[bound_column], errors="coerce").to_numpy(dtype=float)
    count_column = f"{topic}|{SORT_COUNTS[field]}"
    if count_column in wide.columns:  # too few passages: the interval does not rank it
        count = pd.to_numeric(wide[count_column], errors="coerce").to_numpy(dtype=float)
        bound = np.where(count >= SORT_MIN_PASSAGES, bound, np.nan)
    # the articles a score rests on: the own-voice ones, or those quoted (older runs: none)
    counted = "n_articles_quoting" if field == "quoted_stance" else "n_articles_discussing"
    article_column = f"{topic}|{counted}"
    if level in GROUP_LEVELS and article_column in wide.columns:
        articles = pd.to_numeric(wide[article_column], errors="coerce").to_numpy(dtype=float)
        bound = np.where(articles >= SORT_MIN_ARTICLES, bound, np.nan)
    return bound


TEXT_SORTS = ("date", "title")  # the Articles view's columns that sort as text, not numbers


def sort_wide(
    wide: pd.DataFrame, column: str, ascending: bool, level: str = "author"
) -> pd.DataFrame:
    """Rows sorted by ``column`` (``__name__``: the index); rows without a value after those
    with one, and of those, the ones that discuss the topic (no stance expressed, only quoted)
    before the ones that do not.

    A score column ranks by its interval's cautious end (``SORT_BOUNDS``: "clearest against
    first" by the upper end), the scores
    without an interval, or on fewer than :data:`SORT_MIN_PASSAGES` passages (at author level
    also on fewer than :data:`SORT_MIN_ARTICLES` articles), after those with one: "most
    against first" should mean most clearly against, not the unit with one or two strongly
    worded passages, nor an author with one article, nor one sure to be near 0 (a cautious
    end within ±:data:`NEAR_ZERO` ranks as 0).
    """
    if column == "__name__":
        order = wide.index.to_series().astype(str).str.casefold().argsort(kind="stable")
        return wide.iloc[np.asarray(order)]
    if column not in wide.columns:
        return wide
    if column in TEXT_SORTS:  # dates (ISO) and titles sort as text, those without one last
        text = wide[column].map(lambda v: None if is_missing(v) else str(v).casefold())
        keys = pd.DataFrame(
            {"missing": text.isna().to_numpy(), "text": text.fillna("").to_numpy(dtype=object)}
        )
        order = keys.sort_values(
            ["missing", "text"], ascending=[True, ascending], kind="stable"
        ).index
        return wide.iloc[np.asarray(order)]
    point = pd.to_numeric(wide[column], errors="coerce").to_numpy(dtype=float)
    status = wide.get(f"{column.rpartition('|')[0]}|status")
    silent = (
        np.zeros(len(wide), dtype=bool)
        if status is None
        else (status != "discussed").to_numpy(dtype=bool)
    )
    bound = ranking_bounds(wide, column, ascending, level)
    if bound is None:
        keys = pd.DataFrame({"missing": np.isnan(point), "silent": silent, "point": point})
        order = keys.sort_values(
            ["missing", "silent", "point"], ascending=[True, True, ascending], kind="stable"
        ).index
        return wide.iloc[np.asarray(order)]
    # a cautious end within ±NEAR_ZERO is no clearer than 0 ("near 0" is no side): such rows
    # tie at 0 and rank by their score, so a sure +0.02 does not top "clearest favor first"
    bound = np.where(np.abs(np.round(bound, 2)) <= NEAR_ZERO, 0.0, bound)  # as shown
    keys = pd.DataFrame(
        {
            "missing": np.isnan(point),
            "silent": silent,
            "no_interval": np.isnan(bound),
            "bound": bound,
            "point": point,
        }
    )
    order = keys.sort_values(
        ["missing", "silent", "no_interval", "bound", "point"],
        ascending=[True, True, True, ascending, ascending],
        kind="stable",
    ).index
    return wide.iloc[np.asarray(order)]


def _n_cell(
    status: object, n: object, coverage: object, n_reported: object, articles: object = None
) -> str:
    """Own-voice passages · coverage, with the articles they come from at author level
    (``articles`` None at article level): an author's interval rests on the articles, two
    give a wide one whatever the passages, and one says nothing of the author's others."""
    reported = 0 if is_missing(n_reported) else int(n_reported)
    extra = f" (+{reported} reported)" if reported else ""
    if status == "discussed" and (is_missing(n) or int(n) == 0):
        return f"0 own{extra}"
    if status != "discussed" or is_missing(n) or int(n) == 0:
        return absent_words(status) + extra
    spread = "" if is_missing(articles) else f" in {counted(int(articles), 'article')}"
    return f"{int(n)}{spread} · {percent(coverage)}{extra}"


def only_quoted(record: Mapping | None) -> bool:
    """A discussed position with no own-voice passage: only the people quoted speak on it."""
    return (
        record is not None
        and record.get("status") == "discussed"
        and not int(record.get("n_passages") or 0)
    )


# How strongly a score whose interval reaches across 0 (or that has none: one passage) is
# coloured, against one whose interval keeps to one side: the colour says how sure, not only
# how large (an audit found a one-passage tone the deepest red on the page).
UNSETTLED_SHADE = 0.35


def keeps_off_zero(low: object, high: object) -> bool:
    """Whether an interval exists and keeps to one side of 0 (a score settled in sign)."""
    return not (is_missing(low) or is_missing(high) or float(low) <= 0.0 <= float(high))


def one_article(articles: object) -> bool:
    """An author's position that rests on a single article (``articles``: the articles that
    discuss the topic; None at article level, where it does not apply): its interval says how
    sure that article is, not where the author stands across their writing."""
    return not is_missing(articles) and int(articles) < 2


def shade(value: object, low: object, high: object, articles: object = None) -> float:
    """The colour of a score on the diverging scale: the score itself where its interval keeps
    to one side of 0, :data:`UNSETTLED_SHADE` of it where the interval reaches across 0 or there
    is none, or where an author's score rests on one article (``articles``, author level
    only); NaN (grey) where there is no score."""
    if is_missing(value):
        return np.nan
    settled = keeps_off_zero(low, high) and not one_article(articles)
    return float(value) if settled else float(value) * UNSETTLED_SHADE


STANCE_HEADER = "Stance [interval]"
QUOTED_HEADER = "Quoted voices' stance"
TONE_HEADER = "Tone [interval]"
N_HEADER = "n · coverage"


@dataclass(frozen=True)
class Matrix:
    """A display table of strings (one row per unit × topic), the scores that colour its
    cells, and the unit and topic behind each row."""

    display: pd.DataFrame  # strings, default RangeIndex (positions = rows on screen)
    colour: pd.DataFrame  # same shape: a score per scored cell, NaN where not discussed
    scored: frozenset[str]  # columns coloured by their score (stance and tone)
    counts: frozenset[str]  # columns that are grey where not discussed, plain elsewhere
    units: list[str]  # unit of each display row
    topics: list[str]  # topic key of each display row


def _info_values(wide: pd.DataFrame, column: str) -> list[str]:
    if column == "__name__":
        return [str(u) for u in wide.index]
    values = wide[column] if column in wide else pd.Series([None] * len(wide), index=wide.index)
    if column == "group_kind":
        return [GROUP_SHORT.get(str(k), "") for k in values]
    if column == "date":
        return ["" if is_missing(v) else str(v)[:10] for v in values]
    return ["" if is_missing(v) else str(v) for v in values]


def matrix(
    wide: pd.DataFrame,
    topics: Sequence[tuple[str, str]],
    info: Sequence[tuple[str, str]],
    trailing: Sequence[tuple[str, str]] = (),
    level: str = "author",
) -> Matrix:
    """Rows of ``wide`` as strings, one per unit × topic in topic order: ``info`` (column,
    header) first, then Topic, the author's stance, the quoted voices' stance and tone with
    their intervals, n · coverage, ``trailing``. ``__name__`` as a column means the unit itself.
    At author (not article) ``level`` a score on one article is pale and n names its articles.
    A stance without a number says why in words (not discussed, no stance expressed, no
    quoted voices)."""
    info_values = {header: _info_values(wide, col) for col, header in info}
    tail_values = {header: _info_values(wide, col) for col, header in trailing}
    headers = [STANCE_HEADER, QUOTED_HEADER, TONE_HEADER]
    columns: dict[str, list] = {
        h: [] for h in [*info_values, "Topic", *headers, N_HEADER, *tail_values]
    }
    colour: dict[str, list] = {h: [] for h in [*headers, N_HEADER]}
    units: list[str] = []
    row_topics: list[str] = []

    def col(key: str, field: str) -> list:
        name = f"{key}|{field}"
        return list(wide[name]) if name in wide else [None] * len(wide)

    per_topic = {key: {f: col(key, f) for f in FIELDS} for key, _ in topics}
    for i, unit in enumerate(wide.index):
        for key, label in topics:
            f = {name: values[i] for name, values in per_topic[key].items()}
            discussed = f["status"] == "discussed"
            articles = f["n_articles_discussing"] if level in GROUP_LEVELS else None
            quoting = f["n_articles_quoting"] if level in GROUP_LEVELS else None
            for header, values in info_values.items():
                columns[header].append(values[i])
            columns["Topic"].append(label)
            value = f["stance"] if discussed else None
            columns[STANCE_HEADER].append(
                stance_words(
                    f["status"],
                    f["stance_status"],
                    value,
                    f["stance_low"],
                    f["stance_high"],
                    n_own=f["n_passages"],
                )
            )
            colour[STANCE_HEADER].append(shade(value, f["stance_low"], f["stance_high"], articles))
            quoted = f["quoted_stance"] if discussed else None
            columns[QUOTED_HEADER].append(quoted_words(f))
            colour[QUOTED_HEADER].append(shade(quoted, f["quoted_low"], f["quoted_high"], quoting))
            value = f["tone"] if discussed else None
            tone = with_interval(value, f["tone_low"], f["tone_high"])
            columns[TONE_HEADER].append(ONLY_QUOTED if discussed and is_missing(value) else tone)
            colour[TONE_HEADER].append(shade(value, f["tone_low"], f["tone_high"], articles))
            columns[N_HEADER].append(
                _n_cell(
                    f["status"],
                    f["n_passages"],
                    f["coverage"],
                    f["n_reported"],
                    articles,
                )
            )
            colour[N_HEADER].append(0.0 if discussed else np.nan)
            for header, values in tail_values.items():
                columns[header].append(values[i])
            units.append(str(unit))
            row_topics.append(key)
    display = pd.DataFrame(columns)
    colour_frame = pd.DataFrame(np.nan, index=display.index, columns=display.columns)
    for header, values in colour.items():
        colour_frame[header] = values
    colour_frame["Topic"] = colour[N_HEADER]
    return Matrix(
        display=display,
        colour=colour_frame,
        scored=frozenset(headers),
        counts=frozenset((N_HEADER, "Topic")),
        units=units,
        topics=row_topics,
    )


KIND_ORDER = {"author": 0, "outlet": 1, "article": 2}


def members(articles: pd.DataFrame) -> pd.DataFrame:
    """One row per (article, group it counts toward): each author of a byline is a group. An
    outlet group that some byline names as an author is that author, as the positions have it
    (``analysis.bylines.membership``: "USA TODAY" unsigned and credited in a Sun-Times byline)."""
    if "groups" not in articles.columns:  # one group per article
        rows = articles.reindex(columns=["article_id", "group", "group_kind"])
    else:
        exploded = articles[["article_id", "groups", "group_kind"]].explode("groups")
        rows = exploded.rename(columns={"groups": "group"})[["article_id", "group", "group_kind"]]
    return outlets_named_as_authors(rows)


def group_kinds(articles: pd.DataFrame) -> dict[str, str]:
    """Group -> its kind (author, outlet or article)."""
    rows = members(articles)
    return dict(zip(rows["group"], rows["group_kind"], strict=True))


def members_at(articles: pd.DataFrame, level: str = "author") -> pd.DataFrame:
    """(article_id, group) of every article: each author of its byline (or its outlet group,
    :func:`members`), or at ``level`` "outlet" its outlet, as the outlet positions read it
    (:func:`analysis.outlets.members`: duplicates and articles without an outlet left out)."""
    if level == "outlet":
        from analysis import outlets

        return outlets.members(articles)[["article_id", "group"]]
    return members(articles)[["article_id", "group"]].drop_duplicates()


def outlet_articles(articles: pd.DataFrame) -> dict[str, int]:
    """Outlet -> the articles it published (duplicates not counted)."""
    counts = members_at(articles, "outlet")["group"].value_counts()
    return {str(o): int(n) for o, n in counts.items()}


def outlet_order(articles: pd.DataFrame) -> list[str]:
    """Outlets with the most articles first, then by name (duplicates not counted)."""
    counts = outlet_articles(articles)
    return sorted(counts, key=lambda o: (-counts[o], o.casefold()))


def unit_articles(articles: pd.DataFrame, level: str, unit: str) -> pd.Series:
    """Which articles make up ``unit`` at ``level``: those counting toward an author (or
    outlet group), or every article an outlet published."""
    if level == "outlet":
        rows = members_at(articles, "outlet")
        return articles["article_id"].isin(rows.loc[rows["group"] == str(unit), "article_id"])
    return in_groups(articles, [unit])


def in_groups(articles: pd.DataFrame, groups: Sequence[str]) -> pd.Series:
    """Which articles count toward any of ``groups``."""
    wanted = set(groups)
    if "groups" not in articles.columns:
        return articles["group"].isin(wanted)
    return articles["groups"].map(lambda gs: bool(wanted.intersection(gs)))


def group_order(articles: pd.DataFrame) -> list[str]:
    """Groups with the most articles first; ties: named authors, then outlets, then by name."""
    if articles.empty:
        return []
    rows = members(articles)
    counts = rows.groupby("group").agg(n=("group", "size"), kind=("group_kind", "first"))
    counts["rank"] = counts["kind"].map(KIND_ORDER).fillna(3)
    counts["name"] = counts.index.astype(str).str.casefold()
    counts = counts.sort_values(["n", "rank", "name"], ascending=[False, True, True])
    return [str(g) for g in counts.index]


def discussing_first(order: list[str], discussing: set[str]) -> list[str]:
    """``order`` with the units in ``discussing`` first, each part in its order."""
    return [u for u in order if u in discussing] + [u for u in order if u not in discussing]


def page_of(frame: pd.DataFrame, page: int, page_size: int) -> pd.DataFrame:
    """Rows of 1-based ``page`` (clipped to the pages there are)."""
    if page_size < 1:
        raise ValueError(f"expected page_size >= 1, got {page_size}")
    n_pages = max(1, -(-len(frame) // page_size))
    page = min(max(1, int(page)), n_pages)
    return frame.iloc[(page - 1) * page_size : page * page_size]


def difference_table(
    tests: pd.DataFrame, labels: Mapping[str, str], unit_label: Any = str
) -> pd.DataFrame:
    """The author-difference tests as a readable table (one row per topic, measure and pair),
    the pairs that can be compared first (the others say why not in their Note);
    ``unit_label`` names a unit as the page's cards do ("The Hill (unsigned pieces)")."""
    if tests.empty:
        return pd.DataFrame(
            columns=["Topic", "Measure", "A", "B", "A − B", "95% interval", "p", "q", "Articles"]
        )

    def interval(row: pd.Series) -> str:
        if pd.isna(row["low"]) or pd.isna(row["high"]):
            return ""
        return f"{bracket(row['low'], row['high'])}"

    first = np.argsort(tests["difference"].isna().to_numpy(), kind="stable")
    tests = tests.iloc[first].reset_index(drop=True)
    return pd.DataFrame(
        {
            "Topic": tests["topic"].map(lambda t: labels.get(t, t)),
            "Measure": tests["measure"].str.capitalize(),
            "A": tests["a"].map(unit_label),
            "B": tests["b"].map(unit_label),
            "A − B": tests["difference"].map(
                lambda v: "not comparable" if pd.isna(v) else signed(v)
            ),
            "95% interval": tests.apply(interval, axis=1),
            "p": tests["p_value"].map(lambda v: "" if pd.isna(v) else p_value_text(v)),
            "q": tests["q_value"].map(lambda v: "" if pd.isna(v) else p_value_text(v)),
            # each author's articles on the topic: what the interval and p rest on
            "Articles": [
                f"{int(a)} / {int(b)}"
                for a, b in zip(tests["n_articles_a"], tests["n_articles_b"], strict=True)
            ]
            if "n_articles_a" in tests
            else "",
            "Note": tests["note"].fillna("") if "note" in tests else "",
        }
    )


# Tables whose last column is a note (differences, shifts): rows tall enough for the note to
# wrap onto three lines (Streamlit wraps a cell's text only in rows over 4rem), the names and
# numbers no wider than they need, so that the note is read whole on a laptop's screen.
NOTE_ROW_HEIGHT = 66
NOTE_TABLE_WIDTHS = {  # pixels, within the ~785 px a 1280 px page leaves the table inside
    "Topic": 80,  # its expander (at 816 in all the Note, the column the caption says to read,
    "Measure": 60,  # was cut, and "Sanctions" broke inside the word at 70)
    "A": 85,
    "B": 85,
    "A − B": 75,
    "95% interval": 100,
    "p": 50,  # 44 broke "0.743" in two
    "q": 50,
    "Articles": 58,
    "Note": 135,
}
SHIFT_TABLE_WIDTHS = {
    "Author": 90,
    "Outlet": 90,
    "Topic": 74,
    "Measure": 60,
    "Split": 84,
    "How": 72,
    "Before": 48,
    "After": 48,
    "Shift": 48,
    "95% interval": 100,
    "p": 48,
    "q": 48,
    "Articles": 54,
    "Note": 140,
}
SHIFT_ROW_HEIGHT = 84  # its narrower note wraps onto four lines
NOTE_TABLE_ROWS = 8  # rows shown before the table scrolls


def note_table_height(n_rows: int, row_height: int = NOTE_ROW_HEIGHT) -> int:
    """Pixels for a note table to show up to :data:`NOTE_TABLE_ROWS` rows without scrolling."""
    return 40 + row_height * max(1, min(n_rows, NOTE_TABLE_ROWS))


def shift_holds(item: Mapping[str, Any], level: float = 0.05) -> bool:
    """Whether a shift (``author_shifts``' dict) holds: measured, tested and under ``level``
    in q (in p where it has no q), the false discovery rate over the tests read with it, and
    with its interval clear of 0 (a test and an interval that disagree are "not settled"). A
    detected split's interval too: taken where the search looked it is if anything too
    narrow, and at a detected change point p passes a mere change in spread two to three times
    as often as it says (docs/commands.md); until 2026-12-07 its p alone decided, and CNN's
    sanctions shift of -0.29 [-0.66, +0.07] over 5 articles before was headlined."""
    if item.get("shift") is None or item.get("p_value") is None:
        return False
    q = item.get("q_value")
    if (item["p_value"] if q is None else q) >= level:
        return False
    low, high = item.get("low"), item.get("high")
    if low is None or high is None:  # no interval to agree with p: not settled
        return False
    return not low <= 0 <= high


def shift_heading(item: Mapping[str, Any], label: str) -> str:
    """The Markdown heading of a shift listed with its evidence: who, on what, from and to,
    and what it rests on (interval, p, q, articles on each side), so that a headline is read
    with its strength (an audit found one read without it)."""
    q = item.get("q_value")
    when = (  # a detected change fell somewhere in the gap between two articles
        f"between {item['last_before']} and {item['split_date']}"
        if item.get("detected") and item.get("last_before")
        else f"at {item['split_date']}"
    )
    return (
        f"**{md_escape(item['author'])}, {md_escape(label)} ({item['measure']})**: "
        f"{signed(item['before'])} → {signed(item['after'])} {when}: shift "
        f"{signed(item['shift'])} {bracket(item['low'], item['high'])}, "
        f"p {p_value_text(item['p_value'])}"
        + ("" if q is None else f", q {p_value_text(q)}")
        + f", articles {item['n_before']} / {item['n_after']}"
    )


def shift_table(
    shifts: Sequence[Mapping], labels: Mapping[str, str], unit: str = "Author"
) -> pd.DataFrame:
    """Author shifts over time as a readable table (one row per author, topic and measure;
    ``unit`` names the first column: "Outlet" for outlets); why a shift is not measured or not
    tested goes in a Note column of its own (as wide as the reason), not into the numbers'
    narrow columns. The shifts measured come first, the others after them."""
    rows = []
    measured_first = sorted(shifts, key=lambda item: item.get("shift") is None)  # stable
    for item in measured_first:
        measurable = item.get("shift") is not None
        tested = measurable and item.get("p_value") is not None
        rows.append(
            {
                unit: item["author"],
                "Topic": labels.get(item["topic"], item["topic"]),
                "Measure": str(item["measure"]).capitalize(),
                # a detected change fell somewhere in the gap before its first date, as
                # `viewpoints shift` says
                "Split": f"between {item['last_before']} and {item['split_date']}"
                if item.get("detected") and item.get("last_before") and item.get("split_date")
                else item.get("split_date") or "",
                "How": ""
                if not item.get("split_date")
                else ("detected" if item.get("detected") else "your date"),
                "Before": signed(item["before"]) if measurable else "",
                "After": signed(item["after"]) if measurable else "",
                "Shift": signed(item["shift"]) if measurable else "",
                "95% interval": f"{bracket(item['low'], item['high'])}" if tested else "",
                "p": p_value_text(item["p_value"]) if tested else "",
                # over every test of the table (absent where the caller gave none)
                "q": p_value_text(item["q_value"])
                if tested and item.get("q_value") is not None
                else "",
                # before / after where there is a split; else the dated articles there are
                "Articles": f"{item['n_before']} / {item['n_after']}"
                if item.get("split_date")
                else str(item["n_before"] + item["n_after"]),
                # a found split's uncorrected interval is said once, in the table's caption;
                # its note says only where its interval and p disagree
                "Note": item.get("note", ""),
            }
        )
    return pd.DataFrame(rows)


# Articles discussing a topic below which its mean tone is not said (too few to set a baseline).
TONE_BASELINE_MIN_ARTICLES = 5
# Outlets in the range given beside it: those with at least this many articles on the topic.
TONE_RANGE_MIN_ARTICLES = 3


def topic_tone_means(
    article_positions: pd.DataFrame, topics: Sequence[str]
) -> dict[str, tuple[float, int]]:
    """Topic -> (the tone of all the own-voice topic passages of the articles that discuss it,
    pooled with each article weighing by its passages (an outlet's weigh by relevance: within
    about 0.01 on 1,000 AllSides articles); how many articles), for
    the topics that at least :data:`TONE_BASELINE_MIN_ARTICLES` articles discuss with a tone.
    A topic's own words pull every tone one way (every outlet's sanctions tone read −0.47 to
    −0.73 on the AllSides corpus), so an analyst reads a unit's tone against this, not 0."""
    rows = article_positions[
        (article_positions["status"] == "discussed") & article_positions["tone"].notna()
    ]
    means = {}
    for topic in topics:
        part = rows[rows["topic"] == topic]
        if len(part) < TONE_BASELINE_MIN_ARTICLES:
            continue
        weights = pd.to_numeric(part["n_passages"], errors="coerce").fillna(0).clip(lower=0)
        tones = part["tone"].astype(float)
        mean = float((tones * weights).sum() / weights.sum()) if weights.sum() else tones.mean()
        means[topic] = (mean, len(part))
    return means


def outlet_tone_ranges(
    outlet_positions: pd.DataFrame, topics: Sequence[str]
) -> dict[str, tuple[float, float, int]]:
    """Topic -> (lowest, highest tone, how many outlets) among the outlets with at least
    :data:`TONE_RANGE_MIN_ARTICLES` articles discussing it."""
    rows = outlet_positions[
        (outlet_positions["status"] == "discussed") & outlet_positions["tone"].notna()
    ]
    if "n_articles_discussing" in rows.columns:
        rows = rows[rows["n_articles_discussing"].fillna(0) >= TONE_RANGE_MIN_ARTICLES]
    ranges = {}
    for topic in topics:
        tones = rows.loc[rows["topic"] == topic, "tone"].astype(float)
        if len(tones) >= 2:
            ranges[topic] = (float(tones.min()), float(tones.max()), len(tones))
    return ranges


def tone_baseline_note(
    means: Mapping[str, tuple[float, int]],
    label: Any,
    ranges: Mapping[str, tuple[float, float, int]] | None = None,
    topics: Sequence[str] = (),
) -> str | None:
    """The sentence that gives each topic's pooled tone and the outlets' range around it
    (``label``: topic key -> its name); the ``topics`` shown without one are named as such,
    not left out (a review read a date range's note without Arms control and no word why)."""
    if not means:
        return None
    ranges = ranges or {}
    missing = [label(t) for t in topics if t not in means]

    def part(topic: str, mean: float, n: int) -> str:
        spread = ranges.get(topic)
        # the range is over the outlets with a few articles on it, so the pooled tone of all
        # articles can lie outside it (a review read "-0.08 ..., outlets -0.06 to -0.02")
        around = (
            f", the {spread[2]} outlets with {TONE_RANGE_MIN_ARTICLES} or more of them "
            f"{signed(spread[0])} to {signed(spread[1])}"
            if spread
            else ""
        )
        return f"{label(topic)} {signed(mean)} ({n:,} articles{around})"

    parts = "; ".join(part(topic, mean, n) for topic, (mean, n) in means.items())
    if missing:
        parts += (
            f"; {', '.join(missing)}: none, fewer than {TONE_BASELINE_MIN_ARTICLES} articles "
            "discuss it with a tone"
        )
    return (
        f"Tone over all the articles that discuss each topic, whatever the outlet and author "
        f"filters: {parts}. A topic's own words (sanctions, war, invasion) pull every tone one "
        "way, so compare a tone with this and with other authors' and outlets', not with 0."
    )


def busiest_topic(rows: pd.DataFrame, topics: Sequence[str]) -> str | None:
    """The topic on which most of ``rows`` (the chosen units' positions) take a side, then
    discuss it (the first of ``topics`` among ties): where a page's evidence opens, rather
    than on the first topic, which the chosen may not discuss at all."""
    if not topics:
        return None
    sided, discussed = takes_side(rows), rows["status"] == "discussed"

    def weight(topic: str) -> tuple[int, int]:
        on = rows["topic"] == topic
        return int((sided & on).sum()), int((discussed & on).sum())

    return max(topics, key=weight)


def takes_side(rows: pd.DataFrame, clearly: bool = False) -> pd.Series:
    """Which positions are discussed with a stance of the author's own (expressed or mixed),
    and with ``clearly`` an interval clear of 0: where a page opens, with nothing chosen, to
    show a number and its evidence."""
    if "stance_status" not in rows:
        return pd.Series(False, index=rows.index)
    sided = (rows["status"] == "discussed") & rows["stance_status"].isin(["expressed", "mixed"])
    if clearly and {"stance_low", "stance_high"} <= set(rows.columns):
        low = pd.to_numeric(rows["stance_low"], errors="coerce")
        high = pd.to_numeric(rows["stance_high"], errors="coerce")
        sided &= (low > 0) | (high < 0)
    return sided
