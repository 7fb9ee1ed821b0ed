"""Topic definitions (TOML) and passage relevance.

A topic says what counts as discussing it (label, description, aliases, example sentences), what
resembles it without being it (counter-examples), and what taking its side means (``target``, the
stance scorer's target phrase). A passage's relevance to a topic combines two signals into one
number in [0, 1]:

- embedding similarity: the highest cosine between the MiniLM embedding of the passage (joined to
  the previous passage of its article when the caller gives it) and the topic's prototypes (its
  label, description, target and examples), rescaled from ``[SIM_LOW, SIM_HIGH]`` to [0, 1];
- an alias hit: one of the topic's aliases occurs in the passage as a whole word, and, where
  the matcher uses counter-examples, the passage is closer to the topic's prototypes than to
  them (so "sanctions on Iran" does not count for sanctions on Russia). Behind a stance model
  with a topic head, which reads every candidate against the target, the pipeline leaves the
  counter-examples out by default: the head tells look-alikes apart with more recall at about
  the same precision (``topics.counter_examples``;
  ``experiments/article_level/counter_examples.py``).

``relevance = ALIAS_WEIGHT * alias_hit + (1 - ALIAS_WEIGHT) * rescaled_similarity``, so one
threshold asks for some similarity from a passage that names the topic and a lot from one that
does not (at the default threshold: cosine 0.46 and 0.67). The method, its constants and
:data:`DEFAULT_THRESHOLD` were chosen on passages labelled by hand: see
``experiments/topic_relevance/RESULTS.md``.

Over a corpus, relevance is a cascade (:class:`TopicMatcher` with a ``first_stage``): static
word-piece embeddings fitted to MiniLM (:mod:`analysis.static_embedding`) and the aliases pick
the passages that MiniLM then embeds; :data:`CASCADE_THRESHOLD` was chosen to keep at least 99%
of the passage-topic pairs MiniLM alone finds at 0.55 (``experiments/topic_relevance/
choose_cascade.py``; on today's passages 99.05% of those, 99.8% of the pairs the topic gate keeps).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import string
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm.auto import tqdm

from analysis.embedding import text_list
from analysis.progress import bars_off
from analysis.toml_file import TomlFileError, read_toml

if TYPE_CHECKING:
    from analysis.embedding import Embedder
    from analysis.static_embedding import StaticEmbedder

DEFAULT_TOPICS_PATH = Path(__file__).resolve().parent / "default_topics.toml"

# How relevance is computed; see experiments/topic_relevance/RESULTS.md for the evidence.
METHOD = "aliases-gated-by-counter-examples+minilm-max-prototype+previous-passage.v1"
SIM_LOW = 0.2  # cosine at or below which similarity adds nothing
SIM_HIGH = 0.7  # cosine at or above which similarity is full
ALIAS_WEIGHT = 0.3  # share of relevance that an alias hit gives on its own
# The best micro-F1 with precision >= 0.8 on the tuning part of 384 hand-labelled passages
# (none from a reserved article; 0.61 was chosen when 56 of them were in the set);
# precision and recall on the held-out part are in experiments/topic_relevance/RESULTS.md.
DEFAULT_THRESHOLD = 0.66
# With a stance model that has a topic head (stance.minilm.v2) relevance is the first stage of
# two: a lower threshold lets more candidates through, and the head keeps those really about
# the target. 0.55 with the gate at 0.8 gave the best coverage F1 on the article dev set
# (experiments/article_level/; the gate was 0.9 until 2026-12-07).
GATED_THRESHOLD = 0.55
# The first stage of the relevance cascade: a passage goes on to MiniLM when a topic's alias
# occurs in it or its static embedding reaches this cosine with a topic prototype (MiniLM's,
# projected into the static table's space). Chosen as the largest value keeping >= 99% of the
# full method's pairs at 0.55 on 1,000 AllSides articles; on today's passages it keeps 99.05% of
# those and 99.8% of the pairs the topic gate keeps, what default runs score
# (experiments/topic_relevance/choose_cascade.py, cascade.json; docs/topics.md).
CASCADE_THRESHOLD = 0.50
# Passages whose relevance is computed at once: bounds the texts, static vectors and MiniLM
# embeddings held in memory, whatever the corpus size.
RELEVANCE_CHUNK = 16384

_KEY = re.compile(r"[a-z][a-z0-9_]*")
_REQUIRED = ("label", "description", "target", "aliases")
# Pages name a topic by its label in table cells, chart titles and selectors: a longer one is
# cut there, and "(not measured)" after it with it.
MAX_LABEL_CHARS = 60


class TopicsError(ValueError):
    """An invalid topic or topics file; the message names the file, the topic and the fault."""


def _check_text(key: str, name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise TopicsError(
            f"topic {key!r}: field {name!r}: expected a string, got {type(value).__name__}"
        )
    if not value.strip():
        raise TopicsError(
            f"topic {key!r}: field {name!r}: expected a non-empty string, got {value!r}"
        )


def _check_texts(key: str, name: str, value: Any, allow_empty: bool) -> None:
    if not isinstance(value, tuple | list):
        raise TopicsError(
            f"topic {key!r}: field {name!r}: expected a list of strings, got {type(value).__name__}"
        )
    if not value and not allow_empty:
        raise TopicsError(
            f"topic {key!r}: field {name!r}: expected at least one entry, got an empty list"
        )
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise TopicsError(
                f"topic {key!r}: field {name!r}: expected non-empty strings, "
                f"got {item!r} at position {i}"
            )


@dataclass(frozen=True)
class Topic:
    """One topic: what counts as discussing it and what taking its side means."""

    key: str
    label: str
    description: str
    target: str
    aliases: tuple[str, ...]
    favor_template: str | None = None
    against_template: str | None = None
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not _KEY.fullmatch(self.key):
            raise TopicsError(
                f"expected a topic key of lowercase ASCII letters a-z, digits and '_' (starting "
                f"with a letter; the label can be in any script), got {self.key!r}"
            )
        for name in ("label", "description", "target"):
            _check_text(self.key, name, getattr(self, name))
        if len(self.label.strip()) > MAX_LABEL_CHARS:
            raise TopicsError(
                f"topic {self.key!r}: field 'label': expected at most {MAX_LABEL_CHARS} "
                f"characters (the pages name the topic by it; say more in 'description'), got "
                f"{len(self.label.strip())}: {self.label[:40]!r}..."
            )
        for name in ("aliases", "examples", "counter_examples"):
            _check_texts(self.key, name, getattr(self, name), allow_empty=name != "aliases")
            object.__setattr__(self, name, tuple(getattr(self, name)))
        for name in ("favor_template", "against_template"):
            template = getattr(self, name)
            if template is None:
                continue
            _check_text(self.key, name, template)
            try:
                parsed = [f for f in string.Formatter().parse(template) if f[1] is not None]
                wrong = [
                    "{" + f[1] + (f"!{f[3]}" if f[3] else "") + (f":{f[2]}" if f[2] else "") + "}"
                    for f in parsed
                    if f[1] != "target" or f[2] or f[3]
                ]
                if wrong:
                    raise ValueError(f"found {', '.join(wrong)}")
            except ValueError as err:
                raise TopicsError(
                    f"topic {self.key!r}: field {name!r}: expected a template whose only "
                    f"placeholder is {{target}}, got {template!r} ({err})"
                ) from None
        for alias in self.aliases:
            if not any(c.isalnum() for c in alias):
                raise TopicsError(
                    f"topic {self.key!r}: field 'aliases': expected words (with a letter or "
                    f"digit), got {alias!r}"
                )

    def to_dict(self) -> dict[str, Any]:
        """Plain types only (lists, not tuples), ready for JSON or TOML."""
        data = asdict(self)
        data["aliases"] = list(self.aliases)
        data["examples"] = list(self.examples)
        data["counter_examples"] = list(self.counter_examples)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Topic:
        """A topic from a mapping with ``key`` and the fields of a TOML topic table."""
        if not isinstance(data, Mapping):
            raise TopicsError(f"expected a topic table, got {type(data).__name__}")
        key = data.get("key", "?")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise TopicsError(
                f"topic {key!r}: expected fields among {sorted(known - {'key'})}, "
                f"got unknown {unknown}"
            )
        missing = [name for name in ("key", *_REQUIRED) if name not in data]
        if missing:
            raise TopicsError(
                f"topic {key!r}: missing {' and '.join(repr(m) for m in missing)} (every topic "
                f"needs {', '.join(repr(r) for r in _REQUIRED)})"
            )
        return cls(**dict(data))


def topics_from_toml(data: Mapping[str, Any]) -> list[Topic]:
    """Topics from a parsed topics document: ``{"topics": {KEY: {...}, ...}}``."""
    unknown = sorted(set(data) - {"topics"})
    if unknown:
        raise TopicsError(f"expected only a [topics] table at the top level, got {unknown}")
    tables = data.get("topics")
    if not isinstance(tables, Mapping) or not tables:
        raise TopicsError(
            f"expected [topics.KEY] tables, got {type(tables).__name__ if tables else 'none'}"
        )
    topics = []
    for key, table in tables.items():
        if not isinstance(table, Mapping):
            raise TopicsError(f"topic {key!r}: expected a table, got {type(table).__name__}")
        if "key" in table:
            raise TopicsError(f"topic {key!r}: expected the key only in the table name, got 'key'")
        topics.append(Topic.from_dict({"key": key, **table}))
    # Pages, charts and tables name topics by label; a scorer's templates go by target.
    for field in ("label", "target"):
        seen: dict[str, Topic] = {}
        for topic in topics:
            value = getattr(topic, field)
            key = folded(value)
            if key in seen:
                first = seen[key]
                raise TopicsError(
                    f"topics {first.key!r} and {topic.key!r}: expected a different {field} "
                    f"for each topic (case and spacing aside), got {getattr(first, field)!r} "
                    f"and {value!r}"
                )
            seen[key] = topic
    return topics


def load_topics(path: str | Path | None = None) -> list[Topic]:
    """Read and validate a topics TOML file; ``None`` reads the default topics."""
    path = Path(path) if path is not None else DEFAULT_TOPICS_PATH
    try:
        data = read_toml(path, "a topics TOML file")
    except TomlFileError as err:
        raise TopicsError(str(err)) from None
    try:
        return topics_from_toml(data)
    except TopicsError as err:
        raise TopicsError(f"{path}: {err}") from None


def topics_sha256(topics: Sequence[Topic]) -> str:
    """A hash of the topic definitions, for a run's metadata and caches."""
    payload = json.dumps([t.to_dict() for t in topics], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def alias_pattern(aliases: Sequence[str]) -> re.Pattern[str]:
    """One regex matching any alias as a whole word.

    Matching ignores case, except that a word written in capitals in the alias (an acronym such
    as ``INF`` or ``START``) must start with a capital in the text, so that "a new start" does
    not match "New START"; an acronym also matches written with periods ("I.N.F." for INF, the
    style of The New York Times). Spaces and hyphens inside an alias match either.
    """
    alternatives = []
    for alias in sorted({a.strip() for a in aliases}, key=len, reverse=True):
        parts = []
        for word in re.split(r"[\s\-]+", alias):
            if len(word) >= 2 and word.isupper():
                plain = re.escape(word[0]) + "(?i:" + re.escape(word[1:]) + ")"
                if word.isalpha():
                    dotted = r"\.".join(re.escape(c) for c in word) + r"(?:\.(?!\w)|(?![.\w]))"
                    plain = f"(?:{plain}|{dotted})"
                parts.append(plain)
            else:
                parts.append("(?i:" + re.escape(word) + ")")
        alternatives.append(r"[\s\-]+".join(parts))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def rescale_similarity(similarity: np.ndarray) -> np.ndarray:
    """Cosine similarity mapped linearly from ``[SIM_LOW, SIM_HIGH]`` onto [0, 1], clipped."""
    return np.clip((similarity - SIM_LOW) / (SIM_HIGH - SIM_LOW), 0.0, 1.0)


def combine(
    alias_hits: np.ndarray, similarity: np.ndarray, counter_similarity: np.ndarray | None = None
) -> np.ndarray:
    """Relevance in [0, 1] from alias hits (bool), prototype similarity and, optionally, the
    similarity to counter-examples: an alias hit counts only where the passage is at least as
    close to the topic as to its counter-examples."""
    hits = np.asarray(alias_hits, dtype=bool)
    if counter_similarity is not None:
        hits = hits & (np.asarray(similarity) >= np.asarray(counter_similarity))
    rel = ALIAS_WEIGHT * hits + (1.0 - ALIAS_WEIGHT) * rescale_similarity(similarity)
    return rel.astype(np.float32)


def prototypes(topic: Topic) -> list[str]:
    """The texts a topic's embedding similarity is measured against."""
    return [topic.label, topic.description, topic.target, *topic.examples]


def max_cosine(
    embeddings: np.ndarray, prototype_vectors: Sequence[np.ndarray | None]
) -> np.ndarray:
    """Highest cosine between each (unit) embedding and each topic's (unit) prototype vectors;
    -1 for a topic without any."""
    embeddings = np.asarray(embeddings, dtype=np.float32)
    out = np.full((len(embeddings), len(prototype_vectors)), -1.0, dtype=np.float32)
    for j, vectors in enumerate(prototype_vectors):
        if vectors is not None and len(embeddings):
            out[:, j] = (embeddings @ vectors.T).max(axis=1)
    return out


def with_previous(texts: Sequence[str], previous: Sequence[str | None]) -> list[str]:
    """Each text preceded by its previous passage (none for the first of an article)."""
    for i, p in enumerate(previous):
        if p is not None and not isinstance(p, str):
            raise ValueError(
                f"expected previous passage {i} to be a string or None, got {type(p).__name__}"
            )
    if len(previous) != len(texts):
        raise ValueError(
            f"expected one previous passage per text, got {len(previous)} for {len(texts)}"
        )
    return [f"{p} {t}" if p else t for t, p in zip(texts, previous, strict=True)]


def folded(name: str) -> str:
    """A name (label, target) as names that must differ are compared: case and spacing aside."""
    return " ".join(name.split()).casefold()


def topic_thresholds(
    topics: Sequence[Topic], threshold: float, raised: Collection[str] = ()
) -> np.ndarray:
    """Each topic's relevance threshold: ``threshold``, and at least :data:`DEFAULT_THRESHOLD`
    (the one chosen for models without a topic head) for the topics keyed in ``raised``."""
    return np.array(
        [max(threshold, DEFAULT_THRESHOLD) if t.key in raised else threshold for t in topics],
        dtype=float,
    )


def unjudged_topics(topics: Sequence[Topic], trusted: Collection[str] | None) -> list[Topic]:
    """The topics whose target is not among a topic head's ``trusted`` targets
    (:func:`folded`; None: the head trusts every target, so none)."""
    if trusted is None:
        return []
    return [t for t in topics if folded(t.target) not in trusted]


class TopicMatcher:
    """Scores passages' relevance to each topic; a passage is on topic at ``threshold`` or above.

    The embedder is loaded on first use, and the topics' prototype embeddings are computed once
    per matcher. With a ``first_stage`` (static embeddings) relevance is a cascade: only the
    passages it passes (an alias hit, or static cosine >= ``first_threshold`` with a topic
    prototype) are embedded by MiniLM; the others get relevance 0 (not measured: off topic at
    any threshold above 0).
    """

    def __init__(
        self,
        topics: Sequence[Topic],
        embedder: Embedder | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        first_stage: StaticEmbedder | None = None,
        first_threshold: float = CASCADE_THRESHOLD,
        counter_examples: bool | Collection[str] = True,
    ) -> None:
        topics = list(topics)
        if not topics or not all(isinstance(t, Topic) for t in topics):
            raise TopicsError(f"expected a non-empty sequence of Topic, got {topics!r:.80}")
        keys = [t.key for t in topics]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise TopicsError(f"expected unique topic keys, got duplicates {duplicates}")
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise ValueError(f"expected threshold a number in [0, 1], got {threshold!r}")
        if not 0.0 <= float(threshold) <= 1.0:
            raise ValueError(f"expected threshold in [0, 1], got {threshold}")
        self.topics = tuple(topics)
        self.embedder = embedder
        self.threshold = float(threshold)
        self.first_stage = first_stage
        self.first_threshold = float(first_threshold)
        if isinstance(counter_examples, bool):
            vetoed = set(keys) if counter_examples else set()
        else:
            vetoed = set(counter_examples)
            unknown = sorted(vetoed - set(keys))
            if unknown:
                raise TopicsError(
                    f"expected counter-examples for topics among {keys}, got {unknown}"
                )
        # the topics whose counter-examples veto alias hits
        self.vetoed: frozenset[str] = frozenset(vetoed)

    @property
    def keys(self) -> list[str]:
        return [t.key for t in self.topics]

    @property
    def counter_examples(self) -> bool | list[str]:
        """Whose counter-examples veto alias hits: every topic's (True), none (False), or these
        topics' keys."""
        if self.vetoed == set(self.keys):
            return True
        return sorted(self.vetoed) if self.vetoed else False

    @cached_property
    def embedder_(self) -> Embedder:
        if self.embedder is not None:
            return self.embedder
        from analysis.embedding import Embedder

        return Embedder()

    def with_embedder(self, embedder: Any) -> TopicMatcher:
        """This matcher, embedding passages with ``embedder`` (the same model behind a cache:
        :class:`analysis.relevance_cache.CachedEmbedder`). The topics' prototypes are embedded
        first, by this matcher, and shared, so that the two read passages against the same
        prototypes and a cache holds passages only."""
        self.prototypes_  # noqa: B018 - embedded here, before the copy shares them
        self.counter_prototypes_  # noqa: B018
        if self.first_stage is not None:
            self.first_prototypes_  # noqa: B018
        twin = copy.copy(self)
        twin.embedder_ = embedder
        return twin

    @cached_property
    def patterns_(self) -> list[re.Pattern[str]]:
        return [alias_pattern(t.aliases) for t in self.topics]

    @cached_property
    def prototypes_(self) -> list[np.ndarray]:
        """Each topic's prototype embeddings, ``(n_prototypes, dim)``."""
        return [self.embedder_.encode(prototypes(t)) for t in self.topics]

    @cached_property
    def counter_prototypes_(self) -> list[np.ndarray | None]:
        """Each topic's counter-example embeddings, or None where it has none (every topic
        when the matcher does not use them)."""
        return [
            self.embedder_.encode(list(t.counter_examples))
            if t.counter_examples and t.key in self.vetoed
            else None
            for t in self.topics
        ]

    @cached_property
    def first_prototypes_(self) -> list[np.ndarray]:
        """Each topic's prototypes for the first stage: MiniLM's, projected into the static
        table's space when the table was fitted to MiniLM, else embedded by the table."""
        if self.first_stage is None:
            raise ValueError("this matcher has no first stage (relevance is not a cascade)")
        if self.first_stage.projection is not None:
            return [self.first_stage.project(p) for p in self.prototypes_]
        return [self.first_stage.encode(prototypes(t)) for t in self.topics]

    @cached_property
    def any_alias_(self) -> re.Pattern[str]:
        """Every topic's aliases in one pattern: most passages name no topic, and one scan
        tells so (each topic's own pattern then runs only on the few that do)."""
        return re.compile("|".join(f"(?:{p.pattern})" for p in self.patterns_))

    def alias_hits(self, texts: Sequence[str]) -> np.ndarray:
        """Whether each topic's aliases occur in each text, ``(n_texts, n_topics)`` bool."""
        texts = text_list(texts)
        out = np.zeros((len(texts), len(self.topics)), dtype=bool)
        for i, text in enumerate(texts):
            if self.any_alias_.search(text):
                out[i] = [bool(p.search(text)) for p in self.patterns_]
        return out

    def similarity(self, embeddings: np.ndarray) -> np.ndarray:
        """Highest cosine between each embedding and each topic's prototypes."""
        return max_cosine(embeddings, self.prototypes_)

    def counter_similarity(self, embeddings: np.ndarray) -> np.ndarray:
        """Highest cosine to each topic's counter-examples (-1 for a topic without any)."""
        return max_cosine(embeddings, self.counter_prototypes_)

    def relevance(
        self,
        texts: Sequence[str],
        progress: bool = False,
        previous: Sequence[str | None] | None = None,
        embeddings: np.ndarray | None = None,
    ) -> np.ndarray:
        """Relevance of each text to each topic, ``(n_texts, n_topics)`` in [0, 1].

        ``previous`` gives each text's previous passage in its article (``None`` or "" for the
        first): similarity is then measured on the two together, which tells "sanctions" after
        a sentence about Iran from "sanctions" after one about Russia; on labelled passages it
        raised recall at the same precision (``experiments/topic_relevance/RESULTS.md``), and
        :data:`DEFAULT_THRESHOLD` was chosen with it. Aliases are matched in the text alone.

        ``embeddings`` (rows of :meth:`Embedder.encode` of exactly what would be embedded: the
        texts, or the texts joined to their previous passages) skips encoding.
        """
        texts = text_list(texts)
        if previous is not None and len(previous) != len(texts):
            raise ValueError(
                f"expected one previous passage per text, got {len(previous)} for {len(texts)}"
            )
        if embeddings is not None:
            if len(embeddings) != len(texts):
                raise ValueError(
                    f"expected one embedding per text, got {len(embeddings)} for {len(texts)}"
                )
            return self._combine(texts, embeddings)
        out = np.zeros((len(texts), len(self.topics)), dtype=np.float32)
        with tqdm(
            total=len(texts), desc="relevance", unit=" passages", disable=bars_off(progress)
        ) as bar:
            for start in range(0, len(texts), RELEVANCE_CHUNK):
                chunk = texts[start : start + RELEVANCE_CHUNK]
                before = None if previous is None else list(previous[start : start + len(chunk)])
                if self.first_stage is not None:
                    out[start : start + len(chunk)] = self._cascade(chunk, before)
                else:
                    embedded = chunk if before is None else with_previous(chunk, before)
                    out[start : start + len(chunk)] = self._combine(
                        chunk, self.embedder_.encode(embedded)
                    )
                bar.update(len(chunk))
        return out

    def _combine(self, texts: list[str], embeddings: np.ndarray) -> np.ndarray:
        return combine(
            self.alias_hits(texts),
            self.similarity(embeddings),
            self.counter_similarity(embeddings),
        )

    def warm_up(self) -> None:
        """Load the embedders and embed the prototypes now (outside any timing)."""
        self.prototypes_  # noqa: B018
        if self.first_stage is not None:
            self.first_similarity(["warm up"])

    def passes_first_stage(
        self, texts: Sequence[str], previous: Sequence[str | None] | None = None
    ) -> np.ndarray:
        """Which texts (read after their ``previous`` passages) the first stage passes on to
        MiniLM (bool per text)."""
        return self._passes(self.alias_hits(texts), self.first_similarity(texts, previous))

    def _passes(self, hits: np.ndarray, similar: np.ndarray) -> np.ndarray:
        return (hits | (similar >= self.first_threshold)).any(axis=1)

    def first_similarity(
        self, texts: Sequence[str], previous: Sequence[str | None] | None = None
    ) -> np.ndarray:
        """The first stage's estimate of each text's similarity (read after its previous
        passage, as MiniLM reads it) to each topic."""
        if self.first_stage is None:
            raise ValueError("this matcher has no first stage (relevance is not a cascade)")
        embeddings = self.first_stage.encode_joined(texts, previous)
        return max_cosine(embeddings, self.first_prototypes_)

    def _cascade(self, texts: list[str], previous: list[str | None] | None) -> np.ndarray:
        """Relevance where the first stage passes a text (alias hits found once, the joined
        texts built only for those MiniLM embeds), 0 elsewhere."""
        out = np.zeros((len(texts), len(self.topics)), dtype=np.float32)
        hits = self.alias_hits(texts)
        similar = self.first_similarity(texts, previous)
        chosen = np.flatnonzero(self._passes(hits, similar))
        if len(chosen):
            picked = [texts[i] for i in chosen]
            embedded = (
                picked if previous is None else with_previous(picked, [previous[i] for i in chosen])
            )
            embeddings = self.embedder_.encode(embedded)
            out[chosen] = combine(
                hits[chosen], self.similarity(embeddings), self.counter_similarity(embeddings)
            )
        return out

    def on_topic(self, relevance: np.ndarray) -> np.ndarray:
        """Which relevances reach the threshold (bool, same shape)."""
        return np.asarray(relevance) >= self.threshold

    def identity(self) -> dict[str, Any]:
        """What makes relevance reproducible: method, constants, threshold, topics, embedder."""
        return {
            "method": METHOD,
            "sim_low": SIM_LOW,
            "sim_high": SIM_HIGH,
            "alias_weight": ALIAS_WEIGHT,
            "threshold": self.threshold,
            "counter_examples": self.counter_examples,
            "topics": self.keys,
            "topics_sha256": topics_sha256(self.topics),
            "embedder": self.embedder_.identity(),
            **(
                {
                    "first_stage": {
                        **self.first_stage.identity(),
                        "threshold": self.first_threshold,
                    }
                }
                if self.first_stage is not None
                else {}
            ),
        }
