"""Runs for the Runs-page tests: the small run, a rerun of it and the same articles undated.

``make_rerun`` rewrites the small seed-like run as if another model had scored it: Ivan Timofeev
now favors sanctions (a sign flip), Nhan Dan's one own-voice arms-control passage is no longer
found (a status change), and the Valdai Discussion Club's arms-control passage turns negative in
tone. ``make_undated_run`` is the same articles without dates and with another corpus hash.
"""

from __future__ import annotations

import copy
from pathlib import Path

from analysis.aggregate import POSITION_RULES
from analysis.runs import write_run
from tests.dashboard.conftest import SMALL_ARTICLES, TOPICS, _tables_from_specs

BASE_ID = "20181110-120000-seeds000"
RERUN_ID = "20181111-120000-seeds000"
UNDATED_ID = "20181109-120000-undated0"
RERUN_MODELS = ("stance.nli.v1", "tone.vader.v1")
FLIPPED_TEXT = "The sanctions machine in Washington runs on autopilot"
# The config in the shape the pipeline writes (a [topics] table, [topic_definitions.KEY]).
CONFIG_TOML = "\n".join(
    ["seed = 0", "", "[topics]", "threshold = 0.5", "", "[models]"]
    + ['stance = "stance.finetuned-minilm.v1"', 'tone = "tone.finetuned-minilm.v1"', ""]
    + [
        f'[topic_definitions.{k}]\nkey = "{k}"\nlabel = "{lab}"\ntarget = "{t}"\n'
        for k, lab, t in TOPICS
    ]
)


def run_meta(created: str, corpus_hash: str, models: tuple[str, str], n_articles: int) -> dict:
    return {
        "created": created,
        "seed": 0,
        "corpus_hash": corpus_hash,
        "models": {
            "stance": {"name": models[0], "sha256": "c" * 64},
            "tone": {"name": models[1], "sha256": "d" * 64},
        },
        "topics": [{"key": k, "label": lab, "target": t} for k, lab, t in TOPICS],
        "counts": {"articles": n_articles},
        "timings": {"total_s": 1.0},
        "skipped": [],
        "position_rules": POSITION_RULES,
    }


def _rescored(specs: list[dict]) -> list[dict]:
    specs = copy.deepcopy(specs)
    by_id = {s["article_id"]: s for s in specs}

    def set_scores(article_id: str, index: int, topics: list) -> None:
        text, _, reported, speaker = by_id[article_id]["paragraphs"][index]
        by_id[article_id]["paragraphs"][index] = (text, topics, reported, speaker)

    # Timofeev's two sanctions passages now read as favoring sanctions.
    set_scores("001_6c28832786d132a7", 1, [("sanctions", 0.84, 0.06, 0.3, 0.2, 0.96)])
    set_scores("002_timofeev_sanctions", 0, [("sanctions", 0.7, 0.1, 0.2, 0.3, 0.93)])
    # Nhan Dan's own-voice arms-control passage is no longer found.
    set_scores("004_874e9fd0087b4233", 1, [])
    # The Valdai club's arms-control passage turns negative in tone.
    set_scores("000_75f37cc66b80f13e", 1, [("arms_control", 0.8, 0.05, 0.7, 0.05, 0.94)])
    return specs


def make_rerun(runs_dir: Path) -> Path:
    """The small run rescored by 'another model' (see the module docstring), one day later."""
    tables = _tables_from_specs(_rescored(SMALL_ARTICLES))
    meta = run_meta("2018-11-11T12:00:00", "0" * 64, RERUN_MODELS, len(SMALL_ARTICLES))
    return write_run(runs_dir, RERUN_ID, meta, CONFIG_TOML, tables)


def make_undated_run(runs_dir: Path) -> Path:
    """The small run's articles without any date, under another corpus hash, one day earlier."""
    specs = [{**spec, "date": None} for spec in copy.deepcopy(SMALL_ARTICLES)]
    meta = run_meta(
        "2018-11-09T12:00:00",
        "1" * 64,
        ("stance.finetuned-minilm.v1", "tone.finetuned-minilm.v1"),
        len(specs),
    )
    return write_run(runs_dir, UNDATED_ID, meta, CONFIG_TOML, _tables_from_specs(specs))


def write_base_run(runs_dir: Path) -> Path:
    """The small seed-like run, with the config and metadata in the pipeline's shape."""
    meta = run_meta(
        "2018-11-10T12:00:00",
        "0" * 64,
        ("stance.finetuned-minilm.v1", "tone.finetuned-minilm.v1"),
        len(SMALL_ARTICLES),
    )
    return write_run(runs_dir, BASE_ID, meta, CONFIG_TOML, _tables_from_specs(SMALL_ARTICLES))
