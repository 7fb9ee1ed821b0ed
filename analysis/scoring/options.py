"""The registered scorer names and the options each backend declares, checked without a model.

This module is light on purpose (no torch, no transformers): the config validates an
experiment's model names and ``[models.<task>_options]`` tables with it at load, so that a typo
fails in a second, before any model loads. :mod:`analysis.scoring.registry` builds scorers from
the same declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from analysis.labels import STANCE_LABELS, TONE_LABELS


class UnknownScorerError(ValueError):
    """A registered-looking name that is not registered, or options it does not take."""


@dataclass(frozen=True)
class Option:
    """One option a backend takes: what a valid value is, said in words and as a check."""

    expected: str
    valid: Callable[[Any], bool]


def _integer_at_least(low: int) -> Option:
    return Option(
        f"an integer >= {low}",
        lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= low,
    )


def _text(expected: str) -> Option:
    return Option(expected, lambda v: isinstance(v, str) and bool(v.strip()))


FLAG = Option("true or false", lambda v: isinstance(v, bool))
MODEL = _text("a model directory or Hugging Face id")
TEMPLATE = Option(
    "a hypothesis template containing {target}",
    lambda v: isinstance(v, str) and "{target}" in v,
)


def _label_map(labels: tuple[str, ...]) -> Option:
    """A table of the model's labels to the task's (``labels``)."""
    return Option(
        f"a table of model label = {' / '.join(labels)}",
        lambda v: (
            isinstance(v, Mapping) and all(isinstance(k, str) and x in labels for k, x in v.items())
        ),
    )


NLI_OPTIONS: Mapping[str, Option] = MappingProxyType(
    {
        "model": MODEL,
        "favor_template": TEMPLATE,
        "against_template": TEMPLATE,
        "topic_templates": FLAG,
        "batch_size": _integer_at_least(1),
        "max_length": _integer_at_least(8),
    }
)


def _hf_options(labels: tuple[str, ...]) -> Mapping[str, Option]:
    """The options of a Hugging Face classifier whose labels map to the task's ``labels``."""
    return MappingProxyType(
        {
            "model": MODEL,
            "label_map": _label_map(labels),
            "pair": FLAG,
            "max_length": _integer_at_least(8),
            "batch_size": _integer_at_least(1),
        }
    )


HF_OPTIONS: Mapping[str, Mapping[str, Option]] = MappingProxyType(
    {"stance": _hf_options(STANCE_LABELS), "tone": _hf_options(TONE_LABELS)}
)


def _chat_options() -> Mapping[str, Option]:
    """The chat backend's options are its ChatConfig's fields; ChatConfig checks their values."""
    from analysis.scoring.chat import ChatConfig

    return MappingProxyType({f.name: Option("", lambda _: True) for f in fields(ChatConfig)})


@dataclass(frozen=True)
class BackendSpec:
    """A registered name: the options it takes (and needs), and what it is."""

    options: Mapping[str, Option] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    description: str = ""
    # A whole-table check beyond the per-option ones (the chat settings), raising ValueError.
    check_table: Callable[[Mapping[str, Any]], None] | None = None


def _check_chat(options: Mapping[str, Any]) -> None:
    from analysis.scoring.chat import ChatConfig

    ChatConfig.from_dict(dict(options))


def _check_hf_folder(task: str) -> Callable[[Mapping[str, Any]], None]:
    """A check of a Hugging Face classifier's ``model`` where it is a local folder: a
    ``config.json``, and labels that read as ``task``'s (with the ``label_map`` given), so that
    a folder that is no model, a model of the other task or a wrong label map fails at load,
    naming the experiment file, not after the other models have loaded. A hub id, or a path
    that is not there, is left to the loader, which says what it tried."""

    def check(options: Mapping[str, Any]) -> None:
        from analysis.scoring.label_names import local_architectures, local_id2label, map_labels

        folder = Path(str(options.get("model") or "")).expanduser()
        if not str(options.get("model") or "") or not folder.is_dir():
            return
        if not (folder / "config.json").is_file():
            if (folder / "viewpoints_model.json").is_file():
                raise ValueError(
                    f"model folder {folder} is a viewpoints model (viewpoints_model.json), "
                    f"not a Hugging Face classifier: name it as the {task} model itself "
                    f'({task} = "{folder}"), without {task}.hf-classifier.v1'
                )
            raise ValueError(
                f"model folder {folder} has no config.json: expected a Hugging Face model "
                "folder (config.json, weights, tokenizer), or a viewpoints model folder "
                "(viewpoints_model.json) named as the model itself"
            )
        architectures = local_architectures(str(folder))
        if architectures and not any(
            a.endswith("ForSequenceClassification") for a in architectures
        ):
            # before its labels: a base model's config still lists LABEL_0, LABEL_1
            raise ValueError(
                f"model folder {folder} holds a {'/'.join(architectures)}, not a classifier "
                "(a ...ForSequenceClassification model): it has no head that gives "
                f"{task} labels; give a model fine-tuned for {task}"
            )
        id2label = local_id2label(str(folder))
        if id2label:
            map_labels(id2label, task, options.get("label_map"), str(folder))

    return check


BACKEND_SPECS: Mapping[str, BackendSpec] = MappingProxyType(
    {
        "stance.minilm.v1": BackendSpec(
            description="shipped MiniLM stance head trained on VAST (2026-11)"
        ),
        "tone.minilm.v1": BackendSpec(description="shipped MiniLM tone head"),
        "stance.minilm.v2": BackendSpec(
            description="shipped MiniLM news stance: the author's voice, and quoted voices"
        ),
        "tone.minilm.v2": BackendSpec(description="tone head of stance.minilm.v2"),
        "tone.minilm.v3": BackendSpec(
            description="tone head of stance.minilm.v2 refitted on all of NewsMTSC (the default)"
        ),
        "tone.vader.v1": BackendSpec(description="VADER lexicon"),
        "stance.nli.v1": BackendSpec(
            NLI_OPTIONS, ("model",), "any Hugging Face NLI model as a zero-shot stance scorer"
        ),
        "stance.hf-classifier.v1": BackendSpec(
            HF_OPTIONS["stance"],
            ("model",),
            "any Hugging Face stance classifier",
            _check_hf_folder("stance"),
        ),
        "tone.hf-classifier.v1": BackendSpec(
            HF_OPTIONS["tone"],
            ("model",),
            "any Hugging Face sentiment classifier",
            _check_hf_folder("tone"),
        ),
        "stance.chat.v1": BackendSpec(
            _chat_options(),
            ("base_url", "model"),
            "an OpenAI-compatible chat endpoint",
            _check_chat,
        ),
        "tone.chat.v1": BackendSpec(
            _chat_options(),
            ("base_url", "model"),
            "an OpenAI-compatible chat endpoint",
            _check_chat,
        ),
    }
)
DEFAULTS: Mapping[str, str] = MappingProxyType(
    {"stance": "stance.minilm.v2", "tone": "tone.minilm.v3"}
)


def available(task: str | None = None) -> list[str]:
    """Registered names, optionally only those of one task."""
    return sorted(n for n in BACKEND_SPECS if task is None or n.startswith(f"{task}."))


def check_values(where: str, declared: Mapping[str, Option], options: Mapping[str, Any]) -> None:
    """Unknown options and values of the wrong kind, named with what was expected."""
    unknown = sorted(set(options) - set(declared))
    if unknown:
        accepted = ", ".join(declared) or "none"
        raise UnknownScorerError(f"{where} does not take option(s) {unknown}; it takes: {accepted}")
    for key, value in options.items():
        option = declared[key]
        if option.expected and not option.valid(value):
            raise UnknownScorerError(
                f"{where} option {key}: expected {option.expected}, got {value!r}"
            )


def check_spec(spec: str, task: str, options: Mapping[str, Any]) -> None:
    """Check a model spec and its options as far as can be done without loading anything:
    a registered name (its task, its declared options and required ones); a registered-looking
    name that is not registered; for a folder or hub id, the options of the Hugging Face
    backends (which one applies is decided when the folder is read)."""
    if spec in BACKEND_SPECS:
        if not spec.startswith(f"{task}."):
            raise UnknownScorerError(
                f"{spec!r} is a {spec.split('.')[0]} model, expected a {task} model: "
                f"{', '.join(available(task))}"
            )
        backend = BACKEND_SPECS[spec]
        check_values(spec, backend.options, options)
        missing = [k for k in backend.required if not options.get(k)]
        if missing:
            # a Hugging Face backend's folder or hub id can stand for its name and options on
            # the command line; an endpoint's address only an experiment file gives
            where = (
                "on the command line, give the model's folder or Hugging Face id itself"
                if missing == ["model"]
                else "options a command line cannot give: write them in an experiment file, "
                "docs/experiments.md"
            )
            raise UnknownScorerError(
                f"{spec} needs option(s) {missing} (in [models.{task}_options] of an experiment "
                f"TOML; {where})"
            )
        if backend.check_table is not None:
            try:
                backend.check_table(options)
            except ValueError as err:
                raise UnknownScorerError(f"{spec}: {err}") from None
        return
    # "stance.x" / "tone.x" are meant as registered names (no hub id looks like that)
    if spec.split(".")[0] in ("stance", "tone") and not Path(spec).expanduser().exists():
        raise UnknownScorerError(
            f"unknown model name {spec!r}; registered {task} models: "
            f"{', '.join(available(task))} (or give a model directory or Hugging Face id)"
        )
    check_values("a Hugging Face model", {**HF_OPTIONS[task], **NLI_OPTIONS}, options)
    folder = Path(spec).expanduser()
    if folder.is_dir() and not (folder / "viewpoints_model.json").is_file():
        _check_folder_given_as_model(folder, task, options)


def _check_folder_given_as_model(folder: Path, task: str, options: Mapping[str, Any]) -> None:
    """A Hugging Face folder named as the model itself: as :func:`_check_hf_folder`, except
    that an NLI head is what the stance model's folder may be (it is scored as stance.nli.v1)."""
    from analysis.scoring.label_names import is_nli_head, local_id2label

    id2label = local_id2label(str(folder))
    if id2label and is_nli_head(id2label) and not options.get("label_map"):
        if task == "stance":
            return
        raise UnknownScorerError(
            f"{folder} is an NLI model (labels {sorted(id2label.values())}): it can score "
            "stance (as stance.nli.v1), not tone; choose a sentiment classifier for tone"
        )
    try:
        _check_hf_folder(task)({**options, "model": str(folder)})
    except ValueError as err:
        raise UnknownScorerError(str(err)) from None
