"""Resident memory of the positions stage on a run's tables copied ``--copies`` times.

The positions table has a row per article and topic, so it grows with the corpus; a run writes
it a batch of articles at a time (:func:`analysis.aggregate.position_batches`). This measures,
in one fresh process per mode, how far resident memory rises above the stage's inputs while
positions are made and written: ``batches`` (what a run does) or ``whole`` (the table built at
once, then written). The copies give every article, passage and score row a new id, as
``experiments.scaled_corpus`` does for the corpus, so the groups (authors) stay the same.

    .venv/bin/python -m experiments.positions_memory --run RUN --copies 10

A fresh process understates the stage in a run: there the heap is full of the holes that
relevance and scoring freed and handed back, and memory freed during the stage stays resident
where it landed until it is handed back too (``experiments.stage_memory`` measures the stage
in a real run).

Linux only (it reads ``/proc/self/status`` and resets the peak through ``clear_refs``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from experiments.benchmark_corpus import cpu_name
from experiments.stage_memory import memory_mib, restart_peak


def copied(frame: pd.DataFrame, copies: int, columns: list[str]) -> pd.DataFrame:
    """``frame`` repeated ``copies`` times, ``columns`` suffixed ``-copy<k>`` in copy k > 0."""
    parts = []
    for k in range(copies):
        part = frame.copy()
        if k:
            for column in columns:
                part[column] = [None if v is None else f"{v}-copy{k}" for v in part[column]]
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def measure(run: Path, copies: int, mode: str) -> dict[str, float | int | str]:
    """Inputs as a run holds them at the positions stage, then the stage, in this process."""
    from analysis.aggregate import POSITIONS_SCHEMA, position_batches, positions
    from analysis.config import AggregateSection
    from analysis.memory import release_freed_memory
    from analysis.runs import load_table, write_parquet, write_parquet_batches
    from analysis.stages import ARTICLE_SCHEMA

    scores = load_table(run, "scores")
    passages = load_table(run, "passages", ["passage_id", "index"])
    passages = passages[passages["passage_id"].isin(set(scores["passage_id"]))]
    columns = [c for c in ARTICLE_SCHEMA.names if c != "text"]
    articles = copied(load_table(run, "articles", columns), copies, ["article_id"])
    passages = copied(passages, copies, ["passage_id"])
    scores = copied(scores, copies, ["passage_id", "article_id"])
    topics = list(dict.fromkeys(scores["topic"]))
    config = AggregateSection()
    failed = scores.iloc[:0]
    release_freed_memory()
    base = memory_mib()["VmRSS"]
    restart_peak()
    clock = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "positions.parquet"
        if mode == "batches":
            rows = write_parquet_batches(
                position_batches(articles, passages, scores, topics, config, failed),
                out,
                POSITIONS_SCHEMA,
            )
        else:
            table = positions(articles, passages, scores, topics, config, failed)
            write_parquet(table, out)
            rows = len(table)
    seconds = time.perf_counter() - clock
    return {
        "mode": mode,
        "copies": copies,
        "articles": len(articles),
        "scores": len(scores),
        "rows": rows,
        "inputs_rss_mib": round(base),
        "stage_peak_above_inputs_mib": memory_mib()["VmHWM"] - base,
        "seconds": round(seconds, 1),
    }


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, required=True, help="a run folder")
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--mode", choices=["batches", "whole"], help="(one measurement)")
    args = parser.parse_args(argv)
    if sys.platform != "linux":
        raise SystemExit("this measurement reads /proc: Linux only")
    if not (args.run / "run.json").is_file():
        raise SystemExit(f"expected a run folder with run.json at {args.run}")
    if args.mode:  # a child: one measurement, printed as JSON
        result = measure(args.run, args.copies[0], args.mode)
        print(json.dumps(result))
        return [result]
    print(f"CPU: {cpu_name()}")
    results = []
    for copies in args.copies:
        for mode in ("whole", "batches"):
            child = [sys.executable, "-m", "experiments.positions_memory", "--run", str(args.run)]
            child += ["--copies", str(copies), "--mode", mode]
            done = subprocess.run(child, capture_output=True, text=True, check=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            print(json.dumps(result), flush=True)
            results.append(result)
    return results


if __name__ == "__main__":
    main()
