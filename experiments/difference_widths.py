"""Is a difference between two authors ever surer than the positions it compares?

For independent authors A and B, var(A − B) = var(A) + var(B), so an honest interval of the
difference is at least as wide as either author's own. The positions resample an author's
articles and then passages within each drawn article (``analysis.aggregate``); until
2026-12-06 ``compare-authors``, the Compare page and the shifts resampled whole articles only,
which leaves out the passages' own spread. This counts, on a run, the differences among the
authors with the most articles on a topic whose interval is narrower than the wider of their
two positions' intervals (every topic, stance and tone, where all three intervals exist).

    python -m experiments.difference_widths --run RUN [--runs-dir DIR] [--topic sanctions] \
        [--authors 12]
"""

from __future__ import annotations

import argparse

from analysis.differences import author_differences
from analysis.runs import load_run


def narrower_differences(run_spec: str, runs_dir: str, topic: str, n_authors: int) -> tuple:
    """(narrower, compared): differences narrower than the wider of their positions'
    intervals, among the ``n_authors`` authors with most articles on ``topic``."""
    run = load_run(run_spec, runs_dir)
    authors = run.positions[run.positions["level"] == "author"]
    on_topic = authors[authors["topic"] == topic].sort_values(
        ["n_articles", "author"], ascending=[False, True], kind="stable"
    )
    chosen = on_topic["author"].head(n_authors).tolist()
    width = {
        (r["author"], r["topic"], m): r[f"{m}_high"] - r[f"{m}_low"]
        for r in authors.to_dict("records")
        for m in ("stance", "tone")
    }
    narrower = compared = 0
    for d in author_differences(run, chosen, seed=0):
        sides = [width.get((who, d.topic, d.measure)) for who in (d.a, d.b)]
        if d.low is None or d.high is None or any(w is None or w != w for w in sides):
            continue
        compared += 1
        narrower += int(d.high - d.low < max(sides) - 1e-9)
    return narrower, compared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, help="run id or folder")
    parser.add_argument("--runs-dir", default="runs")
    parser.add_argument("--topic", default="sanctions", help="authors ranked by articles on it")
    parser.add_argument("--authors", type=int, default=12, help="how many authors to compare")
    args = parser.parse_args()
    narrower, compared = narrower_differences(args.run, args.runs_dir, args.topic, args.authors)
    print(
        f"{narrower} of {compared} differences narrower than the wider of their two "
        "positions' intervals"
    )


if __name__ == "__main__":
    main()
