"""Write a corpus ``--copies`` times the size of the AllSides file, for the scale check.

Copy 0 is the file as it is; copy k > 0 gives every article a new id (``<ID>-copy<k>``) and ends
its text with "(Copy k.)", so that the loader does not fold the copies into the originals as
duplicates: each copy is analyzed in full, as new articles would be.

    .venv/bin/python -m experiments.scaled_corpus --copies 10 --out /tmp/allsides_x10.jsonl
    /usr/bin/time -v viewpoints analyze /tmp/allsides_x10.jsonl --cache ""

(61,210 articles for the 6,121 of the AllSides file.)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from experiments.benchmark_corpus import ALLSIDES


def write_scaled(source: Path, copies: int, out: Path) -> int:
    """Write ``copies`` copies of ``source`` (JSONL) to ``out``; return the records written."""
    if copies < 1:
        raise SystemExit(f"expected --copies >= 1, got {copies}")
    written = 0
    with out.open("w", encoding="utf-8") as sink:
        for copy in range(copies):
            with source.open(encoding="utf-8") as lines:
                for line in lines:
                    if not line.strip():
                        continue
                    record = json.loads(line)
                    if copy:
                        record["ID"] = f"{record.get('ID')}-copy{copy}"
                        text = record.get("content_original") or ""
                        record["content_original"] = f"{text}\n\n(Copy {copy}.)"
                    sink.write(json.dumps(record, ensure_ascii=False) + "\n")
                    written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=ALLSIDES)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    written = write_scaled(args.source, args.copies, args.out)
    print(f"wrote {written} articles to {args.out}")
    return written


if __name__ == "__main__":
    main()
