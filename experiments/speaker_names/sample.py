"""Draw reported passages whose speaker readers name, to measure who the detector says speaks.

``analysis.corpus.speech`` names the speaker of a reported passage: from a name in the passage,
or, for "he said", "the president said" and a quotation carried on from the passage before, from
an earlier speaker. Neither is measured by ``experiments.speech_detection`` (which asks only
whether a passage is reported). This draws passages of the labelled articles
(``experiments/news_labels/articles.jsonl``, their article split kept; never a reserved article)
that the detector marks reported, stratified (the stratum is never shown to readers):

- ``inferred``: a speaker named, but not in the passage's own words (pronoun, role, carried on);
- ``in_text``: a speaker named whose last name is in the passage;
- ``unnamed``: reported, no speaker named.

Each item shows the title, up to ``CONTEXT_CHARS`` of the article before the passage, and the
passage; the detector's answer at sampling time and the article's line in the AllSides file are
kept apart (``detector.jsonl``), for ``measure.py`` only.

    python -m experiments.speaker_names.sample
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

from analysis.corpus import load_corpus
from experiments.reserved import reserved_ids

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared" / "data"
ALLSIDES = SHARED / "allsides" / "articles.jsonl"
ARTICLE_LABELS = HERE.parent / "news_labels" / "articles.jsonl"
SEED = 20261206
PER_SPLIT = {"inferred": 100, "in_text": 40, "unnamed": 30}
MAX_PER_ARTICLE = 3
CONTEXT_CHARS = 3000
OVERLAP = 40  # items per split read by a second reader


def stratum(text: str, speaker: str | None) -> str:
    """Which stratum a reported passage falls in (see the module doc)."""
    if speaker is None:
        return "unnamed"
    last = speaker.split()[-1].strip(".,").lower()
    return "in_text" if last in text.lower() else "inferred"


def article_splits(path: Path = ARTICLE_LABELS) -> dict[str, str]:
    """Each labelled article's split (dev or train)."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {r["article_id"]: r["split"] for r in rows}


def write_jsonl(path: Path, rows: list[dict]) -> None:
    """One JSON object a line, UTF-8 as read."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument(
        "--force", action="store_true", help="replace the drawn items the labels refer to"
    )
    args = parser.parse_args(argv)
    if (args.out / "items.jsonl").exists() and not args.force:
        # the strata follow the rules of today: a new draw is other passages than were read
        raise SystemExit(
            f"{args.out / 'items.jsonl'} exists and the labels refer to its items; "
            "draw into another folder with --out DIR, or replace it with --force"
        )
    reserved = reserved_ids()
    splits = {a: s for a, s in article_splits().items() if a not in reserved}
    corpus = load_corpus([ALLSIDES], progress=True)
    articles = {a.article_id: a for a in corpus.articles if a.article_id in splits}
    pools: dict[tuple[str, str], list] = defaultdict(list)
    for p in corpus.passages:
        if p.article_id in articles and p.reported:
            pools[(splits[p.article_id], stratum(p.text, p.speaker))].append(p)
    rng = random.Random(SEED)
    items, detector = [], []
    for split in ("train", "dev"):
        for name, size in PER_SPLIT.items():
            pool = sorted(pools[(split, name)], key=lambda p: p.passage_id)
            rng.shuffle(pool)
            per_article: dict[str, int] = defaultdict(int)
            drawn = []
            for p in pool:
                if len(drawn) == size:
                    break
                if per_article[p.article_id] < MAX_PER_ARTICLE:
                    per_article[p.article_id] += 1
                    drawn.append(p)
            for p in drawn:
                article = articles[p.article_id]
                before = article.text[: p.start]
                items.append(
                    {
                        "passage_id": p.passage_id,
                        "split": split,
                        "title": article.title,
                        "before": ("…" if len(before) > CONTEXT_CHARS else "")
                        + before[-CONTEXT_CHARS:],
                        "passage": p.text,
                    }
                )
                detector.append(
                    {
                        "passage_id": p.passage_id,
                        "line": int(article.source.rsplit(":", 1)[1]),  # of the AllSides file
                        "stratum": name,
                        "speaker": p.speaker,
                    }
                )
    order = list(range(len(items)))
    rng.shuffle(order)  # readers see the strata mixed
    items = [{"item": f"s{n:03d}", **items[i]} for n, i in enumerate(order)]
    detector = [{"item": f"s{n:03d}", **detector[i]} for n, i in enumerate(order)]
    by_split = {s: [it["item"] for it in items if it["split"] == s] for s in ("train", "dev")}
    overlap = by_split["train"][:OVERLAP] + by_split["dev"][:OVERLAP]
    write_jsonl(args.out / "items.jsonl", items)
    write_jsonl(args.out / "detector.jsonl", detector)
    pools_drawn = {f"{split}/{name}": len(pool) for (split, name), pool in sorted(pools.items())}
    (args.out / "assignment.json").write_text(
        json.dumps({**by_split, "overlap": overlap, "pools": pools_drawn}, indent=1) + "\n"
    )
    print(f"{len(items)} items ({', '.join(f'{s} {len(v)}' for s, v in by_split.items())})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
