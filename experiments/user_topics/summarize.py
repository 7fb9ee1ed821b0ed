"""Precision of a user's topics before and after the untrained-topic rule, from the passages
read in ``judged_passages.tsv`` (README.md says how they were made), and of the "after"
run's passages that reach today's ``DEFAULT_THRESHOLD`` (at least 0.61: all of them judged).

    python -m experiments.user_topics.summarize
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from analysis.topics import DEFAULT_THRESHOLD

JUDGED = Path(__file__).with_name("judged_passages.tsv")


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    with JUDGED.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    print("topic            run     kept  on topic  precision  (on topic, text alone)")
    for topic in sorted({r["topic"] for r in rows}):
        for run in ("before", "after"):
            kept = [r for r in rows if r["topic"] == topic and r[f"kept_{run}"] == "1"]
            yes = [r for r in kept if r["on_topic"] == "yes"]
            alone = [r for r in yes if r["needs_previous_sentence"] != "True"]
            print(
                f"{topic:<16} {run:<7} {len(kept):>4}  {len(yes):>8}  {len(yes) / len(kept):>9.2f}"
                f"  ({len(alone)}, {len(alone) / len(kept):.2f})"
            )
        now = [
            r
            for r in rows
            if r["topic"] == topic
            and r["kept_after"] == "1"
            and float(r["relevance"]) >= DEFAULT_THRESHOLD
        ]
        yes = [r for r in now if r["on_topic"] == "yes"]
        print(
            f"{topic:<16} {DEFAULT_THRESHOLD:<7} {len(now):>4}  {len(yes):>8}  "
            f"{len(yes) / len(now) if now else float('nan'):>9.2f}  (the 'after' run's passages at "
            "today's threshold)"
        )
        lost = [
            r
            for r in rows
            if r["topic"] == topic and r["on_topic"] == "yes" and r["kept_before"] == "1"
        ]
        dropped = [r for r in lost if r["kept_after"] == "0"]
        print(f"{topic:<16} on topic, kept before, dropped after: {len(dropped)} of {len(lost)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
