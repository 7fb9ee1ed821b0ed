"""Fit the static word-piece table to MiniLM's passage embeddings: a sharper first stage for the
relevance cascade (``analysis.static_embedding``).

The distilled table (``distill_static.py``: each piece through MiniLM alone) ranks passages by
topic similarity only roughly, so the cascade had to pass 37% of all passages on to MiniLM to
keep 99% of its topic passages. Here the table is trained, as tokenlearn does for model2vec, so
that the normalised sum of a passage's piece rows points where MiniLM's embedding of the passage
(joined to its predecessor, exactly as relevance embeds it) points, after a fixed projection of
MiniLM's 384 dimensions onto the 256 leading axes of the training embeddings. Topic prototypes
are then embedded by MiniLM itself and projected: the first stage estimates the cosine MiniLM
would give.

- Training passages: ``--articles`` AllSides articles drawn (seeded) from those that are neither
  reserved nor in the 1,000-article sample ``choose_cascade.py`` chooses the threshold on; a
  tenth of them (whole articles) is held out for early stopping. No labels are used.
- Start: the distilled piece vectors (MiniLM on each piece alone, SIF-weighted), projected.
- Loss: 1 - cosine to the projected target, plus ``--l2`` times the squared distance of each
  row used in the batch from its start (rare pieces stay near their distilled value).

    .venv/bin/python -m experiments.topic_relevance.fit_static [--articles 700]

writes ``analysis/shipped_models/minilm_static/`` (``embeddings.safetensors``: the table in
float16 and the projection in float32; ``config.json`` with the recipe, seed and held-out loss).
MiniLM's embeddings of the training passages are kept in ``experiments/output/``.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from experiments.reserved import reserved_ids
from experiments.topic_relevance.choose_cascade import ALLSIDES, OUTPUT
from experiments.topic_relevance.distill_static import SIF_A, piece_frequencies, piece_vectors

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "analysis" / "shipped_models" / "minilm_static"
MAX_PIECES = 126  # MiniLM reads 128 tokens, [CLS] and [SEP] included
CHOOSE_SAMPLE = (1000, 0)  # choose_cascade.py's defaults: its sample is left out of training


def training_articles(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` non-reserved AllSides articles outside choose_cascade's sample, drawn with ``seed``."""
    reserved = reserved_ids()
    with (ALLSIDES / "articles.jsonl").open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    usable = [r for r in records if str(r.get("ID")) not in reserved]
    limit, sample_seed = CHOOSE_SAMPLE
    chosen = {str(r["ID"]) for r in random.Random(sample_seed).sample(usable, limit)}
    rest = [r for r in usable if str(r["ID"]) not in chosen]
    return random.Random(seed).sample(rest, min(n, len(rest)))


def training_set(n: int, seed: int) -> tuple[list[str], list[str], np.ndarray]:
    """(article per passage, embedded text per passage, MiniLM embedding per passage); the
    embeddings are computed once and kept in ``experiments/output``."""
    key = f"static_fit_{n}_{seed}"
    texts_path, targets_path = OUTPUT / f"{key}.json", OUTPUT / f"{key}.npy"
    if texts_path.is_file() and targets_path.is_file():
        saved = json.loads(texts_path.read_text(encoding="utf-8"))
        return saved["articles"], saved["texts"], np.load(targets_path).astype(np.float32)
    articles, texts = passages_of(training_articles(n, seed))
    from analysis.embedding import Embedder

    targets = Embedder().encode(texts, progress=True).astype(np.float16)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    texts_path.write_text(json.dumps({"articles": articles, "texts": texts}), encoding="utf-8")
    np.save(targets_path, targets)
    return articles, texts, targets.astype(np.float32)  # as a rerun reads them back


def passages_of(records: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Each passage's article and its text joined to its predecessor, as relevance embeds it."""
    from analysis.corpus import load_corpus
    from analysis.pipeline import passages_table, previous_passages
    from analysis.topics import with_previous

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        passages = passages_table(load_corpus([path]))
    texts = with_previous(passages["text"].tolist(), previous_passages(passages))
    return passages["article_id"].astype(str).tolist(), texts


def piece_ids(texts: list[str], max_pieces: int = MAX_PIECES) -> list[np.ndarray]:
    """Each text's word pieces (MiniLM's tokenizer, no special tokens, at most ``max_pieces``)."""
    from tokenizers import Tokenizer

    from analysis.backbone import minilm_path

    tokenizer = Tokenizer.from_file(str(minilm_path(verify=False) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_pieces)
    return [np.asarray(e.ids, dtype=np.int64) for e in tokenizer.encode_batch(texts, False)]


def projection_of(targets: np.ndarray, dim: int) -> np.ndarray:
    """The ``dim`` leading right singular vectors of the (uncentred) targets, ``(384, dim)``:
    cosines between unit vectors survive the projection nearly unchanged."""
    _, _, vt = np.linalg.svd(targets, full_matrices=False)
    axes = vt[:dim]
    largest = axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)]
    # contiguous: safetensors writes an array's memory as it lies, so a transposed view would
    # be saved scrambled
    return np.ascontiguousarray((axes * np.sign(largest)[:, None]).T, dtype=np.float32)


def start_table(projection: np.ndarray) -> np.ndarray:
    """The distilled, SIF-weighted piece vectors projected: where training starts."""
    vectors = piece_vectors()
    counts, _ = piece_frequencies(len(vectors))
    p = counts / max(counts.sum(), 1)
    return ((vectors @ projection) * (SIF_A / (SIF_A + p))[:, None]).astype(np.float32)


def mean_cosine(table: Any, ids: list[np.ndarray], targets: Any) -> float:
    """Mean cosine between the table's pooled passages and their targets (no gradient)."""
    import torch

    with torch.no_grad():
        return float(torch.cosine_similarity(pooled(table, ids), targets).mean())


def pooled(table: Any, ids: list[np.ndarray]) -> Any:
    """Sum of each text's piece rows (a text without pieces gives zeros)."""
    import torch

    flat = torch.from_numpy(np.concatenate(ids)) if ids else torch.zeros(0, dtype=torch.long)
    offsets = torch.from_numpy(np.cumsum([0] + [len(i) for i in ids[:-1]]).astype(np.int64))
    return torch.nn.functional.embedding_bag(flat, table, offsets, mode="sum")


def fit(
    ids: list[np.ndarray],
    targets: np.ndarray,
    held_out: np.ndarray,
    start: np.ndarray,
    options: dict[str, Any],
) -> tuple[np.ndarray, list[dict[str, float]]]:
    """Train the table; return the rows of the epoch with the best held-out cosine, and the log."""
    import torch

    torch.manual_seed(options["seed"])
    rng = np.random.default_rng(options["seed"])
    y = torch.nn.functional.normalize(torch.from_numpy(targets), dim=-1)
    table = torch.nn.Parameter(torch.from_numpy(start.copy()))
    origin = torch.from_numpy(start)
    optimiser = torch.optim.Adam([table], lr=options["lr"])
    train = np.flatnonzero(~held_out)
    dev_ids = [ids[i] for i in np.flatnonzero(held_out)]
    dev_y = y[torch.from_numpy(np.flatnonzero(held_out))]
    best = mean_cosine(table, dev_ids, dev_y)
    best_table, log = start.copy(), [{"epoch": 0, "held_out_cosine": round(best, 4)}]
    for epoch in range(1, options["epochs"] + 1):
        order = rng.permutation(train)
        for s in range(0, len(order), options["batch_size"]):
            batch = order[s : s + options["batch_size"]]
            batch_ids = [ids[i] for i in batch]
            loss = 1 - torch.cosine_similarity(pooled(table, batch_ids), y[batch]).mean()
            used = torch.from_numpy(np.unique(np.concatenate(batch_ids)))
            loss = loss + options["l2"] * ((table[used] - origin[used]) ** 2).sum(1).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        cosine = mean_cosine(table, dev_ids, dev_y)
        log.append({"epoch": epoch, "held_out_cosine": round(cosine, 4)})
        print(json.dumps(log[-1]), flush=True)
        if cosine > best:
            best, best_table = cosine, table.detach().numpy().copy()
    return best_table, log


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=700)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--l2", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    from safetensors.numpy import save_file

    from analysis.backbone import MINILM_HUB_ID, MINILM_SHA256

    started = time.perf_counter()
    articles, texts, targets = training_set(args.articles, args.seed)
    ids = piece_ids(texts)
    unique = sorted(set(articles))
    held = set(random.Random(args.seed).sample(unique, max(1, len(unique) // 10)))
    held_out = np.array([a in held for a in articles])
    projection = projection_of(targets[~held_out], args.dim)
    options = {
        "seed": args.seed,
        "epochs": args.epochs,
        "lr": args.lr,
        "l2": args.l2,
        "batch_size": args.batch_size,
    }
    table, log = fit(ids, targets @ projection, held_out, start_table(projection), options)
    args.out.mkdir(parents=True, exist_ok=True)
    save_file(
        {"embeddings": table.astype(np.float16), "projection": projection},
        str(args.out / "embeddings.safetensors"),
    )
    config = {
        "kind": "static word-piece embeddings fitted to MiniLM's passage embeddings",
        "teacher": MINILM_HUB_ID,
        "teacher_weights_sha256": MINILM_SHA256,
        "tokenizer": "the teacher's (tokenizer.json of the pinned package)",
        "vocab_size": int(table.shape[0]),
        "dim": int(args.dim),
        "max_pieces": MAX_PIECES,
        "prototypes": "embedded by the teacher, then projected (the 'projection' tensor)",
        "start": "distill_static.py's piece vectors, SIF-weighted, projected",
        "training": {
            "articles": len(unique),
            "held_out_articles": len(held),
            "passages": len(texts),
            "held_out_passages": int(held_out.sum()),
            **options,
            "log": log,
        },
        "recipe": "experiments/topic_relevance/fit_static.py",
    }
    (args.out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f} s")
    return config


if __name__ == "__main__":
    main()
