"""Registered, versioned scorer names and the resolution of a model spec to a scorer.

A spec is a registered name (``stance.minilm.v1``, ``stance.nli.v1`` ...), a directory holding a
viewpoints pair classifier, or any Hugging Face sequence-classification model (directory or hub
id); a local folder whose labels are an NLI head (entailment/contradiction) is scored as
``stance.nli.v1`` with that folder. Backends that need more than a name (an NLI model id, a
chat endpoint) take options, given in an experiment's ``[models.stance_options]`` /
``[models.tone_options]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from analysis.labels import labels_for
from analysis.scoring.base import Scorer
from analysis.scoring.hf_classifier import HFClassifierScorer
from analysis.scoring.label_names import is_nli_head, local_id2label
from analysis.scoring.options import (
    BACKEND_SPECS,
    DEFAULTS,
    HF_OPTIONS,
    NLI_OPTIONS,
    check_spec,
    check_values,
)
from analysis.scoring.pair_model import is_pair_classifier_dir
from analysis.scoring.pair_scorer import (
    SHIPPED_DIR,
    SHIPPED_V2_DIR,
    TONE_V3_HEAD,
    PairModel,
    PairModelScorer,
)
from analysis.scoring.vader import VaderToneScorer

Templates = Mapping[str, tuple[str, str]]


@dataclass(frozen=True)
class BuildRequest:
    """What a builder gets: the backend's options (checked by options.check_spec), the
    precision, a pair classifier to share between heads, and the topics' NLI templates."""

    options: Mapping[str, Any]
    precision: str = "auto"
    pair_model: PairModel | None = None
    templates: Templates | None = None


Builder = Callable[[BuildRequest], Scorer]


# Registered name -> the shipped pair classifier's folder and the head it reads (None: the
# task's own). Names that share a folder share one forward pass (create_scorers).
SHIPPED_HEADS: Mapping[str, tuple[Path, str | None]] = MappingProxyType(
    {
        "stance.minilm.v1": (SHIPPED_DIR, None),
        "tone.minilm.v1": (SHIPPED_DIR, None),
        "stance.minilm.v2": (SHIPPED_V2_DIR, None),
        "tone.minilm.v2": (SHIPPED_V2_DIR, None),
        # the minilm_v2 folder's second tone head (its recipe's stage 5)
        "tone.minilm.v3": (SHIPPED_V2_DIR, TONE_V3_HEAD),
    }
)


def _shipped(name: str) -> Builder:
    """The head of a shipped pair classifier that ``name`` reads (:data:`SHIPPED_HEADS`)."""
    directory, head = SHIPPED_HEADS[name]
    task = name.split(".", 1)[0]

    def build(request: BuildRequest) -> Scorer:
        model = request.pair_model or PairModel(directory, precision=request.precision)
        return PairModelScorer(name, task, model, head=head)

    return build


def _nli(request: BuildRequest) -> Scorer:
    from analysis.scoring.nli import NLIStanceScorer

    options = request.options
    kwargs = {
        k: options[k]
        for k in ("favor_template", "against_template", "batch_size", "max_length")
        if k in options
    }
    # topic_templates = false: the favor/against_template options apply to every topic, over
    # the topics file's own (robustness runs over templates given on the command line).
    templates = (request.templates or None) if options.get("topic_templates", True) else None
    return NLIStanceScorer(
        options["model"], templates=templates, precision=request.precision, **kwargs
    )


def _hf(task: str) -> Builder:
    def build(request: BuildRequest) -> Scorer:
        kwargs = {k: v for k, v in request.options.items() if k != "model"}
        return HFClassifierScorer(
            request.options["model"], task, precision=request.precision, **kwargs
        )

    return build


def _chat(task: str) -> Builder:
    def build(request: BuildRequest) -> Scorer:
        from analysis.scoring.chat import ChatConfig, ChatScorer

        return ChatScorer(ChatConfig.from_dict(dict(request.options)), task)

    return build


# One builder per registered name of analysis.scoring.options.BACKEND_SPECS.
BUILDERS: Mapping[str, Builder] = MappingProxyType(
    {
        **{name: _shipped(name) for name in SHIPPED_HEADS},
        "tone.vader.v1": lambda _: VaderToneScorer(),
        "stance.nli.v1": _nli,
        "stance.hf-classifier.v1": _hf("stance"),
        "tone.hf-classifier.v1": _hf("tone"),
        "stance.chat.v1": _chat("stance"),
        "tone.chat.v1": _chat("tone"),
    }
)
assert set(BUILDERS) == set(BACKEND_SPECS), "every registered name needs a builder"


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
    if spec in BACKEND_SPECS and label_map and "label_map" in BACKEND_SPECS[spec].options:
        options.setdefault("label_map", dict(label_map))
    elif spec in BACKEND_SPECS and label_map:  # a model with labels of its own: not ignored
        raise ValueError(
            f"a label map renames a Hugging Face classifier's labels; {spec} gives "
            f"{'/'.join(labels_for(task))} itself (leave the label map out)"
        )
    elif label_map:  # a folder or hub id: its labels are checked with the map given
        options.setdefault("label_map", dict(label_map))
    check_spec(spec, task, options)
    if spec in BACKEND_SPECS:
        return BUILDERS[spec](BuildRequest(options, precision, pair_model, templates))
    path = Path(spec).expanduser()
    if path.is_dir() and is_pair_classifier_dir(path) and label_map:
        raise ValueError(
            f"a label map renames a Hugging Face classifier's labels; the viewpoints model in "
            f"{spec} gives {'/'.join(labels_for(task))} itself (leave the label map out)"
        )
    if path.is_dir() and is_pair_classifier_dir(path):
        model = pair_model or PairModel(path, precision=precision)
        return PairModelScorer(f"{task}.pair-classifier.v1:{path}", task, model)
    # a folder without config.json, or with the other task's labels, was refused by check_spec
    id2label = local_id2label(spec) if path.is_dir() else None
    if id2label and is_nli_head(id2label) and not label_map:  # as tone: refused by check_spec
        nli_options = {k: v for k, v in options.items() if k in NLI_OPTIONS}
        return _nli(BuildRequest({**nli_options, "model": spec}, precision, templates=templates))
    check_values("a Hugging Face classifier", HF_OPTIONS[task], options)
    kwargs = {k: v for k, v in options.items() if k != "model"}
    return HFClassifierScorer(spec, task, precision=precision, **kwargs)


def _pair_dir(spec: str) -> Path | None:
    """The pair-classifier directory a spec names, if it names one."""
    if spec in SHIPPED_HEADS:
        return SHIPPED_HEADS[spec][0]
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
