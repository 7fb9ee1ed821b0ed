"""Draw the passages to be labelled for topic relevance (fixed seeds, no labels).

The sample is every sentence of the three seeds plus AllSides sentences:

- ``random``: drawn uniformly from all AllSides sentences, so the base rate is realistic;
- enriched, per topic, from a random pool of AllSides sentences scored with the first draft of
  the topics (frozen in ``sampling_topics.toml``, so that later changes to the defaults leave
  the sample as it was): ``alias`` (an alias occurs), ``sim_top`` (top 1% by the highest cosine
  to the topic's label, description, target and examples, alias or not) and ``sim_band`` (top
  1–5%: near misses), so that each topic has enough positives and hard negatives.

    python -m experiments.topic_relevance.build_sample [--out FILE]

Each line: id, text, context (the previous sentence of the same article, "" for the first),
source (``seed:FILE:INDEX`` or ``allsides:ID:INDEX``) and stratum. Labels are added by reading
each passage (see README.md); the stratum is not shown while labelling.

The sample was first drawn from every AllSides article, the reserved ones included (56 of the
440 passages came from 44 reserved articles, labelled and used in tuning before this was
noticed). It is still drawn exactly as then, so that ids and strata stay those of the labels,
and the passages of reserved articles are then left out.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

import numpy as np

from analysis.embedding import Embedder
from analysis.topics import alias_pattern, load_topics
from experiments.reserved import reserved_ids

ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = ROOT / "seeds"
SAMPLING_TOPICS = Path(__file__).parent / "sampling_topics.toml"
ALLSIDES = ROOT.parent / "shared" / "data" / "allsides" / "articles.jsonl"
SEED = 20240611
N_RANDOM = 150
POOL = 30_000
PER_TOPIC = {"alias": 20, "sim_top": 20, "sim_band": 10}
# A second draw from each topic's top 1%, appended after the first round of labelling found too
# few positives (21 for sanctions); drawn after the others so that the first round is unchanged.
EXTRA_SIM_TOP = 25
MIN_CHARS = 20

# A simple sentence splitter for labelling only (the product's splitter lives in analysis.corpus):
# a break after . ! ? (optionally followed by a closing quote) before a capital, digit or quote,
# and at every line break.
_SPLIT = re.compile(
    r"(?<=[.!?])\s+(?=[\"“‘(]?[A-Z0-9])|(?<=[.!?][\"”’])\s+(?=[\"“]?[A-Z0-9])|\s*\n+\s*"
)


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (whitespace-trimmed, empty ones dropped)."""
    return [s.strip() for s in _SPLIT.split(text) if s.strip()]


def sentences_with_context(text: str) -> list[tuple[str, str]]:
    """(sentence, previous sentence) pairs, keeping only sentences of MIN_CHARS or more."""
    sents = split_sentences(text)
    return [(s, sents[i - 1] if i else "") for i, s in enumerate(sents) if len(s) >= MIN_CHARS]


def seed_records() -> list[dict]:
    """Every sentence of the seeds, each distinct text once (000 and 004 repeat some)."""
    records, seen = [], set()
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        for i, (sent, ctx) in enumerate(sentences_with_context(path.read_text(encoding="utf-8"))):
            if sent in seen:
                continue
            seen.add(sent)
            records.append(
                {"text": sent, "context": ctx, "source": f"seed:{path.name}:{i}", "stratum": "seed"}
            )
    return records


def allsides_sentences() -> list[dict]:
    out = []
    with open(ALLSIDES, encoding="utf-8") as handle:
        for line in handle:
            article = json.loads(line)
            pairs = sentences_with_context(article["content_original"])
            for i, (sent, ctx) in enumerate(pairs):
                out.append(
                    {"text": sent, "context": ctx, "source": f"allsides:{article['ID']}:{i}"}
                )
    return out


def build(out: Path) -> None:
    rng = random.Random(SEED)
    records = seed_records()
    seen = {r["text"] for r in records}
    sentences = allsides_sentences()
    print(f"{len(sentences)} AllSides sentences of {MIN_CHARS}+ characters")

    def take(candidates: list[dict], n: int, stratum: str) -> None:
        picked = 0
        for rec in rng.sample(candidates, len(candidates)):
            if picked == n:
                break
            if rec["text"] in seen:
                continue
            seen.add(rec["text"])
            records.append({**rec, "stratum": stratum})
            picked += 1

    take(sentences, N_RANDOM, "random")
    pool = rng.sample(sentences, POOL)
    topics = load_topics(SAMPLING_TOPICS)
    keys = [t.key for t in topics]
    texts = [r["text"] for r in pool]
    # Pinned as when the sample was drawn: bf16 results shift slightly with the batch size, and a
    # sentence near the 1% boundary could then change stratum.
    embedder = Embedder(batch_size=128, precision="bf16")
    hits = np.array([[bool(alias_pattern(t.aliases).search(x)) for t in topics] for x in texts])
    embeddings = embedder.encode(texts, progress=True)
    sims = np.stack(
        [
            (embeddings @ embedder.encode([t.label, t.description, t.target, *t.examples]).T).max(1)
            for t in topics
        ],
        axis=1,
    )
    for j, key in enumerate(keys):
        ranks = np.argsort(-sims[:, j])
        top = ranks[: POOL // 100]
        band = ranks[POOL // 100 : POOL // 20]
        take([pool[i] for i in np.flatnonzero(hits[:, j])], PER_TOPIC["alias"], f"alias:{key}")
        take([pool[i] for i in top], PER_TOPIC["sim_top"], f"sim_top:{key}")
        take([pool[i] for i in band], PER_TOPIC["sim_band"], f"sim_band:{key}")
    for j, key in enumerate(keys):
        top = np.argsort(-sims[:, j])[: POOL // 100]
        take([pool[i] for i in top], EXTRA_SIM_TOP, f"sim_top:{key}")
    for i, rec in enumerate(records):
        rec["id"] = i
    drawn, reserved = len(records), reserved_ids()
    records = [r for r in records if not from_reserved(r["source"], reserved)]
    print(f"left out {drawn - len(records)} passages of reserved articles")
    out.write_text(
        "".join(
            json.dumps(
                {k: r[k] for k in ("id", "text", "context", "source", "stratum")},
                ensure_ascii=False,
            )
            + "\n"
            for r in records
        ),
        encoding="utf-8",
    )
    print(f"wrote {len(records)} passages to {out}")


def from_reserved(source: str, reserved: frozenset[str]) -> bool:
    """Whether a passage's ``source`` (``allsides:ID:INDEX``) is a reserved article's."""
    kind, _, rest = source.partition(":")
    return kind == "allsides" and rest.rpartition(":")[0] in reserved


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "experiments" / "output" / "topic_relevance_candidates.jsonl",
        help="default: under experiments/output (git-ignored); compare it with the committed "
        "candidates.jsonl, which the labels were added to",
    )
    build(parser.parse_args(argv).out)


if __name__ == "__main__":
    main()
