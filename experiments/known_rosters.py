"""Write ``analysis/known_rosters.json``: the outlets' lists of writers found on the AllSides
corpus, so that a small run cuts them as a whole-corpus run does.

The byline rule (:mod:`analysis.bylines`) finds a site's scraped list of writers from the
bylines of one run: a name that follows the first name in at least 15% of an outlet's bylines,
behind at least three first names. A run of a few articles has too few bylines for that, so a
Reason article's six listed writers became six authors there, and one author in a whole-corpus
run. The rule is run here once over the corpus's articles that are not reserved for evaluation
(``allsides/reserved_ids.txt``); a run cuts at these names as well as at those it finds itself.

    python -m experiments.known_rosters [--corpus ../shared/data/allsides/articles.jsonl]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "allsides"
OUT = Path(__file__).resolve().parents[1] / "analysis" / "known_rosters.json"


def main(argv: list[str] | None = None) -> dict[str, list[str]]:
    import pandas as pd

    from analysis.bylines import roster_names
    from analysis.corpus.documents import Skipped
    from analysis.corpus.loader import iter_corpus
    from analysis.stages import article_row

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "articles.jsonl")
    parser.add_argument("--reserved", type=Path, default=SHARED / "reserved_ids.txt")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    reserved = set(args.reserved.read_text(encoding="utf-8").split())
    rows = [
        article_row(item.article, 0)
        for item in iter_corpus([args.corpus])
        if not isinstance(item, Skipped) and item.article.article_id not in reserved
    ]
    rosters = roster_names(pd.DataFrame(rows))
    found = {outlet: sorted(names) for outlet, names in sorted(rosters.items())}
    record = {
        "source": f"{args.corpus.name}: {len(rows)} articles, the reserved ones left out",
        "command": "python -m experiments.known_rosters",
        "rosters": found,
    }
    args.out.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{sum(map(len, found.values()))} names in {len(found)} outlets -> {args.out}")
    return found


if __name__ == "__main__":
    main()
