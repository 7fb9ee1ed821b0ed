"""Run several recipe variants (one JSON object of overrides per line) and print a table.

    python -m experiments.sweep_minilm --grid GRID.jsonl --jobs 4 [--base DIR] [--data DIR]

Each variant trains in its own process (several share one GPU well: MiniLM is small) and
leaves its metrics in experiments/output/sweep/NAME.json; nothing is saved as a model.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def run_variant(name: str, overrides: dict, extra: list[str], outdir: Path) -> dict:
    args = [
        sys.executable,
        "-m",
        "experiments.sweep_minilm",
        "--one",
        json.dumps(overrides),
        "--result",
        str(outdir / f"{name}.json"),
        *extra,
    ]
    with open(outdir / f"{name}.log", "w") as log:
        subprocess.run(args, stdout=log, stderr=subprocess.STDOUT, check=False)
    path = outdir / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {"error": name}


def one(overrides: dict, result: Path, base: str | None, data: str | None) -> None:
    from experiments.train_minilm import RecipeConfig, train

    if base:
        overrides.setdefault("base", base)
    if data:
        overrides.setdefault("vast", f"{data}/vast_train.csv")
        overrides.setdefault("newsmtsc_dir", f"{data}/newsmtsc")
    out = train(RecipeConfig(**overrides), None, log=lambda s: print(s, flush=True))
    result.write_text(
        json.dumps(
            {"overrides": overrides, "history": out["history"], "seconds": out["train_seconds"]}
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grid", type=Path)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--base")
    parser.add_argument("--data")
    parser.add_argument("--out", type=Path, default=Path("experiments/output/sweep"))
    parser.add_argument("--one")
    parser.add_argument("--result", type=Path)
    args = parser.parse_args()
    if args.one:
        one(json.loads(args.one), args.result, args.base, args.data)
        return
    args.out.mkdir(parents=True, exist_ok=True)
    grid = [json.loads(line) for line in args.grid.read_text().splitlines() if line.strip()]
    extra = [f for k in ("base", "data") if getattr(args, k) for f in (f"--{k}", getattr(args, k))]
    with ThreadPoolExecutor(args.jobs) as pool:
        futures = {}
        for overrides in grid:
            name = overrides.pop("name")
            futures[name] = pool.submit(run_variant, name, overrides, extra, args.out)
    for name, fut in futures.items():
        res = fut.result()
        for h in res.get("history", []):
            print(
                name,
                h["epoch"],
                h["seconds"],
                json.dumps(h["dev_macro_f1"]),
                json.dumps(h.get("dev_class_f1", {}).get("stance/dev")),
            )


if __name__ == "__main__":
    main()
