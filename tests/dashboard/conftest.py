"""Synthetic runs for the dashboard tests, written with ``analysis.runs.write_run``.

``make_small_run`` fabricates a realistic little run shaped like the seeds: three groups (one named
author with two articles, two outlets whose articles name no author), one article grouped under
itself, three topics, topics that are not discussed, and reported passages with speakers.
``make_large_run`` generates a run the size of the AllSides corpus (6,121 articles) to check that
the dashboard stays responsive. Positions are fabricated with simple means and normal intervals:
they only need the shape of real positions, not the project's aggregation.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analysis.aggregate import POSITION_RULES
from analysis.runs import TABLE_COLUMNS, write_run

TOPICS = (
    (
        "arms_control",
        "Arms control",
        "arms control agreements between the United States and Russia",
    ),
    ("sanctions", "Sanctions", "economic sanctions against Russia"),
    ("ukraine", "Ukraine", "Western support for Ukraine"),
)
TOPIC_LABELS = {key: label for key, label, _ in TOPICS}
EVIDENCE_DTYPE = pd.ArrowDtype(pa.list_(pa.string()))

CONFIG_TOML = "\n".join(
    [
        "seed = 0",
        "relevance_threshold = 0.5",
        "",
        "[models]",
        'stance = "stance.finetuned-minilm.v1"',
        'tone = "tone.finetuned-minilm.v1"',
        "",
    ]
    + [f'[[topics]]\nkey = "{k}"\nlabel = "{lab}"\ntarget = "{t}"\n' for k, lab, t in TOPICS]
)

# The three groups of the small run, as the dashboard shows them.
TIMOFEEV = "Ivan Timofeev"
VALDAI = "Valdai Discussion Club"
NHAN_DAN = "Nhan Dan"
WIRE_TITLE = "INF Treaty: a wire report"

# (text, [(topic, favor, against, tone_negative, tone_positive, relevance)], reported, speaker)
Paragraph = tuple[str, list[tuple[str, float, float, float, float, float]], bool, str | None]

SMALL_ARTICLES: list[dict] = [
    {
        "article_id": "000_75f37cc66b80f13e",
        "title": "Washington-Moscow: Repairing the Relations Incrementally",
        "author": None,
        "outlet": VALDAI,
        "date": "2018-06-28",
        "url": "https://valdaiclub.com/a/highlights/repairing-relations-incrementally/",
        "paragraphs": [
            (
                "John Bolton's visit to Moscow opened a window that both capitals had kept "
                "shut for more than a year.",
                [],
                False,
                None,
            ),
            (
                "Extending New START and returning to talks on intermediate-range missiles is "
                "the most realistic first step; arms control is where both sides still gain.",
                [("arms_control", 0.86, 0.04, 0.05, 0.55, 0.94)],
                False,
                None,
            ),
            (
                "Sanctions have not changed Moscow's course and keep poisoning every contact "
                "between officials, businesses and scholars.",
                [("sanctions", 0.08, 0.81, 0.78, 0.03, 0.91)],
                False,
                None,
            ),
            (
                '"We are ready for a professional dialogue on strategic stability," '
                "Sergey Lavrov told reporters.",
                [("arms_control", 0.7, 0.05, 0.05, 0.4, 0.77)],
                True,
                "Sergey Lavrov",
            ),
            (
                "Views expressed are of individual Members and Contributors, rather than "
                "the Club's, unless explicitly stated otherwise.",
                [],
                False,
                None,
            ),
        ],
    },
    {
        "article_id": "001_6c28832786d132a7",
        "title": "John Bolton in Moscow: Can One Expect a Turnabout in the US-Russia Relations?",
        "author": TIMOFEEV,
        "outlet": VALDAI,
        "date": "2018-06-27",
        "url": "https://valdaiclub.com/a/highlights/bolton-in-moscow/",
        "paragraphs": [
            (
                "A turnabout should not be expected, says Ivan Timofeev: the structural "
                "conflict remains.",
                [],
                False,
                None,
            ),
            (
                "The sanctions machine in Washington runs on autopilot and new restrictions are "
                "all but certain, a destructive spiral that hurts everyone.",
                [("sanctions", 0.05, 0.88, 0.83, 0.02, 0.96)],
                False,
                None,
            ),
            (
                "Still, a dialogue on strategic stability and the future of the INF Treaty is "
                "both possible and necessary.",
                [("arms_control", 0.74, 0.08, 0.1, 0.3, 0.88)],
                False,
                None,
            ),
        ],
    },
    {
        "article_id": "002_timofeev_sanctions",
        "title": "Sanctions Are Here to Stay",
        "author": TIMOFEEV,
        "outlet": VALDAI,
        "date": "2018-09-10",
        "url": "https://valdaiclub.com/a/highlights/sanctions-here-to-stay/",
        "paragraphs": [
            (
                "Sanctions against Russia have become a permanent instrument; Moscow has "
                "learned to live with them.",
                [("sanctions", 0.1, 0.62, 0.45, 0.05, 0.93)],
                False,
                None,
            ),
            (
                "Western arms deliveries to Ukraine only harden positions in Donbas and push a "
                "settlement further away.",
                [("ukraine", 0.06, 0.71, 0.6, 0.04, 0.89)],
                False,
                None,
            ),
        ],
    },
    {
        "article_id": "004_874e9fd0087b4233",
        "title": "A positive sign for removal of deadlocks in US-Russia relations",
        "author": None,
        "outlet": NHAN_DAN,
        "date": "2018-11-05",
        "url": "https://en.nhandan.vn/world/analysis/",
        "paragraphs": [
            (
                "Russian and United States officials are actively preparing for a summit in "
                "Paris on November 11.",
                [],
                False,
                None,
            ),
            (
                "The US withdrawal from the INF Treaty threatens the whole architecture of "
                "arms control built since the Cold War.",
                [("arms_control", 0.78, 0.1, 0.72, 0.04, 0.95)],
                False,
                None,
            ),
            (
                '"Russia will respond in kind if new missiles appear in Europe," '
                "Kremlin spokesman Dmitry Peskov said.",
                [("arms_control", 0.2, 0.55, 0.7, 0.02, 0.82)],
                True,
                "Dmitry Peskov",
            ),
            (
                '"Kiev must implement the Minsk agreements," Sergey Lavrov said, according '
                "to Sputnik.",
                [("ukraine", 0.1, 0.5, 0.4, 0.05, 0.8)],
                True,
                "Sergey Lavrov",
            ),
        ],
    },
    {
        "article_id": "005_wire_inf",
        "title": WIRE_TITLE,
        "author": None,
        "outlet": None,
        "date": None,
        "url": None,
        "paragraphs": [
            (
                "Leaving the INF Treaty frees Washington to counter Chinese missiles; the "
                "treaty had become a one-sided restraint.",
                [("arms_control", 0.12, 0.66, 0.35, 0.1, 0.9)],
                False,
                None,
            ),
        ],
    },
]


def _group_of(author: str | None, outlet: str | None, title: str) -> tuple[str, str]:
    if author:
        return author, "author"
    if outlet:
        return outlet, "outlet"
    return title, "article"


def _tables_from_specs(specs: list[dict]) -> dict[str, pd.DataFrame]:
    articles, passages, scores = [], [], []
    for spec in specs:
        texts = [p[0] for p in spec["paragraphs"]]
        text = "\n\n".join(texts)
        group, kind = _group_of(spec["author"], spec["outlet"], spec["title"])
        articles.append(
            {
                **{k: spec[k] for k in ("article_id", "title", "author", "outlet", "date", "url")},
                "source": f"seeds/{spec['article_id']}.txt",
                "group": group,
                "group_kind": kind,
                "text": text,
                "n_passages": len(texts),
                "duplicate_of": None,
            }
        )
        start = 0
        for index, (ptext, topics, reported, speaker) in enumerate(spec["paragraphs"]):
            pid = f"{spec['article_id']}:{index}"
            end = start + len(ptext)
            assert text[start:end] == ptext
            passages.append(
                {
                    "passage_id": pid,
                    "article_id": spec["article_id"],
                    "index": index,
                    "start": start,
                    "end": end,
                    "text": ptext,
                    "reported": reported,
                    "speaker": speaker,
                }
            )
            for topic, favor, against, neg, pos, relevance in topics:
                scores.append(
                    _score_row(pid, spec["article_id"], topic, relevance, reported, speaker)
                    | _probabilities(favor, against, neg, pos)
                )
            start = end + 2
    tables = {
        "articles": pd.DataFrame(articles),
        "passages": pd.DataFrame(passages),
        "scores": pd.DataFrame(scores),
    }
    tables["positions"] = fabricate_positions(
        tables["articles"], tables["scores"], [k for k, _, _ in TOPICS]
    )
    return tables


def _score_row(pid, article_id, topic, relevance, reported, speaker) -> dict:
    return {
        "passage_id": pid,
        "article_id": article_id,
        "topic": topic,
        "relevance": relevance,
        "reported": reported,
        "speaker": speaker,
    }


def _probabilities(favor: float, against: float, neg: float, pos: float) -> dict:
    return {
        "stance_favor": favor,
        "stance_against": against,
        "stance_none": 1.0 - favor - against,
        "tone_negative": neg,
        "tone_neutral": 1.0 - neg - pos,
        "tone_positive": pos,
        "stance": favor - against,
        "tone": pos - neg,
    }


def _interval(mean: pd.Series, sd: pd.Series, n: pd.Series) -> tuple[pd.Series, pd.Series]:
    half = 1.96 * sd.fillna(0.0) / np.sqrt(n) + 0.25 / np.sqrt(n)
    return (mean - half).clip(-1, 1), (mean + half).clip(-1, 1)


def fabricate_positions(
    articles: pd.DataFrame, scores: pd.DataFrame, topics: list[str], max_evidence: int = 10
) -> pd.DataFrame:
    """Article × topic and group × topic rows with the columns of ``positions``."""
    meta = articles.set_index("article_id")
    scores = scores.assign(
        group=meta.loc[scores["article_id"], "group"].to_numpy(),
        strength=(scores["stance"].abs() + scores["tone"].abs()) * scores["relevance"],
    ).sort_values("strength", ascending=False, kind="stable")
    own, reported = scores[~scores["reported"]], scores[scores["reported"]]
    frames = []
    for level, unit in (("article", "article_id"), ("author", "group")):
        stats = own.groupby([unit, "topic"]).agg(
            n_passages=("stance", "size"),
            stance=("stance", "mean"),
            stance_sd=("stance", "std"),
            tone=("tone", "mean"),
            tone_sd=("tone", "std"),
        )
        stats["stance_low"], stats["stance_high"] = _interval(
            stats["stance"], stats["stance_sd"], stats["n_passages"]
        )
        stats["tone_low"], stats["tone_high"] = _interval(
            stats["tone"], stats["tone_sd"], stats["n_passages"]
        )
        stats["evidence"] = own.groupby([unit, "topic"])["passage_id"].agg(
            lambda ids: list(ids[:max_evidence])
        )
        n_rep = reported.groupby([unit, "topic"]).size().rename("n_reported")
        if level == "article":
            units = meta.reset_index()[
                ["article_id", "title", "group", "group_kind", "outlet", "date", "n_passages"]
            ].rename(columns={"group": "author", "n_passages": "unit_passages"})
            units["n_articles"] = 1
        else:
            grouped = meta.reset_index().groupby("group", sort=False)
            units = grouped.agg(
                group_kind=("group_kind", "first"),
                outlet=("outlet", lambda s: s.mode().iloc[0] if s.notna().any() else None),
                date=("date", "max"),
                unit_passages=("n_passages", "sum"),
                n_articles=("article_id", "size"),
            ).reset_index()
            units["author"] = units["group"]
            units["article_id"] = None
            units["title"] = None
        grid = units.merge(pd.DataFrame({"topic": topics}), how="cross")
        grid = grid.join(stats, on=[unit, "topic"]).join(n_rep, on=[unit, "topic"])
        grid["n_passages"] = grid["n_passages"].fillna(0).astype(int)
        grid["n_reported"] = grid["n_reported"].fillna(0).astype(int)
        grid["status"] = np.where(grid["n_passages"] > 0, "discussed", "not_discussed")
        grid["coverage"] = grid["n_passages"] / grid["unit_passages"].clip(lower=1)
        # Stored as the pipeline stores it: an Arrow list of strings.
        grid["evidence"] = pd.Series(
            [e if isinstance(e, list) else [] for e in grid["evidence"]],
            index=grid.index,
            dtype=EVIDENCE_DTYPE,
        )
        grid["level"] = level
        frames.append(grid[list(TABLE_COLUMNS["positions"])])
    return pd.concat(frames, ignore_index=True)


def _meta(n_articles: int, created: str) -> dict:
    return {
        "created": created,
        "seed": 0,
        "corpus_hash": "0" * 64,
        "models": {
            "stance": {"name": "stance.finetuned-minilm.v1", "sha256": "a" * 64},
            "tone": {"name": "tone.finetuned-minilm.v1", "sha256": "b" * 64},
        },
        "counts": {"articles": n_articles},
        "timings": {"total_s": 1.0},
        "skipped": [],
        "position_rules": POSITION_RULES,  # made by today's rules (see test_trust for older)
    }


def make_small_run(
    runs_dir: Path, run_id: str = "20181110-120000-seeds000", created: str = "2018-11-10T12:00:00"
) -> Path:
    """The seed-like run described in the module docstring; returns its folder."""
    tables = _tables_from_specs(SMALL_ARTICLES)
    return write_run(runs_dir, run_id, _meta(len(SMALL_ARTICLES), created), CONFIG_TOML, tables)


FIRST = "Anna Boris Carla David Elena Farid Grace Hiro Ines Jon Kira Liam Mona Nils Olga Paul"
LAST = "Adams Baker Chen Diaz Evans Fox Garcia Hill Ivanov Jones Kim Lopez Miller Novak Ortiz"
WORDS_TEXT = (
    "the treaty missile sanctions Moscow Washington Kyiv talks summit policy officials economy "
    "pressure security alliance deal nuclear trade war peace minister senate administration "
    "diplomats energy gas pipeline ceasefire border troops intelligence"
)
WORDS = WORDS_TEXT.split()


def make_large_run(
    runs_dir: Path,
    n_articles: int = 6121,
    seed: int = 0,
    run_id: str = "20200101-000000-large000",
) -> Path:
    """A corpus-sized run (6,121 articles by default, about 2,400 groups, ~6 kB texts)."""
    rng = np.random.default_rng(seed)
    names = [f"{f} {m}. {la}" for f in FIRST.split() for la in LAST.split() for m in "ABCDEFGHIJ"]
    authors = rng.choice(np.array(names), size=2400, replace=False)
    outlets = np.array([f"Outlet {i:03d}" for i in range(167)])
    popularity = 1.0 / np.arange(1, len(authors) + 1) ** 0.6
    author_idx = rng.choice(len(authors), size=n_articles, p=popularity / popularity.sum())
    has_author = rng.random(n_articles) > 0.3
    outlet_idx = rng.zipf(1.3, size=n_articles) % len(outlets)
    days = rng.integers(0, 9 * 365, size=n_articles)
    dates = (np.datetime64("2012-01-01") + days).astype(str)
    pool = [
        " ".join(rng.choice(WORDS, size=int(rng.integers(60, 110)))).capitalize() + "."
        for _ in range(400)
    ]
    n_par = rng.integers(6, 16, size=n_articles)
    articles, passages = [], []
    for i in range(n_articles):
        aid = f"as{i:05d}"
        paragraphs = [pool[j] for j in rng.integers(0, len(pool), size=n_par[i])]
        author = str(authors[author_idx[i]]) if has_author[i] else None
        outlet = str(outlets[outlet_idx[i]])
        title = f"Article {i}: " + " ".join(rng.choice(WORDS, size=6))
        group, kind = _group_of(author, outlet, title)
        articles.append(
            {
                "article_id": aid,
                "title": title,
                "author": author,
                "outlet": outlet,
                "date": str(dates[i]),
                "url": f"https://example.org/{aid}",
                "source": f"articles.jsonl:{i + 1}",
                "group": group,
                "group_kind": kind,
                "text": "\n\n".join(paragraphs),
                "n_passages": len(paragraphs),
                "duplicate_of": None,
            }
        )
        start = 0
        for index, ptext in enumerate(paragraphs):
            passages.append((f"{aid}:{index}", aid, index, start, start + len(ptext), ptext))
            start += len(ptext) + 2
    passages_df = pd.DataFrame(
        passages, columns=["passage_id", "article_id", "index", "start", "end", "text"]
    )
    passages_df["reported"] = rng.random(len(passages_df)) < 0.12
    speakers = np.array(["Sergey Lavrov", "Dmitry Peskov", "Mike Pompeo", "John Bolton"])
    passages_df["speaker"] = np.where(
        passages_df["reported"], rng.choice(speakers, size=len(passages_df)), None
    )
    scores_parts = []
    for topic in (k for k, _, _ in TOPICS):
        hit = passages_df[rng.random(len(passages_df)) < 0.12]
        stance_p = rng.dirichlet([1.0, 1.0, 1.5], size=len(hit))
        tone_p = rng.dirichlet([1.5, 1.0, 0.8], size=len(hit))
        scores_parts.append(
            pd.DataFrame(
                {
                    "passage_id": hit["passage_id"].to_numpy(),
                    "article_id": hit["article_id"].to_numpy(),
                    "topic": topic,
                    "relevance": rng.uniform(0.5, 1.0, size=len(hit)),
                    "reported": hit["reported"].to_numpy(),
                    "speaker": hit["speaker"].to_numpy(),
                    "stance_favor": stance_p[:, 0],
                    "stance_against": stance_p[:, 1],
                    "stance_none": stance_p[:, 2],
                    "tone_negative": tone_p[:, 0],
                    "tone_neutral": tone_p[:, 1],
                    "tone_positive": tone_p[:, 2],
                    "stance": stance_p[:, 0] - stance_p[:, 1],
                    "tone": tone_p[:, 2] - tone_p[:, 0],
                }
            )
        )
    articles_df = pd.DataFrame(articles)
    scores_df = pd.concat(scores_parts, ignore_index=True)
    tables = {
        "articles": articles_df,
        "passages": passages_df,
        "scores": scores_df,
        "positions": fabricate_positions(articles_df, scores_df, [k for k, _, _ in TOPICS]),
    }
    return write_run(
        runs_dir, run_id, _meta(n_articles, "2020-01-01T00:00:00"), CONFIG_TOML, tables
    )


@pytest.fixture(scope="session")
def small_runs_dir(tmp_path_factory) -> Path:
    """A runs folder holding the small seed-like run (read-only: tests must not write to it)."""
    runs_dir = tmp_path_factory.mktemp("runs_small")
    make_small_run(runs_dir)
    return runs_dir


@pytest.fixture(scope="session")
def large_runs_dir(tmp_path_factory) -> Path:
    """A runs folder holding one corpus-sized generated run (slow to build: ~10 s)."""
    runs_dir = tmp_path_factory.mktemp("runs_large")
    make_large_run(runs_dir)
    return runs_dir


APP_PATH = Path(__file__).resolve().parents[2] / "dashboard" / "streamlit_app.py"


@pytest.fixture
def app(monkeypatch):
    """A factory: an AppTest of the dashboard reading runs from ``runs_dir``."""
    from streamlit.testing.v1 import AppTest

    def make(runs_dir: Path, **query_params: str | list[str]) -> AppTest:
        monkeypatch.setenv("VIEWPOINTS_RUNS_DIR", str(runs_dir))
        at = AppTest.from_file(str(APP_PATH), default_timeout=60)
        for key, value in query_params.items():
            at.query_params[key] = value
        return at

    return make


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright, one per test module (see ``e2e_support``)."""
    from tests.dashboard.e2e_support import launch_chromium

    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    """Where e2e tests save screenshots: ``$VIEWPOINTS_SCREENSHOTS`` or a temporary folder."""
    from tests.dashboard.e2e_support import screenshots_folder

    return screenshots_folder(tmp_path_factory.mktemp("screenshots"))


@pytest.fixture
def open_page(browser):
    """Opens ``url`` (when given) in a new browser context each call: nothing is shared with
    earlier pages, as when a link is opened elsewhere. Closes them all after the test, having
    checked that none ended on the warning that its link asked for something not there (every
    link these tests open is one the dashboard made)."""
    from tests.dashboard.e2e_support import new_page

    pages = []

    def open_(url: str | None = None):
        page = new_page(browser, accept_downloads=True)
        pages.append(page)
        if url:
            page.goto(url)
        return page

    yield open_
    refused = [p.url for p in pages if p.get_by_text("This link asked for").count()]
    for page in pages:
        page.context.close()
    assert not refused, f"a link the dashboard made was not taken: {refused}"


@pytest.fixture
def page(open_page):
    """One browser page in a fresh context."""
    return open_page()


@pytest.fixture(scope="session")
def allsides(tmp_path_factory):
    """Two real runs of AllSides articles (see ``tests/dashboard/allsides.py``)."""
    from tests.dashboard.allsides import ALLSIDES, allsides_runs

    if not ALLSIDES.is_file() and not os.environ.get("VIEWPOINTS_ALLSIDES_RUNS"):
        pytest.skip(f"the AllSides corpus is not at {ALLSIDES}")
    return allsides_runs(tmp_path_factory.mktemp("allsides"))


@pytest.fixture
def downloads(monkeypatch):
    """Media file managers of the AppTest runs, newest last (see ``download_bytes``)."""
    import streamlit.testing.v1.app_test as app_test_module
    from streamlit.runtime.media_file_manager import MediaFileManager

    managers: list[MediaFileManager] = []

    class Recording(MediaFileManager):
        def __init__(self, storage) -> None:
            super().__init__(storage)
            managers.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", Recording)
    return managers


def download_bytes(at, managers: list, key: str) -> bytes:
    """What a click on the download button ``key`` of the last run would save.

    The buttons hand Streamlit a callable that makes the file on click; this runs it the way
    the browser's click does, through the media file manager that ``downloads`` kept.
    """
    button = at.download_button(key=key)
    file_id = button.proto.deferred_file_id
    assert file_id, f"{key} makes its file on click"
    url = managers[-1].execute_deferred(file_id)
    stored = managers[-1].read_file(url.rsplit("/", 1)[-1].split(".")[0])
    assert stored is not None
    return stored.content


@pytest.fixture(scope="module")
def two_runs_dir(tmp_path_factory) -> Path:
    """The small run, its rerun (newest) and the undated run (oldest); see ``two_runs``."""
    from tests.dashboard.two_runs import make_rerun, make_undated_run, write_base_run

    runs_dir = tmp_path_factory.mktemp("runs_two")
    write_base_run(runs_dir)
    make_rerun(runs_dir)
    make_undated_run(runs_dir)
    return runs_dir


def copy_with_positions(run_dir: Path, dest: Path, edit: Any) -> Path:
    """A copy of the run at ``run_dir`` written to ``dest``, its positions table passed
    through ``edit`` (a function of a copy of it, returning the table to write)."""
    import json

    from analysis.runs import load_run

    run = load_run(str(run_dir))
    tables = {n: getattr(run, n) for n in ("articles", "passages", "scores", "positions")}
    meta = json.loads((run.path / "run.json").read_text())
    meta = {k: v for k, v in meta.items() if k != "run_id"}
    config = (run.path / "config.toml").read_text()
    positions = edit(tables["positions"].copy())
    return write_run(dest, run.run_id, meta, config, {**tables, "positions": positions})


def take_sides(positions: pd.DataFrame, sided: pd.Series) -> pd.DataFrame:
    """``positions`` whose discussed rows read "no stance expressed", but those ``sided``
    (a mask) "expressed": the small run records no stance status, and the pages open on
    positions that take a side."""
    discussed = positions["status"] == "discussed"
    positions["stance_status"] = [None if not d else "no_stance" for d in discussed]
    positions.loc[discussed & sided, "stance_status"] = "expressed"
    return positions
