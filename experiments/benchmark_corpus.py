"""Benchmark ``viewpoints analyze`` on a corpus: articles/s, passages/s, stage times, peak memory.

Each method runs in its own process (so that its peak resident memory is its own), with no
prediction cache (every prediction computed), on the same articles:

    .venv/bin/python -m experiments.benchmark_corpus [--limit 1000] [--relevance both]

``--relevance both`` (the default) runs the cascade and then the full method (MiniLM on every
passage) and prints the ratio of their wall times. The corpus defaults to the AllSides file;
``--limit N`` takes its first N articles. Prints the CPU it ran on. Numbers are measured, never
asserted: run it, read it, put it in docs/performance.md with the command.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ALLSIDES = ROOT.parent / "shared" / "data" / "allsides" / "articles.jsonl"
# Runs the command in this process and reports its own peak resident memory as its last line.
PEAK_PROBE = (
    "import resource, sys\n"
    "from analysis.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "print(f'PEAK_RSS_KIB {peak}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def cpu_name() -> str:
    """The CPU model and its bf16 units (AMX matrix units, or AVX-512 bf16 instructions), from
    /proc/cpuinfo: they decide most of the speed of the models."""
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or platform.machine()
    model = next(
        (line.split(":", 1)[1].strip() for line in info.splitlines() if "model name" in line),
        platform.machine(),
    )
    if "amx_bf16" in info:
        units = " with AMX"
    elif "avx512_bf16" in info:
        units = " with AVX-512 bf16 (no AMX)"
    else:
        units = " without bf16 units"
    return f"{model}{units}, {os.cpu_count()} logical CPUs"


def first_articles(corpus: Path, limit: int | None, folder: Path) -> Path:
    """The corpus itself, or a JSONL of its first ``limit`` articles."""
    if limit is None:
        return corpus
    subset = folder / f"first_{limit}.jsonl"
    with corpus.open(encoding="utf-8") as source, subset.open("w", encoding="utf-8") as out:
        for n, line in enumerate(source):
            if n >= limit:
                break
            out.write(line)
    return subset


def analyze_in_child(
    corpus: Path, runs_dir: Path, *options: str
) -> tuple[float, float, dict[str, Any]]:
    """``viewpoints analyze corpus *options`` in a child process with no prediction cache: its
    wall seconds, its own peak resident memory (GiB) and its JSON summary."""
    command = [
        sys.executable,
        "-c",
        PEAK_PROBE,
        "analyze",
        str(corpus),
        *options,
        "--cache",
        "",
        "--runs-dir",
        str(runs_dir),
        "--quiet",
        "--json",
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"analyze failed ({' '.join(options)}):\n{done.stderr[-2000:]}")
    peak_kib = int(done.stderr.strip().splitlines()[-1].removeprefix("PEAK_RSS_KIB "))
    return wall, peak_kib / 2**20, json.loads(done.stdout.strip().splitlines()[-1])


def run_once(corpus: Path, relevance: str, folder: Path) -> dict[str, Any]:
    """One ``viewpoints analyze`` with ``--relevance relevance``: what it measured."""
    wall, peak_gib, summary = analyze_in_child(
        corpus, folder / f"runs-{relevance}", "--relevance", relevance
    )
    counts = summary["counts"]
    return {
        "relevance": relevance,
        "wall_s": round(wall, 1),
        "peak_rss_gib": round(peak_gib, 2),
        "articles": counts["articles_read"],
        "passages": counts["passages"],
        "topic_passages": counts["topic_passages"],
        "articles_per_s": round(counts["articles_read"] / wall, 1),
        "passages_per_s": round(counts["passages"] / wall, 1),
        "stages_s": summary["timings"],
        "peak_rss_mib_after": summary.get("peak_rss_mib"),
    }


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ALLSIDES)
    parser.add_argument("--limit", type=int, default=None, help="the first N articles only")
    parser.add_argument("--relevance", choices=["both", "cascade", "full"], default="both")
    args = parser.parse_args(argv)
    methods = ["cascade", "full"] if args.relevance == "both" else [args.relevance]
    print(f"CPU: {cpu_name()}")
    results = []
    with tempfile.TemporaryDirectory(prefix="viewpoints-bench-") as tmp:
        corpus = first_articles(args.corpus, args.limit, Path(tmp))
        for method in methods:
            result = run_once(corpus, method, Path(tmp))
            results.append(result)
            print(json.dumps(result))
    if len(results) == 2:
        print(f"full / cascade wall time: {results[1]['wall_s'] / results[0]['wall_s']:.1f}x")
    return results


if __name__ == "__main__":
    main()
