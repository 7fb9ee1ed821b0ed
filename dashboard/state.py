"""Selections shared by the pages, kept in ``st.session_state`` and mirrored to the URL.

The shared selections are the run, the authors being compared or filtered on, the author and
topic whose evidence is open, and the article being read. Each lives under ``sel_<name>`` in
Session State, survives page switches (widget state does not), is read once from
``st.query_params`` when a session starts, and is written back to ``st.query_params`` after every
run, so the address bar always holds a link to the current view.

Widgets get their own key (``w_<name>``): before a widget is drawn its state is set from the
shared value, and its ``on_change`` callback copies the user's choice back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

SINGLE = (
    "run",
    "author",
    "outlet",
    "topic",
    "article",
    # Overview: authors, outlets or articles, their order, and the date-range and undated filters
    "view",
    "sort_authors",
    "sort_outlets",
    "sort_articles",
    "from",
    "to",
    "undated",
    "silent",  # "1": those that discuss no topic shown too, "0": hidden (else by run size)
    "page_author",  # the table's page under Authors, Outlets and Articles (none: the first)
    "page_outlet",
    "page_article",
    # Compare: which kind of group the authors are chosen among
    "among",
    # Compare and Over time: "Outlets" (each over all its articles) instead of authors; one
    # choice for both pages, so that an analyst comparing outlets keeps to outlets
    "units",
    # Article: the search text and group the articles are chosen among, the topic whose scores
    # colour the passages, and the scale (stance or tone)
    "search",
    "in_text",  # "1": the search looks into the articles' text too (none: titles and names)
    "tests",  # Compare: "1" while "Is the difference real?" is open
    "article_group",
    "colour",
    "scale",
    # Over time: the date the shifts are measured at (none: the change point is searched), and
    # whether points are articles or years
    "split",
    "time_points",
    "odd_dates",  # "1": articles with dates unlikely for news drawn at them (none: left out)
    # Runs: the two runs compared, the topic and the measure looked at
    "run_a",
    "run_b",
    "runs_topic",
    "measure",
)
MULTI = (
    "authors",
    # Compare: the outlets compared (each over all its articles)
    "compared_outlets",
    # Filters (Overview, Over time): outlets, authors or outlet groups, topics
    "outlets",
    "groups",
    "topics",
    # Over time: the authors drawn, or the outlets
    "time_authors",
    "time_outlets",
)
_LOADED = "_vp_query_params_loaded"
_FROM_LINK = "_vp_from_link"  # selections the opened link set, not yet checked by a widget
# What a selection is, in the warning about a link's value that is not here.
NOUNS = {
    "run": "run",
    "run_a": "run",
    "run_b": "run",
    "author": "author",
    "article": "article",
    "outlet": "outlet",
    "topic": "topic",
    # multiselects: the noun, not their label ("authors or outlet groups (two to 4)")
    "authors": "authors or outlet groups",
    "compared_outlets": "outlets",
    "outlets": "outlets",
    "groups": "authors or outlet groups",
    "topics": "topics",
    "time_authors": "authors or outlet groups",
    "time_outlets": "outlets",
}


def _key(name: str) -> str:
    return f"sel_{name}"


def widget_key(name: str) -> str:
    """The Session State key of the widget bound to selection ``name``."""
    return f"w_{name}"


def get(name: str, default: Any = None) -> Any:
    """The current value of selection ``name``."""
    return st.session_state.get(_key(name), default)


def put(name: str, value: Any) -> None:
    """Set selection ``name`` (also updates its widget when drawn later in this run)."""
    st.session_state[_key(name)] = value


def load_from_query_params() -> None:
    """Seed the selections from the URL, once per session."""
    if st.session_state.get(_LOADED):
        return
    st.session_state[_LOADED] = True
    params = st.query_params
    from_link = set()
    for name in SINGLE:
        if params.get(name):
            put(name, params.get(name))
            from_link.add(name)
    for name in MULTI:
        values = [v for v in params.get_all(name) if v]
        if values:
            put(name, values)
            from_link.add(name)
    st.session_state[_FROM_LINK] = from_link


def selections() -> dict[str, str | list[str]]:
    """The selections as URL parameters (those with a value)."""
    out: dict[str, str | list[str]] = {}
    for name in (*SINGLE, *MULTI):
        value = get(name)
        single = [str(value)] if value else []
        wanted = [str(v) for v in value] if isinstance(value, list) else single
        if wanted:
            out[name] = wanted if name in MULTI else wanted[0]
    return out


def push_to_query_params() -> None:
    """Write the selections to the URL in one step, other parameters kept: one browser history
    entry per change of view (written one by one, a click added a dozen identical entries and
    Back seemed to do nothing)."""
    params = st.query_params
    wanted = selections()
    mine = {*SINGLE, *MULTI}
    as_lists = {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}
    if all(params.get_all(name) == as_lists.get(name, []) for name in mine):
        return
    others = {key: params.get_all(key) for key in params if key not in mine}
    params.from_dict({**others, **wanted})


def switch_page(page: Any, handed: Sequence[str] = ()) -> None:
    """Open ``page`` with the selections in its address, in one browser history entry.
    ``handed`` names the selections this page hands over (the article a button opens): the
    page opened treats them as a link's, shown whatever its own filters hold, and says so
    where one is not there."""
    if handed:
        st.session_state.setdefault(_FROM_LINK, set()).update(handed)
    st.switch_page(page, query_params=selections())


def _copy_from_widget(name: str) -> None:
    put(name, st.session_state.get(widget_key(name)))


def _bound(
    draw: Callable[..., Any], name: str, label: str, options: list[Any], value: Any, **kwargs: Any
) -> Any:
    """Draw a widget whose value is selection ``name`` (set to ``value`` first) and copy the
    user's changes back into the selection."""
    put(name, value)
    st.session_state[widget_key(name)] = value
    return draw(
        label,
        options,
        key=widget_key(name),
        on_change=_copy_from_widget,
        args=(name,),
        **kwargs,
    )


def _one_of(options: list[Any], name: str, default: Any) -> Any:
    """The selection if it is among ``options``, else ``default`` (or the first option)."""
    value = get(name)
    if value in options:
        return value
    return default if default in options else (options[0] if options else None)


def opened_by_link(name: str) -> bool:
    """Whether selection ``name`` still holds the value of the link that was opened (not yet
    checked by its widget); unlike the widgets' check, asking does not use it up."""
    return name in st.session_state.get(_FROM_LINK, set())


def _came_from_link(name: str) -> bool:
    """Whether selection ``name`` still holds the opened link's value, unchecked (then it is
    checked now: later changes come from the user and need no warning)."""
    from_link = st.session_state.get(_FROM_LINK, set())
    found = name in from_link
    from_link.discard(name)
    return found


def _warn_not_here(
    where: Any, name: str, label: str, asked: str, instead: str, why: str | None = None
) -> None:
    """Say that the link asked for a value this run or folder does not have (or, ``why``,
    has but cannot show here), and what is shown instead, rather than swapping it silently."""
    noun = NOUNS.get(name, label.lower())
    where.warning(
        f"This link asked for {noun} “{asked}”, "
        + (f"which {why}" if why else "which is not here")
        + f": {instead}.",
        icon=":material/link_off:",
    )


def multiselect(
    label: str,
    options: Sequence[Any],
    name: str,
    *,
    where: Any = st,
    format_func: Callable[[Any], str] = str,
    default: Sequence[Any] = (),
    max_selections: int | None = None,
    absent_why: Callable[[Any], str | None] | None = None,
    **kwargs: Any,
) -> list[Any]:
    """A multiselect bound to selection ``name``; values not among ``options`` are dropped
    (said where a link asked for them; ``absent_why`` says why one the run has is not among
    them, "has no dated article here", where it can).

    ``default`` applies when the selection was never set (not when the user cleared it), and
    when none of what was chosen is here (another run, without those authors): an empty chart
    would look as if the user had cleared it.
    """
    options = list(options)
    allowed = set(options)
    current = get(name)
    value = list(default) if current is None else [v for v in current if v in allowed]
    fell_back = bool(current) and not value and bool(default)
    if fell_back:
        value = list(default)
    if _came_from_link(name):
        missing = [str(v) for v in current or [] if v not in allowed]
        if missing:
            instead = "showing the default ones instead" if fell_back else "left out"
            reasons = {absent_why(v) for v in missing} if absent_why else {None}
            why = reasons.pop() if len(reasons) == 1 else None
            _warn_not_here(where, name, label, ", ".join(missing), instead, why)
    if max_selections is not None:
        value = value[:max_selections]
    return _bound(
        where.multiselect,
        name,
        label,
        options,
        value,
        format_func=format_func,
        max_selections=max_selections,
        **kwargs,
    )


def _single_choice(kind: str) -> Callable[..., Any]:
    """A widget of ``kind`` (selectbox, radio) bound to a selection: see :func:`selectbox`."""

    def choose(
        label: str,
        options: Sequence[Any],
        name: str,
        *,
        where: Any = st,
        format_func: Callable[[Any], str] = str,
        default: Any = None,
        **kwargs: Any,
    ) -> Any:
        options = list(options)
        value = _one_of(options, name, default)
        asked = get(name)
        if _came_from_link(name) and asked is not None and asked != value:
            instead = f"showing “{format_func(value)}” instead" if value is not None else "none"
            _warn_not_here(where, name, label, str(asked), instead)
        draw = getattr(where, kind)
        return _bound(draw, name, label, options, value, format_func=format_func, **kwargs)

    choose.__name__ = choose.__qualname__ = kind
    choose.__doc__ = (
        f"A {kind} bound to selection ``name``; an invalid or missing value falls back to "
        "``default`` (or the first option). Returns the chosen option (None without options)."
    )
    return choose


selectbox = _single_choice("selectbox")
radio = _single_choice("radio")


def seed_widget(name: str, key: str, convert: Callable[[Any], Any] | None = None) -> None:
    """Give the widget ``key`` (a widget with its own key, not bound by the helpers above) the
    value of selection ``name`` when the widget has no state yet: a link was just opened, or
    the page was left and Streamlit forgot its widgets. ``convert`` turns the stored value into
    one the widget accepts (return None to leave the widget alone). After drawing the widget,
    the page stores its value with :func:`put`."""
    if key in st.session_state:
        return
    value = get(name)
    if value is None:
        return
    value = convert(value) if convert is not None else value
    if value is not None:
        st.session_state[key] = value


def one_of(options: Sequence[str]) -> Callable[[Any], str | None]:
    """A converter for :func:`seed_widget`: the option a link's value names, case aside
    ("view=outlets" opens Outlets); None for one that names none."""
    by_key = {str(o).casefold(): o for o in options}
    return lambda value: by_key.get(str(value).casefold())
