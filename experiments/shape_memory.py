"""Memory the inference kernels keep per batch shape: the shipped scoring model on batches of
new row counts, each either its own shape or filled to the batch size as inference fills it.

    .venv/bin/python -m experiments.shape_memory [--precision bf16] [--shapes 60]

Each step runs one batch of ``k`` rows (k = 1, 2, ...; 256 tokens, half of them padding) and,
as scoring does, hands freed memory back; it prints one JSON line per ten steps with resident
memory above the start (MiB), then a summary. With ``--rows own`` every step is a new shape;
with ``--rows filled`` (what :func:`analysis.batching.fill_rows` makes of a call's last batch)
every step has the same. The setting ``ONEDNN_PRIMITIVE_CACHE_CAPACITY=0`` in the environment
shows how much of it is oneDNN's primitive cache. Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from experiments.benchmark_corpus import cpu_name


def main(argv: list[str] | None = None) -> dict[str, Any]:
    import psutil
    import torch

    from analysis.batching import fill_rows
    from analysis.memory import release_freed_memory
    from analysis.precision import resolve_dtype
    from analysis.scoring.pair_model import load_pair_classifier
    from analysis.scoring.registry import SHIPPED_HEADS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--precision", default="auto", choices=["auto", "bf16", "fp32"])
    parser.add_argument("--rows", default="own", choices=["own", "filled"])
    parser.add_argument("--shapes", type=int, default=60, help="steps, one row count each")
    parser.add_argument("--length", type=int, default=256, help="tokens per row")
    args = parser.parse_args(argv)
    if args.shapes < 1 or args.length < 8:
        parser.error("expected --shapes >= 1 and --length >= 8")
    dtype = resolve_dtype(args.precision)
    model, _ = load_pair_classifier(SHIPPED_HEADS["stance.minilm.v2"][0], dtype)
    generator = torch.Generator().manual_seed(0)
    process = psutil.Process()

    def forward(rows: int) -> None:
        ids = torch.randint(1000, 20000, (rows, args.length), generator=generator)
        mask = torch.ones_like(ids)
        mask[:, args.length // 2 :] = 0
        encoded = {"input_ids": ids, "attention_mask": mask, "token_type_ids": 0 * ids}
        if args.rows == "filled":
            encoded = fill_rows(encoded, args.shapes)
        with torch.inference_mode(), torch.autocast("cpu", dtype, enabled=dtype != torch.float32):
            model(**encoded)

    forward(args.shapes)  # the full batch's shape: met by any run, not counted
    release_freed_memory()
    start = process.memory_info().rss / 2**20
    for k in range(1, args.shapes + 1):
        forward(k)
        release_freed_memory()
        if k % 10 == 0 or k == args.shapes:
            grown = process.memory_info().rss / 2**20 - start
            print(json.dumps({"steps": k, "grown_mib": round(grown, 1)}), flush=True)
    result = {
        "cpu": cpu_name(),
        "dtype": str(dtype).removeprefix("torch."),
        "rows": args.rows,
        "shapes": args.shapes,
        "length": args.length,
        "grown_mib": round(grown, 1),
        "mib_per_step": round(grown / args.shapes, 2),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
