"""Who the detector says speaks, against the readers' names (``GUIDE.md``, ``labels/``).

The articles of the drawn passages are read again from the AllSides file with the current code,
so that a change to ``analysis.corpus.speech`` is measured here. Per split and stratum
(``sample.py``), of the passages readers name a speaker for (UNCLEAR left out):

- ``named_right``: the detector names the readers' speaker: one name's words all in the
  other's ("Trump", "the White House"), the same last name and first names one of which begins
  the other ("Alex Vindman"), or one word the other's initials ("KCNA");
- ``named_wrong``: it names someone else (also where readers say UNNAMED);
- ``no_name_right``: it names no one, and readers say UNNAMED;
- ``no_name_missed``: it names no one, and readers name someone;
- ``not_reported``: the current code no longer finds the passage reported;
- ``name_precision``: of the passages it names a speaker for, the share named right;
- ``author``: passages readers find the author's own voice (the detector's "reported" wrong);
- ``weighted``: the strata weighted by their size among the split's reported passages when
  drawn (the strata are drawn in equal numbers, not in proportion).

Agreement: the second reading of the overlap items against the first, by the same rule.

    python -m experiments.speaker_names.measure [--show train] [--write]
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from analysis.corpus import load_corpus
from analysis.corpus.speech import PERSON_TITLES
from analysis.speech_accuracy import SPEECH_ACCURACY_FILE
from experiments.speaker_names.sample import ALLSIDES, HERE

LABELS = HERE / "labels"
FIRST_READINGS = ("A1", "A2", "B1", "B2")
SECOND_READING = "C"
SPECIAL = ("UNNAMED", "AUTHOR", "UNCLEAR")
RESULTS = HERE / "results.json"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def name_words(name: str) -> list[str]:
    """A name's words, lower-case, without titles, "the", initials' dots or a possessive."""
    plain = name.lower().replace("’", "'").replace("'s ", " ").removesuffix("'s")
    words = re.findall(r"[\w'-]+", plain)
    return [w for w in words if w not in PERSON_TITLES and w not in ("the", "u", "s", "jr")]


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w not in ("of", "and"))


def same_speaker(a: str | None, b: str | None) -> bool:
    """Whether two answers name the same speaker (see the module doc); None is UNNAMED."""
    a, b = a or "UNNAMED", b or "UNNAMED"
    if a in SPECIAL or b in SPECIAL:
        return a == b
    x, y = name_words(a), name_words(b)
    if not x or not y:
        return False
    if set(x) <= set(y) or set(y) <= set(x):
        return True
    if (len(x) == 1 and x[0] == _initials(y)) or (len(y) == 1 and y[0] == _initials(x)):
        return True  # "KCNA", "HRC"
    # the same last name, and first names one of which begins the other ("Alex Vindman")
    return x[-1] == y[-1] and (x[0].startswith(y[0]) or y[0].startswith(x[0]))


def current_speakers(detector: list[dict[str, Any]]) -> dict[str, str | None]:
    """Each drawn passage's speaker as the current code names it."""
    wanted = {row["line"] for row in detector}
    with ALLSIDES.open() as lines, tempfile.TemporaryDirectory() as folder:
        subset = Path(folder) / "articles.jsonl"
        subset.write_text("".join(t for n, t in enumerate(lines, 1) if n in wanted))
        corpus = load_corpus([subset])
    speakers = {p.passage_id: p.speaker if p.reported else "AUTHOR" for p in corpus.passages}
    missing = [r["passage_id"] for r in detector if r["passage_id"] not in speakers]
    if missing:
        raise ValueError(f"passages no longer found (their article's passages changed): {missing}")
    return {r["item"]: speakers[r["passage_id"]] for r in detector}


def outcome(gold: str, predicted: str | None) -> str:
    """One passage's outcome (the module doc's names)."""
    if gold == "AUTHOR":
        return "author"
    if predicted == "AUTHOR":  # no longer reported by the current code
        return "not_reported"
    if predicted is None:
        return "no_name_right" if gold == "UNNAMED" else "no_name_missed"
    return "named_right" if same_speaker(gold, predicted) else "named_wrong"


def tally(outcomes: Iterable[str]) -> dict[str, Any]:
    kinds = ("named_right", "named_wrong", "no_name_right", "no_name_missed", "not_reported")
    counts = {k: 0 for k in (*kinds, "author")}
    for o in outcomes:
        counts[o] += 1
    named = counts["named_right"] + counts["named_wrong"]
    return {
        "n": sum(counts.values()),
        **counts,
        "name_precision": round(counts["named_right"] / named, 3) if named else None,
    }


def weighted(per_stratum: dict[str, dict], pools: dict[str, int], split: str) -> dict[str, Any]:
    """The strata's shares weighted by how many reported passages each stratum held in the
    split's articles when drawn (``pools``): the population estimate of how often a reported
    passage is named, named right, or left unnamed though readers name someone."""
    total = {"named": 0.0, "named_right": 0.0, "no_name_missed": 0.0, "passages": 0}
    for name in ("inferred", "in_text", "unnamed"):
        counts, pool = per_stratum[name], pools[f"{split}/{name}"]
        judged = counts["n"] - counts["author"]
        if not judged:
            continue
        total["passages"] += pool
        total["named"] += pool * (counts["named_right"] + counts["named_wrong"]) / judged
        total["named_right"] += pool * counts["named_right"] / judged
        total["no_name_missed"] += pool * counts["no_name_missed"] / judged
    passages = total["passages"]
    return {
        "reported_passages": passages,
        "name_precision": round(total["named_right"] / total["named"], 3),
        "named_share": round(total["named"] / passages, 3),
        "no_name_missed_share": round(total["no_name_missed"] / passages, 3),
    }


def agreement(first: dict[str, dict], second: dict[str, dict]) -> dict[str, Any]:
    """The second reading against the first on the items both read."""
    both = sorted(set(first) & set(second))
    agree = [same_speaker(first[i]["speaker"], second[i]["speaker"]) for i in both]
    clear = [
        a
        for i, a in zip(both, agree, strict=True)
        if "UNCLEAR" not in (first[i]["speaker"], second[i]["speaker"])
    ]
    return {
        "items": len(both),
        "agree": sum(agree),
        "share": round(sum(agree) / len(both), 3) if both else None,
        "both_clear": len(clear),
        "agree_both_clear": sum(clear),
        "share_both_clear": round(sum(clear) / len(clear), 3) if clear else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", choices=("train", "dev"), help="print the wrong and unnamed")
    parser.add_argument(
        "--write",
        action="store_true",
        help=f"keep the figures in {RESULTS.name} and the weighted ones in "
        f"{SPEECH_ACCURACY_FILE.name}",
    )
    args = parser.parse_args(argv)
    items = {r["item"]: r for r in read_jsonl(HERE / "items.jsonl")}
    detector = read_jsonl(HERE / "detector.jsonl")
    first = {r["item"]: r for x in FIRST_READINGS for r in read_jsonl(LABELS / f"reader_{x}.jsonl")}
    second = {r["item"]: r for r in read_jsonl(LABELS / f"reader_{SECOND_READING}.jsonl")}
    if set(first) != set(items):
        raise ValueError(f"expected a first reading of all {len(items)} items, got {len(first)}")
    predicted = current_speakers(detector)
    strata = {r["item"]: r["stratum"] for r in detector}
    pools = json.loads((HERE / "assignment.json").read_text())["pools"]
    results: dict[str, Any] = {"agreement": agreement(first, second)}
    for split in ("train", "dev"):
        rows = [
            (i, first[i]["speaker"], predicted[i])
            for i in items
            if items[i]["split"] == split and first[i]["speaker"] != "UNCLEAR"
        ]
        results[split] = {"all": tally(outcome(g, p) for _, g, p in rows)}
        for name in ("inferred", "in_text", "unnamed"):
            part = [(g, p) for i, g, p in rows if strata[i] == name]
            results[split][name] = tally(outcome(g, p) for g, p in part)
        results[split]["weighted"] = weighted(results[split], pools, split)
        if args.show == split:
            for i, gold, pred in rows:
                if outcome(gold, pred) in ("named_wrong", "no_name_missed"):
                    print(f"{i} [{strata[i]}] readers: {gold!r} detector: {pred!r}")
                    print(f"    …{items[i]['before'][-200:]!r}")
                    print(f"    {items[i]['passage'][:200]!r}")
    print(json.dumps(results, indent=1))
    if args.write:
        RESULTS.write_text(json.dumps(results, indent=1) + "\n")
        record = json.loads(SPEECH_ACCURACY_FILE.read_text(encoding="utf-8"))
        record["speaker_names"] = {
            "what": "speakers the rules name for reported passages against readers' names, "
            "strata weighted (experiments/speaker_names)",
            "command": "python -m experiments.speaker_names.measure",
            **{split: results[split]["weighted"] for split in ("train", "dev")},
        }
        SPEECH_ACCURACY_FILE.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
