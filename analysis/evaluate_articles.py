"""Article-level evaluation: a run's article positions against labels a careful reader gave.

Labels are JSON Lines, one (article, topic) per line: ``article_id`` (or ``title`` when the id
is unknown), ``topic`` and ``label`` in ``not_discussed`` / ``none`` / ``favor`` / ``against``
(``news_stance/ARTICLE_GUIDE.md``); an optional ``split`` lets ``--split dev`` pick the dev part.

What is measured, on the labelled (article, topic) pairs found in the run:

- **coverage**: precision, recall and F1 of "discussed" (the run's ``status``) against the
  label "not not_discussed";
- **sign accuracy**: on articles labelled favor or against, the share whose stance has that
  sign (an article with no stance number counts as wrong; a "mixed" one has the number the
  pages show beside "mixed", and counts by its sign); **sign accuracy called**: the same over
  those the run gives a stance number (how often a side it calls is the right one);
- **stances given**: every labelled pair the run gives a stance number (``n_given``), how many
  of them are the side a reader finds (``given_right``; ``stance_precision`` their share) and
  how many a reader finds take no side or not discussed (``given_no_side``): what an analyst
  reading a shown stance needs, where sign accuracy counts only the pairs readers found
  leaning;
- **AUC favor vs none** (and against vs none): how well the stance ranks favor articles above
  articles that take no side; an article with no stance number (no stance expressed, not
  discussed) scores 0;
- **confusion** of the labels with the run's reading in the same four words (a stance number
  whose status is ``mixed`` reads as none);
- **intervals**: 95% percentile-bootstrap intervals of coverage F1, sign accuracy and AUC favor
  vs none, resampling labelled articles (with all their topics) with a fixed seed: on a few
  dozen leaning articles one article moves sign accuracy by two points, and the interval says
  how far the figure can be read.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.datasets import DataError, json_lines
from analysis.metrics import classification_report, precision_recall_f1, roc_auc

ARTICLE_LABELS = ("not_discussed", "none", "favor", "against")
BOOTSTRAP_RESAMPLES = 1000
# Fewer labelled articles than this get no intervals: resampling a handful of articles gives
# an interval as narrow as the handful is alike ([1.000, 1.000] from three articles read right).
MIN_INTERVAL_ARTICLES = 10


def load_article_labels(path: str | Path, split: str | None = None) -> pd.DataFrame:
    """The labelled (article, topic) pairs of ``path`` (only ``split`` when given, in any
    case)."""
    path = Path(path)
    if split is not None and not split.strip():
        raise ValueError("--split: empty; leave it out to judge every labelled article")
    if path.is_dir():
        raise DataError(
            path,
            None,
            "a folder; expected a JSON Lines file of article labels (article_id or "
            "title, topic, label)",
        )
    if not path.is_file():
        where = "" if path.is_absolute() else f" (looked in {Path.cwd()})"
        raise DataError(path, None, f"no such file{where}")
    if path.suffix.lower() in (".csv", ".tsv", ".xlsx", ".xls"):
        raise DataError(
            path,
            None,
            "article labels are read from JSON Lines, one JSON object a line (article_id or "
            f"title, topic, label, optionally split); this file ends in {path.suffix}",
        )
    rows = []
    splits: set[str] = set()  # the splits the file has, to name them when none matches
    for number, record in json_lines(path):
        if not record.get("article_id") and not record.get("title"):
            raise DataError(path, number, "expected 'article_id' or 'title'")
        for key in ("article_id", "title", "topic", "label"):
            value = record.get(key)
            if key in ("topic", "label") and value is None:
                raise DataError(path, number, f"missing field {key!r}")
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise DataError(
                    path, number, f"field {key!r} must be a non-empty string, got {value!r}"
                )
        label = record["label"].strip().lower()
        if label not in ARTICLE_LABELS:
            raise DataError(
                path,
                number,
                f"unknown label {record['label']!r}; expected one of {list(ARTICLE_LABELS)}",
            )
        if record.get("split") is not None:
            splits.add(str(record["split"]))
        if (
            split is not None
            and str(record.get("split", "")).strip().casefold() != split.strip().casefold()
        ):
            continue
        rows.append(
            {
                "article_id": record.get("article_id"),
                "title": record.get("title"),
                "topic": record["topic"],
                "label": label,
                "line": number,
                # kept to tell when several splits are judged together
                "split": None if record.get("split") is None else str(record["split"]),
            }
        )
    if not rows:
        where = f" with split {split!r}" if split else ""
        has = (
            f" (its splits: {', '.join(sorted(splits))})"
            if splits
            else " (no line of it has a split field)"
            if split
            else ""
        )
        raise DataError(path, None, f"holds no labelled articles{where}{has}")
    return pd.DataFrame(rows)


def check_label_topics(labels: pd.DataFrame, topics: Sequence[str]) -> None:
    """Article labels must name the run's topics by key (``arms_control``, not its label): a
    misspelt topic would otherwise leave its pairs out and the rest score alone."""
    if not topics:
        return
    unknown = sorted(set(labels["topic"].astype(str)) - set(topics))
    if unknown:
        raise ValueError(
            f"unknown topic(s) {unknown} in the labels; expected the run's topic keys: "
            f"{', '.join(topics)}"
        )


def predicted_label(status: Any, stance_status: Any, stance: Any) -> str:
    """The run's reading of one article × topic in the labels' four words."""
    if status != "discussed":
        return "not_discussed"
    if stance_status in ("no_stance", "mixed") or stance is None or pd.isna(stance) or stance == 0:
        return "none"
    return "favor" if stance > 0 else "against"


def match_labels(labels: pd.DataFrame, positions: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Labels joined to the run's article positions (by id, else by title), and how many
    labelled pairs the run does not have (see :func:`_matched`)."""
    matched, unmatched, _ = _matched(labels, positions)
    return matched, len(unmatched)


def _matched(labels: pd.DataFrame, positions: pd.DataFrame) -> tuple[pd.DataFrame, list[str], int]:
    """Labels joined to the run's article positions (by id, else by title), the labelled
    pairs the run does not have, as "line N: id or title (topic)", and how many labels with
    an id the run lacks were matched by their title (a generic headline may mislead). One
    article × topic labelled
    twice (by id and by title alike) is an error naming the lines: it would count twice, or
    both ways."""
    articles = positions[positions["level"] == "article"].copy()
    if "stance_status" not in articles:
        articles["stance_status"] = None
    by_title = articles.drop_duplicates(["title", "topic"]).set_index(["title", "topic"])
    by_id = articles.set_index(["article_id", "topic"])
    topics = sorted(set(articles["topic"]))
    keep = ["status", "stance_status", "stance", "article_id"]
    rows, unmatched, n_by_title = [], [], 0
    for label in labels.itertuples(index=False):
        found = None
        line = getattr(label, "line", None)
        if label.article_id and (label.article_id, label.topic) in by_id.index:
            found = by_id.loc[(label.article_id, label.topic)]
            found = {"article_id": label.article_id, **{k: found[k] for k in keep[:3]}}
        elif label.title and (label.title, label.topic) in by_title.index:
            hit = by_title.loc[(label.title, label.topic)]
            found = {k: hit[k] for k in keep}
            n_by_title += bool(label.article_id)
        if found is not None:
            rows.append({"topic": label.topic, "label": label.label, **found, "line": line})
            continue
        name = f"id {label.article_id!r}" if label.article_id else f"title {label.title!r}"
        where = f"line {line if line is not None else '?'}: {name} ({label.topic})"
        if label.topic not in topics:  # the article may well be there: the topic is not
            where += f": not a topic of the run ({', '.join(topics)})"
        unmatched.append(where)
    matched = pd.DataFrame(rows, columns=["topic", "label", *keep, "line"])
    twice = matched[matched.duplicated(["article_id", "topic"], keep=False)]
    if len(twice):
        first = twice.iloc[0]
        lines = twice.loc[
            (twice["article_id"] == first["article_id"]) & (twice["topic"] == first["topic"]),
            "line",
        ]
        raise ValueError(
            f"article {first['article_id']!r} is labelled on {first['topic']!r} more than once "
            f"(lines {', '.join(str(n) for n in lines)}; {len(twice)} such lines in all): "
            "expected one label per article and topic"
        )
    return matched.drop(columns="line"), unmatched, n_by_title


def defined_coverage(coverage: dict[str, Any]) -> dict[str, float | None]:
    """Coverage precision, recall and F1 of :func:`article_metrics`, None where undefined:
    precision when nothing is read as discussed, recall when nothing is labelled discussed,
    F1 when neither (0.000 there would read as every discussed article missed)."""
    return {
        "precision": coverage["precision"] if coverage["n_read"] else None,
        "recall": coverage["recall"] if coverage["n_labelled"] else None,
        "f1": coverage["f1"] if coverage["n_read"] or coverage["n_labelled"] else None,
    }


def macro_f1_words(report: dict[str, Any]) -> str:
    """What the report's macro-F1 averages over, in words: the four labels, or those present
    (a file of not-discussed pairs alone scores 1.000 over that one label)."""
    present = report.get("macro_f1_labels")
    if present is None or len(present) == len(ARTICLE_LABELS):
        return "macro-F1 over the four labels"
    if len(present) == 1:
        return f"macro-F1 over the one label present ({present[0]})"
    return f"macro-F1 over the {len(present)} labels present ({', '.join(present)})"


def headline_figures(
    label: np.ndarray, discussed_pred: np.ndarray, score: np.ndarray
) -> dict[str, float | None]:
    """Coverage F1, sign accuracy and AUC favor vs none of labelled pairs (``label``), whether
    the run reads each as discussed, and its stance score (0 where it has none)."""
    discussed_true = label != "not_discussed"
    tp = int((discussed_true & discussed_pred).sum())
    coverage = precision_recall_f1(tp, int(discussed_pred.sum()), int(discussed_true.sum()), 6)
    signed, correct = _signs(label, score)
    return {
        "coverage_f1": coverage["f1"] if discussed_true.any() or discussed_pred.any() else None,
        "sign_accuracy": float(correct[signed].mean()) if signed.any() else None,
        "auc_favor_vs_none": roc_auc(score[label == "favor"], score[label == "none"]),
    }


def _signs(label: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which pairs lean (favor or against), and which have a stance of their label's sign."""
    signed = np.isin(label, ["favor", "against"])
    return signed, (label == "favor") & (score > 0) | (label == "against") & (score < 0)


def bootstrap_intervals(
    articles: np.ndarray,
    label: np.ndarray,
    discussed_pred: np.ndarray,
    score: np.ndarray,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, list[float] | None]:
    """Percentile-bootstrap intervals of :func:`headline_figures`, resampling whole articles
    (``articles``: each pair's article) so that an article's topics stay together; none from
    fewer than :data:`MIN_INTERVAL_ARTICLES` articles."""
    ids, index = np.unique(articles, return_inverse=True)
    if len(ids) < MIN_INTERVAL_ARTICLES:
        return dict.fromkeys(("coverage_f1", "sign_accuracy", "auc_favor_vs_none"))
    rows_of = [np.flatnonzero(index == i) for i in range(len(ids))]
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {}
    for _ in range(resamples):
        picked = np.concatenate([rows_of[i] for i in rng.integers(0, len(ids), len(ids))])
        figures = headline_figures(label[picked], discussed_pred[picked], score[picked])
        for name, value in figures.items():
            if value is not None:
                draws.setdefault(name, []).append(value)
    tail = (1 - confidence) / 2 * 100
    out: dict[str, list[float] | None] = {}
    for name in ("coverage_f1", "sign_accuracy", "auc_favor_vs_none"):
        values = draws.get(name)
        # a figure undefined in many resamples has no interval worth giving
        if not values or len(values) < 0.9 * resamples:
            out[name] = None
        else:
            low, high = np.percentile(values, [tail, 100 - tail])
            out[name] = [round(float(low), 4), round(float(high), 4)]
    return out


def article_metrics(matched: pd.DataFrame, seed: int = 0) -> dict[str, Any]:
    """Coverage, sign accuracy, AUCs, confusion and bootstrap intervals (``seed``) of
    matched labels (see the module doc)."""
    if matched.empty:
        raise ValueError("none of the labelled articles is in the run")
    truth = matched["label"].tolist()
    predicted = [
        predicted_label(s, ss, x)
        for s, ss, x in zip(
            matched["status"], matched["stance_status"], matched["stance"], strict=True
        )
    ]
    discussed_true = np.array([t != "not_discussed" for t in truth])
    discussed_pred = (matched["status"] == "discussed").to_numpy()
    tp = int((discussed_true & discussed_pred).sum())
    coverage: dict[str, Any] = precision_recall_f1(
        tp, int(discussed_pred.sum()), int(discussed_true.sum()), 4
    )
    # the counts behind it: precision is undefined when nothing is read as discussed
    coverage.update(n_read=int(discussed_pred.sum()), n_labelled=int(discussed_true.sum()))
    coverage.update(defined_coverage(coverage))  # None, not 0.0, where undefined (JSON too)
    score = (
        matched["stance"]
        .astype(float)
        .where((matched["status"] == "discussed") & matched["stance"].notna(), 0.0)
        .to_numpy()
    )
    label = np.array(truth)
    signed, correct = _signs(label, score)
    point = headline_figures(label, discussed_pred, score)
    called = signed & (score != 0)
    given = discussed_pred & (score != 0)
    no_side = np.isin(label, ["none", "not_discussed"])
    report = classification_report(truth, predicted, ARTICLE_LABELS)
    topics = matched["topic"].to_numpy()
    per_topic = {}
    for topic, part in matched.groupby("topic"):
        mask = topics == topic
        per_topic[topic] = {
            "n": len(part),
            "sign_accuracy": _share(part, "sign"),
            "coverage_f1": _coverage_f1(part),
            # leaning pairs, those given a stance, those with the right sign
            "n_leaning": int(signed[mask].sum()),
            "n_called": int(called[mask].sum()),
            "n_right": int((correct & signed)[mask].sum()),
        }
    return {
        "n": len(matched),
        # without article ids (pairs given directly) each pair is its own article
        "n_articles": int(matched["article_id"].nunique())
        if "article_id" in matched
        else len(matched),
        "label_counts": {k: int((label == k).sum()) for k in ARTICLE_LABELS},
        "coverage": coverage,
        "sign_accuracy": _round(point["sign_accuracy"]),
        "n_signed": int(signed.sum()),
        "sign_accuracy_called": round(float(correct[called].mean()), 4) if called.any() else None,
        "n_called": int(called.sum()),
        "n_given": int(given.sum()),
        "given_right": int((given & correct).sum()),
        "given_no_side": int((given & no_side).sum()),
        "stance_precision": round(float(correct[given].mean()), 4) if given.any() else None,
        "auc_favor_vs_none": _round(point["auc_favor_vs_none"]),
        "auc_against_vs_none": _round(roc_auc(-score[label == "against"], -score[label == "none"])),
        "macro_f1": round(report["macro_f1"], 4),
        # the labels the macro-F1 averages: those in the labels or the run's reading
        "macro_f1_labels": [k for k in ARTICLE_LABELS if k in truth or k in predicted],
        "labels": list(ARTICLE_LABELS),
        "confusion": report["confusion"],
        "per_topic": per_topic,
        **_told_intervals(
            bootstrap_intervals(
                # without article ids (pairs given directly) each pair is its own article
                matched["article_id"].astype(str).to_numpy()
                if "article_id" in matched
                else np.arange(len(matched)),
                label,
                discussed_pred,
                score,
                seed=seed,
            )
        ),
    }


def _told_intervals(intervals: dict[str, list[float] | None]) -> dict[str, Any]:
    """The report's ``intervals``, and as ``intervals_alike`` the figures whose interval has no
    width (95% or more of the resamples gave one figure): ``[1.000, 1.000]`` from articles all
    read right says they are alike, not that the figure is certain, so those get no
    interval."""
    alike = [
        name for name, interval in intervals.items() if interval and interval[0] == interval[1]
    ]
    return {
        "intervals": {name: None if name in alike else i for name, i in intervals.items()},
        "intervals_alike": alike,
    }


def evaluate_run_articles(labels: pd.DataFrame, positions: pd.DataFrame) -> dict[str, Any]:
    """:func:`article_metrics` of a run's positions, with how many labels were not found."""
    matched, unmatched, n_by_title = _matched(labels, positions)
    if matched.empty:
        raise ValueError(
            "none of the labelled article × topic pairs is in the run (first: "
            f"{'; '.join(unmatched[:5])}); labels match a run article by 'article_id', else by "
            "its exact title, on one of the run's topics"
        )
    report = article_metrics(matched)
    # labels of several splits judged together (no --split): train articles, a model's own
    # training data where it was trained at article level, flatter the figures
    splits = labels["split"].dropna().astype(str) if "split" in labels else pd.Series([], dtype=str)
    report["splits_mixed"] = sorted(set(splits)) if splits.nunique() > 1 else []
    report["labels_not_in_run"] = len(unmatched)
    report["first_not_in_run"] = unmatched[:5]
    report["matched_by_title"] = n_by_title
    return report


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _share(part: pd.DataFrame, _: str) -> float | None:
    signed = part[part["label"].isin(["favor", "against"])]
    if signed.empty:
        return None
    stance = signed["stance"].astype(float).fillna(0.0)
    ok = ((signed["label"] == "favor") & (stance > 0)) | (
        (signed["label"] == "against") & (stance < 0)
    )
    return round(float(ok.mean()), 4)


def _coverage_f1(part: pd.DataFrame) -> float | None:
    truth = (part["label"] != "not_discussed").to_numpy()
    pred = (part["status"] == "discussed").to_numpy()
    if not (truth.any() or pred.any()):
        return None
    return precision_recall_f1(int((truth & pred).sum()), int(pred.sum()), int(truth.sum()), 4)[
        "f1"
    ]


def labelled_ids(labels: pd.DataFrame) -> Sequence[str]:
    """Article ids named by the labels (for analysing only those articles)."""
    return sorted({str(a) for a in labels["article_id"].dropna()})
