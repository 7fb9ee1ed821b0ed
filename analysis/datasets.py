"""Labelled data sets for stance and tone, read into one example type with clear errors.

Formats: ``jsonl`` (text, target, label), ``vast`` (VAST's CSV), ``newsmtsc`` (NewsMTSC's
JSONL, one example per target) and ``corrections`` (the analyst's corrections, a file or a folder
of them; see :mod:`analysis.corrections`: only the corrections in force for the task are read).
Any problem names the file, the line and what was wrong.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from analysis.labels import SPEAKER_TASK, TASK_LABELS, labels_for
from analysis.records import DataError, Example

FORMATS = ("auto", "jsonl", "vast", "newsmtsc", "corrections")
VAST_LABELS = {"0": "against", "1": "favor", "2": "none"}
NEWSMTSC_LABELS = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}


def detect_format(path: Path) -> str:
    """Guess the format from the extension and the first record (a folder: corrections)."""
    if path.is_dir():
        return "corrections"
    if path.suffix.lower() == ".csv":
        return "vast"
    first = _first_nonblank_line(path)
    if first is None:
        raise DataError(path, None, "the file is empty")
    try:
        record = json.loads(first)
    except json.JSONDecodeError:
        raise DataError(path, 1, "expected JSON Lines or a VAST CSV; line 1 is not JSON") from None
    if isinstance(record, dict) and "targets" in record and "sentence_normalized" in record:
        return "newsmtsc"
    from analysis.corrections import is_corrections_record

    if is_corrections_record(record):
        return "corrections"
    return "jsonl"


def load_examples(path: str | Path, task: str, fmt: str = "auto") -> list[Example]:
    """Read a labelled file for ``task`` ('stance' or 'tone', or 'speaker': the quoted voice's
    stance, which only the analyst's corrections label); raise DataError on bad data.

    With format ``corrections`` (or ``auto``) ``path`` may also be a folder of corrections.
    """
    path = Path(path)
    labels = labels_for("stance" if task == SPEAKER_TASK else task)
    if fmt not in FORMATS:
        raise ValueError(f"expected format one of {', '.join(FORMATS)}, got {fmt!r}")
    if path.is_dir() and fmt in ("auto", "corrections"):
        fmt = "corrections"
    elif path.is_dir():
        raise DataError(
            path, None, f"a folder, read only as corrections: give a file for --format {fmt}"
        )
    elif not path.is_file():
        hint = (
            ": no corrections saved yet (the dashboard's Correct buttons write them there)"
            if path.name == "corrections" and fmt in ("auto", "corrections")
            else ""
        )
        if path.exists():  # /dev/null, a pipe: there, but no file to read examples from
            raise DataError(path, None, "not a regular file or folder: expected a labelled file")
        raise DataError(path, None, f"no such file or folder{hint}")
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt == "corrections":
        return _read_corrections(path, task)
    if task == SPEAKER_TASK:
        raise DataError(
            path,
            None,
            f"holds {fmt} data; the quoted voice's stance (--task speaker) is read from the "
            "analyst's corrections (a corrections file or folder)",
        )
    readers = {"jsonl": _read_jsonl, "vast": _read_vast, "newsmtsc": _read_newsmtsc}
    examples = []
    for number, example in readers[fmt](path):
        if example.label not in labels:
            other = next(
                (t for t, words in TASK_LABELS.items() if t != task and example.label in words),
                None,
            )
            raise DataError(
                path,
                number,
                f"unknown {task} label {example.label!r}; expected one of {labels}"
                + (f" ({example.label!r} is a {other} label: --task {other}?)" if other else ""),
            )
        examples.append(example)
    if not examples:
        raise DataError(path, None, "the file holds no examples")
    return examples


def _read_corrections(path: Path, task: str) -> list[Example]:
    from analysis.corrections import examples_from_corrections, read_corrections

    corrections = read_corrections(path)
    examples = examples_from_corrections(corrections, task)
    if not examples:
        tasks = sorted({c.task for c in corrections} - {"topic", task})
        hint = f" (it holds {', '.join(tasks)} corrections: --task {tasks[0]})" if tasks else ""
        if any(c.task == "topic" for c in corrections):  # no --task reads them: say where
            hint += (
                " (its topic corrections are measured on the dashboard's Evaluation page, "
                "against a run's topic reading)"
            )
        raise DataError(path, None, f"holds no {task} corrections{hint}")
    return examples


def _first_nonblank_line(path: Path) -> str | None:
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        for line in handle:
            if line.strip():
                return line
    return None


def json_lines(path: Path) -> Iterator[tuple[int, dict]]:
    try:
        with open(path, encoding="utf-8-sig") as handle:  # a leading BOM (Excel) is no text
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as err:
                    raise DataError(path, number, f"not valid JSON ({err.msg})") from None
                if not isinstance(record, dict):
                    raise DataError(path, number, "expected a JSON object")
                yield number, record
    except UnicodeDecodeError:
        raise DataError(path, None, "not UTF-8 text") from None


def _read_jsonl(path: Path) -> Iterator[tuple[int, Example]]:
    for number, record in json_lines(path):
        for key in ("text", "label"):
            if key not in record:
                hint = (
                    " (article labels, by article and topic? --level article reads them)"
                    if key == "text"
                    and "topic" in record
                    and ({"article_id", "title"} & set(record))
                    else ""
                )
                raise DataError(path, number, f"missing field {key!r}{hint}")
        text, label, target = record["text"], record["label"], record.get("target")
        if not isinstance(text, str) or not text.strip():
            raise DataError(path, number, "field 'text' must be a non-empty string")
        if target is not None and not isinstance(target, str):
            raise DataError(path, number, "field 'target' must be a string")
        if not isinstance(label, str):
            raise DataError(path, number, f"field 'label' must be a string, got {label!r}")
        yield number, Example(text=text, target=target, label=label.strip().lower())


def vast_surface_topics(path: Path) -> dict[str, str]:
    """``topic_str`` (VAST's lemmatised topic) -> its most frequent ``new_topic`` phrasing."""
    counts: dict[str, dict[str, int]] = {}
    _allow_long_csv_fields()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if (row.get("type_idx") or "").strip() == "4" or not row.get("topic_str"):
                continue
            phrasings = counts.setdefault(row["topic_str"], {})
            phrasings[row["new_topic"]] = phrasings.get(row["new_topic"], 0) + 1
    return {key: max(sorted(p), key=p.__getitem__) for key, p in counts.items()}


def vast_target(row: dict[str, str], surface: dict[str, str]) -> str:
    """The topic a VAST row's label refers to.

    VAST builds its neutral examples (``type_idx`` 4) by pairing a comment with a topic from
    another debate; that topic is in ``topic_str``, while ``new_topic`` repeats the comment's own
    topic, which other rows of the same comment label pro or con. Reading ``new_topic`` for those
    rows would give identical inputs contradictory labels, so they take ``topic_str``, in the
    surface form other rows give it (a lemmatised phrase would let a model spot "none" by form).
    """
    if (row.get("type_idx") or "").strip() == "4" and (row.get("topic_str") or "").strip():
        return surface.get(row["topic_str"], row["topic_str"])
    return row["new_topic"]


def _read_vast(path: Path) -> Iterator[tuple[int, Example]]:
    try:
        surface = vast_surface_topics(path)
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = set(reader.fieldnames or [])
            missing = {"post", "new_topic", "label"} - fields
            if missing:
                raise DataError(path, 1, f"missing VAST column(s) {sorted(missing)}")
            for row in reader:
                number = reader.line_num
                post = (row["post"] or "").strip()
                if not post:
                    continue  # VAST's train split has 11 rows with an empty post
                label = VAST_LABELS.get((row["label"] or "").strip())
                if label is None:
                    raise DataError(
                        path,
                        number,
                        f"unknown VAST label {row['label']!r}; "
                        "expected 0 (con), 1 (pro) or 2 (neutral)",
                    )
                target = vast_target(row, surface)
                yield (
                    number,
                    Example(text=post, target=target, label=label, group=row.get("ori_topic")),
                )
    except UnicodeDecodeError:
        raise DataError(path, None, "not UTF-8 text") from None
    except csv.Error as err:
        raise DataError(path, None, f"not a readable CSV ({err})") from None


def _allow_long_csv_fields() -> None:
    """A post may be longer than the csv module's default field limit (131,072 characters)."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _read_newsmtsc(path: Path) -> Iterator[tuple[int, Example]]:
    for number, record in json_lines(path):
        sentence = record.get("sentence_normalized")
        if not isinstance(sentence, str) or "targets" not in record:
            raise DataError(path, number, "expected 'sentence_normalized' and 'targets'")
        if not isinstance(record["targets"], list):
            raise DataError(
                path, number, "'targets' must be a list of {from, to, polarity} objects"
            )
        for target in record["targets"]:
            try:
                start, end = int(target["from"]), int(target["to"])
                polarity = float(target["polarity"])
            except (KeyError, TypeError, ValueError):
                raise DataError(path, number, "a target lacks from/to/polarity") from None
            if polarity not in NEWSMTSC_LABELS:
                raise DataError(path, number, f"unknown polarity {polarity}; expected 2, 4 or 6")
            if not 0 <= start < end <= len(sentence):
                raise DataError(path, number, f"target offsets {start}..{end} outside sentence")
            mention = target.get("mention") or sentence[start:end]
            yield (
                number,
                Example(
                    text=sentence,
                    target=mention,
                    label=NEWSMTSC_LABELS[polarity],
                    span=(start, end),
                    group=record.get("primary_gid"),
                ),
            )


# The labelled news files the shipped stance model (stance.minilm.v2) trained on, split by
# article (experiments/news_labels/splits.json), by name within their folders.
TRAINING_NEWS_FILES = (
    ("news_stance", "passages.jsonl"),
    ("news_labels", "news_passages.jsonl"),
    ("news_labels", "news_passages_r3.jsonl"),
)


def untargeted_note(examples: Sequence[Example], task: str) -> str | None:
    """A warning where stance examples have no target (a file without a 'target' field): a
    stance is toward something, and such rows are scored against an empty one. None where
    every example has one, or for tone."""
    untargeted = sum(1 for e in examples if not (e.target or "").strip())
    if task != "stance" or not untargeted:
        return None
    return (
        f"warning: {untargeted} of {len(examples)} stance examples have no target; a stance "
        "is toward something, so these are read against an empty target (add a 'target' "
        "field to each line)"
    )


def news_file_note(path: str | Path) -> str | None:
    """What to know before reading a model's score on a labelled news file: passages marked
    off topic (``on_topic`` false) count as "none", which any model gets right by saying none,
    and a file the shipped model trained on holds its training articles (an audit read 0.69
    macro-F1 on one, where the model card's held-out figure is 0.46). None for other files."""
    path = Path(path)
    if not path.is_file() or detect_format(path) != "jsonl":
        return None
    rows = [record for _, record in json_lines(path)]
    off = sum(1 for r in rows if r.get("on_topic") is False)
    trained = (path.parent.name, path.name) in TRAINING_NEWS_FILES
    if not off and not trained:
        return None
    parts = []
    if off:
        parts.append(
            f"{off} of its {len(rows)} passages are marked off topic and count as 'none' here"
        )
    if trained:
        parts.append("the shipped stance model trained on the passages of its train articles")
    return (
        f"note: {'; '.join(parts)}; the model card's news figures read only the on-topic "
        "passages of held-out articles (python -m experiments.evaluate_news_model)"
    )
