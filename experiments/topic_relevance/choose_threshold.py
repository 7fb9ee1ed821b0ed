"""Choose the topic-relevance threshold on hand-labelled passages, and check it on held-out ones.

    python -m experiments.topic_relevance.choose_threshold

reads ``labels.jsonl`` (passages labelled by reading each one; see README.md), splits it once
with a fixed seed into a tuning part and a held-out part, and

1. compares ways of scoring relevance on the tuning part (aliases alone, similarity to different
   prototypes, the library's combination with several alias weights, with and without the
   previous sentence as context): the best micro-F1 each reaches over thresholds;
2. sweeps thresholds for the library's method (:class:`analysis.topics.TopicMatcher`) and picks
   the one with the best micro-F1 among those with micro-precision >= ``MIN_PRECISION``;
3. reports that threshold's precision, recall and F1 per topic on the held-out part, with
   bootstrap intervals;
4. measures embedding throughput on AllSides sentences;

and writes ``results.json`` and ``RESULTS.md`` beside this file.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from analysis import topics as topics_mod
from analysis.embedding import Embedder
from analysis.topics import TopicMatcher, load_topics, prototypes
from experiments.reserved import reserved_ids
from experiments.topic_relevance.build_sample import from_reserved

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels.jsonl"
SPLIT_SEED = 17
HELD_OUT = 0.3
MIN_PRECISION = 0.8
THRESHOLDS = np.round(np.arange(0.0, 1.0001, 0.01), 2)
BOOTSTRAP = 2000
SPEED_SAMPLE = 2000
SPEED_SEED = 5
BATCH_SIZES = (64, 128, 256, 512)
PRF = ("precision", "recall", "f1")
# Words that were candidates for aliases but are not aliases; the audit shows why.
CANDIDATE_ALIASES = {
    "arms_control": (
        "treaty",
        "nuclear arms",
        "nuclear arsenal",
        "nuclear weapons",
        "nuclear",
        "missile",
        "missiles",
        "warheads",
    ),
    "sanctions": ("embargo",),
    "ukraine": ("Zelensky", "Zelenskiy"),
}


def read_labels(path: Path) -> list[dict[str, Any]]:
    """The labelled passages; refused if any is from a reserved article (held out for
    evaluation: never labelled, never tuned on)."""
    with open(path, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    reserved = reserved_ids()
    held_out = [r["id"] for r in records if from_reserved(r["source"], reserved)]
    if held_out:
        raise SystemExit(
            f"{path}: {len(held_out)} passage(s) from reserved articles (ids "
            f"{', '.join(map(str, held_out[:5]))}{', ...' if len(held_out) > 5 else ''}); "
            "leave them out"
        )
    return records


def split(records: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the tuning and held-out parts (a fixed shuffle; held-out is 30%)."""
    order = list(range(len(records)))
    random.Random(SPLIT_SEED).shuffle(order)
    n_held = round(HELD_OUT * len(records))
    return np.array(sorted(order[n_held:])), np.array(sorted(order[:n_held]))


def counts(pred: np.ndarray, gold: np.ndarray) -> tuple[int, int, int]:
    """True positives, false positives and false negatives."""
    tp = int((pred & gold).sum())
    return tp, int((pred & ~gold).sum()), int((~pred & gold).sum())


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


def metrics(rel: np.ndarray, gold: np.ndarray, threshold: float, keys: list[str]) -> dict:
    """Per-topic and micro-averaged precision/recall/F1 at one threshold."""
    pred = rel >= threshold
    out = {key: prf(*counts(pred[:, j], gold[:, j])) for j, key in enumerate(keys)}
    out["micro"] = prf(*counts(pred.ravel(), gold.ravel()))
    return out


def sweep(rel: np.ndarray, gold: np.ndarray, keys: list[str]) -> list[dict]:
    return [{"threshold": float(t), **metrics(rel, gold, t, keys)} for t in THRESHOLDS]


def choose(rows: list[dict], min_precision: float = MIN_PRECISION) -> dict:
    """Best micro-F1 among thresholds meeting the precision floor (all thresholds if none does);
    of a plateau of equal F1, its middle, so that the choice does not sit on an edge."""
    ok = [r for r in rows if r["micro"]["precision"] >= min_precision] or rows
    best = max(r["micro"]["f1"] for r in ok)
    first = next(i for i, r in enumerate(rows) if r in ok and r["micro"]["f1"] == best)
    last = first
    while (
        last + 1 < len(rows)
        and rows[last + 1]["micro"]["f1"] == best
        and rows[last + 1]["micro"]["precision"] >= min_precision
    ):
        last += 1
    return rows[(first + last) // 2]


def bootstrap(rel: np.ndarray, gold: np.ndarray, threshold: float, seed: int = 0) -> dict:
    """95% percentile intervals of micro precision/recall/F1, resampling passages."""
    rng = np.random.default_rng(seed)
    pred = rel >= threshold
    stats = []
    for _ in range(BOOTSTRAP):
        idx = rng.integers(0, len(rel), len(rel))
        m = prf(*counts(pred[idx].ravel(), gold[idx].ravel()))
        stats.append([m["precision"], m["recall"], m["f1"]])
    low, high = np.percentile(np.array(stats), [2.5, 97.5], axis=0)
    return {
        name: [round(float(lo), 3), round(float(hi), 3)]
        for name, lo, hi in zip(("precision", "recall", "f1"), low, high, strict=True)
    }


def max_cos(embeddings: np.ndarray, protos: np.ndarray) -> np.ndarray:
    return (embeddings @ protos.T).max(axis=1)


def variants(
    matcher: TopicMatcher,
    texts: list[str],
    previous: list[str],
    emb: np.ndarray,
    emb_prev: np.ndarray,
    emb_ctx: np.ndarray,
) -> dict[str, Callable[[], np.ndarray]]:
    """Ways to score relevance, each an ``(n, n_topics)`` array in [0, 1].

    ``emb``: the passages alone; ``emb_prev``: their previous passages alone; ``emb_ctx``: each
    passage joined to its previous one (what the library embeds when given ``previous``).
    """
    embedder = matcher.embedder_
    hits = matcher.alias_hits(texts)
    rescale = topics_mod.rescale_similarity

    def per_topic(protos_of: Callable[[Any], list[str]], pool: str = "max") -> np.ndarray:
        cols = []
        for topic in matcher.topics:
            protos = embedder.encode(protos_of(topic))
            if pool == "centroid":
                centre = protos.mean(0)
                cols.append(emb @ (centre / np.linalg.norm(centre)))
            else:
                cols.append(max_cos(emb, protos))
        return np.stack(cols, axis=1)

    def combined(e: np.ndarray, gate: bool, weight: float = topics_mod.ALIAS_WEIGHT):
        sims, counter = matcher.similarity(e), matcher.counter_similarity(e)
        gated = hits & (sims >= counter) if gate else hits
        return weight * gated + (1 - weight) * rescale(sims)

    # The cheap alternative to embedding passage + previous passage: average the two sentence
    # embeddings, weighted by their token counts (mean pooling over the joined text would
    # weight them so, were there no attention across the two).
    tokenizer = embedder.loaded[1]
    n_this = np.array([len(tokenizer(t)["input_ids"]) for t in texts], dtype=np.float32)
    n_prev = np.array([len(tokenizer(p)["input_ids"]) if p else 0 for p in previous], np.float32)
    averaged = n_this[:, None] * emb + n_prev[:, None] * emb_prev
    averaged /= np.linalg.norm(averaged, axis=1, keepdims=True)

    out: dict[str, Callable[[], np.ndarray]] = {
        "aliases only": lambda: hits.astype(float),
        "similarity only: description": lambda: rescale(per_topic(lambda t: [t.description])),
        "similarity only: centroid of prototypes": lambda: rescale(
            per_topic(prototypes, "centroid")
        ),
        "similarity only: max over prototypes": lambda: rescale(matcher.similarity(emb)),
        "aliases + similarity": lambda: combined(emb, gate=False),
        "aliases gated by counter-examples + similarity": lambda: combined(emb, gate=True),
        "aliases + similarity, with previous passage": lambda: combined(emb_ctx, gate=False),
        "gated aliases + similarity, previous passage by averaged embeddings": lambda: combined(
            averaged, gate=True
        ),
        "gated aliases + similarity, with previous passage (library)": lambda: combined(
            emb_ctx, gate=True
        ),
    }
    for weight in (0.4, 0.5, 0.6):
        out[f"library method with alias weight {weight}"] = lambda w=weight: combined(
            emb_ctx, gate=True, weight=w
        )
    return out


def alias_audit(
    matcher: TopicMatcher, texts: list[str], gold: np.ndarray, rows: np.ndarray
) -> dict[str, dict[str, dict[str, int]]]:
    """For every alias (and a few words left out on purpose), how many of the given passages
    it hits and how many of those are labelled on topic."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for j, topic in enumerate(matcher.topics):
        words = [*topic.aliases, *CANDIDATE_ALIASES.get(topic.key, ())]
        out[topic.key] = {}
        for word in words:
            pattern = topics_mod.alias_pattern([word])
            hit = np.array([bool(pattern.search(texts[i])) for i in rows], dtype=bool)
            out[topic.key][word] = {
                "hits": int(hit.sum()),
                "on_topic": int((hit & gold[rows, j]).sum()),
                "is_alias": word in topic.aliases,
            }
    return out


def measure_speed(matcher: TopicMatcher) -> dict[str, Any]:
    """Throughput on random AllSides sentences (fixed seed): embedding the sentences alone, and
    the library's relevance with previous passages (what a run does: aliases, embedding of
    passage + previous passage, similarities)."""
    import torch

    from experiments.topic_relevance.build_sample import allsides_sentences

    sentences = allsides_sentences()
    sample = random.Random(SPEED_SEED).sample(sentences, SPEED_SAMPLE)
    texts = [r["text"] for r in sample]
    previous = [r["context"] for r in sample]
    embedder = matcher.embedder_
    matcher.relevance(texts[:64], previous=previous[:64])  # warm up, prototypes embedded
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    embedder.encode(texts)
    alone = time.perf_counter() - start
    start = time.perf_counter()
    matcher.relevance(texts, previous=previous)
    with_previous = time.perf_counter() - start
    joined = topics_mod.with_previous(texts, previous)
    by_batch_size = {}
    for batch_size in BATCH_SIZES:
        other = Embedder(batch_size=batch_size)
        other.encode(joined[:64])
        start = time.perf_counter()
        other.encode(joined)
        by_batch_size[batch_size] = round(len(joined) / (time.perf_counter() - start), 1)
    return {
        "sentences": len(sample),
        "embed_with_previous_per_second_by_batch_size": by_batch_size,
        "mean_chars": round(float(np.mean([len(s) for s in texts])), 1),
        "embed_alone_seconds": round(alone, 2),
        "embed_alone_per_second": round(len(sample) / alone, 1),
        "relevance_with_previous_seconds": round(with_previous, 2),
        "relevance_with_previous_per_second": round(len(sample) / with_previous, 1),
        "allsides_sentences": len(sentences),
        "torch_threads": torch.get_num_threads(),
        "cpus": os.cpu_count(),
        "load_average_1min_before": round(load_before, 2),
        "dtype": embedder.identity()["dtype"],
        "batch_size": embedder.batch_size,
    }


def fmt(x: float) -> str:
    return f"{x:.2f}"


def topic_table(m: dict, keys: list[str]) -> list[str]:
    lines = ["| topic | precision | recall | F1 | TP | FP | FN |", "|---|---|---|---|---|---|---|"]
    for key in [*keys, "micro"]:
        r = m[key]
        lines.append(
            f"| {key} | {fmt(r['precision'])} | {fmt(r['recall'])} | {fmt(r['f1'])} | "
            f"{r['tp']} | {r['fp']} | {r['fn']} |"
        )
    return lines


def write_markdown(res: dict, path: Path) -> None:
    keys = res["topics"]
    lines = [
        "# Topic relevance: choosing the threshold",
        "",
        "Produced by `python -m experiments.topic_relevance.choose_threshold` "
        "(writes this file and `results.json`).",
        "",
        f"Labelled passages: {res['n_passages']} (`labels.jsonl`, each labelled by reading it; "
        f"see README.md), split with seed {SPLIT_SEED} into {res['n_tune']} for tuning and "
        f"{res['n_held_out']} held out. Positives (tuning / held-out): "
        + ", ".join(
            f"{k} {res['positives']['tune'][k]} / {res['positives']['held_out'][k]}" for k in keys
        )
        + ".",
        "",
        "## Ways of scoring relevance (tuning part)",
        "",
        "Best micro-F1 over thresholds, and the threshold the rule below picks for each.",
        "",
        "| method | best micro-F1 | at threshold | rule's threshold | its micro P / R / F1 |",
        "|---|---|---|---|---|",
    ]
    for name, v in res["variants"].items():
        c = v["chosen"]["micro"]
        lines.append(
            f"| {name} | {fmt(v['best_f1'])} | {fmt(v['best_threshold'])} | "
            f"{fmt(v['chosen']['threshold'])} | {fmt(c['precision'])} / {fmt(c['recall'])} / "
            f"{fmt(c['f1'])} |"
        )
    chosen = res["chosen"]
    lines += [
        "",
        "## The library's method",
        "",
        f"`{res['method']['method']}`: relevance = {res['method']['alias_weight']} × alias hit "
        f"+ {1 - res['method']['alias_weight']:.1f} × clip((s − {res['method']['sim_low']}) / "
        f"({res['method']['sim_high']} − {res['method']['sim_low']}), 0, 1), where s is the "
        "highest cosine between the MiniLM embedding of the passage joined to its previous "
        "passage and the topic's prototypes (label, description, target and example sentences "
        "in `analysis/default_topics.toml`), and an alias hit counts only where s is at least "
        "the highest cosine to the topic's counter-examples.",
        "",
        f"**Rule**: the threshold with the best micro-F1 on the tuning part among those with "
        f"micro-precision ≥ {MIN_PRECISION} (the middle of a plateau of equal F1). The floor is "
        "there because the labelled set is enriched with passages near the topics: in the whole "
        "corpus off-topic sentences are far more common, so precision there is lower than here, "
        "and an off-topic passage scored for stance adds noise to an author's position.",
        "",
        f"**Chosen threshold: {chosen['threshold']:.2f}** (`DEFAULT_THRESHOLD` in "
        "`analysis/topics.py`).",
        "",
        "### Tuning part, threshold sweep (micro-averaged)",
        "",
        "| threshold | precision | recall | F1 |",
        "|---|---|---|---|",
    ]
    for row in res["sweep"]:
        if round(row["threshold"] * 100) % 5 == 0 or row["threshold"] == chosen["threshold"]:
            m = row["micro"]
            mark = " ← chosen" if row["threshold"] == chosen["threshold"] else ""
            lines.append(
                f"| {row['threshold']:.2f}{mark} | {fmt(m['precision'])} | {fmt(m['recall'])} | "
                f"{fmt(m['f1'])} |"
            )
    w = res["method"]["alias_weight"]
    cos_alias = res["method"]["sim_low"] + (chosen["threshold"] - w) / (1 - w) * (
        res["method"]["sim_high"] - res["method"]["sim_low"]
    )
    cos_plain = res["method"]["sim_low"] + chosen["threshold"] / (1 - w) * (
        res["method"]["sim_high"] - res["method"]["sim_low"]
    )
    lines += [
        "",
        f"At this threshold a passage is on topic when it names the topic (a gated alias hit) and "
        f"s ≥ {cos_alias:.2f}, or, without an alias, when s ≥ {cos_plain:.2f}.",
        "",
        "### Tuning part at the chosen threshold",
        "",
        *topic_table(chosen, keys),
    ]
    held = res["held_out"]
    ci = res["held_out_bootstrap"]
    lines += [
        "",
        "### Held-out part at the chosen threshold (not used for any choice)",
        "",
        *topic_table(held, keys),
        "",
        f"Bootstrap 95% intervals ({BOOTSTRAP} resamples of passages) for the micro averages: "
        f"precision {ci['precision'][0]:.2f}–{ci['precision'][1]:.2f}, recall "
        f"{ci['recall'][0]:.2f}–{ci['recall'][1]:.2f}, F1 {ci['f1'][0]:.2f}–{ci['f1'][1]:.2f}.",
        "",
        "### Without previous passages",
        "",
        "A caller that gives `relevance` no previous passages gets, at the same threshold "
        "(micro precision / recall / F1): tuning part "
        + " / ".join(fmt(res["without_previous"]["tune"]["micro"][m]) for m in PRF)
        + ", held-out part "
        + " / ".join(fmt(res["without_previous"]["held_out"]["micro"][m]) for m in PRF)
        + ".",
        "",
        "### By stratum, all labelled passages, at the chosen threshold",
        "",
        "| stratum | passages | positives (all topics) | flagged | TP | FP | FN |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, s in res["by_stratum"].items():
        lines.append(
            f"| {name} | {s['n']} | {s['positives']} | {s['flagged']} | {s['tp']} | {s['fp']} | "
            f"{s['fn']} |"
        )
    lines += [
        "",
        "## Alias audit (tuning part)",
        "",
        "Passages each word hits and how many of them are labelled on the topic; words marked "
        "'no' are not aliases (the TOML's comment says why).",
        "",
        "| topic | word | alias | hits | on topic |",
        "|---|---|---|---|---|",
    ]
    for key, words in res["alias_audit"].items():
        for word, a in words.items():
            if a["hits"]:
                lines.append(
                    f"| {key} | {word} | {'yes' if a['is_alias'] else 'no'} | {a['hits']} | "
                    f"{a['on_topic']} |"
                )
    sp = res["speed"]
    if sp is None:
        lines += ["", "## Throughput", "", "Not measured in this run (`--no-speed`).", ""]
        path.write_text("\n".join(lines), encoding="utf-8")
        return
    rate = sp["relevance_with_previous_per_second"]
    lines += [
        "",
        "## Throughput",
        "",
        f"{sp['sentences']} random AllSides sentences (mean {sp['mean_chars']} characters), "
        f"batch size {sp['batch_size']}, {sp['dtype']}, {sp['torch_threads']} torch threads on "
        f"{sp['cpus']} CPUs:",
        "",
        f"- embedding the sentences alone: **{sp['embed_alone_per_second']} sentences/s**;",
        f"- the library's relevance with previous passages (aliases, embedding of passage + "
        f"previous passage, similarities): **{rate} sentences/s**;",
        "- embedding passage + previous passage by batch size: "
        + ", ".join(
            f"{bs}: {v} sentences/s"
            for bs, v in sp["embed_with_previous_per_second_by_batch_size"].items()
        )
        + " (the default batch size, `analysis.embedding.BATCH_SIZE`, follows this).",
        "",
        f"The 1-minute load average before the measurement was "
        f"{sp['load_average_1min_before']} on {sp['cpus']} CPUs: other work (a model training) "
        f"shared them, so an idle machine is faster. At {rate} sentences/s the "
        f"{sp['allsides_sentences']:,} AllSides sentences of 20+ characters (this experiment's "
        f"simple splitter) take about {sp['allsides_sentences'] / rate / 60:.0f} minutes.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--no-speed", action="store_true", help="skip the throughput measurement")
    args = parser.parse_args(argv)

    records = read_labels(args.labels)
    topics = load_topics()
    keys = [t.key for t in topics]
    gold = np.array([[bool(r["labels"][k]) for k in keys] for r in records])
    texts = [r["text"] for r in records]
    previous = [r["context"] for r in records]
    tune, held = split(records)

    embedder = Embedder()
    matcher = TopicMatcher(topics, embedder)
    emb = embedder.encode(texts)
    emb_prev = embedder.encode(previous)
    emb_ctx = embedder.encode(topics_mod.with_previous(texts, previous))

    res: dict[str, Any] = {
        "topics": keys,
        "n_passages": len(records),
        "n_tune": len(tune),
        "n_held_out": len(held),
        "split_seed": SPLIT_SEED,
        "min_precision": MIN_PRECISION,
        "positives": {
            "tune": {k: int(gold[tune, j].sum()) for j, k in enumerate(keys)},
            "held_out": {k: int(gold[held, j].sum()) for j, k in enumerate(keys)},
        },
        "variants": {},
    }
    print(f"{len(records)} passages: {len(tune)} tuning, {len(held)} held out")
    print(f"\n{'method':58s} best-F1  @thr   rule-thr  P     R     F1")
    for name, score in variants(matcher, texts, previous, emb, emb_prev, emb_ctx).items():
        rel = score()
        rows = sweep(rel[tune], gold[tune], keys)
        best = max(rows, key=lambda r: r["micro"]["f1"])
        picked = choose(rows)
        res["variants"][name] = {
            "best_f1": best["micro"]["f1"],
            "best_threshold": best["threshold"],
            "chosen": picked,
        }
        m = picked["micro"]
        print(
            f"{name:58s} {best['micro']['f1']:.3f}  {best['threshold']:.2f}   "
            f"{picked['threshold']:.2f}      {m['precision']:.2f}  {m['recall']:.2f}  {m['f1']:.2f}"
        )

    rel = matcher.relevance(texts, previous=previous, embeddings=emb_ctx)
    rows = sweep(rel[tune], gold[tune], keys)
    chosen = choose(rows)
    threshold = chosen["threshold"]
    print(f"\nthreshold sweep, library method ({topics_mod.METHOD}), tuning part:")
    print("thr    " + "  ".join(f"{k[:12]:>12s} P/R/F1  " for k in [*keys, "micro"]))
    for row in rows[::5]:
        print(
            f"{row['threshold']:.2f}  "
            + "  ".join(
                f"{row[k]['precision']:.2f}/{row[k]['recall']:.2f}/{row[k]['f1']:.2f}      "
                for k in [*keys, "micro"]
            )
        )
    held_m = metrics(rel[held], gold[held], threshold, keys)
    # What a caller that gives no previous passages gets at the same threshold.
    rel_alone = matcher.relevance(texts, embeddings=emb)
    alone = {
        "tune": metrics(rel_alone[tune], gold[tune], threshold, keys),
        "held_out": metrics(rel_alone[held], gold[held], threshold, keys),
    }
    res.update(
        method={
            "method": topics_mod.METHOD,
            "sim_low": topics_mod.SIM_LOW,
            "sim_high": topics_mod.SIM_HIGH,
            "alias_weight": topics_mod.ALIAS_WEIGHT,
        },
        sweep=rows,
        chosen=chosen,
        held_out=held_m,
        held_out_bootstrap=bootstrap(rel[held], gold[held], threshold),
        library_default_threshold=topics_mod.DEFAULT_THRESHOLD,
        alias_audit=alias_audit(matcher, texts, gold, tune),
        without_previous=alone,
    )
    pred = rel >= threshold
    by_stratum: dict[str, dict[str, int]] = {}
    for i, r in enumerate(records):
        s = by_stratum.setdefault(
            r["stratum"].split(":")[0],
            {"n": 0, "positives": 0, "flagged": 0, "tp": 0, "fp": 0, "fn": 0},
        )
        s["n"] += 1
        s["positives"] += int(gold[i].sum())
        s["flagged"] += int(pred[i].sum())
        tp, fp, fn = counts(pred[i], gold[i])
        s["tp"], s["fp"], s["fn"] = s["tp"] + tp, s["fp"] + fp, s["fn"] + fn
    res["by_stratum"] = by_stratum
    res["errors_held_out"] = [
        {
            "text": texts[i],
            "topic": k,
            "gold": int(gold[i, j]),
            "relevance": round(float(rel[i, j]), 3),
        }
        for i in held
        for j, k in enumerate(keys)
        if pred[i, j] != gold[i, j]
    ]
    print(
        f"\nchosen threshold {threshold:.2f} (rule: best micro-F1 with precision >= "
        f"{MIN_PRECISION}); library DEFAULT_THRESHOLD = {topics_mod.DEFAULT_THRESHOLD}"
    )
    print("held out at the chosen threshold:")
    for k in [*keys, "micro"]:
        m = held_m[k]
        print(
            f"  {k:14s} P {m['precision']:.2f}  R {m['recall']:.2f}  F1 {m['f1']:.2f}  "
            f"(tp {m['tp']}, fp {m['fp']}, fn {m['fn']})"
        )
    print(f"  micro 95% bootstrap intervals: {res['held_out_bootstrap']}")

    if args.no_speed:
        res["speed"] = None
    else:
        res["speed"] = measure_speed(matcher)
        print(f"\nembedding throughput: {res['speed']}")
    res["embedder"] = embedder.identity()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    write_markdown(res, args.out / "RESULTS.md")
    print(f"wrote {args.out / 'results.json'}")
    return res


if __name__ == "__main__":
    main()
