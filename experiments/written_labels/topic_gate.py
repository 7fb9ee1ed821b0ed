"""How many of the written passages does the topic gate let through? (measured, not shipped)

The written passages (``written.jsonl``) are on their topic by construction: each was written to
take a side on it, or to report on it without one, in a news or opinion voice. The shipped
stance model's topic head is the second stage of topic relevance: a topic passage needs
P(on topic) of at least ``topics.gate`` (0.9 when this was measured; 0.8 since 2026-12-07) for
its article to count as discussing the topic,
and ``topics.passage_gate`` (0.7) to count toward a discussing article's stance. Its training
data are news passages, so this asks how it treats the argument-style sentences of opinion
pieces, where a reviewer's probe found "The sanctions have failed ... Congress should repeal
them" at P(on topic) 0.01. Prints a table and writes JSON (``--out``).

    python -m experiments.written_labels.topic_gate [--model DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
SHIPPED = HERE.parent.parent / "analysis" / "shipped_models" / "minilm_v2"
WRITTEN = HERE / "written.jsonl"
# The stance targets of the written passages' topics (the shipped topics' targets).
TARGETS = {
    "arms_control": "US-Russia arms control",
    "sanctions": "sanctions on Russia",
    "ukraine": "Ukraine against Russia",
}
# topics.gate (coverage) as shipped when measured (0.8 since), and topics.passage_gate (stance)
GATES = (0.9, 0.7)
LABELS = ("favor", "against", "none")


def gate_shares(p_on: np.ndarray, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per topic and author label (and over all topics), how many passages reach each gate."""

    def shares(picked: list[int]) -> dict[str, Any]:
        p = p_on[picked]
        return {
            "n": len(picked),
            **{f"at_least_{g}": round(float(np.mean(p >= g)), 3) for g in GATES},
            "median": round(float(np.median(p)), 3),
        }

    out: dict[str, dict[str, Any]] = {}
    for topic in [*TARGETS, "all"]:
        for label in LABELS:
            picked = [
                i
                for i, r in enumerate(rows)
                if r["label"] == label and topic in (r["topic"], "all")
            ]
            if picked:
                out[f"{topic}/{label}"] = shares(picked)
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    from analysis.scoring.pair_scorer import TOPIC_HEAD, PairModel

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=SHIPPED)
    parser.add_argument("--data", type=Path, default=WRITTEN)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.data.open(encoding="utf-8")]
    model = PairModel(args.model, precision="fp32")
    predicted = model.predict([r["text"] for r in rows], [TARGETS[r["topic"]] for r in rows])
    p_on = predicted[TOPIC_HEAD][:, 1]  # the head's labels: off, on
    table = gate_shares(p_on, rows)
    print("| topic / author's label | n | " + " | ".join(f"P(on) >= {g}" for g in GATES) + " |")
    print("|---|---:|" + "---:|" * len(GATES))
    for key, row in table.items():
        cells = " | ".join(f"{row[f'at_least_{g}']:.2f}" for g in GATES)
        print(f"| {key} | {row['n']} | {cells} |")
    record = {"model": str(args.model), "data": str(args.data), "gates": list(GATES), **table}
    if args.out:
        args.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


if __name__ == "__main__":
    main()
