"""Bylines into authors: "Eric Tucker and Deb Riechmann" is two authors.

An article counts toward each of its authors: author-level positions group articles per author,
not per byline, while the article keeps its byline for display. Articles without a named author
stay grouped under their outlet (or themselves), one group each.

Scraped bylines often carry the site's list of other writers after the real one ("Jen Kirby,
Rebecca Jennings, Hannah Brown, Lauren Katz, ..." on Vox; National Review's run to ten names):
read literally, a few staff names would be credited with most of an outlet's articles (on the
AllSides corpus, a National Review roster name with 179 articles, more than any real author).
Such a *roster name* shows in the bylines themselves: within one outlet it follows the first
name in a large share of the bylines, behind many different first names. A byline that reaches
a roster name after its first name counts for its first name only (:func:`article_authors`):
the names before the list's frequent ones are mostly its less frequent writers ("Scott Mckay,
Adam Ellwanger, Ben Stein, Betsy Mccaughey, Debra J. Saunders, ..." on American Spectator).
A byline that carries another outlet's list (two or more of one roster's names after its first
name; AllSides files some columnists under their own name as the outlet, with their paper's
list scraped after them) is cut there too. A column whose byline lacks its writer's name and
starts with the list (George Will's and Charles Krauthammer's on AllSides, filed under their
names) counts for the writer its closing note names, where it has one (the loader's
``_writer``), and else for the list's first name: telling that first name from a real author
(National Review's own articles start with the same names) would need more than the bylines.
A run of a few articles has too few bylines to find a roster, so the rosters found on the
AllSides corpus ship with the package (``known_rosters.json``) and are cut at in every run.
On the whole AllSides corpus, its reserved articles included, the rule (at least 15% of an
outlet's bylines, 3 articles, 3 first names) finds 102 roster names in 14 outlets (Reason,
National Review, Vox, American Spectator, Mother Jones, Townhall, ...), 15-100% of their
outlet's bylines; the most frequent co-author it
leaves alone follows 12% of Associated Press bylines, and a few roster names under 15% survive
where no more frequent one comes before them.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where a table is built: reading bylines stays light
    import pandas as pd

_SEPARATORS = re.compile(r"\s*(?:,|;|\||&|\band\b)\s*", re.IGNORECASE)
_BY = re.compile(r"^\s*by\s+", re.IGNORECASE)
# Parts that belong to the name before them ("Martin Luther King, Jr.") or are not names.
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md", "m.d."}
_NOT_A_NAME = re.compile(
    # an e-mail address (a handle alone, "@JaneDoe", is how a blog or feed names its writer)
    r"\w@|\.com\b|\.org\b|\bstaff\b|\bwriters?\b|\breporters?\b|\beditor\b"
    # job titles and desks in place of a name: "Nro Contributor", "Cnn Pentagon Correspondent",
    # "Newsmax Wires", "Cst Editorial Board"
    r"|\bcontributors?\b|\bcorrespondents?\b|\bwires\b|\beditorial\b"
    # beats, shows and roles after a name: "Hollie Mckay, War Crimes", "Fox Files", "Military
    # Issues", "Cnn Justice Producer", "Senior Research Fellow", "Bank Worker", "Northeast Asia"
    r"|\b(?:producers?|fellow|owner|workers?|crimes?|security|business|journal|council)\b"
    r"|\b(?:stories|files|issues|forum|politics|immigration)\b"
    # a credit line, not a second writer: "David Rothkopf, Special To Cnn"
    r"|^special\s+to\b"
    # the publisher in place of a writer: "Condé Nast, Tina Nguyen" (Vanity Fair)
    r"|\bcond[eé]\s+nast\b"
    r"|^(?:north|south)?(?:east|west)?\s+asia$"
    # scraped page furniture: "Backgroundurl Avatar_Large, Story Count, ..., Popular Tags",
    # "In July Of", "On Iran", "For Cnn"; not a name that starts or ends with such a short
    # word ("To Lam", "Alex To", "Chan Wing On")
    r"|_|\b(?:story|comment)\s+count\b|\bpopular\s+tags\b|^(?:in|of|on|at|the|for)\s"
    r"|\s(?:in|of|for)$",
    re.I,
)
# A name with an office after the first name ("Gregg Re, President Trump", "Joseph Weber, Sen.
# John Kennedy") is the story's subject, tagged by the site, not a co-author, and so are the
# names after it ("Gregg Re, President Trump, Marie Yovanovitch"); as the first name ("Rep.
# Angie Craig") it is the writer of an op-ed.
_OFFICE = re.compile(
    r"(?:president|vice\s+president|sen|senator|rep|representative|gov|governor|secretary"
    r"|prime\s+minister|chancellor|first\s+lady|ambassador)\b\.?\s",
    re.I,
)
# A name the source quoted after losing its apostrophe ('"Cortney OBrien"', '"Michael
# DAntonio"'): the quotes go and the apostrophe comes back, so that it reads and sorts as a name.
_QUOTES = '"\u201c\u201d'
# A social handle after a name ("Jane Doe @JaneDoe", "Jane Doe (@janedoe)"): the name is the
# author, or the handle would make a second unit of the same writer
_TRAILING_HANDLE = re.compile(r"\s*\(?@\w+\)?$")
_LOST_APOSTROPHE = re.compile(r"\b([OD])(?=[A-Z][a-z])")
# A label before the name: "Analysis Stephen Collinson", "Story X, Video Y", "Opinion by Z".
_ROLE = re.compile(r"^(?:analysis|opinion|commentary|story|video|photos?)\s+(?:by\s+)?", re.I)
# A roster name: listed after the first name in at least this share of its outlet's bylines,
# in at least ROSTER_MIN_ARTICLES of them, behind at least ROSTER_MIN_LEADS different first names
# (so that two writers who always sign together stay co-authors).
ROSTER_SHARE = 0.15
ROSTER_MIN_ARTICLES = 3
ROSTER_MIN_LEADS = 3
# Another outlet's list of writers in a byline (a columnist filed under their own name as the
# outlet, their newspaper's list scraped after them): cut where at least this many of the names
# after the first belong to one other outlet's roster. One alone may be a real co-author.
FOREIGN_ROSTER_MIN = 2
# A byline still naming more than this many people once the rosters are cut is a scraped list
# of the site's writers that no roster caught (a Vox piece "by" eight staff names, Wired "by"
# Condé Nast and nine writers): it counts for its first name only. On the AllSides corpus
# 53 bylines name six to ten people; read, 51 are lists of this kind, and two may be real
# six-author pieces (a New York Times graphic, a CNN report) that now count for their first.
MAX_BYLINE_NAMES = 5
# The rosters the rule finds on the AllSides corpus (its reserved articles left out), written by
# `python -m experiments.known_rosters`: a run cuts at these as well as at those it finds, so
# that a run of a few articles credits them as a whole-corpus run does.
KNOWN_ROSTERS_FILE = Path(__file__).with_name("known_rosters.json")


@cache
def known_rosters() -> Mapping[str, frozenset[str]]:
    """Outlet -> roster names shipped in ``known_rosters.json`` (empty if the file is absent)."""
    if not KNOWN_ROSTERS_FILE.is_file():
        return {}
    record = json.loads(KNOWN_ROSTERS_FILE.read_text(encoding="utf-8"))
    return {str(outlet): frozenset(names) for outlet, names in record["rosters"].items()}


def _missing(value: object) -> bool:
    """None, or a table's missing value (NaN, pandas' NA)."""
    return (
        value is None
        or (isinstance(value, float) and value != value)
        or type(value).__name__ == "NAType"
    )


def split_byline(byline: str | None) -> tuple[str, ...]:
    """The author names of a byline, in order, without duplicates (case-insensitive); the
    byline itself where none of its parts is a name."""
    names = byline_names(byline)
    if names or _missing(byline):
        return names
    text = _BY.sub("", str(byline)).strip()
    return (text,) if text else ()


def not_names(byline: str | None) -> tuple[str, ...]:
    """The parts of a byline that :func:`byline_names` does not read as names (section tags,
    e-mail addresses, job titles: "Homeland Security" in "Malia Zimmerman, Homeland Security"),
    so that a page can say why they count for no one."""
    if _missing(byline):
        return ()
    names = [" ".join(n.casefold().split()) for n in byline_names(byline)]
    out = []
    for raw in _SEPARATORS.split(_BY.sub("", str(byline)).strip()):
        part = raw.strip(" .")
        folded = " ".join(unquote_name(part).casefold().split())
        if not part or folded in _SUFFIXES or any(name in folded for name in names):
            continue
        if not any(folded in name for name in names):  # "King" of "Martin Luther King, Jr"
            out.append(part)
    return tuple(dict.fromkeys(out))


def byline_names(byline: str | None) -> tuple[str, ...]:
    """The names :func:`split_byline` finds, and none where the byline is only page furniture
    ("Backgroundurl Avatar_Large, Story Count, Comment Count, Popular Tags") or staff labels:
    such an article has no named author."""
    if _missing(byline):
        return ()
    text = _BY.sub("", str(byline)).strip()
    if not text:
        return ()
    names: list[str] = []
    for raw in _SEPARATORS.split(text):
        part = unquote_name(raw.strip(" ."))
        if not part.startswith("@"):  # a handle alone is kept as the name
            part = _TRAILING_HANDLE.sub("", part)
        if _NOT_A_NAME.search(part):
            continue
        unlabelled = _ROLE.sub("", part).strip(" .")
        if len(unlabelled.split()) >= 2:  # "Story Musgrave" is a name, not a label and one word
            part = unlabelled
        if not part:
            continue
        if part.lower() in _SUFFIXES and names:
            names[-1] = f"{names[-1]}, {part}"
            continue
        if _NOT_A_NAME.search(part) or not any(ch.isalpha() for ch in part):
            continue
        names.append(part)
    seen: set[str] = set()
    unique = []
    for name in names:
        if unique and _OFFICE.match(name):  # the story's subjects from here on: tags
            break
        key = " ".join(name.lower().split())
        if key not in seen:
            seen.add(key)
            unique.append(name)
    return tuple(unique)


def unquote_name(part: str) -> str:
    """``'"Cortney OBrien"'`` -> ``"Cortney O'Brien"``; any other text as it is."""
    if len(part) > 2 and part[0] in _QUOTES and part[-1] in _QUOTES:
        return _LOST_APOSTROPHE.sub(r"\1'", part[1:-1].strip(" ."))
    return part


def roster_names(articles: pd.DataFrame) -> dict[str, frozenset[str]]:
    """Outlet -> the names its bylines list after their first name so often, behind so many
    first names, that they are the site's list of writers rather than co-authors (see the
    module docstring). Counted over the articles that are not duplicates (``duplicate_of``), so
    that every caller given the same run finds the same names; empty without an ``outlet``
    column."""
    return _rosters(articles, _bylines(articles))


def _bylines(articles: pd.DataFrame) -> list[tuple[str, ...] | None]:
    """Each article's byline split into names; None for one grouped under its outlet or title."""
    return [
        split_byline(group) if kind == "author" else None
        for kind, group in zip(articles["group_kind"], articles["group"], strict=True)
    ]


def _rosters(
    articles: pd.DataFrame, bylines: list[tuple[str, ...] | None]
) -> dict[str, frozenset[str]]:
    """:func:`roster_names` from the articles' split bylines (:func:`_bylines`)."""
    if "outlet" not in articles.columns:
        return {}
    counted = (
        articles["duplicate_of"].isna().to_numpy()
        if "duplicate_of" in articles.columns
        else [True] * len(articles)
    )
    n_bylines: Counter[str] = Counter()
    trailing: defaultdict[str, Counter[str]] = defaultdict(Counter)
    leads: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for outlet, names, keep in zip(articles["outlet"], bylines, counted, strict=True):
        if not keep or not names or _missing(outlet):
            continue
        n_bylines[outlet] += 1
        for name in names[1:]:
            trailing[outlet][name] += 1
            leads[(outlet, name)].add(names[0])
    found = {}
    for outlet, counts in trailing.items():
        names = frozenset(
            name
            for name, n in counts.items()
            if n >= ROSTER_MIN_ARTICLES
            and n >= ROSTER_SHARE * n_bylines[outlet]
            and len(leads[(outlet, name)]) >= ROSTER_MIN_LEADS
        )
        if names:
            found[str(outlet)] = names
    return found


def article_authors(
    articles: pd.DataFrame, known: Mapping[str, frozenset[str]] | None = None
) -> list[tuple[str, ...]]:
    """Each article's authors, in row order: its byline split (:func:`split_byline`), cut to
    its first name where a roster name follows it (:func:`roster_names`, with the ``known``
    rosters, by default :func:`known_rosters`) or where more than :data:`MAX_BYLINE_NAMES`
    remain; the group itself for an article grouped under
    its outlet or title. A name spelt as an outlet group but for case and spacing ("Usa Today",
    the outlet "USA TODAY") takes the outlet's spelling, so that the two are one unit."""
    bylines = _bylines(articles)
    rosters = dict(_rosters(articles, bylines))
    for outlet, names in (known_rosters() if known is None else known).items():
        # lists a run recorded before names were unquoted still match
        rosters[outlet] = rosters.get(outlet, frozenset()) | {unquote_name(n) for n in names}
    outlets = articles["outlet"] if "outlet" in articles.columns else [None] * len(articles)
    authors = []
    for group, names, outlet in zip(articles["group"], bylines, outlets, strict=True):
        if names is None:
            authors.append((group,))
            continue
        roster = rosters.get(str(outlet), frozenset())
        cut = next((i for i, name in enumerate(names) if i and name in roster), len(names))
        for other in rosters.values():
            listed = [i for i, name in enumerate(names) if i and name in other]
            if len(listed) >= FOREIGN_ROSTER_MIN:
                cut = min(cut, listed[0])
        # A byline that reaches a list is a list from its second name on: the names between
        # the first and the list's are mostly less frequent writers of the same sidebar.
        kept = names[:1] if cut < len(names) else names
        authors.append(kept[:1] if len(kept) > MAX_BYLINE_NAMES else kept)
    return _outlet_spelling(articles, authors)


def _outlet_spelling(
    articles: pd.DataFrame, authors: list[tuple[str, ...]]
) -> list[tuple[str, ...]]:
    """``authors`` with each name that equals an outlet group's name but for case and spacing
    spelt as that group is (of several such spellings, the first in sorted order)."""
    kinds = articles["group_kind"] if "group_kind" in articles.columns else [None] * len(articles)
    spellings: dict[str, str] = {}
    for group, kind in sorted(zip(articles["group"], kinds, strict=True), key=str):
        if kind == "outlet" and isinstance(group, str):
            spellings.setdefault(name_key(group), group)
    return [tuple(spellings.get(name_key(n), n) for n in names) for names in authors]


def membership(
    articles: pd.DataFrame, known: Mapping[str, frozenset[str]] | None = None
) -> pd.DataFrame:
    """``(article_id, group_kind, group)`` with one row per author of each article
    (:func:`article_authors`, ``known`` passed on; articles grouped under an outlet or
    themselves: one row, their group). An outlet group named as an author is that author:
    AllSides files columnists under their own name as the outlet (their unsigned pieces), and
    wire copy under "Associated Press" signed or not, so the two are one unit, not two units
    of one name (spelt as the outlet where the two differ only in case: :func:`article_authors`)."""
    authors = article_authors(articles, known)
    rows = [
        (article_id, kind, name)
        for article_id, kind, names in zip(
            articles["article_id"], articles["group_kind"], authors, strict=True
        )
        for name in names
    ]
    import pandas as pd

    return outlets_named_as_authors(
        pd.DataFrame(rows, columns=["article_id", "group_kind", "group"])
    )


def outlets_named_as_authors(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` (a DataFrame with ``group_kind`` and ``group``) with every outlet group that
    some row names as an author made that author (see :func:`membership`)."""
    named = set(rows.loc[rows["group_kind"] == "author", "group"])
    promoted = (rows["group_kind"] == "outlet") & rows["group"].isin(named)
    if not promoted.any():
        return rows
    return rows.assign(group_kind=rows["group_kind"].where(~promoted, "author"))


class AmbiguousName(ValueError):
    """A typed name that several groups of a run answer to (not a name the run lacks)."""


CLOSEST = 5  # names offered for one not found ("Fox" shares a word with four Fox outlets)


def match_group(name: str, groups: Iterable[str], run_id: str, noun: str = "author") -> str:
    """The author or outlet group of a run that ``name`` means: the group of that exact name,
    else the one group equal to it ignoring case, spacing and apostrophes ("greg botelho");
    otherwise a ValueError naming the closest groups (by words in common, then by spelling).
    ``noun``: what the groups are, in the error ("outlet" where they are outlets)."""
    groups = set(groups)
    if name in groups:
        return name
    same = sorted(g for g in groups if name_key(g) == name_key(name))
    if len(same) == 1:
        return same[0]
    if same:
        raise AmbiguousName(f"{noun} {name!r} is ambiguous in run {run_id}: {same}")
    import difflib

    key = name_key(name)
    words = _words(key)
    shared = {g: len(words & _words(name_key(g))) for g in groups}
    close = sorted((g for g in groups if shared[g]), key=lambda g: (-shared[g], g))[:CLOSEST]
    by_key = {name_key(g): g for g in sorted(groups)}
    for near in difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.75):  # misspelt
        if by_key[near] not in close:
            close.append(by_key[near])
    hint = f"closest: {close[:CLOSEST]}" if close else "no name is close to it"
    raise ValueError(f"no {noun} {name!r} in run {run_id}; {hint}")


def _words(key: str) -> set[str]:
    """The words of a name key, punctuation aside (a roster "Yglesias, German Lopez, ..." has
    the words "german" and "lopez", not "lopez,")."""
    return set(re.findall(r"\w+", key))


def name_key(name: str) -> str:
    """A name as typed names are matched: case, spacing, apostrophes and quotes aside, without
    the `` *`` that `viewpoints show` puts after an outlet group ("Cortney OBrien" is
    "Cortney O'Brien"; "The Hill *" is "The Hill")."""
    from analysis.topics import folded

    text = str(name).strip().removesuffix("*")
    return folded("".join(ch for ch in text if ch not in "'\u2019\"\u201c\u201d"))


def units_named_otherwise(run: Any) -> tuple[int, int]:
    """(author units the run's stored positions hold, how many of them today's byline rules
    name otherwise): a run made before a rule changed keeps the units of its day (an
    :class:`analysis.runs.Run`); (n, 0) where they agree."""
    import pandas as pd

    positions = run.positions
    if "level" in positions.columns:
        positions = positions[positions["level"] == "author"]
    stored = set(positions["author"].dropna().astype(str))
    articles = run.articles
    if not stored or not len(articles) or "group_kind" not in articles.columns:
        return len(stored), 0
    groups = article_authors(articles, run.info.known_rosters)
    rows = pd.DataFrame(
        {
            "article_id": articles["article_id"].to_numpy(),
            "group": pd.Series(groups, dtype=object).to_numpy(),
            "group_kind": articles["group_kind"].to_numpy(),
        }
    ).explode("group")
    today = set(outlets_named_as_authors(rows)["group"].dropna().astype(str))
    return len(stored), len(stored - today)


def units_note(run: Any) -> str | None:
    """A sentence where the run's stored author units differ from today's reading of its
    bylines (:func:`units_named_otherwise`), else None."""
    stored, otherwise = units_named_otherwise(run)
    if not otherwise:
        return None
    return (
        f"run {run.run_id}'s stored author positions hold {stored:,} units, {otherwise:,} of "
        "them named otherwise today: it was made with the byline rules of its day; analyze its "
        "articles again to have both agree (docs/bylines.md)"
    )
