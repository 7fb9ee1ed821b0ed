"""Deal the drawn items out to independent readers, with an overlap read twice.

Each of ``--readers`` readers gets an equal share of the passages and of the articles, plus
``PASSAGE_OVERLAP`` passages and ``ARTICLE_OVERLAP`` articles from the next reader's share, shuffled
in so that nobody knows which items are read twice. Chunks are plain text files (25 passages or 4
articles each) under ``--out/<reader>/``; the stratum and split are never shown.

    python -m experiments.news_labels.batches --out experiments/output/news_batches
    python -m experiments.news_labels.batches --out experiments/output/news_batches --round 2 \
        --passage-readers 4 --article-readers 2

    python -m experiments.news_labels.batches --out experiments/output/news_batches --round 3

Round 2's readers are named after round 1's (E, F, ... with four readers in round 1), round 3's
after round 2's (I, J, ...). Round 3 has passages only.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 7
PASSAGE_OVERLAP = 32
ARTICLE_OVERLAP = 17
PASSAGES_PER_CHUNK = 25
ARTICLES_PER_CHUNK = 4


def passage_block(it: dict) -> str:
    """One passage item as a reader sees it."""
    return (
        f"=== ITEM {it['item']} ===\n"
        f"ARTICLE: {it['title']}  ({it['outlet']})\n"
        f"TARGET: {it['target']}\n  favor = {it['favor']}\n  against = {it['against']}\n"
        f"BEFORE: {it['before']}\nPASSAGE: {it['text']}\nAFTER: {it['after']}\n"
    )


def article_block(it: dict) -> str:
    """One article item as a reader sees it."""
    return (
        f"=== ARTICLE {it['item']} ===\nTITLE: {it['title']}\nOUTLET: {it['outlet']}\n"
        f"AUTHOR: {it['author'] or '-'}\nDATE: {it['date'] or '-'}\n\n{it['text']}\n"
    )


def deal(items: list[dict], readers: list[str], overlap: int, rng: random.Random) -> dict:
    """Equal shares, plus ``overlap`` items of the next reader's share."""
    shares = {r: items[i :: len(readers)] for i, r in enumerate(readers)}
    dealt = {}
    for i, r in enumerate(readers):
        extra = shares[readers[(i + 1) % len(readers)]][:overlap]
        mine = shares[r] + extra
        rng.shuffle(mine)
        dealt[r] = mine
    return dealt


def write_chunks(folder: Path, items: list[dict], size: int, block) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(0, len(items), size):
        text = "\n".join(block(it) for it in items[n : n + size])
        (folder / f"chunk_{n // size:03d}.txt").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--round", type=int, choices=[1, 2, 3], default=1)
    parser.add_argument("--passage-readers", type=int, default=4)
    parser.add_argument("--article-readers", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(SEED + args.round - 1)
    suffix = {1: "", 2: "_r2", 3: "_r3"}[args.round]
    first_name = {1: "A", 2: "E", 3: "I"}[args.round]
    passages = [
        json.loads(x) for x in (HERE / f"passages_to_label{suffix}.jsonl").open(encoding="utf-8")
    ]
    article_file = HERE / f"articles_to_label{suffix}.jsonl"
    articles = (
        [json.loads(x) for x in article_file.open(encoding="utf-8")]
        if article_file.is_file()
        else []
    )
    assignment = {}
    for kind, items, readers, overlap, size, block in (
        (
            "passages",
            passages,
            args.passage_readers,
            PASSAGE_OVERLAP,
            PASSAGES_PER_CHUNK,
            passage_block,
        ),
        (
            "articles",
            articles,
            args.article_readers,
            ARTICLE_OVERLAP,
            ARTICLES_PER_CHUNK,
            article_block,
        ),
    ):
        if not items:
            continue
        names = [chr(ord(first_name) + i) for i in range(readers)]
        for r, mine in deal(items, names, overlap, rng).items():
            write_chunks(args.out / f"{kind}_{r}", mine, size, block)
            assignment[f"{kind}_{r}"] = [it["item"] for it in mine]
    (HERE / f"assignment{suffix}.json").write_text(json.dumps(assignment, indent=0) + "\n")
    for k, v in assignment.items():
        print(k, len(v))


if __name__ == "__main__":
    main()
