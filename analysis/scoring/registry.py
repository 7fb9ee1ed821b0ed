"""Registered, versioned scorer names and the resolution of a model spec to a scorer.

A spec is a registered name (``stance.minilm.v1``), a directory holding a viewpoints pair
classifier, or any Hugging Face sequence-classification model (directory or hub id).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

from analysis.labels import labels_for
from analysis.scoring.base import Scorer
from analysis.scoring.hf_classifier import HFClassifierScorer
from analysis.scoring.pair_model import is_pair_classifier_dir
from analysis.scoring.pair_scorer import SHIPPED_DIR, PairModel, PairModelScorer
from analysis.scoring.vader import VaderToneScorer

REGISTERED_NAME = re.compile(r"^(stance|tone)\.[A-Za-z0-9_-]+\.v\d+$")


def _shipped(task: str) -> Callable[..., Scorer]:
    def build(precision: str = "auto", pair_model: PairModel | None = None, **_: object) -> Scorer:
        model = pair_model or PairModel(SHIPPED_DIR, precision=precision)
        return PairModelScorer(f"{task}.minilm.v1", task, model)

    return build


BACKENDS: Mapping[str, Callable[..., Scorer]] = MappingProxyType(
    {
        "stance.minilm.v1": _shipped("stance"),
        "tone.minilm.v1": _shipped("tone"),
        "tone.vader.v1": lambda **_: VaderToneScorer(),
    }
)
DEFAULTS: Mapping[str, str] = MappingProxyType(
    {"stance": "stance.minilm.v1", "tone": "tone.minilm.v1"}
)


class UnknownScorerError(ValueError):
    """A registered-looking name that is not registered."""


def available(task: str | None = None) -> list[str]:
    """Registered names, optionally only those of one task."""
    return sorted(n for n in BACKENDS if task is None or n.startswith(f"{task}."))


def create_scorer(
    spec: str | None,
    task: str,
    precision: str = "auto",
    label_map: Mapping[str, str] | None = None,
    pair_model: PairModel | None = None,
) -> Scorer:
    """Resolve ``spec`` (None = the task's default) to a scorer for ``task``; loads lazily."""
    labels_for(task)
    spec = spec or DEFAULTS[task]
    if spec in BACKENDS:
        if not spec.startswith(f"{task}."):
            raise UnknownScorerError(
                f"{spec!r} is a {spec.split('.')[0]} model, expected a {task} model: "
                f"{', '.join(available(task))}"
            )
        return BACKENDS[spec](precision=precision, pair_model=pair_model)
    path = Path(spec).expanduser()
    if path.is_dir() and is_pair_classifier_dir(path):
        model = pair_model or PairModel(path, precision=precision)
        return PairModelScorer(f"{task}.pair-classifier.v1:{path}", task, model)
    if REGISTERED_NAME.match(spec) and not path.exists():
        raise UnknownScorerError(
            f"unknown model name {spec!r}; registered {task} models: "
            f"{', '.join(available(task))} (or give a model directory or Hugging Face id)"
        )
    return HFClassifierScorer(spec, task, label_map=label_map)


def _pair_dir(spec: str) -> Path | None:
    """The pair-classifier directory a spec names, if it names one."""
    if spec in ("stance.minilm.v1", "tone.minilm.v1"):
        return SHIPPED_DIR
    path = Path(spec).expanduser()
    if path.is_dir() and is_pair_classifier_dir(path):
        return path.resolve()
    return None


def create_scorers(
    stance_spec: str | None, tone_spec: str | None, precision: str = "auto"
) -> tuple[Scorer, Scorer]:
    """Stance and tone scorers; two heads of one pair classifier share its weights and passes."""
    stance_spec = stance_spec or DEFAULTS["stance"]
    tone_spec = tone_spec or DEFAULTS["tone"]
    shared = None
    stance_dir, tone_dir = _pair_dir(stance_spec), _pair_dir(tone_spec)
    if stance_dir is not None and stance_dir == tone_dir:
        shared = PairModel(stance_dir, precision=precision)
    return (
        create_scorer(stance_spec, "stance", precision, pair_model=shared),
        create_scorer(tone_spec, "tone", precision, pair_model=shared),
    )
