"""Distil the pinned MiniLM into static word-piece embeddings: the cheap first stage of topic
relevance (``analysis.static_embedding``).

Every word piece of MiniLM's vocabulary goes through the model alone (``[CLS] piece [SEP]``) and
its mean-pooled output is that piece's vector, as model2vec's ``distill`` does; the vectors are
reduced by PCA to ``--dim`` dimensions, and each piece is weighted by SIF, a / (a + p(piece)),
with p counted on the AllSides articles that are not reserved (text only; no labels are used).
A text's embedding is then the normalised mean of its pieces' rows: no network at inference.

    .venv/bin/python -m experiments.topic_relevance.distill_static

writes ``analysis/shipped_models/minilm_static/`` (``embeddings.safetensors`` in float16 and
``config.json`` with the recipe, the inputs' hashes and the seedless, deterministic steps).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from experiments.reserved import reserved_ids

ROOT = Path(__file__).resolve().parents[2]
ALLSIDES = ROOT.parent / "shared" / "data" / "allsides"
OUT = ROOT / "analysis" / "shipped_models" / "minilm_static"
SIF_A = 1e-3


def piece_vectors(batch_size: int = 1024) -> np.ndarray:
    """Mean-pooled MiniLM output of every vocabulary piece alone, ``(vocab, 384)`` float32."""
    import torch
    from transformers import AutoModel

    from analysis.backbone import minilm_path

    path = minilm_path(verify=True)
    model = AutoModel.from_pretrained(str(path), use_safetensors=True).eval()
    config = model.config
    cls_id, sep_id = 101, 102  # BERT uncased: [CLS], [SEP]
    ids = torch.arange(config.vocab_size)
    out = np.zeros((config.vocab_size, config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            batch = torch.stack(
                [torch.full_like(chunk, cls_id), chunk, torch.full_like(chunk, sep_id)], dim=1
            )
            hidden = model(input_ids=batch, attention_mask=torch.ones_like(batch))
            out[start : start + len(chunk)] = hidden.last_hidden_state.mean(dim=1).numpy()
    return out


def piece_frequencies(vocab_size: int) -> tuple[np.ndarray, int]:
    """Word-piece counts over the non-reserved AllSides articles, and how many articles."""
    from tokenizers import Tokenizer

    from analysis.backbone import minilm_path

    tokenizer = Tokenizer.from_file(str(minilm_path(verify=False) / "tokenizer.json"))
    reserved = reserved_ids()
    texts = []
    with (ALLSIDES / "articles.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if str(record.get("ID")) not in reserved:
                texts.append(f"{record.get('title') or ''}\n{record.get('content_original') or ''}")
    counts = np.zeros(vocab_size, dtype=np.int64)
    for encoding in tokenizer.encode_batch(texts, add_special_tokens=False):
        np.add.at(counts, np.asarray(encoding.ids, dtype=np.int64), 1)
    return counts, len(texts)


def pca(vectors: np.ndarray, dim: int) -> np.ndarray:
    """Project centred vectors on their ``dim`` leading principal axes (signs fixed)."""
    centred = vectors - vectors.mean(axis=0, keepdims=True)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    axes = vt[:dim]
    largest = axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)]
    return centred @ (axes * np.sign(largest)[:, None]).T


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dim", type=int, default=256, help="dimensions kept by PCA")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    from safetensors.numpy import save_file

    from analysis.backbone import MINILM_HUB_ID, MINILM_SHA256

    started = time.perf_counter()
    vectors = piece_vectors()
    counts, n_articles = piece_frequencies(len(vectors))
    reduced = pca(vectors, args.dim)
    p = counts / max(counts.sum(), 1)
    weighted = reduced * (SIF_A / (SIF_A + p))[:, None]
    args.out.mkdir(parents=True, exist_ok=True)
    save_file({"embeddings": weighted.astype(np.float16)}, str(args.out / "embeddings.safetensors"))
    config = {
        "kind": "static word-piece embeddings distilled from MiniLM",
        "teacher": MINILM_HUB_ID,
        "teacher_weights_sha256": MINILM_SHA256,
        "tokenizer": "the teacher's (tokenizer.json of the pinned package)",
        "vocab_size": len(vectors),
        "dim": int(args.dim),
        "pooling": "mean of [CLS] piece [SEP] outputs",
        "weighting": f"SIF a / (a + p), a = {SIF_A}",
        "frequencies": f"word pieces of {n_articles} AllSides articles (reserved ones left out)",
        "recipe": "experiments/topic_relevance/distill_static.py",
    }
    (args.out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.dim} dims) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
