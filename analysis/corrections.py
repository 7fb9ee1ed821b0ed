"""Analyst corrections: labelled data the user owns, and runs recomputed with them.

An analyst reading a passage can confirm or correct what the model said about it on one topic:
whether it is about the topic (task ``topic``: ``relevant`` / ``not relevant``), its stance toward
the topic's target (``favor`` / ``against`` / ``none``) and its tone (``negative`` / ``neutral``
/ ``positive``). Each answer is one :class:`Correction`.

**Storage.** Plain JSON Lines in a folder the user owns (default ``./corrections/``, or
``$VIEWPOINTS_CORRECTIONS_DIR``), one file per UTC day (``corrections-YYYY-MM-DD.jsonl``), one
object per line with the fields of :class:`Correction`. Files are only ever appended to: each
batch is one ``write`` on a file opened for appending, under an exclusive ``flock`` where the
platform has one, then ``flush`` + ``fsync``. Nothing is rewritten: a new answer on the same
passage, topic and task *supersedes* the earlier one when read (the later ``time`` wins; on equal
times, the later line). A line that is not JSON can only be a write cut short (a crash, a full
disk): it is skipped with a warning naming file and line, and the next append starts on a fresh
line. A JSON line that is not a valid correction is an error naming file and line.

**Keys.** A correction is keyed by (sha256 of the passage text, topic, task), not by run or
passage id: a rerun of the same articles gets a new run id, but the same passage texts, so every
correction still applies ("never lost on rerun"). A correction therefore applies to every passage
with that exact text (boilerplate repeated across articles included): the label is a property of
the text and the topic's target, not of where the text was found.

**Applying** (:func:`apply_corrections`), per (passage, topic) of a run:

- ``topic = not relevant`` removes the passage from that topic (its score row is dropped), whatever
  its stance and tone corrections say;
- a stance or tone correction replaces the model's probabilities by a one-hot vector on the
  corrected label (``stance`` = favor − against and ``tone`` = positive − negative follow);
- ``topic = relevant`` on a passage the model did not score on that topic adds it only when the
  analyst also gave *both* its stance and its tone (with relevance 1): a position needs both
  numbers and the product never invents one. Such a relevance correction without both labels
  is counted as ``pending`` and changes nothing. ``relevant`` on a passage already scored is a
  confirmation and changes nothing either.

Positions are then recomputed with :func:`analysis.aggregate.positions` and the run's own
aggregate settings. :func:`recompute` writes the result as a new run whose ``run.json`` names
the source run, the corrections applied and, with calibration, the fitted temperatures.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.cache import text_sha256
from analysis.datasets import DataError, Example
from analysis.labels import TASK_LABELS

ENV_CORRECTIONS_DIR = "VIEWPOINTS_CORRECTIONS_DIR"
DEFAULT_CORRECTIONS_DIR = "corrections"
RELEVANT, NOT_RELEVANT = "relevant", "not relevant"
TOPIC_LABELS: tuple[str, ...] = (RELEVANT, NOT_RELEVANT)
CORRECTION_LABELS: dict[str, tuple[str, ...]] = {"topic": TOPIC_LABELS, **TASK_LABELS}
TASKS: tuple[str, ...] = tuple(CORRECTION_LABELS)
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

    ``model_label`` is what the model said (``None`` when it did not score the passage on the
    topic); ``probs`` are the model's probabilities for the task's labels (stance and tone only),
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
        if self.label not in labels:
            raise ValueError(f"expected a {self.task} label among {labels}, got {self.label!r}")
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
                    f"expected probs for the labels {labels} (stance and tone only), "
                    f"got {self.probs!r}"
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
        for name in ("text", "topic", "task", "label"):
            if name not in known:
                raise ValueError(f"missing field {name!r}")
        known.pop("text_sha256", None)  # always recomputed from the text
        return cls(**known)


def latest(corrections: Iterable[Correction]) -> list[Correction]:
    """The corrections in force: per (text, topic, task) the one with the latest ``time`` (on
    equal times the later in ``corrections``), in time order."""
    ordered = sorted(enumerate(corrections), key=lambda pair: (_instant(pair[1].time), pair[0]))
    kept: dict[tuple[str, str, str], Correction] = {}
    for _, correction in ordered:
        kept.pop(correction.key, None)  # re-insert so the dict stays in time order
        kept[correction.key] = correction
    return list(kept.values())


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_corrections(path: str | Path) -> list[Correction]:
    """Every correction in a file or in a folder's ``*.jsonl`` files (history, not superseded).

    Raises DataError naming the file and line of a malformed record; a missing folder or file is
    an error too (a store that was never written to reads as empty through
    :class:`CorrectionStore`).
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.glob("*.jsonl") if p.is_file())
    elif path.is_file():
        files = [path]
    else:
        raise DataError(path, None, "no such file or folder")
    found: list[Correction] = []
    for file in files:
        found.extend(_read_file(file))
    return found


def _read_file(path: Path) -> list[Correction]:
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except UnicodeDecodeError:
        raise DataError(path, None, "not UTF-8 text") from None
    found = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            # Only whole lines are ever appended, so this is a write cut short (a crash, a full
            # disk) and was never reported saved; the next append started on a fresh line.
            warnings.warn(
                f"{path}:{i + 1}: skipped a line that is not valid JSON ({err.msg}); "
                "probably a write cut short",
                stacklevel=3,
            )
            continue
        if not isinstance(record, dict):
            raise DataError(path, i + 1, "expected a JSON object")
        try:
            found.append(Correction.from_dict(record))
        except (TypeError, ValueError) as err:
            raise DataError(path, i + 1, str(err)) from None
    return found


def is_corrections_record(record: Any) -> bool:
    """Whether a parsed JSON line looks like a correction (used to detect the format)."""
    return isinstance(record, dict) and {"task", "label", "model_label", "text"} <= set(record)


class CorrectionStore:
    """The corrections folder: append-only JSONL files, one per UTC day."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"CorrectionStore({str(self.folder)!r})"

    def files(self) -> list[Path]:
        """The folder's correction files, oldest day first."""
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.glob("*.jsonl") if p.is_file())

    def stamp(self) -> tuple[tuple[str, int, float], ...]:
        """Names, sizes and modification times of the files: changes whenever one is appended."""
        out = []
        for path in self.files():
            try:
                info = path.stat()
            except OSError:
                continue
            out.append((path.name, info.st_size, info.st_mtime))
        return tuple(out)

    def history(self) -> list[Correction]:
        """Every correction ever saved (superseded ones included), in file order."""
        return read_corrections(self.folder) if self.folder.is_dir() else []

    def latest(self) -> list[Correction]:
        """The corrections in force (see :func:`latest`)."""
        return latest(self.history())

    def append(self, corrections: Sequence[Correction]) -> Path | None:
        """Append ``corrections`` durably to today's file; returns it (None when nothing to do).

        One ``write`` of all lines on a file opened with ``O_APPEND``, under an exclusive lock
        where available, then ``fsync`` of the file (and of the folder when the file is new).
        """
        if isinstance(corrections, Correction):
            corrections = [corrections]
        for item in corrections:
            if not isinstance(item, Correction):
                raise ValueError(f"expected Correction objects, got {type(item).__name__}")
        if not corrections:
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        path = self.folder / f"{FILE_PREFIX}{day}.jsonl"
        payload = "".join(
            json.dumps(c.to_dict(), ensure_ascii=False, sort_keys=True) + "\n" for c in corrections
        ).encode("utf-8")
        created = not path.exists()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            _lock(fd)
            size = os.fstat(fd).st_size
            if size and _last_byte(path, size) != b"\n":
                payload = b"\n" + payload  # never continue a line cut short by a crash
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)  # closing releases the lock
        if created:
            _fsync_dir(self.folder)
        return path


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # not on POSIX: O_APPEND alone keeps each write whole
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _last_byte(path: Path, size: int) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(size - 1)
        return handle.read(1)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- reading corrections as labelled data ------------------------------------------------------


def examples_from_corrections(corrections: Iterable[Correction], task: str) -> list[Example]:
    """The corrections in force for ``task`` ('stance' or 'tone') as labelled examples.

    Each example's ``group`` is the topic key. Topic-relevance corrections are not examples of
    either task.
    """
    if task not in TASK_LABELS:
        raise ValueError(f"expected task 'stance' or 'tone', got {task!r}")
    return [
        Example(text=c.text, target=c.target, label=c.label, group=c.topic)
        for c in latest(corrections)
        if c.task == task
    ]


# --- joining corrections to a run -------------------------------------------------------------


def run_topics(run: Any) -> list[dict[str, Any]]:
    """The run's topics in order, as dicts with ``key``, ``label`` and ``target``.

    Read from ``run.json``'s ``topics``, else the config's ``topic_definitions`` or ``topics``,
    else the topics found in the positions table.
    """
    config = run.config if isinstance(run.config, dict) else {}
    for raw in (run.meta.get("topics"), config.get("topic_definitions"), config.get("topics")):
        items = list(raw.values()) if isinstance(raw, dict) else raw
        if not isinstance(items, list):
            continue
        found = []
        for item in items:
            if isinstance(item, dict) and item.get("key"):
                key = str(item["key"])
                found.append(
                    {
                        "key": key,
                        "label": str(item.get("label") or key),
                        "target": item.get("target"),
                    }
                )
            elif isinstance(item, str):
                found.append({"key": item, "label": item, "target": None})
        if found:
            return found
    keys = pd.unique(run.positions["topic"].dropna().astype(str))
    return [{"key": str(k), "label": str(k), "target": None} for k in keys]


def model_name(meta: Mapping[str, Any], task: str) -> str | None:
    """The name of the run's model for ``task`` (``None`` when not recorded)."""
    spec = (meta.get("models") or {}).get(task)
    if isinstance(spec, dict):
        return None if spec.get("name") is None else str(spec["name"])
    return None if spec is None else str(spec)


def passage_hashes(passages: pd.DataFrame) -> pd.Series:
    """sha256 of each passage's text, indexed like ``passages``."""
    return pd.Series([text_sha256(str(t)) for t in passages["text"]], index=passages.index)


def predicted_label(row: Mapping[str, Any], task: str) -> str | None:
    """The label a score row's probabilities favour for ``task`` (None when missing)."""
    labels = TASK_LABELS[task]
    values = [row.get(f"{task}_{label}") for label in labels]
    if any(v is None or pd.isna(v) for v in values):
        return None
    return labels[int(np.argmax(np.asarray(values, dtype=float)))]


def probabilities_of(row: Mapping[str, Any], task: str) -> dict[str, float] | None:
    """A score row's probabilities for ``task`` as a dict (None when missing)."""
    labels = TASK_LABELS[task]
    values = [row.get(f"{task}_{label}") for label in labels]
    if any(v is None or pd.isna(v) for v in values):
        return None
    return {label: float(v) for label, v in zip(labels, values, strict=True)}


def predictions_for(run: Any, corrections: Iterable[Correction], task: str) -> pd.DataFrame:
    """The run's model predictions on the corrections in force for ``task``.

    One row per correction with ``topic``, ``label`` (the analyst's), ``predicted``, the
    probabilities ``p_<label>`` and ``source``: ``"run"`` when the run scored that passage text on
    that topic (its stored probabilities), ``"stored"`` when it did not but the correction was made
    on a run of the same model (the probabilities saved with the correction), else ``"missing"``
    (no prediction; ``predicted`` is None). For the ``topic`` task ``predicted`` is whether the
    run scored the passage on the topic (relevant) or not, and there are no probabilities.
    """
    labels = labels_of(task)
    chosen = [c for c in latest(corrections) if c.task == task]
    columns = ["text", "target", "topic", "label", "predicted", "source", "time"]
    columns += [f"p_{label}" for label in labels] if task != "topic" else []
    if not chosen:
        return pd.DataFrame(columns=columns)
    scores = run.scores
    hashes = passage_hashes(run.passages)
    by_hash = pd.DataFrame({"passage_id": run.passages["passage_id"], "hash": hashes})
    scored = scores.merge(by_hash, on="passage_id", how="inner").drop_duplicates(["hash", "topic"])
    lookup = scored.set_index(["hash", "topic"])
    known = set(hashes)
    name = model_name(run.meta, task) if task != "topic" else None
    rows = []
    for c in chosen:
        row: dict[str, Any] = {
            "text": c.text,
            "target": c.target,
            "topic": c.topic,
            "label": c.label,
            "time": c.time,
        }
        hit = (c.text_sha256, c.topic) in lookup.index
        if task == "topic":
            in_run = c.text_sha256 in known
            row["predicted"] = (RELEVANT if hit else NOT_RELEVANT) if in_run else None
            row["source"] = "run" if in_run else "missing"
        else:
            probs = probabilities_of(lookup.loc[(c.text_sha256, c.topic)], task) if hit else None
            source = "run" if probs is not None else "missing"
            if probs is None and c.probs is not None and name is not None and c.model == name:
                probs, source = c.probs, "stored"
            row["source"] = source
            row["predicted"] = None if probs is None else max(labels, key=probs.__getitem__)
            for label in labels:
                row[f"p_{label}"] = np.nan if probs is None else probs[label]
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def summary(run: Any, corrections: Iterable[Correction]) -> pd.DataFrame:
    """Per topic × task: corrections in force, how many changed the model's label (when made),
    and the run's model accuracy on those it has a prediction for."""
    chosen = list(corrections)
    current = latest(chosen)
    rows = []
    for task in TASKS:
        predictions = predictions_for(run, chosen, task)
        for topic in sorted({c.topic for c in current if c.task == task}):
            mine = [c for c in current if c.task == task and c.topic == topic]
            pred = predictions[predictions["topic"] == topic]
            covered = pred[pred["predicted"].notna()]
            rows.append(
                {
                    "topic": topic,
                    "task": task,
                    "corrections": len(mine),
                    "changed": sum(c.changed for c in mine),
                    "with_prediction": len(covered),
                    "accuracy": float((covered["predicted"] == covered["label"]).mean())
                    if len(covered)
                    else np.nan,
                }
            )
    return pd.DataFrame(
        rows,
        columns=["topic", "task", "corrections", "changed", "with_prediction", "accuracy"],
    )


# --- applying corrections to a run ------------------------------------------------------------


@dataclass
class AppliedCorrections:
    """New tables of a run with corrections (and optionally calibration) applied.

    ``counts`` per task: corrections in force that matched a passage of the run on one of its
    topics (``applied``), those that did not (``unmatched``), passages added to a topic
    (``added``), removed from one (``removed``) and relevance corrections waiting for both a
    stance and a tone label (``pending``).
    """

    tables: dict[str, pd.DataFrame]
    counts: dict[str, Any]


def apply_corrections(
    run: Any,
    corrections: Iterable[Correction],
    temperatures: Mapping[str, float] | None = None,
) -> AppliedCorrections:
    """The run's tables with ``corrections`` overriding the model (rules in the module
    docstring); with ``temperatures`` the model's probabilities are first calibrated (see
    :func:`analysis.calibration.calibrate_scores`). Positions are recomputed.

    The scores table gains a ``corrected`` column: the tasks corrected on that row, joined by
    commas ("" when none).
    """
    from analysis.aggregate import AggregateConfig, positions
    from analysis.pipeline import mark_unscored

    topics = [t["key"] for t in run_topics(run)]
    current = [c for c in latest(corrections) if c.topic in topics]
    passages = run.passages
    hashes = passage_hashes(passages)
    scores = run.scores.copy()
    if temperatures:
        from analysis.calibration import calibrate_scores

        scores = calibrate_scores(scores, temperatures)
    scores["corrected"] = ""
    pid_hash = dict(zip(passages["passage_id"], hashes, strict=True))
    row_keys = pd.Series(
        [(pid_hash.get(p), t) for p, t in zip(scores["passage_id"], scores["topic"], strict=True)],
        index=scores.index,
        dtype=object,
    )
    by_key: dict[tuple[str, str], dict[str, Correction]] = {}
    for c in current:
        by_key.setdefault((c.text_sha256, c.topic), {})[c.task] = c
    known_hashes = set(hashes)
    counts: dict[str, Any] = {
        "in_force": len(current),
        "applied": 0,
        "unmatched": 0,
        "added": 0,
        "removed": 0,
        "pending": 0,
        "by_task": {task: 0 for task in TASKS},
    }
    drop: list[Any] = []
    for c in current:
        if c.text_sha256 in known_hashes:
            counts["applied"] += 1
            counts["by_task"][c.task] += 1
        else:
            counts["unmatched"] += 1
    for index, key in row_keys.items():
        tasks = by_key.get(key)
        if not tasks:
            continue
        topic_fix = tasks.get("topic")
        if topic_fix is not None and topic_fix.label == NOT_RELEVANT:
            drop.append(index)
            continue
        done = []
        for task in ("stance", "tone"):
            if task in tasks:
                _set_one_hot(scores, index, task, tasks[task].label)
                done.append(task)
        if topic_fix is not None:
            done.insert(0, "topic")
        scores.at[index, "corrected"] = ",".join(done)
    counts["removed"] = len(drop)
    scores = scores.drop(index=drop)
    added = _added_rows(passages, hashes, scores, by_key, counts)
    if added:
        scores = pd.concat([scores, pd.DataFrame(added)], ignore_index=True)
    scores = scores.reset_index(drop=True)
    scores["corrected"] = scores["corrected"].fillna("").astype(str)

    agg = AggregateConfig.from_dict(dict(run.config.get("aggregate") or {}))
    failed = scores[["stance", "tone"]].isna().any(axis=1)
    table = positions(run.articles, passages, scores[~failed], topics, agg)
    table = mark_unscored(table, scores[failed], run.articles, agg.include_reported)
    tables = {
        "articles": run.articles,
        "passages": passages,
        "scores": scores,
        "positions": table,
    }
    return AppliedCorrections(tables=tables, counts=counts)


def _set_one_hot(scores: pd.DataFrame, index: Any, task: str, label: str) -> None:
    for name in TASK_LABELS[task]:
        scores.at[index, f"{task}_{name}"] = 1.0 if name == label else 0.0
    if task == "stance":
        scores.at[index, "stance"] = (
            scores.at[index, "stance_favor"] - scores.at[index, "stance_against"]
        )
    else:
        scores.at[index, "tone"] = (
            scores.at[index, "tone_positive"] - scores.at[index, "tone_negative"]
        )


def _added_rows(
    passages: pd.DataFrame,
    hashes: pd.Series,
    scores: pd.DataFrame,
    by_key: dict[tuple[str, str], dict[str, Correction]],
    counts: dict[str, Any],
) -> list[dict[str, Any]]:
    """Score rows for passages the analyst marked relevant to a topic the model did not score
    them on, when both their stance and tone are given."""
    have = set(zip(scores["passage_id"], scores["topic"], strict=True))
    rows = []
    for (digest, topic), tasks in by_key.items():
        fix = tasks.get("topic")
        if fix is None or fix.label != RELEVANT:
            continue
        matches = passages[hashes == digest]
        missing = [p for p in matches.to_dict("records") if (p["passage_id"], topic) not in have]
        if not missing:
            continue
        if "stance" not in tasks or "tone" not in tasks:
            counts["pending"] += 1
            continue
        for passage in missing:
            row: dict[str, Any] = {
                "passage_id": passage["passage_id"],
                "article_id": passage["article_id"],
                "topic": topic,
                "relevance": 1.0,
                "reported": bool(passage.get("reported")),
                "speaker": passage.get("speaker"),
                "corrected": "topic,stance,tone",
            }
            for task in ("stance", "tone"):
                label = tasks[task].label
                for name in TASK_LABELS[task]:
                    row[f"{task}_{name}"] = 1.0 if name == label else 0.0
            row["stance"] = row["stance_favor"] - row["stance_against"]
            row["tone"] = row["tone_positive"] - row["tone_negative"]
            rows.append(row)
            counts["added"] += 1
    return rows


def recompute(
    run: Any,
    corrections: Iterable[Correction],
    runs_dir: str | Path,
    *,
    calibrate: bool = False,
    min_examples: int = 10,
    name: str | None = None,
    corrections_source: str | None = None,
) -> Path:
    """Write a new run: ``run`` with ``corrections`` applied (and, with ``calibrate``,
    probabilities temperature-scaled per task on the corrections first). Returns its folder.

    ``run.json`` keeps the source run's metadata and adds ``source_run``, ``corrections``
    (counts and where they came from) and ``calibration`` (per task: temperature and n, or why
    it was not fitted).
    """
    from analysis.runs import new_run_id, write_run

    corrections = list(corrections)
    temperatures: dict[str, float] = {}
    calibration: dict[str, Any] = {}
    if calibrate:
        from analysis.calibration import fit_temperatures

        fitted = fit_temperatures(
            {task: predictions_for(run, corrections, task) for task in TASK_LABELS},
            min_examples=min_examples,
        )
        for task, info in fitted.items():
            calibration[task] = info
            if info.get("temperature") is not None:
                temperatures[task] = float(info["temperature"])
    applied = apply_corrections(run, corrections, temperatures or None)
    created = datetime.now(UTC)
    corpus_hash = str(run.meta.get("corpus_hash") or "0" * 8)
    run_id = new_run_id(corpus_hash, created) + ("-calibrated" if temperatures else "-corrected")
    meta = {k: v for k, v in run.meta.items() if k not in ("run_id", "format_version", "path")}
    what = "corrections + calibration" if temperatures else "corrections"
    meta.update(
        {
            "name": name or f"{run.meta.get('name') or run.run_id} + {what}",
            "created": created.isoformat(timespec="seconds"),
            "source_run": {"run_id": run.run_id, "path": str(run.path)},
            "corrections": {"source": corrections_source, **applied.counts},
        }
    )
    if calibrate:
        meta["calibration"] = calibration
    config_path = Path(run.path) / "config.toml"
    config_toml = config_path.read_text(encoding="utf-8") if config_path.is_file() else ""
    return write_run(runs_dir, run_id, meta, config_toml, applied.tables)
