"""A run recomputed with the analyst's corrections (and, optionally, calibrated on them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.corrections.examples import passage_hashes, predictions_for
from analysis.corrections.records import (
    CORRECTION_LABELS,
    NOT_RELEVANT,
    RELEVANT,
    SPEAKER,
    TASKS,
    WITHDRAWN,
    Correction,
    latest,
)
from analysis.intervals import INTERVAL_METHOD
from analysis.labels import TASK_LABELS, counted
from analysis.provenance import command_line
from analysis.quoted_voice import with_speaker_columns

# --- applying corrections to a run ------------------------------------------------------------


class SameRecomputation(ValueError):
    """A run recomputed from the same model's run with the same labels already exists
    (``run_id``: that run; ``note``: why asking for calibration changed nothing, if it did)."""

    def __init__(self, run_id: str, source: str, note: str = "") -> None:
        super().__init__(
            f"run {run_id} already holds these corrections of run {source}{note}: no new run "
            "written"
        )
        self.run_id, self.note = run_id, note


@dataclass
class AppliedCorrections:
    """New tables of a run with corrections (and optionally calibration) applied.

    ``counts``: corrections in force on the run's topics that changed or confirmed a scored
    passage × topic pair, or added one (``applied``, and ``by_task``); those on text the run
    lacks (``unmatched``); those on a passage × topic pair marked relevant that waits for
    both a stance and a tone label (``waiting``); and those on a passage of the run that is not
    a topic passage of that topic, which nothing adds to it, so without effect (``no_effect``;
    a "not relevant" label there agrees with the run; a stance or tone label on a pair that a
    "not relevant" label takes off the topic; a stance label on reported speech, whose author
    stance no position counts; a quoted voice's stance on the author's own words). The four
    add up to ``in_force``. Also:
    passages added to a topic (``added``), removed from one (``removed``), and the pairs that
    wait (``pending``, counted per passage × topic).
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
    from analysis.aggregate import positions, unusable_scores

    topics = run.info.topic_keys()
    in_force = latest(corrections)
    current = [c for c in in_force if c.topic in topics]
    elsewhere = sorted({c.topic for c in in_force if c.topic not in topics})
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
        "no_effect": 0,
        "waiting": 0,
        "added": 0,
        "removed": 0,
        "pending": 0,
        "by_task": {task: 0 for task in TASKS},
        # in force, but on topics this run does not have (counted nowhere else)
        "other_topics": len(in_force) - len(current),
        "other_topic_keys": elsewhere,
        # corrections whose text the run holds in several passages (the same sentence in
        # several articles, perhaps by other authors), and how many passages they reached
        "shared_text": 0,
        "shared_passages": 0,
    }
    reached: dict[tuple[str, str], int] = {}  # (text, topic) -> passages a correction reaches
    drop: list[Any] = []
    scored_keys = set(row_keys)
    # The quoted voices' measure reads a quote's speaker_* columns (a run's speaker head, or
    # its stance model's reading of the quote where the model has none). A run written before
    # those columns existed reads its stance columns instead; a quoted voice's label gives it
    # the columns, so that the label counts there too (NaN elsewhere: read as before).
    reported = scores["reported"].astype(bool)
    legacy = "speaker_favor" not in scores.columns
    scores = with_speaker_columns(scores)
    quoted_keys = set(row_keys[reported])
    # A stance label on reported speech corrects the author head's reading of it, which no
    # position counts unless the run counts reported passages as the author's own (or, in a
    # run of the older format, reads them as the quoted voices' stance).
    counts_reported = run.info.aggregation.include_reported or legacy
    reported_keys = set() if counts_reported else set(row_keys[reported])
    for index, key in row_keys.items():
        tasks = by_key.get(key)
        if not tasks:
            continue
        reached[key] = reached.get(key, 0) + 1
        topic_fix = tasks.get("topic")
        if topic_fix is not None and topic_fix.label == NOT_RELEVANT:
            drop.append(index)
            continue
        done = []
        for task in ("stance", "tone", SPEAKER):
            if task not in tasks or (task == SPEAKER and not reported[index]):
                continue
            _set_one_hot(scores, index, task, tasks[task].label)
            done.append(task)
        if topic_fix is not None:
            done.insert(0, "topic")
        scores.at[index, "corrected"] = ",".join(done)
    counts["removed"] = len(drop)
    removed_keys = {row_keys[index] for index in drop}
    scores = scores.drop(index=drop)
    added = _added_rows(
        passages, hashes, scores, by_key, counts, run.info.aggregation.include_reported
    )
    added_keys = {(pid_hash.get(row["passage_id"]), row["topic"]) for row in added}
    quoted_keys |= {
        (pid_hash.get(row["passage_id"]), row["topic"])
        for row in added
        if SPEAKER in row["corrected"].split(",")
    }
    waiting = {
        (c.text_sha256, c.topic)
        for c in current
        if c.task == "topic" and c.label == RELEVANT and (c.text_sha256, c.topic) not in added_keys
    }
    for c in current:
        key = (c.text_sha256, c.topic)
        if c.text_sha256 not in known_hashes:
            counts["unmatched"] += 1
        elif key in scored_keys and c.task != "topic" and key in removed_keys:
            counts["no_effect"] += 1  # its pair is taken off the topic by a "not relevant"
        elif key in scored_keys and c.task == "stance" and key in reported_keys:
            counts["no_effect"] += 1  # the author's stance on a quote: counted in no position
        elif c.task == SPEAKER and key not in quoted_keys and key in scored_keys | added_keys:
            counts["no_effect"] += 1  # the author's own words: no quoted voice
        elif key in scored_keys or key in added_keys:
            counts["applied"] += 1
            counts["by_task"][c.task] += 1
            if reached.get(key, 0) > 1:
                counts["shared_text"] += 1
        elif key in waiting:
            counts["waiting"] += 1
        else:
            counts["no_effect"] += 1
    # the passages those corrections reached, each text once (a stance and a tone label on
    # one text reach the same passages)
    counts["shared_passages"] = sum(
        n for key, n in reached.items() if n > 1 and key in by_key and key not in removed_keys
    )
    if added:
        scores = pd.concat([scores, pd.DataFrame(added)], ignore_index=True)
    scores = scores.reset_index(drop=True)
    scores["corrected"] = scores["corrected"].fillna("").astype(str)

    if run.info.aggregation_error:
        raise ValueError(
            f"run {run.run_id}: its [aggregate] settings cannot be read "
            f"({run.info.aggregation_error}); positions cannot be recomputed the same way"
        )
    agg = run.info.aggregation
    # Rows the model could not score. A quote the analyst added with its quoted voice's stance
    # alone has no author's stance, which no position reads unless quotes count as the author's.
    failed = unusable_scores(scores, agg.include_reported)
    table = positions(
        run.articles,
        passages,
        scores[~failed],
        topics,
        agg,
        scores[failed],
        known_rosters=run.info.known_rosters,
    )
    tables = {
        "articles": run.articles,
        "passages": passages,
        "scores": scores,
        "positions": table,
    }
    return AppliedCorrections(tables=tables, counts=counts)


def _set_one_hot(scores: pd.DataFrame, index: Any, task: str, label: str) -> None:
    """Replace one row's probabilities for ``task`` by the analyst's label, and its score."""
    for name, value in _one_hot(task, label).items():
        scores.at[index, name] = value


def _one_hot(task: str, label: str) -> dict[str, float]:
    """The probability columns of ``task`` for a sure ``label``, and the score they make
    (``stance`` = favor − against, ``tone`` = positive − negative, ``speaker_stance``)."""
    prefix = "speaker" if task == SPEAKER else task
    out = {f"{prefix}_{name}": float(name == label) for name in CORRECTION_LABELS[task]}
    if task == "tone":
        out["tone"] = out["tone_positive"] - out["tone_negative"]
    else:
        score = "speaker_stance" if task == SPEAKER else "stance"
        out[score] = out[f"{prefix}_favor"] - out[f"{prefix}_against"]
    return out


def _added_rows(
    passages: pd.DataFrame,
    hashes: pd.Series,
    scores: pd.DataFrame,
    by_key: dict[tuple[str, str], dict[str, Correction]],
    counts: dict[str, Any],
    include_reported: bool,
) -> list[dict[str, Any]]:
    """Score rows for passages the analyst marked relevant to a topic the model did not score
    them on, once the stance they count toward and their tone are given: the author's for own
    words, the quoted voice's for reported speech (the author's reading of it is then left
    unknown unless given: it counts nowhere), or the author's where the run counts reported
    speech as the author's own."""
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
        ready = [p for p in missing if "tone" in tasks and _has_stance(p, tasks, include_reported)]
        if len(ready) < len(missing):
            counts["pending"] += 1
        for passage in ready:
            reported = bool(passage.get("reported"))
            row: dict[str, Any] = {
                "passage_id": passage["passage_id"],
                "article_id": passage["article_id"],
                "topic": topic,
                "relevance": 1.0,
                "reported": reported,
                "speaker": passage.get("speaker"),
            }
            done = ["topic"]
            if "stance" in tasks:
                row.update(_one_hot("stance", tasks["stance"].label))
                done.append("stance")
            else:
                row.update({c: np.nan for c in _one_hot("stance", "none")})
            row.update(_one_hot("tone", tasks["tone"].label))
            done.append("tone")
            if reported and SPEAKER in tasks:
                row.update(_one_hot(SPEAKER, tasks[SPEAKER].label))
                done.append(SPEAKER)
            row["corrected"] = ",".join(done)
            rows.append(row)
            counts["added"] += 1
    return rows


def _has_stance(
    passage: dict[str, Any], tasks: dict[str, Correction], include_reported: bool
) -> bool:
    """Whether the analyst gave the stance an added passage counts toward
    (:func:`analysis.corrections.build.counted_stance`)."""
    from analysis.corrections.build import counted_stance

    return counted_stance(passage, include_reported) in tasks


def recompute(
    run: Any,
    corrections: Iterable[Correction],
    runs_dir: str | Path,
    *,
    calibrate: bool = False,
    min_examples: int = 10,
    name: str | None = None,
    corrections_source: str | None = None,
    command: str | None = None,
) -> Path:
    """Write a new run: ``run`` (for a run already recomputed, the model's run it came from:
    :func:`model_run`) with ``corrections`` applied (and, with ``calibrate``, probabilities
    temperature-scaled per task on the corrections first). Returns its folder; a ValueError
    when nothing would change. ``command``: what the run records as made it (default: this
    process's command line; the dashboard gives the ``viewpoints recompute`` that would).

    ``run.json`` keeps the source run's metadata and adds ``source_run``, ``corrections``
    (counts and where they came from) and ``calibration`` (per task: temperature and n, or why
    it was not fitted).
    """
    from analysis.runs import new_run_id, write_run

    run = model_run(run)
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
    # What the new run would hold: the labels and the temperatures actually fitted (asking for
    # calibration that fits nothing, or with another --min-examples that fits the same, makes
    # the same run)
    fingerprint = corrections_fingerprint(
        [c for c in latest(corrections) if c.topic in run.info.topic_keys()], temperatures
    )
    same = _same_recomputation(runs_dir, run.run_id, fingerprint)
    if same is not None:
        note = ""
        if calibrate and not temperatures:  # why asking for calibration made the same run
            reasons = [
                f"{t}: {i.get('reason', 'too few examples')}" for t, i in calibration.items()
            ]
            note = f" (calibration fitted nothing: {'; '.join(reasons)})"
        elsewhere = sorted({c.topic for c in latest(corrections)} - set(run.info.topic_keys()))
        if elsewhere:  # a misspelt topic in a file written by hand changes nothing: say so
            note += (
                f" (corrections on topics this run does not have, which change nothing: "
                f"{', '.join(elsewhere)})"
            )
        raise SameRecomputation(same, run.run_id, note)
    applied = apply_corrections(run, corrections, temperatures or None)
    changed = sum(applied.counts[k] for k in ("applied", "added", "removed"))
    if not changed and not temperatures:
        counts = applied.counts
        others = counts.get("other_topics") or 0
        topics = (
            f"({', '.join(map(str, counts.get('other_topic_keys') or []))}; its topic keys: "
            f"{', '.join(run.info.topic_keys())})"
        )
        elsewhere = f"; {others} more on topics this run does not have {topics}" if others else ""
        if not counts["in_force"]:  # "none of the 0 ..." read as a riddle
            corrections = list(corrections)
            withdrawn = any(c.label == WITHDRAWN for c in corrections)
            raise ValueError(
                "no correction in force is on this run's topics"
                + (
                    f": {counted(others, 'correction')} in force, on topics it does not have "
                    f"{topics}"
                    if others
                    else ""
                )
                + "; no new run written"
                + (  # all withdrawn: the model's run is what a corrected run would be
                    f" (your corrections were withdrawn: run {run.run_id}, the model's, reads "
                    "every passage as the model does)"
                    if withdrawn and not others
                    else ""
                )
            )
        why = [  # counts of nothing left out, as the recompute line leaves them out
            f"{n} {words}"
            for n, words in (
                (counts["unmatched"], "on text not in it"),
                (counts["no_effect"], "without effect"),
                (counts["waiting"], "waiting for the stance a passage counts toward and its tone"),
            )
            if n
        ]
        detail = f" ({', '.join(why)})" if why else ""
        raise ValueError(
            f"none of the {counts['in_force']} corrections in force on this run's topics changes "
            f"run {run.run_id}{detail}{elsewhere}: no new run written"
        )
    created = datetime.now(UTC)
    corpus_hash = str(run.meta.get("corpus_hash") or "0" * 8)
    run_id = new_run_id(corpus_hash, created) + ("-calibrated" if temperatures else "-corrected")
    meta = {k: v for k, v in run.meta.items() if k not in ("run_id", "format_version", "path")}
    what = "corrections + calibration" if temperatures else "corrections"
    when = created.strftime("%Y-%m-%d %H:%M:%S")  # runs recomputed again differ by name
    from analysis.aggregate import POSITION_RULES

    meta.update(
        {
            # its positions are made afresh, by today's rules
            "position_rules": POSITION_RULES,
            "name": name or f"{run.meta.get('name') or run.run_id} + {what} {when}",
            "created": created.isoformat(timespec="seconds"),
            "source_run": {"run_id": run.run_id, "path": str(Path(run.path).resolve())},
            "corrections": {
                "source": corrections_source,
                "fingerprint": fingerprint,
                **applied.counts,
            },
            # what made this run (the source run's analyze command stays in source_command)
            "command": command or command_line(),
            "source_command": run.meta.get("command"),
            # its positions are recomputed here, so made as runs now make them
            "interval_method": INTERVAL_METHOD,
        }
    )
    if calibrate:
        meta["calibration"] = calibration
    tables = dict(applied.tables)
    left_out = still_gated_out(run, tables["scores"])
    if left_out is not None:
        tables["gated_out"] = left_out
        meta["counts"] = {**(meta.get("counts") or {}), "gated_out_pairs": len(left_out)}
    config_path = Path(run.path) / "config.toml"
    config_toml = config_path.read_text(encoding="utf-8") if config_path.is_file() else ""
    return write_run(runs_dir, run_id, meta, config_toml, tables)


def corrections_fingerprint(
    corrections: Iterable[Correction], temperatures: Mapping[str, float] | None = None
) -> str:
    """What makes a recomputed run: the labels in force (each passage text, topic, task and
    label) and the temperatures the probabilities were scaled by (none: not calibrated), as a
    short hash."""
    import hashlib
    import json

    labels = sorted((c.text_sha256, c.topic, c.task, c.label) for c in corrections)
    scaled = {task: round(float(t), 6) for task, t in sorted((temperatures or {}).items())}
    record = {"labels": labels, "temperatures": scaled}
    return hashlib.sha256(json.dumps(record).encode("utf-8")).hexdigest()[:16]


def _same_recomputation(runs_dir: str | Path, source: str, fingerprint: str) -> str | None:
    """The run of ``runs_dir`` already recomputed from run ``source`` with the same labels and
    calibration (:func:`corrections_fingerprint`) and its intervals made as they are now, if
    any (one recomputed before 2026-12-05 has plain percentile intervals: not the same)."""
    from analysis.runs import list_runs

    for meta in list_runs(runs_dir):
        origin = meta.get("source_run") if isinstance(meta.get("source_run"), dict) else {}
        made = meta.get("corrections") if isinstance(meta.get("corrections"), dict) else {}
        same = origin.get("run_id") == source and made.get("fingerprint") == fingerprint
        if same and meta.get("interval_method") == INTERVAL_METHOD:
            return str(meta["run_id"])
    return None


def model_run(run: Any) -> Any:
    """The run a recomputation starts from: ``run`` itself, or for a run already recomputed
    with corrections the model's run it came from (``source_run``), so that corrections are
    not applied twice and calibration is fitted on the model's probabilities. A ValueError
    when that run is gone."""
    from analysis.runs import load_run

    path = source_run_path(run)
    return run if path is None else model_run(load_run(str(path)))


def source_run_path(run: Any) -> Path | None:
    """The folder of the run ``run`` was recomputed from (None: ``run`` is a model's run),
    read from its metadata alone; a ValueError when that run is gone."""
    source = run.meta.get("source_run")
    if not isinstance(source, dict) or source.get("run_id") == run.run_id:
        return None
    recorded = Path(str(source.get("path") or ""))
    # a path recorded relative to where recompute ran, or a runs folder moved whole: the
    # source beside this run
    beside = Path(run.path).parent / recorded.name
    path = next((p for p in (recorded, beside) if (p / "run.json").is_file()), None)
    if path is None:
        raise ValueError(
            f"run {run.run_id} was recomputed from run {source.get('run_id')}, which is no "
            f"longer at {recorded}: recompute from a model's run (`viewpoints runs` lists them)"
        )
    return path


def source_run_if_kept(run: Any) -> Path | None:
    """The folder of the model's run a recomputed ``run`` came from, for reading the model's
    scores of passages a correction took off a topic; None for a model's run, or where that
    run is gone (the caller then reads without it)."""
    try:
        return source_run_path(run)
    except ValueError:
        return None


def still_gated_out(run: Any, scores: pd.DataFrame) -> pd.DataFrame | None:
    """The source run's pairs left out by the topic gate, less those a correction made topic
    passages (now in ``scores``); None when the source run kept none."""
    import pyarrow.parquet as pq

    from analysis.runs import GATED_OUT_TABLE

    path = Path(run.path) / GATED_OUT_TABLE
    if not path.is_file():
        return None
    left_out = pq.read_table(path).to_pandas(ignore_metadata=True)
    scored = pd.MultiIndex.from_frame(scores[["passage_id", "topic"]])
    pairs = pd.MultiIndex.from_frame(left_out[["passage_id", "topic"]])
    return left_out[~pairs.isin(scored)].reset_index(drop=True)
