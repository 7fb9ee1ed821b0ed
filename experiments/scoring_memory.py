"""The scoring stage alone on a run's candidate passages: how much its resident memory grows.

    .venv/bin/python -m experiments.scoring_memory --run RUNS/RUN_ID

Rebuilds the run's candidate (passage, topic) pairs (its ``scores.parquet`` and
``gated_out.parquet``) from its ``passages.parquet``, spills them to Parquet as the relevance
stage does, and scores them with the default models through ``score_with_cache`` as
``viewpoints analyze`` does (no prediction cache, the topic head's rejects kept). Prints one
JSON line: the candidates, the pairs, the seconds, and the resident memory and its peak (MiB)
before and after. Ten times the AllSides corpus grew the scoring stage's peak by 167 MiB in a
whole run until bf16 batches were filled to one row count (docs/scale_history.md); this
reproduces that stage in minutes rather than an hour.
Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def candidates(run: Path, topic_keys: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The run's candidate passages (in passage-file order) and their relevance per topic."""
    from analysis.stages import passage_batches

    pairs = pd.concat(
        [pd.read_parquet(run / name) for name in ("scores.parquet", "gated_out.parquet")],
        ignore_index=True,
    )
    ids = set(pairs["passage_id"])
    parts = [b[b["passage_id"].isin(ids)] for b in passage_batches(run / "passages.parquet")]
    found = pd.concat(parts, ignore_index=True)
    relevance = np.zeros((len(found), len(topic_keys)))
    row = {pid: i for i, pid in enumerate(found["passage_id"])}
    columns = (pairs["passage_id"], pairs["topic"], pairs["relevance"])
    for pid, topic, value in zip(*columns, strict=True):
        relevance[row[pid], topic_keys.index(topic)] = value
    return found, relevance


def main(argv: list[str] | None = None) -> dict[str, Any]:
    import psutil

    from analysis.config import AnalysisConfig
    from analysis.memory import peak_rss_mib, release_freed_memory
    from analysis.scoring.pair_scorer import quoted_voice, topic_gate
    from analysis.scoring_stage import build_scorers, score_with_cache
    from analysis.stages import TopicPassages
    from analysis.topics import load_topics

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, required=True, help="a run's folder")
    args = parser.parse_args(argv)
    config = AnalysisConfig().with_values(models={"cache": ""})
    topics = load_topics()
    threshold = 0.0  # every candidate pair of the run is scored again
    with tempfile.TemporaryDirectory(prefix="viewpoints-scoring-memory-") as tmp:
        found_rows, relevance = candidates(args.run, [t.key for t in topics])
        spill = Path(tmp) / "topic_passages.parquet"
        pq.write_table(pa.Table.from_pandas(found_rows, preserve_index=False), spill)
        n_candidates = len(found_rows)
        del found_rows
        n_pairs = int((relevance > threshold).sum())
        found = TopicPassages(None, relevance, n_pairs, path=spill)
        stance, tone = build_scorers(config, topics)
        scorers = (stance, tone, quoted_voice(stance), topic_gate(stance))
        release_freed_memory()
        process = psutil.Process()
        before = (process.memory_info().rss / 2**20, peak_rss_mib())
        started = time.perf_counter()
        scores, _ = score_with_cache(
            found, topics, np.nextafter(threshold, 1), scorers, config, False, keep_gated=True
        )
        seconds = time.perf_counter() - started
        after = (process.memory_info().rss / 2**20, peak_rss_mib())
    result = {
        "run": str(args.run),
        "candidates": n_candidates,
        "pairs": n_pairs,
        "scored_rows": len(scores),
        "seconds": round(seconds, 1),
        "rss_mib_before": round(before[0], 1),
        "rss_mib_after": round(after[0], 1),
        "peak_mib_before": before[1],
        "peak_mib_after": after[1],
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
