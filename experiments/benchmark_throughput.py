"""Benchmark: passages per second and peak memory of the default stance + tone models on CPU.

Realistic input: NewsMTSC news sentences of 20-40 words, each with its target mention, scored by
the shipped pair classifier (one forward pass yields stance and tone), batched and sorted by
length. Each precision runs in a fresh subprocess so its peak memory is its own.

    python -m experiments.benchmark_throughput [--n 1000] [--threads 2] [--precisions auto,fp32]
        [--model minilm_v2]

prints the CPU (its bf16 support decides the default precision and most of the speed), then one
line per precision and, for reduced precisions, the share of argmax predictions that agree with
fp32.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from experiments.benchmark_corpus import cpu_name

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "newsmtsc"


def realistic_pairs(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """``n`` (sentence, target) pairs of 20-40 words from NewsMTSC train, sampled with a seed."""
    from analysis.datasets import load_examples

    examples = [
        e
        for e in load_examples(DATA / "train.jsonl", "tone", "newsmtsc")
        if 20 <= len(e.text.split()) <= 40
    ]
    rng = random.Random(seed)
    picked = rng.sample(examples, min(n, len(examples)))
    return [e.text for e in picked], [e.target or "" for e in picked]


def measure(precision: str, n: int, threads: int, batch_size: int, model_name: str) -> dict:
    """Score ``n`` pairs with a shipped model at ``precision``; return speed and predictions.

    Every head comes from the one forward pass (the news model's three: the author's stance,
    the quoted voice's stance and tone)."""
    import torch

    from analysis.scoring.pair_scorer import SHIPPED_ROOT, PairModel

    torch.set_num_threads(threads)
    texts, targets = realistic_pairs(n)
    model = PairModel(SHIPPED_ROOT / model_name, precision=precision, batch_size=batch_size)
    # warm-up (weights, first kernels) on pairs in another order: the model keeps its last
    # answer, and the same pairs again (n <= 64) would time that, not a forward pass
    model.predict(texts[:64][::-1], targets[:64][::-1])
    started = time.perf_counter()
    probs = model.predict(texts, targets)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "precision": precision,
        "dtype": str(next(model.loaded[0].parameters()).dtype),
        "n": len(texts),
        "seconds": round(seconds, 2),
        "passages_per_second": round(len(texts) / max(seconds, 1e-9), 1),
        "peak_rss_mb": round(peak_mb),
        "argmax": {task: p.argmax(1).tolist() for task, p in probs.items()},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--precisions", default="auto,fp32")
    parser.add_argument(
        "--model",
        default="minilm_v2",
        help="a folder of analysis/shipped_models (minilm_v1, minilm_v2)",
    )
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.n, args.threads, args.batch_size, args.model)))
        return
    results = {}
    for precision in args.precisions.split(","):
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "experiments.benchmark_throughput",
                "--child",
                precision,
                "--n",
                str(args.n),
                "--threads",
                str(args.threads),
                "--batch-size",
                str(args.batch_size),
                "--model",
                args.model,
            ],
            check=False,
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:  # the child's own words, not only its exit status
            tail = "\n".join(out.stderr.strip().splitlines()[-15:])
            raise SystemExit(f"the {precision} measurement failed (exit {out.returncode}):\n{tail}")
        results[precision] = json.loads(out.stdout.strip().splitlines()[-1])
    reference = results.get("fp32")
    print(f"CPU: {cpu_name()}")
    heads = ", ".join(next(iter(results.values()))["argmax"])
    print(f"model: analysis/shipped_models/{args.model} (heads: {heads})")
    for precision, r in results.items():
        line = (
            f"{precision:>5} ({r['dtype']}): {r['passages_per_second']:.1f} passages/s "
            f"(all heads, {r['n']} sentences of 20-40 words, {args.threads} threads, "
            f"batch {args.batch_size}), peak RSS {r['peak_rss_mb']} MB"
        )
        if reference is not None and precision != "fp32":
            same = {
                task: sum(
                    a == b
                    for a, b in zip(r["argmax"][task], reference["argmax"][task], strict=True)
                )
                / r["n"]
                for task in r["argmax"]
            }
            line += ", same argmax as fp32: " + ", ".join(
                f"{task} {share:.1%}" for task, share in same.items()
            )
        print(line)


if __name__ == "__main__":
    main()
