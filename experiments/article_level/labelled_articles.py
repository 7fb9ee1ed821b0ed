"""Write the labelled articles' lines of the AllSides file: the corpus the article-level
recipes analyse (``experiments/output/labelled_articles.jsonl``, git-ignored).

The labels (``experiments/news_labels/articles.jsonl``) name their articles by id; this keeps
those articles' lines of ``../shared/data/allsides/articles.jsonl`` as they are, in the file's
order, so that ``viewpoints analyze`` reads them as it reads the whole corpus.

    python -m experiments.article_level.labelled_articles [--out FILE]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "experiments" / "news_labels" / "articles.jsonl"
ALLSIDES = ROOT.parent / "shared" / "data" / "allsides" / "articles.jsonl"
OUT = ROOT / "experiments" / "output" / "labelled_articles.jsonl"


def labelled_ids(labels: Path) -> set[str]:
    """The article ids the labels name."""
    with labels.open(encoding="utf-8") as handle:
        return {str(json.loads(line)["article_id"]) for line in handle if line.strip()}


def write_labelled_articles(labels: Path, corpus: Path, out: Path) -> int:
    """The corpus lines of the labelled articles, written to ``out``; how many. Every labelled
    id must be in the corpus (else the labels and the corpus are not the ones they were made
    from)."""
    wanted = labelled_ids(labels)
    kept: list[str] = []
    found: set[str] = set()
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                article_id = str(json.loads(line).get("ID"))
                if article_id in wanted and article_id not in found:
                    found.add(article_id)
                    kept.append(line if line.endswith("\n") else line + "\n")
    missing = wanted - found
    if missing:
        raise SystemExit(
            f"{len(missing)} labelled article(s) are not in {corpus}: "
            + ", ".join(sorted(missing)[:5])
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(kept), encoding="utf-8")
    return len(kept)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--corpus", type=Path, default=ALLSIDES)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    n = write_labelled_articles(args.labels, args.corpus, args.out)
    print(f"wrote {n:,} articles to {args.out}")


if __name__ == "__main__":
    main()
