"""What a run records about itself, read in one place: its topics, models, threshold and
aggregation settings, typed, from ``run.json`` and ``config.toml`` of any run version.

Every reader (reports, comparisons, corrections, provenance, the dashboard) asks
:func:`run_info` rather than digging in the raw dictionaries, so that an older or hand-edited
run is interpreted the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from analysis.config import AggregateSection, ConfigError, ModelsSection
from analysis.intervals import PLAIN_PERCENTILE

TASKS = ("stance", "tone")


@dataclass(frozen=True)
class TopicInfo:
    """A topic as a run recorded it: its key in the tables, a label in words, its target."""

    key: str
    label: str
    target: str | None = None


@dataclass(frozen=True)
class RunInfo:
    """The typed record of a run (fields None where an older run did not record them)."""

    run_id: str | None
    name: str
    created: str | None
    topics: tuple[TopicInfo, ...]
    # task -> what the run recorded of its model: at least "name" (the identity where recorded)
    models: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    threshold: float | None = None
    # P(on topic) from the stance model's topic head that one passage of an article needed for
    # the article to discuss a topic (None: no gate recorded), and that each of its passages
    # needed to count (runs from before the two gates: the same as ``gate``)
    gate: float | None = None
    passage_gate: float | None = None
    # "cascade" or "full" (how topic passages were found; runs from before the cascade: "full")
    relevance: str | None = None
    topics_file: str | None = None  # None: the package's built-in topics
    aggregation: AggregateSection = field(default_factory=AggregateSection)
    corpus_hash: str | None = None
    seed: int | None = None
    # Why the recorded [aggregate] table could not be read (then ``aggregation`` is the
    # defaults): recomputing positions must refuse rather than silently change the rules.
    aggregation_error: str | None = None
    # outlet -> the writers' lists the run's bylines were cut at besides those it found itself
    # (analysis.bylines.known_rosters when it was made; runs from before: none)
    known_rosters: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # how the positions' intervals were made (analysis.intervals; runs from before: plain
    # percentile bootstraps)
    interval_method: str = PLAIN_PERCENTILE

    @property
    def small_sample_intervals(self) -> bool:
        """Whether the positions' intervals own up to small samples (see ``interval_method``)."""
        return self.interval_method != PLAIN_PERCENTILE

    def model_name(self, task: str) -> str | None:
        """The name of the run's model for ``task`` (None when not recorded)."""
        name = self.models.get(task, {}).get("name")
        return None if name is None else str(name)

    def other_models(self) -> dict[str, str]:
        """Task -> the run's model where it is not the shipped default (stance, tone): a run
        of a baseline or of another model, not what the defaults say ({} for a default run;
        a task whose model was not recorded is not counted)."""
        defaults = {"stance": ModelsSection.stance, "tone": ModelsSection.tone}
        names = {task: self.model_name(task) for task in defaults}
        return {t: n for t, n in names.items() if n is not None and n != defaults[t]}

    def topic_labels(self) -> dict[str, str]:
        """Topic key -> label, in the run's topic order."""
        return {t.key: t.label for t in self.topics}

    def topic_keys(self) -> list[str]:
        return [t.key for t in self.topics]


# How a run's warning about a model that gave every passage the same answer begins (written
# by analysis.pipeline.flat_output_notes into run.json's model_warnings): the task follows
FLAT_MODEL_NOTE = "the {task} model gives every one of"


def flat_model_tasks(meta: Mapping[str, Any] | None) -> set[str]:
    """The tasks ("stance", "tone") whose model the run warned gave every passage about the
    same answer: their numbers in that run are noise, whatever they round to."""
    warnings = meta.get("model_warnings") or [] if isinstance(meta, Mapping) else []
    return {
        task
        for task in ("stance", "tone")
        for warning in warnings
        if str(warning).startswith(FLAT_MODEL_NOTE.format(task=task))
    }


def label_from_key(key: str) -> str:
    """``arms_control`` -> ``Arms control`` (used where a run gives no label)."""
    words = str(key).replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else str(key)


def parse_topics(raw: Any) -> list[TopicInfo]:
    """Topics from a list of tables (``key``, or ``name``/``id``; ``label``; ``target``) or of
    plain keys, or from a table of topic tables; anything else is skipped."""
    if isinstance(raw, Mapping):
        raw = [{"key": k, **v} for k, v in raw.items() if isinstance(v, Mapping)]
    found: dict[str, TopicInfo] = {}
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, str):
            key, label, target = item, None, None
        elif isinstance(item, Mapping):
            key = item.get("key") or item.get("name") or item.get("id")
            label, target = item.get("label"), item.get("target")
        else:
            continue
        if key is not None and str(key) not in found:
            key = str(key)
            found[key] = TopicInfo(
                key,
                str(label) if label else label_from_key(key),
                None if target is None else str(target),
            )
    return list(found.values())


def run_topics(
    meta: Mapping[str, Any], config: Mapping[str, Any], keys_in_data: Sequence[str] = ()
) -> list[TopicInfo]:
    """The run's topics in its order, then any topic found only in its tables.

    Looks, in turn, at ``config["topic_definitions"]`` (what the pipeline writes), at
    ``meta["topics"]`` (``run.json``) and at ``config["topics"]``."""
    topics: list[TopicInfo] = []
    for raw in (config.get("topic_definitions"), meta.get("topics"), config.get("topics")):
        topics = parse_topics(raw)
        if topics:
            break
    known = {t.key for t in topics}
    extra = {str(k): TopicInfo(str(k), label_from_key(str(k))) for k in keys_in_data}
    return topics + [t for k, t in extra.items() if k not in known]


def _models(meta: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    recorded = meta.get("models")
    out: dict[str, dict[str, Any]] = {}
    for task, spec in recorded.items() if isinstance(recorded, Mapping) else []:
        if isinstance(spec, Mapping):
            out[str(task)] = dict(spec)
        elif spec is not None:
            out[str(task)] = {"name": str(spec)}
    return out


def _aggregation(config: Mapping[str, Any]) -> tuple[AggregateSection, str | None]:
    """The run's aggregation settings (keys a later version added take their defaults); a table
    that does not validate gives the defaults and the reason."""
    section = config.get("aggregate")
    if section is None:
        return AggregateSection(), None
    try:
        return AggregateSection.from_dict(section), None
    except ConfigError as err:
        return AggregateSection(), str(err)


def _number(value: Any) -> float | None:
    """A recorded number as a float; None when absent or not a number."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _relevance(meta: Mapping[str, Any]) -> str | None:
    """How the run found topic passages, from the topic matcher it recorded."""
    matcher = meta.get("topic_matcher")
    if not isinstance(matcher, Mapping):
        return None
    return "cascade" if isinstance(matcher.get("first_stage"), Mapping) else "full"


def run_info(
    meta: Mapping[str, Any] | None,
    config: Mapping[str, Any] | None,
    keys_in_data: Sequence[str] = (),
) -> RunInfo:
    """The typed record of a run from its ``run.json`` and ``config.toml`` (as dicts)."""
    meta = meta if isinstance(meta, Mapping) else {}
    config = config if isinstance(config, Mapping) else {}
    section = config.get("topics") if isinstance(config.get("topics"), Mapping) else {}
    threshold = section.get("threshold")
    models = _models(meta)
    gate = section.get("gate") if "topic_gate" in models else None
    passage_gate = section.get("passage_gate", gate) if gate is not None else None
    topics_file = section.get("file")
    seed = meta.get("seed")
    aggregation, aggregation_error = _aggregation(config)
    return RunInfo(
        run_id=None if meta.get("run_id") is None else str(meta["run_id"]),
        name=str(meta.get("name") or ""),
        created=None if meta.get("created") is None else str(meta["created"]),
        topics=tuple(run_topics(meta, config, keys_in_data)),
        models=models,
        threshold=_number(threshold),
        gate=_number(gate),
        passage_gate=_number(passage_gate),
        relevance=_relevance(meta),
        topics_file=str(topics_file) if topics_file else None,
        aggregation=aggregation,
        aggregation_error=aggregation_error,
        corpus_hash=None if meta.get("corpus_hash") is None else str(meta["corpus_hash"]),
        seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
        known_rosters=_rosters(meta.get("known_rosters")),
        interval_method=str(meta.get("interval_method") or PLAIN_PERCENTILE),
    )


def _rosters(raw: Any) -> dict[str, frozenset[str]]:
    """``run.json``'s ``known_rosters`` (outlet -> names); {} where absent or malformed."""
    if not isinstance(raw, Mapping):
        return {}
    return {
        str(outlet): frozenset(str(n) for n in names)
        for outlet, names in raw.items()
        if isinstance(names, list | tuple)
    }
