"""Each stage's own memory in a real run: resident memory as the stage starts and its peak.

``run.json`` records the process's peak *so far* after each stage, so a stage whose rise stays
under an earlier stage's peak does not show, and a rise that depends on what earlier stages
left behind cannot be told from one that does not. This runs ``viewpoints analyze`` in this
process with the shipped defaults and no prediction cache, and at each stage's start (the
pipeline's ``on_stage`` hook, after the previous stage handed its freed memory back) reads
``VmRSS`` and the finished stage's ``VmHWM``, then restarts the peak:

    .venv/bin/python -m experiments.stage_memory CORPUS [--runs-dir DIR]

A probe of the positions stage in a fresh process (``experiments.positions_memory``) missed
what this shows: after relevance and scoring, the positions stage of a run on the corpus rose
215 MiB above its start (before it handed freed memory back during the stage), against 49 MiB
on the same tables in a fresh process.

Linux only (``/proc/self/status``; the peak restarts through ``clear_refs``, so the process's
own peak, ``ru_maxrss`` or ``/usr/bin/time``'s, is not valid for this process: measure the
whole run's peak with ``/usr/bin/time -v viewpoints analyze`` instead).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from experiments.benchmark_corpus import cpu_name


def memory_mib() -> dict[str, int]:
    """This process's resident memory now (``VmRSS``) and its peak since the last restart
    (``VmHWM``), in MiB."""
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    return {
        key: int(re.search(rf"{key}:\s+(\d+)", status).group(1)) // 1024
        for key in ("VmRSS", "VmHWM")
    }


def restart_peak() -> None:
    """Start ``VmHWM`` again from the present resident memory."""
    Path("/proc/self/clear_refs").write_text("5", encoding="utf-8")


class StageMemory:
    """An ``on_stage`` hook for :func:`analysis.pipeline.analyze` that keeps, per stage, the
    resident memory at its start and its own peak."""

    def __init__(self) -> None:
        self.stages: list[dict[str, Any]] = []

    def __call__(self, name: str, share: float) -> None:
        if self.stages:  # the stage that just ended
            # at least its start: the kernel's high-water mark is only brought up to date now
            # and then, so a stage that does little (no estimate for a small corpus) and frees
            # memory could read a peak a MiB under the resident memory it started with
            start = self.stages[-1]["start_mib"]
            peak = max(memory_mib()["VmHWM"], start)
            self.stages[-1]["peak_mib"] = peak
            self.stages[-1]["rise_mib"] = peak - start
        restart_peak()
        if name != "done":
            self.stages.append({"stage": name, "start_mib": memory_mib()["VmRSS"]})


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, nargs="+", help="JSONL files or folders")
    parser.add_argument("--runs-dir", type=Path, default=Path("runs"), help="where the run goes")
    args = parser.parse_args(argv)
    if sys.platform != "linux":
        raise SystemExit("this measurement reads /proc: Linux only")
    from analysis.config import AnalysisConfig
    from analysis.pipeline import analyze

    config = AnalysisConfig().with_values(
        corpus={"paths": [str(p) for p in args.corpus]},
        models={"cache": ""},
        run={"runs_dir": str(args.runs_dir), "name": "stage-memory"},
    )
    hook = StageMemory()
    print(f"CPU: {cpu_name()}", flush=True)
    result = analyze(config, progress=False, log=lambda message: None, on_stage=hook)
    for stage in hook.stages:
        print(json.dumps(stage), flush=True)
    print(f"run {result.meta['run_id']} in {result.path}", flush=True)
    return hook.stages


if __name__ == "__main__":
    main()
