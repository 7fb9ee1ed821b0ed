"""A classifier's own label names read as a task's labels, without loading the model.

``id2label`` names (``NEG``, ``pro``, ``LABEL_0`` with a label map) are matched to the task's
labels here, light on purpose (no torch, no transformers): the config checks a local folder's
``config.json`` with it at load, and :mod:`analysis.scoring.hf_classifier` maps its outputs
with it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from analysis.labels import labels_for

SYNONYMS = {
    "negative": "negative",
    "neg": "negative",
    "neutral": "neutral",
    "neu": "neutral",
    "positive": "positive",
    "pos": "positive",
    "favor": "favor",
    "favour": "favor",
    "pro": "favor",
    "support": "favor",
    "against": "against",
    "con": "against",
    "oppose": "against",
    "none": "none",
    "neither": "none",
}


# A sentiment model with two classes (SST-2 and the like) never says "neutral": its tone is
# P(positive) - P(negative), with P(neutral) 0. Stance has no such case: without "none", every
# passage would take a side.
OPTIONAL_LABELS = {"tone": ("neutral",)}


def map_labels(
    id2label: Mapping[int, str],
    task: str,
    overrides: Mapping[str, str] | None = None,
    model: str | None = None,
) -> list[tuple[int, ...]]:
    """For each task label, the model's output indices whose probabilities it sums (a label
    map may send several classes to one label: "1 star" and "2 stars" to negative); empty for
    a label the model does not have and the task can do without (:data:`OPTIONAL_LABELS`).
    Unmappable labels, a class mapped to no label (its probability would be dropped without a
    word) and label-map keys that are not the model's labels are a ValueError naming
    ``model``."""
    wanted = labels_for(task)
    named = f"{task} model {model}" if model else f"the {task} model"
    own = {str(raw).strip().lower(): str(raw) for raw in id2label.values()}
    unknown = [key for key in (overrides or {}) if key.strip().lower() not in own]
    if unknown:
        raise ValueError(
            f"label map key(s) {unknown} are not labels of {named}; its labels are "
            f"{list(own.values())}"
        )
    overrides = {k.strip().lower(): v for k, v in (overrides or {}).items()}
    found: dict[str, list[int]] = {}
    unmapped: list[str] = []
    for index, raw in sorted(id2label.items()):
        key = str(raw).strip().lower()
        label = overrides.get(key) or SYNONYMS.get(key)
        if label in wanted:
            found.setdefault(label, []).append(int(index))
        else:
            unmapped.append(str(raw))
    missing = [label for label in wanted if label not in found]
    if missing and is_nli_head(id2label):
        raise ValueError(
            f"the labels {dict(id2label)} of {named} are an NLI head (entailment/"
            f"contradiction), not {task} labels: "
            + (
                "give it as the stance model on its own (`--stance-model FOLDER` picks the NLI "
                "backend for a local NLI folder) or as stance.nli.v1 with "
                '[models.stance_options] model = "..." in an experiment TOML'
                if task == "stance"
                else "an NLI model cannot score tone; choose a sentiment classifier"
            )
        )
    if missing and not overrides:
        _refuse_the_other_tasks_labels(id2label, task, named)
    optional = OPTIONAL_LABELS.get(task, ())
    required = [label for label in wanted if label not in optional]
    # a label the task can do without may be absent only from a model with fewer classes
    if missing and not (len(own) < len(wanted) and set(missing) <= set(optional)):
        if len(own) < len(required):
            raise ValueError(
                f"{named} has {_classes(len(own))} {list(own.values())}; {task} needs "
                f"{'/'.join(required)}, and a label map only renames labels, it cannot add "
                "any: choose a model with a class for each"
            )
        raise ValueError(
            f"cannot map the labels {dict(id2label)} of {named} to {task} labels "
            f"{list(wanted)}: no match for {missing}; give a label map such as "
            f"{_example_map(list(own.values()), task, required)} ({label_map_where(task)})"
        )
    if unmapped:
        given = {index: label for label, indices in found.items() for index in indices}
        mapped = ", ".join(f"{id2label[i]}={label}" for i, label in sorted(given.items()))
        raise ValueError(
            f"the class(es) {unmapped} of {named} map to no {task} label, so their probability "
            f"would be dropped: give a label map that maps every class, several to one label "
            f"where they mean one ({mapped}, {unmapped[0]}=<one of {'/'.join(wanted)}>; "
            f"{label_map_where(task)})"
        )
    return [tuple(found.get(label, ())) for label in wanted]


def label_map_where(task: str) -> str:
    """Where a label map is given, named in every message that asks for one."""
    return (
        f"label_map in [models.{task}_options] of an experiment TOML, or --label-map of "
        "`viewpoints evaluate`"
    )


def _classes(n: int) -> str:
    return "1 label" if n == 1 else f"{n} labels"


def _example_map(own: list[str], task: str, required: list[str]) -> str:
    """A label map that maps every class of ``own`` in order; more tone classes than labels
    are read as a rating scale ("1 star=negative, 2 stars=negative, 3 stars=neutral, 4 stars=
    positive, 5 stars=positive"), more stance classes go to none after the first two."""
    wanted = labels_for(task)
    names = list(wanted) if len(own) >= len(wanted) else required
    if len(own) <= len(names):
        pairs = list(zip(own, names, strict=False))
    elif task == "tone":
        last = len(names) - 1
        pairs = [(raw, names[round(i * last / (len(own) - 1))]) for i, raw in enumerate(own)]
    else:
        pairs = [(raw, names[min(i, len(names) - 1)]) for i, raw in enumerate(own)]
    return ", ".join(f"{raw}={label}" for raw, label in pairs)


def _refuse_the_other_tasks_labels(id2label: Mapping[int, str], task: str, named: str) -> None:
    """A model whose every label names one of the other task's labels (a sentiment model given
    as the stance model, or a stance model as the tone model) is refused as the wrong kind: a
    label map would pair its labels with this task's arbitrarily (a review was offered
    "negative=favor, neutral=against, positive=none")."""
    other = "tone" if task == "stance" else "stance"
    meant = {SYNONYMS.get(str(raw).strip().lower()) for raw in id2label.values()}
    if len(id2label) >= 2 and meant <= set(labels_for(other)):
        raise ValueError(
            f"the labels {dict(id2label)} of {named} are {other} labels, not {task} labels: "
            f"give it as the {other} model (--{other}-model, or [models] {other} = "
            f'"{other}.hf-classifier.v1" with its folder in [models.{other}_options] of an '
            "experiment TOML), and choose a model made for "
            + ("stance (favor/against/none)" if task == "stance" else "sentiment")
            + f" as the {task} model"
        )


def is_nli_head(id2label: Mapping[int, str]) -> bool:
    """Whether the labels are an NLI model's (an entailment and a contradiction class)."""
    names = {str(v).strip().lower().replace("-", "_").replace(" ", "_") for v in id2label.values()}
    has_entail = bool(names & {"entailment", "entail", "entails", "entailed"})
    has_contra = bool(names & {"contradiction", "not_entailment", "non_entailment"})
    return has_entail and has_contra


def local_architectures(spec: str) -> list[str]:
    """The ``architectures`` a local model folder's ``config.json`` names (empty if none)."""
    config = Path(spec).expanduser() / "config.json"
    try:
        names = json.loads(config.read_text(encoding="utf-8")).get("architectures") or []
    except (OSError, ValueError, AttributeError):
        return []
    return [str(n) for n in names] if isinstance(names, list) else []


def local_id2label(spec: str) -> dict[int, str] | None:
    """``id2label`` of a local model folder's ``config.json``, if it has one."""
    config = Path(spec).expanduser() / "config.json"
    if not config.is_file():
        return None
    try:
        raw = json.loads(config.read_text(encoding="utf-8")).get("id2label") or {}
        return {int(k): str(v) for k, v in raw.items()}
    except (OSError, ValueError, AttributeError):
        return None
