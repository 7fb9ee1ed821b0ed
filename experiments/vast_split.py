"""A zero-shot dev split carved from VAST's train split.

Whole debates (``ori_topic``, which groups the source articles and their comments) go to dev,
so no comment or source article is on both sides; train then loses every row whose topic
(``topic_str``, VAST's normalised topic) is one of the dev debates' own topics, so those topics
are unseen in training.

Repair of the "none" class: in this copy of VAST, 2,251 of the 2,313 type-4 rows (label 2,
neutral) repeat a (post, topic) pair that also occurs with a pro or con label, because the
column holding the comment those topics were paired with is not in the copy. Identical inputs
with contradictory labels cannot be learned (a model trained on them barely predicts "none":
dev F1 for none 0.0-0.22 in experiments/sweeps/round2.txt), and scoring a model on them measures
noise. So both sides drop every "none" row whose (post, topic) also carries pro/con, and replace
it with the construction VAST documents for its neutral examples: the same comment paired with a
topic from a different debate of the same side (so dev "none" topics stay unseen in train).
``--raw`` writes the unrepaired split as well, to report both.

    python -m experiments.vast_split --vast ../shared/data/vast/vast_train.csv --out DIR
writes DIR/vast_train_split.csv and DIR/vast_dev_split.csv (VAST's own columns).
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

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
    train = [
        row
        for row in rows
        if row["ori_topic"] not in dev_debates and row["topic_str"] not in dev_topics
    ]
    return train, dev


def _pair_key(row: dict[str, str]) -> tuple[str, str]:
    return row["post"], row["new_topic"].strip().lower()


def repair_none(rows: list[dict[str, str]], seed: int = SPLIT_SEED) -> list[dict[str, str]]:
    """Replace "none" rows that contradict a pro/con row with comment + unrelated-topic pairs."""
    labelled = {_pair_key(r) for r in rows if r["label"] in ("0", "1")}
    conflicting = [r for r in rows if r["label"] == "2" and _pair_key(r) in labelled]
    kept = [r for r in rows if not (r["label"] == "2" and _pair_key(r) in labelled)]
    rng = random.Random(seed)
    topics = sorted(
        {(r["ori_topic"], r["new_topic"], r["topic_str"]) for r in rows if r["type_idx"] != "4"}
    )
    replacements = []
    for row in conflicting:
        while True:
            debate, topic, topic_str = rng.choice(topics)
            if debate != row["ori_topic"]:
                break
        replacements.append(
            {
                **row,
                "new_topic": topic,
                "topic_str": topic_str,
                "type_idx": "4r",
                "contains_topic?": "0",
            }
        )
    return kept + replacements


def write_rows(path: Path, fieldnames: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)


def write_split(vast: str | Path, out: str | Path, raw: bool = False) -> tuple[Path, Path]:
    """Write the (repaired) train and dev CSVs, and with ``raw`` the unrepaired dev too."""
    fieldnames, rows = read_rows(vast)
    train, dev = split_rows(rows)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    train_path, dev_path = out / "vast_train_split.csv", out / "vast_dev_split.csv"
    write_rows(train_path, fieldnames, repair_none(train, SPLIT_SEED))
    write_rows(dev_path, fieldnames, repair_none(dev, SPLIT_SEED + 1))
    if raw:
        write_rows(out / "vast_dev_split_raw.csv", fieldnames, dev)
    return train_path, dev_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vast", default="../shared/data/vast/vast_train.csv")
    parser.add_argument("--out", default="experiments/output/splits")
    parser.add_argument("--raw", action="store_true", help="also write the unrepaired dev split")
    args = parser.parse_args()
    train_path, dev_path = write_split(args.vast, args.out, raw=args.raw)
    print(f"wrote {train_path} and {dev_path}")


if __name__ == "__main__":
    main()
