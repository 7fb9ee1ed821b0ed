"""Written passages for the stance heads: merge the writers' files, draw the blind overlap,
and measure how a second, independent reader's labels agree with the writers'.

Writers (helpers, following ``BRIEF.md`` and ``news_stance/GUIDE.md``) wrote news-style
passages together with their labels; a reader who saw neither the writers' labels nor the brief
then labelled a random sample with the guide alone. Agreement on that sample says whether the
written labels are what a careful reader of the guide would give.

    python -m experiments.written_labels.build merge DIR...   # writers' written.jsonl files
    python -m experiments.written_labels.build blind --n 120  # overlap_items.jsonl
    python -m experiments.written_labels.build agreement      # agreement.json
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from analysis.metrics import cohen_kappa
from experiments.train_news_stance import WRITTEN_TARGETS

HERE = Path(__file__).resolve().parent
WRITTEN = HERE / "written.jsonl"
OVERLAP = HERE / "overlap_items.jsonl"
READER = HERE / "overlap_reader.jsonl"
AGREEMENT = HERE / "agreement.json"
LABELS = ("favor", "against", "none")
DEFINITIONS = {
    "arms_control": (
        "supports keeping, extending or negotiating US-Russia arms control (INF, New START, "
        "strategic stability talks, disarmament dialogue, limits on nuclear arsenals)",
        "welcomes leaving or ending such treaties, calls arms control with Russia naive, harmful "
        "or useless, or favours a build-up instead",
    ),
    "sanctions": (
        "supports imposing, keeping or tightening sanctions on Russia (its officials, companies, "
        "banks)",
        "argues for easing or lifting them, or calls them wrong, harmful or futile",
    ),
    "ukraine": (
        "sides with Ukraine against Russia (its sovereignty and territory, condemning Russian "
        "aggression or the annexation of Crimea, Western support for Ukraine)",
        "sides with Russia's position (justifies the annexation, blames Kyiv or the West for "
        "the conflict, opposes support for Ukraine)",
    ),
}


def check_row(row: dict[str, Any], where: str) -> None:
    """Raise ValueError naming what was expected where a written row is malformed."""
    if row.get("topic") not in WRITTEN_TARGETS:
        raise ValueError(
            f"{where}: expected topic in {sorted(WRITTEN_TARGETS)}, got {row.get('topic')!r}"
        )
    if row.get("label") not in LABELS:
        raise ValueError(f"{where}: expected label in {LABELS}, got {row.get('label')!r}")
    if row.get("speaker_label") not in (*LABELS, None):
        raise ValueError(
            f"{where}: expected speaker_label in {LABELS} or null, got {row.get('speaker_label')!r}"
        )
    if not isinstance(row.get("text"), str) or not row["text"].strip():
        raise ValueError(f"{where}: expected a non-empty text")


def merge(files: list[Path]) -> list[dict[str, Any]]:
    """The writers' rows, checked, with exact duplicate texts dropped (first kept)."""
    rows, seen = [], set()
    for path in files:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                row = json.loads(line)
                check_row(row, f"{path}:{number}")
                key = " ".join(row["text"].lower().split())
                if key in seen:
                    continue
                seen.add(key)
                rows.append(
                    {
                        "id": row["id"],
                        "topic": row["topic"],
                        "text": row["text"].strip(),
                        "label": row["label"],
                        "speaker_label": row.get("speaker_label"),
                        "register": row.get("register"),
                        "hard": bool(row.get("hard")),
                    }
                )
    return rows


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def blind_items(rows: list[dict[str, Any]], n: int, seed: int) -> list[dict[str, Any]]:
    """A random sample, the same share from each writer's prefix, without the labels."""
    rng = random.Random(seed)
    by_writer: dict[str, list[dict]] = {}
    for row in rows:
        by_writer.setdefault(row["id"].split("-")[0], []).append(row)
    per = n // len(by_writer)
    picked = [r for group in by_writer.values() for r in rng.sample(group, min(per, len(group)))]
    rng.shuffle(picked)
    return [
        {
            "id": r["id"],
            "topic": r["topic"],
            "target": WRITTEN_TARGETS[r["topic"]],
            "favor": DEFINITIONS[r["topic"]][0],
            "against": DEFINITIONS[r["topic"]][1],
            "text": r["text"],
        }
        for r in picked
    ]


def agreement(written: list[dict], reader: list[dict]) -> dict[str, Any]:
    """Raw agreement and Cohen's kappa between the writers' labels and the reader's."""
    by_id = {r["id"]: r for r in written}
    out: dict[str, Any] = {"n": len(reader)}
    for field in ("label", "speaker_label"):
        a = [str(by_id[r["id"]][field]) for r in reader]
        b = [str(r[field]) for r in reader]
        same = sum(x == y for x, y in zip(a, b, strict=True))
        kappa = cohen_kappa(a, b)
        out[field] = {
            "agreement": round(same / len(a), 4),
            "kappa": None if kappa is None else round(kappa, 4),
            "confusion_written_vs_reader": dict(
                sorted(Counter(f"{x}->{y}" for x, y in zip(a, b, strict=True)).items())
            ),
        }
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("merge")
    m.add_argument("files", nargs="+", type=Path)
    b = sub.add_parser("blind")
    b.add_argument("--n", type=int, default=120)
    b.add_argument("--seed", type=int, default=42)
    sub.add_parser("agreement")
    args = parser.parse_args(argv)
    if args.command == "merge":
        rows = merge(args.files)
        WRITTEN.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        counts = Counter((r["topic"], r["label"], r["speaker_label"]) for r in rows)
        print(f"wrote {len(rows)} rows to {WRITTEN}")
        for key, count in sorted(counts.items(), key=str):
            print(key, count)
    elif args.command == "blind":
        items = blind_items(read_jsonl(WRITTEN), args.n, args.seed)
        OVERLAP.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in items))
        print(f"wrote {len(items)} items to {OVERLAP}")
    else:
        result = agreement(read_jsonl(WRITTEN), read_jsonl(READER))
        AGREEMENT.write_text(json.dumps(result, indent=1) + "\n")
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
