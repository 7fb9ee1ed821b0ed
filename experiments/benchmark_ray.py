"""Benchmark the Ray engine: articles/s with 1 and 2 workers, and the scaling between them.

Each run is ``viewpoints analyze CORPUS --engine ray --workers N`` in its own child process
(which starts its own local Ray instance with this machine's cores), with no prediction cache,
on the same articles:

    .venv/bin/python -m experiments.benchmark_ray [--limit N] [--workers 1 2] [--local]

The corpus defaults to the AllSides file (6,121 articles); ``--limit N`` takes its first N.
``--local`` adds the local engine (this process, torch on every core) for reference. Prints the
CPU, one JSON line per run (wall time, articles/s, stage times; the workers' share is in the
relevance and scoring stages) and the ratio of the first and last worker counts' throughput.
Numbers are measured, never asserted.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from experiments.benchmark_corpus import ALLSIDES, analyze_in_child, cpu_name, first_articles


def run_once(corpus: Path, folder: Path, workers: int | None) -> dict[str, Any]:
    """One analysis: on Ray with ``workers`` actors per stage, or the local engine (None)."""
    options = ["--engine", "local"] if workers is None else ["--engine", "ray"]
    if workers is not None:
        options += ["--workers", str(workers)]
    name = "local" if workers is None else f"ray-{workers}"
    wall, peak_gib, summary = analyze_in_child(corpus, folder / f"runs-{name}", *options)
    counts = summary["counts"]
    return {
        "engine": "local" if workers is None else "ray",
        "workers": workers,
        "wall_s": round(wall, 1),
        "articles": counts["articles_read"],
        "passages": counts["passages"],
        "topic_passages": counts["topic_passages"],
        "articles_per_s": round(counts["articles_read"] / wall, 2),
        "stages_s": summary["timings"],
        "driver_peak_rss_gib": round(peak_gib, 2),
    }


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ALLSIDES)
    parser.add_argument("--limit", type=int, default=None, help="the first N articles only")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--local", action="store_true", help="also run the local engine")
    args = parser.parse_args(argv)
    print(f"CPU: {cpu_name()}")
    results = []
    with tempfile.TemporaryDirectory(prefix="viewpoints-bench-ray-") as tmp:
        corpus = first_articles(args.corpus, args.limit, Path(tmp))
        for workers in [*args.workers, *([None] if args.local else [])]:
            result = run_once(corpus, Path(tmp), workers)
            results.append(result)
            print(json.dumps(result), flush=True)
    on_ray = [r for r in results if r["engine"] == "ray"]
    if len(on_ray) >= 2:
        first, last = on_ray[0], on_ray[-1]
        ratio = last["articles_per_s"] / first["articles_per_s"]
        print(
            f"scaling: {last['workers']} workers / {first['workers']} worker(s): {ratio:.2f}x "
            f"articles/s ({ratio / (last['workers'] / first['workers']):.0%} of linear)"
        )
    return results


if __name__ == "__main__":
    main()
