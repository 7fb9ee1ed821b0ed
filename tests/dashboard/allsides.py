"""Real runs of the AllSides corpus for the dashboard tests.

By default the corpus is sliced: the first 30 articles (in file order) that discuss Russia
together with sanctions, Ukraine, a treaty or nuclear arms, plus the first 10 that do not. The
slice is analyzed by the real pipeline twice, with the default models and with VADER tone, so
the Runs page has two runs to compare, in about a minute on two cores.

``VIEWPOINTS_ALLSIDES_RUNS=DIR`` points the same tests at runs of the whole corpus instead:
``DIR`` must hold a run named ``allsides`` (default models) and may hold one named
``allsides-vader`` (without it, the tests that compare two runs skip, and the correction test
skips at its rerun step)::

    viewpoints analyze ../shared/data/allsides/articles.jsonl --runs-dir DIR --name allsides
    viewpoints analyze ../shared/data/allsides/articles.jsonl --runs-dir DIR \\
        --name allsides-vader --tone-model tone.vader.v1

The whole corpus takes two to six minutes per run here (docs/performance.md), with a gigabyte
of memory, which is why CI uses the slice.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.cli import main
from analysis.runs import list_runs
from tests.conftest import SHARED_DATA

ALLSIDES = SHARED_DATA / "allsides" / "articles.jsonl"
ON_TOPIC = re.compile(r"sanction|Ukrain|arms control|treaty|New START|nuclear", re.IGNORECASE)
BASE_NAME, OTHER_NAME = "allsides", "allsides-vader"
# The default topics the runs are analyzed with, as the dashboard labels them
TOPIC_LABELS = {"arms_control": "Arms control", "sanctions": "Sanctions", "ukraine": "Ukraine"}


@dataclass(frozen=True)
class AllSidesRuns:
    """Two runs of the same AllSides articles: default models, and VADER tone."""

    runs_dir: Path
    base: str  # run id, default models
    other: str | None  # run id, tone by VADER (None: no such prebuilt run)
    corpus: Path  # the articles file that was analyzed
    cache: Path | None  # prediction cache shared by the runs (None for prebuilt runs)
    full: bool  # the whole corpus (prebuilt), not the slice


def write_slice(path: Path, on_topic: int = 30, off_topic: int = 10) -> Path:
    """The slice described in the module docstring, as AllSides JSON Lines."""
    picked, wanted = [], {True: on_topic, False: off_topic}
    with ALLSIDES.open(encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line).get("content_original", "")
            kind = "Russia" in text and bool(ON_TOPIC.search(text))
            if wanted[kind] > 0:
                picked.append(line)
                wanted[kind] -= 1
            if not any(wanted.values()):
                break
    path.write_text("".join(picked), encoding="utf-8")
    return path


def analyze(corpus: Path, runs_dir: Path, cache: Path, name: str, *extra: str) -> str:
    """Analyze ``corpus`` into a new run; returns its id."""
    args = ["analyze", str(corpus), "--runs-dir", str(runs_dir), "--quiet"]
    assert main([*args, "--cache", str(cache), "--name", name, *extra]) == 0
    return next(m["run_id"] for m in list_runs(runs_dir) if m.get("name") == name)


def prebuilt_runs(runs_dir: Path) -> AllSidesRuns:
    """The whole-corpus runs named in the module docstring."""
    by_name = {}
    for meta in list_runs(runs_dir):  # newest first: keep the newest of each name
        by_name.setdefault(meta.get("name"), meta["run_id"])
    if BASE_NAME not in by_name:
        raise RuntimeError(f"{runs_dir} holds no run named {BASE_NAME}")
    return AllSidesRuns(runs_dir, by_name[BASE_NAME], by_name.get(OTHER_NAME), ALLSIDES, None, True)


def allsides_runs(workdir: Path) -> AllSidesRuns:
    """The runs the tests use: prebuilt whole-corpus runs if configured, else the slice."""
    prebuilt = os.environ.get("VIEWPOINTS_ALLSIDES_RUNS")
    if prebuilt:
        return prebuilt_runs(Path(prebuilt))
    corpus = write_slice(workdir / "articles.jsonl")
    runs_dir, cache = workdir / "runs", workdir / "cache.sqlite"
    base = analyze(corpus, runs_dir, cache, BASE_NAME)
    other = analyze(corpus, runs_dir, cache, OTHER_NAME, "--tone-model", "tone.vader.v1")
    return AllSidesRuns(runs_dir, base, other, corpus, cache, False)


def other_run(runs: AllSidesRuns) -> str:
    """The VADER-tone run, or skip the test that needs it."""
    import pytest

    if runs.other is None:
        pytest.skip(f"no run named {OTHER_NAME} in {runs.runs_dir}")
    return runs.other


def busiest_position(run) -> dict:
    """The author × topic position of ``run`` with the most own-voice passages."""
    positions = run.positions
    authors = positions[(positions["level"] == "author") & (positions["status"] == "discussed")]
    ranked = authors.sort_values(["n_passages", "author"], ascending=[False, True])
    return ranked.iloc[0].to_dict()
