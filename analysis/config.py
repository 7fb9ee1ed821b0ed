"""The analysis configuration: one TOML file, validated on load, saved resolved beside every run.

Sections and keys (every key is optional in a file; the resolved config written into a run has
all of them, so a run says exactly what produced it)::

    [corpus]
    paths = ["seeds"]            # files or folders; every relative path in a TOML file (corpus,
                                 # topics file, model folders, cache, runs_dir) is read from the
                                 # file's folder
    [corpus.fields]              # the record fields (JSON keys, CSV columns) where a file names
                                 # them otherwise: id, title, authors, outlet, date, url, text,
                                 # e.g. text = "Body Text"; those not given keep their defaults
    [topics]
    file = ""                    # "" = the package's default topics
    threshold = 0.55             # leave it out for the default chosen on labelled data: 0.55
                                 # with a topic gate (stance.minilm.v2), else 0.66
    gate = 0.8                   # P(on topic) from the stance model's topic head (stance.minilm.v2)
                                 # that one passage of an article needs for the article to discuss
                                 # the topic; models without a topic head: no gate
    passage_gate = 0.7           # P(on topic) each passage of a discussing article needs to count
                                 # toward its position (at most `gate`: a larger value reads as it)
    relevance = "cascade"        # cascade: static embeddings choose the passages MiniLM scores;
                                 # full: MiniLM on every passage (slower, for comparison)
    counter_examples = "auto"    # when the topics' counter-examples veto an alias hit: auto =
                                 # unless the stance model's topic head judges look-alikes itself
                                 # (for the targets it was trained on); always; never
    [models]
    stance = "stance.minilm.v2"  # registered name, model directory or Hugging Face id
    tone = "tone.minilm.v3"
    precision = "auto"           # auto | bf16 | fp32
    cache = ".viewpoints-cache/predictions.sqlite"   # "" = no prediction cache
    [models.stance_options]      # passed to the stance backend, e.g. for stance.nli.v1:
    model = "MoritzLaurer/deberta-v3-base-zeroshot-v2.0"
    batch_size = 16              # (backends that batch take it here)
    [models.tone_options]        # e.g. label_map = {LABEL_0 = "negative", ...}
    [aggregate]
    seed = 0
    n_bootstrap = 1000
    include_reported = false
    max_evidence = 10
    confidence = 0.95            # coverage of the bootstrap intervals
    min_stance_mass = 0.1        # expected stance-taking passages needed to call a stance
    stance_rule = "mean"         # mean | balance (see analysis/aggregate.py)
    [run]
    runs_dir = "runs"
    name = ""                    # optional label shown beside the run id
    [engine]
    name = "local"               # local: this process; ray: relevance and scoring on Ray Data
    address = ""                 # ray only: "" starts a local Ray instance with this machine's
                                 # cores; "auto" or "HOST:6379" joins a running cluster
    workers = 0                  # ray only: actors per model stage, one CPU each; 0 = every CPU
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from analysis.toml_file import TomlFileError, read_toml

# Kept here rather than imported from analysis.precision, which imports torch: loading a config
# must stay fast so that a bad value fails before anything heavy starts.
PRECISIONS = ("auto", "bf16", "fp32")
STANCE_RULES = ("mean", "balance")
# cascade: static embeddings pick the passages MiniLM then scores (analysis.topics); full:
# MiniLM on every passage (the method before the cascade, for comparison)
RELEVANCE_METHODS = ("cascade", "full")
# When a topic's counter-examples veto its alias hits: auto = only where no topic head judges
# the candidates (a model with one tells look-alikes apart better: docs/topics.md)
COUNTER_EXAMPLES = ("auto", "always", "never")
# local: the stages run in this process; ray: relevance and scoring run on Ray Data actors
ENGINES = ("local", "ray")
# Resamples a bootstrap or permutation test may draw: memory grows with them (ten million
# permutations took 3 GB), and beyond this the p-values and intervals no longer move.
MAX_RESAMPLES = 100_000
# Fewer bootstrap resamples leave a 95% interval's ends to one or two draws: a review's run
# with n_bootstrap = 1 showed "+0.19 [+0.19, +0.30]" where the default gives [-0.04, +0.43]
MIN_RESAMPLES = 100


class ConfigError(ValueError):
    """A config that does not validate; the message names the key, what was expected and found."""


def _normalise(section: object, name: str, value: object) -> None:
    """Set a field of a frozen section while it validates (a number to float, a list to tuple)."""
    object.__setattr__(section, name, value)


# The record fields a config may name (analysis.corpus.fields.FieldMap's, which a test keeps
# equal to these: the config is read before, and without, the corpus package)
RECORD_FIELDS = ("id", "title", "authors", "outlet", "date", "url", "text")


@dataclass(frozen=True)
class CorpusSection:
    paths: tuple[str, ...] = ("seeds",)
    # Which record field (JSON key, CSV column) holds what, where a file names them otherwise
    # than the defaults (analysis.corpus.fields.FieldMap): {"text": "Body Text", "authors":
    # "Writer(s)", "date": "Published On"}; the fields not given keep their defaults.
    fields: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _expect(
            isinstance(self.paths, list | tuple)
            and bool(self.paths)
            and all(isinstance(p, str) and p for p in self.paths),
            "corpus.paths",
            "a non-empty list of non-empty path strings",
            list(self.paths) if isinstance(self.paths, tuple) else self.paths,
        )
        _normalise(self, "paths", tuple(self.paths))
        known = RECORD_FIELDS
        _expect(
            isinstance(self.fields, Mapping),
            "corpus.fields",
            f"a table of field names (keys among {', '.join(known)})",
            self.fields,
        )
        unknown = sorted(set(self.fields) - set(known))
        _expect(
            not unknown,
            "corpus.fields",
            f"keys among {', '.join(known)}",
            unknown,
        )
        for key, value in self.fields.items():
            _expect(
                isinstance(value, str) and value.strip(),
                f"corpus.fields.{key}",
                "the name of a field or column (a non-empty string)",
                value,
            )
        _normalise(self, "fields", dict(self.fields))


@dataclass(frozen=True)
class TopicsSection:
    file: str = ""  # "" = the package's default topics
    # None = the default chosen on labelled data for the stance model (GATED_THRESHOLD with a
    # topic head, else DEFAULT_THRESHOLD); a run records the value it used.
    threshold: float | None = None
    # An article discusses a topic when one of its candidate passages reaches ``gate``; then its
    # candidates from ``passage_gate`` on are its topic passages (two gates: coverage strict,
    # evidence looser; chosen on the labelled dev passages and articles, docs/positions.md;
    # 0.8 since 2026-12-07, 0.9 before: experiments/article_level/README.md).
    gate: float = 0.8
    passage_gate: float = 0.7
    relevance: str = "cascade"
    counter_examples: str = "auto"

    def __post_init__(self) -> None:
        _expect(isinstance(self.file, str), "topics.file", "a path string", self.file)
        _expect(
            self.counter_examples in COUNTER_EXAMPLES,
            "topics.counter_examples",
            " or ".join(COUNTER_EXAMPLES),
            self.counter_examples,
        )
        _expect(
            self.relevance in RELEVANCE_METHODS,
            "topics.relevance",
            " or ".join(RELEVANCE_METHODS),
            self.relevance,
        )
        _expect(
            self.threshold is None or (_number(self.threshold) and 0.0 <= self.threshold <= 1.0),
            "topics.threshold",
            "a number in [0, 1] (leave it out for the model's default)",
            self.threshold,
        )
        if self.threshold is not None:
            _normalise(self, "threshold", float(self.threshold))
        _expect(
            _number(self.gate) and 0.0 <= self.gate <= 1.0,
            "topics.gate",
            "a number in [0, 1]",
            self.gate,
        )
        _normalise(self, "gate", float(self.gate))
        _expect(
            _number(self.passage_gate) and 0.0 <= self.passage_gate <= 1.0,
            "topics.passage_gate",
            "a number in [0, 1] (at most topics.gate)",
            self.passage_gate,
        )
        # A config that lowers only ``gate`` (below the default passage gate) means one gate.
        _normalise(self, "passage_gate", min(float(self.passage_gate), self.gate))

    def uses_counter_examples(self, topic_head: bool) -> bool:
        """Whether counter-examples veto alias hits, for a stance model with or without a
        topic head (one trusted on every target)."""
        return self.counter_examples == "always" or (
            self.counter_examples == "auto" and not topic_head
        )

    def counter_example_topics(
        self, topic_head: bool, unjudged: Collection[str] | None
    ) -> bool | frozenset[str]:
        """Whose counter-examples veto alias hits: every topic's (True), none (False), or the
        ``unjudged`` topics' (keys): those whose target the topic head did not learn to judge
        (None: the head judges every target)."""
        if not topic_head or unjudged is None or self.counter_examples != "auto":
            return self.uses_counter_examples(topic_head)
        return frozenset(unjudged) or False


@dataclass(frozen=True)
class ModelsSection:
    stance: str = "stance.minilm.v2"
    tone: str = "tone.minilm.v3"
    precision: str = "auto"
    cache: str = ".viewpoints-cache/predictions.sqlite"  # "" = no prediction cache
    stance_options: Mapping[str, Any] = field(default_factory=dict)
    tone_options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from analysis.scoring.options import UnknownScorerError, check_spec

        for task in ("stance", "tone"):
            spec = getattr(self, task)
            _expect(isinstance(spec, str) and spec, f"models.{task}", "a model name", spec)
            options = getattr(self, f"{task}_options")
            _expect(isinstance(options, Mapping), f"models.{task}_options", "a table", options)
            _normalise(self, f"{task}_options", dict(options))
            try:
                check_spec(spec, task, options)
            except UnknownScorerError as err:
                raise ConfigError(f"models.{task}: {err}") from None
        _expect(isinstance(self.cache, str), "models.cache", "a path string", self.cache)
        _expect(
            self.precision in PRECISIONS, "models.precision", f"one of {PRECISIONS}", self.precision
        )


@dataclass(frozen=True)
class AggregateSection:
    """How passage scores become positions (analysis.aggregate); saved with every run."""

    seed: int = 0
    n_bootstrap: int = 1000
    include_reported: bool = False  # reported speech is not the author's own stance by default
    max_evidence: int = 10
    confidence: float = 0.95  # coverage of the intervals (analysis.intervals)
    # A stance is called only where the unit's passages take a side: the expected number of
    # stance-taking passages, sum of P(favor) + P(against), must reach this; below it the
    # unit is discussed with "no stance expressed". Chosen on the article dev set
    # (experiments/article_level/choose_aggregation.py).
    min_stance_mass: float = 0.1
    # How passages make a stance: "mean" = sum r (f - a) / sum r (every topic passage weighs its
    # relevance, a passage that takes no side pulls toward 0); "balance" = sum r (f - a) /
    # sum r (f + a) (only the sides taken count). Chosen on the article dev set.
    stance_rule: str = "mean"

    def __post_init__(self) -> None:
        _expect(
            _integer(self.seed) and self.seed >= 0, "aggregate.seed", "an integer >= 0", self.seed
        )
        _expect(
            _integer(self.n_bootstrap) and MIN_RESAMPLES <= self.n_bootstrap <= MAX_RESAMPLES,
            "aggregate.n_bootstrap",
            f"an integer from {MIN_RESAMPLES} to {MAX_RESAMPLES:,} (fewer resamples leave an "
            "interval's ends to one or two draws)",
            self.n_bootstrap,
        )
        _expect(
            isinstance(self.include_reported, bool),
            "aggregate.include_reported",
            "true or false",
            self.include_reported,
        )
        _expect(
            _integer(self.max_evidence) and self.max_evidence >= 0,
            "aggregate.max_evidence",
            "an integer >= 0",
            self.max_evidence,
        )
        _expect(
            _number(self.confidence) and 0 < self.confidence < 1,
            "aggregate.confidence",
            "a number between 0 and 1, both excluded",
            self.confidence,
        )
        _normalise(self, "confidence", float(self.confidence))
        _expect(
            _number(self.min_stance_mass) and self.min_stance_mass >= 0,
            "aggregate.min_stance_mass",
            "a number >= 0",
            self.min_stance_mass,
        )
        _normalise(self, "min_stance_mass", float(self.min_stance_mass))
        _expect(
            self.stance_rule in STANCE_RULES,
            "aggregate.stance_rule",
            " or ".join(STANCE_RULES),
            self.stance_rule,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AggregateSection:
        """A section from a run's recorded [aggregate] table; unknown keys are errors."""
        return _section(cls, "aggregate", data, "aggregate")


@dataclass(frozen=True)
class RunSection:
    runs_dir: str = "runs"
    name: str = ""  # optional label shown beside the run id

    def __post_init__(self) -> None:
        _expect(
            isinstance(self.runs_dir, str) and self.runs_dir,
            "run.runs_dir",
            "a path",
            self.runs_dir,
        )
        _expect(isinstance(self.name, str), "run.name", "a string", self.name)
        _expect(
            self.name.isprintable(),
            "run.name",
            "a name without line breaks or control characters",
            self.name,
        )


@dataclass(frozen=True)
class EngineSection:
    """Where the model stages run (analysis.ray_engine for "ray"); the run is the same."""

    name: str = "local"
    address: str = ""  # "" = a local Ray instance; otherwise the cluster to join
    workers: int = 0  # actors per model stage; 0 = one per CPU Ray has

    def __post_init__(self) -> None:
        _expect(self.name in ENGINES, "engine.name", " or ".join(ENGINES), self.name)
        _expect(isinstance(self.address, str), "engine.address", "a string", self.address)
        _expect(
            _integer(self.workers) and self.workers >= 0,
            "engine.workers",
            "an integer >= 0 (0 = one per CPU)",
            self.workers,
        )
        if self.name == "local":  # a cluster address or worker count would silently do nothing
            for key in ("address", "workers"):
                _expect(
                    not getattr(self, key),
                    f"engine.{key}",
                    'to be left out unless engine.name = "ray"',
                    getattr(self, key),
                )


INFORMATIONAL = ("topic_definitions",)
# Keys that used to exist: say what became of them rather than "unknown key".
REMOVED = {
    ("models", "batch_size"): (
        "was removed (it never changed anything); a backend that batches takes batch_size in "
        "[models.stance_options] or [models.tone_options]"
    ),
}

SECTIONS = {
    "corpus": CorpusSection,
    "topics": TopicsSection,
    "models": ModelsSection,
    "aggregate": AggregateSection,
    "run": RunSection,
    "engine": EngineSection,
}


def _section(section_cls: type, name: str, values: object, source: str) -> Any:
    """One section built from its table; unknown, removed and invalid keys are ConfigErrors."""
    if not isinstance(values, Mapping):
        raise ConfigError(f"{source}: expected [{name}] to be a table, got {values!r}")
    known = {f.name for f in fields(section_cls)}
    extra = sorted(set(values) - known)
    for key in extra:
        if (name, key) in REMOVED:
            raise ConfigError(f"{source}: {name}.{key} {REMOVED[(name, key)]}")
    tables = [key for key in extra if isinstance(values[key], Mapping)]
    if name == "topics" and tables:  # a topics file's tables written into the experiment
        raise ConfigError(
            f"{source}: [topics.{tables[0]}] defines a topic, which goes in a topics file of "
            "its own (the same [topics.KEY] tables as analysis/default_topics.toml, which it "
            'replaces: copy that file and append yours), named here as [topics] file = "FILE"'
        )
    if extra:
        raise ConfigError(
            f"{source}: unknown key(s) {extra} in [{name}]; expected some of {sorted(known)}"
        )
    try:
        return section_cls(**values)
    except ConfigError as err:
        raise ConfigError(f"{source}: {err}") from None


@dataclass(frozen=True)
class AnalysisConfig:
    """Everything that determines an analysis run; frozen: change it with :meth:`with_values`."""

    corpus: CorpusSection = field(default_factory=CorpusSection)
    topics: TopicsSection = field(default_factory=TopicsSection)
    models: ModelsSection = field(default_factory=ModelsSection)
    aggregate: AggregateSection = field(default_factory=AggregateSection)
    run: RunSection = field(default_factory=RunSection)
    engine: EngineSection = field(default_factory=EngineSection)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def with_values(
        self, source: str = "command line", **changes: Mapping[str, Any]
    ) -> AnalysisConfig:
        """A copy with some keys changed, per section (``with_values(run={"name": "x"})``),
        validated like a file: an unknown key or a bad value is a ConfigError naming ``source``."""
        updated = {}
        for name, values in changes.items():
            if name not in SECTIONS:
                raise ConfigError(
                    f"{source}: unknown section {name!r}; expected some of {sorted(SECTIONS)}"
                )
            current = getattr(self, name)
            given = dict(values)
            known = {f.name for f in fields(current)}
            unknown = sorted(set(given) - known)
            if unknown:
                raise ConfigError(f"{source}: unknown key(s) {unknown} in [{name}]")
            try:
                updated[name] = replace(current, **given)
            except ConfigError as err:
                raise ConfigError(f"{source}: {err}") from None
        return replace(self, **updated)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "config") -> AnalysisConfig:
        """Build and validate a config; unknown sections or keys are errors, not ignored."""
        if not isinstance(data, Mapping):
            raise ConfigError(f"{source}: expected a table of sections, got {type(data).__name__}")
        # Runs append the topic definitions they used; they are a record, not a setting.
        data = {k: v for k, v in data.items() if k not in INFORMATIONAL}
        unknown = sorted(set(data) - set(SECTIONS))
        if unknown:
            raise ConfigError(
                f"{source}: unknown section(s) {unknown}; expected some of {sorted(SECTIONS)}"
            )
        return cls(
            **{
                name: _section(section_cls, name, data.get(name, {}), source)
                for name, section_cls in SECTIONS.items()
            }
        )

    @classmethod
    def from_toml(cls, path: str | Path) -> AnalysisConfig:
        """Read a TOML config. Every relative path in it resolves against the file's folder:
        corpus paths, the topics file, and, where the file sets them, model folders (a model
        spec or ``model`` option that is a folder there, or is written as a path), the
        prediction cache and the runs folder. Registered names and hub ids stay as they are."""
        path = Path(path)
        try:
            data = read_toml(path, "a config TOML file")
        except TomlFileError as err:
            raise ConfigError(str(err)) from None
        # Paths are made relative to the file before validation, so that a model folder beside
        # the file is found (and checked) wherever the command runs.
        return cls.from_dict(_paths_from(path.resolve().parent, data), source=str(path))

    def with_absolute_paths(self, base: str | Path | None = None) -> AnalysisConfig:
        """This config with every relative path read from ``base`` (default: the working
        folder), as :meth:`from_toml` reads a file's: what a run records must rerun from
        anywhere, and the same folder written two ways must be one model and one cache."""
        base = Path(base) if base is not None else Path.cwd()
        data = self.to_dict()
        data["corpus"] = {**data["corpus"], "paths": list(data["corpus"]["paths"])}
        return AnalysisConfig.from_dict(_paths_from(base.absolute(), data))

    def to_toml(self) -> str:
        """The resolved config as TOML text (a threshold left to the default is left out)."""
        return dumps_toml(self.to_dict())


def _paths_from(base: Path, data: dict[str, Any]) -> dict[str, Any]:
    """The file's tables with every relative path it sets read from ``base``: corpus paths, the
    topics file, model folders (a spec or ``model`` option that names a folder there, or is
    written as a path), the cache and the runs folder. Values of the wrong type are left for
    validation to report."""
    data = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    corpus, topics = data.get("corpus"), data.get("topics")
    models, run = data.get("models"), data.get("run")
    if isinstance(corpus, dict) and isinstance(corpus.get("paths"), list):
        corpus["paths"] = [
            _relative_to(base, p) if isinstance(p, str) and p else p for p in corpus["paths"]
        ]
    if isinstance(topics, dict) and isinstance(topics.get("file"), str) and topics["file"]:
        topics["file"] = _relative_to(base, topics["file"])
    if isinstance(models, dict):
        for task in ("stance", "tone"):
            if isinstance(models.get(task), str):
                models[task] = model_relative_to(base, models[task])
            options = models.get(f"{task}_options")
            # a chat endpoint's model is a name the server knows ("qwen2.5:7b"), never a path
            chat = str(models.get(task, "")).endswith(".chat.v1")
            if not chat and isinstance(options, dict) and isinstance(options.get("model"), str):
                models[f"{task}_options"] = {
                    **options,
                    "model": model_relative_to(base, options["model"]),
                }
        if isinstance(models.get("cache"), str) and models["cache"]:
            models["cache"] = _relative_to(base, models["cache"])
    if isinstance(run, dict) and isinstance(run.get("runs_dir"), str) and run["runs_dir"]:
        run["runs_dir"] = _relative_to(base, run["runs_dir"])
    return data


def _relative_to(base: Path, value: str) -> str:
    path = Path(value).expanduser()
    return os.path.normpath(path if path.is_absolute() else (base / path))


def model_relative_to(base: Path, spec: str) -> str:
    """A model spec resolved against ``base`` when it names a folder there or is written as a
    path; registered names and hub ids unchanged."""
    from analysis.scoring.hub import looks_like_path

    candidate = Path(spec).expanduser()
    if not spec:
        return spec
    if candidate.is_absolute():
        return os.path.normpath(candidate)
    if (base / candidate).exists() or looks_like_path(spec):
        return os.path.normpath(base / candidate)
    return spec


def _integer(value: object) -> bool:
    """An int that is not a bool (TOML's true is not a number here)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _expect(ok: object, key: str, expected: str, got: object) -> None:
    if not ok:
        # as the file spells it: true, not Python's True
        shown = str(got).lower() if isinstance(got, bool) else repr(got)
        raise ConfigError(f"{key}: expected {expected}, got {shown}")


def dumps_toml(data: dict[str, Any]) -> str:
    """A small TOML writer for the nested tables of scalars and lists used in configs."""
    lines: list[str] = []
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict)}
    for key, value in scalars.items():
        if value is None:
            continue  # TOML has no null: an unset optional key is left out
        lines.append(f"{key} = {_toml_value(value)}")
    for key, value in data.items():
        if isinstance(value, dict):
            _write_table(lines, [key], value)
    return "\n".join(lines).strip() + "\n"


def _write_table(lines: list[str], path: list[str], table: dict[str, Any]) -> None:
    lines += ["", "[" + ".".join(_toml_key(p) for p in path) + "]"]
    for key, value in table.items():
        if value is not None and not isinstance(value, dict):
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, value in table.items():
        if isinstance(value, dict):
            _write_table(lines, [*path, key], value)


def _toml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else _toml_value(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")
