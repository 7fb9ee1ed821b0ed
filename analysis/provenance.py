"""Where an exported table came from: the run, its models and their hashes, the topics and the
command, so that a number taken out of viewpoints can be traced back and reproduced."""

from __future__ import annotations

import hashlib
import json
import shlex
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from analysis.run_info import run_info

PARQUET_KEY = b"viewpoints.provenance"
# The identity fields that pin a model down (hashes, revisions, endpoints), when it has them.
MODEL_KEYS = (
    "name",
    "backend",
    "model",
    "path",
    "weights_sha256",
    "sha256",
    "revision",
    "server_model",
    "prompt_sha256",
    "precision",
    "head",
)


def command_line(argv: list[str] | None = None) -> str:
    """The command as typed (program name shortened to its file name)."""
    argv = list(sys.argv if argv is None else argv)
    if argv:
        argv[0] = argv[0].rsplit("/", 1)[-1]
    return shlex.join(argv)


def topics_sha256(topics: Any) -> str | None:
    """A hash of the topic definitions a run recorded (None if it recorded none)."""
    if not topics:
        return None
    payload = json.dumps(topics, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def run_provenance(meta: Mapping[str, Any], config: Mapping[str, Any] | None = None) -> dict:
    """The provenance of a run from its ``run.json`` (and ``config.toml``)."""
    info = run_info(meta, config)
    models = {
        task: {k: spec[k] for k in MODEL_KEYS if spec.get(k) is not None}
        for task, spec in info.models.items()
    }
    topics_file = info.topics_file or "(built-in topics)"
    provenance = {
        "run_id": meta.get("run_id"),
        "run_name": meta.get("name") or None,
        "created": meta.get("created"),
        "command": meta.get("command"),
        "models": models,
        "topics_file": topics_file,
        "topics_sha256": topics_sha256(meta.get("topics")),
        # what each topic's numbers are toward (a stance above 0 favors its target), kept with
        # the data: the topics file may be edited or gone by the time the table is read
        "topics": [{"key": t.key, "label": t.label, "target": t.target} for t in info.topics],
        "corpus_hash": meta.get("corpus_hash"),
        "seed": meta.get("seed"),
        # how the positions' intervals were made (runs that do not say: plain percentile)
        "interval_method": info.interval_method,
        "versions": meta.get("versions"),
    }
    if meta.get("source_run"):  # recomputed with corrections: which, from where, how many
        provenance["source_run"] = meta["source_run"]
        provenance["source_command"] = meta.get("source_command")
        provenance["corrections"] = meta.get("corrections")
    if meta.get("calibration"):
        provenance["calibration"] = meta["calibration"]
    # What the numbers' trust rests on travels with them (news_accuracy.trust_record).
    from analysis.news_accuracy import run_settings, trust_record

    provenance.update(trust_record(meta, info.topics, run_settings(info)))
    return provenance


def export_provenance(
    meta: Mapping[str, Any],
    config: Mapping[str, Any] | None,
    what: str,
    fmt: str,
    rows: int,
    command: str | None = None,
) -> dict:
    """A run's provenance plus what was exported, how, when and by which command."""
    return {
        **run_provenance(meta, config),
        "export": {
            "what": what,
            "format": fmt,
            "rows": rows,
            "exported": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": command if command is not None else command_line(),
        },
    }
