"""A zero-shot dev split carved from VAST's train split.

Whole debates (``ori_topic``, which groups the source articles and their comments) go to dev,
and every row of their source articles (``arc_id``) leaves train, since one comment can be
filed under several debates: no comment or source article is on both sides. Train then loses
every row whose topic (``topic_str``, VAST's normalised topic) is one of the dev debates' own
topics, so those topics are unseen in training.

The "none" rows (``type_idx`` 4) are read as VAST built them, comment paired with another
debate's topic (``topic_str``): see :func:`analysis.datasets.vast_target`. Dev therefore measures
the official task as is, with no relabelled or invented rows.

    python -m experiments.vast_split --vast ../shared/data/vast/vast_train.csv --out DIR
writes DIR/vast_train_split.csv and DIR/vast_dev_split.csv (VAST's own columns).
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

from analysis.datasets import vast_surface_topics, vast_target

DEV_FRACTION = 0.15
SPLIT_SEED = 13


def read_rows(path: str | Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for row in reader if (row.get("post") or "").strip()]
        return list(reader.fieldnames or []), rows


def split_rows(
    rows: list[dict[str, str]], dev_fraction: float = DEV_FRACTION, seed: int = SPLIT_SEED
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Split rows into (train, dev): whole debates to dev, dev topics removed from train."""
    debates = sorted({row["ori_topic"] for row in rows})
    random.Random(seed).shuffle(debates)
    dev_debates, dev_rows_count, target = set(), 0, dev_fraction * len(rows)
    sizes: dict[str, int] = {}
    for row in rows:
        sizes[row["ori_topic"]] = sizes.get(row["ori_topic"], 0) + 1
    for debate in debates:
        if dev_rows_count >= target:
            break
        dev_debates.add(debate)
        dev_rows_count += sizes[debate]
    dev = [row for row in rows if row["ori_topic"] in dev_debates]
    # Type 4 rows pair a comment with a random other debate's topic (label none): their topic
    # is not what the dev debate is about, so only the dev debates' own topics leave train.
    dev_topics = {row["topic_str"] for row in dev if row["type_idx"] != "4"}
    # A comment can belong to several debates: its source article (arc_id) decides the side.
    dev_arcs = {row["arc_id"] for row in dev}
    train = [
        row
        for row in rows
        if row["ori_topic"] not in dev_debates
        and row["arc_id"] not in dev_arcs
        and row["topic_str"] not in dev_topics
    ]
    return train, dev


def _resolve_none_topic(row: dict[str, str], surface: dict[str, str]) -> dict[str, str]:
    if row.get("type_idx") == "4":
        return {**row, "topic_str": vast_target(row, surface)}
    return row


def write_rows(path: Path, fieldnames: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)


def write_split(vast: str | Path, out: str | Path) -> tuple[Path, Path]:
    """Write the train and dev CSVs (VAST's own columns) to ``out``."""
    fieldnames, rows = read_rows(vast)
    train, dev = split_rows(rows)
    # A "none" row's topic often comes from a debate on the other side of the split, so its
    # surface phrasing is resolved here, against the whole file, rather than per split file.
    surface = vast_surface_topics(Path(vast))
    train, dev = ([_resolve_none_topic(r, surface) for r in part] for part in (train, dev))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    train_path, dev_path = out / "vast_train_split.csv", out / "vast_dev_split.csv"
    write_rows(train_path, fieldnames, train)
    write_rows(dev_path, fieldnames, dev)
    return train_path, dev_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vast", default="../shared/data/vast/vast_train.csv")
    parser.add_argument("--out", default="experiments/output/splits")
    args = parser.parse_args()
    train_path, dev_path = write_split(args.vast, args.out)
    print(f"wrote {train_path} and {dev_path}")


if __name__ == "__main__":
    main()
