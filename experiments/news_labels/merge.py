"""Merge the readers' labels into the data files, and measure agreement on the overlap.

Every item was read by one reader; the overlap (see ``batches.py``) was read by two, each
without seeing the other's labels. Agreement is reported on the overlap (raw agreement and
Cohen's kappa, for the whole overlap and for the items both readers found on topic / discussed).
A twice-read item keeps the labels of the reader whose share it belongs to (the first reader);
where the two disagree on a label it is flagged ``doubt``.

Writes ``news_passages.jsonl`` (the format of ``news_stance/passages.jsonl``),
``articles.jsonl`` (one line per article × topic: the input of
``viewpoints evaluate --level article``) and ``agreement.json``.

    python -m experiments.news_labels.merge
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from analysis.metrics import cohen_kappa

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels"
TOPICS = ("arms_control", "sanctions", "ukraine")
ROUNDS = (("", "ABCD"), ("_r2", "EFGH"), ("_r3", "IJKL"))
# Round 3 (passages only, all train) goes to its own file and agreement entry, so that the
# files rounds 1-2 wrote, and the model stages trained on them, stay as they were.
LATER_ROUND_PREFIX = {"r": "_r3"}
PASSAGE_FIELDS = ("label", "speaker_label", "on_topic")


def agreement(a: list[Any], b: list[Any]) -> dict[str, Any]:
    n = len(a)
    same = sum(x == y for x, y in zip(a, b, strict=True))
    return {"n": n, "agreement": round(same / n, 4) if n else None, "kappa": cohen_kappa(a, b)}


def read_labels(kind: str) -> dict[str, list[tuple[str, dict]]]:
    """item -> [(reader, labels)], in the order the readers' files are read."""
    out: dict[str, list[tuple[str, dict]]] = {}
    for path in sorted(LABELS.glob(f"{kind}_*.jsonl")):
        reader = path.stem.split("_", 1)[1]
        for line in path.open(encoding="utf-8"):
            if line.strip():
                row = json.loads(line)
                out.setdefault(row["item"], []).append((reader, row))
    return out


def owners(kind: str) -> dict[str, str]:
    """item -> the reader whose share it is: ``batches.deal`` gives reader ``i`` of a round the
    items ``i, i + n, i + 2n ...`` of the round's file (the overlap comes on top)."""
    owner: dict[str, str] = {}
    for suffix, names in ROUNDS:
        path = HERE / f"{kind}_to_label{suffix}.jsonl"
        if not path.is_file():
            continue
        ids = [json.loads(line)["item"] for line in path.open(encoding="utf-8")]
        readers = sorted(
            {p.stem.split("_", 1)[1] for p in LABELS.glob(f"{kind}_*.jsonl")} & set(names)
        )
        for i, reader in enumerate(readers):
            for item in ids[i :: len(readers)]:
                owner[item] = reader
    return owner


def passage_agreement(labels: dict[str, list[tuple[str, dict]]]) -> dict[str, Any]:
    twice = [v for v in labels.values() if len(v) >= 2]
    out: dict[str, Any] = {"items_read_twice": len(twice)}
    for field in PASSAGE_FIELDS:
        a = [str(v[0][1][field]) for v in twice]
        b = [str(v[1][1][field]) for v in twice]
        out[field] = agreement(a, b)
    both_on = [v for v in twice if v[0][1]["on_topic"] and v[1][1]["on_topic"]]
    for field in ("label", "speaker_label"):
        a = [str(v[0][1][field]) for v in both_on]
        b = [str(v[1][1][field]) for v in both_on]
        out[f"{field}_on_topic"] = agreement(a, b)
    return out


def article_agreement(labels: dict[str, list[tuple[str, dict]]]) -> dict[str, Any]:
    twice = [v for v in labels.values() if len(v) >= 2]
    out: dict[str, Any] = {"articles_read_twice": len(twice)}
    a = [v[0][1][t]["label"] for v in twice for t in TOPICS]
    b = [v[1][1][t]["label"] for v in twice for t in TOPICS]
    out["label"] = agreement(a, b)
    covered = [x != "not_discussed" for x in a], [x != "not_discussed" for x in b]
    out["discussed"] = agreement(*covered)
    both = [(x, y) for x, y in zip(a, b, strict=True) if "not_discussed" not in (x, y)]
    out["label_when_both_discussed"] = agreement([x for x, _ in both], [y for _, y in both])
    for topic in TOPICS:
        out[topic] = agreement(
            [v[0][1][topic]["label"] for v in twice], [v[1][1][topic]["label"] for v in twice]
        )
    return out


def passage_row(item_id: str, readings: list[tuple[str, dict]], base: dict) -> dict[str, Any]:
    """One labelled passage in the format of ``news_stance/passages.jsonl`` (plus readers)."""
    first = readings[0][1]
    doubt = bool(first.get("doubt")) or any(
        r[1][f] != first[f] for r in readings[1:] for f in PASSAGE_FIELDS
    )
    return {
        "item": item_id,
        "article_id": base["article_id"],
        "passage_id": base["passage_id"],
        "title": base["title"],
        "outlet": base["outlet"],
        "topic": base["topic"],
        "target": base["target"],
        "favor": base["favor"],
        "against": base["against"],
        "before": base["before"],
        "text": base["text"],
        "after": base["after"],
        "label": first["label"] if first["on_topic"] else "none",
        "speaker_label": first["speaker_label"] if first["on_topic"] else None,
        "on_topic": bool(first["on_topic"]),
        "doubt": doubt,
        "readers": [r for r, _ in readings],
        "stratum": base["stratum"],
    }


def write_passages(path: Path, labels: dict, items: dict, splits: dict) -> None:
    with path.open("w", encoding="utf-8") as f:
        for item_id, readings in sorted(labels.items()):
            f.write(json.dumps(passage_row(item_id, readings, items[item_id]), ensure_ascii=False))
            f.write("\n")


def passage_counts(rows: list[dict], splits: dict) -> dict[str, Any]:
    return {
        "items": len(rows),
        "on_topic": sum(r["on_topic"] for r in rows),
        "label": dict(Counter(r["label"] for r in rows)),
        "label_on_topic": dict(Counter(r["label"] for r in rows if r["on_topic"])),
        "speaker_label": dict(Counter(str(r["speaker_label"]) for r in rows)),
        "split": dict(Counter(splits.get(r["article_id"], "train") for r in rows)),
    }


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    splits = json.loads((HERE / "splits.json").read_text())["articles"]
    items = {}
    for suffix, _ in ROUNDS:
        for name in ("passages", "articles"):
            path = HERE / f"{name}_to_label{suffix}.jsonl"
            if path.is_file():
                for line in path.open(encoding="utf-8"):
                    row = json.loads(line)
                    items[row["item"]] = row
    report: dict[str, Any] = {}
    for kind in ("passages", "articles"):
        labels = read_labels(kind)
        owner = owners(kind)
        for item_id, readings in labels.items():  # the owner's reading first
            readings.sort(key=lambda reading, item_id=item_id: reading[0] != owner.get(item_id))
        if kind == "passages":
            later = {
                suffix: {k: v for k, v in labels.items() if k[0] == prefix}
                for prefix, suffix in LATER_ROUND_PREFIX.items()
            }
            labels = {k: v for k, v in labels.items() if k[0] not in LATER_ROUND_PREFIX}
            for suffix, round_labels in later.items():
                if round_labels:
                    write_passages(
                        HERE / f"news_passages{suffix}.jsonl", round_labels, items, splits
                    )
                    report[f"passages{suffix}"] = {
                        **passage_agreement(round_labels),
                        "counts": passage_counts(
                            [json.loads(x) for x in (HERE / f"news_passages{suffix}.jsonl").open()],
                            splits,
                        ),
                    }
        report[kind] = (
            passage_agreement(labels) if kind == "passages" else article_agreement(labels)
        )
        rows = []
        for item_id, readings in sorted(labels.items()):
            base = items[item_id]
            first = readings[0][1]
            if kind == "passages":
                rows.append(passage_row(item_id, readings, items[item_id]))
            else:
                for topic in TOPICS:
                    mine = first[topic]
                    rows.append(
                        {
                            "item": item_id,
                            "article_id": base["article_id"],
                            "title": base["title"],
                            "outlet": base["outlet"],
                            "opinion": base["opinion"],
                            "topic": topic,
                            "label": mine["label"],
                            "strength": mine.get("strength", 0),
                            "reason": mine.get("reason", ""),
                            "split": splits.get(base["article_id"], base["split"]),
                            "readers": [r for r, _ in readings],
                            "disagreement": any(
                                r[1][topic]["label"] != mine["label"] for r in readings[1:]
                            ),
                        }
                    )
        out = HERE / ("news_passages.jsonl" if kind == "passages" else "articles.jsonl")
        with out.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        if kind == "passages":
            report[kind]["counts"] = passage_counts(rows, splits)
        else:
            report[kind]["counts"] = {
                "articles": len(labels),
                "label": dict(Counter((r["topic"], r["label"]) for r in rows).most_common()),
                "split": dict(Counter(r["split"] for r in rows if r["topic"] == TOPICS[0])),
            }
            report[kind]["counts"]["label"] = {
                f"{t}/{lab}": n for (t, lab), n in report[kind]["counts"]["label"].items()
            }
    (HERE / "agreement.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
