"""Registered, versioned scorer names and the resolution of a model spec to a scorer.

A spec is a registered name (``stance.minilm.v1``, ``stance.nli.v1`` ...), a directory holding a
viewpoints pair classifier, or any Hugging Face sequence-classification model (directory or hub
id); a local folder whose labels are an NLI head (entailment/contradiction) is scored as
``stance.nli.v1`` with that folder. Backends that need more than a name (an NLI model id, a
chat endpoint) take options, given in an experiment's ``[models.stance_options]`` /
``[models.tone_options]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from analysis.labels import labels_for
from analysis.scoring.base import Scorer
from analysis.scoring.hf_classifier import HFClassifierScorer, is_nli_head
from analysis.scoring.hub import local_id2label
from analysis.scoring.pair_model import is_pair_classifier_dir
from analysis.scoring.pair_scorer import SHIPPED_DIR, SHIPPED_V2_DIR, PairModel, PairModelScorer
from analysis.scoring.vader import VaderToneScorer

REGISTERED_NAME = re.compile(r"^(stance|tone)\.[A-Za-z0-9_-]+\.v\d+$")
Templates = Mapping[str, tuple[str, str]]


@dataclass(frozen=True)
class Backend:
    """How to build one registered scorer, and which options it accepts."""

    build: Callable[..., Scorer]
    options: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    description: str = ""


def _shipped(task: str, version: int = 1) -> Callable[..., Scorer]:
    directory = SHIPPED_DIR if version == 1 else SHIPPED_V2_DIR

    def build(precision: str = "auto", pair_model: PairModel | None = None, **_: Any) -> Scorer:
        model = pair_model or PairModel(directory, precision=precision)
        return PairModelScorer(f"{task}.minilm.v{version}", task, model)

    return build


def _nli(options: Mapping[str, Any], templates: Templates | None = None, **_: Any) -> Scorer:
    from analysis.scoring.nli import NLIStanceScorer

    kwargs = {
        k: options[k]
        for k in ("favor_template", "against_template", "batch_size", "max_length")
        if k in options
    }
    topic_templates = options.get("topic_templates", True)
    if not isinstance(topic_templates, bool):
        raise UnknownScorerError(
            f"topic_templates: expected true or false, got {topic_templates!r}"
        )
    # topic_templates = false: the favor/against_template options apply to every topic, over
    # the topics file's own (robustness runs over templates given on the command line).
    return NLIStanceScorer(
        options["model"], templates=(templates or None) if topic_templates else None, **kwargs
    )


def _hf(task: str) -> Callable[..., Scorer]:
    def build(options: Mapping[str, Any], **_: Any) -> Scorer:
        kwargs = {
            k: options[k] for k in ("label_map", "pair", "max_length", "batch_size") if k in options
        }
        return HFClassifierScorer(options["model"], task, **kwargs)

    return build


def _chat(task: str) -> Callable[..., Scorer]:
    def build(options: Mapping[str, Any], **_: Any) -> Scorer:
        from analysis.scoring.chat import ChatConfig, ChatScorer

        return ChatScorer(ChatConfig.from_dict(dict(options)), task)

    return build


HF_OPTIONS = ("model", "label_map", "pair", "max_length", "batch_size")
CHAT_OPTIONS = (
    "base_url",
    "model",
    "prompts",
    "temperature",
    "timeout",
    "max_retries",
    "backoff",
    "concurrency",
    "api_key_env",
)

BACKENDS: Mapping[str, Backend] = MappingProxyType(
    {
        "stance.minilm.v1": Backend(
            _shipped("stance"), description="shipped MiniLM stance head trained on VAST (2026-11)"
        ),
        "tone.minilm.v1": Backend(_shipped("tone"), description="shipped MiniLM tone head"),
        "stance.minilm.v2": Backend(
            _shipped("stance", 2),
            description="shipped MiniLM news stance: the author's voice, and quoted voices",
        ),
        "tone.minilm.v2": Backend(_shipped("tone", 2), description="tone head of stance.minilm.v2"),
        "tone.vader.v1": Backend(lambda **_: VaderToneScorer(), description="VADER lexicon"),
        "stance.nli.v1": Backend(
            _nli,
            (
                "model",
                "favor_template",
                "against_template",
                "topic_templates",
                "batch_size",
                "max_length",
            ),
            ("model",),
            "any Hugging Face NLI model as a zero-shot stance scorer",
        ),
        "stance.hf-classifier.v1": Backend(
            _hf("stance"), HF_OPTIONS, ("model",), "any Hugging Face stance classifier"
        ),
        "tone.hf-classifier.v1": Backend(
            _hf("tone"), HF_OPTIONS, ("model",), "any Hugging Face sentiment classifier"
        ),
        "stance.chat.v1": Backend(
            _chat("stance"),
            CHAT_OPTIONS,
            ("base_url", "model"),
            "an OpenAI-compatible chat endpoint",
        ),
        "tone.chat.v1": Backend(
            _chat("tone"), CHAT_OPTIONS, ("base_url", "model"), "an OpenAI-compatible chat endpoint"
        ),
    }
)
DEFAULTS: Mapping[str, str] = MappingProxyType(
    {"stance": "stance.minilm.v2", "tone": "tone.minilm.v2"}
)


class UnknownScorerError(ValueError):
    """A registered-looking name that is not registered, or options it does not take."""


def available(task: str | None = None) -> list[str]:
    """Registered names, optionally only those of one task."""
    return sorted(n for n in BACKENDS if task is None or n.startswith(f"{task}."))


def _check_options(spec: str, backend: Backend, options: Mapping[str, Any]) -> None:
    unknown = sorted(set(options) - set(backend.options))
    if unknown:
        accepted = ", ".join(backend.options) or "none"
        raise UnknownScorerError(f"{spec} does not take option(s) {unknown}; it takes: {accepted}")
    missing = [k for k in backend.required if not options.get(k)]
    if missing:
        raise UnknownScorerError(
            f"{spec} needs option(s) {missing} (in [models.<task>_options] of the experiment)"
        )


def create_scorer(
    spec: str | None,
    task: str,
    precision: str = "auto",
    label_map: Mapping[str, str] | None = None,
    pair_model: PairModel | None = None,
    options: Mapping[str, Any] | None = None,
    templates: Templates | None = None,
) -> Scorer:
    """Resolve ``spec`` (None = the task's default) to a scorer for ``task``; loads lazily."""
    labels_for(task)
    spec = spec or DEFAULTS[task]
    options = dict(options or {})
    if spec in BACKENDS:
        if not spec.startswith(f"{task}."):
            raise UnknownScorerError(
                f"{spec!r} is a {spec.split('.')[0]} model, expected a {task} model: "
                f"{', '.join(available(task))}"
            )
        backend = BACKENDS[spec]
        if label_map and "label_map" in backend.options:
            options.setdefault("label_map", dict(label_map))
        _check_options(spec, backend, options)
        return backend.build(
            precision=precision, pair_model=pair_model, options=options, templates=templates
        )
    path = Path(spec).expanduser()
    if path.is_dir() and is_pair_classifier_dir(path):
        model = pair_model or PairModel(path, precision=precision)
        return PairModelScorer(f"{task}.pair-classifier.v1:{path}", task, model)
    if REGISTERED_NAME.match(spec) and not path.exists():
        raise UnknownScorerError(
            f"unknown model name {spec!r}; registered {task} models: "
            f"{', '.join(available(task))} (or give a model directory or Hugging Face id)"
        )
    id2label = local_id2label(spec) if path.is_dir() else None
    if id2label and is_nli_head(id2label) and not label_map:
        if task != "stance":
            raise UnknownScorerError(
                f"{spec} is an NLI model (labels {sorted(id2label.values())}): it can score "
                "stance (as stance.nli.v1), not tone; choose a sentiment classifier for tone"
            )
        nli_options = {k: v for k, v in options.items() if k in BACKENDS["stance.nli.v1"].options}
        return _nli({**nli_options, "model": spec}, templates=templates)
    unknown = sorted(set(options) - set(HF_OPTIONS) - {"model"})
    if unknown:
        raise UnknownScorerError(f"a Hugging Face classifier does not take option(s) {unknown}")
    kwargs = {k: v for k, v in options.items() if k != "model"}
    if label_map:
        kwargs.setdefault("label_map", dict(label_map))
    return HFClassifierScorer(spec, task, **kwargs)


def _pair_dir(spec: str) -> Path | None:
    """The pair-classifier directory a spec names, if it names one."""
    if spec in ("stance.minilm.v1", "tone.minilm.v1"):
        return SHIPPED_DIR
    if spec in ("stance.minilm.v2", "tone.minilm.v2"):
        return SHIPPED_V2_DIR
    path = Path(spec).expanduser()
    if path.is_dir() and is_pair_classifier_dir(path):
        return path.resolve()
    return None


def create_scorers(
    stance_spec: str | None,
    tone_spec: str | None,
    precision: str = "auto",
    stance_options: Mapping[str, Any] | None = None,
    tone_options: Mapping[str, Any] | None = None,
    templates: Templates | None = None,
) -> tuple[Scorer, Scorer]:
    """Stance and tone scorers; two heads of one pair classifier share its weights and passes."""
    stance_spec = stance_spec or DEFAULTS["stance"]
    tone_spec = tone_spec or DEFAULTS["tone"]
    shared = None
    stance_dir, tone_dir = _pair_dir(stance_spec), _pair_dir(tone_spec)
    if stance_dir is not None and stance_dir == tone_dir:
        shared = PairModel(stance_dir, precision=precision)
    return (
        create_scorer(
            stance_spec,
            "stance",
            precision,
            pair_model=shared,
            options=stance_options,
            templates=templates,
        ),
        create_scorer(
            tone_spec,
            "tone",
            precision,
            pair_model=shared,
            options=tone_options,
            templates=templates,
        ),
    )
