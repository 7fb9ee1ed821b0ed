"""Every page renders a corpus-sized run (6,121 generated articles, about 1,900 groups), with its
tables paged rather than drawn whole. Times are printed (``-s``), never asserted: speed is
measured by benchmark scripts, not by tests.
"""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.slow


def _timed(label: str, action, timings: dict[str, float]):
    start = time.perf_counter()
    at = action()
    timings[label] = time.perf_counter() - start
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_every_page_renders_a_corpus_sized_run(app, large_runs_dir):
    timings: dict[str, float] = {}
    at = app(large_runs_dir)
    _timed("overview, first run (cold caches)", at.run, timings)
    table = at.dataframe[0].value
    assert len(table) == 25 * 3  # one page of 25 groups, one row per topic
    _timed("overview, new session (warm caches)", app(large_runs_dir).run, timings)
    sort = at.selectbox(key="ov_sort_author")
    _timed("sort by a topic", sort.set_value("Ukraine: tone, clearest negative first").run, timings)
    key = at.dataframe[0].key
    at.session_state[key] = {"selection": {"rows": [], "columns": [], "cells": [[4, "Topic"]]}}
    _timed("click a row -> evidence", at.run, timings)
    view = at.radio(key="ov_view")
    _timed("article-level view", view.set_value("Articles").run, timings)
    assert len(at.dataframe[0].value) == 25 * 3
    at.switch_page("app_pages/compare.py")
    _timed("compare page", at.run, timings)
    at.switch_page("app_pages/article.py")
    _timed("article page", at.run, timings)
    # the newest 300, plus the selected article when it is not among them
    assert len(at.selectbox(key="w_article").options) <= 301
    print("\n" + "\n".join(f"{label:40s} {seconds:6.2f} s" for label, seconds in timings.items()))
