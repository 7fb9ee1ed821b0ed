"""The correction record: what an analyst said about one passage on one topic, and which of
several answers is in force (the latest)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.cache import text_sha256
from analysis.labels import SPEAKER_TASK, STANCE_LABELS, TASK_LABELS

ENV_CORRECTIONS_DIR = "VIEWPOINTS_CORRECTIONS_DIR"
DEFAULT_CORRECTIONS_DIR = "corrections"
RELEVANT, NOT_RELEVANT = "relevant", "not relevant"
TOPIC_LABELS: tuple[str, ...] = (RELEVANT, NOT_RELEVANT)
# ``speaker``: the stance of the voice a reported passage quotes (the stance model's speaker
# head, the ``speaker_*`` columns of a run's scores), which the quoted-voices measure counts.
SPEAKER = SPEAKER_TASK
CORRECTION_LABELS: dict[str, tuple[str, ...]] = {
    "topic": TOPIC_LABELS,
    **TASK_LABELS,
    SPEAKER: STANCE_LABELS,
}
TASKS: tuple[str, ...] = tuple(CORRECTION_LABELS)
# The label of a record that withdraws the analyst's correction of its task (any task): read
# as the latest, it leaves no correction in force there, so the model's reading counts again.
# (Choosing the model's label instead records it as the analyst's, certain: no undo.)
WITHDRAWN = "withdrawn"
# The tasks whose labels replace a run's probabilities, and the run's models (run.json
# ``models`` keys) that score each: a quote's speaker is read by the ``quoted`` model (a
# speaker head), or by the stance model where there is none.
SCORED_BY: dict[str, tuple[str, ...]] = {
    "stance": ("stance",),
    "tone": ("tone",),
    SPEAKER: ("quoted", "stance"),
}


def scoring_model(info: Any, task: str) -> str | None:
    """The name of the run's model that scored ``task`` (``info``: a run's RunInfo); None for
    ``topic`` or when not recorded."""
    for key in SCORED_BY.get(task, ()):
        name = info.model_name(key)
        if name is not None:
            return name
    return None


RECORD_VERSION = 1
FILE_PREFIX = "corrections-"


def corrections_dir(
    value: str | Path | None = None, environ: Mapping[str, str] = os.environ
) -> Path:
    """The corrections folder: ``value`` if given, else ``$VIEWPOINTS_CORRECTIONS_DIR``, else
    ``./corrections``."""
    chosen = value or environ.get(ENV_CORRECTIONS_DIR) or DEFAULT_CORRECTIONS_DIR
    return Path(chosen).expanduser()


def labels_of(task: str) -> tuple[str, ...]:
    """The labels a correction of ``task`` may carry."""
    try:
        return CORRECTION_LABELS[task]
    except KeyError:
        raise ValueError(f"expected task one of {', '.join(TASKS)}, got {task!r}") from None


def now_iso() -> str:
    """The current UTC time as ISO 8601 with microseconds (what ``time`` holds)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Correction:
    """One analyst answer about one passage on one topic and one task.

    ``task`` is ``topic``, ``stance`` (the author's), ``tone`` or ``speaker`` (the stance of the
    voice a reported passage quotes). ``model_label`` is what the model said (``None`` when it
    did not score the passage on the topic); ``probs`` are the model's probabilities for the
    task's labels (all tasks but ``topic``),
    ``relevance`` the model's topic relevance, both as stored in the run the analyst was reading.
    """

    text: str
    target: str | None
    topic: str
    task: str
    label: str
    model_label: str | None = None
    model: str | None = None
    run_id: str | None = None
    passage_id: str | None = None
    article_id: str | None = None
    time: str = field(default_factory=now_iso)
    probs: dict[str, float] | None = None
    relevance: float | None = None
    text_sha256: str = ""
    version: int = RECORD_VERSION

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValueError(f"expected a non-empty passage text, got {self.text!r}")
        if not isinstance(self.topic, str) or not self.topic:
            raise ValueError(f"expected a topic key, got {self.topic!r}")
        labels = labels_of(self.task)
        if self.label not in labels and self.label != WITHDRAWN:
            raise ValueError(
                f"expected a {self.task} label among {labels} (or {WITHDRAWN!r}), got "
                f"{self.label!r}"
            )
        if self.model_label is not None and self.model_label not in labels:
            raise ValueError(
                f"expected model_label among {labels} or None, got {self.model_label!r}"
            )
        try:
            datetime.fromisoformat(self.time)
        except (TypeError, ValueError):
            raise ValueError(f"expected an ISO 8601 time, got {self.time!r}") from None
        if self.probs is not None:
            if self.task == "topic" or set(self.probs) != set(labels):
                raise ValueError(
                    f"expected probs for the labels {labels} (not for topic), got {self.probs!r}"
                )
            object.__setattr__(self, "probs", {k: float(self.probs[k]) for k in labels})
        if self.relevance is not None:
            object.__setattr__(self, "relevance", float(self.relevance))
        object.__setattr__(self, "text_sha256", text_sha256(self.text))

    @property
    def key(self) -> tuple[str, str, str]:
        """What a later correction supersedes: (text hash, topic, task)."""
        return (self.text_sha256, self.topic, self.task)

    @property
    def changed(self) -> bool:
        """Whether the analyst disagreed with the model (False for a confirmation)."""
        return self.label != self.model_label

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Correction:
        """A correction from a JSON object; unknown keys (from newer versions) are ignored."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        for name in ("text", "target", "topic", "task", "label"):
            if name not in known:
                raise ValueError(f"missing field {name!r}")
        strings = ("text", "topic", "task", "label", "model_label", "model", "run_id", "time")
        for name in (*strings, "target", "passage_id", "article_id"):
            value = known.get(name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"field {name!r} must be a string, got {value!r}")
        if known.get("relevance") is not None and (
            isinstance(known["relevance"], bool) or not isinstance(known["relevance"], int | float)
        ):
            raise ValueError(f"field 'relevance' must be a number, got {known['relevance']!r}")
        probs = known.get("probs")
        if probs is not None and (
            not isinstance(probs, Mapping)
            or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in probs.values()
            )
        ):
            raise ValueError(f"field 'probs' must map labels to numbers, got {probs!r}")
        known.pop("text_sha256", None)  # always recomputed from the text
        return cls(**known)


def latest(corrections: Iterable[Correction]) -> list[Correction]:
    """The corrections in force: per (text, topic, task) the one with the latest ``time`` (on
    equal times the later in ``corrections``), in time order; none where that one is a
    withdrawal (:data:`WITHDRAWN`)."""
    ordered = sorted(enumerate(corrections), key=lambda pair: (_instant(pair[1].time), pair[0]))
    kept: dict[tuple[str, str, str], Correction] = {}
    for _, correction in ordered:
        kept.pop(correction.key, None)  # re-insert so the dict stays in time order
        kept[correction.key] = correction
    return [c for c in kept.values() if c.label != WITHDRAWN]


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_corrections_record(record: Any) -> bool:
    """Whether a parsed JSON line looks like a correction (used to detect the format): a text
    with a topic, a task and a label, as every correction has (``model_label`` is optional, so
    a record written by hand without it is still one)."""
    return isinstance(record, dict) and {"text", "topic", "task", "label"} <= set(record)
